"""Synthesize one OpenTofu stack per environment file in config/ (or $MCP_CONFIG_DIR).

Writes `<CDKTF_OUTDIR or cdktf.out>/stacks/<name>-<environment>/cdk.tf.json`. Invalid
configuration prints every problem, one per line, exits 1 and writes nothing.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main() -> int:
    from stacks.config import ConfigError, load_environments

    try:
        configs = load_environments()
    except ConfigError as error:
        print(*error.problems, sep="\n", file=sys.stderr)
        return 1

    for config in configs:
        for field, message in config.warnings():
            print(f"{config.environment}.toml: {field}: warning: {message}", file=sys.stderr)

    from cdktf import App

    from stacks.mcp_stack import McpStack

    app = App(stack_traces=False)
    for config in configs:
        McpStack(app, config)
    app.synth()
    _write_checkov_baselines(Path(app.outdir) / "stacks")
    return 0


def _write_checkov_baselines(stacks_dir: Path) -> None:
    """Beside each stack, the baseline that holds its recorded Checkov exceptions."""
    from constructs_lib.compliance import BASELINE_FILE, checkov_baseline

    for stack_file in sorted(stacks_dir.glob("*/cdk.tf.json")):
        baseline = checkov_baseline(json.loads(stack_file.read_text(encoding="utf-8")))
        (stack_file.parent / BASELINE_FILE).write_text(
            json.dumps(baseline, indent=2) + "\n", encoding="utf-8"
        )


if __name__ == "__main__":
    sys.exit(main())
