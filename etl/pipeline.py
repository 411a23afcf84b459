"""check = read + validate + preview; load = check + keep + publish (or wait for a reviewer).

One ``load`` is all or nothing over its files. The operator's command line publishes at once; a web
submission waits (待审核) until a reviewer approves it (``approve``) or returns it (``send_back``). Every
writer holds ``store.writing()``, starts by finishing what a killed writer left (``store.recover``) and
republishes when the warehouse is behind the store (a build that was killed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from etl import preview, rules, store, warehouse
from etl.catalog import current
from etl.config import warehouse_path
from etl.forms import Parsed, check_file
from etl.guard import read_guarded
from etl.messages import ERROR, Message, Problems
from etl.report.facts import Warehouse


@dataclass
class Outcome:
    """What happened to each file of one check or load."""

    parsed: list[Parsed] = field(default_factory=list)
    changes: list[list[preview.Change]] = field(default_factory=list)  # per file, what it will do / did
    receipts: list[dict] = field(default_factory=list)
    unchanged: list[tuple[str, dict]] = field(default_factory=list)  # (file, the earlier receipt) already in
    published: bool = False

    @property
    def ok(self) -> bool:
        return all(p.ok for p in self.parsed)


class Published:
    """The current published rows of each form, read once from the served warehouse when first asked."""

    def __init__(self):
        self._frames: dict[str, pl.DataFrame | None] = {}

    def __call__(self, code: str) -> pl.DataFrame | None:
        if code not in self._frames:
            self._frames[code] = self._read(code)
        return self._frames[code]

    @staticmethod
    def _read(code: str) -> pl.DataFrame | None:
        path = warehouse_path()
        if not path.exists():
            return None
        try:
            return Warehouse(path).q(f"SELECT * FROM current_{code.lower()}")
        except duckdb.Error:
            return None


def context(actor: store.Actor | None = None, published: Published | None = None) -> rules.Context:
    """What files are checked against: the published data, the locks, and the sender's own region."""
    catalog = current()
    scope = actor.unit if actor is not None and actor.unit else None
    label = catalog.scope_name(scope)
    return rules.Context(published=published or Published(), scope=scope, scope_label=label, locks=store.lock_list())


def _unreadable(name: str, text: str) -> Parsed:
    p = Problems()
    p.error(name, text)
    return Parsed(name, p)


def check(paths: list[Path], names: list[str] | None = None, on_file=None, actor: store.Actor | None = None) -> Outcome:
    """Read and check every file, and preview what each would change in the published data."""
    catalog = current()
    ctx = context(actor)
    out = Outcome()
    for i, path in enumerate(paths):
        name = names[i] if names else Path(path).name
        if on_file:
            on_file(name)
        if not Path(path).is_file():
            parsed = _unreadable(name, "找不到这个文件（路径不存在或不是文件）")
        else:
            parsed = read_guarded(Path(path), name)  # read in a worker process with memory and time limits
            if parsed.sheets:
                check_file(parsed, catalog, ctx)
        changes = []
        if parsed.ok:
            changes = preview.changes(parsed.tables, parsed.coverage(catalog), ctx.published, catalog,
                                      lambda text, p=parsed: p.problems.warning(p.file, text))
        for code, table in parsed.tables.items():  # later files of the same batch are checked against this one
            ctx.batch.setdefault(code, []).append(table)
        out.parsed.append(parsed)
        out.changes.append(changes)
    return out


def load(paths: list[Path], names: list[str] | None = None, actor: store.Actor | None = None,
         simulated: bool | None = None, publish: bool = True, on_file=None, on_build=None,
         submitted_on: dict[str, str] | None = None) -> Outcome:
    """Check every file; if all are clean, keep them and publish (``publish``) or leave them waiting for a
    reviewer, else keep them as rejected and change nothing. A file identical to one already published or
    waiting changes nothing. ``submitted_on``: file name → the date it was sent (back-filled history)."""
    actor = actor or store.Actor.operator()
    with store.writing():
        store.recover()
        out = check(paths, names, on_file, actor)
        done = store.by_hash()
        fresh, seen = [], set()
        for path, parsed in zip(paths, out.parsed, strict=True):
            data = Path(path).read_bytes() if Path(path).is_file() else None
            if data is None:
                continue
            digest = store.sha256(data)
            if digest in done:
                out.unchanged.append((parsed.file, done[digest]))
            elif digest not in seen:
                seen.add(digest)
                fresh.append((path, parsed, data, digest))
        batch_ok = out.ok
        status = (store.ACCEPTED if publish else store.PENDING) if batch_ok else store.REJECTED
        incoming = []
        for path, parsed, data, digest in fresh:
            extra = ()
            if parsed.ok and not batch_ok:
                extra = (Message(ERROR, parsed.file, "本文件无错误，但同批提交的其他文件有错误，本批文件均未入库；请改正后一并重新提交"),)
            incoming.append(store.Incoming(
                data, parsed.file, parsed, status, extra,
                store.is_simulated(Path(path)) if simulated is None else simulated,
                (submitted_on or {}).get(Path(path).name), digest))
        out.receipts = store.keep_batch(incoming, actor)
        if status == store.ACCEPTED and fresh:
            warehouse.build(on_build, actor)
            out.published = True
        elif batch_ok and is_stale():
            warehouse.build(on_build, actor)
            out.published = True
    return out


def is_stale() -> bool:
    """The served warehouse is missing or behind the store (a build was killed, or never ran)."""
    return not warehouse_path().exists() or warehouse.published_version() != store.version()


def approve(seq, actor: store.Actor, on_build=None) -> dict:
    """A reviewer publishes a waiting submission (its rows go live in a new warehouse)."""
    with store.writing():
        store.recover()
        r = store.approve(seq, actor)
        warehouse.build(on_build, actor)
    return r


def send_back(seq, actor: store.Actor, reason: str) -> dict:
    """A reviewer returns a waiting submission with a reason; nothing is published."""
    with store.writing():
        return store.send_back(seq, actor, reason)


def preview_receipt(receipt: dict | int | str, published: Published | None = None) -> list[preview.Change]:
    """What a kept (waiting) submission would change if approved now, against today's published data.
    ``receipt``: the receipt (as ``store.receipts`` gives it) or its number; ``published``: one reader of the
    published rows shared by several previews."""
    r = receipt if isinstance(receipt, dict) else store.receipt(receipt)
    if r is None:
        return []
    folder = Path(r["folder"])
    tables = {code: pl.read_parquet(folder / f"{code}.parquet") for code in r["forms"]
              if (folder / f"{code}.parquet").exists()}
    coverage = {code: [tuple(c) for c in f["coverage"]] for code, f in r["forms"].items()}
    return preview.changes(tables, coverage, published or Published())
