"""Stack-level wiring: provider, backend, OpenTofu state encryption, outputs."""

from __future__ import annotations

from constructs_lib import SEED_OUTPUTS
from constructs_lib.outputs import (
    ACCESS_OUTPUTS,
    METERING_OUTPUTS,
    OPERATIONS_OUTPUTS,
    TENANT_CLIENT_OUTPUTS,
    TVM_OUTPUTS,
)

from .conftest import MINIMAL, synth_config

KEY = MINIMAL["kms_key_arn"]


def test_provider_is_hashicorp_aws_without_a_required_version(shipped):
    for synth in shipped.values():
        terraform = synth.json["terraform"]
        assert terraform["required_providers"]["aws"]["source"] == "hashicorp/aws"
        # Checkov's terraform_json parser rejects it; see stacks/opentofu.py.
        assert "required_version" not in terraform


def test_provider_region_and_default_tags_merge_seed_tags_with_user_tags():
    synth = synth_config(tags={"Team": "platform"}, stack={"region": "us-east-1"})
    (provider,) = synth.json["provider"]["aws"]
    assert provider["region"] == "us-east-1"
    assert provider["default_tags"] == [
        {"tags": {"Name": "my-tools", "Environment": "dev", "ManagedBy": "opentofu", "Team": "platform"}}
    ]


def test_local_backend_is_relative_to_the_stack_directory():
    terraform = synth_config().json["terraform"]
    assert terraform["backend"] == {"local": {"path": "terraform.tfstate"}}
    assert "encryption" not in terraform


def test_s3_backend_uses_native_locking_and_encryption():
    synth = synth_config(
        stack={"backend": {"type": "s3", "bucket": "state", "kms_key_id": KEY}}
    )
    assert synth.json["terraform"]["backend"] == {
        "s3": {
            "bucket": "state",
            "key": "my-tools-dev/terraform.tfstate",
            "region": "us-east-1",
            "encrypt": True,
            "kms_key_id": KEY,
            "use_lockfile": True,
        }
    }
    assert "dynamodb_table" not in synth.json["terraform"]["backend"]["s3"]


def test_state_encryption_uses_kms_and_enforces_state_and_plan():
    encryption = synth_config(stack={"state_encryption": {"kms_key_id": KEY}}).json["terraform"][
        "encryption"
    ]
    assert encryption == {
        "key_provider": {
            "aws_kms": {"state": {"kms_key_id": KEY, "region": "us-east-1", "key_spec": "AES_256"}}
        },
        "method": {"aes_gcm": {"state": {"keys": "${key_provider.aws_kms.state}"}}},
        "state": {"method": "method.aes_gcm.state", "enforced": True},
        "plan": {"method": "method.aes_gcm.state", "enforced": True},
    }


def test_shipped_prod_encrypts_state_in_s3(shipped):
    terraform = shipped["prod"].json["terraform"]
    assert terraform["backend"]["s3"]["use_lockfile"] is True
    assert terraform["encryption"]["state"]["enforced"] is True


def test_stack_declares_the_seed_outputs_by_name(shipped):
    companions = {**TENANT_CLIENT_OUTPUTS, **TVM_OUTPUTS, **METERING_OUTPUTS}
    for env, synth in shipped.items():
        outputs = synth.json["output"]
        # The companion modules' outputs exist where the modules are enabled (staging).
        expected = {**SEED_OUTPUTS, **ACCESS_OUTPUTS, **OPERATIONS_OUTPUTS,
                    **(companions if env == "staging" else {})}  # fmt: skip
        assert set(outputs) == set(expected)
        for name, description in expected.items():
            assert outputs[name]["description"] == description


def test_stack_is_named_name_dash_environment(shipped):
    assert {env: s.stack.node.id for env, s in shipped.items()} == {
        "dev": "my-tools-dev",
        "staging": "ai-tools-staging",
        "prod": "ai-tools-prod",
    }


def test_outputs_say_where_to_get_a_token(shipped):
    outputs = shipped["dev"].json["output"]
    domain = shipped["dev"].address("aws_cognito_user_pool_domain")
    assert outputs["oauth_token_endpoint"]["value"] == (
        "https://${" + domain + ".domain}.auth.${data.aws_region.region.region}.amazoncognito.com/oauth2/token"
    )
    command = outputs["client_secret_command"]["value"]
    assert command.startswith("aws cognito-idp describe-user-pool-client --region ")
    assert "--client-id ${" + shipped["dev"].address("aws_cognito_user_pool_client") + ".id}" in command
    assert command.endswith("--query UserPoolClient.ClientSecret --output text")
    # An external pool's domain and secrets are its owner's; each tenant's client id is ours.
    staging = shipped["staging"].json["output"]
    assert staging["oauth_token_endpoint"]["value"] == staging["client_secret_command"]["value"] == "${null}"
    assert set(staging["tenant_client_ids"]["value"]) == {"acme", "globex"}


def test_the_provider_range_admits_streaming_timeouts(shipped):
    """The bindings are 6.25.0; STREAM timeouts above 29 s validate from 6.26.0."""
    for synth in shipped.values():
        assert synth.json["terraform"]["required_providers"]["aws"] == {
            "source": "hashicorp/aws", "version": ">= 6.26.0, < 7.0.0"}  # fmt: skip
