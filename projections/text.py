"""Text normalisation for search: the one place that turns text into search terms.

The Elasticsearch of the local stack and CI has no `analysis-common` module (no folding,
stemming or synonym filters), so both the indexed text and the query go through the functions
here, and Elasticsearch only splits the result on spaces with its standard analyser.

Every word of the original text becomes exactly one term, in order: that lets a highlight of
the normalised text be mapped back onto the original words (see `tokens`).
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache
from typing import NamedTuple

import snowballstemmer  # type: ignore[import-untyped]

# Letters and digits; `_` and punctuation separate words, as in the standard analyser.
_WORD = re.compile(r"[^\W_]+")
_SPACES = re.compile(r"\s+")
# Letters that Unicode decomposition does not split into a base letter and an accent.
_LETTERS = str.maketrans(
    {"ø": "o", "đ": "d", "ł": "l", "ħ": "h", "ı": "i", "æ": "ae", "œ": "oe", "þ": "th"}
)
# A Snowball stemmer keeps the word it works on in itself: one per thread (the worker and the
# API's thread pool stem concurrently; a shared one fails with IndexError under load).
_STEMMERS = threading.local()

# Dropped from queries (never from the index) unless the query has nothing else.
STOPWORDS = frozenset(
    {"a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "into", "is"}
    | {"it", "of", "on", "or", "the", "to", "with", "without"}
)

# Query-time synonyms, written as plain words; each group's words stand for one another.
SYNONYM_GROUPS: tuple[tuple[str, ...], ...] = (
    ("tv", "television"),
    ("phone", "smartphone", "mobile"),
    ("laptop", "notebook"),
    ("sofa", "couch"),
    ("fridge", "refrigerator"),
    ("headphones", "earphones", "headset"),
    ("tshirt", "tee"),
    ("trainers", "sneakers"),
    ("pram", "stroller", "pushchair"),
)


class Token(NamedTuple):
    """A word of the original text: where it is, and its folded form."""

    start: int
    end: int
    folded: str


def fold(text: str) -> str:
    """Lower-case and strip accents: `Café` and `CAFE` both become `cafe`."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_LETTERS))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold_keyword(text: str) -> str:
    """An exact value (brand, attribute) compared without case, accents or extra spaces."""
    return _SPACES.sub(" ", fold(text)).strip()


def tokens(text: str) -> list[Token]:
    """The words of `text` with their offsets in `text` itself."""
    found = []
    for match in _WORD.finditer(text):
        word = match.group()
        # An ASCII word is letters and digits only, and folding it is lower-casing: the
        # shortcut makes building a document several times cheaper.
        if word.isascii():
            folded = word.lower()
        else:
            folded = "".join(ch for ch in fold(word) if ch.isalnum())
        if folded:
            found.append(Token(match.start(), match.end(), folded))
    return found


def words(text: str) -> list[str]:
    """Folded words, not stemmed: the keys of prefix suggestions."""
    return [token.folded for token in tokens(text)]


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    stemmer = getattr(_STEMMERS, "english", None)
    if stemmer is None:
        stemmer = _STEMMERS.english = snowballstemmer.stemmer("english")
    stemmed: str = stemmer.stemWord(word)
    return stemmed or word


def normalise(text: str) -> list[str]:
    """One search term per word: folded, lower-cased and stemmed (`Kettles` -> `kettl`)."""
    return [stem(word) for word in words(text)]


def index_text(text: str) -> str:
    """What the index stores for a searchable field: its terms, separated by spaces."""
    return " ".join(normalise(text))


def _synonyms() -> dict[str, tuple[str, ...]]:
    table: dict[str, tuple[str, ...]] = {}
    for group in SYNONYM_GROUPS:
        terms = [index_text(word) for word in group]
        for term in terms:
            table[term] = tuple(other for other in terms if other != term)
    return table


SYNONYMS = _synonyms()


def query_terms(query: str, max_terms: int = 16) -> list[tuple[str, ...]]:
    """The query as a list of required words, each with its alternatives: its stem, the word
    itself unstemmed (a typo can throw the stemmer off: `stainles` stems to `stainl`, but is
    one edit from `stainless`), then its synonyms. An alternative holding spaces is several
    terms that must all match."""
    found = tokens(query)
    meaningful = [token for token in found if token.folded not in STOPWORDS] or found
    groups: list[tuple[str, ...]] = []
    for token in meaningful[:max_terms]:
        term = stem(token.folded)
        spellings = (term,) if token.folded == term else (term, token.folded)
        group = (*spellings, *SYNONYMS.get(term, ()))
        if group not in groups:
            groups.append(group)
    return groups


def suggestion_key(text: str) -> str:
    """The form a suggestion input and a typed prefix are compared in: folded words."""
    return " ".join(words(text))
