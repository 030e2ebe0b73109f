"""Run jsii on the project's Node.js 22 (linked into .venv/bin by `make`), not the machine's.

jsii starts Node the first time cdktf is imported, so this runs before any cdktf import in this
package. An explicit JSII_NODE wins.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

_node = Path(sys.prefix) / "bin" / "node"
if _node.exists():
    os.environ.setdefault("JSII_NODE", str(_node))
