"""Usage records: one item per tenant per UTC day, counted atomically, kept `USAGE_TTL_DAYS`."""

from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import Any, Callable

import boto3

from .settings import Settings

DAY_S = 86400


class UsageRecorder:
    def __init__(self, settings: Settings, clock: Callable[[], float] = time.time, table: Any = None):
        assert settings.usage_table
        self.settings = settings
        self.clock = clock
        self.table = table or boto3.resource("dynamodb", region_name=settings.region).Table(settings.usage_table)

    def record(self, tenant: str, requests: int = 1) -> None:
        now = self.clock()
        day_start = int(now // DAY_S * DAY_S)
        period = datetime.fromtimestamp(day_start, tz=timezone.utc).strftime("%Y-%m-%d")
        # ADD is atomic across concurrent invocations; expires_at is the same for the whole day.
        self.table.update_item(
            Key={"tenant_id": tenant, "period": period},
            UpdateExpression="ADD requests :n SET expires_at = :expires",
            ExpressionAttributeValues={
                ":n": requests,
                ":expires": day_start + DAY_S + self.settings.usage_ttl_days * DAY_S,
            },
        )
