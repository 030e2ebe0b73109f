"""What a synth prints: each warning once, on stdout, and nothing that reads as a failure."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from .conftest import ROOT

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def warnings_in(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("WARN [")]


def test_main_prints_each_warning_once_on_stdout_and_nothing_on_stderr(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "CDKTF_CONTEXT_JSON"}
    result = subprocess.run(
        [sys.executable, "main.py"], cwd=ROOT, capture_output=True, text=True, timeout=300,
        env={**env, "CDKTF_OUTDIR": str(tmp_path)},
    )  # fmt: skip
    assert result.returncode == 0 and result.stderr == ""
    printed = warnings_in(result.stdout)
    assert printed and len(printed) == len(set(printed))
    assert any(w.startswith("WARN [ai-tools-staging/mcp]: timeout: ") for w in printed)


def test_cdktf_synth_prints_each_warning_once_and_no_error(tmp_path):
    """The cdktf CLI labels whatever the app or terraform writes to stderr as [ERROR]."""
    env = {**os.environ, "TF_CLI_CONFIG_FILE": str(tmp_path / "absent.tfrc")}
    result = subprocess.run(
        ["make", "--no-print-directory", "synth", f"SYNTH_OUT={tmp_path / 'out'}"],
        cwd=ROOT, capture_output=True, text=True, timeout=600, env=env,
    )  # fmt: skip
    output = ANSI.sub("", result.stdout + result.stderr)
    assert result.returncode == 0, output[-3000:]
    assert "[ERROR]" not in output and "Warning:" not in output, output[-3000:]
    printed = warnings_in(output)
    assert printed and len(printed) == len(set(printed)), printed
    assert (tmp_path / "out" / "stacks" / "my-tools-dev" / "cdk.tf.json").exists()
