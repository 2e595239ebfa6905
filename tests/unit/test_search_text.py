"""The one normaliser used for indexed text and queries alike."""

from concurrent.futures import ThreadPoolExecutor

from projections.text import (
    fold,
    fold_keyword,
    index_text,
    normalise,
    query_terms,
    stem,
    suggestion_key,
    tokens,
)


def test_folding_removes_accents_and_case() -> None:
    assert fold("Café CRÈME Ærø Łódź") == "cafe creme aero lodz"
    assert fold_keyword("  Acme   Straße ") == "acme strasse"


def test_singular_and_plural_share_a_stem() -> None:
    assert normalise("Kettles") == normalise("kettle") == ["kettl"]
    assert normalise("running shoes") == normalise("run shoe")


def test_every_word_becomes_exactly_one_term_in_order() -> None:
    text = "Stainless-steel kettle, 1.7 l (Café_edition)"

    assert index_text(text) == "stainless steel kettl 1 7 l cafe edit"
    assert len(index_text(text).split()) == len(tokens(text))


def test_tokens_keep_their_place_in_the_original_text() -> None:
    text = "A Crème brûlée set"

    assert [(text[t.start : t.end], t.folded) for t in tokens(text)] == [
        ("A", "a"),
        ("Crème", "creme"),
        ("brûlée", "brulee"),
        ("set", "set"),
    ]


def test_query_words_carry_their_unstemmed_spelling_and_synonyms() -> None:
    assert query_terms("TV") == [("tv", "televis")]
    assert query_terms("stainles kettles") == [("stainl", "stainles"), ("kettl", "kettles")]


def test_stopwords_leave_the_query_unless_nothing_else_is_left() -> None:
    assert query_terms("a kettle for the kitchen") == [("kettl", "kettle"), ("kitchen",)]
    assert query_terms("the") == [("the",)]
    assert query_terms("!!!") == []


def test_a_suggestion_key_is_folded_words_without_stemming() -> None:
    assert suggestion_key("  Stainless  Kettles! ") == "stainless kettles"


def test_stemming_from_many_threads_at_once_gives_the_same_stems() -> None:
    words = [f"{base}{suffix}" for base in ("kettle", "grinder", "running") for suffix in "sxyz"]
    expected = {word: stem(word) for word in words}
    uncached = stem.__wrapped__  # every call must really stem, not read the cache

    def stem_all(_: int) -> dict[str, str]:
        return {word: uncached(word) for word in words * 200}

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(stem_all, range(32)))

    assert all(result == expected for result in results)
