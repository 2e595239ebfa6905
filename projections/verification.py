"""Comparing a read model with the write side, the pure part of `commerce read-models verify`.

Both sides arrive as streams sorted by id (PostgreSQL by primary key, Elasticsearch by the
document's id field) and are merged as in a merge sort, so neither is ever held in memory
whole. Each side is reduced to the same few facts: named values read from a document's source
the same way on both sides, the expected document being built from the write side by the read
model's own builder. `projections.expectations` says which facts each read model compares and
which documents must exist.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Literal, NamedTuple, Protocol, TypeVar

import msgspec

T = TypeVar("T")
Kind = Literal["missing", "divergent", "unexpected"]
Facts = dict[str, Any]
Source = Mapping[str, Any]
# A value longer than this is cut in a printed line: the id says where to look.
SHOWN_CHARACTERS = 120


def _as_is(value: Any) -> Any:
    return value


class Fact(NamedTuple):
    """A compared value: its label, its dotted path in a document's source, and how to
    reduce what is there to what matters. The version a document was built up to is labelled
    `version` in every read model: a missing or unexpected document is described by it."""

    label: str
    path: str
    read: Callable[[Any], Any] = _as_is


def facts_of(source: Source, facts: Sequence[Fact]) -> Facts:
    """Each value is read as Elasticsearch would hand it back (JSON: lists, not tuples), so a
    document built here and one read from the index compare equal."""
    return {fact.label: fact.read(_as_json(_at(source, fact.path))) for fact in facts}


def _as_json(value: Any) -> Any:
    return msgspec.json.decode(msgspec.json.encode(value))


def _at(source: Source, path: str) -> Any:
    value: Any = source
    for key in path.split("."):
        value = value.get(key) if isinstance(value, Mapping) else None
    return value


class Expected(NamedTuple):
    """What the write side says a document must hold. Not `required`: no document at all is
    as right as one holding `facts`."""

    id: str
    facts: Facts
    required: bool = True


class Found(NamedTuple):
    id: str
    facts: Facts


class FieldDifference(NamedTuple):
    label: str
    expected: Any
    found: Any


class Difference(NamedTuple):
    kind: Kind
    id: str
    # The existing side's facts (missing, unexpected), or each fact that differs (divergent).
    facts: Facts
    fields: tuple[FieldDifference, ...] = ()

    def describe(self) -> str:
        version = f" at version {self.facts['version']}" if "version" in self.facts else ""
        if self.kind == "missing":
            return f"missing: expected a document{version}, found none"
        if self.kind == "unexpected":
            return f"unexpected: found a document{version}, nothing in PostgreSQL"
        shown = (
            f"{f.label}: expected {show(f.expected)}, found {show(f.found)}" for f in self.fields
        )
        return "divergent: " + "; ".join(shown)


def show(value: Any) -> str:
    text = msgspec.json.encode(value).decode()
    if len(text) > SHOWN_CHARACTERS:
        return text[: SHOWN_CHARACTERS - 1] + "…"
    return text


@dataclass
class Summary:
    model: str
    checked: int = 0
    missing: int = 0
    divergent: int = 0
    unexpected: int = 0

    @property
    def differences(self) -> int:
        return self.missing + self.divergent + self.unexpected

    def count(self, difference: Difference) -> None:
        setattr(self, difference.kind, getattr(self, difference.kind) + 1)

    def __str__(self) -> str:
        return (
            f"{self.model}: {self.checked} checked, {self.missing} missing, "
            f"{self.divergent} divergent, {self.unexpected} unexpected"
        )


class UnsortedStreamError(ValueError):
    """A side did not arrive sorted by id: the merge would report false differences."""


def compare(
    expected: Iterable[Expected], found: Iterable[Found], summary: Summary
) -> Iterator[Difference]:
    """Every difference between the two sides, in id order, counted in `summary` with every
    write-side record checked."""
    for want, have in _merged(expected, found):
        if want is not None:
            summary.checked += 1
        difference = _difference(want, have)
        if difference is not None:
            summary.count(difference)
            yield difference


def _merged(
    expected: Iterable[Expected], found: Iterable[Found]
) -> Iterator[tuple[Expected | None, Found | None]]:
    """Each id once, with what each side holds for it."""
    wanted, held = _ascending(expected), _ascending(found)
    want, have = next(wanted, None), next(held, None)
    while want is not None or have is not None:
        if have is None or (want is not None and want.id < have.id):
            yield want, None
            want = next(wanted, None)
        elif want is None or have.id < want.id:
            yield None, have
            have = next(held, None)
        else:
            yield want, have
            want, have = next(wanted, None), next(held, None)


class _Keyed(Protocol):
    @property
    def id(self) -> str: ...


K = TypeVar("K", bound=_Keyed)


def _ascending(items: Iterable[K]) -> Iterator[K]:
    last: str | None = None
    for item in items:
        if last is not None and item.id <= last:
            raise UnsortedStreamError(f"{item.id!r} came after {last!r}")
        last = item.id
        yield item


def _difference(want: Expected | None, have: Found | None) -> Difference | None:
    if have is None:
        assert want is not None
        return Difference("missing", want.id, want.facts) if want.required else None
    if want is None:
        return Difference("unexpected", have.id, have.facts)
    fields = tuple(
        FieldDifference(label, value, have.facts.get(label))
        for label, value in want.facts.items()
        if have.facts.get(label) != value
    )
    return Difference("divergent", want.id, {}, fields) if fields else None


@dataclass(frozen=True)
class ModelCheck(Generic[T]):
    """How to verify one read model: its alias, the keyword field its documents are sorted
    by, the facts compared, and the expected document of one write-side record."""

    name: str
    alias: Callable[[str], str]
    id_field: str
    facts: tuple[Fact, ...]
    expect: Callable[[T], Expected]

    @property
    def source_fields(self) -> list[str]:
        """The only part of each document's source that needs to be read."""
        return [fact.path for fact in self.facts]

    def compare(
        self,
        write_side: Iterable[Sequence[T]],
        documents: Iterable[tuple[str, Source]],
        summary: Summary,
    ) -> Iterator[Difference]:
        """`write_side` in batches and `documents` as (id, source), both sorted by id."""
        expected = (self.expect(record) for batch in write_side for record in batch)
        found = (Found(doc_id, facts_of(source, self.facts)) for doc_id, source in documents)
        return compare(expected, found, summary)
