"""constructs_lib.aws loads one resource module at a time, and the provider package stays whole
for the rest of the process: a user's own imports of it work as without the library."""

from __future__ import annotations

import subprocess
import sys

from .conftest import ROOT

USERS_OWN_IMPORTS = """
import constructs_lib.aws                              # the library first: registers the package
import cdktf_cdktf_provider_aws as p
from cdktf_cdktf_provider_aws.sns_topic import SnsTopic
assert p.provider.AwsProvider.__module__ == "cdktf_cdktf_provider_aws.provider"
assert SnsTopic.__module__ == "cdktf_cdktf_provider_aws.sns_topic"
assert "lambda_function" in p.__all__                  # any other name runs the package's __init__
from cdktf_cdktf_provider_aws import *                 # noqa: F403
assert callable(vpc.Vpc)                               # noqa: F405
try:
    p.no_such_thing
except AttributeError:
    pass
else:
    raise SystemExit("an unknown name must be an AttributeError")
print("ok")
"""


def test_a_user_s_own_imports_of_the_provider_package_work_after_the_library_s():
    run = subprocess.run([sys.executable, "-c", USERS_OWN_IMPORTS], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.strip() == "ok"
