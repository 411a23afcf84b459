"""Files submitted in the browser: check or load them exactly as the command line does.

Plain functions with no ``st.`` in them, so that they can be tested with real bytes:

    check_uploads([(original_name, bytes), …], person) -> Result   validate and preview; nothing kept
    load_uploads([(original_name, bytes), …], person)  -> Result   validate, keep; waits for a reviewer
    zero_report(code, region, year) -> (name, bytes)               a 零报告 file, made from the blank template
    template_bytes(code), templates_zip()                          the blank forms, made in memory

The bytes are written to a temporary folder under their original names (one sub-folder per file, so two
uploads with the same name do not collide); the pipeline is given the original names, so every message
and every receipt speaks of the file the user chose, never of a temporary path.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from etl import pipeline, store, templates
from etl.catalog import current as current_catalog
from etl.messages import ERROR

CHANNEL = "网页上传"
MESSAGE_COLUMNS = ["文件", "类型", "工作表", "行", "列", "值", "问题"]


@dataclass
class Result:
    """What one check or load of uploaded files came to, ready to show."""

    action: str  # "check" | "load"
    ok: bool  # no errors in any file
    headline: str  # one sentence for the user
    level: str  # "success" | "warning" | "error" | "info": how to show the headline
    files: pl.DataFrame  # one row per file: 文件, 报表, 行数, 错误, 警告, 结果, 回执号
    messages: pl.DataFrame  # MESSAGE_COLUMNS, errors first
    receipt_ids: list[str] = field(default_factory=list)
    published: bool = False
    changes: list = field(default_factory=list)  # every file's preview (etl.preview.Change), in file order

    @property
    def errors(self) -> int:
        return self.messages.filter(pl.col("类型") == ERROR).height

    @property
    def warnings(self) -> int:
        return self.messages.height - self.errors


def _safe_name(name: str, i: int) -> str:
    base = Path(str(name).replace("\\", "/")).name.strip()
    return base or f"上传文件{i + 1}"


def _write(folder: Path, files: list[tuple[str, bytes]]) -> tuple[list[Path], list[str]]:
    paths, names = [], []
    for i, (name, data) in enumerate(files):
        safe = _safe_name(name, i)
        sub = folder / f"{i:03d}"
        sub.mkdir()
        path = sub / store.stored_file_name(safe)  # the pipeline is given ``safe``, the full name, to show
        path.write_bytes(data)
        paths.append(path)
        names.append(safe)
    return paths, names


def messages_frame(problems) -> pl.DataFrame:
    """Messages (etl.messages.Message or their dicts) as a readable table, errors first, in file order."""
    rows = []
    for m in problems:
        d = m if isinstance(m, dict) else m.to_dict()
        rows.append({
            "文件": d.get("file") or "",
            "类型": d.get("level") or "",
            "工作表": d.get("sheet") or "",
            "行": "" if d.get("row") is None else str(d["row"]),
            "列": d.get("column") or "",
            "值": "" if d.get("value") is None else str(d["value"]),
            "问题": d.get("text") or "",
        })
    frame = pl.DataFrame(rows, schema=dict.fromkeys(MESSAGE_COLUMNS, pl.String))
    return frame.with_row_index("_i").sort([pl.col("类型") != ERROR, "_i"]).drop("_i")


def _forms_text(parsed) -> str:
    return "、".join(f"{code}（{df.height}行）" for code, df in parsed.tables.items()) or "—"


def _files_frame(outcome, receipts_by_file: dict[str, dict], unchanged: dict[str, dict], action: str) -> pl.DataFrame:
    rows = []
    for p in outcome.parsed:
        errors, warnings = len(p.problems.errors), len(p.problems.warnings)
        receipt = receipts_by_file.get(p.file)
        earlier = unchanged.get(p.file)
        if action == "check":
            verdict = "有错误，需改正" if errors else "可以提交"
        elif earlier is not None:
            verdict = f"与已入库文件相同（回执{earlier['id']}），未作更改"
        elif receipt is not None:
            verdict = store.STATUS_LABEL.get(receipt["status"], receipt["status"])
        else:
            verdict = "未留存（无法读取）"
        rows.append({
            "文件": p.file,
            "报表": _forms_text(p),
            "行数": sum(df.height for df in p.tables.values()),
            "错误": errors,
            "警告": warnings,
            "结果": verdict,
            "回执号": (receipt or earlier or {}).get("id", ""),
        })
    schema = {"文件": pl.String, "报表": pl.String, "行数": pl.Int64, "错误": pl.Int64, "警告": pl.Int64,
              "结果": pl.String, "回执号": pl.String}
    return pl.DataFrame(rows, schema=schema)


def check_uploads(files: list[tuple[str, bytes]], actor: store.Actor | None = None) -> Result:
    """Validate the files as ``python -m etl check`` does, as ``actor`` would send them (a county clerk's
    rows of another county are errors), and preview what they would change; nothing is kept."""
    with tempfile.TemporaryDirectory(prefix="ecmon-upload-") as tmp:
        paths, names = _write(Path(tmp), files)
        outcome = pipeline.check(paths, names=names, actor=actor)
    messages = messages_frame([m for p in outcome.parsed for m in p.problems])
    n_err = int((messages["类型"] == ERROR).sum())
    n_warn = messages.height - n_err
    rows = sum(df.height for p in outcome.parsed for df in p.tables.values())
    if n_err:
        headline = f"有{n_err}个错误，请按下表改正后再提交（本次只做检查，文件未留存、未入库）"
        level = "error"
    elif n_warn:
        headline = f"检查通过：{len(files)}个文件共{rows}行，另有{n_warn}个警告请核对；可以提交审核"
        level = "warning"
    else:
        headline = f"检查通过：{len(files)}个文件共{rows}行，没有错误和警告；可以提交审核"
        level = "success"
    return Result("check", n_err == 0, headline, level, _files_frame(outcome, {}, {}, "check"), messages,
                  changes=[c for file_changes in outcome.changes for c in file_changes])


def load_uploads(files: list[tuple[str, bytes]], actor: store.Actor, publish: bool = False) -> Result:
    """Check and keep as ``python -m etl load`` does (all or nothing over the files of one call); a web
    submission waits for a reviewer (``publish`` is for tests of the operator's path only)."""
    with tempfile.TemporaryDirectory(prefix="ecmon-upload-") as tmp:
        paths, names = _write(Path(tmp), files)
        outcome = pipeline.load(paths, names=names, actor=actor, simulated=False, publish=publish)
    receipts_by_file = {r["file"]: r for r in outcome.receipts}
    unchanged = {name: earlier for name, earlier in outcome.unchanged}
    messages = messages_frame([m for p in outcome.parsed for m in p.problems])
    n_err = int((messages["类型"] == ERROR).sum())
    n_warn = messages.height - n_err
    ids = [r["id"] for r in outcome.receipts]
    kept = f"原文件已留存（回执{'、'.join(ids)}）" if ids else "原文件已留存"
    if not outcome.ok:
        clean = sum(1 for p in outcome.parsed if p.ok)
        also = f"同批{clean}个无错误的文件也一并未入库；" if clean and len(files) > 1 else ""
        headline = f"有{n_err}个错误，未入库；{also}{kept}。请按下表改正后重新提交。"
        level = "error"
    elif outcome.receipts:
        rows = sum(r["rows"] for r in outcome.receipts)
        done = "已入库，数据已更新" if outcome.published else "已提交，待市商务局审核；审核通过后数据才会发布"
        headline = f"{done}：{len(outcome.receipts)}个文件共{rows}行（回执{'、'.join(ids)}）"
        if unchanged:
            headline += f"；另有{len(unchanged)}个文件与已接收的文件完全相同，未作更改"
        if n_warn:
            headline += f"。有{n_warn}个警告，请核对下表"
        level = "warning" if n_warn else "success"
    elif unchanged:
        first = next(iter(unchanged.values()))
        headline = (f"文件与{first['received_at'][:16].replace('T', ' ')}已接收的文件（回执{first['id']}，"
                    f"{store.STATUS_LABEL[first['status']]}）内容完全相同，数据未作任何更改" if len(unchanged) == 1 else
                    f"{len(unchanged)}个文件都与已接收的文件内容完全相同，数据未作任何更改")
        level = "info"
    else:
        headline = "没有新文件，数据未作任何更改"
        level = "info"
    return Result("load", outcome.ok, headline, level, _files_frame(outcome, receipts_by_file, unchanged, "load"),
                  messages, ids, outcome.published and bool(outcome.receipts),
                  [c for file_changes in outcome.changes for c in file_changes])


def zero_report(code: str, region: str, year: int, catalog=None) -> tuple[str, bytes]:
    """A 零报告 of one form for one county and year: the blank template with 报送方式：零报告, 填报县区 and
    报送年度 filled in (the same file a clerk could fill in by hand)."""
    import openpyxl

    catalog = catalog or current_catalog()
    wb = openpyxl.load_workbook(io.BytesIO(template_bytes(code, catalog)))
    ws = wb.worksheets[0]
    ws["B2"], ws["D2"], ws["F2"] = "零报告", catalog.regions[region].name, int(year)
    buf = io.BytesIO()
    wb.save(buf)
    return f"{catalog.regions[region].name}{year}年{catalog.forms[code].title}零报告.xlsx", buf.getvalue()


# ---- blank templates (generated in memory from the catalog, like ``python -m etl template``) ----------

def template_name(code: str, catalog=None) -> str:
    catalog = catalog or current_catalog()
    return templates.file_name(catalog.forms[code])


def template_bytes(code: str, catalog=None) -> bytes:
    """The blank .xlsx of one form (drop-down lists, required headers marked, a 填报说明 sheet)."""
    catalog = catalog or current_catalog()
    with tempfile.TemporaryDirectory(prefix="ecmon-template-") as tmp:
        path = templates.write_form(catalog.forms[code], catalog, Path(tmp) / template_name(code, catalog))
        return path.read_bytes()


def templates_zip(codes: list[str] | None = None, catalog=None) -> bytes:
    """A zip of the blank templates of ``codes`` (default: every form of the catalog)."""
    catalog = catalog or current_catalog()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for code in codes or list(catalog.forms):
            z.writestr(template_name(code, catalog), template_bytes(code, catalog))
    return buf.getvalue()
