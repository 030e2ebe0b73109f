"""Tenants, as a reviewer asks about them: whose credentials touched which items.

moto does not evaluate IAM conditions, so `dynamodb:LeadingKeys` cannot deny here; instead
every session-table call is checked to carry the tenant's own key and credentials vended for
that tenant alone (AssumeRole with the session tag `tenant_id` = the tenant), and tenant B
presenting tenant A's session id is refused by the server itself.
"""

from __future__ import annotations

from .clients import python_client
from .conftest import ROLE_PREFIX, SESSION_TABLE, TEMPLATE_ROLE, TENANT_SETTINGS, USAGE_TABLE
from .test_contract import INITIALIZE, LIST_TOOLS, post


def vended(aws_calls) -> dict[str, tuple[str, str]]:
    """Access key -> (tenant tag, role) of every credential the app got from STS."""
    found = {}
    for service, operation, params, _, response in aws_calls:
        if (service, operation) == ("sts", "AssumeRole"):
            (tag,) = params["Tags"]
            found[response["Credentials"]["AccessKeyId"]] = (tag["Value"], params["RoleArn"])
            assert tag["Key"] == "tenant_id"
    return found


def session_calls(aws_calls) -> list[tuple[str, str, str]]:
    """(operation, tenant key, access key) of every session-table call."""
    found = []
    for service, operation, params, key, _ in aws_calls:
        if service == "dynamodb" and params.get("TableName") == SESSION_TABLE:
            item = params.get("Key") or params.get("Item")
            found.append((operation, item["tenant_id"], key))
    return found


def test_each_tenant_s_session_items_are_reached_only_with_its_own_credentials(aws, aws_calls, deploy):
    deployment = deploy(**TENANT_SETTINGS)
    for tenant in ("acme", "globex"):
        assert python_client(deployment, tenant, "legacy", seconds=1)["whoami"]["tenant"] == tenant
    credentials = vended(aws_calls)
    calls = session_calls(aws_calls)
    # Each client opened (PutItem), used (GetItem) and, closing, ended (DeleteItem) its session.
    assert {operation for operation, _, _ in calls} == {"PutItem", "GetItem", "DeleteItem"}
    assert {tenant for _, tenant, _ in calls} == {"acme", "globex"}
    for operation, tenant, key in calls:
        assert key in credentials, f"{operation} on {tenant}'s item without vended credentials"
        tag, role = credentials[key]
        assert tag == tenant, f"{operation} on {tenant}'s item with {tag}'s credentials"
        assert role in (ROLE_PREFIX + tenant, TEMPLATE_ROLE)
    # The function's own credentials never touched the session table.
    assert not [c for c in calls if c[2] == "testing"]
    assert aws.client("dynamodb").scan(TableName=SESSION_TABLE)["Count"] == 0


def test_credentials_are_vended_once_per_tenant_until_they_near_expiry(aws, aws_calls, deploy):
    deployment = deploy(**TENANT_SETTINGS)
    python_client(deployment, "acme", "legacy", seconds=1)
    python_client(deployment, "acme", "legacy", seconds=1)
    assert [tag for tag, _ in vended(aws_calls).values()] == ["acme"]


def test_another_tenant_cannot_use_a_session_id(aws, deploy):
    deployment = deploy(**TENANT_SETTINGS)
    session = post(deployment, INITIALIZE, tenant="acme").headers["mcp-session-id"]
    headers = {"mcp-session-id": session, "mcp-protocol-version": "2025-11-25"}
    assert post(deployment, LIST_TOOLS, tenant="acme", **headers).status_code == 200
    # globex asks under its own partition key, where acme's session does not exist.
    assert post(deployment, LIST_TOOLS, tenant="globex", **headers).status_code == 404


def test_usage_is_one_item_per_tenant_per_day_counted_atomically_with_its_ttl(aws, deploy):
    deployment = deploy(**TENANT_SETTINGS)
    python_client(deployment, "acme", "2026-07-28", seconds=1)
    python_client(deployment, "globex", "legacy", seconds=1)
    items = {i["tenant_id"]["S"]: i for i in aws.client("dynamodb").scan(TableName=USAGE_TABLE)["Items"]}
    assert set(items) == {"acme", "globex"}
    # acme: tools/list and two tool calls; globex also initialized (notifications are not counted).
    assert int(items["acme"]["requests"]["N"]) == 3
    assert int(items["globex"]["requests"]["N"]) == 4
    for item in items.values():
        period = item["period"]["S"]
        assert len(period) == 10 and period[4] == period[7] == "-"  # YYYY-MM-DD
        assert int(item["expires_at"]["N"]) > 90 * 86400
