"""How receipts, their messages and a submission's preview are shown: shared by 数据报送 (the county's view)
and 报送审核 (the reviewer's). Every text a user sent (file names, sheet names, values, names of enterprises
and places) is shown as text: through ``ui.plain`` where Streamlit renders Markdown, else in st.dataframe."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import polars as pl
import streamlit as st

from dashboard import data, ui, upload
from etl import preview, store
from etl.messages import ERROR, WARNING

log = logging.getLogger("ecmon.submissions")
LABELS = store.STATUS_LABEL  # accepted 已入库, pending 待审核, returned 已退回, rejected 有错误
ICONS = {store.ACCEPTED: "✔", store.PENDING: "○", store.RETURNED: "↩", store.REJECTED: "✖"}
# Same palette as the target statuses; the text label always goes with the colour.
COLORS = {LABELS[store.ACCEPTED]: ui.STATUS_COLORS["达标"], LABELS[store.PENDING]: ui.STATUS_COLORS["进度正常"],
          LABELS[store.RETURNED]: ui.STATUS_COLORS["滞后"], LABELS[store.REJECTED]: ui.STATUS_COLORS["未达标"]}
LEVEL_COLORS = {ERROR: ui.STATUS_COLORS["未达标"], WARNING: ui.STATUS_COLORS["滞后"]}
MIME = {
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".xlsm": "application/vnd.ms-excel.sheet.macroEnabled.12",
    ".csv": "text/csv",
}
_W = {"回执号": 64, "状态": 78, "接收时间": 122, "文件": 190, "报表": 56, "县区": 66, "期间": 100, "行数": 46,
      "错误数": 52, "警告数": 52, "报送人": 110}
COLUMNS = {k: st.column_config.TextColumn(width=w) for k, w in _W.items() if k not in ("行数", "错误数", "警告数")} | {
    k: st.column_config.NumberColumn(width=_W[k], format="%d") for k in ("行数", "错误数", "警告数")}


def guarded(what: str, fn, *args) -> None:
    """Run one part of a page; an unexpected failure becomes a Chinese message, never a traceback."""
    try:
        fn(*args)
    except Exception as e:  # noqa: BLE001 — the user sees a sentence, the detail goes in a caption and the log
        log.exception("数据报送：%s", what)
        st.error(f"{what}时出现意外错误，这部分暂时无法显示。请刷新页面重试；如仍有问题，请联系市商务局。")
        st.caption(f"技术信息：{type(e).__name__}：{ui.plain(str(e)[:300])}")


def fmt_time(text) -> str:
    if not text:
        return "—"
    if isinstance(text, dt.datetime):
        return text.strftime("%Y-%m-%d %H:%M")
    try:
        return dt.datetime.fromisoformat(text).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return str(text)[:16].replace("T", " ")


def region_names() -> dict[str, str]:
    return dict(data.regions().select("region_code", "name").iter_rows())


def form_titles() -> dict[str, str]:
    return dict(data.q("SELECT DISTINCT form, form_title FROM form_columns ORDER BY form").iter_rows())


def status_label(r: dict) -> str:
    return LABELS.get(r["status"], r["status"])


def names_text(codes: list, names: dict[str, str], limit: int = 3) -> str:
    shown = [names.get(c, c) if c else "（未识别）" for c in codes]
    if not shown:
        return "—"
    return "、".join(shown[:limit]) + (f"等{len(shown)}个" if len(shown) > limit else "")


def periods_text(periods: list, limit: int = 3) -> str:
    periods = sorted(p for p in periods if p)
    if not periods:
        return "—"
    return f"{periods[0]}…{periods[-1]}（{len(periods)}个）" if len(periods) > limit else "、".join(periods)


def receipts_frame(receipts: list[dict], names: dict[str, str]) -> pl.DataFrame:
    """One row per receipt, newest first, with the columns the user reads."""
    rows = [{
        "回执号": r["id"], "状态": f"{ICONS.get(r['status'], '')} {status_label(r)}",
        "接收时间": fmt_time(r.get("received_at")), "文件": r["file"], "报表": "、".join(r.get("forms", {})) or "—",
        "县区": names_text(r.get("regions", []), names), "期间": periods_text(r.get("periods", [])),
        "行数": r.get("rows", 0), "错误数": r.get("errors", 0), "警告数": r.get("warnings", 0),
        "报送人": f"{r.get('user') or '—'}（{r.get('channel') or '—'}）",
    } for r in reversed(receipts)]
    schema = {"回执号": pl.String, "状态": pl.String, "接收时间": pl.String, "文件": pl.String, "报表": pl.String,
              "县区": pl.String, "期间": pl.String, "行数": pl.Int64, "错误数": pl.Int64, "警告数": pl.Int64,
              "报送人": pl.String}
    return pl.DataFrame(rows, schema=schema)


def _color_cells(mapping: dict[str, str]):
    def style(value) -> str:
        for label, color in mapping.items():
            if isinstance(value, str) and label in value:
                return f"color:{color};font-weight:600;white-space:nowrap;min-width:4.6em"
        return ""
    return style


def show_table(frame: pl.DataFrame, color_column: str | None = None, colors: dict | None = None,
               static: bool = False, **kwargs):
    """A polars frame as a table; one text column coloured by its label (the label stays: never colour alone).

    ``static`` tables (st.table) wrap long text, which suits messages; the others are st.dataframe. The cells
    of st.table are Markdown, so there every text cell goes through ``ui.plain`` (file names, values …)."""
    pdf = (ui.plain_frame(frame) if static else frame).to_pandas()
    shown = pdf.style.map(_color_cells(colors), subset=[color_column]) if color_column and len(pdf) else pdf
    if static:
        height = kwargs.pop("height", None)
        return st.table(shown, hide_index=True, height=height if height and len(pdf) > 12 else "content")
    return st.dataframe(shown, hide_index=True, width="stretch", **kwargs)


def show_messages(messages: pl.DataFrame, drop_file: bool = False) -> None:
    """Every error and warning, errors first, in a table that wraps the text."""
    if drop_file:
        messages = messages.drop("文件")
    icons = {ERROR: "✖ 错误", WARNING: "⚠ 警告"}
    messages = messages.with_columns(pl.col("类型").replace(icons))
    if messages.height > 150:
        show_table(messages, "类型", LEVEL_COLORS, height=480,
                   column_config={"问题": st.column_config.TextColumn(width="large")})
    else:
        show_table(messages, "类型", LEVEL_COLORS, static=True, height=480)


def badge(r: dict) -> str:
    label = status_label(r)
    color = COLORS.get(label, "#7F8C8D")
    return (f'<span class="status-badge" style="background:{color};color:#fff;border-radius:4px;padding:2px 8px;'
            f'font-weight:600;font-size:0.85em">{ICONS.get(r["status"], "")} {label}</span>')


# ---- what a submission changes ------------------------------------------------------------------------

def changes_frame(changes: list[preview.Change], names: dict[str, str], titles: dict[str, str]) -> pl.DataFrame:
    rows = [{"报表": f"{c.form} {titles.get(c.form, '')}", "县区或单位": names.get(c.scope, c.scope),
             "期间": ui.fmt_period(c.period), "方式": preview.ACTION_TEXT[c.action], "新增": len(c.added),
             "替换": len(c.replaced), "删除": len(c.removed), "不变": c.unchanged, "保留原有": c.kept} for c in changes]
    schema = {"报表": pl.String, "县区或单位": pl.String, "期间": pl.String, "方式": pl.String, "新增": pl.Int64,
              "替换": pl.Int64, "删除": pl.Int64, "不变": pl.Int64, "保留原有": pl.Int64}
    return pl.DataFrame(rows, schema=schema)


DETAIL_COLUMNS = ["变动", "位置", "行", "原回执", "项目", "原值", "新值"]


def detail_frame(changes: list[preview.Change], names: dict[str, str]) -> pl.DataFrame:
    """Every row a submission adds, replaces or removes; a replaced row once per changed value (项目, 原值 → 新值,
    and the receipt the old value came from), so no change hides at the end of a long cell."""
    rows = []
    for c in changes:
        where = f"{c.form} {names.get(c.scope, c.scope)} {ui.fmt_period(c.period)}"
        rows += [["+ 新增", where, label, "", "", "", ""] for label in c.added]
        rows += [["~ 替换", where, label, rid, h, a, b] for label, rid, diffs in c.replaced
                 for h, a, b in diffs or [("", "", "")]]
        rows += [["- 删除", where, label, rid, "", "", ""] for label, rid in c.removed]
    return pl.DataFrame(rows, schema=dict.fromkeys(DETAIL_COLUMNS, pl.String), orient="row")


def show_changes(changes: list[preview.Change], key: str) -> None:
    """The preview: per form, region and period what the file does, then every changed row."""
    if not changes:
        return
    names, titles = region_names(), form_titles()
    st.markdown("**变更预览**（与已发布的数据相比；审核通过后按此生效）")
    show_table(changes_frame(changes, names, titles), static=True)
    detail = detail_frame(changes, names)
    if detail.height:
        removed = detail.filter(pl.col("变动").str.starts_with("-")).height
        if removed:
            st.warning(f"本次报送将删除已发布的{removed}行数据（见下表“- 删除”），请确认这是本意。", icon=":material/delete:")
        if not detail.filter(pl.col("变动").str.starts_with("~")).height:  # only additions or removals: no values
            detail = detail.drop("项目", "原值", "新值")
        st.dataframe(detail, hide_index=True, width="stretch", height=min(38 + 35 * detail.height, 320), key=key,
                     column_config={"行": st.column_config.TextColumn(width="large")})


# ---- one receipt ------------------------------------------------------------------------------------

def coverage_frame(r: dict) -> pl.DataFrame:
    """What a file speaks for (form, county or unit, period, how) and, once published, whether rows of it still
    stand there or later files replaced them all."""
    names = region_names()
    standing = {}
    if r["status"] == store.ACCEPTED:
        hist = data.q("SELECT form, scope, period, is_current FROM submission_history WHERE receipt_id = ?", r["id"])
        standing = {(f, s_, p): cur for f, s_, p, cur in hist.iter_rows()}
    rows = []
    for form, f in (r.get("forms") or {}).items():
        for scope, period, action in f.get("coverage", []):
            if r["status"] != store.ACCEPTED:
                state = status_label(r)
            elif (form, scope, period) not in standing:
                state = "—（数据仓库尚未重建）"
            else:
                state = "✔ 仍有效" if standing[(form, scope, period)] else "↻ 已被更正（后来的文件替代了它的全部行）"
            rows.append({"报表": form, "县区或单位": names.get(scope, scope), "期间": ui.fmt_period(period),
                         "方式": preview.ACTION_TEXT.get(action, action), "状态": state})
    return pl.DataFrame(rows, schema=dict.fromkeys(["报表", "县区或单位", "期间", "方式", "状态"], pl.String))


def message_headline(r: dict) -> str:
    if r["status"] == store.REJECTED:
        return f"有{r['errors']}个错误，未入库；原文件已留存（回执{r['id']}）。请按下表改正后重新提交。"
    if r["status"] == store.PENDING:
        return "已通过检查，待市商务局审核；审核通过后数据才会发布。" + (f"有{r['warnings']}个警告，请核对。" if r["warnings"] else "")
    if r["status"] == store.RETURNED:
        return f"审核员已退回：{r['reason']}。请按意见修改后重新报送。"
    return "已入库" + (f"；有{r['warnings']}个警告，请核对。" if r["warnings"] else "，没有错误和警告。")


def receipt_detail(r: dict, titles: dict[str, str], show_preview: bool = False) -> None:
    with st.container(border=True):
        st.markdown(f"#### 回执{r['id']}：{ui.plain(r['file'])} {badge(r)}", unsafe_allow_html=True)
        forms = "、".join(f"{k} {titles.get(k, '')}（{v['rows']}行）" for k, v in (r.get("forms") or {}).items())
        who = f"{r.get('user') or '—'}（{r.get('role') or '—'}，{r.get('channel') or '—'}）"
        decided = (f"　审核：{r['decided_by']}（{r['decided_role'] or '—'}）{fmt_time(r['decided_at'])}"
                   if r.get("decided_by") and r["status"] in (store.ACCEPTED, store.RETURNED) and r["channel"] != "命令行" else "")
        st.markdown(
            f"接收时间：{fmt_time(r.get('received_at'))}　报送日期：{r.get('submitted_on') or '—'}　报送人：{ui.plain(who)}"
            f"{ui.plain(decided)}  \n大小：{r.get('size', 0) / 1024:,.1f} KB　报表：{forms or '—'}　"
            f"SHA-256：`{r.get('sha256', '')[:16]}…`")
        level = {store.REJECTED: st.error, store.RETURNED: st.warning, store.PENDING: st.info}.get(
            r["status"], st.warning if r["warnings"] else st.success)
        level(ui.plain(message_headline(r)))
        messages = upload.messages_frame(store.messages(r["seq"]))
        if messages.height:
            st.markdown(f"**错误和警告**（{messages.height}条；行号就是 Excel 左侧的行号）")
            show_messages(messages, drop_file=True)
        coverage = coverage_frame(r)
        if coverage.height:
            st.markdown("**覆盖范围**（本文件报送的报表、县区和期间；已入库的文件是否仍有有效数据）")
            show_table(coverage, "状态", {"仍有效": COLORS[LABELS[store.ACCEPTED]], "已被更正": ui.STATUS_COLORS["滞后"]},
                       static=True, height=320)
        if show_preview and r["status"] == store.PENDING:
            from etl import pipeline

            show_changes(pipeline.preview_receipt(r), key=f"changes_{r['id']}")
        original = Path(r["folder"]) / Path(r.get("stored_as") or r["file"]).name
        if original.is_file():
            st.download_button(f"下载留存的原文件「{ui.plain(r['file'])}」", original.read_bytes(), file_name=r["file"],
                               mime=MIME.get(original.suffix.lower(), "application/octet-stream"),
                               icon=":material/download:", key=f"orig_{r['id']}")
