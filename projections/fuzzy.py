"""Typo tolerance as Elasticsearch measures it (`fuzziness: AUTO`, first letter exact), for the
requests that ask for it and for the in-memory twins that must answer alike."""

from __future__ import annotations

from functools import lru_cache


def allowed_edits(text: str) -> int:
    """Typos forgiven in a word or a typed prefix: Elasticsearch's `fuzziness: AUTO`, measured
    on `text` (the completion suggester's own AUTO ignores the length and allows one)."""
    return 0 if len(text) < 3 else 1 if len(text) < 6 else 2


def osa_distance(a: str, b: str) -> int:
    """Edit distance counting a swap of two neighbours as one edit, as Lucene's fuzzy
    queries do."""
    rows = [list(range(len(b) + 1))]
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            row[j] = min(rows[i - 1][j] + 1, row[j - 1] + 1, rows[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], rows[i - 2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


@lru_cache(maxsize=65536)
def fuzzy_equal(term: str, word: str) -> bool:
    """`term` matches `word` exactly or within AUTO edits, the first letter exact. Cached: a
    page's highlights ask about the same few words again and again."""
    if term == word:
        return True
    edits = allowed_edits(term)
    return (
        edits > 0
        and term[:1] == word[:1]
        and abs(len(term) - len(word)) <= edits
        and osa_distance(term, word) <= edits
    )


def fuzzy_prefix(key: str, text: str) -> bool:
    """Some prefix of `text` is within AUTO edits of `key` (the completion suggester's fuzzy
    mode: first letter exact, keys shorter than 3 exact)."""
    edits = allowed_edits(key)
    if text.startswith(key):
        return True
    if edits == 0 or key[:1] != text[:1]:
        return False
    lengths = range(max(1, len(key) - edits), min(len(text), len(key) + edits) + 1)
    return any(osa_distance(key, text[:n]) <= edits for n in lengths)
