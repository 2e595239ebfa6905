"""Import a catalogue: many new products, each made exactly as `create_product` makes one (the
same aggregates, rules and events), written in batches of one transaction each.

A line is identified by its SKUs, which are unique in the catalogue. A line whose SKUs belong
to one product with the same content is already imported and is skipped, so a rerun after an
interruption picks up where the last committed batch ended; a line whose SKU belongs to another
product is a conflict. Every line is checked before its batch is written, so a bad line never
stops or half-writes the good ones. Should another writer take one of a batch's SKUs between
the check and the write, the batch is rolled back and checked again: the SKU is then seen as
taken, its line reported, and the others written.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import msgspec

from commerce.application.catalog import CreateProduct, new_product
from commerce.application.commands import command
from commerce.domain.catalog import DuplicateSkuError, Product
from commerce.domain.errors import DomainError
from commerce.domain.inventory import StockItem
from commerce.ports.clock import Clock
from commerce.ports.unit_of_work import UnitOfWorkFactory


class ImportLine(msgspec.Struct, frozen=True):
    number: int
    command: CreateProduct


class RejectedLine(msgspec.Struct, frozen=True):
    number: int
    reason: str


@dataclass
class ImportReport:
    imported: int = 0
    skipped: int = 0
    rejected: list[RejectedLine] = field(default_factory=list)
    last_line: int = 0  # the number of the last line this report covers


@dataclass
class _Candidate:
    """A line that passed every check of its own, and the aggregates it makes."""

    line: ImportLine
    product: Product
    stock: list[StockItem]

    @property
    def skus(self) -> list[str]:
        return [variant.sku for variant in self.line.command.variants]


@dataclass
class _Batch:
    candidates: list[_Candidate] = field(default_factory=list)
    rejected: list[RejectedLine] = field(default_factory=list)  # by the checks of their own
    last_line: int = 0


@dataclass
class _Importer:
    new_uow: UnitOfWorkFactory
    clock: Clock
    currency: str
    report: ImportReport = field(default_factory=ImportReport)
    # Each SKU of the file, with the line that named it first.
    first_lines: dict[str, int] = field(default_factory=dict)

    def check(self, line: ImportLine | RejectedLine, batch: _Batch) -> None:
        batch.last_line = line.number
        if isinstance(line, RejectedLine):
            batch.rejected.append(line)
            return
        try:
            product, stock = new_product(line.command, self.clock.now(), self.currency)
        except DomainError as error:
            batch.rejected.append(RejectedLine(line.number, str(error)))
            return
        candidate = _Candidate(line, product, stock)
        if repeated := [sku for sku in candidate.skus if sku in self.first_lines]:
            reason = f"SKU {repeated[0]} is also on line {self.first_lines[repeated[0]]}"
            batch.rejected.append(RejectedLine(line.number, reason))
            return
        self.first_lines.update(dict.fromkeys(candidate.skus, line.number))
        batch.candidates.append(candidate)

    async def write(self, batch: _Batch) -> None:
        """One transaction for the batch's new products. An attempt that fails on a SKU taken
        meanwhile sees the product that took it on the next one, so the loop ends."""
        candidates = batch.candidates
        for _ in range(len(candidates) + 1):
            try:
                conflicts = await self._write_once(candidates) if candidates else []
            except DuplicateSkuError:
                # The failed commit took the aggregates' events: make them again.
                candidates = [self._remade(candidate) for candidate in candidates]
            else:
                self.report.rejected += sorted(batch.rejected + conflicts, key=_number)
                self.report.last_line = max(self.report.last_line, batch.last_line)
                return
        raise RuntimeError("SKUs kept being taken while a batch was written")

    async def _write_once(self, candidates: Sequence[_Candidate]) -> list[RejectedLine]:
        async with self.new_uow() as uow:
            owners = await uow.products.owners(sku for c in candidates for sku in c.skus)
            fresh, skipped, conflicts = [], 0, []
            for candidate in candidates:
                if not any(sku in owners for sku in candidate.skus):
                    fresh.append(candidate)
                elif (reason := _conflict(candidate, owners)) is None:
                    skipped += 1
                else:
                    conflicts.append(RejectedLine(candidate.line.number, reason))
            for candidate in fresh:
                uow.products.add(candidate.product)
                for item in candidate.stock:
                    uow.stock.add(item)
            await uow.commit()
        self.report.imported += len(fresh)
        self.report.skipped += skipped
        return conflicts

    def _remade(self, candidate: _Candidate) -> _Candidate:
        product, stock = new_product(candidate.line.command, self.clock.now(), self.currency)
        return _Candidate(candidate.line, product, stock)


@command
async def import_products(
    lines: Iterable[ImportLine | RejectedLine],
    new_uow: UnitOfWorkFactory,
    clock: Clock,
    currency: str,
    *,
    batch_size: int = 500,
    on_progress: Callable[[ImportReport], None] = lambda report: None,
) -> ImportReport:
    """Import `lines` in order, `batch_size` products per transaction; `on_progress` hears of
    every batch written. Batches are written one after the other (so an interruption leaves
    the first ones written and no other), each while the lines of the next are checked."""
    importer, batch = _Importer(new_uow, clock, currency), _Batch()
    writing: asyncio.Future[None] | None = None
    for line in lines:
        importer.check(line, batch)
        if len(batch.candidates) >= batch_size:
            await _written(writing, importer.report, on_progress)
            writing, batch = asyncio.ensure_future(importer.write(batch)), _Batch()
        elif writing is not None and not writing.done():
            await asyncio.sleep(0)  # the batch being written moves on between lines
    await _written(writing, importer.report, on_progress)
    await importer.write(batch)
    on_progress(importer.report)
    return importer.report


async def _written(
    writing: asyncio.Future[None] | None,
    report: ImportReport,
    on_progress: Callable[[ImportReport], None],
) -> None:
    if writing is not None:
        await writing
        on_progress(report)


def _number(line: RejectedLine) -> int:
    return line.number


def _conflict(candidate: _Candidate, owners: dict[str, Product]) -> str | None:
    """Why the line cannot be imported beside the products that own its SKUs; `None` when the
    one owner is what this line makes (imported before)."""
    found = {owners[sku].id: owners[sku] for sku in candidate.skus if sku in owners}
    owner = next(iter(found.values()))
    if len(found) > 1 or {v.sku for v in owner.variants} != set(candidate.skus):
        taken = ", ".join(f"{s} (product {owners[s].id})" for s in candidate.skus if s in owners)
        return f"SKU already used by another product: {taken}"
    if differences := _differences(owner, candidate.line.command):
        return f"product {owner.id} has these SKUs but a different {', '.join(differences)}"
    return None


def _differences(product: Product, command: CreateProduct) -> list[str]:
    details, wanted = product.details, command.details
    names = [
        name for name in wanted.__struct_fields__ if getattr(details, name) != getattr(wanted, name)
    ]
    made = [(v.sku, v.price, v.attributes) for v in product.variants]
    if made != [(v.sku, v.price, v.attributes) for v in command.variants]:
        names.append("variants")
    return names
