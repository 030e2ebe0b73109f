"""`synth(app)`: what `python main.py` does after building its stacks, for any cdktf app.

`app.synth()` writes each stack and keeps the constructs' warnings in `manifest.json`, where
nobody reads them. `synth(app)` synthesizes, writes beside each stack its Checkov baseline
(`.checkov.baseline`, the recorded exceptions) and its control report (OSCAL component
definition and Markdown), and prints every annotation the way the cdktf CLI does, on stdout
(stderr would read as a failure). Under the cdktf CLI (`cdktf synth`), the CLI prints them.

    from constructs_lib import synth
    synth(app)  # instead of app.synth()
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TextIO

from cdktf import App

# Set by the cdktf CLI for the app it runs; the CLI then prints the annotations itself.
CLI_CONTEXT = "CDKTF_CONTEXT_JSON"
LEVELS = {"@cdktf/info": "INFO", "@cdktf/warn": "WARN", "@cdktf/error": "ERROR"}


def synth(app: App, *, out: TextIO | None = None) -> Path:
    """Synthesize `app`, write each stack's Checkov baseline and control report beside it,
    print the annotations (unless the cdktf CLI runs the app); returns the output directory.
    A validation error (a control rule broken without a recorded reason, say) raises cdktf's
    RuntimeError, as `app.synth()` does."""
    app.synth()
    outdir = Path(app.outdir)
    stacks = outdir / "stacks"
    write_checkov_baselines(stacks)
    write_control_reports(stacks)
    if CLI_CONTEXT not in os.environ:
        lines = annotations(outdir)
        if lines:
            print(*lines, sep="\n", file=out or sys.stdout)
    return outdir


def annotations(outdir: Path) -> list[str]:
    """Every annotation of the synthesized stacks, as the cdktf CLI prints them."""
    manifest = json.loads((outdir / "manifest.json").read_text(encoding="utf-8"))
    return [
        f"{LEVELS.get(a['level'], a['level'])} [{a['constructPath']}]: {a['message']}"
        for stack in manifest["stacks"].values()
        for a in stack.get("annotations", [])
    ]


def write_checkov_baselines(stacks_dir: Path) -> None:
    """Beside each stack, the baseline that holds its recorded Checkov exceptions."""
    from .compliance import BASELINE_FILE, checkov_baseline

    for stack_file in sorted(stacks_dir.glob("*/cdk.tf.json")):
        baseline = checkov_baseline(json.loads(stack_file.read_text(encoding="utf-8")))
        (stack_file.parent / BASELINE_FILE).write_text(json.dumps(baseline, indent=2) + "\n", encoding="utf-8")


def write_control_reports(stacks_dir: Path) -> None:
    """Beside each stack, its control report (OSCAL component definition and Markdown)."""
    from .control_report import write_reports

    for stack_file in sorted(stacks_dir.glob("*/cdk.tf.json")):
        write_reports(stack_file, stack_file.parent.name)
