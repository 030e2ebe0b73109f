"""The configuration file's schema: strict pydantic models, generated from the construct props.

`McpServerProps` (constructs_lib) holds the fields, their defaults and every AWS rule; this
module adds what only a file needs: strict types (`enable_auth = "yes"` is an error, not
`true`), unknown keys as errors, and the `[stack]` table. `to_props` is the one mapping from a
file's values to the props.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import functools
import types
import typing
from pathlib import Path
from typing import Any, Literal, Sequence

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, create_model, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from constructs_lib.limits import KMS_KEY_ID_OR_ARN, Shape
from constructs_lib.props import McpServerProps
from constructs_lib.regions import region_problem

# `allow_inf_nan=False`: TOML has inf and nan, and neither is a value of any setting (AWS rejects
# them, and jsii cannot even pass them on).
STRICT = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


def _shaped(shape: Shape) -> AfterValidator:
    def check(value: str) -> str:
        if problem := shape.problem(value):
            raise ValueError(problem)
        return value

    return AfterValidator(check)


def raise_problems(title: str, problems: Sequence[tuple[tuple, str]], error: ValidationError | None = None) -> None:
    """One ValidationError holding `error`'s field errors (if any) and every (location,
    message) of a model's own rules."""
    details = [
        InitErrorDetails(type=e["type"], loc=e["loc"], input=e["input"], **({"ctx": e["ctx"]} if "ctx" in e else {}))
        for e in (error.errors() if error else [])
    ] + [
        InitErrorDetails(type=PydanticCustomError("invalid_combination", message), loc=loc, input=None)
        for loc, message in problems
    ]
    if details:
        raise ValidationError.from_exception_data(title, details)


def _region(value: str) -> str:
    if problem := region_problem(value):
        raise ValueError(problem)
    return value


RegionName = typing.Annotated[str, AfterValidator(_region)]
KmsKeyIdOrArn = typing.Annotated[str, _shaped(KMS_KEY_ID_OR_ARN)]


# -- [stack]: what only a stack has ---------------------------------------------------------


class BackendSettings(BaseModel):
    """Where OpenTofu keeps this stack's state."""

    model_config = STRICT

    type: Literal["local", "s3"] = Field(default="local", description="`local` (a file beside the stack) or `s3`")
    path: str = Field(default="terraform.tfstate", description="Local backend: state file path, relative to the stack directory")
    bucket: str | None = Field(default=None, description="S3 backend: bucket name (required)")
    key: str | None = Field(default=None, description="S3 backend: object key (default `<stack>/terraform.tfstate`)")
    region: RegionName | None = Field(default=None, description="S3 backend: bucket region (default `stack.region`)")
    encrypt: bool = Field(default=True, description="S3 backend: server-side encryption")
    kms_key_id: KmsKeyIdOrArn | None = Field(default=None, description="S3 backend: KMS key for server-side encryption")

    @model_validator(mode="wrap")
    @classmethod
    def _fields_fit_type(cls, data: Any, handler: Any) -> BackendSettings:
        """Field errors and combination errors together: a bad `encrypt` does not hide a
        missing `bucket`. The combinations are read from the table as written."""
        given = data if isinstance(data, dict) else {}
        problems = []
        if given.get("type") == "s3":
            if not given.get("bucket"):
                problems.append((("bucket",), "required for the s3 backend"))
            if "path" in given:
                problems.append((("path",), "only for the local backend; remove it"))
            if given.get("kms_key_id") and given.get("encrypt") is False:
                problems.append((("encrypt",), "kms_key_id is set, so encrypt must be true"))
        else:
            problems += [((f,), 'only for the s3 backend; remove it or set type = "s3"')
                         for f in ("bucket", "key", "region", "encrypt", "kms_key_id") if f in given]  # fmt: skip
            path = given.get("path")
            if isinstance(path, str) and (Path(path).is_absolute() or ".." in Path(path).parts):
                problems.append((("path",), "must be relative to the stack directory, without .."))
        try:
            backend = handler(data)
        except ValidationError as error:
            raise_problems(cls.__name__, problems, error)
            raise
        raise_problems(cls.__name__, problems)
        return backend


class StateEncryptionSettings(BaseModel):
    """OpenTofu client-side state and plan encryption with an AWS KMS key (enforced)."""

    model_config = STRICT

    kms_key_id: KmsKeyIdOrArn = Field(description="KMS key (id, ARN or alias) that wraps the state data key")
    region: RegionName | None = Field(default=None, description="Region of the key (default `stack.region`)")


class StackSettings(BaseModel):
    """Stack-level settings the seed module has no input for."""

    model_config = STRICT

    region: RegionName = Field(default="us-east-1", description="AWS region of every resource")
    backend: BackendSettings = Field(default_factory=BackendSettings, description="Where OpenTofu keeps the state (table below)")
    state_encryption: StateEncryptionSettings | None = Field(
        default=None, description="Turns on OpenTofu state and plan encryption when present"
    )
    fips_endpoints: bool | None = Field(
        default=None,
        description="The AWS provider calls FIPS 140 endpoints (`use_fips_endpoint`); null: on in prod, off elsewhere",
    )


# -- the props' fields, as file keys --------------------------------------------------------


def config_fields(props_type: type) -> list[dataclasses.Field]:
    """The fields of a props dataclass a file may set (constructs cannot be written in TOML)."""
    return [f for f in dataclasses.fields(props_type) if f.metadata.get("config", True)]


def _file_type(annotation: Any) -> Any:
    """The type a file's value must have: sequences are lists, mappings dicts, props tables."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if dataclasses.is_dataclass(annotation):
        return model_for(annotation)
    if origin in (typing.Union, types.UnionType):
        return typing.Union[tuple(_file_type(a) for a in args)]
    if origin in (list, tuple, collections.abc.Sequence):
        return list[_file_type(args[0])]
    if origin in (dict, collections.abc.Mapping):
        return dict[_file_type(args[0]), _file_type(args[1])]
    return annotation


@functools.cache
def field_types(props_type: type) -> dict[str, Any]:
    hints = typing.get_type_hints(props_type)
    return {f.name: _file_type(f.metadata.get("config_type", hints[f.name])) for f in config_fields(props_type)}


# Each generated model, and the props dataclass it stands for.
_PROPS_OF: dict[type[BaseModel], type] = {}


@functools.cache
def model_for(props_type: type) -> type[BaseModel]:
    """A strict model of a nested props table ([token_vending_machine], [[tenants]], ...)."""
    fields = {
        f.name: (field_types(props_type)[f.name], ... if _required(f) else None) for f in config_fields(props_type)
    }
    model = create_model(props_type.__name__, __config__=STRICT, **fields)
    _PROPS_OF[model] = props_type
    return model


def _required(f: dataclasses.Field) -> bool:
    return f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING


@functools.cache
def key_model(name: str) -> type[BaseModel]:
    """A model of one top-level key, so each key validates (and fails) on its own."""
    if name == "stack":
        return create_model("StackKey", __config__=STRICT, stack=(StackSettings, ...))
    return create_model(f"Key_{name}", __config__=STRICT, **{name: (field_types(McpServerProps)[name], ...)})


TOP_LEVEL = {f.name for f in config_fields(McpServerProps)} | {"stack"}
REQUIRED = {f.name for f in config_fields(McpServerProps) if _required(f)}


def to_props_value(value: Any) -> Any:
    """A validated file value as the props hold it: generated models become props dataclasses
    (fields the file left out keep the props' defaults)."""
    if isinstance(value, BaseModel):
        return _PROPS_OF[type(value)](**{k: to_props_value(getattr(value, k)) for k in value.model_fields_set})
    if isinstance(value, list):
        return [to_props_value(v) for v in value]
    if isinstance(value, dict):
        return {k: to_props_value(v) for k, v in value.items()}
    return value
