"""数据报送 — for county staff and the 市商务局: submit report forms in the browser, see every receipt
(rejected files too), follow the revisions of a region and period, and download the blank templates.

Reads top to bottom: summary → 上传报表 → 接收回执 → 更正历史 → 空白模板. Each part runs inside
``guarded`` so that an unexpected failure shows one Chinese sentence, never a traceback.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import polars as pl
import streamlit as st

from dashboard import data, ui, upload
from etl import exports, store
from etl.catalog import current as current_catalog
from etl.config import catalog_dir
from etl.messages import ERROR, WARNING

ACCEPTED_LABEL = store.STATUS_LABEL[store.ACCEPTED]  # 已入库
REJECTED_LABEL = store.STATUS_LABEL[store.REJECTED]  # 已退回
# Same greens and reds as the target statuses; the text label always goes with the colour.
RECEIPT_COLORS = {ACCEPTED_LABEL: ui.STATUS_COLORS["达标"], REJECTED_LABEL: ui.STATUS_COLORS["未达标"]}
RECEIPT_ICONS = {ACCEPTED_LABEL: "✔", REJECTED_LABEL: "✖"}
LEVEL_COLORS = {ERROR: ui.STATUS_COLORS["未达标"], WARNING: ui.STATUS_COLORS["滞后"]}
CURRENT_LABEL = "现行"
SUPERSEDED_LABEL = "已被更正"
MIME = {
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".xlsm": "application/vnd.ms-excel.sheet.macroEnabled.12",
    ".csv": "text/csv",
}
UPLOAD_TYPES = ["xlsx", "csv"]
TABS = ["上传报表", "接收回执", "更正历史", "空白模板"]
log = logging.getLogger("ecmon.submissions")
_W = {"回执号": 64, "状态": 78, "接收时间": 122, "文件": 190, "报表": 56, "县区": 66, "期间": 100, "行数": 46,
      "错误数": 52, "警告数": 52, "渠道": 66}
RECEIPT_COLUMNS = {k: st.column_config.TextColumn(width=w) for k, w in _W.items() if k not in ("行数", "错误数", "警告数")} | {
    k: st.column_config.NumberColumn(width=_W[k], format="%d") for k in ("行数", "错误数", "警告数")}


# ---- small helpers (pure) ------------------------------------------------------------------------

def guarded(what: str, fn, *args) -> None:
    """Run one part of the page; an unexpected failure becomes a Chinese message, never a traceback."""
    try:
        fn(*args)
    except Exception as e:  # noqa: BLE001 — the user sees a sentence, the detail goes in a caption and the log
        log.exception("数据报送页面：%s", what)
        st.error(f"{what}时出现意外错误，这部分暂时无法显示。请刷新页面重试；如仍有问题，请联系市商务局。")
        st.caption(f"技术信息：{type(e).__name__}：{ui.plain(str(e)[:300])}")


def fmt_time(text: str | None) -> str:
    if not text:
        return "—"
    try:
        return dt.datetime.fromisoformat(text).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return text[:16].replace("T", " ")


def region_names() -> dict[str, str]:
    return dict(data.regions().select("region_code", "name").iter_rows())


def form_titles() -> dict[str, str]:
    """F1 → 县区电子商务统计表, from the catalog table form_columns."""
    rows = data.q("SELECT DISTINCT form, form_title FROM form_columns ORDER BY form")
    return dict(rows.iter_rows())


def names_text(codes: list, names: dict[str, str], limit: int = 3) -> str:
    shown = [names.get(c, c) if c else "（未识别）" for c in codes]
    if not shown:
        return "—"
    if len(shown) > limit:
        return "、".join(shown[:limit]) + f"等{len(shown)}个"
    return "、".join(shown)


def periods_text(periods: list, limit: int = 3) -> str:
    periods = sorted(p for p in periods if p)
    if not periods:
        return "—"
    if len(periods) > limit:
        return f"{periods[0]}…{periods[-1]}（{len(periods)}个）"
    return "、".join(periods)


def status_label(receipt: dict) -> str:
    return store.STATUS_LABEL.get(receipt["status"], receipt["status"])


def receipts_frame(receipts: list[dict], names: dict[str, str]) -> pl.DataFrame:
    """One row per receipt, newest first, with the columns the user reads."""
    rows = [
        {
            "回执号": r["id"],
            "状态": f"{RECEIPT_ICONS.get(status_label(r), '')} {status_label(r)}",
            "接收时间": fmt_time(r.get("received_at")),
            "文件": r["file"],
            "报表": "、".join(r.get("forms", {})) or "—",
            "县区": names_text(r.get("regions", []), names),
            "期间": periods_text(r.get("periods", [])),
            "行数": r.get("rows", 0),
            "错误数": r.get("errors", 0),
            "警告数": r.get("warnings", 0),
            "渠道": r.get("channel") or "—",
        }
        for r in reversed(receipts)
    ]
    schema = {"回执号": pl.String, "状态": pl.String, "接收时间": pl.String, "文件": pl.String, "报表": pl.String,
              "县区": pl.String, "期间": pl.String, "行数": pl.Int64, "错误数": pl.Int64, "警告数": pl.Int64,
              "渠道": pl.String}
    return pl.DataFrame(rows, schema=schema)


def filter_receipts(receipts: list[dict], status: str | None, region: str | None, form: str | None,
                    text: str = "") -> list[dict]:
    out = []
    for r in receipts:
        if status and status_label(r) != status:
            continue
        if region and region not in (r.get("regions") or []):
            continue
        if form and form not in (r.get("forms") or {}):
            continue
        if text and text.strip().lower() not in r["file"].lower():
            continue
        out.append(r)
    return out


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


def receipt_badge(label: str) -> str:
    color = RECEIPT_COLORS.get(label, "#7F8C8D")
    return (f'<span class="status-badge" style="background:{color};color:#fff;border-radius:4px;padding:2px 8px;'
            f'font-weight:600;font-size:0.85em">{RECEIPT_ICONS.get(label, "")} {label}</span>')


def message_headline(receipt: dict) -> str:
    if receipt["status"] == store.REJECTED:
        return (f"有{receipt['errors']}个错误，未入库；原文件已留存（回执{receipt['id']}）。"
                "请按下表改正后重新提交。")
    if receipt["warnings"]:
        return f"已入库；有{receipt['warnings']}个警告，请核对。"
    return "已入库，没有错误和警告。"


# ---- summary -------------------------------------------------------------------------------------

def summary(receipts: list[dict]) -> None:
    if not receipts:
        st.info("还没有接收任何文件。县区可以在“空白模板”下载报表，填好后在“上传报表”提交。")
        return
    accepted = sum(1 for r in receipts if r["status"] == store.ACCEPTED)
    rejected = len(receipts) - accepted
    last = receipts[-1]
    st.markdown(
        f"**已接收{len(receipts)}个文件：{ACCEPTED_LABEL}{accepted}个，{REJECTED_LABEL}{rejected}个。**　"
        f"最近一次：{fmt_time(last.get('received_at'))} 收到「{ui.plain(last['file'])}」 {receipt_badge(status_label(last))}",
        unsafe_allow_html=True,
    )


# ---- 1. upload -----------------------------------------------------------------------------------

def _signature(files: list) -> tuple:
    return tuple((f.name, f.size) for f in files)


def show_result(result: upload.Result) -> None:
    show = {"success": st.success, "warning": st.warning, "error": st.error, "info": st.info}[result.level]
    show(f"**{result.headline}**", icon={"success": ":material/check_circle:", "warning": ":material/warning:",
                                         "error": ":material/error:", "info": ":material/info:"}[result.level])
    show_table(result.files, "结果", {ACCEPTED_LABEL: RECEIPT_COLORS[ACCEPTED_LABEL],
                                       REJECTED_LABEL: RECEIPT_COLORS[REJECTED_LABEL],
                                       "有错误": RECEIPT_COLORS[REJECTED_LABEL],
                                       "可以提交": RECEIPT_COLORS[ACCEPTED_LABEL]}, key="subm_result_files")
    if result.messages.height:
        st.markdown(f"**问题清单**（错误{result.errors}个，警告{result.warnings}个；行号就是 Excel 左侧的行号）")
        show_messages(result.messages, drop_file=len(result.files) == 1)
        st.download_button("下载问题清单（CSV，可用 Excel 打开）",
                           exports.csv_bytes(result.messages),
                           file_name="问题清单.csv", mime="text/csv", icon=":material/download:",
                           key="subm_result_download")


def upload_section() -> None:
    st.markdown(
        "选择一个或多个填好的报表（.xlsx 或 .csv，可一次多选）。先点 **检查** 看有没有错误；无误后点 **提交入库**。\n\n"
        "- 任何一个文件有错误时，本批文件都**不入库**，但原文件会留存并生成回执，方便核对；\n"
        "- 同一县区、同一期间再次提交时，以最新提交的为准，旧数据保留在“更正历史”中；\n"
        "- 与已入库文件完全相同的文件不会重复入库。"
    )
    n = st.session_state.setdefault("subm_uploader_n", 0)
    files = st.file_uploader("选择报表文件", type=UPLOAD_TYPES, accept_multiple_files=True,
                             key=f"subm_uploader_{n}", help="单个文件不超过50MB；Excel 的多个工作表可以放不同报表")
    files = files or []
    left, right, _ = st.columns([1, 1, 3])
    do_check = left.button("检查", icon=":material/fact_check:", disabled=not files, width="stretch",
                           key="subm_check")
    do_load = right.button("提交入库", type="primary", icon=":material/cloud_upload:", disabled=not files,
                           width="stretch", key="subm_load")
    if do_check or do_load:
        payload = [(f.name, f.getvalue()) for f in files]
        try:
            if do_check:
                with st.spinner("正在检查……"):
                    result = upload.check_uploads(payload)
                st.session_state.subm_result = (_signature(files), result)
            else:
                with st.spinner("正在检查、留存并更新数据……"):
                    result = upload.load_uploads(payload)
                if result.published:  # clear the picker: the files are in; the result stays on screen
                    st.session_state.subm_uploader_n = n + 1
                    st.session_state.subm_result = ((), result)
                else:
                    st.session_state.subm_result = (_signature(files), result)
                st.rerun()  # every part of the app (and the sidebar) reads the new receipts and warehouse
        except Exception as e:  # noqa: BLE001 — the user sees a sentence; the traceback goes to the server log
            log.exception("数据报送页面：处理上传文件")
            st.session_state.pop("subm_result", None)
            st.error("处理文件时出现意外错误，本次提交可能没有完成。请稍后重试；如仍有问题，请把文件发给市商务局。")
            st.caption(f"技术信息：{type(e).__name__}：{ui.plain(str(e)[:300])}")
            return
    saved = st.session_state.get("subm_result")
    if saved and saved[0] == _signature(files):
        show_result(saved[1])


# ---- 2. receipts ---------------------------------------------------------------------------------

def _pick_from_table(ids_key: str, table_key: str, pick_key: str):
    def pick():
        rows = st.session_state[table_key].selection.rows
        ids = st.session_state.get(ids_key, [])
        if rows and rows[0] < len(ids):
            st.session_state[pick_key] = ids[rows[0]]
    return pick


def receipts_section(receipts: list[dict]) -> None:
    if not receipts:
        st.info("还没有接收任何文件。")
        return
    names = region_names()
    titles = form_titles()
    seen_regions = {c for r in receipts for c in (r.get("regions") or []) if c}
    region_opts = [c for c in names if c in seen_regions]
    c1, c2, c3, c4 = st.columns([1, 1, 1.4, 1.6])
    status = c1.selectbox("状态", [None, ACCEPTED_LABEL, REJECTED_LABEL], key="subm_f_status",
                          format_func=lambda s: "全部" if s is None else f"{RECEIPT_ICONS[s]} {s}")
    region = c2.selectbox("县区", [None, *region_opts], key="subm_f_region",
                          format_func=lambda c: "全部县区" if c is None else names.get(c, c))
    form = c3.selectbox("报表", [None, *titles], key="subm_f_form",
                        format_func=lambda f: "全部报表" if f is None else f"{f} {titles[f]}")
    text = c4.text_input("文件名包含", key="subm_f_text", placeholder="如：龙川、更正")
    shown = filter_receipts(receipts, status, region, form, text)
    frame = receipts_frame(shown, names)
    st.caption(f"共{len(receipts)}个回执，符合条件{len(shown)}个（最新的在上面）。点表格最左侧可选中一个回执，下方显示它的详情。")
    if not shown:
        st.info("没有符合条件的回执。")
        return
    ids = frame["回执号"].to_list()
    st.session_state.subm_receipt_ids = ids
    show_table(frame, "状态", RECEIPT_COLORS, key="subm_receipt_table", on_select=_pick_from_table(
        "subm_receipt_ids", "subm_receipt_table", "subm_receipt_pick"), selection_mode="single-row",
        height=min(38 + 35 * len(shown), 360),
        column_config=RECEIPT_COLUMNS)
    by_id = {r["id"]: r for r in shown}
    if st.session_state.get("subm_receipt_pick") not in by_id:
        st.session_state.subm_receipt_pick = ids[0]
    pick = st.selectbox("查看回执", ids, key="subm_receipt_pick",
                        format_func=lambda i: f"回执{i} · {by_id[i]['file']} · {status_label(by_id[i])}")
    receipt_detail(by_id[pick], names, titles)


def coverage_frame(receipt: dict, names: dict[str, str]) -> pl.DataFrame:
    """What the file speaks for (form, region, period) and, for an accepted file, whether that is still current."""
    pairs = [(form, reg, per) for form, f in (receipt.get("forms") or {}).items() for reg, per in f.get("coverage", [])]
    current: dict[tuple, tuple] = {}
    if receipt["status"] == store.ACCEPTED and pairs:
        hist = data.q(
            "SELECT h.form, h.region_code, h.period, c.receipt_id AS current_id, c.file AS current_file "
            "FROM submission_history h JOIN submission_history c "
            "ON c.form = h.form AND c.region_code = h.region_code AND c.period = h.period AND c.is_current "
            "WHERE h.receipt_id = ?", receipt["id"])
        current = {(f, r, p): (cid, cfile) for f, r, p, cid, cfile in hist.iter_rows()}
    rows = []
    for form, reg, per in pairs:
        if receipt["status"] != store.ACCEPTED:
            state = "未入库"
        elif (form, reg, per) not in current:
            state = "—（数据仓库尚未重建）"
        elif current[(form, reg, per)][0] == receipt["id"]:
            state = f"✔ {CURRENT_LABEL}"
        else:
            cid, cfile = current[(form, reg, per)]
            state = f"↻ {SUPERSEDED_LABEL}（被回执{cid}「{cfile}」替代）"
        rows.append({"报表": form, "县区": names.get(reg, reg) if reg else "（未识别）",
                     "期间": per or "—", "期间说明": ui.fmt_period(per) if per else "—", "状态": state})
    schema = dict.fromkeys(["报表", "县区", "期间", "期间说明", "状态"], pl.String)
    return pl.DataFrame(rows, schema=schema)


def receipt_detail(receipt: dict, names: dict[str, str], titles: dict[str, str]) -> None:
    label = status_label(receipt)
    with st.container(border=True):
        st.markdown(f"#### 回执{receipt['id']}：{ui.plain(receipt['file'])} {receipt_badge(label)}", unsafe_allow_html=True)
        forms = "、".join(f"{k} {titles.get(k, '')}（{v['rows']}行）" for k, v in (receipt.get("forms") or {}).items())
        st.markdown(
            f"接收时间：{fmt_time(receipt.get('received_at'))}　渠道：{ui.plain(receipt.get('channel') or '—')}　"
            f"大小：{receipt.get('size', 0) / 1024:,.1f} KB　报表：{forms or '—'}  \n"
            f"留存位置：{ui.plain('received/' + receipt.get('stored_as', ''))}　"
            f"SHA-256：`{receipt.get('sha256', '')[:16]}…`"
        )
        headline = message_headline(receipt)
        (st.error if receipt["status"] == store.REJECTED else st.warning if receipt["warnings"] else st.success)(headline)
        messages = upload.messages_frame(receipt.get("messages") or [])
        if messages.height:
            st.markdown(f"**错误和警告**（{messages.height}条；行号就是 Excel 左侧的行号）")
            show_messages(messages, drop_file=True)
        cov = coverage_frame(receipt, names)
        if cov.height:
            st.markdown("**覆盖范围**（本文件报送的县区和期间；同一县区、期间以最新入库的文件为准）")
            show_table(cov, "状态", {CURRENT_LABEL: RECEIPT_COLORS[ACCEPTED_LABEL], SUPERSEDED_LABEL: ui.STATUS_COLORS["滞后"]},
                       static=True, height=320)
        original = Path(receipt["folder"]) / Path(receipt.get("stored_as") or receipt["file"]).name
        if original.is_file():
            st.download_button(f"下载留存的原文件「{ui.plain(receipt['file'])}」", original.read_bytes(), file_name=receipt["file"],
                               mime=MIME.get(original.suffix.lower(), "application/octet-stream"),
                               icon=":material/download:", key=f"subm_orig_{receipt['id']}")
        else:
            st.warning("找不到留存的原文件（可能已被移动）。")


# ---- 3. revision history -------------------------------------------------------------------------

def history_section() -> None:
    titles = form_titles()
    names = region_names()
    hist = data.q("SELECT form, region_code, period, receipt_id, file, received_at, is_current FROM submission_history")
    if hist.is_empty():
        st.info("还没有入库的文件。")
        return
    revised = (hist.group_by("form", "region_code", "period").agg(pl.len().alias("n"), pl.col("received_at").max())
               .filter(pl.col("n") > 1).sort("received_at", descending=True))
    st.markdown("同一县区、同一期间收到多份文件时，**以最新入库的为准**，先前的文件标为“已被更正”，其数据保留在历史中。")
    if revised.height:
        st.caption("有更正记录的：" + "；".join(
            f"{f} {names.get(r, r)} {ui.fmt_period(p)}（{n}份）"
            for f, r, p, n, _ in revised.head(8).iter_rows()) + ("……" if revised.height > 8 else ""))
    forms = [f for f in titles if f in set(hist["form"].to_list())]
    default = revised.row(0, named=True) if revised.height else None
    c1, c2, c3 = st.columns([1.6, 1, 1])
    form = c1.selectbox("报表", forms, key="subm_h_form", format_func=lambda f: f"{f} {titles[f]}",
                        index=forms.index(default["form"]) if default and default["form"] in forms else 0)
    in_form = hist.filter(pl.col("form") == form)
    regs = [c for c in names if c in set(in_form["region_code"].to_list())]
    dflt_reg = default["region_code"] if default and default["form"] == form and default["region_code"] in regs else None
    if st.session_state.get("subm_h_region") not in regs:
        st.session_state.subm_h_region = dflt_reg or regs[0]
    region = c2.selectbox("县区", regs, key="subm_h_region", format_func=lambda c: names.get(c, c))
    in_region = in_form.filter(pl.col("region_code") == region)
    counts = dict(in_region.group_by("period").len().iter_rows())
    periods = sorted(counts, reverse=True)
    if st.session_state.get("subm_h_period") not in periods:
        dflt = default["period"] if default and default["form"] == form and default["region_code"] == region else None
        st.session_state.subm_h_period = dflt if dflt in periods else periods[0]
    period = c3.selectbox("期间", periods, key="subm_h_period",
                          format_func=lambda p: ui.fmt_period(p) + (f"（{counts[p]}份）" if counts[p] > 1 else ""))
    history_table(form, region, period, names, titles)


def history_table(form: str, region: str, period: str, names: dict[str, str], titles: dict[str, str]) -> None:
    files = data.q(
        "SELECT h.receipt_id, h.file, h.received_at, h.is_current, r.seq, r.channel, "
        f"(SELECT count(*) FROM rows_{form.lower()} x WHERE x.receipt_id = h.receipt_id AND x.region = h.region_code "
        "AND x.cov_period = h.period) AS n_rows "
        "FROM submission_history h JOIN receipts r USING (receipt_id) "
        "WHERE h.form = ? AND h.region_code = ? AND h.period = ? ORDER BY r.seq", form, region, period)
    if files.is_empty():
        st.info("这个县区和期间没有入库的文件。")
        return
    current_id = files.filter(pl.col("is_current"))["receipt_id"][0]
    place = f"{names.get(region, region)} {ui.fmt_period(period)}的{form} {titles.get(form, '')}"
    if files.height == 1:
        st.markdown(f"**{place}**：只收到1份文件，现行数据来自回执{current_id}。")
    else:
        st.markdown(f"**{place}**：先后收到{files.height}份文件，现行数据来自最新的回执{current_id}，"
                    f"之前的{files.height - 1}份已被更正。")
    rows = []
    for i, r in enumerate(files.iter_rows(named=True)):
        rows.append({
            "次序": f"第{i + 1}份",
            "回执号": r["receipt_id"],
            "文件": r["file"],
            "接收时间": r["received_at"].strftime("%Y-%m-%d %H:%M") if r["received_at"] else "—",
            "渠道": r["channel"] or "—",
            "行数": r["n_rows"],
            "状态": f"✔ {CURRENT_LABEL}" if r["is_current"] else f"↻ {SUPERSEDED_LABEL}",
        })
    frame = pl.DataFrame(rows)
    if form == "F1":  # one row per region and period: show the values each file gave instead of a row count
        frame = frame.drop("渠道", "行数").join(f1_values(region, period), on="回执号", how="left")
    show_table(frame, "状态", {CURRENT_LABEL: RECEIPT_COLORS[ACCEPTED_LABEL], SUPERSEDED_LABEL: ui.STATUS_COLORS["滞后"]},
               static=True)
    if form == "F1" and files.height > 1:
        f1_change(region, period)


F1_FIELDS = ["retail_total", "online_retail", "rural_online_retail"]


def _f1_headers() -> dict[str, str]:
    cols = data.q("SELECT field, header FROM form_columns WHERE form = 'F1'")
    return dict(cols.iter_rows())


def f1_values(region: str, period: str) -> pl.DataFrame:
    """The F1 values each file gave for this region and period, with the template's headers as labels."""
    headers = _f1_headers()
    vals = data.q("SELECT receipt_id, retail_total, online_retail, rural_online_retail FROM f1_history "
                  "WHERE region_code = ? AND period = ?", region, period)
    out = vals.select(pl.col("receipt_id").alias("回执号"),
                      *[pl.col(f).map_elements(lambda v: ui.fmt_number(v, "", 1), return_dtype=pl.String)
                        .alias(headers.get(f, f)) for f in F1_FIELDS])
    return out


def _amount(value) -> str:
    return "未填" if value is None else f"{ui.fmt_number(value, '', 1)}万元"


def f1_change(region: str, period: str) -> None:
    """One line per amount that changed between the first and the current file."""
    headers = _f1_headers()
    vals = data.q("SELECT f.receipt_id, f.retail_total, f.online_retail, f.rural_online_retail, f.is_current "
                  "FROM f1_history f JOIN receipts r USING (receipt_id) "
                  "WHERE f.region_code = ? AND f.period = ? ORDER BY r.seq", region, period)
    if vals.height < 2:
        return
    before, after = vals.row(-2, named=True), vals.row(-1, named=True)
    lines = []
    for f in F1_FIELDS:
        a, b = before[f], after[f]
        if a == b:
            continue
        label = headers.get(f, f).split("（")[0]
        delta = "" if a in (None, 0) or b is None else f"（{(b - a) / a * 100:+.1f}%）"
        # the same 万元 with one decimal as the table above, so the two can be read side by side
        lines.append(f"- {label}：{_amount(a)} → **{_amount(b)}**{delta}")
    if lines:
        st.markdown(f"**回执{after['receipt_id']}相对于上一份（回执{before['receipt_id']}）的改动：**\n" + "\n".join(lines))
    else:
        st.markdown(f"回执{after['receipt_id']}与上一份（回执{before['receipt_id']}）的数值相同。")


# ---- 4. blank templates --------------------------------------------------------------------------

def _catalog_stamp() -> tuple:
    folder = catalog_dir()
    return tuple((p.name, p.stat().st_mtime_ns) for p in sorted(folder.glob("*")) if p.is_file())


@st.cache_data(show_spinner=False)
def template_bytes(code: str, catalog_stamp: tuple) -> bytes:
    return upload.template_bytes(code)


@st.cache_data(show_spinner=False)
def templates_zip(codes: tuple[str, ...], catalog_stamp: tuple) -> bytes:
    return upload.templates_zip(list(codes))


def templates_section() -> None:
    catalog = current_catalog()
    codes = tuple(catalog.forms)
    stamp = _catalog_stamp()
    cols = data.q("SELECT form, form_title, grain, position, header, required, choices, help FROM form_columns "
                  "ORDER BY form, position")
    st.markdown("模板由系统按最新的报表要求生成，含下拉选项和“填报说明”工作表。请不要修改表头；"
                "<span style='background:#FCE4D6;padding:0 4px'>橙色表头</span>为必填列。", unsafe_allow_html=True)
    st.download_button(f"下载全部{len(codes)}张空白模板（ZIP）", templates_zip(codes, stamp), file_name="河源电商报表空白模板.zip",
                       mime="application/zip", type="primary", icon=":material/folder_zip:", key="subm_tpl_zip")
    grid = st.columns(3)
    for i, code in enumerate(codes):
        form = catalog.forms[code]
        with grid[i % 3].container(border=True):
            st.markdown(f"**{form.label}**")
            st.caption(form.grain)
            st.download_button("下载空白模板（.xlsx）", template_bytes(code, stamp), file_name=upload.template_name(code),
                               mime=MIME[".xlsx"], icon=":material/download:", key=f"subm_tpl_{code}", width="stretch")
    st.markdown("##### 各报表的列和填写要求")
    titles = form_titles()
    pick = st.segmented_control("报表", list(titles), default=next(iter(titles)), key="subm_tpl_form",
                                format_func=lambda f: f"{f} {titles[f]}", label_visibility="collapsed") or next(iter(titles))
    part = cols.filter(pl.col("form") == pick)
    if part.height:
        st.caption(f"{pick} {titles[pick]}：{part['grain'][0]}")
    table = part.select(
        pl.col("position").alias("列序"),
        pl.col("header").alias("表头"),
        pl.when(pl.col("required")).then(pl.lit("必填")).otherwise(pl.lit("选填")).alias("是否必填"),
        pl.col("help").fill_null("").alias("填写要求"),
        pl.col("choices").fill_null("").alias("可选值"),
    )
    show_table(table, "是否必填", {"必填": "#A04000"}, static=True)


# ---- the page ------------------------------------------------------------------------------------

def read_receipts() -> list[dict]:
    try:
        return data.receipts()
    except Exception:  # noqa: BLE001 — e.g. an unreadable receipt.json: say so, keep the rest of the page
        log.exception("数据报送页面：读取回执")
        st.error("读取接收回执时出现意外错误，回执暂时无法显示。请联系市商务局检查数据目录。")
        return []


st.title("数据报送")
receipts = read_receipts()
guarded("读取接收回执", summary, receipts)
tabs = st.tabs(TABS, key="subm_tab", on_change="rerun")
with tabs[0]:
    guarded("上传报表", upload_section)
with tabs[1]:
    guarded("显示接收回执", receipts_section, receipts)
with tabs[2]:
    guarded("显示更正历史", history_section)
with tabs[3]:
    guarded("生成空白模板", templates_section)
