"""Per-environment configuration: one TOML file per environment, validated all at once.

A file holds the seed's inputs at the top level (`McpServerProps`) and a `[stack]` table for what
the seed has no input for (region, backend, state encryption). Its stem is the environment.
Every problem in every file is collected and reported as `<file>: <dotted.field>: <reason>`.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from pathlib import Path
from typing import Literal, get_args

from pydantic import BaseModel, Field, ValidationError

from constructs_lib.props import Environment, McpServerProps
from constructs_lib.validation import (
    KmsKeyIdOrArn,
    RegionName,
    Schema,
    UnknownValue,
    cross_field,
    partition_of_region,
    problems_despite,
    region_of_arn,
    region_of_image,
)

CONFIG_DIR_ENV = "MCP_CONFIG_DIR"
DEFAULT_CONFIG_DIR = Path(__file__).resolve().parent.parent / "config"
ENVIRONMENTS: tuple[str, ...] = get_args(Environment)


def image_uri_variable(environment: str) -> str:
    """Environment variable that overrides `image_uri` for one environment (for CI pipelines)."""
    return f"MCP_IMAGE_URI_{environment.upper()}"


class BackendSettings(Schema):
    """Where OpenTofu keeps this stack's state."""

    type: Literal["local", "s3"] = Field(
        default="local", description="`local` (a file beside the stack) or `s3`"
    )
    path: str = Field(
        default="terraform.tfstate",
        description="Local backend: state file path, relative to the stack directory",
    )
    bucket: str | None = Field(default=None, description="S3 backend: bucket name (required)")
    key: str | None = Field(
        default=None, description="S3 backend: object key (default `<stack>/terraform.tfstate`)"
    )
    region: RegionName | None = Field(
        default=None, description="S3 backend: bucket region (default `stack.region`)"
    )
    encrypt: bool = Field(default=True, description="S3 backend: server-side encryption")
    kms_key_id: KmsKeyIdOrArn | None = Field(
        default=None, description="S3 backend: KMS key for server-side encryption"
    )

    @cross_field
    def _fields_fit_type(self) -> list:
        problems = []
        s3_only = ("bucket", "key", "region", "encrypt", "kms_key_id")
        if self.type == "s3":
            if not self.bucket:
                problems.append((("bucket",), "required for the s3 backend"))
            if "path" in self.model_fields_set:
                problems.append((("path",), "only for the local backend; remove it"))
            if self.kms_key_id and not self.encrypt:
                problems.append((("encrypt",), "kms_key_id is set, so encrypt must be true"))
        else:
            problems += [
                ((f,), "only for the s3 backend; remove it or set type = \"s3\"")
                for f in s3_only
                if f in self.model_fields_set
            ]
            if Path(self.path).is_absolute() or ".." in Path(self.path).parts:
                problems.append(
                    (("path",), "must be relative to the stack directory, without ..")
                )
        return problems


class StateEncryptionSettings(Schema):
    """OpenTofu client-side state and plan encryption with an AWS KMS key (enforced)."""

    kms_key_id: KmsKeyIdOrArn = Field(
        description="KMS key (id, ARN or alias) that wraps the state data key"
    )
    region: RegionName | None = Field(
        default=None, description="Region of the key (default `stack.region`)"
    )


class StackSettings(Schema):
    """Stack-level settings the seed module has no input for."""

    region: RegionName = Field(default="us-east-1", description="AWS region of every resource")
    backend: BackendSettings = Field(
        default_factory=BackendSettings, description="Where OpenTofu keeps the state (table below)"
    )
    state_encryption: StateEncryptionSettings | None = Field(
        default=None, description="Turns on OpenTofu state and plan encryption when present"
    )


class EnvironmentConfig(McpServerProps):
    """One environment's file: the seed's inputs at the top level plus `[stack]`."""

    stack: StackSettings = Field(default_factory=StackSettings)

    @cross_field
    def _resources_in_stack_region(self) -> list:
        """Lambda pulls images from ECR in the function's region; log groups and the function
        use KMS keys, SNS topics and web ACLs of their own region."""
        region, problems = self.stack.region, []
        for field in ("image_uri", "kms_key_arn", "alarm_sns_topic_arn", "waf_acl_arn",
                      "cognito_user_pool_id"):  # fmt: skip
            try:  # each field on its own: one that failed its own check skips only itself
                value = getattr(self, field)
            except UnknownValue:
                continue
            if not value:
                continue
            found = (value.split("_")[0] if field == "cognito_user_pool_id"
                     else region_of_image(value) if field == "image_uri" else region_of_arn(value))  # fmt: skip
            if found != region:
                need = f"Lambda needs the image in {region}" if field == "image_uri" else f"must be in {region}"
                problems.append(((field,), f"{need} (stack.region)"))
        return problems

    @cross_field
    def _tenant_role_pattern_in_stack_partition(self) -> list:
        tvm = self.token_vending_machine
        pattern = tvm.tenant_role_arn_pattern if tvm else None
        partition = partition_of_region(self.stack.region)
        if pattern and pattern.split(":")[1] not in (partition, "*"):
            return [(("token_vending_machine", "tenant_role_arn_pattern"),
                     f"must be in partition {partition}, where {self.stack.region} (stack.region) is")]
        return []

    @property
    def stack_name(self) -> str:
        return f"{self.name}-{self.environment}"

    def server_props(self) -> McpServerProps:
        """The seed inputs alone, for `McpServer`."""
        return McpServerProps.model_validate(self.model_dump(exclude={"stack"}, exclude_unset=True))


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
        raise ConfigError([f"{label}: (file): {error}"]) from None

    environment = path.stem
    if environment not in ENVIRONMENTS:
        raise ConfigError(
            [f"{label}: environment: the file name must be one of "
             f"{', '.join(e + '.toml' for e in ENVIRONMENTS)} (got {path.name!r})"]
        )  # fmt: skip
    problems = []
    if "environment" in raw and raw["environment"] != environment:
        problems.append(
            f"{label}: environment: is {raw['environment']!r} but the file is {path.name}; "
            "the file name decides the environment, so remove the key or rename the file"
        )
    raw["environment"] = environment
    sources = {}
    variable = image_uri_variable(environment)
    if os.environ.get(variable):
        raw["image_uri"] = os.environ[variable]
        sources["image_uri"] = f" (value from ${variable})"

    try:
        config = EnvironmentConfig.model_validate(raw)
    except ValidationError as error:
        problems += [
            f"{label}: {_dotted(e['loc'])}: {_reason(e)}{sources.get(str(e['loc'][0]), '')}"
            for e in error.errors()
        ]
        # The rules across fields among the values that did pass.
        problems += [
            f"{label}: {_dotted(loc)}: {message}"
            for loc, message in problems_despite(EnvironmentConfig, raw, error.errors())
        ]
        problems = list(dict.fromkeys(problems))
    if problems:
        raise ConfigError(problems)
    return config


def _dotted(loc: tuple[str | int, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else ("." if text else "") + str(part)
    return text or "(file)"


def _known_keys() -> set[str]:
    keys: set[str] = set()
    pending: list[type[BaseModel]] = [EnvironmentConfig]
    while pending:
        model = pending.pop()
        for name, field in model.model_fields.items():
            keys.add(name)
            for candidate in (field.annotation, *get_args(field.annotation)):
                if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                    pending.append(candidate)
    return keys


def _reason(error: dict) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        close = difflib.get_close_matches(str(error["loc"][-1]), _known_keys(), n=1)
        return "unknown key" + (f"; did you mean {close[0]!r}?" if close else "")
    if kind == "missing":
        return "required; add it to the file"
    message = error["msg"]
    return message.removeprefix("Value error, ")
