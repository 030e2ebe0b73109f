"""Given strings stay literals: the one helper that keeps a value from becoming an OpenTofu
expression.

OpenTofu (like Terraform) reads every string of a `.tf.json` file as a template: `${...}`
interpolates an expression and `%{...}` runs a directive, so a configuration value such as
`${file("/proc/self/environ")}` would be evaluated by `tofu plan`, on the machine that plans.
`$${` and `%%{` are the template escapes for a literal `${` and `%{`.

cdktf writes references with the same `${...}` syntax, but while the app runs a reference is a
token (`${TfToken[TOKEN.<n>]}`), resolved only when the stack is written. So `literal` escapes
every part of a string except the tokens in it: a value the stack builds from references keeps
them, and everything given around them stays text. A plain string that merely looks like a
token cannot be told apart here; the configuration layer refuses those (`TOKEN_TEXT`).
"""

from __future__ import annotations

import dataclasses
import re
from typing import TypeVar

T = TypeVar("T")

# A string token as cdktf encodes it (list and map tokens, `#{` and `&{`, hold no `${`).
_STRING_TOKEN = re.compile(r"\$\{TfToken\[[\w.]+\]\}")
# The text by which a written value would be read as a token.
TOKEN_TEXT = "TfToken["


def escape(text: str) -> str:
    """`text` with OpenTofu's template sequences escaped (no tokens in it)."""
    return text.replace("${", "$${").replace("%{", "%%{")


def literal_string(text: str) -> str:
    """`text` as a literal, except for the cdktf tokens it holds."""
    if "${" not in text and "%{" not in text:
        return text
    parts, start = [], 0
    for token in _STRING_TOKEN.finditer(text):
        parts += [escape(text[start : token.start()]), token.group()]
        start = token.end()
    return "".join(parts + [escape(text[start:])])


def literal(value: T) -> T:
    """`value` with every string in it a literal: strings, and the strings inside lists,
    tuples, mappings (keys too) and props dataclasses. Anything else (numbers, constructs,
    resources) is returned as it is."""
    if isinstance(value, str):
        return literal_string(value)  # type: ignore[return-value]
    if isinstance(value, (list, tuple)):
        return type(value)(literal(v) for v in value)  # type: ignore[return-value]
    if isinstance(value, dict) or (hasattr(value, "items") and hasattr(value, "keys") and not hasattr(value, "node")):
        return {literal(k): literal(v) for k, v in value.items()}  # type: ignore[return-value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: literal(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init}
        return dataclasses.replace(value, **changes)  # type: ignore[return-value]
    return value


def has_template_syntax(text: str) -> bool:
    """Whether OpenTofu would read part of `text` as an expression or a directive: a `${` not
    preceded by `$`, or a `%{` not preceded by `%` (its template scanner takes `$${` and `%%{`
    as escapes, and any `$` or `%` before them as text). cdktf tokens aside."""
    return bool(_TEMPLATE.search(_STRING_TOKEN.sub("", text)))


_TEMPLATE = re.compile(r"(?<!\$)\$\{|(?<!%)%\{")
