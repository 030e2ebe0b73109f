"""The one place that imports the AWS provider bindings: `from constructs_lib import aws`.

`import cdktf_cdktf_provider_aws` runs a package `__init__` that imports all ~2200 resource
modules (about 10 s and 500 MB). This module registers the package without running that
`__init__`, and imports a resource module the first time it is used: `aws.lambda_function`
loads `cdktf_cdktf_provider_aws.lambda_function` and nothing else. The synthesized JSON is the
same; only the start-up cost differs.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from types import ModuleType

PACKAGE = "cdktf_cdktf_provider_aws"


def _register_package_without_init() -> None:
    if PACKAGE in sys.modules:
        return
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None:
        raise ImportError(f"{PACKAGE} is not installed; run `make synth` to set up .venv")
    sys.modules[PACKAGE] = importlib.util.module_from_spec(spec)


def __getattr__(name: str) -> ModuleType:
    if name.startswith("__"):
        raise AttributeError(name)
    module = importlib.import_module(f"{PACKAGE}.{name}")
    globals()[name] = module
    return module


_register_package_without_init()
