"""数据报送 — for county staff: check a form and see what it will change, submit it for review (or a 零报告),
follow every receipt of the own county, the reporting calendar and the revisions, and download the blank
templates. Reviewers decide on the 报送审核 page.

Reads top to bottom: summary → 上传报表 → 回执 → 报送日历 → 更正历史 → 空白模板. Each part runs inside
``guarded`` so that an unexpected failure shows one Chinese sentence, never a traceback.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import streamlit as st

from dashboard import auth, data, ui, upload
from dashboard.receipt_views import (
    COLORS,
    COLUMNS,
    LABELS,
    MIME,
    fmt_time,
    form_titles,
    guarded,
    receipt_detail,
    receipts_frame,
    region_names,
    show_changes,
    show_messages,
    show_table,
    status_label,
)
from etl import access, exports, store
from etl.catalog import current as current_catalog
from etl.config import catalog_dir

CURRENT_LABEL = "现行"
SUPERSEDED_LABEL = "已被更正"
UPLOAD_TYPES = ["xlsx", "csv"]
CALENDAR_COLORS = {"按时报送": "#E3F1E6", "逾期报送": "#FFF4D6", "待审核": "#DCE8F7", "逾期未报": "#F1A9A0", "未到期": "#F3F4F6"}


def mine(receipts: list[dict], person: access.Person) -> list[dict]:
    """The receipts a person may see: every one with ALL_RECEIPTS, else those of the own county (or unit)."""
    if person.can(access.ALL_RECEIPTS) or person.region is None:
        return receipts
    return [r for r in receipts if r.get("unit") == person.region or person.region in (r.get("regions") or [])]


# ---- summary -------------------------------------------------------------------------------------

def summary(receipts: list[dict], person: access.Person) -> None:
    whose = f"{person.scope_label}的" if person.region else ""
    if not receipts:
        st.info(f"还没有接收{whose}任何文件。可以在“空白模板”下载报表，填好后在“上传报表”提交。")
        return
    counts = {s: sum(1 for r in receipts if r["status"] == s) for s in LABELS}
    last = receipts[-1]
    st.markdown(
        f"**已接收{whose}{len(receipts)}个文件：" + "，".join(f"{LABELS[s]}{n}个" for s, n in counts.items() if n) + "。**　"
        f"最近一次：{fmt_time(last['received_at'])} 收到「{ui.plain(last['file'])}」"
        f"（{status_label(last)}）")


# ---- 1. upload -----------------------------------------------------------------------------------

def _signature(files: list) -> tuple:
    return tuple((f.name, f.size) for f in files)


def show_result(result: upload.Result) -> None:
    show = {"success": st.success, "warning": st.warning, "error": st.error, "info": st.info}[result.level]
    show(f"**{ui.plain(result.headline)}**", icon={"success": ":material/check_circle:", "warning": ":material/warning:",
                                                   "error": ":material/error:", "info": ":material/info:"}[result.level])
    show_table(result.files, "结果", {**COLORS, "有错误": COLORS[LABELS[store.REJECTED]],
                                      "可以提交": COLORS[LABELS[store.ACCEPTED]]}, key="subm_result_files")
    show_changes(result.changes, key="subm_result_changes")
    if result.messages.height:
        st.markdown(f"**问题清单**（错误{result.errors}个，警告{result.warnings}个；行号就是 Excel 左侧的行号）")
        show_messages(result.messages, drop_file=len(result.files) == 1)
        st.download_button("下载问题清单（CSV，可用 Excel 打开）", exports.csv_bytes(result.messages),
                           file_name="问题清单.csv", mime="text/csv", icon=":material/download:",
                           key="subm_result_download")


def _run(action, person: access.Person, payload, n: int, signature) -> None:
    actor = auth.actor(person)
    try:
        if action == "check":
            with st.spinner("正在检查……"):
                st.session_state.subm_result = (signature, upload.check_uploads(payload, actor))
            return
        with st.spinner("正在检查、留存……"):
            result = upload.load_uploads(payload, actor)
        if result.receipt_ids and result.ok:  # clear the picker: the files are in; the result stays on screen
            st.session_state.subm_uploader_n = n + 1
            st.session_state.subm_result = ((), result)
        else:
            st.session_state.subm_result = (signature, result)
    except Exception as e:  # noqa: BLE001 — the user sees a sentence; the traceback goes to the server log
        import logging

        logging.getLogger("ecmon.submissions").exception("数据报送页面：处理上传文件")
        st.session_state.pop("subm_result", None)
        st.error("处理文件时出现意外错误，本次提交可能没有完成。请稍后重试；如仍有问题，请把文件发给市商务局。")
        st.caption(f"技术信息：{type(e).__name__}：{ui.plain(str(e)[:300])}")
        return
    st.rerun()  # every part of the page (and the sidebar) reads the new receipts


def upload_section(person: access.Person) -> None:
    if not person.can(access.SUBMIT):
        st.info("当前为只读访问，不能报送数据。县区填报员登录后可在这里上传报表；空白模板在“空白模板”中下载。")
        return
    who = f"（只能报送{person.scope_label}的数据）" if person.region else ""
    st.markdown(
        f"选择一个或多个填好的报表（.xlsx 或 .csv，可一次多选）{who}。先点 **检查**：看有没有错误，以及这次报送会新增、替换、删除哪些数据；"
        "无误后点 **提交审核**，市商务局审核员审核通过后数据才会发布。\n\n"
        "- 任何一个文件有错误时，本批文件都**不入库**，但原文件会留存并生成回执，方便核对；\n"
        "- F1 同一县区、同一期间再次提交时以最新的为准；台账类报表（F2–F8）只新增或更正表中所列的行，"
        "删除某一行要在“操作”列填“删除”，整体替换要在表头上方选“报送方式：全量替换”；\n"
        "- 与已接收的文件完全相同的文件不会重复入库。")
    n = st.session_state.setdefault("subm_uploader_n", 0)
    files = st.file_uploader("选择报表文件", type=UPLOAD_TYPES, accept_multiple_files=True,
                             key=f"subm_uploader_{n}", help="单个文件不超过50MB；Excel 的多个工作表可以放不同报表") or []
    left, right, _ = st.columns([1, 1, 3])
    do_check = left.button("检查", icon=":material/fact_check:", disabled=not files, width="stretch", key="subm_check")
    do_load = right.button("提交审核", type="primary", icon=":material/cloud_upload:", disabled=not files,
                           width="stretch", key="subm_load")
    if do_check or do_load:
        _run("check" if do_check else "load", person, [(f.name, f.getvalue()) for f in files], n, _signature(files))
    saved = st.session_state.get("subm_result")
    if saved and saved[0] in (_signature(files), ()):
        show_result(saved[1])
    zero_report_form(person)


def zero_report_form(person: access.Person) -> None:
    catalog = current_catalog()
    ledgers = [f for f in catalog.forms.values() if f.is_ledger and f.scope == "region"]
    with st.expander("零报告：本年度没有需要报送的内容", icon=":material/block:"):
        st.caption("台账类报表当年没有任何事项（如没有新认定的示范村、没有举办培训班）时，报送零报告，就不会被列为逾期未报。"
                   "零报告同样要经审核。")
        c1, c2, c3, c4 = st.columns([2, 1.2, 1, 1], vertical_alignment="bottom")
        form = c1.selectbox("报表", [f.code for f in ledgers], key="zero_form",
                            format_func=lambda c: catalog.forms[c].label)
        regions = [person.region] if person.region else [r.code for r in sorted(catalog.regions.values(),
                                                                               key=lambda r: r.sort_order) if r.level != "city"]
        region = c2.selectbox("县区", regions, key="zero_region", format_func=lambda c: catalog.regions[c].name)
        year = c3.number_input("年度", min_value=2014, max_value=dt.date.today().year - 1, value=dt.date.today().year - 1,
                               step=1, key="zero_year")
        if c4.button("提交零报告", key="zero_submit", width="stretch"):
            name, data_ = upload.zero_report(form, region, int(year), catalog)
            n = st.session_state.setdefault("subm_uploader_n", 0)
            _run("load", person, [(name, data_)], n, ())


# ---- 2. receipts ---------------------------------------------------------------------------------

def _pick_from_table(ids_key: str, table_key: str, pick_key: str):
    def pick():
        rows = st.session_state[table_key].selection.rows
        ids = st.session_state.get(ids_key, [])
        if rows and rows[0] < len(ids):
            st.session_state[pick_key] = ids[rows[0]]
    return pick


def filter_receipts(receipts: list[dict], status: str | None, region: str | None, form: str | None,
                    text: str = "") -> list[dict]:
    return [r for r in receipts
            if (not status or status_label(r) == status) and (not region or region in (r.get("regions") or []))
            and (not form or form in (r.get("forms") or {})) and (not text or text.strip().lower() in r["file"].lower())]


def receipts_section(receipts: list[dict]) -> None:
    if not receipts:
        st.info("还没有接收任何文件。")
        return
    names = region_names()
    titles = form_titles()
    seen_regions = {c for r in receipts for c in (r.get("regions") or []) if c}
    region_opts = [c for c in names if c in seen_regions]
    c1, c2, c3, c4 = st.columns([1, 1, 1.4, 1.6])
    status = c1.selectbox("状态", [None, *LABELS.values()], key="subm_f_status",
                          format_func=lambda s: "全部" if s is None else s)
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
    show_table(frame, "状态", COLORS, key="subm_receipt_table", on_select=_pick_from_table(
        "subm_receipt_ids", "subm_receipt_table", "subm_receipt_pick"), selection_mode="single-row",
        height=min(38 + 35 * len(shown), 360), column_config=COLUMNS)
    by_id = {r["id"]: r for r in shown}
    if st.session_state.get("subm_receipt_pick") not in by_id:
        st.session_state.subm_receipt_pick = ids[0]
    pick = st.selectbox("查看回执", ids, key="subm_receipt_pick",
                        format_func=lambda i: f"回执{i} · {by_id[i]['file']} · {status_label(by_id[i])}")
    receipt_detail(by_id[pick], titles, show_preview=True)


# ---- 3. reporting calendar ---------------------------------------------------------------------------

def calendar_section(person: access.Person) -> None:
    status = data.q("SELECT * FROM reporting_status")
    if status.is_empty():
        st.info("还没有任何报表入库，报送日历从第一份报表开始。")
        return
    titles = form_titles()
    today = data.q("SELECT today FROM calendar_today")["today"][0]
    st.markdown(f"每张报表按年度报送，截止日期为年度结束后的规定天数（如 F1 为次年3月31日）。按 {today:%Y年%m月%d日} 判断："
                "**按时报送**、**逾期报送**（截止后才报）、**待审核**、**逾期未报**（已过截止日仍未报送）、**未到期**。"
                "台账类报表当年没有事项的，报送零报告即算已报。")
    if person.region and person.region in region_names():
        mine_ = status.filter(pl.col("region_code") == person.region)
        grid = mine_.pivot(on="year", index="form", values="status", sort_columns=True).sort("form")
        st.markdown(f"**{person.scope_label}各报表、各年度的报送情况**")
        st.dataframe(grid.with_columns(pl.col("form") + " " + pl.col("form").replace_strict(titles, default="")),
                     hide_index=True, width="stretch")
    years = sorted(status["year"].unique().to_list(), reverse=True)
    due_years = sorted(status.filter(pl.col("status") != "未到期")["year"].unique().to_list(), reverse=True) or years
    year = st.selectbox("年度", years, index=years.index(due_years[0]), key="cal_year", format_func=lambda y: f"{y}年")
    part = status.filter(pl.col("year") == year)
    grid = (part.with_columns(pl.when(pl.col("zero_report")).then(pl.col("status") + "（零报告）").otherwise(pl.col("status"))
                              .alias("label"))
            .pivot(on="form", index=["sort_order", "region_name"], values="label", sort_columns=True)
            .sort("sort_order").drop("sort_order").rename({"region_name": "县区"}))
    due = part["due_date"].min()
    st.markdown(f"**{year}年各县区报送情况**（截止日期 {due:%Y年%m月%d日}）")
    pdf = grid.to_pandas().set_index("县区")
    st.dataframe(pdf.style.map(lambda v: f"background-color:{CALENDAR_COLORS.get(str(v).split('（')[0], '')}"),
                 width="stretch")
    late = part.filter(pl.col("status") == "逾期未报")
    if late.height:
        st.markdown(f"**催报**：{year}年尚有{late.height}项逾期未报：" + "；".join(
            f"{r} {'、'.join(g['form'].to_list())}" for (r,), g in late.group_by("region_name", maintain_order=True)))


# ---- 3. revision history -------------------------------------------------------------------------

def history_section(person: access.Person) -> None:
    titles = form_titles()
    names = region_names()
    hist = data.q("SELECT form, region_code, period, receipt_id, file, received_at, is_current FROM submission_history "
                  "WHERE region_code IS NOT NULL")
    if person.region and not person.can(access.ALL_RECEIPTS):
        hist = hist.filter(pl.col("region_code") == person.region)
    if hist.is_empty():
        st.info("还没有入库的文件。")
        return
    revised = (hist.group_by("form", "region_code", "period").agg(pl.len().alias("n"), pl.col("received_at").max())
               .filter(pl.col("n") > 1).sort("received_at", descending=True))
    st.markdown("同一县区、同一期间收到多份文件时，F1 **以最新入库的为准**；台账类报表由后来的文件新增或更正它所列的行。"
                "其他行都被替代的文件标为“已被更正”，其数据保留在历史中。")
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
        "SELECT h.receipt_id, h.file, h.received_at, h.is_current, r.seq, r.channel, r.submitted_by, r.decided_by, "
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
            "报送人": f"{r['submitted_by'] or '—'}（{r['channel'] or '—'}）",
            "审核人": r["decided_by"] if r["channel"] != "命令行" else "（命令行直接入库）",
            "行数": r["n_rows"],
            "状态": f"✔ {CURRENT_LABEL}" if r["is_current"] else f"↻ {SUPERSEDED_LABEL}",
        })
    frame = pl.DataFrame(rows)
    if form == "F1":  # one row per region and period: show the values each file gave instead of a row count
        frame = frame.drop("行数").join(f1_values(region, period), on="回执号", how="left")
    show_table(frame, "状态", {CURRENT_LABEL: COLORS[LABELS[store.ACCEPTED]], SUPERSEDED_LABEL: ui.STATUS_COLORS["滞后"]},
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

person = st.session_state.get("person") or auth.viewer()
st.title("数据报送")
receipts = mine(data.receipts(), person)
guarded("读取接收回执", summary, receipts, person)
tabs = st.tabs(["上传报表", "接收回执", "报送日历", "更正历史", "空白模板"], key="subm_tab", on_change="rerun")
with tabs[0]:
    guarded("上传报表", upload_section, person)
with tabs[1]:
    guarded("显示接收回执", receipts_section, receipts)
with tabs[2]:
    guarded("显示报送日历", calendar_section, person)
with tabs[3]:
    guarded("显示更正历史", history_section, person)
with tabs[4]:
    guarded("生成空白模板", templates_section)
