"""The facade's state: pending authorizations, codes, refresh handles, registrations, consents.

Every request may land on another Lambda execution environment, so state lives in one DynamoDB
table (hash key `pk` = f"{kind}#{key}", TTL attribute `expires_at`). DynamoDB deletes expired
items only eventually (typically within days), so reads treat an item past `expires_at` as gone.
Single use (codes, refresh handles, transactions) is a conditional DeleteItem returning the old
item: of two concurrent redemptions exactly one gets it. Secrets are never keys: callers pass
the sha256 of a code or handle.

`MemoryStore` is the same contract in one process (`make serve`, unit tests).
"""

from __future__ import annotations

import copy
import json
import threading
import time
from typing import Any, Callable, Protocol


KINDS = ("pending", "code", "refresh", "client", "consent", "cimd", "rate")


class Store(Protocol):
    def put(self, kind: str, key: str, item: dict, ttl_s: int) -> None: ...
    def get(self, kind: str, key: str) -> dict | None: ...
    def take(self, kind: str, key: str) -> dict | None: ...
    def delete(self, kind: str, key: str) -> None: ...
    def increment(self, kind: str, key: str, ttl_s: int) -> int: ...
    def touch(self, kind: str, key: str, ttl_s: int) -> None: ...


class MemoryStore:
    def __init__(self, clock: Callable[[], float] = time.time):
        self.clock = clock
        self._items: dict[str, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def _live(self, pk: str) -> tuple[float, Any] | None:
        entry = self._items.get(pk)
        if entry is not None and entry[0] <= self.clock():
            del self._items[pk]
            return None
        return entry

    def put(self, kind: str, key: str, item: dict, ttl_s: int) -> None:
        with self._lock:
            self._items[f"{kind}#{key}"] = (self.clock() + ttl_s, copy.deepcopy(item))

    def get(self, kind: str, key: str) -> dict | None:
        with self._lock:
            entry = self._live(f"{kind}#{key}")
            return None if entry is None else copy.deepcopy(entry[1])

    def take(self, kind: str, key: str) -> dict | None:
        with self._lock:
            entry = self._live(f"{kind}#{key}")
            self._items.pop(f"{kind}#{key}", None)
            return None if entry is None else entry[1]

    def delete(self, kind: str, key: str) -> None:
        with self._lock:
            self._items.pop(f"{kind}#{key}", None)

    def increment(self, kind: str, key: str, ttl_s: int) -> int:
        with self._lock:
            pk = f"{kind}#{key}"
            entry = self._live(pk)
            expires, count = entry if entry else (self.clock() + ttl_s, 0)
            self._items[pk] = (expires, count + 1)
            return count + 1

    def touch(self, kind: str, key: str, ttl_s: int) -> None:
        with self._lock:
            pk = f"{kind}#{key}"
            entry = self._live(pk)
            if entry is not None:
                self._items[pk] = (self.clock() + ttl_s, entry[1])


class DynamoStore:
    """Items as a JSON string attribute `item`, so no value goes through DynamoDB's number types."""

    def __init__(self, table_name: str, client: Any = None, clock: Callable[[], float] = time.time):
        self.table = table_name
        if client is None:  # boto3 is in the Lambda runtime, not in the synth app that imports this package
            import boto3

            client = boto3.client("dynamodb")
        self.client = client
        self.clock = clock

    def _key(self, kind: str, key: str) -> dict:
        return {"pk": {"S": f"{kind}#{key}"}}

    def _expires(self, ttl_s: int) -> dict:
        return {"N": str(int(self.clock() + ttl_s))}

    def _item(self, raw: dict | None) -> dict | None:
        if not raw or int(raw["expires_at"]["N"]) <= self.clock():
            return None
        return json.loads(raw["item"]["S"])

    def put(self, kind: str, key: str, item: dict, ttl_s: int) -> None:
        self.client.put_item(
            TableName=self.table,
            Item={**self._key(kind, key), "expires_at": self._expires(ttl_s), "item": {"S": json.dumps(item)}},
        )

    def get(self, kind: str, key: str) -> dict | None:
        answer = self.client.get_item(TableName=self.table, Key=self._key(kind, key), ConsistentRead=True)
        return self._item(answer.get("Item"))

    def take(self, kind: str, key: str) -> dict | None:
        try:
            answer = self.client.delete_item(
                TableName=self.table, Key=self._key(kind, key),
                ConditionExpression="attribute_exists(pk)", ReturnValues="ALL_OLD",
            )  # fmt: skip
        except self.client.exceptions.ConditionalCheckFailedException:
            return None
        return self._item(answer.get("Attributes"))

    def delete(self, kind: str, key: str) -> None:
        self.client.delete_item(TableName=self.table, Key=self._key(kind, key))

    def increment(self, kind: str, key: str, ttl_s: int) -> int:
        """Atomic (UpdateItem ADD). A counter's window is its key (e.g. the hour): the first
        increment fixes its expiry, later ones keep it."""
        answer = self.client.update_item(
            TableName=self.table, Key=self._key(kind, key),
            UpdateExpression="ADD #count :one SET expires_at = if_not_exists(expires_at, :expires)",
            ExpressionAttributeNames={"#count": "count"},
            ExpressionAttributeValues={":one": {"N": "1"}, ":expires": self._expires(ttl_s)},
            ReturnValues="UPDATED_NEW",
        )  # fmt: skip
        return int(answer["Attributes"]["count"]["N"])

    def touch(self, kind: str, key: str, ttl_s: int) -> None:
        try:
            self.client.update_item(
                TableName=self.table, Key=self._key(kind, key),
                UpdateExpression="SET expires_at = :expires", ConditionExpression="attribute_exists(pk)",
                ExpressionAttributeValues={":expires": self._expires(ttl_s)},
            )  # fmt: skip
        except self.client.exceptions.ConditionalCheckFailedException:
            pass  # gone already: nothing to extend
