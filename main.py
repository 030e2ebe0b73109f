"""Synthesize one OpenTofu stack per environment file in config/ (or $MCP_CONFIG_DIR).

Writes `<CDKTF_OUTDIR or cdktf.out>/stacks/<name>-<environment>/cdk.tf.json`. Invalid
configuration prints every problem, one per line, exits 1 and writes nothing.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def _use_project_node() -> None:
    """jsii runs Node; prefer the project's Node 22 (set up in .venv) over an end-of-life one."""
    node = Path(sys.prefix) / "bin" / "node"
    if node.exists():
        os.environ.setdefault("JSII_NODE", str(node))


def main() -> int:
    _use_project_node()
    from stacks.config import ConfigError, load_environments

    try:
        configs = load_environments()
    except ConfigError as error:
        print(*error.problems, sep="\n", file=sys.stderr)
        return 1

    from cdktf import App

    from stacks.mcp_stack import McpStack

    app = App()
    for config in configs:
        McpStack(app, config)
    app.synth()
    return 0


if __name__ == "__main__":
    sys.exit(main())
