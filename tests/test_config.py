"""Configuration contract: seed names and defaults, every problem reported at once, nothing written."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pytest

from constructs_lib import McpServerProps
from stacks.config import ConfigError, load_environment, load_environments
from stacks.schema import config_fields

from .conftest import MINIMAL, ROOT, props_of, synth_file

SEED_DEFAULTS = {
    "tags": {},
    "memory_size": 512,
    "timeout": 180,
    "reserved_concurrent_executions": -1,
    "environment_variables": {},
    "enable_auth": True,
    "enable_tenant_isolation": False,
    "cognito_user_pool_id": None,
    "cognito_user_pool_endpoint": None,
    "cognito_client_id": None,
    "route_throttle_overrides": {},
    "throttle_rate_limit": 100,
    "throttle_burst_limit": 50,
    "cors_allowed_origins": ["*"],
    "waf_acl_arn": None,
    "enable_session_table": False,
    "session_ttl_seconds": 3600,
    "enable_ecr_repository": False,
    "ecr_image_tag_mutability": "IMMUTABLE",
    "ecr_scan_on_push": True,
    "log_retention_days": 30,
    "enable_xray_tracing": True,
    "alarm_sns_topic_arn": None,
    "alarm_actions_enabled": True,
}
SEED_REQUIRED = {"name", "environment", "image_uri"}
# Required by the seed; here image_uri may be left out when the stack creates the repository.
ALWAYS_REQUIRED = SEED_REQUIRED - {"image_uri"}
# Required by the seed; optional here because the stack creates the key and the network.
FOUNDATIONS = {"vpc_id", "vpc_subnet_ids", "vpc_security_group_ids", "kms_key_arn"}


def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f'"{k}" = {toml_value(v)}' for k, v in value.items()) + " }"
    return str(value)


def write(directory: Path, environment: str, values: dict, extra: str = "") -> Path:
    path = directory / f"{environment}.toml"
    lines = [f"{key} = {toml_value(value)}" for key, value in values.items()]
    path.write_text("\n".join(lines) + "\n" + extra, encoding="utf-8")
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_environment(path)
    return caught.value.problems


def seed_minimal() -> dict:
    return {k: v for k, v in MINIMAL.items() if k != "environment"}


# -- the seed's inputs ----------------------------------------------------------------------


# New capabilities, beyond the seed's inputs.
EXTRA_INPUTS = {
    "image_tag": "latest",
    "front_door": None,
    "response_streaming": None,
    "api_gateway_cloudwatch_role": None,
    "cors_extra_allow_headers": [],
    "vpc_cidr": "10.0.0.0/16",
    "vpc_availability_zone_count": 2,
    "vpc_interface_endpoints": [],
    "token_vending_machine": None,
    "tenant_metering": None,
    "tenants": [],
    "request_state_kms_key": False,
    # Sign-in for people.
    "enable_user_sign_in": False,
    "user_mfa": "required",
    "client_registration": ["cimd", "dcr"],
    "allowed_redirect_uris": ["http://127.0.0.1:*/*", "http://localhost:*/*", "http://[::1]:*/*"],
    "user_tenant_attribute": "tenant_id",
    "oauth_scopes": [],
    "cognito_user_pool_domain": None,
    # The upstream module's later inputs.
    "custom_domain_name": None,
    "acm_certificate_arn": None,
    "route53_zone_id": None,
    "enable_mtls": False,
    "mtls_truststore_uri": None,
    "mtls_truststore_version": None,
    "enable_canary_deployment": False,
    "canary_alias_name": "live",
    "canary_version": None,
    "canary_weight": 0,
    "enable_global_table": False,
    "replica_regions": [],
    "replica_kms_key_arns": {},
    "enable_ecr_replication": False,
    "ecr_replication_regions": [],
    "enable_health_check": False,
    "health_check_path": "/.well-known/oauth-protected-resource",
    "health_check_failure_threshold": 3,
    "alarm_notification_email": None,
    "alarm_4xx_rate_percent": 10,
}


def test_every_seed_input_is_a_field_with_the_seed_default():
    fields = {f.name: f for f in config_fields(McpServerProps)}
    assert set(fields) == set(SEED_DEFAULTS) | SEED_REQUIRED | FOUNDATIONS | set(EXTRA_INPUTS)
    required = {name for name, f in fields.items() if f.default is f.default_factory is dataclasses.MISSING}
    assert required == ALWAYS_REQUIRED
    props = props_of()
    for name, default in SEED_DEFAULTS.items():  # sequences are held as tuples (props are frozen)
        value = getattr(props, name)
        assert (list(value) if isinstance(value, tuple) else value) == default, name
    from_zero = McpServerProps(**{k: MINIMAL[k] for k in SEED_REQUIRED})
    for name in FOUNDATIONS:
        assert getattr(from_zero, name) is None, name
    for name, default in EXTRA_INPUTS.items():
        value = getattr(from_zero, name)
        assert (list(value) if isinstance(value, tuple) else value) == default, name


def test_construct_only_fields_are_not_file_keys():
    construct_only = {f.name for f in dataclasses.fields(McpServerProps)} - {f.name for f in config_fields(McpServerProps)}
    assert construct_only == {"network"}


def test_minimal_seed_example_needs_only_seed_keys(tmp_path):
    config = load_environment(write(tmp_path, "dev", seed_minimal()))
    assert config.environment == "dev"
    assert config.stack.region == "us-east-1"
    assert config.stack.backend.type == "local"
    assert config.stack.state_encryption is None


def test_shipped_configuration_is_valid():
    assert [c.environment for c in load_environments(ROOT / "config")] == [
        "dev", "prod", "staging"
    ]  # fmt: skip


SEED_EXAMPLES = sorted((ROOT / "examples").glob("seed-*"))


def test_the_seed_s_three_examples_are_written_out():
    assert [d.name for d in SEED_EXAMPLES] == ["seed-minimal", "seed-multi-tenant", "seed-production"]


@pytest.mark.parametrize("directory", SEED_EXAMPLES, ids=lambda d: d.name)
def test_each_seed_example_synthesizes_with_the_seed_s_values(directory):
    (path,) = directory.glob("*.toml")
    config = load_environment(path)
    synth = synth_file(path)
    assert synth.one("aws_lambda_function", function_name=f"{config.name}-{config.environment}")


# -- one line per problem, naming file and field --------------------------------------------


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"memory_size": "lots"}, "dev.toml: memory_size: Input should be a valid integer"),
        ({"memory_size": 64}, "dev.toml: memory_size: must be 128 to 10240 MB (Lambda's range) (got 64)"),
        ({"timeout": 901}, "dev.toml: timeout: must be 1 to 900 s (Lambda's range) (got 901)"),
        ({"reserved_concurrent_executions": -2}, "dev.toml: reserved_concurrent_executions:"),
        ({"enable_auth": "yes"}, "dev.toml: enable_auth: Input should be a valid boolean"),
        ({"vpc_id": "vpc-12"}, "dev.toml: vpc_id: must be a VPC id"),
        ({"vpc_subnet_ids": []}, "dev.toml: vpc_subnet_ids: list 1 to 16 items (got 0)"),
        ({"vpc_subnet_ids": ["subnet-0a1b2c3d4e5f60711", "nope"]}, "dev.toml: vpc_subnet_ids[1]:"),
        ({"kms_key_arn": "alias/mcp"}, "dev.toml: kms_key_arn: must be a KMS key ARN"),
        ({"image_uri": "docker.io/library/nginx:1"}, "dev.toml: image_uri: must be an Amazon ECR"),
        ({"image_uri": MINIMAL["image_uri"].split(":")[0]}, "dev.toml: image_uri: must be"),
        ({"log_retention_days": 31}, "dev.toml: log_retention_days: CloudWatch Logs accepts only"),
        ({"ecr_image_tag_mutability": "SOMETIMES"}, "dev.toml: ecr_image_tag_mutability:"),
        ({"name": "My_Tools"}, "dev.toml: name: must be lowercase letters"),
        ({"name": "aws-tools"}, "dev.toml: name: the Cognito domain prefix 'aws-tools-dev' is not"),
        ({"tags": {"Environment": "x"}}, "dev.toml: tags.Environment: set by the stack"),
        ({"tags": {"aws:team": "x"}}, "dev.toml: tags.aws:team: tag keys are"),
        ({"environment_variables": {"AWS_REGION": "x"}}, "environment_variables.AWS_REGION: reserved"),
        ({"environment_variables": {"A": "x"}}, "dev.toml: environment_variables.A: Lambda requires"),
        ({"environment_variables": {"BIG": "x" * 4100}}, "dev.toml: environment_variables: 4103 bytes"),
        ({"route_throttle_overrides": {"PUT /mcp": {"throttling_rate_limit": 1,
          "throttling_burst_limit": 1}}}, "route_throttle_overrides.PUT /mcp: no such route"),
        ({"route_throttle_overrides": {"POST /mcp": {"throttling_rate_limit": 1}}},
         "route_throttle_overrides.POST /mcp.throttling_burst_limit: required"),
        ({"cors_allowed_origins": ["https://a.example.com/"]}, "cors_allowed_origins[0]: must be"),
        ({"cors_allowed_origins": ["*", "https://a.example.com"]}, "cors_allowed_origins: '*'"),
        ({"waf_acl_arn": "arn:aws:wafv2:us-east-1:123456789012:global/webacl/x/y"}, "waf_acl_arn:"),
        ({"alarm_sns_topic_arn": "arn:aws:sns:us-east-1:1234:x"}, "dev.toml: alarm_sns_topic_arn:"),
        ({"session_ttl_seconds": 0}, "dev.toml: session_ttl_seconds: must be at least 1 s (got 0)"),
    ],
)  # fmt: skip
def test_each_invalid_value_is_named(tmp_path, change, expected):
    problems = problems_of(write(tmp_path, "dev", {**seed_minimal(), **change}))
    assert len(problems) == 1, problems
    assert expected in problems[0]


def test_a_long_name_reports_every_derived_name_it_breaks(tmp_path):
    problems = problems_of(write(tmp_path, "dev", {**seed_minimal(), "name": "a" * 61}))
    assert all(p.startswith("dev.toml: name: the ") for p in problems)
    broken = [p.split(" 'a")[0].removeprefix("dev.toml: name: the ") for p in problems]
    assert broken == [
        "Lambda function name", "IAM role name", "IAM role name", "IAM role name",
        "IAM role name", "Lambda function name", "Cognito domain prefix",
    ]  # fmt: skip
    assert "would be 65 characters and AWS allows 64; shorten name by 1" in problems[0]


def test_unknown_key_is_an_error_with_a_suggestion(tmp_path):
    problems = problems_of(write(tmp_path, "dev", {**seed_minimal(), "memroy_size": 1024}))
    assert problems == ["dev.toml: memroy_size: unknown key; did you mean 'memory_size'?"]


def test_unknown_key_in_a_nested_table(tmp_path):
    path = write(tmp_path, "dev", seed_minimal(), '[stack]\nregoin = "us-east-1"\n')
    assert problems_of(path) == ["dev.toml: stack.regoin: unknown key; did you mean 'region'?"]


def test_missing_required_inputs_are_each_named(tmp_path):
    assert problems_of(write(tmp_path, "dev", {"image_uri": MINIMAL["image_uri"]})) == [
        "dev.toml: name: required; add it to the file"
    ]
    assert problems_of(write(tmp_path, "dev", {"name": "my-tools"})) == [
        "dev.toml: image_uri: required; add it to the file, or set enable_ecr_repository = true "
        "to run image_tag from the repository this stack creates"
    ]


def test_without_image_uri_the_created_repository_supplies_the_image(tmp_path):
    values = {"name": "my-tools", "enable_ecr_repository": True, "image_tag": "v1"}
    assert load_environment(write(tmp_path, "dev", values)).props.image_uri is None
    both = {**seed_minimal(), "enable_ecr_repository": True, "image_tag": "v1"}
    assert problems_of(write(tmp_path, "dev", both)) == [
        "dev.toml: image_tag: only used when image_uri is omitted (the function then runs this "
        "tag of the created repository); remove it or remove image_uri"
    ]
    bad = {"name": "my-tools", "enable_ecr_repository": True, "image_tag": "v1:latest"}
    assert problems_of(write(tmp_path, "dev", bad))[0].startswith("dev.toml: image_tag: must be an image tag")


def test_file_name_must_be_an_environment(tmp_path):
    problems = problems_of(write(tmp_path, "qa", seed_minimal()))
    assert problems == [
        "qa.toml: environment: the file name must be one of dev.toml, staging.toml, prod.toml "
        "(got 'qa.toml')"
    ]


def test_environment_key_must_match_the_file(tmp_path):
    problems = problems_of(write(tmp_path, "dev", {**seed_minimal(), "environment": "prod"}))
    assert len(problems) == 1 and problems[0].startswith("dev.toml: environment: is 'prod'")


def test_toml_syntax_error_names_the_file(tmp_path):
    path = tmp_path / "dev.toml"
    path.write_text('name = "x"\n[[broken', encoding="utf-8")
    assert problems_of(path)[0].startswith("dev.toml: (file): ")


def test_cross_field_rules_name_each_field(tmp_path):
    values = {
        **seed_minimal(),
        "cognito_user_pool_id": "us-east-1_AbCdEfGhI",
        "enable_auth": False,
    }
    problems = problems_of(write(tmp_path, "dev", values))
    assert sorted(problems) == sorted(
        [
            "dev.toml: cognito_user_pool_endpoint: an external Cognito pool needs all three of "
            "cognito_user_pool_id, cognito_user_pool_endpoint, cognito_client_id",
            "dev.toml: cognito_client_id: an external Cognito pool needs all three of "
            "cognito_user_pool_id, cognito_user_pool_endpoint, cognito_client_id",
            "dev.toml: cognito_user_pool_id: enable_auth is false, so the external pool would be "
            "ignored; remove it or set enable_auth = true",
        ]
    )


def test_cognito_endpoint_must_belong_to_the_pool(tmp_path):
    values = {
        **seed_minimal(),
        "cognito_user_pool_id": "us-east-1_AbCdEfGhI",
        "cognito_user_pool_endpoint": "cognito-idp.us-east-1.amazonaws.com/us-east-1_Other",
        "cognito_client_id": "1a2b3c4d5e6f7g8h9i0j",
    }
    assert problems_of(write(tmp_path, "dev", values)) == [
        "dev.toml: cognito_user_pool_endpoint: must be "
        "cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEfGhI for pool us-east-1_AbCdEfGhI"
    ]


def test_resources_must_be_in_the_stack_region(tmp_path):
    path = write(tmp_path, "dev", seed_minimal(), '[stack]\nregion = "us-west-2"\n')
    assert sorted(problems_of(path)) == [
        "dev.toml: image_uri: Lambda needs the image in us-west-2 (stack.region)",
        "dev.toml: kms_key_arn: must be in us-west-2 (stack.region)",
    ]


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ('type = "s3"\n', "dev.toml: stack.backend.bucket: required for the s3 backend"),
        ('bucket = "b"\n', "dev.toml: stack.backend.bucket: only for the s3 backend"),
        ('path = "/var/state.tfstate"\n', "dev.toml: stack.backend.path: must be relative"),
        ('type = "s3"\nbucket = "b"\npath = "x"\n', "stack.backend.path: only for the local"),
        ('type = "gcs"\n', "dev.toml: stack.backend.type: Input should be 'local' or 's3'"),
    ],
)
def test_backend_settings_fit_the_backend_type(tmp_path, table, expected):
    problems = problems_of(write(tmp_path, "dev", seed_minimal(), "[stack.backend]\n" + table))
    assert len(problems) == 1 and expected in problems[0], problems


def test_rules_across_fields_run_beside_fields_that_failed(tmp_path):
    """A bad value does not hide a bad combination of other values, nor one inside a table."""
    waf_elsewhere = "arn:aws:wafv2:us-west-2:123456789012:regional/webacl/x/" + "a1b2c3d4-5678-90ab-cdef-1234567890ab"
    values = {**seed_minimal(), "front_door": "http", "waf_acl_arn": waf_elsewhere, "memory_size": 1}
    problems = problems_of(write(tmp_path, "dev", values, '[stack.backend]\ntype = "s3"\nencrypt = "yes"\n'))
    assert problems == [  # in the file's order
        "dev.toml: front_door: AWS WAF cannot be associated with an HTTP API stage; use "
        'front_door = "rest" (or leave front_door unset) to protect the API with waf_acl_arn',
        "dev.toml: waf_acl_arn: must be in us-east-1 (stack.region)",
        "dev.toml: memory_size: must be 128 to 10240 MB (Lambda's range) (got 1)",
        "dev.toml: stack.backend.encrypt: Input should be a valid boolean (got 'yes', a string)",
        "dev.toml: stack.backend.bucket: required for the s3 backend",
    ]


def test_a_rule_reading_a_failed_field_is_skipped_not_guessed(tmp_path):
    # kms_key_arn fails its shape, so its region is unknown; image_uri's region is still checked.
    values = {**seed_minimal(), "kms_key_arn": "alias/mcp"}
    problems = problems_of(write(tmp_path, "dev", values, '[stack]\nregion = "us-west-2"\n'))
    assert [p.split(":")[1].strip() for p in problems] == ["image_uri", "kms_key_arn"]


def test_several_mistakes_in_several_files_are_all_reported(tmp_path):
    write(tmp_path, "dev", {**seed_minimal(), "memory_size": 1, "timeout": 0})
    write(tmp_path, "prod", {**seed_minimal(), "vpc_id": "x", "colour": "blue"})
    with pytest.raises(ConfigError) as caught:
        load_environments(tmp_path)
    assert [p.split(":")[0:2] for p in caught.value.problems] == [
        ["dev.toml", " memory_size"],
        ["dev.toml", " timeout"],
        ["prod.toml", " vpc_id"],
        ["prod.toml", " colour"],
    ]


# -- image_uri from the pipeline ------------------------------------------------------------


def test_pipeline_sets_image_uri_per_environment(tmp_path, monkeypatch):
    image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/mcp-server@sha256:" + "a" * 64
    monkeypatch.setenv("MCP_IMAGE_URI_DEV", image)
    assert load_environment(write(tmp_path, "dev", seed_minimal())).props.image_uri == image
    without_image = {k: v for k, v in seed_minimal().items() if k != "image_uri"}
    assert load_environment(write(tmp_path, "dev", without_image)).props.image_uri == image
    assert load_environment(write(tmp_path, "prod", seed_minimal())).props.image_uri == MINIMAL["image_uri"]


def test_a_bad_pipeline_image_names_the_variable(tmp_path, monkeypatch):
    monkeypatch.setenv("MCP_IMAGE_URI_DEV", "nginx:latest")
    problems = problems_of(write(tmp_path, "dev", seed_minimal()))
    assert len(problems) == 1
    assert problems[0].startswith("dev.toml: image_uri: must be an Amazon ECR image URI")
    assert problems[0].endswith("(value from $MCP_IMAGE_URI_DEV)")


# -- through the entry point: exit 1, one line per problem, no traceback, nothing written ----


def run_main(config_dir: Path, outdir: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "MCP_CONFIG_DIR": str(config_dir), "CDKTF_OUTDIR": str(outdir)}
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def test_main_reports_all_problems_and_writes_nothing(tmp_path):
    config_dir = tmp_path / "config"
    config_dir.mkdir()
    write(config_dir, "dev", {**seed_minimal(), "memory_size": 1, "colour": "blue"})
    write(config_dir, "prod", seed_minimal())  # valid, but no stack may be written
    outdir = tmp_path / "out"
    result = run_main(config_dir, outdir)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "dev.toml: memory_size: must be 128 to 10240 MB (Lambda's range) (got 1)",
        "dev.toml: colour: unknown key",
    ]
    assert "Traceback" not in result.stderr + result.stdout
    assert not outdir.exists()


def test_main_reports_a_missing_config_directory(tmp_path):
    result = run_main(tmp_path / "absent", tmp_path / "out")
    assert result.returncode == 1
    assert result.stderr.strip().endswith("(directory): not found; set MCP_CONFIG_DIR")
    assert not (tmp_path / "out").exists()
