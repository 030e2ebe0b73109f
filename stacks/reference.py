"""The manual's reference tables, generated from the models so the docs cannot drift from the code.

`python -m stacks.reference` rewrites the tables between the markers of the manual's pages
(`docs/*.md`, and the README should it hold one); a test fails when they differ from what this
module generates.
"""

from __future__ import annotations

import dataclasses
import json
import re
import sys
import types
import typing
from pathlib import Path

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from constructs_lib.control_report import CONTROLS
from constructs_lib.control_rules import RULES as CONTROL_RULES
from constructs_lib.iam import policy_document
from constructs_lib.regions import COGNITO_AUTH_FIPS_REGIONS, FIPS_REGIONS, PARTITION_FEATURES, SERVICE_NAMES
from constructs_lib.metering import TenantMeteringOptions
from constructs_lib.outputs import (
    ACCESS_OUTPUTS,
    CANARY_OUTPUTS,
    DOMAIN_OUTPUTS,
    HEALTH_OUTPUTS,
    METERING_OUTPUTS,
    OPERATIONS_OUTPUTS,
    SEED_OUTPUTS,
    SIGN_IN_OUTPUTS,
    TENANT_CLIENT_OUTPUTS,
    TVM_OUTPUTS,
)
from constructs_lib.props import McpServerProps, TenantOptions
from constructs_lib.tvm import TokenVendingMachineOptions
from constructs_lib.kms import KeyScope, key_policy_statements
from constructs_lib.naming import Names
from constructs_lib.network import required_endpoints
from constructs_lib.transport import MCP_TRANSPORT_HEADERS

from .schema import BackendSettings, StackSettings, StateEncryptionSettings, config_fields, field_types

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"


def pages() -> list[Path]:
    """The pages that may hold generated tables: the README and the manual."""
    return [README, *sorted((ROOT / "docs").glob("*.md"))]


def _type_name(annotation) -> str:
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Annotated:
        return _type_name(args[0])
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_type_name(a) for a in args if a is not type(None))
    if origin is typing.Literal:
        return "string"
    if origin is list:
        return f"list({_type_name(args[0])})"
    if origin is dict:
        return f"map({_type_name(args[1])})"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "object"
    return {str: "string", int: "number", float: "number", bool: "bool"}[annotation]


def _default_text(value) -> str:
    if isinstance(value, BaseModel):
        return "see below"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, tuple):
        value = list(value)
    return f"`{json.dumps(value)}`"


def _row(name: str, description: str, kind, default: str, required: str) -> str:
    description = description.replace("|", "\\|")
    return f"| `{name}` | {description} | `{_type_name(kind)}` | {default} | {required} |"


HEADER = ["| Name | Description | Type | Default | Required |", "|---|---|---|---|---|"]


def fields_table(model: type, prefix: str = "") -> str:
    """The inputs of a props dataclass (defaults and descriptions from the props themselves) or
    of a stack settings model."""
    rows = list(HEADER)
    if dataclasses.is_dataclass(model):
        kinds = field_types(model)
        for f in config_fields(model):
            required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
            default = "n/a" if required else _default_text(
                f.default if f.default is not dataclasses.MISSING else f.default_factory())
            rows.append(_row(prefix + f.name, f.metadata.get("doc", ""), kinds[f.name], default,
                             f.metadata.get("required") or ("yes" if required else "no")))  # fmt: skip
        return "\n".join(rows)
    for name, info in model.model_fields.items():
        default = "n/a" if info.is_required() else _default_text(
            info.default_factory() if info.default is PydanticUndefined else info.default)
        rows.append(_row(prefix + name, info.description or "", info.annotation, default,
                         "yes" if info.is_required() else "no"))  # fmt: skip
    return "\n".join(rows)


def outputs_table(outputs: dict[str, str] = SEED_OUTPUTS) -> str:
    rows = ["| Name | Description |", "|---|---|"]
    rows += [f"| `{name}` | {text} |" for name, text in outputs.items()]
    return "\n".join(rows)


def key_policy() -> str:
    """The statements a given `kms_key_arn` must carry: the created key's own, with placeholders."""
    names = Names("<name>", "<environment>")
    scope = KeyScope(
        partition="<partition>",
        account="<account-id>",
        region="<region>",
        dns_suffix="amazonaws.com",
        log_group_names=names.log_groups,
        alarm_topic_names=[names.alarm_topic],
    )
    statements = key_policy_statements(scope)
    needs = [f"- `{s.sid}`: {needed}" for s, needed in statements]
    document = policy_document(*(s for s, _ in statements))
    return "\n".join([*needs, "", "```json", document, "```"])


def network_requirements() -> str:
    rows = ["| Endpoint | Type | Needed for |", "|---|---|---|"]
    for endpoint in required_endpoints(sessions=True, tracing=True, tenant_credentials=True, request_state=True):
        rows.append(
            f"| `com.amazonaws.<region>.{endpoint.service}` | {endpoint.kind} | {endpoint.needed_for} |"
        )
    return "\n".join(rows)


def transport_headers() -> str:
    rows = ["| MCP revision | Request headers allowed | Response headers exposed |", "|---|---|---|"]
    for revision, headers in MCP_TRANSPORT_HEADERS.items():
        rows.append(
            f"| {revision} | {', '.join(f'`{h}`' for h in headers.request)} "
            f"| {', '.join(f'`{h}`' for h in headers.response)} |"
        )
    return "\n".join(rows)


def control_rules() -> str:
    rows = ["| Rule | Control | Resource | Requirement | Checkov |", "|---|---|---|---|---|"]
    for rule in CONTROL_RULES:
        rows.append(f"| `{rule.id}` | {rule.control} | `{rule.resource_type}` | {rule.requirement} | "
                    f"{', '.join(f'`{c}`' for c in rule.checkov)} |")  # fmt: skip
    return "\n".join(rows)


def control_responsibilities() -> str:
    rows = ["| Control | What the stack implements | What remains yours |", "|---|---|---|"]
    for control in CONTROLS:
        rows.append(f"| {control.control} {control.title} | {control.implementation} | {control.customer} |")
    return "\n".join(rows)


def fips_endpoints() -> str:
    rows = ["| Service | Regions with a FIPS endpoint |", "|---|---|"]
    for service, regions in FIPS_REGIONS.items():
        rows.append(f"| {SERVICE_NAMES[service]} (`{service}`) | {', '.join(sorted(regions))} |")
    rows.append(f"| Cognito user pool domain (`auth-fips`) | {', '.join(sorted(COGNITO_AUTH_FIPS_REGIONS))} |")
    return "\n".join(rows)


def partition_features() -> str:
    rows = ["| Feature | In GovCloud (us-gov-west-1, us-gov-east-1) | What the stack does | Source |", "|---|---|---|---|"]
    rows += [f"| {feature} | {status} | {behaviour} | {source} |" for feature, status, behaviour, source in PARTITION_FEATURES]
    return "\n".join(rows)


def tables() -> dict[str, str]:
    """Marker name -> generated Markdown."""
    return {
        "inputs": fields_table(McpServerProps),
        "stack": fields_table(StackSettings, "stack."),
        "backend": fields_table(BackendSettings, "stack.backend."),
        "state-encryption": fields_table(StateEncryptionSettings, "stack.state_encryption."),
        "outputs": outputs_table(),
        "access-outputs": outputs_table({**ACCESS_OUTPUTS, **TENANT_CLIENT_OUTPUTS}),
        "operations-outputs": outputs_table(
            {**OPERATIONS_OUTPUTS, **CANARY_OUTPUTS, **DOMAIN_OUTPUTS, **HEALTH_OUTPUTS}
        ),
        "sign-in-outputs": outputs_table(SIGN_IN_OUTPUTS),
        "tvm": fields_table(TokenVendingMachineOptions, "token_vending_machine."),
        "metering": fields_table(TenantMeteringOptions, "tenant_metering."),
        "tenants": fields_table(TenantOptions, "tenants[]."),
        "tenancy-outputs": outputs_table({**TVM_OUTPUTS, **METERING_OUTPUTS}),
        "key-policy": key_policy(),
        "network": network_requirements(),
        "transport": transport_headers(),
        "control-rules": control_rules(),
        "control-responsibilities": control_responsibilities(),
        "fips-endpoints": fips_endpoints(),
        "govcloud": partition_features(),
    }


def _pattern(marker: str) -> re.Pattern:
    return re.compile(
        rf"(<!-- {marker}:start -->\n)(.*?)\n?(<!-- {marker}:end -->)", flags=re.DOTALL
    )


def readme_sections(text: str) -> dict[str, str | None]:
    """What the README holds between each pair of markers (None where a marker is missing)."""
    found = {}
    for marker in tables():
        match = _pattern(marker).search(text)
        found[marker] = match.group(2) if match else None
    return found


def manual_sections() -> dict[str, str | None]:
    """What the pages hold between each pair of markers, wherever it is (None where missing)."""
    found: dict[str, str | None] = dict.fromkeys(tables())
    for page in pages():
        for marker, content in readme_sections(page.read_text(encoding="utf-8")).items():
            if content is not None:
                found[marker] = content
    return found


def rewrite(text: str) -> str:
    for marker, table in tables().items():
        text = _pattern(marker).sub(lambda m, t=table: m.group(1) + t + "\n" + m.group(3), text)
    return text


if __name__ == "__main__":
    for page in pages():
        page.write_text(rewrite(page.read_text(encoding="utf-8")), encoding="utf-8")
    sys.exit(0)
