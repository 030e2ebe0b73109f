"""Synthesis is reproducible: two runs give byte-identical files with no path of this machine."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .conftest import ROOT


def synth_into(outdir: Path, config_dir: Path = ROOT / "config") -> dict[str, bytes]:
    result = subprocess.run(
        [sys.executable, "main.py"], cwd=ROOT, capture_output=True, text=True, timeout=300,
        env={**os.environ, "CDKTF_OUTDIR": str(outdir), "MCP_CONFIG_DIR": str(config_dir)},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return {str(p.relative_to(outdir)): p.read_bytes() for p in sorted(outdir.rglob("*")) if p.is_file()}


def assert_reproducible(tmp_path: Path, config_dir: Path) -> dict[str, bytes]:
    first = synth_into(tmp_path / "first", config_dir)
    second = synth_into(tmp_path / "second", config_dir)
    assert first == second
    machine_paths = {str(ROOT), str(tmp_path), str(Path.home()), sys.prefix}
    for name, content in first.items():
        text = content.decode("utf-8", errors="replace")  # a package is stored, not deflated
        leaked = [p for p in machine_paths if p in text]
        assert leaked == [], f"{name} holds {leaked}"
    return first


def test_two_synths_are_byte_identical_and_hold_no_machine_path(tmp_path):
    written = assert_reproducible(tmp_path, ROOT / "config")
    assert sorted(written) == ["manifest.json"] + [
        f"stacks/{stack}/{name}"
        for stack in ("ai-tools-prod", "ai-tools-staging", "my-tools-dev")
        for name in (".checkov.baseline", "cdk.tf.json", "controls.md", "controls.oscal.json")
    ]


def test_the_http_api_s_metadata_package_is_reproducible(tmp_path):
    written = assert_reproducible(tmp_path, ROOT / "examples" / "http-api")
    # The metadata function's package (HTTP API with auth), one file.
    assert len([n for n in written if n.endswith(".zip")]) == 1


def test_plain_python_main_runs_jsii_on_the_project_node(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("JSII_NODE", "PATH")}
    env.update(PATH="/usr/local/bin:/usr/bin:/bin", CDKTF_OUTDIR=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "main.py"], cwd=ROOT, capture_output=True, text=True, timeout=300, env=env
    )
    assert result.returncode == 0, result.stderr
    assert "end-of-life" not in result.stderr + result.stdout
