"""The README is a landing page and the manual (docs/) holds the reference tables, generated from
the models; this keeps both true."""

from __future__ import annotations

from stacks.reference import README, manual_sections, tables

from .conftest import ROOT


def test_manual_tables_match_the_code():
    found = manual_sections()
    expected = tables()
    stale = [marker for marker in expected if found[marker] != expected[marker]]
    assert stale == [], f"tables out of date: {stale}; run .venv/bin/python -m stacks.reference"


def test_the_readme_is_a_landing_page_with_the_picture_and_the_no_account_path_first():
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 250
    first = "\n".join(lines[:80])
    assert "```mermaid" in first and "## Without an AWS account" in first and "make serve" in first


def test_readme_starts_with_the_two_commands():
    text = README.read_text(encoding="utf-8")
    first_block = text.split("```bash\n", 1)[1].split("```", 1)[0]
    assert first_block.startswith("make synth") and "\nmake test" in first_block


def test_every_test_the_runtime_contract_table_names_exists():
    import re

    text = (ROOT / "docs" / "server.md").read_text(encoding="utf-8")
    table = text.split("<!-- contract:start -->", 1)[1].split("<!-- contract:end -->", 1)[0]
    named = re.findall(r"`(test_\w+\.py)::(test_\w+)`", table)
    assert len(named) >= 12
    for module, function in named:
        source = (ROOT / "runtime" / "tests" / module).read_text(encoding="utf-8")
        assert f"def {function}(" in source, f"{module}::{function} is not a test"
