"""What a JSON body must be before a route sees it, whatever the route: exactly the fields its
type declares, text a person typed (no control characters, in keys too; a type declared with
`MULTILINE_PATTERN` may hold tabs and line breaks), and every value of its declared JSON type,
never coerced (`"1"` is not a number, `1.0` not an integer, `"true"` not a boolean).

Litestar converts bodies leniently (it converts query strings and bodies in one go), so the
request class converts them here first, strictly, and hands Litestar the result: msgspec
passes an instance of the target type through, so the body is converted once.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from itertools import islice
from typing import Any

import msgspec
import msgspec.inspect as mi
from litestar.exceptions import ValidationException

from commerce.domain.values import MULTILINE_PATTERN, control_characters_problem

MAX_PROBLEMS = 20
UNKNOWN_FIELD = "is not a field of this body"

_ANY = mi.AnyType()
_NESTED = (dict, list)
_OBJECTS = (mi.StructType, mi.TypedDictType, mi.DataclassType)
# The types in a union that can take a JSON value of each kind.
_KINDS: dict[type, tuple[type[mi.Type], ...]] = {
    dict: (*_OBJECTS, mi.DictType),
    list: (mi.ListType, mi.SetType, mi.FrozenSetType, mi.VarTupleType),
    str: (mi.StrType,),
}

Problem = tuple[str, str]  # (field, message)

# How JSON writes a control character: escaped (DEL as it is). A match may also be the second
# half of an escaped backslash (`\\n`); then the strings are looked at one by one.
_CONTROL_ESCAPE = re.compile(rb"\\(?:u00[01]|[bfnrt])|\x7f")


class InvalidBodyError(ValueError):
    """A document that is not exactly its body type, with each problem as (field, message)."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(f"{field}: {message}" for field, message in problems))
        self.problems = problems


def strict_body(document: Any, body_type: Any) -> Any:
    """`document`, a decoded JSON body, as a `body_type`; an `InvalidBodyError` naming each
    field unless it is exactly one."""
    # Most bodies hold no control character at all: one search over the document as JSON
    # tells, and then its strings need no look one by one (the walk costs 5x the decoding).
    texts = _CONTROL_ESCAPE.search(msgspec.json.encode(document)) is not None
    problems = list(islice(_problems(document, _info(body_type), "", texts), MAX_PROBLEMS))
    if not problems:
        try:
            return msgspec.convert(document, body_type, strict=True)
        except msgspec.ValidationError as exc:
            problems = [("body", str(exc))]  # the message names the field: see problems.py
    raise InvalidBodyError(problems)


def checked_body(document: Any, body_type: Any) -> Any:
    """`strict_body`, with its problems as a `ValidationException` (a 422 naming each field)."""
    try:
        return strict_body(document, body_type)
    except InvalidBodyError as error:
        extra = [{"key": key, "message": text} for key, text in error.problems]
        raise ValidationException(extra=extra) from None


@cache
def _info(body_type: Any) -> mi.Type:
    return mi.type_info(body_type)


def _problems(value: Any, info: mi.Type, path: str, texts: bool) -> Iterator[Problem]:
    """The problems of `value`, at `path`; its strings are looked at only if `texts`."""
    info = _narrowed(info, value)
    if isinstance(value, str):
        multiline = isinstance(info, mi.StrType) and info.pattern == MULTILINE_PATTERN
        if texts and (problem := control_characters_problem(value, multiline=multiline)):
            yield path or "body", problem
    elif isinstance(value, list):
        item = getattr(info, "item_type", _ANY)
        for index, element in enumerate(value):
            if texts or isinstance(element, _NESTED):
                yield from _problems(element, item, f"{path}[{index}]", texts)
    elif isinstance(value, dict):
        yield from _object_problems(value, info, path, texts)


def _object_problems(
    value: dict[str, Any], info: mi.Type, path: str, texts: bool
) -> Iterator[Problem]:
    fields = {f.encode_name: f.type for f in info.fields} if isinstance(info, _OBJECTS) else None
    for key, element in value.items():
        if not (
            texts or isinstance(element, _NESTED) or (fields is not None and key not in fields)
        ):
            continue  # a scalar where one may be: nothing to look at
        field = f"{path}.{key}" if path else key
        if texts and (problem := control_characters_problem(key)):
            yield field, problem
        elif fields is None:
            yield from _problems(element, getattr(info, "value_type", _ANY), field, texts)
        elif key in fields:
            yield from _problems(element, fields[key], field, texts)
        else:
            yield field, UNKNOWN_FIELD


def _narrowed(info: mi.Type, value: Any) -> mi.Type:
    """The type that applies to `value`: unwrapped from its `Annotated` metadata, and in a
    union, the member that takes a JSON value of its kind (any type when none does)."""
    if isinstance(info, mi.Metadata):
        return _narrowed(info.type, value)
    if isinstance(info, mi.UnionType):
        kinds = _KINDS.get(type(value), ())
        members = (_narrowed(member, value) for member in info.types)
        return next((member for member in members if isinstance(member, kinds)), _ANY)
    return info
