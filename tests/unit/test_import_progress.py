"""What `commerce catalog import` shows while it runs: each rejected line once, as it is
found; a plain line now and then when the output is not a terminal, a bar when it is."""

import io
from pathlib import Path

import pytest

from commerce.application.catalog_import import ImportReport, RejectedLine
from commerce.entrypoints import import_progress
from commerce.entrypoints.import_progress import ImportProgress, count_lines


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_rejected_lines_are_shown_once_and_a_plain_line_every_few_seconds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = iter([0.0, 1.0, 6.0, 6.0, 7.0, 7.0])
    monkeypatch.setattr(import_progress.time, "monotonic", lambda: next(clock))
    output = io.StringIO()
    first = ImportReport(imported=2, rejected=[RejectedLine(3, "not valid JSON")], last_line=3)
    second = ImportReport(
        imported=4, rejected=[*first.rejected, RejectedLine(5, "colour: is not a field")]
    )
    second.last_line = 6

    with ImportProgress(total_lines=6, stream=output) as progress:
        progress(first)  # 1 s in: too early for a progress line
        progress(second)  # 6 s in

    assert output.getvalue().splitlines() == [
        "line 3: not valid JSON",
        "line 5: colour: is not a field",
        "6/6 lines · 4 imported, 0 skipped, 2 rejected (1 products/s)",
    ]


def test_on_a_terminal_the_bar_counts_the_lines_done() -> None:
    terminal = Terminal()

    with ImportProgress(total_lines=10, stream=terminal) as progress:
        progress(ImportReport(imported=4, rejected=[RejectedLine(2, "bad")], last_line=5))

    shown = terminal.getvalue()
    assert "line 2: bad" in shown
    assert "5/10" in shown


def test_lines_are_counted_with_or_without_a_last_line_break(tmp_path: Path) -> None:
    ended, unended = tmp_path / "ended.jsonl", tmp_path / "unended.jsonl"
    ended.write_bytes(b"{}\n{}\n")
    unended.write_bytes(b"{}\n{}")

    assert (count_lines(ended), count_lines(unended)) == (2, 2)
