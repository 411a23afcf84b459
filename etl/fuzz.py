"""Fuzzing the readers: hostile variants of the sample files through ``python -m etl check``.

    uv run python -m etl.fuzz --mutations 1000 --seed 1 [--batch 1] [--keep DIR]

Each mutation turns a file of data/sample/ into a hostile one (byte flips, truncation, zip parts dropped,
damaged, duplicated or lying about their size, a zip bomb, a huge dimension, a cell at XFD1048576, a giant
or a million shared strings, XML entities, deep nesting, impossible numbers, formulas without a value,
dates in 2099, a 20 MB CSV field, too many rows or columns …). The command line checks them in a
subprocess (``--batch`` files a run, each run with its own empty ECMON_HOME); a run's wall time and the
peak memory of its whole process tree (the sum of each process's resident high-water mark, VmHWM, read
from /proc every 20 ms: an upper bound of the tree's peak) are measured.

A file is *refused* when the run names it with ✗ and a Chinese sentence, *accepted* with ✓. A run is a
*traceback* when its output holds "Traceback" or its exit code is neither 0 nor 1, a *crash* when a
signal ended it. tests/test_hostile_files.py runs a bounded number of mutations; the README reports a
full run.
"""

from __future__ import annotations

import argparse
import functools
import io
import os
import random
import re
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
import warnings
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from etl.config import REPO
from etl.reader import decode_text

SAMPLE = REPO / "data" / "sample"
CHINESE = re.compile(r"[\u4e00-\u9fff]")
RUN_TIMEOUT = 120  # a run that takes longer is stopped and counted as a crash


# ------------------------------------------------------------------------------------------ building blocks


def rewrite_parts(xlsx: bytes, change: dict[str, object], add: dict[str, bytes] | None = None) -> bytes:
    """A copy of a workbook with some parts changed: ``change`` maps a part to new bytes, to a function of
    its old bytes, or to None (dropped); ``add`` adds parts (duplicate names allowed)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            new = change.get(info.filename, data)
            if callable(new):
                new = new(data)
            if new is not None:
                dst.writestr(info.filename, new)
        with warnings.catch_warnings():  # a duplicate name is the point of some mutations
            warnings.simplefilter("ignore", UserWarning)
            for name, data in (add or {}).items():
                dst.writestr(zipfile.ZipInfo(name), data, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def sheet_part(xlsx: bytes, rng: random.Random | None = None) -> str:
    names = sorted(n for n in zipfile.ZipFile(io.BytesIO(xlsx)).namelist() if n.startswith("xl/worksheets/"))
    return rng.choice(names) if rng else names[0]


def add_cells(sheet: bytes, cells: bytes) -> bytes:
    """Cells (``<row>`` elements) added at the end of a sheet's data."""
    return sheet.replace(b"</sheetData>", cells + b"</sheetData>", 1) if b"</sheetData>" in sheet else \
        sheet.replace(b"<sheetData/>", b"<sheetData>" + cells + b"</sheetData>", 1)


def set_dimension(sheet: bytes, ref: bytes) -> bytes:
    return re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="' + ref + b'"/>', sheet, count=1)


def lie_about_size(xlsx: bytes, part: str, size: int) -> bytes:
    """The zip's directory (and local header) claim ``size`` unzipped bytes for ``part``."""
    data = bytearray(xlsx)
    name = part.encode()
    cd = data.find(b"PK\x01\x02")
    while cd != -1:
        n = struct.unpack_from("<H", data, cd + 28)[0]
        if data[cd + 46:cd + 46 + n] == name:
            struct.pack_into("<I", data, cd + 24, size)
            local = struct.unpack_from("<I", data, cd + 42)[0]
            struct.pack_into("<I", data, local + 22, size)
        cd = data.find(b"PK\x01\x02", cd + 4)
    return bytes(data)


def giant_shared_string(xlsx: bytes, text: bytes, uses: int) -> bytes:
    """The workbook's only shared string is ``text``, used by ``uses`` more cells of the first sheet."""
    shared = b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' \
             b"<si><t>" + text + b"</t></si></sst>"
    rows = b"".join(b'<row r="%d"><c r="A%d" t="s"><v>0</v></c></row>' % (200 + i, 200 + i) for i in range(uses))
    part = sheet_part(xlsx)
    parts = zipfile.ZipFile(io.BytesIO(xlsx)).namelist()
    change: dict[str, object] = {part: lambda s: add_cells(s, rows)}
    if "xl/sharedStrings.xml" in parts:
        change["xl/sharedStrings.xml"] = shared
        return rewrite_parts(xlsx, change)
    return rewrite_parts(xlsx, change, {"xl/sharedStrings.xml": shared})


BILLION_LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                  + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%s;" % (str(i - 1).encode() if i > 1 else b"")) * 10)
                             for i in range(1, 10))
                  + b']><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol9;</t></si></sst>')

IMPOSSIBLE_NUMBERS = ["inf", "Infinity", "-inf", "NaN", "nan", "1e309", "1" + "0" * 400, "1e308", "1234,5", "12,34",
                      "9" * 40, "0x10", "1_000", "١٢٣", "--5", "1e-400", "∞"]


# ------------------------------------------------------------------------------------------ mutations


def _xlsx(rng: random.Random) -> bytes:
    return rng.choice(sorted(SAMPLE.glob("*.xlsx"))).read_bytes()


def _csv(rng: random.Random) -> bytes:
    return rng.choice(sorted(SAMPLE.glob("*.csv"))).read_bytes()


def _flip(rng, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 20)):
        out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


def m_byte_flips(rng):
    if rng.random() < 0.7:
        return "xlsx", _flip(rng, _xlsx(rng))
    return "csv", _flip(rng, _csv(rng))


def m_truncation(rng):
    data = _xlsx(rng) if rng.random() < 0.7 else _csv(rng)
    kind = "xlsx" if data[:2] == b"PK" else "csv"
    return kind, data[:rng.randrange(1, len(data))]


def m_part_dropped(rng):
    data = _xlsx(rng)
    return "xlsx", rewrite_parts(data, {rng.choice(zipfile.ZipFile(io.BytesIO(data)).namelist()): None})


def m_part_garbage(rng):
    data = _xlsx(rng)
    part = rng.choice(zipfile.ZipFile(io.BytesIO(data)).namelist())
    return "xlsx", rewrite_parts(data, {part: lambda d: _flip(rng, d) if rng.random() < 0.5 else os.urandom(len(d))})


def m_part_duplicated(rng):
    data = _xlsx(rng)
    part = sheet_part(data, rng)
    return "xlsx", rewrite_parts(data, {}, {part: b"<worksheet/>"})


def m_size_lie(rng):
    data = _xlsx(rng)
    part = rng.choice(zipfile.ZipFile(io.BytesIO(data)).namelist())
    return "xlsx", lie_about_size(data, part, rng.choice([1, 10, 2**31 - 1, 2**32 - 1, rng.randrange(2**32)]))


def m_many_parts(rng):
    data = _xlsx(rng)
    return "xlsx", rewrite_parts(data, {}, {f"xl/media/p{i}.bin": b"" for i in range(rng.choice([1_001, 5_000]))})


def m_zip_bomb(rng):
    data = _xlsx(rng)
    size = rng.choice([30, 120]) * (1 << 20)
    if rng.random() < 0.5:  # a sheet of zeros after its data
        return "xlsx", rewrite_parts(data, {sheet_part(data, rng): lambda s: s.replace(b"</worksheet>", b" " * size + b"</worksheet>")})
    return "xlsx", rewrite_parts(data, {}, {"xl/media/image1.png": b"\0" * size})


def m_giant_dimension(rng):
    data = _xlsx(rng)
    return "xlsx", rewrite_parts(data, {sheet_part(data, rng): lambda s: set_dimension(s, b"A1:XFD1048576")})


def m_formatted_far(rng):  # formatted but empty cells far away: must still read
    data = _xlsx(rng)
    cells = b'<row r="1048576" s="1" customFormat="1"><c r="XFD1048576" s="1"/></row>'
    return "xlsx", rewrite_parts(data, {sheet_part(data, rng): lambda s: add_cells(set_dimension(s, b"A1:XFD1048576"), cells)})


def m_far_cell(rng):
    data = _xlsx(rng)
    row, col = rng.choice([(1048576, b"XFD"), (100_001, b"A"), (5_000, b"ALL"), (60_000, b"BZ"), (2**31, b"A")])
    cells = b'<row r="%d"><c r="%s%d"><v>1</v></c></row>' % (row, col, row)
    return "xlsx", rewrite_parts(data, {sheet_part(data, rng): lambda s: add_cells(s, cells)})


def letters(rng: random.Random, n: int) -> bytes:
    return bytes(rng.choices(b"abcdefghijklmnopqrstuvwxyz", k=n))


def m_giant_shared_string(rng):
    text = rng.choice([b"x" * (20 << 20), letters(rng, 40_000), letters(rng, 1 << 20)])
    return "xlsx", giant_shared_string(_xlsx(rng), text, rng.choice([1, 100]))


@functools.cache
def _million_strings() -> bytes:
    strings = b"".join(b"<si><t>s%d</t></si>" % i for i in range(1_000_001))
    return b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' + strings + b"</sst>"


def m_many_shared_strings(rng):
    return "xlsx", rewrite_parts(_xlsx(rng), {"xl/sharedStrings.xml": _million_strings()})


def m_many_cells(rng):  # shared-string cells that would multiply one text, or a wide block of numbers
    data = _xlsx(rng)
    if rng.random() < 0.5:
        rows = b"".join(b'<row r="%d">' % r + b"".join(b'<c r="%s%d"><v>1</v></c>' % (c, r) for c in (b"A", b"ZZ"))
                        + b"</row>" for r in range(300, 3_000))
    else:
        rows = b"".join(b'<row r="%d"><c r="A%d" t="s"><v>0</v></c></row>' % (r, r) for r in range(300, 99_000))
        return "xlsx", giant_shared_string(rewrite_parts(data, {sheet_part(data): lambda s: add_cells(s, rows)}),
                                          letters(rng, 30_000), 1)
    return "xlsx", rewrite_parts(data, {sheet_part(data, rng): lambda s: add_cells(s, rows)})


def m_entities(rng):
    data = _xlsx(rng)
    return "xlsx", rewrite_parts(data, {"xl/sharedStrings.xml": BILLION_LAUGHS})


def m_deep_nesting(rng):
    data = _xlsx(rng)
    depth = rng.choice([1_000, 100_000])
    nest = b"<x>" * depth + b"</x>" * depth
    where = rng.choice([b"<sheetData>", b"</sheetData>"])
    return "xlsx", rewrite_parts(data, {sheet_part(data, rng): lambda s: s.replace(where, where + nest, 1)})


def m_tag_damage(rng):
    data = _xlsx(rng)

    def damage(s: bytes) -> bytes:
        tags = [m.start() for m in re.finditer(rb"</?\w", s)]
        at = rng.choice(tags) if tags else 0
        return s[:at] + rng.choice([b"", b"<", b"<c r=\"A1\">", b"&bogus;", b"\xff\xfe"]) + s[at + rng.randint(0, 6):]
    return "xlsx", rewrite_parts(data, {sheet_part(data, rng): damage})


def m_no_references(rng):  # legal: rows and cells without r="…" (positions follow the order)
    data = _xlsx(rng)
    more = b"".join(b"<row><c><v>%d</v></c><c><v>%d</v></c></row>" % (rng.randrange(10**9), rng.randrange(10**9))
                    for _ in range(rng.choice([0, 1_000, 120_000])))
    return "xlsx", rewrite_parts(data, {sheet_part(data, rng): lambda s: add_cells(re.sub(rb' r="[A-Z]*[0-9]+"', b"", s), more)})


def m_prefixed(rng):  # legal: the same XML with a namespace prefix on every element
    data = _xlsx(rng)

    def prefix(s: bytes) -> bytes:
        s = re.sub(rb"<(/?)(?!\?)([A-Za-z])", rb"<\1x:\2", s)
        return s.replace(b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"',
                         b'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"', 1)
    return "xlsx", rewrite_parts(data, {sheet_part(data, rng): prefix})


def m_impossible_numbers(rng):
    token = rng.choice(IMPOSSIBLE_NUMBERS)
    if rng.random() < 0.5:
        text = decode_text(_csv(rng))
        numbers = re.findall(r'(?<=,)"?[0-9][0-9,.]*"?(?=,|\r?\n)', text)
        for old in rng.sample(numbers, min(len(numbers), rng.randint(1, 5))):
            text = text.replace(old, f'"{token}"', 1)
        return "csv", text.encode("utf-8")
    data = _xlsx(rng)

    def numbers(s: bytes) -> bytes:
        values = [m for m in re.finditer(rb'(<c r="[A-Z]+[0-9]+"(?: s="[0-9]+")?)><v>[0-9.]+</v>', s)]
        for m in reversed(rng.sample(values, min(len(values), rng.randint(1, 5)))):
            cell = m.group(1) + (b"><v>" + token.encode() + b"</v>" if rng.random() < 0.5 else
                                 b' t="inlineStr"><is><t>' + token.encode() + b"</t></is>")
            s = s[:m.start()] + cell + s[m.end():]
        return s
    return "xlsx", rewrite_parts(data, {sheet_part(data, rng): numbers})


def m_formula_without_value(rng):
    data = _xlsx(rng)

    def formulas(s: bytes) -> bytes:
        return re.sub(rb"<v>([0-9.]+)</v>", lambda m: b"<f>1+1</f>" if rng.random() < 0.3 else m.group(0), s)
    return "xlsx", rewrite_parts(data, {sheet_part(data, rng): formulas})


def m_future_dates(rng):
    year = rng.choice([b"2099", b"2100", b"2101", b"2027", b"9999"])
    if rng.random() < 0.5:
        return "csv", re.sub(rb"20[12][0-9]", year, _csv(rng), count=rng.randint(1, 3))
    data = _xlsx(rng)
    return "xlsx", rewrite_parts(data, {"xl/sharedStrings.xml": lambda s: re.sub(rb"20[12][0-9]", year, s, count=3),
                                        sheet_part(data, rng): lambda s: re.sub(rb"<v>20[12][0-9]</v>", b"<v>" + year + b"</v>", s)})


def m_csv_giant_field(rng):
    lines = _csv(rng).split(b"\n")
    at = rng.randrange(len(lines))
    lines[at] = b"x" * rng.choice([40_000, 20 << 20]) + b"," + lines[at]
    return "csv", b"\n".join(lines)


def m_csv_many_rows(rng):
    data = _csv(rng)
    lines = data.rstrip(b"\r\n").split(b"\n")
    return "csv", data + b"\n".join(lines[-1:] * rng.choice([100_001, 300_000])) + b"\n"


def m_csv_many_columns(rng):
    data = _csv(rng)
    return "csv", b"," * rng.choice([5_000, 1_000_000]) + b"\n" + data


def m_csv_binary(rng):
    return "csv", os.urandom(rng.choice([10, 4096, 200_000]))


def m_renamed(rng):
    return ("csv", _xlsx(rng)) if rng.random() < 0.5 else ("xlsx", _csv(rng))


MUTATIONS = {name[2:].replace("_", "-"): fn for name, fn in globals().items() if name.startswith("m_")}


def mutate(rng: random.Random) -> tuple[str, str, bytes]:
    """(kind of mutation, suffix, bytes) of one hostile file."""
    name = rng.choice(sorted(MUTATIONS))
    suffix, data = MUTATIONS[name](rng)
    return name, suffix, data


# ------------------------------------------------------------------------------------------ running


def _children() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            kids.setdefault(ppid, []).append(int(entry))
    return kids


def _hwm(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


@dataclass
class Run:
    files: list[str]
    code: int
    output: str
    wall: float
    peak: int  # bytes: the sum of the resident high-water marks of the run's processes


def run_check(paths: list[Path], home: Path, timeout: float = RUN_TIMEOUT) -> Run:
    """``python -m etl check`` on the files in a subprocess, with its wall time and peak memory."""
    env = {**os.environ, "ECMON_HOME": str(home), "PYTHONPATH": str(REPO)}
    env.pop("ECMON_CATALOG", None)
    start = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "etl", "check", *map(str, paths)], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    seen: dict[int, int] = {}
    done = threading.Event()

    def sample():
        while not done.is_set():
            kids, todo = _children(), [proc.pid]
            while todo:
                pid = todo.pop()
                todo += kids.get(pid, [])
                if (hwm := _hwm(pid)) is not None:
                    seen[pid] = max(seen.get(pid, 0), hwm)
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
    done.set()
    sampler.join()
    return Run([p.name for p in paths], proc.returncode, out.decode("utf-8", "replace"), time.monotonic() - start,
               sum(seen.values()))


def verdicts(run: Run) -> dict[str, str]:
    """Each file of a run: 'accepted', 'refused' (✗ and a Chinese error naming it) or 'unaccounted'."""
    out = {}
    lines = run.output.splitlines()
    for name in run.files:
        if any(line.startswith(f"✓ {name}：") for line in lines):
            out[name] = "accepted"
        elif any(line.startswith(f"✗ {name}：") for line in lines) and any(
                line.strip().startswith(f"错误：文件「{name}」") and CHINESE.search(line.split("」", 1)[1])
                for line in lines):
            out[name] = "refused"
        else:
            out[name] = "unaccounted"
    return out


@dataclass
class Report:
    tried: int = 0
    refused: int = 0
    accepted: int = 0
    unaccounted: int = 0  # a file the run's output does not name (should be 0)
    tracebacks: int = 0  # runs
    crashes: int = 0  # runs
    runs: int = 0
    max_wall: float = 0.0
    max_peak: int = 0
    by_kind: dict[str, Counter] = field(default_factory=dict)
    bad_runs: list[Run] = field(default_factory=list)
    exit_codes: Counter = field(default_factory=Counter)

    def table(self) -> str:
        rows = [("files tried", f"{self.tried:,}"), ("refused (exit 1, a Chinese sentence)", f"{self.refused:,}"),
                ("accepted (exit 0)", f"{self.accepted:,}"), ("unaccounted", f"{self.unaccounted:,}"),
                ("tracebacks (runs)", f"{self.tracebacks:,}"), ("crashes (runs)", f"{self.crashes:,}"),
                ("runs of the command line", f"{self.runs:,}"), ("max wall s (one run)", f"{self.max_wall:.1f}"),
                ("max peak MB (one run, whole process tree)", f"{self.max_peak / (1 << 20):,.0f}")]
        width = max(len(k) for k, _ in rows)
        lines = [f"{k:<{width}}  {v:>8}" for k, v in rows]
        lines += ["", f"{'mutation':<22} {'tried':>6} {'refused':>8} {'accepted':>9}"]
        for kind, c in sorted(self.by_kind.items()):
            lines.append(f"{kind:<22} {sum(c.values()):>6} {c['refused']:>8} {c['accepted']:>9}")
        return "\n".join(lines)


def fuzz(mutations: int, seed: int, batch: int = 1, keep: Path | None = None, log=None) -> Report:
    rng = random.Random(seed)
    report = Report()
    with tempfile.TemporaryDirectory(prefix="ecmon-fuzz-") as tmp:
        folder = keep or Path(tmp) / "files"
        folder.mkdir(parents=True, exist_ok=True)
        pending: list[tuple[str, Path]] = []
        for i in range(mutations):
            kind, suffix, data = mutate(rng)
            path = folder / f"{i:05d}_{kind}.{suffix}"
            path.write_bytes(data)
            pending.append((kind, path))
            if len(pending) == batch or i == mutations - 1:
                run = run_check([p for _, p in pending], Path(tmp) / f"home{i}")
                _count(report, run, pending)
                if log:
                    log(f"{i + 1}/{mutations} exit {run.code} {run.wall:.1f}s {run.peak / (1 << 20):.0f} MB")
                if keep is None:
                    for _, p in pending:
                        p.unlink()
                pending = []
    return report


def _count(report: Report, run: Run, files: list[tuple[str, Path]]) -> None:
    report.runs += 1
    report.exit_codes[run.code] += 1
    report.max_wall = max(report.max_wall, run.wall)
    report.max_peak = max(report.max_peak, run.peak)
    if "Traceback" in run.output or run.code not in (0, 1):
        report.tracebacks += 1
        report.bad_runs.append(run)
    if run.code < 0 or run.code >= 128:
        report.crashes += 1
    found = verdicts(run)
    for kind, path in files:
        verdict = found[path.name]
        report.tried += 1
        setattr(report, verdict, getattr(report, verdict) + 1)
        report.by_kind.setdefault(kind, Counter())[verdict] += 1
        if verdict == "unaccounted" and run not in report.bad_runs:
            report.bad_runs.append(run)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m etl.fuzz", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--mutations", type=int, default=1000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--batch", type=int, default=1, help="files per run of the command line (default 1)")
    p.add_argument("--keep", type=Path, help="keep the hostile files in this folder")
    args = p.parse_args(argv)
    started = time.monotonic()
    report = fuzz(args.mutations, args.seed, args.batch, args.keep,
                  log=lambda s: print(s, file=sys.stderr, flush=True) if sys.stderr.isatty() else None)
    print(report.table())
    print(f"\nexit codes: {dict(report.exit_codes)}; {time.monotonic() - started:.0f} s in all")
    for run in report.bad_runs[:5]:
        print(f"\n--- {run.files} exit {run.code}\n{run.output[-2000:]}")
    return 0 if not report.bad_runs else 1


if __name__ == "__main__":
    sys.exit(main())
