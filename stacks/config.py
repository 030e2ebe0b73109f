"""Per-environment configuration: one TOML file per environment, validated all at once.

A file holds the seed's inputs at the top level (the fields of `McpServerProps`) and a `[stack]`
table for what the seed has no input for (region, backend, state encryption). Its stem is the
environment. Each key is validated on its own against the schema (`schema.py`); then the props'
own rules run on every value that passed, so a bad value and a bad combination of good ones are
both reported. Every problem in every file is reported as `<file>: <dotted.field>: <reason>`.
"""

from __future__ import annotations

import difflib
import math
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import get_args

from pydantic import BaseModel, ValidationError

from constructs_lib.checks import dotted, safe_line, shown
from constructs_lib.expressions import TOKEN_TEXT
from constructs_lib.props import McpServerProps
from constructs_lib.server_rules import region_rules

from .schema import REQUIRED, TOP_LEVEL, StackSettings, key_model, to_props_value

CONFIG_DIR_ENV = "MCP_CONFIG_DIR"
DEFAULT_CONFIG_DIR = Path(__file__).resolve().parent.parent / "config"
# The app's environments (the library takes any name; a file's stem must be one of these).
ENVIRONMENTS: tuple[str, ...] = ("dev", "staging", "prod")
# No setting nests deeper than `[stack.backend]` keys or `[[tenants]]` fields; a file nested far
# deeper is a mistake (or an attack on whatever reads it).
MAX_DEPTH = 8
# cdktf encodes a number token as a double beyond this; no setting takes such a number.
MAX_MAGNITUDE = 1e280


def image_uri_variable(environment: str) -> str:
    """Environment variable that overrides `image_uri` for one environment (for CI pipelines)."""
    return f"MCP_IMAGE_URI_{environment.upper()}"


@dataclass(frozen=True)
class EnvironmentConfig:
    """One environment's file: the server's props and the stack's settings."""

    props: McpServerProps
    stack: StackSettings = field(default_factory=StackSettings)

    @property
    def name(self) -> str:
        return self.props.name

    @property
    def environment(self) -> str:
        return self.props.environment

    @property
    def stack_name(self) -> str:
        return f"{self.name}-{self.environment}"

    @property
    def fips_endpoints(self) -> bool:
        return fips_endpoints(self.stack, self.props.environment)


def fips_endpoints(stack: StackSettings, environment: str) -> bool:
    """FIPS endpoints as set, else on in prod."""
    return stack.fips_endpoints if stack.fips_endpoints is not None else environment == "prod"


class ConfigError(Exception):
    """Invalid configuration; `problems` holds one `<file>: <field>: <reason>` line each."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def config_dir() -> Path:
    return Path(os.environ.get(CONFIG_DIR_ENV) or DEFAULT_CONFIG_DIR)


def load_environments(directory: Path | None = None) -> list[EnvironmentConfig]:
    """Every `<environment>.toml` in the directory, validated; raises ConfigError with all problems."""
    directory = directory or config_dir()
    if not directory.is_dir():
        raise ConfigError([f"{directory}: (directory): not found; set {CONFIG_DIR_ENV}"])
    files = sorted(directory.glob("*.toml"))
    if not files:
        raise ConfigError([f"{directory}: (directory): no .toml files"])
    configs, problems = [], []
    for path in files:
        try:
            configs.append(load_environment(path))
        except ConfigError as error:
            problems += error.problems
    if problems:
        raise ConfigError(problems)
    return configs


def load_environment(path: Path) -> EnvironmentConfig:
    """One file, validated; raises ConfigError listing every problem in it."""
    label = path.name
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ConfigError([safe_line(f"{label}: (file): {error}")]) from None
    except RecursionError:
        raise ConfigError([f"{label}: (file): arrays or tables nested too deeply to read; no setting "
                           f"nests more than {MAX_DEPTH} levels"]) from None  # fmt: skip
    environment = path.stem
    if environment not in ENVIRONMENTS:
        raise ConfigError(
            [safe_line(f"{label}: environment: the file name must be one of "
                       f"{', '.join(e + '.toml' for e in ENVIRONMENTS)} (got {shown(path.name)})")]
        )  # fmt: skip
    problems = []
    if "environment" in raw and raw["environment"] != environment:
        problems.append(
            f"{label}: environment: is {shown(raw['environment'])} but the file is {path.name}; "
            "the file name decides the environment, so remove the key or rename the file"
        )
    raw["environment"] = environment
    sources = {}
    variable = image_uri_variable(environment)
    if os.environ.get(variable):
        raw["image_uri"] = os.environ[variable]
        sources["image_uri"] = f" (value from ${variable})"
    try:
        return parse_environment(raw, label, sources, problems)
    except ConfigError as error:
        raise ConfigError(list(dict.fromkeys(error.problems))) from None


def parse_environment(raw: dict, label: str = "config", sources: dict[str, str] | None = None,
                      problems: list[str] | None = None) -> EnvironmentConfig:  # fmt: skip
    """A file's values as an EnvironmentConfig; raises ConfigError listing every problem."""
    sources, found = sources or {}, []  # (top-level key, message)
    values, failed = {}, set()
    for key, value in raw.items():
        written = _written_problems(key, value)
        found += [(key, problem) for problem in written]
        if key not in TOP_LEVEL:
            found.append((key, f"{dotted((key,))}: {_unknown(key)}"))
            failed.add(key)
            continue
        try:
            values[key] = getattr(key_model(key).model_validate({key: value}), key)
        except ValidationError as error:
            failed.add(key)
            found += [(key, f"{dotted(e['loc'])}: {_reason(e)}") for e in error.errors()]
        if written:  # a value that passed its type but must not reach the stack
            failed.add(key)
            values.pop(key, None)
    missing = REQUIRED - set(raw)
    found += [(key, f"{key}: required; add it to the file") for key in sorted(missing)]
    stack = values.pop("stack", StackSettings())
    placeholders = {key: "placeholder" for key in missing | (failed & REQUIRED)}
    props = McpServerProps(**placeholders, **{k: to_props_value(v) for k, v in values.items()})
    skip = failed | missing
    fips = ("stack", "fips_endpoints") if fips_endpoints(stack, props.environment) else None
    rules = props.problems(skip) + region_rules(props, stack.region, "stack.region", skip | ({"stack"} & failed), fips)
    found += [(str(loc[0]), f"{dotted(loc)}: {message}") for loc, message in rules]
    # In the file's order, so each problem sits where its key is written.
    order = {key: index for index, key in enumerate(raw)}
    found.sort(key=lambda problem: order.get(problem[0], len(order)))
    problems = list(problems or []) + [safe_line(f"{label}: {message}{sources.get(key, '')}") for key, message in found]
    if problems:
        raise ConfigError(problems)
    return EnvironmentConfig(props=props, stack=stack)


def _written_problems(key: str, value: object) -> list[str]:
    """What no value may hold, whatever its field: nesting deeper than any setting, text that
    cdktf would take for one of its tokens (and replace with a reference), a number beyond any
    setting's range (cdktf's number tokens are such doubles). Walked without recursion."""
    found, pending = [], [((key,), value, 1)]
    while pending:
        loc, value, depth = pending.pop()
        texts = [loc[-1]] if isinstance(loc[-1], str) else []
        if isinstance(value, str):
            texts.append(value)
        if any(TOKEN_TEXT in text for text in texts):
            found.append(f"{dotted(loc)}: holds {TOKEN_TEXT!r}, cdktf's token syntax, which synthesis would "
                         "replace with a reference; remove it")  # fmt: skip
        if isinstance(value, float) and math.isfinite(value) and abs(value) >= MAX_MAGNITUDE:
            found.append(f"{dotted(loc)}: {shown(value)} is out of range for any setting")
        if isinstance(value, (dict, list)):
            if depth >= MAX_DEPTH:
                found.append(f"{dotted(loc)}: nested more than {MAX_DEPTH} levels deep; no setting nests that deep")
                continue
            children = value.items() if isinstance(value, dict) else enumerate(value)
            pending += [((*loc, k), v, depth + 1) for k, v in children]
    return sorted(found)


def _known_keys() -> set[str]:
    keys, seen = set(TOP_LEVEL), set()
    pending = [StackSettings, *(key_model(k) for k in TOP_LEVEL if k != "stack")]
    while pending:
        model = pending.pop()
        if model in seen:
            continue
        seen.add(model)
        for name, info in model.model_fields.items():
            keys.add(name)
            for candidate in (info.annotation, *get_args(info.annotation),
                              *(a for x in get_args(info.annotation) for a in get_args(x))):  # fmt: skip
                if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                    pending.append(candidate)
    return keys


def _unknown(key: str) -> str:
    close = difflib.get_close_matches(key, _known_keys(), n=1)
    return "unknown key" + (f"; did you mean {close[0]!r}?" if close else "")


def _reason(error: dict) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return _unknown(str(error["loc"][-1]))
    if kind == "missing":
        return "required; add it to the file"
    message = error["msg"].removeprefix("Value error, ")
    if kind.endswith("_type") or kind in ("literal_error", "finite_number", "enum", "int_from_float"):
        # What the value was, beside what it should be.
        message += f" (got {shown(error['input'])}, {_toml_type(error['input'])})"
    return message


def _toml_type(value: object) -> str:
    """How TOML names the type of a value it read."""
    names = {bool: "a boolean", int: "an integer", float: "a float", str: "a string", list: "an array",
             dict: "a table"}  # fmt: skip
    return names.get(type(value), f"a {type(value).__name__} value")
