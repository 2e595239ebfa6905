"""What a JSON body must be before a route sees it, whatever the route: exactly the fields its
type declares, text a person typed (no control characters, in keys too; a type declared with
`MULTILINE_PATTERN` may hold tabs and line breaks), and every value of its declared JSON type,
never coerced (`"1"` is not a number, `1.0` not an integer, `"true"` not a boolean).

Litestar converts bodies leniently (it converts query strings and bodies in one go), so the
request class converts them here first, strictly, and hands Litestar the result: msgspec
passes an instance of the target type through, so the body is converted once.
"""

from __future__ import annotations

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
_OBJECTS = (mi.StructType, mi.TypedDictType, mi.DataclassType)
# The types in a union that can take a JSON value of each kind.
_KINDS: dict[type, tuple[type[mi.Type], ...]] = {
    dict: (*_OBJECTS, mi.DictType),
    list: (mi.ListType, mi.SetType, mi.FrozenSetType, mi.VarTupleType),
    str: (mi.StrType,),
}

Problem = tuple[str, str]  # (field, message)


def checked_body(document: Any, body_type: Any) -> Any:
    """`document`, a decoded JSON body, as a `body_type`; a `ValidationException` (a 422 naming
    each field) unless it is exactly one."""
    problems = list(islice(_problems(document, _info(body_type), ""), MAX_PROBLEMS))
    if not problems:
        try:
            return msgspec.convert(document, body_type, strict=True)
        except msgspec.ValidationError as exc:
            problems = [("body", str(exc))]  # the message names the field: see problems.py
    raise ValidationException(extra=[{"key": key, "message": text} for key, text in problems])


@cache
def _info(body_type: Any) -> mi.Type:
    return mi.type_info(body_type)


def _problems(value: Any, info: mi.Type, path: str) -> Iterator[Problem]:
    info = _narrowed(info, value)
    if isinstance(value, str):
        multiline = isinstance(info, mi.StrType) and info.pattern == MULTILINE_PATTERN
        if (problem := control_characters_problem(value, multiline=multiline)) is not None:
            yield path or "body", problem
    elif isinstance(value, list):
        item = getattr(info, "item_type", _ANY)
        for index, element in enumerate(value):
            yield from _problems(element, item, f"{path}[{index}]")
    elif isinstance(value, dict):
        yield from _object_problems(value, info, path)


def _object_problems(value: dict[str, Any], info: mi.Type, path: str) -> Iterator[Problem]:
    fields = {f.encode_name: f.type for f in info.fields} if isinstance(info, _OBJECTS) else None
    for key, element in value.items():
        field = f"{path}.{key}" if path else key
        if (problem := control_characters_problem(key)) is not None:
            yield field, problem
        elif fields is None:
            yield from _problems(element, getattr(info, "value_type", _ANY), field)
        elif key in fields:
            yield from _problems(element, fields[key], field)
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
