"""Synthesize one OpenTofu stack per environment file in config/ (or $MCP_CONFIG_DIR).

Writes `<CDKTF_OUTDIR or cdktf.out>/stacks/<name>-<environment>/cdk.tf.json`. Invalid
configuration prints every problem, one per line, exits 1 and writes nothing.

Warnings have one channel: the constructs' annotations. `cdktf synth` prints them from the
manifest; run directly, this script prints them the same way, on stdout (stderr would read as
a failure).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path


def main() -> int:
    from stacks.config import ConfigError, load_environments

    try:
        configs = load_environments()
    except ConfigError as error:
        print(*error.problems, sep="\n", file=sys.stderr)
        return 1

    from cdktf import App

    from stacks.mcp_stack import McpStack

    app = App(stack_traces=False)
    for config in configs:
        McpStack(app, config)
    try:
        app.synth()
    except RuntimeError as failure:
        return report_synth_failure(failure)
    _write_checkov_baselines(Path(app.outdir) / "stacks")
    _write_control_reports(Path(app.outdir) / "stacks")
    if CLI_CONTEXT not in os.environ:
        print(*annotations(Path(app.outdir)), sep="\n")
    return 0


def report_synth_failure(failure: RuntimeError) -> int:
    """A control rule broken without a recorded reason (or a check only the provider's region
    answers) is a validation error, and cdktf stops the synth on it: print each error line
    (construct path, control, what to do) and exit 1. Anything else is a bug: raise it."""
    text = str(failure)
    if "Validation failed with the following errors" not in text:
        raise failure
    print(*(line.strip() for line in text.splitlines() if line.strip().startswith("[")), sep="\n", file=sys.stderr)
    return 1


# Set by the cdktf CLI for the app it runs; the CLI then prints the annotations itself.
CLI_CONTEXT = "CDKTF_CONTEXT_JSON"
LEVELS = {"@cdktf/info": "INFO", "@cdktf/warn": "WARN", "@cdktf/error": "ERROR"}


def annotations(outdir: Path) -> list[str]:
    """Every annotation of the synthesized stacks, as the cdktf CLI prints them."""
    manifest = json.loads((outdir / "manifest.json").read_text(encoding="utf-8"))
    return [
        f"{LEVELS.get(a['level'], a['level'])} [{a['constructPath']}]: {a['message']}"
        for stack in manifest["stacks"].values()
        for a in stack.get("annotations", [])
    ]


def _write_checkov_baselines(stacks_dir: Path) -> None:
    """Beside each stack, the baseline that holds its recorded Checkov exceptions."""
    from constructs_lib.compliance import BASELINE_FILE, checkov_baseline

    for stack_file in sorted(stacks_dir.glob("*/cdk.tf.json")):
        baseline = checkov_baseline(json.loads(stack_file.read_text(encoding="utf-8")))
        (stack_file.parent / BASELINE_FILE).write_text(
            json.dumps(baseline, indent=2) + "\n", encoding="utf-8"
        )


def _write_control_reports(stacks_dir: Path) -> None:
    """Beside each stack, its control report (OSCAL component definition and Markdown)."""
    from constructs_lib.control_report import write_reports

    for stack_file in sorted(stacks_dir.glob("*/cdk.tf.json")):
        write_reports(stack_file, stack_file.parent.name)


if __name__ == "__main__":
    sys.exit(main())
