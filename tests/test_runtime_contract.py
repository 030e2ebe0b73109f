"""The stack and the reference server (runtime/) agree on what passes between them."""

from __future__ import annotations

import ast
import sys

from constructs_lib.value_rules import MANAGED_ENV_KEYS
from constructs_lib.transport import CORS_EXPOSE_HEADERS

from .conftest import ROOT

sys.path.insert(0, str(ROOT / "runtime"))
from mcp_runtime import contract, settings  # noqa: E402  (dependency-free modules)


def test_every_variable_the_stack_sets_is_read_by_the_image():
    assert set(MANAGED_ENV_KEYS) == set(settings.STACK_VARIABLES) | set(settings.ADAPTER_VARIABLES)


def test_the_server_reads_each_variable_it_declares():
    source = (ROOT / "runtime" / "mcp_runtime" / "settings.py").read_text(encoding="utf-8")
    read = {node.args[0].value for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "get"
            and node.args and isinstance(node.args[0], ast.Constant)}  # fmt: skip
    assert set(settings.STACK_VARIABLES) <= read


def test_the_server_exposes_what_the_front_door_exposes():
    assert contract.EXPOSED_HEADERS == CORS_EXPOSE_HEADERS


def test_every_stack_variable_reaches_the_function(shipped):
    env = shipped["staging"].one("aws_lambda_function", function_name="ai-tools-staging")["environment"]["variables"]
    # staging has sessions, tenant isolation, the token vending machine and metering; sign-in
    # (which tenant isolation excludes for now) is tests/test_sign_in.py's, the request-state key
    # tests/test_request_state.py's (off by default).
    assert set(MANAGED_ENV_KEYS) - {"SIGN_IN_CLIENT_ID", "MCP_REQUEST_STATE_KMS_KEY"} <= set(env)
