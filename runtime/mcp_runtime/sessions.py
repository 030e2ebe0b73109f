"""Sessions of the handshake-era revisions (2025-06-18, 2025-11-25), kept in the session table.

Every request may reach another Lambda execution environment, so a session lives in DynamoDB,
not in memory: created on `initialize` (with the client's declared capabilities, which a later
request's server needs to ask the client anything), checked on every later request, deleted
by `DELETE`. The table also relays a client's answer to a server-initiated request (elicitation,
sampling) from the invocation that receives it to the one whose call asked (relay.py): an
answer item under the session (`<session id>#answer#<token>`), opened by the asking call,
filled once by the answering POST, taken by the asking call, with a short TTL.
With tenant isolation the table is keyed `tenant_id` + `session_id` and reached only with the
tenant's vended credentials, so one tenant cannot even look up another's session id.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from typing import Any, Callable

import boto3

from .credentials import TenantCredentials
from .settings import Settings

TTL_ATTRIBUTE = "ttl"
NO_TENANT = "-"  # sessions without a verified tenant (auth off)
ANSWER_MARK = "#answer#"  # in the key of an answer item; never in a session id (uuid hex)


@dataclass(frozen=True)
class Session:
    session_id: str
    tenant: str
    protocol_version: str | None
    # The client's `initialize` params as declared: capabilities and clientInfo (or None).
    client: dict | None = None


class SessionStore:
    def __init__(
        self,
        settings: Settings,
        credentials: TenantCredentials | None = None,
        clock: Callable[[], float] = time.time,
    ):
        assert settings.session_table
        self.settings = settings
        self.credentials = credentials
        self.clock = clock
        self._own = None

    def _table(self, tenant: str) -> Any:
        if self.settings.tenant_isolation:
            if self.credentials is None:
                raise PermissionError("tenant sessions need vended credentials (TENANT_ROLE_ARN_PREFIX)")
            session = self.credentials.session_for(tenant)
        else:
            if self._own is None:
                self._own = boto3.session.Session(region_name=self.settings.region)
            session = self._own
        return session.resource("dynamodb").Table(self.settings.session_table)

    def _key(self, tenant: str, session_id: str) -> dict[str, str]:
        if self.settings.tenant_isolation:
            return {"tenant_id": tenant, "session_id": session_id}
        return {"session_id": session_id}

    def create(self, tenant: str | None, protocol_version: str | None, client: dict | None = None) -> Session:
        tenant = tenant or NO_TENANT
        session = Session(uuid.uuid4().hex, tenant, protocol_version, client)
        now = int(self.clock())
        item = {
            **self._key(tenant, session.session_id),
            "tenant_id": tenant,
            "created_at": now,
            TTL_ATTRIBUTE: now + self.settings.session_ttl_seconds,
        }
        if protocol_version:
            item["protocol_version"] = protocol_version
        if client:
            item["client"] = json.dumps(client)
        self._table(tenant).put_item(Item=item)
        return session

    def get(self, tenant: str | None, session_id: str) -> Session | None:
        tenant = tenant or NO_TENANT
        if ANSWER_MARK in session_id:  # an answer item is not a session
            return None
        item = self._table(tenant).get_item(Key=self._key(tenant, session_id)).get("Item")
        # DynamoDB deletes expired items within days, not at once; an expired one is gone.
        if not item or item.get("tenant_id") != tenant or int(item.get(TTL_ATTRIBUTE, 0)) <= self.clock():
            return None
        client = json.loads(item["client"]) if isinstance(item.get("client"), str) else None
        return Session(session_id, tenant, item.get("protocol_version"), client)

    def delete(self, tenant: str | None, session_id: str) -> None:
        tenant = tenant or NO_TENANT
        self._table(tenant).delete_item(Key=self._key(tenant, session_id))

    # -- answers to server-initiated requests (relay.py) ----------------------------------

    def open_answer(self, tenant: str | None, session_id: str, token: str, ttl_seconds: int) -> None:
        """The asking call: an empty answer item, before the request reaches the client."""
        tenant = tenant or NO_TENANT
        item = {**self._key(tenant, session_id + ANSWER_MARK + token), "tenant_id": tenant, "state": "open",
                TTL_ATTRIBUTE: int(self.clock()) + ttl_seconds}  # fmt: skip
        self._table(tenant).put_item(Item=item)

    def deliver_answer(self, tenant: str | None, session_id: str, token: str, answer: dict) -> bool:
        """The answering POST: fill the open item once; False if none is open (a forged or
        spent id, another session's, or an expired one)."""
        tenant = tenant or NO_TENANT
        table = self._table(tenant)
        try:
            table.update_item(
                Key=self._key(tenant, session_id + ANSWER_MARK + token),
                UpdateExpression="SET #state = :answered, #answer = :answer",
                ConditionExpression="#state = :open AND tenant_id = :tenant AND #ttl > :now",
                ExpressionAttributeNames={"#state": "state", "#answer": "answer", "#ttl": TTL_ATTRIBUTE},
                ExpressionAttributeValues={":answered": "answered", ":open": "open", ":tenant": tenant,
                                           ":answer": json.dumps(answer), ":now": int(self.clock())},
            )  # fmt: skip
        except table.meta.client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def take_answer(self, tenant: str | None, session_id: str, token: str) -> dict | None:
        """The asking call, polling: the answer once delivered (the item is then deleted)."""
        tenant = tenant or NO_TENANT
        key = self._key(tenant, session_id + ANSWER_MARK + token)
        table = self._table(tenant)
        item = table.get_item(Key=key, ConsistentRead=True).get("Item")
        if not item or item.get("state") != "answered" or item.get("tenant_id") != tenant:
            return None
        table.delete_item(Key=key)
        return json.loads(item["answer"])

    def close_answer(self, tenant: str | None, session_id: str, token: str) -> None:
        """The asking call gave up (timeout, cancellation): no answer is accepted after."""
        tenant = tenant or NO_TENANT
        self._table(tenant).delete_item(Key=self._key(tenant, session_id + ANSWER_MARK + token))
