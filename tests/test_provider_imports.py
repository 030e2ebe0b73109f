"""The provider bindings are imported in one place, one resource module at a time."""

from __future__ import annotations

import ast
import os
import subprocess
import sys

from .conftest import ROOT

PACKAGE = "cdktf_cdktf_provider_aws"
APP_DIRS = ("constructs_lib", "stacks")
THE_ONE_PLACE = ROOT / "constructs_lib" / "aws.py"


def app_modules():
    yield ROOT / "main.py"
    for directory in APP_DIRS:
        yield from sorted((ROOT / directory).rglob("*.py"))


def provider_imports(path):
    """(line, text) of every import statement naming the provider package."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        else:
            continue
        if any(name == PACKAGE or name.startswith(PACKAGE + ".") for name in names):
            yield node.lineno, ast.unparse(node)


def test_no_app_module_imports_the_provider_package():
    offenders = [
        f"{path.relative_to(ROOT)}:{line}: {text}"
        for path in app_modules()
        if path != THE_ONE_PLACE
        for line, text in provider_imports(path)
    ]
    assert offenders == [], "import resources through `from constructs_lib import aws`"


def test_the_guard_sees_an_import_of_the_top_level(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        f"import {PACKAGE}\nfrom {PACKAGE} import lambda_function\n", encoding="utf-8"
    )
    assert [line for line, _ in provider_imports(sample)] == [1, 2]


def test_synth_loads_only_the_resource_modules_it_uses(tmp_path):
    probe = f"""
import runpy, sys
sys.argv = ["main.py"]
try:
    runpy.run_path("main.py", run_name="__main__")
except SystemExit as exit:
    assert not exit.code, exit.code
print(" ".join(sorted(m for m in sys.modules if m.startswith("{PACKAGE}."))))
"""
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=300,
        env={**os.environ, "CDKTF_OUTDIR": str(tmp_path)},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    loaded = result.stdout.split()
    resource_modules = [m for m in loaded if m.count(".") == 1 and ".__" not in m and "._" not in m]
    assert f"{PACKAGE}.lambda_function" in resource_modules
    assert len(resource_modules) < 100, resource_modules  # of ~2200
    # The package __init__ would have imported every resource module, this one among them.
    assert f"{PACKAGE}.workspacesweb_portal" not in loaded
