"""Synthesis is reproducible: two runs give byte-identical files with no path of this machine."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .conftest import ROOT


def synth_into(outdir: Path) -> dict[str, bytes]:
    result = subprocess.run(
        [sys.executable, "main.py"], cwd=ROOT, capture_output=True, text=True, timeout=300,
        env={**os.environ, "CDKTF_OUTDIR": str(outdir)},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return {str(p.relative_to(outdir)): p.read_bytes() for p in sorted(outdir.rglob("*")) if p.is_file()}


def test_two_synths_are_byte_identical_and_hold_no_machine_path(tmp_path):
    first = synth_into(tmp_path / "first")
    second = synth_into(tmp_path / "second")
    assert sorted(first) == [
        "manifest.json",
        "stacks/ai-tools-prod/.checkov.baseline",
        "stacks/ai-tools-prod/cdk.tf.json",
        "stacks/ai-tools-staging/.checkov.baseline",
        "stacks/ai-tools-staging/cdk.tf.json",
        "stacks/my-tools-dev/.checkov.baseline",
        *[n for n in sorted(first) if n.startswith("stacks/my-tools-dev/assets/")],
        "stacks/my-tools-dev/cdk.tf.json",
    ]
    # The metadata function's package (HTTP API with auth), one file.
    assert len([n for n in first if n.endswith(".zip")]) == 1
    assert first == second
    machine_paths = {str(ROOT), str(tmp_path), str(Path.home()), sys.prefix}
    for name, content in first.items():
        text = content.decode("utf-8", errors="replace")  # the package is stored, not deflated
        leaked = [p for p in machine_paths if p in text]
        assert leaked == [], f"{name} holds {leaked}"


def test_plain_python_main_runs_jsii_on_the_project_node(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("JSII_NODE", "PATH")}
    env.update(PATH="/usr/local/bin:/usr/bin:/bin", CDKTF_OUTDIR=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "main.py"], cwd=ROOT, capture_output=True, text=True, timeout=300, env=env
    )
    assert result.returncode == 0, result.stderr
    assert "end-of-life" not in result.stderr + result.stdout
