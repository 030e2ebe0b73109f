"""The one place that imports the AWS provider bindings: `from constructs_lib import aws`.

`import cdktf_cdktf_provider_aws` runs a package `__init__` that imports all ~2200 resource
modules (about 10 s and 500 MB). This module registers the package without running that
`__init__`, and imports a resource module the first time it is used: `aws.lambda_function`
loads `cdktf_cdktf_provider_aws.lambda_function` and nothing else. The synthesized JSON is the
same; only the start-up cost differs.

The registered package stays whole for everyone else in the process: a submodule attribute
(`cdktf_cdktf_provider_aws.provider`) is imported on first use, and any other name (`__all__`
for a star import, say) runs the package's own `__init__` then.
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
    package = importlib.util.module_from_spec(spec)

    def attribute(name: str) -> object:
        try:
            return importlib.import_module(f"{PACKAGE}.{name}")
        except ModuleNotFoundError as error:
            if error.name != f"{PACKAGE}.{name}":
                raise
        del package.__getattr__  # the real __init__ defines every other name
        spec.loader.exec_module(package)
        try:
            return package.__dict__[name]
        except KeyError:
            raise AttributeError(f"module {PACKAGE!r} has no attribute {name!r}") from None

    package.__getattr__ = attribute
    sys.modules[PACKAGE] = package


def __getattr__(name: str) -> ModuleType:
    if name.startswith("__"):
        raise AttributeError(name)
    module = importlib.import_module(f"{PACKAGE}.{name}")
    globals()[name] = module
    return module


_register_package_without_init()
