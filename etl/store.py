"""Nothing lost, nothing half-done: every received file is kept byte for byte, and every receipt, decision,
lock and step of the audit trail lives in ONE transactional store, ``$ECMON_HOME/state.sqlite``.

    received/000012_ab12cd34ef56/
        原文件名.xlsx        the file exactly as received
        F1.parquet …        the typed rows of each form (files that passed the checks), read by ``build``
    state.sqlite            receipts, their messages and coverage, decisions, locks, the audit trail
    .lock                   one writer at a time (loads, approvals, builds), across processes

A batch of files is all or nothing across kills: its folders are written first, then ONE database
transaction records their receipts (the commit point). A writer that finds folders without a receipt (a
load killed before its commit, never acknowledged) or half-written temporary files removes them before
it does anything else (``recover``). App processes keep no state of their own: two of them and the command
line share this store.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import getpass
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

from etl.config import REPO, home, received_dir

ACCEPTED = "accepted"  # published: its rows are in the warehouse
PENDING = "pending"  # passed the checks, waits for a reviewer (web submissions)
RETURNED = "returned"  # a reviewer sent it back, with a reason
REJECTED = "rejected"  # failed the checks: kept, never loaded
STATUS_LABEL = {ACCEPTED: "已入库", PENDING: "待审核", RETURNED: "已退回", REJECTED: "有错误"}
SAMPLE_DIR = REPO / "data" / "sample"
MAX_NAME_BYTES = 200

SCHEMA = """
CREATE TABLE IF NOT EXISTS receipts (
    id INTEGER PRIMARY KEY, received_at TEXT NOT NULL, submitted_on TEXT, file TEXT NOT NULL, folder TEXT NOT NULL,
    stored_name TEXT NOT NULL, sha256 TEXT NOT NULL, size INTEGER NOT NULL, channel TEXT NOT NULL,
    simulated INTEGER NOT NULL, status TEXT NOT NULL, user TEXT, role TEXT, unit TEXT, forms TEXT NOT NULL,
    rows INTEGER NOT NULL, errors INTEGER NOT NULL, warnings INTEGER NOT NULL, publish_seq INTEGER,
    decided_by TEXT, decided_role TEXT, decided_at TEXT, reason TEXT);
CREATE TABLE IF NOT EXISTS messages (
    receipt_id INTEGER NOT NULL, position INTEGER NOT NULL, level TEXT, file TEXT, sheet TEXT, "row" INTEGER,
    "column" TEXT, value TEXT, text TEXT, PRIMARY KEY (receipt_id, position));
CREATE TABLE IF NOT EXISTS coverage (
    receipt_id INTEGER NOT NULL, form TEXT NOT NULL, scope TEXT NOT NULL, period TEXT NOT NULL, action TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS coverage_receipt ON coverage (receipt_id);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY, at TEXT NOT NULL, user TEXT, role TEXT, unit TEXT, channel TEXT, action TEXT NOT NULL,
    receipt_id INTEGER, detail TEXT);
CREATE TABLE IF NOT EXISTS locks (
    form TEXT NOT NULL, scope TEXT NOT NULL, period TEXT NOT NULL, user TEXT, at TEXT, PRIMARY KEY (form, scope, period));
CREATE TABLE IF NOT EXISTS published (
    target_id TEXT PRIMARY KEY, actual REAL, actual_period TEXT, version INTEGER, at TEXT);
CREATE TABLE IF NOT EXISTS corrections (
    id INTEGER PRIMARY KEY, at TEXT NOT NULL, user TEXT, role TEXT, target_id TEXT NOT NULL, old_actual REAL,
    old_period TEXT, new_actual REAL, new_period TEXT, receipts TEXT);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
"""


@dataclass(frozen=True)
class Actor:
    """Who does something: recorded on every receipt, decision and event."""

    user: str
    role: str
    unit: str | None = None  # a region code, or a unit's name
    channel: str = "命令行"

    @staticmethod
    def operator() -> Actor:
        """Whoever runs the command line on the server (the operator publishes directly)."""
        with contextlib.suppress(Exception):
            return Actor(f"{getpass.getuser()}@{socket.gethostname()}", "运维人员（命令行）")
        return Actor("unknown", "运维人员（命令行）")


def fault(point: str) -> None:
    """Fault injection for the crash tests: ``ECMON_FAULT=<point>`` kills this process right there with
    SIGKILL, as a power cut or ``kill -9`` would (points: kept, committed, building)."""
    if os.environ.get("ECMON_FAULT") == point:
        os.kill(os.getpid(), signal.SIGKILL)


def now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def db_path() -> Path:
    return home() / "state.sqlite"


def connect() -> sqlite3.Connection:
    """A connection to the state store (created on first use). WAL: readers never wait for the writer."""
    path = db_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(path, timeout=60, isolation_level=None)
    con.row_factory = sqlite3.Row
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=FULL")
    con.executescript(SCHEMA)
    return con


@contextlib.contextmanager
def transaction():
    """One atomic change of the state store."""
    con = connect()
    try:
        con.execute("BEGIN IMMEDIATE")
        yield con
        con.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            con.execute("ROLLBACK")
        raise
    finally:
        con.close()


# ---- one writer at a time ----------------------------------------------------------------------------

_local = threading.RLock()
_depth = {"n": 0, "file": None}


@contextlib.contextmanager
def writing():
    """One writer at a time under ECMON_HOME: loads, approvals and builds from any process queue here.
    Re-entrant within a process (a load that builds holds it once)."""
    with _local:
        if _depth["n"] == 0:
            home().mkdir(parents=True, exist_ok=True)
            f = open(home() / ".lock", "w")  # noqa: SIM115 — closed when the outermost writer leaves
            fcntl.flock(f, fcntl.LOCK_EX)
            _depth["file"] = f
        _depth["n"] += 1
        try:
            yield
        finally:
            _depth["n"] -= 1
            if _depth["n"] == 0:
                f = _depth["file"]
                fcntl.flock(f, fcntl.LOCK_UN)
                f.close()
                _depth["file"] = None


def recover() -> list[str]:
    """Undo what a killed writer left half-done (call while writing): receipt folders that never got their
    receipt (the batch was not committed, nor acknowledged), temporary folders and warehouse files."""
    removed = []
    folder = received_dir()
    known = {r["folder"] for r in _rows("SELECT folder FROM receipts")}
    if folder.exists():
        for d in folder.iterdir():
            if d.is_dir() and (d.name.startswith(".tmp") or d.name not in known):
                shutil.rmtree(d, ignore_errors=True)
                removed.append(f"received/{d.name}")
    for leftover in home().glob(".warehouse-*"):
        with contextlib.suppress(OSError):
            leftover.unlink()
            removed.append(leftover.name)
    if removed:
        log_event(Actor("system", "系统", channel="系统"), "recover", detail={"removed": removed})
    return removed


# ---- receipts ---------------------------------------------------------------------------------------

def _rows(sql: str, params: tuple = ()) -> list[sqlite3.Row]:
    con = connect()
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def receipt_id(seq: int) -> str:
    return f"{seq:06d}"


def _receipt(row: sqlite3.Row) -> dict:
    forms = json.loads(row["forms"])
    coverage = [tuple(c) for f in forms.values() for c in f["coverage"]]
    return {
        "id": receipt_id(row["id"]), "seq": row["id"], "received_at": row["received_at"],
        "submitted_on": row["submitted_on"], "file": row["file"], "stored_as": f"{row['folder']}/{row['stored_name']}",
        "folder": str(received_dir() / row["folder"]), "sha256": row["sha256"], "size": row["size"],
        "channel": row["channel"], "simulated": bool(row["simulated"]), "status": row["status"],
        "user": row["user"], "role": row["role"], "unit": row["unit"], "forms": forms,
        "regions": sorted({c[0] for c in coverage}), "periods": sorted({c[1] for c in coverage}),
        "rows": row["rows"], "errors": row["errors"], "warnings": row["warnings"], "publish_seq": row["publish_seq"],
        "decided_by": row["decided_by"], "decided_role": row["decided_role"], "decided_at": row["decided_at"],
        "reason": row["reason"],
    }


def receipts(status: str | None = None) -> list[dict]:
    """All receipts, oldest first (or those of one status)."""
    if not db_path().exists():
        return []
    sql = "SELECT * FROM receipts" + (" WHERE status = ?" if status else "") + " ORDER BY id"
    return [_receipt(r) for r in _rows(sql, (status,) if status else ())]


def receipt(seq: int | str) -> dict | None:
    if not db_path().exists() or not str(seq).strip().isdigit():
        return None
    rows = _rows("SELECT * FROM receipts WHERE id = ?", (int(seq),))
    return _receipt(rows[0]) if rows else None


MESSAGE_FIELDS = ("level", "file", "sheet", "row", "column", "value", "text")


def messages(seq: int | str) -> list[dict]:
    rows = _rows("SELECT * FROM messages WHERE receipt_id = ? ORDER BY position", (int(seq),))
    return [{k: r[k] for k in MESSAGE_FIELDS} for r in rows]


def all_messages() -> list[tuple]:
    """Every receipt's messages in one read: (receipt id, position, *MESSAGE_FIELDS), by receipt and position."""
    if not db_path().exists():
        return []
    rows = _rows("SELECT * FROM messages ORDER BY receipt_id, position")
    return [(receipt_id(r["receipt_id"]), r["position"], *(r[k] for k in MESSAGE_FIELDS)) for r in rows]


def by_hash(statuses=(ACCEPTED, PENDING)) -> dict[str, dict]:
    """The receipt of each file (by its sha256) that is published or waiting: sending it again changes nothing."""
    return {r["sha256"]: r for r in receipts() if r["status"] in statuses}


def is_simulated(source: Path | None) -> bool:
    if source is None:
        return False
    with contextlib.suppress(ValueError, OSError):
        source.resolve().relative_to(SAMPLE_DIR.resolve())
        return True
    return False


def stored_file_name(original: str) -> str:
    """The name to keep a received file under on disk: the last part of ``original`` without characters a file
    system refuses (``/``, ``\\``, control characters), at most ``MAX_NAME_BYTES`` bytes of UTF-8 with its
    extension kept (a name over 255 bytes cannot be a file). A shortened name ends in ``~`` and 8 hex digits of the
    original's SHA-256, so that two long names stay apart; a name like the rows kept beside it (F1.parquet) gets
    a prefix. The full original name is kept in the receipt (``file``)."""
    name = re.sub(r"[\x00-\x1f\x7f]", "_", str(original).replace("\\", "/").rsplit("/", 1)[-1]).strip()
    if name in ("", ".", ".."):
        name = "upload"
    if name.endswith(".parquet"):
        name = f"原文件_{name}"
    if len(name.encode()) <= MAX_NAME_BYTES:
        return name
    stem, dot, ext = name.rpartition(".")
    suffix = f".{ext}" if dot and stem and len(ext.encode()) <= 16 else ""
    tag = "~" + sha256(str(original).encode())[:8]
    room = MAX_NAME_BYTES - len(suffix.encode()) - len(tag)
    return name[: len(name) - len(suffix)].encode()[:room].decode("utf-8", "ignore") + tag + suffix


@dataclass
class Incoming:
    """One received file on its way into the store."""

    data: bytes
    name: str
    parsed: object  # forms.Parsed (None when the file could not be read at all)
    status: str
    extra_messages: tuple = ()
    simulated: bool = False
    submitted_on: str | None = None
    sha256: str | None = None  # of ``data``, when the caller has it already


def keep_batch(files: list[Incoming], actor: Actor) -> list[dict]:
    """Keep every file of one batch and record their receipts in one transaction (call while writing).
    Accepted files are published at once: they get the next publication numbers."""
    if not files:
        return []
    folder = received_dir()
    folder.mkdir(parents=True, exist_ok=True)
    con = connect()
    try:
        first = 1 + (con.execute("SELECT coalesce(max(id), 0) FROM receipts").fetchone()[0])
        publish = con.execute("SELECT coalesce(max(publish_seq), 0) FROM receipts").fetchone()[0]
    finally:
        con.close()
    at = now()
    written = []
    for i, f in enumerate(files):
        seq = first + i
        digest = f.sha256 or sha256(f.data)
        final = folder / f"{seq:06d}_{digest[:12]}"
        tmp = folder / f".tmp_{seq:06d}_{os.getpid()}"
        tmp.mkdir()
        stored = stored_file_name(f.name)
        (tmp / stored).write_bytes(f.data)
        if f.parsed is not None and f.status in (ACCEPTED, PENDING):
            for code, table in f.parsed.tables.items():
                table.write_parquet(tmp / f"{code}.parquet")
        with open(tmp / stored, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, final)
        written.append((seq, digest, final.name, stored))
    fault("kept")
    with transaction() as con:  # the commit point of the batch
        for f, (seq, digest, folder_name, stored) in zip(files, written, strict=True):
            coverage = f.parsed.coverage() if f.parsed is not None else {}
            forms = {code: {"rows": (f.parsed.tables[code].height if code in f.parsed.tables else 0),
                            "coverage": [list(c) for c in cov]} for code, cov in coverage.items()}
            msgs = [m.to_dict() for m in (f.parsed.problems if f.parsed is not None else [])]
            msgs += [m.to_dict() for m in f.extra_messages]
            publish_seq = None
            if f.status == ACCEPTED:
                publish += 1
                publish_seq = publish
            con.execute(
                "INSERT INTO receipts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (seq, at, f.submitted_on or at[:10], Path(str(f.name).replace("\\", "/")).name or stored, folder_name,
                 stored, digest, len(f.data), actor.channel, int(f.simulated), f.status, actor.user, actor.role,
                 actor.unit, json.dumps(forms, ensure_ascii=False), sum(v["rows"] for v in forms.values()),
                 _count(f, "error_count", "错误"), _count(f, "warning_count", "警告"),
                 publish_seq, actor.user if publish_seq else None, actor.role if publish_seq else None,
                 at if publish_seq else None, None))
            con.executemany("INSERT INTO messages VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            [(seq, i, m["level"], m["file"], m["sheet"], m["row"], m["column"], m["value"], m["text"])
                             for i, m in enumerate(msgs)])
            con.executemany("INSERT INTO coverage VALUES (?, ?, ?, ?, ?)",
                            [(seq, code, *c) for code, v in forms.items() for c in v["coverage"]])
            _event(con, actor, "receive", seq, {"file": f.name, "status": f.status})
            if publish_seq:
                _event(con, actor, "publish", seq, {"publish_seq": publish_seq})
        if any(f.status == ACCEPTED for f in files):
            _bump(con)
    fault("committed")
    return [receipt(seq) for seq, *_ in written]


def _count(f: Incoming, attribute: str, level: str) -> int:
    """How many errors (or warnings) a file had: all of them, also those only summarised in its messages."""
    counted = getattr(f.parsed.problems, attribute) if f.parsed is not None else 0
    return counted + sum(1 for m in f.extra_messages if m.level == level)


# ---- decisions: approve, return, lock -------------------------------------------------------------------

class Refused(Exception):
    """A decision that may not be taken; the message is one Chinese sentence for the user."""


def approve(seq: int | str, actor: Actor) -> dict:
    """Publish a waiting receipt (call while writing). A reviewer never approves their own submission."""
    r = receipt(seq)
    if r is None:
        raise Refused(f"没有回执“{seq}”")
    if r["status"] != PENDING:
        raise Refused(f"回执{r['id']}的状态是“{STATUS_LABEL[r['status']]}”，只有待审核的回执可以审核通过")
    if r["user"] == actor.user:
        raise Refused(f"回执{r['id']}是您本人提交的，须由另一位审核员审核")
    locked = locked_cells(r)
    if locked:
        raise Refused(f"回执{r['id']}涉及已锁定的期间（{'、'.join(locked)}），须先解锁才能审核通过")
    with transaction() as con:
        publish = con.execute("SELECT coalesce(max(publish_seq), 0) FROM receipts").fetchone()[0] + 1
        con.execute("UPDATE receipts SET status = ?, publish_seq = ?, decided_by = ?, decided_role = ?, decided_at = ? "
                    "WHERE id = ? AND status = ?", (ACCEPTED, publish, actor.user, actor.role, now(), r["seq"], PENDING))
        _event(con, actor, "approve", r["seq"], {"publish_seq": publish})
        _bump(con)
    return receipt(r["seq"])


def send_back(seq: int | str, actor: Actor, reason: str) -> dict:
    """Return a waiting receipt to its sender with a reason (the sender sees it on the receipt)."""
    r = receipt(seq)
    reason = (reason or "").strip()
    if r is None:
        raise Refused(f"没有回执“{seq}”")
    if r["status"] != PENDING:
        raise Refused(f"回执{r['id']}的状态是“{STATUS_LABEL[r['status']]}”，只有待审核的回执可以退回")
    if not reason:
        raise Refused("退回时须写明原因，县区据此修改后重新报送")
    with transaction() as con:
        con.execute("UPDATE receipts SET status = ?, decided_by = ?, decided_role = ?, decided_at = ?, reason = ? "
                    "WHERE id = ? AND status = ?", (RETURNED, actor.user, actor.role, now(), reason[:500], r["seq"], PENDING))
        _event(con, actor, "return", r["seq"], {"reason": reason[:500]})
    return receipt(r["seq"])


def locks() -> list[dict]:
    if not db_path().exists():
        return []
    return [dict(r) for r in _rows("SELECT * FROM locks ORDER BY period, form, scope")]


def lock_list() -> list[tuple[str, str, str]]:
    return [(r["form"], r["scope"], r["period"]) for r in locks()]


def lock(form: str, scope: str, period: str, actor: Actor) -> None:
    with transaction() as con:
        con.execute("INSERT OR IGNORE INTO locks VALUES (?, ?, ?, ?, ?)", (form, scope, period, actor.user, now()))
        _event(con, actor, "lock", None, {"form": form, "scope": scope, "period": period})


def unlock(form: str, scope: str, period: str, actor: Actor) -> None:
    with transaction() as con:
        gone = con.execute("DELETE FROM locks WHERE form = ? AND scope = ? AND period = ?", (form, scope, period)).rowcount
        if not gone:
            raise Refused(f"{form} {scope} {period} 没有锁定")
        _event(con, actor, "unlock", None, {"form": form, "scope": scope, "period": period})


def lock_covers(lock: tuple[str, str, str], form: str, scope: str, period: str) -> bool:
    """Whether a lock (form or *, scope or *, period) holds a form's period for a scope: a year's lock holds every
    period of that year (2020 holds 2020Q3 and 2020-09), any other lock its own period only. The one rule for the
    check of a file (rules) and for approving it."""
    lf, ls, lp = lock
    return lf in ("*", form) and ls in ("*", scope) and (period == lp or (len(lp) == 4 and period[:4] == lp))


def locked_cells(r: dict) -> list[str]:
    """The (form, scope, period) of a receipt that fall under a lock."""
    held = lock_list()
    return [f"{form} {scope} {period}" for form, f in r["forms"].items() for scope, period, *_ in f["coverage"]
            if any(lock_covers(lk, form, scope, period) for lk in held)]


# ---- the audit trail and the published version -----------------------------------------------------------

def _event(con: sqlite3.Connection, actor: Actor, action: str, seq: int | None, detail: dict | None = None) -> None:
    con.execute("INSERT INTO events (at, user, role, unit, channel, action, receipt_id, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (now(), actor.user, actor.role, actor.unit, actor.channel, action, seq,
                 json.dumps(detail or {}, ensure_ascii=False)))


def log_event(actor: Actor, action: str, seq: int | None = None, detail: dict | None = None) -> None:
    with transaction() as con:
        _event(con, actor, action, seq, detail)


def events(limit: int | None = None) -> list[dict]:
    if not db_path().exists():
        return []
    sql = "SELECT * FROM events ORDER BY id DESC" + (f" LIMIT {int(limit)}" if limit else "")
    return [dict(r) | {"detail": json.loads(r["detail"] or "{}")} for r in _rows(sql)]


def _bump(con: sqlite3.Connection) -> None:
    con.execute("INSERT INTO meta VALUES ('version', '1') ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1")


def meta(key: str) -> str | None:
    if not db_path().exists():
        return None
    rows = _rows("SELECT value FROM meta WHERE key = ?", (key,))
    return rows[0]["value"] if rows else None


def set_meta(key: str, value) -> None:
    with transaction() as con:
        con.execute("INSERT INTO meta VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, str(value)))


def version() -> int:
    """The state of the published data: it changes with every publication."""
    if not db_path().exists():
        return 0
    rows = _rows("SELECT value FROM meta WHERE key = 'version'")
    return int(rows[0]["value"]) if rows else 0


def record_published(targets: list[tuple[str, float | None, str | None]], actor: Actor | None,
                     receipts_since: list[str]) -> None:
    """Remember the published actual value of every target whose deadline has passed; a value that differs
    from the one published before is a correction (已更正: when, by whom, the old value)."""
    actor = actor or Actor.operator()
    at = now()
    with transaction() as con:
        before = {r["target_id"]: r for r in con.execute("SELECT * FROM published").fetchall()}
        stamp = version()  # the writer's lock is held: it cannot change during the loop
        for target, actual, period in targets:
            old = before.get(target)
            if old is not None and old["actual"] is not None and actual is not None \
                    and abs(old["actual"] - actual) > 1e-9 * max(1.0, abs(actual)):
                con.execute("INSERT INTO corrections (at, user, role, target_id, old_actual, old_period, new_actual, "
                            "new_period, receipts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            (at, actor.user, actor.role, target, old["actual"], old["actual_period"], actual, period,
                             "、".join(receipts_since)))
            con.execute("INSERT OR REPLACE INTO published VALUES (?, ?, ?, ?, ?)", (target, actual, period, stamp, at))


def corrections() -> list[dict]:
    if not db_path().exists():
        return []
    return [dict(r) for r in _rows("SELECT * FROM corrections ORDER BY id")]
