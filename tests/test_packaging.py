"""The library is a package: its wheel holds constructs_lib (handler sources included) and
nothing of the app, and a cdktf app outside this repository synthesizes McpServer from it."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile

from .conftest import ROOT

APP = """
import json, pathlib
import constructs_lib
from cdktf import App, TerraformStack
from constructs_lib import McpServer, McpServerProps, aws
assert pathlib.Path(constructs_lib.__file__).is_relative_to(pathlib.Path.cwd() / "site"), constructs_lib.__file__
app = App(outdir="out")
stack = TerraformStack(app, "tools")
aws.provider.AwsProvider(stack, "aws", region="us-east-1")
McpServer(stack, "mcp", McpServerProps(name="tools", environment="dev", front_door="http",
    image_uri="123456789012.dkr.ecr.us-east-1.amazonaws.com/tools:v1"))
app.synth()
synthesized = json.loads(pathlib.Path("out/stacks/tools/cdk.tf.json").read_text())
print(len(synthesized["resource"]["aws_lambda_function"]))
"""


def test_the_wheel_holds_the_library_and_an_app_elsewhere_synthesizes_from_it(tmp_path):
    source = tmp_path / "source"  # a copy: building writes build/ and *.egg-info beside the sources
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "constructs_lib", source / "constructs_lib", ignore=shutil.ignore_patterns("__pycache__"))
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
         "-w", str(tmp_path / "dist"), str(source)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert build.returncode == 0, build.stderr[-3000:]
    (wheel,) = (tmp_path / "dist").glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "constructs_lib/handlers/protected_resource_metadata.py" in names
    assert {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")} == {"constructs_lib"}

    app_dir = tmp_path / "app"
    zipfile.ZipFile(wheel).extractall(app_dir / "site")
    (app_dir / "app.py").write_text(APP, encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-I", "-c", "import sys; sys.path.insert(0, 'site'); exec(open('app.py').read())"],
        capture_output=True, text=True, cwd=app_dir, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.strip().splitlines()[-1] == "2"  # the server and the metadata function


# Helpers of the library's own checks, not parts a user composes.
INTERNAL = {"checks.Rule", "limits.Shape", "naming.NameRule", "transport.TransportHeaders", "packaging.StagedPackage"}


def test_every_construct_and_props_class_is_exported():
    import dataclasses
    import importlib
    import inspect
    import pkgutil

    import constructs_lib
    from constructs import Construct

    public = set()
    for info in pkgutil.iter_modules(constructs_lib.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"constructs_lib.{info.name}")
        public |= {
            f"{info.name}.{name}" for name, value in vars(module).items()
            if inspect.isclass(value) and value.__module__ == module.__name__ and not name.startswith("_")
            and (issubclass(value, Construct) or dataclasses.is_dataclass(value))
        }  # fmt: skip
    missing = {qualified for qualified in public - INTERNAL if qualified.split(".")[1] not in constructs_lib.__all__}
    assert missing == set()
    assert all(getattr(constructs_lib, name) is not None for name in constructs_lib.__all__)


def test_the_library_never_imports_the_app_and_keeps_its_modules_small():
    import ast

    for path in sorted((ROOT / "constructs_lib").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
        imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and not node.level}
        assert not {name for name in imported if name == "stacks" or name.startswith("stacks.")}, path
        assert len(path.read_text(encoding="utf-8").splitlines()) <= 400, path
