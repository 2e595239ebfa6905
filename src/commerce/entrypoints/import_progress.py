"""What `commerce catalog import` shows while it runs: a progress bar on a terminal, a plain
line every few seconds otherwise (a log, a CI job), each rejected line as it is found, and a
summary at the end."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from types import TracebackType
from typing import IO, Self

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from commerce.application.catalog_import import ImportReport

PLAIN_EVERY_S = 5.0


class ImportProgress:
    """Call with each report the import hands over; use as a context manager."""

    def __init__(self, total_lines: int, stream: IO[str] | None = None) -> None:
        self.total_lines = total_lines
        self.report = ImportReport()
        self.started = time.monotonic()
        self._stream = stream or sys.stderr
        self._shown_rejections = 0
        self._last_plain = self.started
        self._bar: Progress | None = None
        if self._stream.isatty():
            self._bar = Progress(
                BarColumn(bar_width=20),
                MofNCompleteColumn(),
                TextColumn("lines · {task.fields[summary]}"),
                TimeRemainingColumn(),
                console=Console(file=self._stream),
            )
            self._task = self._bar.add_task("import", total=total_lines, summary="")

    def __enter__(self) -> Self:
        if self._bar is not None:
            self._bar.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._bar is not None:
            self._bar.stop()

    def __call__(self, report: ImportReport) -> None:
        self.report = report
        for rejected in report.rejected[self._shown_rejections :]:
            self._print(f"line {rejected.number}: {rejected.reason}")
        self._shown_rejections = len(report.rejected)
        if self._bar is not None:
            summary = f"{report.imported} new, {report.skipped} skipped, {len(report.rejected)} bad"
            self._bar.update(self._task, completed=report.last_line, summary=summary)
        elif time.monotonic() - self._last_plain >= PLAIN_EVERY_S:
            self._last_plain = time.monotonic()
            self._print(f"{report.last_line}/{self.total_lines} lines · {self.counts()}")

    def counts(self) -> str:
        report, elapsed = self.report, max(time.monotonic() - self.started, 1e-9)
        rate = (report.imported + report.skipped) / elapsed
        return (
            f"{report.imported} imported, {report.skipped} skipped, "
            f"{len(report.rejected)} rejected ({rate:.0f} products/s)"
        )

    def summary(self) -> str:
        return f"{self.counts()} in {time.monotonic() - self.started:.1f} s"

    def _print(self, text: str) -> None:
        if self._bar is not None:
            self._bar.console.print(text, markup=False, highlight=False)
        else:
            print(text, file=self._stream, flush=True)


def count_lines(path: Path) -> int:
    """How many lines the file has (the last one may lack its line break)."""
    count, last = 0, b"\n"
    with path.open("rb") as file:
        while chunk := file.read(1 << 20):
            count += chunk.count(b"\n")
            last = chunk[-1:]
    return count + (last != b"\n")
