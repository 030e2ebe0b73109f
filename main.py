"""Synthesize one OpenTofu stack per environment file in config/ (or $MCP_CONFIG_DIR).

Writes `<CDKTF_OUTDIR or cdktf.out>/stacks/<name>-<environment>/cdk.tf.json`. Invalid
configuration prints every problem, one per line, exits 1 and writes nothing.
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

    for config in configs:
        for field, message in config.warnings():
            print(f"{config.environment}.toml: {field}: warning: {message}", file=sys.stderr)

    from cdktf import App

    from stacks.mcp_stack import McpStack

    app = App(stack_traces=False)
    for config in configs:
        McpStack(app, config)
    app.synth()
    return 0


if __name__ == "__main__":
    sys.exit(main())
