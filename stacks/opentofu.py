"""The one place for what cdktf cannot express for OpenTofu about a stack's state: every
override of the backend and of state encryption lives here. (The provider's registry address and
versions come with the constructs that need them: `constructs_lib.context.require_aws_provider`.)

- cdktf's S3 backend class lacks `use_lockfile` (OpenTofu's native S3 locking, 1.10+).
- OpenTofu state and plan encryption (`terraform.encryption`, 1.7+) has no cdktf class.

Every value written here comes from a configuration file, so each is a `literal` (OpenTofu
evaluates `${...}` in backend and encryption settings too: since 1.8 they may hold expressions).
"""

from __future__ import annotations

from cdktf import LocalBackend, S3Backend, TerraformStack

from constructs_lib.expressions import literal

from .schema import BackendSettings, StateEncryptionSettings

# S3 native locking (`use_lockfile`) arrived in OpenTofu 1.10; state encryption in 1.7. No
# `required_version` is written: Checkov's terraform_json parser (3.3.x) rejects a string in the
# `terraform` block, and users run Checkov on this JSON; older releases already fail `tofu init`
# on `use_lockfile` or `encryption`.
MINIMUM_OPENTOFU = "1.10.0"
KEY_PROVIDER = "key_provider.aws_kms.state"
METHOD = "method.aes_gcm.state"


def configure_backend(
    stack: TerraformStack, settings: BackendSettings, *, region: str, stack_name: str
) -> None:
    """Local state beside the stack (relative path), or S3 with native locking."""
    if settings.type == "local":
        LocalBackend(stack, path=literal(settings.path))
        return
    S3Backend(
        stack,
        bucket=literal(settings.bucket),
        key=literal(settings.key or f"{stack_name}/terraform.tfstate"),
        region=literal(settings.region or region),
        encrypt=settings.encrypt,
        kms_key_id=literal(settings.kms_key_id),
    )
    stack.add_override("terraform.backend.s3.use_lockfile", True)


def encrypt_state(stack: TerraformStack, settings: StateEncryptionSettings, *, region: str) -> None:
    """Client-side AES-GCM encryption of state and plan with a KMS data key, enforced.

    In JSON syntax `keys` is an expression (`${...}`), while `state.method` and `plan.method`
    are read as references, so they are written as bare traversals: every OpenTofu release since
    1.7 accepts that form.
    """
    _, provider_type, provider_name = KEY_PROVIDER.split(".")
    _, method_type, method_name = METHOD.split(".")
    stack.add_override(
        "terraform.encryption",
        {
            "key_provider": {
                provider_type: {
                    provider_name: {
                        "kms_key_id": literal(settings.kms_key_id),
                        "region": literal(settings.region or region),
                        "key_spec": "AES_256",
                    }
                }
            },
            "method": {method_type: {method_name: {"keys": "${" + KEY_PROVIDER + "}"}}},
            "state": {"method": METHOD, "enforced": True},
            "plan": {"method": METHOD, "enforced": True},
        },
    )
