"""Tenant-scoped AWS credentials from the token vending machine the stack creates.

The function's own role may only assume roles under the deployment's tenant path, and only
with the session tag `tenant_id` = the tenant. A declared tenant has a role named by its client
id; any other tenant gets the template role. The permission boundary and the role's own policy
then confine the credentials to items whose partition key is that tenant. Credentials are
cached per tenant until shortly before they expire.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable

import boto3
from botocore.exceptions import ClientError

from .settings import Settings

# Refresh this long before expiry, so a request never starts with credentials about to lapse.
REFRESH_MARGIN_S = 300
_SESSION_NAME_CHARS = re.compile(r"[^\w+=,.@-]")


@dataclass(frozen=True)
class Vended:
    session: boto3.session.Session
    role_arn: str
    expires_at: float


class TenantCredentials:
    """`session_for(tenant)`: a boto3 session whose credentials reach only that tenant's items."""

    def __init__(self, settings: Settings, sts: Any | None = None, clock: Callable[[], float] = time.time):
        self.settings = settings
        self.sts = sts or boto3.client("sts", region_name=settings.region)
        self.clock = clock
        self._cache: dict[str, Vended] = {}
        self._lock = threading.Lock()

    def candidate_roles(self, tenant: str) -> list[str]:
        roles = []
        if self.settings.tenant_role_arn_prefix:
            roles.append(self.settings.tenant_role_arn_prefix + tenant)
        if self.settings.tenant_template_role_arn:
            roles.append(self.settings.tenant_template_role_arn)
        return roles

    def session_for(self, tenant: str) -> boto3.session.Session:
        with self._lock:
            cached = self._cache.get(tenant)
            if cached and cached.expires_at - REFRESH_MARGIN_S > self.clock():
                return cached.session
        vended = self._vend(tenant)
        with self._lock:
            self._cache[tenant] = vended
        return vended.session

    def _vend(self, tenant: str) -> Vended:
        denied: ClientError | None = None
        for role_arn in self.candidate_roles(tenant):
            try:
                answer = self.sts.assume_role(
                    RoleArn=role_arn,
                    # CloudTrail names the tenant of every call made with these credentials.
                    RoleSessionName=_SESSION_NAME_CHARS.sub("-", f"tenant-{tenant}")[:64],
                    DurationSeconds=self.settings.tenant_session_seconds,
                    Tags=[{"Key": self.settings.tenant_tag_key, "Value": tenant}],
                )
            except ClientError as error:
                # A tenant without a role of its own: its role does not exist or does not trust
                # this tag; the template role (if any) serves it.
                if error.response.get("Error", {}).get("Code") in ("AccessDenied", "NoSuchEntity"):
                    denied = error
                    continue
                raise
            credentials = answer["Credentials"]
            session = boto3.session.Session(
                aws_access_key_id=credentials["AccessKeyId"],
                aws_secret_access_key=credentials["SecretAccessKey"],
                aws_session_token=credentials["SessionToken"],
                region_name=self.settings.region,
            )
            return Vended(session, role_arn, credentials["Expiration"].timestamp())
        raise PermissionError(f"no tenant role may be assumed for tenant {tenant!r}") from denied
