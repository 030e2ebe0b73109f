"""Checkov exceptions, recorded on the resource they concern, each with its reason.

Checkov's terraform_json runner reads no inline skip comments, so a skip is written into the
resource's `//` comment block as `checkov_skip: {check id: reason}`, where a reviewer reading
the JSON sees it; tests/test_checkov.py fails on any failed check without such a reason and on
any reason whose check no longer fails.
"""

from __future__ import annotations

from cdktf import TerraformResource

# Reasons that hold wherever the resource exists.
NO_DLQ = (
    "invoked synchronously by API Gateway; a dead-letter queue only receives failed "
    "asynchronous events"
)
NO_CODE_SIGNING = "Lambda code signing applies to .zip packages; this function is a container image"
NO_CACHE = (
    "MCP responses are per-session JSON-RPC results; a cache would serve one client's results "
    "to another"
)
NO_CLIENT_CERT = (
    "clients authenticate with OAuth 2.0 access tokens (Cognito); mutual TLS needs a custom "
    "domain, which this stack does not manage"
)


def skip_check(resource: TerraformResource, check_id: str, reason: str) -> None:
    """Record on `resource` why Checkov's `check_id` does not apply to it."""
    resource.add_override(f"//.checkov_skip.{check_id}", reason)


BASELINE_FILE = ".checkov.baseline"


def checkov_baseline(stack: dict, file_name: str = "/cdk.tf.json") -> dict:
    """A Checkov baseline holding exactly the recorded exceptions of a synthesized stack.

    `checkov -d <stack dir> --framework terraform_json --baseline <stack dir>/.checkov.baseline`
    then reports 0 failed. Checkov names resources `resource.<id>` in some checks and
    `<type>.<id>` in others, so both forms are listed.
    """
    findings = []
    for resource_type, resources in sorted(stack.get("resource", {}).items()):
        for logical_id, body in sorted(resources.items()):
            checks = sorted(body.get("//", {}).get("checkov_skip", {}))
            if checks:
                for address in (f"resource.{logical_id}", f"{resource_type}.{logical_id}"):
                    findings.append({"resource": address, "check_ids": checks})
    return {"failed_checks": [{"file": file_name, "findings": findings}]} if findings else {
        "failed_checks": []
    }
