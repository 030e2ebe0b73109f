"""The README's reference tables are generated from the models; this keeps them in sync."""

from __future__ import annotations

from stacks.reference import README, readme_sections, tables


def test_readme_tables_match_the_code():
    found = readme_sections(README.read_text(encoding="utf-8"))
    expected = tables()
    stale = [marker for marker in expected if found[marker] != expected[marker]]
    assert stale == [], f"README tables out of date: {stale}; run .venv/bin/python -m stacks.reference"


def test_readme_starts_with_the_two_commands():
    text = README.read_text(encoding="utf-8")
    first_block = text.split("```bash\n", 1)[1].split("```", 1)[0]
    assert first_block.startswith("make synth") and "\nmake test" in first_block


def test_every_test_the_runtime_contract_table_names_exists():
    import re

    from .conftest import ROOT

    text = README.read_text(encoding="utf-8")
    table = text.split("<!-- contract:start -->", 1)[1].split("<!-- contract:end -->", 1)[0]
    named = re.findall(r"`(test_\w+\.py)::(test_\w+)`", table)
    assert len(named) >= 12
    for module, function in named:
        source = (ROOT / "runtime" / "tests" / module).read_text(encoding="utf-8")
        assert f"def {function}(" in source, f"{module}::{function} is not a test"
