"""Sessions of the handshake-era revisions (2025-06-18, 2025-11-25), kept in the session table.

Every request may reach another Lambda execution environment, so a session lives in DynamoDB,
not in memory: created on `initialize`, checked on every later request, deleted by `DELETE`.
With tenant isolation the table is keyed `tenant_id` + `session_id` and reached only with the
tenant's vended credentials, so one tenant cannot even look up another's session id.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any, Callable

import boto3

from .credentials import TenantCredentials
from .settings import Settings

TTL_ATTRIBUTE = "ttl"
NO_TENANT = "-"  # sessions without a verified tenant (auth off)


@dataclass(frozen=True)
class Session:
    session_id: str
    tenant: str
    protocol_version: str | None


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

    def create(self, tenant: str | None, protocol_version: str | None) -> Session:
        tenant = tenant or NO_TENANT
        session = Session(uuid.uuid4().hex, tenant, protocol_version)
        now = int(self.clock())
        item = {
            **self._key(tenant, session.session_id),
            "tenant_id": tenant,
            "created_at": now,
            TTL_ATTRIBUTE: now + self.settings.session_ttl_seconds,
        }
        if protocol_version:
            item["protocol_version"] = protocol_version
        self._table(tenant).put_item(Item=item)
        return session

    def get(self, tenant: str | None, session_id: str) -> Session | None:
        tenant = tenant or NO_TENANT
        item = self._table(tenant).get_item(Key=self._key(tenant, session_id)).get("Item")
        # DynamoDB deletes expired items within days, not at once; an expired one is gone.
        if not item or item.get("tenant_id") != tenant or int(item.get(TTL_ATTRIBUTE, 0)) <= self.clock():
            return None
        return Session(session_id, tenant, item.get("protocol_version"))

    def delete(self, tenant: str | None, session_id: str) -> None:
        tenant = tenant or NO_TENANT
        self._table(tenant).delete_item(Key=self._key(tenant, session_id))
