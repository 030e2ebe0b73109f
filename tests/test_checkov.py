"""Checkov on every shipped stack: each failed check carries an inline reason, and no reason is stale."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from constructs_lib.compliance import BASELINE_FILE, checkov_baseline, exceptions, is_checkov_check

from .conftest import GATED, ROOT


def run_checkov(directory, *extra):
    run = subprocess.run(
        [sys.executable, "-m", "checkov.main", "-d", str(directory),
         "--framework", "terraform_json", "--quiet", "--skip-download", "-o", "json", *extra],
        capture_output=True, text=True, timeout=600, cwd=ROOT,
        # No network here: do not fetch guidelines or mappings from the vendor.
        env={**os.environ, "BC_SKIP_MAPPING": "TRUE", "CKV_NO_DOWNLOAD": "TRUE"},
    )  # fmt: skip
    report = json.loads(run.stdout)
    report = report if isinstance(report, dict) else report[0]
    if "summary" not in report:  # Checkov's short form for a report with nothing left in it
        report = {"summary": report, "results": {"failed_checks": []}}
    assert report["summary"]["parsing_errors"] == 0, run.stderr[-2000:]
    return report


def inline_skips(stack: dict) -> dict[tuple[str, str], str]:
    """(logical id, check id) -> reason, from each resource's `//` block."""
    found = {}
    for resources in stack.get("resource", {}).values():
        for logical_id, body in resources.items():
            for check_id, reason in exceptions(body).items():
                if is_checkov_check(check_id):  # the rule pack's own ids are not Checkov's
                    found[(logical_id, check_id)] = reason
    return found


@pytest.fixture(scope="module")
def checkov_results(gated, tmp_path_factory):
    """Environment or example -> (stack JSON, failed (logical id, check id) pairs, passed count)."""
    results = {}
    for environment, synth in gated.items():
        directory = tmp_path_factory.mktemp(environment)
        (directory / "cdk.tf.json").write_text(synth.text, encoding="utf-8")
        report = run_checkov(directory)
        baseline = directory / BASELINE_FILE
        baseline.write_text(json.dumps(checkov_baseline(synth.json)), encoding="utf-8")
        with_baseline = run_checkov(directory, "--baseline", str(baseline))
        assert with_baseline["summary"]["failed"] == 0, with_baseline["results"]["failed_checks"]
        failed = {
            (check["resource"].split(".")[-1], check["check_id"])
            for check in report["results"]["failed_checks"]
        }
        results[environment] = (synth.json, failed, report["summary"]["passed"])
    return results


@pytest.mark.parametrize("environment", GATED)
def test_every_failed_check_has_an_inline_reason(checkov_results, environment):
    stack, failed, passed = checkov_results[environment]
    assert passed > 30
    unexplained = sorted(failed - set(inline_skips(stack)))
    assert unexplained == [], "fix these or record why with compliance.skip_check"


@pytest.mark.parametrize("environment", GATED)
def test_no_inline_reason_is_stale(checkov_results, environment):
    stack, failed, _ = checkov_results[environment]
    stale = sorted(set(inline_skips(stack)) - failed)
    assert stale == [], "these checks pass now: remove their skip"


def test_reasons_are_sentences(checkov_results):
    for stack, _, _ in checkov_results.values():
        for reason in inline_skips(stack).values():
            assert len(reason) > 20
