"""Resource addresses per shipped stack: a refactor that renames one makes OpenTofu destroy and
recreate it (a table, a user pool), so any change here must be deliberate.

Regenerate after a deliberate change: UPDATE_SNAPSHOTS=1 make test
"""

from __future__ import annotations

import os

import pytest

from .conftest import ROOT

SNAPSHOTS = ROOT / "tests" / "snapshots"


def addresses(stack: dict) -> list[str]:
    return sorted(
        f"{resource_type}.{logical_id}"
        for resource_type, resources in stack.get("resource", {}).items()
        for logical_id in resources
    )


@pytest.mark.parametrize("environment", ["dev", "staging", "prod"])
def test_resource_addresses_are_stable(shipped, environment):
    snapshot = SNAPSHOTS / f"{environment}.txt"
    current = "\n".join(addresses(shipped[environment].json)) + "\n"
    if os.environ.get("UPDATE_SNAPSHOTS"):
        snapshot.write_text(current, encoding="utf-8")
    assert current == snapshot.read_text(encoding="utf-8"), (
        "resource addresses changed: OpenTofu would destroy and recreate these; "
        "if intended, UPDATE_SNAPSHOTS=1 make test"
    )
