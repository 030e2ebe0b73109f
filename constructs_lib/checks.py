"""Rules over construct props: each one small, named after what it checks, declaring the fields
it reads; all of them run, and every problem is reported at once.

A rule reads only values that are known: a value that is a token (a reference to something
made in the same app) raises `NotResolved` when a rule asks for it, and that rule is skipped.
A caller that knows some fields are bad already (a configuration file's type errors) passes
them as `skip`, so the rules that read them do not guess at them.
"""

from __future__ import annotations

import math
import re
import reprlib
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence, TypeVar

Location = tuple[str | int, ...]
Problem = tuple[Location, str]
T = TypeVar("T")


class NotResolved(Exception):
    """A rule asked for a value that is a token: it can be checked only once deployed."""


# How cdktf encodes a token in a string, a list element and a map key (read here, in Python,
# instead of asking jsii for every value a rule reads).
TOKEN_MARKERS = ("${TfToken[", "#{TfToken[", "&{TfToken[")
# cdktf encodes a number token as a double beyond any real value.
NUMBER_TOKEN_MAGNITUDE = 1e280


def is_token(value: object) -> bool:
    """Whether `value` is (or holds) a token, known only when deployed."""
    if isinstance(value, str):
        return any(marker in value for marker in TOKEN_MARKERS)
    # inf and nan are never tokens (and jsii cannot even pass them to ask).
    if isinstance(value, float) and math.isfinite(value) and abs(value) > NUMBER_TOKEN_MAGNITUDE:
        from cdktf import Token  # only construct code passes tokens; plain data never needs jsii

        return Token.is_unresolved(value)
    if isinstance(value, (list, tuple)):
        return any(is_token(v) for v in value)
    if isinstance(value, dict):
        return any(is_token(k) or is_token(v) for k, v in value.items())
    return False


def resolved(value: T) -> T:
    """`value`, if it is known at synth; else NotResolved (the calling rule is skipped)."""
    if is_token(value):
        raise NotResolved()
    return value


@dataclass(frozen=True)
class Rule:
    name: str
    fields: frozenset[str]
    check: Callable[..., list[Problem]]


def rule(*fields: str) -> Callable[[Callable[..., list[Problem]]], Rule]:
    """Declare a rule reading `fields` of the props it is given."""

    def register(check: Callable[..., list[Problem]]) -> Rule:
        return Rule(check.__name__, frozenset(fields), check)

    return register


def run_rules(rules: Sequence[Rule], props: object, skip: Iterable[str] = ()) -> list[Problem]:
    """Every problem the rules find, skipping those that read a field in `skip` or a token."""
    skip = set(skip)
    found: list[Problem] = []
    for each in rules:
        if each.fields & skip:
            continue
        try:
            found += each.check(props)
        except NotResolved:
            continue
    return found


def rules_of(namespace: dict) -> list[Rule]:
    """The rules defined in a module or class body, in the order they are written."""
    return [value for value in namespace.values() if isinstance(value, Rule)]


def doc(text: str, **more: object) -> dict:
    """Field metadata: what the field is (the README's tables read it) and more markers."""
    return {"doc": text, **more}


def format_problems(problems: Iterable[Problem]) -> str:
    return "\n".join(safe_line(f"{dotted(loc)}: {message}") for loc, message in problems)


def dotted(loc: Location) -> str:
    """A location as a problem line names it (`tenants[0].id`); a key is shown as text, with
    control characters escaped and a long key cut."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else ("." if text else "") + _cut(escape_controls(str(part)), MAX_KEY)
    return text or "(props)"


# -- problem lines that are safe to print -----------------------------------------------------

# A value shown in a message, a key in a location, a whole line: at most this many characters
# (a file may hold a megabyte-long string; a log line should not).
MAX_SHOWN, MAX_KEY, MAX_LINE = 80, 64, 600
# Characters that would move the cursor, end the line or reorder what follows on a terminal:
# C0 and C1 controls, DEL, line and paragraph separators, bidirectional controls.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def escape_controls(text: str) -> str:
    """`text` with every control character written as its escape (`\\n`, `\\x1b`, `\\u202e`)."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text)} characters)"


def shown(value: object) -> str:
    """A value as a message quotes it: its repr (control characters escaped), cut to
    MAX_SHOWN characters with the length of the whole."""
    if isinstance(value, str) and len(value) > MAX_SHOWN:
        return f"{escape_controls(repr(value[:MAX_SHOWN]))}... ({len(value)} characters)"
    # reprlib: nested lists and tables shown two levels deep (a plain repr of a value nested
    # a thousand levels deep would exhaust the stack).
    return _cut(escape_controls(_REPR.repr(value)), MAX_SHOWN)


_REPR = reprlib.Repr()
_REPR.maxlevel, _REPR.maxstring, _REPR.maxother = 2, MAX_SHOWN, MAX_SHOWN


def safe_line(line: str) -> str:
    """One problem line as printed: no control character (a key or value cannot start a
    second, forged line) and at most MAX_LINE characters."""
    return _cut(escape_controls(line), MAX_LINE)
