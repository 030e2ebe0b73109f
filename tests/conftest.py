"""Shared fixtures: stacks synthesized in-process from the shipped and from test configurations."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from stacks.config import ConfigError, load_environment, load_environments, parse_environment  # noqa: E402
from stacks.mcp_stack import McpStack  # noqa: E402
from cdktf import Testing  # noqa: E402  (after constructs_lib: it picks Node)

# The smallest valid file: the seed's minimal example.
MINIMAL = {
    "name": "my-tools",
    "environment": "dev",
    "image_uri": "123456789012.dkr.ecr.us-east-1.amazonaws.com/mcp-server:v1",
    "vpc_id": "vpc-0a1b2c3d4e5f60718",
    "vpc_subnet_ids": ["subnet-0a1b2c3d4e5f60711", "subnet-0a1b2c3d4e5f60722"],
    "vpc_security_group_ids": ["sg-0a1b2c3d4e5f60733"],
    "kms_key_arn": "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
}


class Synth:
    """A synthesized stack, exactly as written to disk (with its `//` comment blocks): the JSON
    text for the Testing matchers and its parsed form. Fails on error annotations."""

    def __init__(self, stack: McpStack):
        self.stack = stack
        outdir = Path(Testing.full_synth(stack))
        self.text = (outdir / "stacks" / stack.node.id / "cdk.tf.json").read_text(encoding="utf-8")
        self.json = json.loads(self.text)
        manifest = json.loads((outdir / "manifest.json").read_text(encoding="utf-8"))
        # (level, message) of each annotation, e.g. ("@cdktf/warn", "timeout: ...").
        self.annotations = [
            (a["level"], a["message"]) for a in manifest["stacks"][stack.node.id]["annotations"]
        ]

    def warnings(self) -> list[str]:
        return [message for level, message in self.annotations if level == "@cdktf/warn"]

    def resources(self, resource_type: str) -> dict[str, dict]:
        return self.json.get("resource", {}).get(resource_type, {})

    def one(self, resource_type: str, **match) -> dict:
        """The one resource of the type whose top-level arguments equal `match`."""
        found = {
            a: r for a, r in self.resources(resource_type).items()
            if all(r.get(k) == v for k, v in match.items())
        }  # fmt: skip
        assert len(found) == 1, f"expected one {resource_type} {match}, found {sorted(found)}"
        return next(iter(found.values()))

    def address(self, resource_type: str, **match) -> str:
        """`<type>.<logical id>` of the one matching resource."""
        body = self.one(resource_type, **match)
        (logical,) = [a for a, r in self.resources(resource_type).items() if r is body]
        return f"{resource_type}.{logical}"

    def has(self, resource_type: str, properties: dict) -> bool:
        return Testing.to_have_resource_with_properties(self.text, resource_type, properties)


def synth_config(**overrides) -> Synth:
    """Synthesize a stack from the minimal configuration with `overrides` applied."""
    config = parse_environment({**MINIMAL, **overrides})
    return Synth(McpStack(Testing.app(), config))


# Inputs the stack creates the resources for when they are absent.
FOUNDATIONS = ("vpc_id", "vpc_subnet_ids", "vpc_security_group_ids", "kms_key_arn")


def synth_from_zero(**overrides) -> Synth:
    """Synthesize from the minimal configuration without network or key, with `overrides`."""
    config = {k: v for k, v in MINIMAL.items() if k not in FOUNDATIONS}
    return Synth(McpStack(Testing.app(), parse_environment({**config, **overrides})))


def props_of(**values):
    """`McpServerProps` from file-shaped values (tables as dicts) over the minimal example."""
    return parse_environment({**MINIMAL, **values}).props


def rule_problems(values: dict) -> list[tuple[str, str]]:
    """(dotted field, message) of each problem the values have; fails if they have none."""
    with pytest.raises(ConfigError) as caught:
        parse_environment(values, label="values")
    return [tuple(line.removeprefix("values: ").split(": ", 1)) for line in caught.value.problems]


def synth_construct(build) -> Synth:
    """A stack of its own, holding an AWS provider and what `build(stack)` adds: for the tests
    of one construct. (cdktf's Testing.synth_scope takes no Python callback.)"""
    from cdktf import TerraformStack

    from constructs_lib import aws

    stack = TerraformStack(Testing.app(), "construct")
    aws.provider.AwsProvider(stack, "aws", region="us-east-1")
    build(stack)
    return Synth(stack)


def synth_file(path: Path) -> Synth:
    """Synthesize the stack of one configuration file."""
    return Synth(McpStack(Testing.app(), load_environment(path)))


@pytest.fixture(scope="session")
def shipped() -> dict[str, Synth]:
    """The shipped config/ files, synthesized once per test session, by environment."""
    return {c.environment: Synth(McpStack(Testing.app(), c)) for c in load_environments()}


# The example configurations under examples/, each a directory with one environment file.
EXAMPLES = sorted(d.name for d in (ROOT / "examples").iterdir() if list(d.glob("*.toml")))
# The example app that uses the library directly (examples/library-app/app.py).
LIBRARY_APP = "library-app"
# What the gates (Checkov, parliament, resource policies) read: the shipped stacks and examples.
GATED = ["dev", "staging", "prod", *EXAMPLES, LIBRARY_APP]


def library_app_module():
    """examples/library-app/app.py, imported as its own module."""
    spec = importlib.util.spec_from_file_location("library_app", ROOT / "examples" / LIBRARY_APP / "app.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def library_app() -> Synth:
    return Synth(library_app_module().build(Testing.app()))


@pytest.fixture(scope="session")
def gated(shipped, library_app) -> dict[str, Synth]:
    """Every shipped and example stack, by environment or example directory name."""
    examples = {}
    for name in EXAMPLES:
        (path,) = (ROOT / "examples" / name).glob("*.toml")
        examples[name] = synth_file(path)
    return {**shipped, **examples, LIBRARY_APP: library_app}
