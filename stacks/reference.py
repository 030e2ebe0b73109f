"""README reference tables, generated from the models so the README cannot drift from the code.

`python -m stacks.reference` rewrites the tables between the README's markers; a test fails
when they differ from what this module generates.
"""

from __future__ import annotations

import json
import re
import sys
import types
import typing
from pathlib import Path

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from constructs_lib import SEED_OUTPUTS, McpServerProps
from constructs_lib.mcp_server import (
    ACCESS_OUTPUTS,
    METERING_OUTPUTS,
    TENANT_CLIENT_OUTPUTS,
    TVM_OUTPUTS,
)
from constructs_lib.props import TenantMeteringSettings, TenantSettings, TokenVendingMachineSettings
from constructs_lib.iam import policy_document
from constructs_lib.kms import KeyScope, key_policy_statements
from constructs_lib.naming import Names
from constructs_lib.network import required_endpoints
from constructs_lib.transport import MCP_TRANSPORT_HEADERS

from .config import BackendSettings, StackSettings, StateEncryptionSettings

README = Path(__file__).resolve().parent.parent / "README.md"


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


def _default(field) -> str:
    if field.is_required():
        return "n/a"
    value = field.default_factory() if field.default is PydanticUndefined else field.default
    if isinstance(value, BaseModel):
        return "see below"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"`{json.dumps(value)}`"


def fields_table(model: type[BaseModel], prefix: str = "") -> str:
    rows = ["| Name | Description | Type | Default | Required |", "|---|---|---|---|---|"]
    for name, field in model.model_fields.items():
        description = (field.description or "").replace("|", "\\|")
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        required = extra.get("required") or ("yes" if field.is_required() else "no")
        rows.append(
            f"| `{prefix}{name}` | {description} | `{_type_name(field.annotation)}` "
            f"| {_default(field)} | {required} |"
        )
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
        alarm_topic_name=names.alarm_topic,
    )
    statements = key_policy_statements(scope)
    needs = [f"- `{s.sid}`: {needed}" for s, needed in statements]
    document = policy_document(*(s for s, _ in statements))
    return "\n".join([*needs, "", "```json", document, "```"])


def network_requirements() -> str:
    rows = ["| Endpoint | Type | Needed for |", "|---|---|---|"]
    for endpoint in required_endpoints(sessions=True, tracing=True, tenant_credentials=True):
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


def tables() -> dict[str, str]:
    """Marker name -> generated Markdown."""
    return {
        "inputs": fields_table(McpServerProps),
        "stack": fields_table(StackSettings, "stack."),
        "backend": fields_table(BackendSettings, "stack.backend."),
        "state-encryption": fields_table(StateEncryptionSettings, "stack.state_encryption."),
        "outputs": outputs_table(),
        "access-outputs": outputs_table({**ACCESS_OUTPUTS, **TENANT_CLIENT_OUTPUTS}),
        "tvm": fields_table(TokenVendingMachineSettings, "token_vending_machine."),
        "metering": fields_table(TenantMeteringSettings, "tenant_metering."),
        "tenants": fields_table(TenantSettings, "tenants[]."),
        "tenancy-outputs": outputs_table({**TVM_OUTPUTS, **METERING_OUTPUTS}),
        "key-policy": key_policy(),
        "network": network_requirements(),
        "transport": transport_headers(),
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


def rewrite(text: str) -> str:
    for marker, table in tables().items():
        text = _pattern(marker).sub(lambda m, t=table: m.group(1) + t + "\n" + m.group(3), text)
    return text


if __name__ == "__main__":
    README.write_text(rewrite(README.read_text(encoding="utf-8")), encoding="utf-8")
    sys.exit(0)
