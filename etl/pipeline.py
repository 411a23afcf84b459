"""check = read + validate; load = check + keep + rebuild (all or nothing over the files of one call)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from etl import store, warehouse
from etl.config import warehouse_path
from etl.forms import Parsed
from etl.guard import parse_guarded
from etl.messages import ERROR, Message


@dataclass
class Outcome:
    """What happened to each file of one check or load."""

    parsed: list[Parsed] = field(default_factory=list)
    receipts: list[dict] = field(default_factory=list)
    unchanged: list[tuple[str, dict]] = field(default_factory=list)  # (file, the earlier receipt) already loaded
    published: bool = False

    @property
    def ok(self) -> bool:
        return all(p.ok for p in self.parsed)


def previous_f1() -> pl.DataFrame | None:
    """The warehouse's current F1 values, for the year-on-year check (None before the first build)."""
    path = warehouse_path()
    if not path.exists():
        return None
    try:
        con = duckdb.connect(str(path), read_only=True)
        try:
            return con.sql("SELECT region, period, retail_total, online_retail FROM current_f1").pl()
        finally:
            con.close()
    except duckdb.Error:
        return None


def check(paths: list[Path], names: list[str] | None = None, on_file=None) -> Outcome:
    previous = previous_f1()
    out = Outcome()
    for i, path in enumerate(paths):
        name = names[i] if names else Path(path).name
        if on_file:
            on_file(name)
        if not Path(path).is_file():
            parsed = Parsed(name, problems=_problems(name, "找不到这个文件（路径不存在或不是文件）"))
        else:
            parsed = parse_guarded(Path(path), name, previous=previous)  # in a worker with limits
            f1 = parsed.tables.get("F1")
            if f1 is not None and f1.height:  # later files of the same batch are checked against this one too
                rows = f1.select("region", "period", "retail_total", "online_retail")
                previous = rows if previous is None else pl.concat([previous.cast(rows.schema), rows])
        out.parsed.append(parsed)
    return out


def _problems(name: str, text: str):
    from etl.messages import Problems

    p = Problems()
    p.error(name, text)
    return p


def load(paths: list[Path], names: list[str] | None = None, channel: str = "命令行", simulated: bool | None = None,
         on_file=None, on_build=None) -> Outcome:
    """Validate every file; if all are clean, keep them and publish a new warehouse, else keep them as
    rejected and change nothing. A file identical to one already loaded changes nothing."""
    with store.locked():
        out = check(paths, names, on_file)
        done = store.accepted_by_hash()
        fresh = []
        seen = set()
        for path, parsed in zip(paths, out.parsed, strict=True):
            data = Path(path).read_bytes() if Path(path).is_file() else None
            if data is None:
                continue
            digest = store.sha256(data)
            if digest in done:
                out.unchanged.append((parsed.file, done[digest]))
            elif digest not in seen:
                seen.add(digest)
                fresh.append((path, parsed, data))
        batch_ok = out.ok
        for path, parsed, data in fresh:
            sim = store.is_simulated(Path(path)) if simulated is None else simulated
            extra = []
            if parsed.ok and not batch_ok:
                extra = [Message(ERROR, parsed.file, "本文件无错误，但同批提交的其他文件有错误，本批文件均未入库；请改正后一并重新提交")]
            status = store.ACCEPTED if batch_ok else store.REJECTED
            out.receipts.append(store.keep(data, parsed.file, parsed, status, extra, channel, sim))
        if batch_ok and fresh:
            warehouse.build(on_build)
            out.published = True
        elif batch_ok and not warehouse_path().exists():
            warehouse.build(on_build)
            out.published = True
    return out
