"""总览 — the leaders' screen: where each of the 14 targets stands, as at the end of a chosen year.

The as-of year travels in the URL (``?asof=2016``), in the normal view, the projector view
(``?present=1&asof=2016&group=2``) and the office wall (``?wall=1&asof=2016``, or ``?present=1&auto=30``):
paging, reload and bookmarks keep it. ``title=`` sets the meeting title shown on the projector. Every
sentence comes from the report layer (etl/report/facts.py), the same one the deck and the bulletin use.
"""

from __future__ import annotations

import datetime as dt
import html

import polars as pl
import streamlit as st

from dashboard import auth, charts, data, ui
from etl import access
from etl.report import briefing, facts

SRC = data.SOURCE
info = data.info()
params = st.query_params
wall = params.get("wall") == "1" or bool(params.get("auto"))
presentation = params.get("present") == "1" or wall
meeting = (params.get("title") or facts.DEFAULT_MEETING)[:60]


def _int(value, default: int | None) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def scoreboard(progress: pl.DataFrame) -> None:
    """All 14 targets on one screen: three columns by deadline, one compact row per target."""
    marks = facts.corrections(SRC)
    cols = st.columns(len(progress["deadline"].unique()))
    for col, (deadline, part) in zip(cols, progress.group_by("deadline", maintain_order=True), strict=True):
        rows = []
        for r in part.iter_rows(named=True):
            g = facts.gap(r)
            extra = f'<div class="sb-gap">{g}</div>' if g else ""
            corrected = ('<span class="corr-badge" title="数值在发布后被更正，见下方说明">已更正</span>'
                         if r["target_id"] in marks and r["deadline"] <= r["as_of_year"] else "")
            rows.append(
                f'<div class="sb-row"><div class="sb-name">{html.escape(r["short_name"])}{corrected}<br>'
                f'<span class="sb-target">{ui.fmt_period(r["actual_period"])}</span></div>'
                f'<div class="sb-num">{ui.fmt_value(r["actual"], r["unit"], short=True)}<br>'
                f'<span class="sb-target">目标 ≥{ui.fmt_value(r["target"], r["unit"], short=True)}</span></div>'
                f'<div class="sb-status">{ui.badge(r["status"])}{extra}</div></div>'
            )
        col.markdown(
            f'<div class="sb"><div class="sb-title">{facts.group_title(deadline[0])}</div>'
            f'<div class="sb-sub">{part.height}项：{facts.status_counts_text(part)}</div>'
            f'{"".join(rows)}</div>',
            unsafe_allow_html=True,
        )


def corrected_marks(progress: pl.DataFrame) -> None:
    """已更正: a target's value that changed after it was published (when, by whom, the old value)."""
    marks = facts.corrections(SRC)
    lines = [f"<li><b>{html.escape(r['short_name'])}（{r['deadline']}年）</b>　{html.escape(marks[r['target_id']]['text'])}</li>"
             for r in progress.iter_rows(named=True) if r["target_id"] in marks and r["deadline"] <= r["as_of_year"]]
    if lines:
        st.markdown('<div class="corrected"><span class="corr-badge">已更正</span> 以下目标的数值在发布后被更正：'
                    f'<ul>{"".join(lines)}</ul></div>', unsafe_allow_html=True)


def other_aims(as_of: int) -> None:
    """政策其他量化要求: the policy's numeric aims outside the 14 targets (三(三)6 跨境电商平台), same status rules."""
    aims = data.q("SELECT * FROM aim_progress_at(?) ORDER BY deadline, sort_order", as_of)
    muted = "font-weight:400;font-size:0.8rem;color:#4A5563"
    lines = [
        f'<div style="display:grid;grid-template-columns:minmax(5.5em,1fr) auto auto;gap:8px;align-items:center">'
        f'<div style="font-weight:600">{html.escape(r["clause"])} {html.escape(r["target_text"])}<br>'
        f'<span style="{muted}">{html.escape(r["short_name"])}，{ui.fmt_period(r["actual_period"])}</span></div>'
        f'<div style="text-align:right;font-weight:700;white-space:nowrap">{ui.fmt_value(r["actual"], r["unit"], short=True)}<br>'
        f'<span style="{muted}">要求 ≥{ui.fmt_value(r["target"], r["unit"], short=True)}，{r["deadline"]}年底</span></div>'
        f'<div style="text-align:right">{ui.badge(r["status"])}</div></div>'
        for r in aims.iter_rows(named=True)
    ]
    st.markdown('<div class="other-aims" style="border:1px solid #D5DCE5;border-radius:6px;padding:6px 10px;'
                'background:#fff;margin-top:8px"><div style="font-weight:700;font-size:1.1rem">政策其他量化要求</div>'
                f'<div style="{muted}">不属于14项发展目标；按相同规则判断</div>{"".join(lines)}</div>', unsafe_allow_html=True)


def card(row: dict) -> str:
    unit, status = row["unit"], row["status"]
    lines = [
        f'<div class="target-card" style="border-left-color:{ui.STATUS_COLORS[status]}">',
        f'<h4>{html.escape(row["indicator_name"])} {ui.badge(status)}</h4>',
        f'<div><span class="big">{ui.fmt_value(row["actual"], unit)}</span>'
        f' <span class="muted">（{ui.fmt_period(row["actual_period"])}）</span></div>',
        f'<div class="muted">目标：{html.escape(row["target_text"])}（≥{ui.fmt_value(row["target"], unit)}，{row["deadline"]}年底）'
        + (f"　完成率 {facts.ratio_text(row)}" if facts.ratio_text(row) != "—" else "") + "</div>",
    ]
    if g := facts.gap(row):
        lines.append(f'<div class="muted"><b>{g}</b></div>')
    plain_unit = "级" if unit == "阶段" else unit  # a stage's path and projection are points on the 0–4 scale
    if row["deadline"] > row["as_of_year"] and row["path_value"] is not None:
        lines.append(f'<div class="muted">序时进度：应达 {ui.fmt_number(row["path_value"], plain_unit, 1)}</div>')
    if row["deadline"] > row["as_of_year"] and row["projection"] is not None:
        lines.append(f'<div class="muted">按现增速预计{row["deadline"]}年：{ui.fmt_number(row["projection"], plain_unit, 1)}'
                     + (f"（{row['growth_category']}）" if row["growth_category"] else "") + "</div>")
    lines.append("</div>")
    return "".join(lines)


def group(progress: pl.DataFrame, deadline: int) -> None:
    part = progress.filter(pl.col("deadline") == deadline)
    st.subheader(f"{facts.group_title(deadline)}（{part.height}项：{facts.status_counts_text(part)}）")
    cols = st.columns(3)
    for i, row in enumerate(part.iter_rows(named=True)):
        cols[i % 3].markdown(card(row), unsafe_allow_html=True)
    st.plotly_chart(charts.completion_bars(part), width="stretch", config={"displayModeBar": False},
                    key=f"bars_{deadline}")


def presentation_group(progress: pl.DataFrame, deadline: int, n: int, total: int, title_class: str = "pr-title") -> str:
    """One deadline group for the projector: one large row per target, sized by the screen (ui.page_css).
    The printed copies take another title class (the screen's group is the one ``.pr-title``)."""
    part = progress.filter(pl.col("deadline") == deadline)
    periods = {ui.fmt_period(p) for p in part["actual_period"].to_list()}
    one_period = periods.pop() if len(periods) == 1 else None
    rows = [
        f'<div class="{title_class}">{facts.group_title(deadline)}　<span>{part.height}项：{facts.status_counts_text(part)}'
        f'　第 {n} / {total} 组</span></div>',
        '<div class="pr-row pr-head"><div>目标</div><div>实际' + (f"（{one_period}）" if one_period else "") +
        '</div><div>目标值</div><div>完成率</div><div>状态</div><div>差距</div></div>',
    ]
    for r in facts.target_rows(part):
        period = "" if one_period else f'<span class="pr-period">（{r["period"]}）</span>'
        rows.append(
            f'<div class="pr-row" style="border-left-color:{ui.STATUS_COLORS[r["status"]]}">'
            f'<div class="pr-name" title="{html.escape(r["name"])}">{html.escape(r["short_name"])}</div>'
            f'<div class="pr-num">{r["actual"]}{period}</div>'
            f'<div class="pr-num">{r["target"]}</div>'
            f'<div class="pr-num">{r["ratio_text"]}</div><div>{ui.badge(r["status"], big=True)}</div>'
            f'<div class="pr-gap">{r["gap"] or "—"}</div></div>'
        )
    return f'<div class="pr" style="--rows:{part.height}">' + "".join(rows) + "</div>"


def attention_short(progress: pl.DataFrame) -> str:
    """需关注 for the projector: the targets behind, grouped by deadline and status (the rows carry the gaps)."""
    behind = progress.filter(pl.col("status").is_in(["未达标", "滞后"]))
    if not behind.height:
        return "需关注：无（全部目标达标或进度正常）"
    parts = [f"{'、'.join(g['short_name'])}（{d}年{s}）"
             for (d, s), g in behind.group_by("deadline", "status", maintain_order=True)]
    return "需关注：" + "；".join(parts)


METHODS = (
    "- **实际值**：目标年份已到，取目标年份的全市值；目标年份未到，取所选年份及以前的最新值。\n"
    "- **完成率** = 实际值 ÷ 目标值；比率类指标（触网率、网络零售占比）由全市分子、分母重新计算，不是各县区比率的平均。\n"
    "- **序时进度**：从2014年值到目标值按时间均匀推进的应达值 = 2014年值 + (目标值 − 2014年值) × (年份 − 2014) ÷ (目标年 − 2014)。\n"
    "- **按现增速预计**：按基年至今的年均复合增长率推算到目标年；**增速比** = 实际年均增速 ÷ 所需年均增速"
    "（≥0.95 进展良好，≥0.6 需要加速，≥0 进展有限，<0 出现倒退；方法同 Open SDG、加拿大统计局）。"
)


def aims() -> str:
    return "\n".join(f"- **{r['deadline']}年**：{r['text']}（第{r['clause']}部分）"
                     for r in data.q("SELECT * FROM aims").iter_rows(named=True))


def briefing_downloads(as_of: int, pptx_col, pdf_col) -> None:
    """One click for each file of the meeting deck (built when clicked, by the same report layer as the CLI)."""
    stem = f"{facts.DEFAULT_MEETING}材料（截至{as_of}年底）"
    tip = (f"联席会议材料（截至{as_of}年底）：封面、总体情况、各组目标（PowerPoint 原生图表，可改样式）、县区比较、口径与来源；"
           "与 python -m etl briefing 生成的相同")

    def deck():
        return briefing.deck(SRC, as_of, facts.DEFAULT_MEETING, dt.date.today())

    def pdf():
        try:
            return briefing.pdf_bytes(deck())
        except briefing.NoChromium as e:
            return str(e).encode("utf-8")

    pptx_col.download_button("会议材料", data=lambda: briefing.pptx_bytes(deck()), file_name=f"{stem}.pptx",
                             mime="application/vnd.openxmlformats-officedocument.presentationml.presentation",
                             icon=":material/slideshow:", width="stretch", on_click="ignore", help=tip + "（PPTX）")
    pdf_col.download_button("PDF", data=pdf, file_name=f"{stem}.pdf", mime="application/pdf",
                            icon=":material/picture_as_pdf:", width="stretch", on_click="ignore",
                            help="与会议材料 PPTX 相同的幻灯片，打印或分发用")


years = facts.years(SRC)
if not years:  # a warehouse with the catalog and no data yet
    st.markdown("## 发展目标总览")
    st.info("数据仓库里还没有任何报表数据，14项目标均为“无数据”。请在“数据报送”页上传报表，或运行 `python -m etl load 文件…`。")
    progress = facts.progress(SRC, 2015)
    st.markdown(f'<div class="headline">{progress.height}项目标中：{facts.status_counts_text(progress)}。</div>',
                unsafe_allow_html=True)
    scoreboard(progress)
    st.stop()

# the as-of year: the URL's, if it is a year with data; else the latest
as_of = _int(params.get("asof"), None)
if as_of not in years:
    as_of = years[-1]
if "as_of" not in st.session_state or st.session_state.get("_asof_url") != params.get("asof"):
    st.session_state["as_of"] = as_of  # a new session, or the URL was edited: the URL wins
    st.session_state["_asof_url"] = params.get("asof")

if presentation:
    progress = facts.progress(SRC, as_of)
    deadlines = sorted(progress["deadline"].unique().to_list())
    idx = (_int(params.get("group"), 1) - 1) % len(deadlines)

    def goto(i: int) -> None:
        params["group"] = str(i % len(deadlines) + 1)

    top, *buttons = st.columns([6, 1.25, 1.25, 1.25], vertical_alignment="center") if not wall else [st.container()]
    top.markdown(f'<div class="pr-meeting">{html.escape(meeting)}</div>', unsafe_allow_html=True)
    if not wall:
        prev, nxt, leave = buttons
        # a presenter's clicker sends PageUp / PageDown
        if prev.button("◀ 上一组", width="stretch", shortcut="PageUp"):
            goto(idx - 1)
            st.rerun()
        if nxt.button("下一组 ▶", width="stretch", shortcut="PageDown"):
            goto(idx + 1)
            st.rerun()
        if leave.button("退出演示", width="stretch", shortcut="Escape"):
            for k in ("present", "group", "title"):
                params.pop(k, None)
            st.rerun()
    mark = f'<span class="pr-mark">{facts.SIMULATED_MARK}</span>' if info["simulated"] else ""
    st.markdown(f'<div class="pr-head-line"><div class="headline">{facts.headline(progress, facts.as_of_text(SRC, as_of))}'
                f'</div>{mark}</div>', unsafe_allow_html=True)

    if wall:
        every = max(_int(params.get("auto"), 30) or 30, 5)

        @st.fragment(run_every=every)
        def wall_screen() -> None:
            tick = st.session_state.get("wall_tick", -1) + 1
            st.session_state["wall_tick"] = tick
            i = (idx + tick) % len(deadlines)
            st.markdown(presentation_group(progress, deadlines[i], i + 1, len(deadlines)), unsafe_allow_html=True)
            st.markdown(f'<div class="pr-attn">{attention_short(progress)}　<span class="pr-auto">每{every}秒自动翻页</span></div>',
                        unsafe_allow_html=True)

        wall_screen()
    else:
        with st.container(key="screen_only"):
            st.markdown(presentation_group(progress, deadlines[idx], idx + 1, len(deadlines)), unsafe_allow_html=True)
        with st.container(key="print_only"):  # printed, the projector view gives every group, one a page
            st.markdown("".join(f'<div class="pr-print-page">{presentation_group(progress, d, i + 1, len(deadlines), "pr-ptitle")}</div>'
                                for i, d in enumerate(deadlines)), unsafe_allow_html=True)
        st.markdown(f'<div class="pr-attn">{attention_short(progress)}</div>', unsafe_allow_html=True)
else:
    head, pick, go, ppt, pdf = st.columns([2.6, 2.8, 1.2, 1.2, 0.9], vertical_alignment="bottom")
    head.markdown("## 发展目标总览")

    def remember_year() -> None:
        params["asof"] = str(st.session_state["as_of"])
        st.session_state["_asof_url"] = params["asof"]

    as_of = pick.select_slider("截至哪一年底", options=years, key="as_of", on_change=remember_year,
                               help="选择较早的年份，可以看到当时尚未到期的目标是“进度正常”还是“滞后”")
    if go.button("演示模式", icon=":material/co_present:", width="stretch",
                 help="投影用：大字、无侧栏、每屏一组目标，可前后翻页（PageUp/PageDown）；办公室大屏轮播：地址加 ?wall=1"):
        params["asof"] = str(as_of)
        params["present"] = "1"
        params["group"] = "1"
        st.rerun()
    progress = facts.progress(SRC, as_of)
    ahead = facts.ahead_line(SRC) if as_of == info["as_of_year"] else None
    st.markdown(f'<div class="headline">{facts.headline(progress, facts.as_of_text(SRC, as_of))}'
                f'<div class="headline-sub">{html.escape(facts.attention_line(progress))}</div>'
                + (f'<div class="headline-sub ahead">{html.escape(ahead)}</div>' if ahead else "") + "</div>",
                unsafe_allow_html=True)
    scoreboard(progress)
    corrected_marks(progress)
    if auth.allowed(access.EXPORT):  # 领导, 督查组, 审核员, 分析员 (and everyone when the app is read-only)
        briefing_downloads(as_of, ppt, pdf)

    other_aims(as_of)  # 政策其他量化要求

    deadlines = sorted(progress["deadline"].unique())
    with st.container(key="screen_only"):
        tabs = st.tabs([f"{facts.group_title(d)}详情" for d in deadlines] + ["计算方法", "定性目标"])
        for tab, d in zip(tabs, deadlines, strict=False):
            with tab:
                group(progress, d)
        with tabs[-2]:
            for s in ui.STATUS_ORDER:
                st.markdown(f"{ui.badge(s)} {ui.STATUS_HELP[s]}", unsafe_allow_html=True)
            st.markdown(METHODS)
        with tabs[-1]:
            st.markdown(aims())
    with st.container(key="print_only"):  # printing shows every tab's content (a browser prints the open tab only)
        for d in deadlines:
            part = progress.filter(pl.col("deadline") == d)
            st.markdown(f'<div class="print-tab">{facts.group_title(d)}详情（{part.height}项：{facts.status_counts_text(part)}）</div>'
                        f'<div class="print-cards">{"".join(card(r) for r in part.iter_rows(named=True))}</div>',
                        unsafe_allow_html=True)
        st.markdown('<div class="print-tab">计算方法</div>', unsafe_allow_html=True)
        st.markdown(METHODS)
        st.markdown('<div class="print-tab">定性目标</div>', unsafe_allow_html=True)
        st.markdown(aims())
