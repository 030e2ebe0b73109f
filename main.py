"""Synthesize one OpenTofu stack per environment file in config/ (or $MCP_CONFIG_DIR).

Writes `<CDKTF_OUTDIR or cdktf.out>/stacks/<name>-<environment>/cdk.tf.json`. Invalid
configuration prints every problem, one per line, exits 1 and writes nothing.

Warnings have one channel: the constructs' annotations. `cdktf synth` prints them from the
manifest; run directly, this script prints them the same way, on stdout (stderr would read as
a failure). That, and the Checkov baseline and control report beside each stack, is
`constructs_lib.synth`, which a library app calls the same way.
"""

from __future__ import annotations

import sys


def main() -> int:
    from stacks.config import ConfigError, load_environments

    try:
        configs = load_environments()
    except ConfigError as error:
        print(*error.problems, sep="\n", file=sys.stderr)
        return 1

    from cdktf import App

    from constructs_lib import synth
    from stacks.mcp_stack import McpStack

    app = App(stack_traces=False)
    for config in configs:
        McpStack(app, config)
    try:
        synth(app)
    except RuntimeError as failure:
        return report_synth_failure(failure)
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


if __name__ == "__main__":
    sys.exit(main())
