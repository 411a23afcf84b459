"""Nothing lost: every received file is kept byte for byte under ECMON_HOME with its hash and a receipt.

    received/000012_ab12cd34ef56/
        原文件名.xlsx        the file exactly as received
        receipt.json        when, form, regions and periods covered, rows, accepted or rejected, messages
        F1.parquet …        the typed rows of each form (accepted files only), read by ``build``
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
import re
from pathlib import Path

from etl.config import REPO, received_dir

ACCEPTED = "accepted"
REJECTED = "rejected"
STATUS_LABEL = {ACCEPTED: "已入库", REJECTED: "已退回"}
SAMPLE_DIR = REPO / "data" / "sample"
FORM_CODES = {"F1", "F2", "F3", "F4", "F5", "F6"}
MAX_STORED_NAME = 200  # bytes of UTF-8: file systems refuse names over 255 bytes


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@contextlib.contextmanager
def locked():
    """One writer at a time under ECMON_HOME (loads and builds from several processes queue here)."""
    folder = received_dir()
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".lock", "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def receipts() -> list[dict]:
    """All receipts, oldest first."""
    folder = received_dir()
    if not folder.exists():
        return []
    out = []
    # ".tmp_…" folders are receipts still being written (or left by a crash): not received yet
    for d in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")):
        path = d / "receipt.json"
        if path.exists():
            out.append(json.loads(path.read_text(encoding="utf-8")) | {"folder": str(d)})
    return out


def accepted_by_hash() -> dict[str, dict]:
    return {r["sha256"]: r for r in receipts() if r["status"] == ACCEPTED}


def is_simulated(source: Path | None) -> bool:
    if source is None:
        return False
    with contextlib.suppress(ValueError, OSError):
        source.resolve().relative_to(SAMPLE_DIR.resolve())
        return True
    return False


def stored_file_name(original: str) -> str:
    """The name to keep a received file under on disk: the last part of ``original`` without characters a file
    system refuses (``/``, ``\\``, control characters), at most ``MAX_STORED_NAME`` bytes of UTF-8 with its
    extension kept. A shortened name ends in ``~`` and 8 hex digits of the original's SHA-256, so that two long
    names stay apart. The full original name is kept in the receipt (``file``)."""
    name = re.sub(r"[\x00-\x1f\x7f]", "_", str(original).replace("\\", "/").rsplit("/", 1)[-1]).strip()
    if name in ("", ".", ".."):
        name = "upload"
    if len(name.encode()) <= MAX_STORED_NAME:
        return name
    stem, dot, ext = name.rpartition(".")
    suffix = f".{ext}" if dot and stem and len(ext.encode()) <= 16 else ""
    tag = "~" + sha256(str(original).encode())[:8]
    room = MAX_STORED_NAME - len(suffix.encode()) - len(tag)
    return name[: len(name) - len(suffix)].encode()[:room].decode("utf-8", "ignore") + tag + suffix


def keep(data: bytes, name: str, parsed, status: str, extra_messages=(), channel: str = "命令行",
         simulated: bool = False) -> dict:
    """Write the file, its rows (if accepted) and its receipt; return the receipt."""
    folder = received_dir()
    folder.mkdir(parents=True, exist_ok=True)
    digest = sha256(data)
    existing = [p for p in folder.iterdir() if p.is_dir()]
    seq = 1 + max((int(p.name.split("_")[0]) for p in existing if p.name.split("_")[0].isdigit()), default=0)
    target = folder / f"{seq:06d}_{digest[:12]}"
    tmp = folder / f".tmp_{seq:06d}_{os.getpid()}"
    tmp.mkdir()
    safe_name = Path(name).name or "upload"
    stored_name = stored_file_name(safe_name)  # a name over 255 bytes cannot be a file: kept shortened
    if stored_name == "receipt.json" or (stored_name.endswith(".parquet") and stored_name[:-8] in FORM_CODES):
        stored_name = f"原文件_{stored_name}"  # never overwritten by the receipt or the rows kept beside it
    (tmp / stored_name).write_bytes(data)
    forms = {}
    if parsed is not None:
        coverage = parsed.coverage()
        for code, table in parsed.tables.items():
            forms[code] = {"rows": table.height, "coverage": coverage.get(code, [])}
            if status == ACCEPTED:
                table.write_parquet(tmp / f"{code}.parquet")
    messages = [m.to_dict() for m in (parsed.problems if parsed is not None else [])] + [m.to_dict() for m in extra_messages]
    receipt = {
        "id": f"{seq:06d}",
        "seq": seq,
        "received_at": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "file": safe_name,
        "stored_as": f"{target.name}/{stored_name}",
        "sha256": digest,
        "size": len(data),
        "channel": channel,
        "simulated": simulated,
        "status": status,
        "forms": forms,
        "regions": sorted({r for f in forms.values() for r, _ in f["coverage"]}),
        "periods": sorted({p for f in forms.values() for _, p in f["coverage"]}),
        "rows": sum(f["rows"] for f in forms.values()),
        "errors": sum(1 for m in messages if m["level"] == "错误"),
        "warnings": sum(1 for m in messages if m["level"] == "警告"),
        "messages": messages,
    }
    (tmp / "receipt.json").write_text(json.dumps(receipt, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, target)
    return receipt | {"folder": str(target)}
