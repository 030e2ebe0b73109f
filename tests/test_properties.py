"""Property tests of the configuration layer (issue 20, item 6): whatever a file holds (wrong
types, huge and odd strings, unicode, negatives, unknown keys, nesting, template syntax), parsing
it ends in a configuration or in problem lines, never in a traceback, and no expression written
in a value reaches a stack.

Parsing and validating is fast, so it sees many examples; synthesis (jsii) is slow, so only a
handful of generated configurations are synthesized and read back.
"""

from __future__ import annotations

import dataclasses
import json
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from constructs_lib.checks import MAX_LINE
from constructs_lib.expressions import has_template_syntax, literal
from stacks.config import ConfigError, parse_environment
from stacks.schema import TOP_LEVEL

from .conftest import MINIMAL, Synth

# What an attacker (or a typo) writes into a string: OpenTofu template syntax, cdktf's token
# text, escapes, line breaks and terminal controls, bidirectional overrides, long runs.
MARK = "PWNED"
NASTY = [
    "${" + MARK + "}", "%{" + MARK + "}", "$${" + MARK + "}", "$$${" + MARK + "}", "%%%{" + MARK + "}",
    '${file("/proc/self/environ")}' + MARK, "%{ if true }" + MARK + "%{ endif }", "${TfToken[TOKEN.1]}",
    "#{TfToken[TOKEN.2]}", "\n", "\r\n", "\x1b[2J", "\u202e", "\u2028", "\x00", "é", "𝔘", "$", "%", "{", "}",
]  # fmt: skip
nasty_text = st.one_of(
    st.text(max_size=40),
    st.sampled_from(NASTY),
    st.lists(st.sampled_from(NASTY) | st.text(max_size=8), min_size=1, max_size=5).map("".join),
    st.integers(min_value=200, max_value=20000).map(lambda n: "x" * n),
)
numbers = st.one_of(
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, -1, 1e300, -1.8881545897087626e289, 0.5, 2**53 + 1]),
)
scalars = st.one_of(nasty_text, numbers, st.booleans())
# TOML values: scalars, arrays and tables, nested.
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(nasty_text | st.sampled_from(sorted(TOP_LEVEL)), inner, max_size=4),
    max_leaves=12,
)
keys = st.one_of(st.sampled_from(sorted(TOP_LEVEL)), nasty_text)


def deep(depth: int):
    value: object = "x"
    for _ in range(depth):
        value = [value]
    return value


def strings_of(value) -> list[str]:
    """Every string in a props value (keys of mappings too)."""
    found, pending = [], [value]
    while pending:
        v = pending.pop()
        if isinstance(v, str):
            found.append(v)
        elif isinstance(v, (list, tuple)):
            pending += list(v)
        elif isinstance(v, dict):
            pending += [*v.keys(), *v.values()]
        elif dataclasses.is_dataclass(v) and not isinstance(v, type):
            pending += [getattr(v, f.name) for f in dataclasses.fields(v)]
    return found


def check_outcome(raw: dict) -> None:
    """A configuration or problem lines; each line safe to print."""
    try:
        config = parse_environment(raw, label="f.toml")
    except ConfigError as error:
        assert error.problems
        for line in error.problems:
            assert line.startswith("f.toml: ")
            assert len(line) <= MAX_LINE + len("... (99999 characters)"), line[:100]
            assert not re.search(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]", line), line
        return
    # What McpServer writes: every string a literal.
    for text in strings_of(literal(config.props)):
        assert not has_template_syntax(text), text


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(keys, values, max_size=6))
def test_any_file_is_a_configuration_or_problem_lines(overrides):
    check_outcome(overrides)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(sorted(TOP_LEVEL)), values, max_size=4))
def test_any_values_over_a_valid_file_are_a_configuration_or_problem_lines(overrides):
    check_outcome({**MINIMAL, **overrides})


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=5, max_value=3000), st.sampled_from(sorted(TOP_LEVEL) + ["colour"]))
def test_nesting_is_a_problem_line(depth, key):
    check_outcome({**MINIMAL, key: deep(depth)})


# -- template syntax in every free-text field, synthesized --------------------------------------

template = st.lists(st.sampled_from(NASTY[:7]) | st.sampled_from(["a", "-", "/", " "]), min_size=1, max_size=4).map(
    lambda parts: "".join(parts) + "${" + MARK + "}"
)


@st.composite
def free_text_config(draw) -> dict:
    """A valid configuration whose every free-text field holds template syntax."""
    t = draw(template)
    printable = re.sub(r"[^\x21-\x7e]", "", t) or "${" + MARK + "}"
    return {
        **MINIMAL,
        "environment_variables": {"LEAK": t, "OTHER": "x" + t},
        "alarm_notification_email": [f"oncall{printable}@example.com"],
        "health_check_path": "/" + printable,
        "enable_health_check": True,
        "stack": {"backend": {"type": "s3", "bucket": "b" + t, "key": t}},
        "enable_session_table": True,
        "enable_tenant_isolation": True,
        "token_vending_machine": {"tags": {"owner": t}},
        "tenant_metering": {"tags": {"team": t}, "metric_namespace": "MCP/" + t.replace("$", "")},
    }


@st.composite
def sign_in_config(draw) -> dict:
    t = re.sub(r"[^\x21-\x7e]", "", draw(template)).replace('"', "").replace("\\", "") or "${" + MARK + "}"
    return {
        **MINIMAL,
        "enable_user_sign_in": True,
        "oauth_scopes": ["admin" + t.replace("/", "")],
        "allowed_redirect_uris": ["https://app.example.com/cb/" + t.replace("*", "")],
        "environment_variables": {"LEAK": t},
        "stack": {"backend": {"path": "state/" + t.replace("..", "")}},
    }


def unescaped_input(synth: Synth) -> list[str]:
    """Strings of the stack where an expression or directive holds the marker."""
    found, pending = [], [synth.json]
    while pending:
        v = pending.pop()
        if isinstance(v, dict):
            pending += [*v.keys(), *v.values()]
        elif isinstance(v, list):
            pending += v
        elif isinstance(v, str) and MARK in v:
            if re.search(r"(?<!\$)\$\{[^}]*" + MARK + r"|(?<!%)%\{[^}]*" + MARK, v):
                found.append(v)
    return found


def synthesize(raw: dict) -> Synth:
    from cdktf import Testing

    from stacks.mcp_stack import McpStack

    return Synth(McpStack(Testing.app(), parse_environment(raw, label="f.toml")))


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(free_text_config())
def test_template_syntax_in_values_reaches_the_stack_as_text(raw):
    synth = synthesize(raw)
    assert MARK in synth.text  # the values are there ...
    assert unescaped_input(synth) == []  # ... and none is an expression
    env = synth.one("aws_lambda_function", function_name="my-tools-dev")["environment"]["variables"]
    leak = raw["environment_variables"]["LEAK"]
    assert env["LEAK"] == leak.replace("${", "$${").replace("%{", "%%{")
    assert json.loads(synth.text)["terraform"]["backend"]["s3"]["key"] == raw["stack"]["backend"]["key"].replace(
        "${", "$${").replace("%{", "%%{")  # fmt: skip


@settings(max_examples=2, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sign_in_config())
def test_template_syntax_in_sign_in_values_reaches_the_stack_as_text(raw):
    synth = synthesize(raw)
    assert MARK in synth.text
    assert unescaped_input(synth) == []
