"""总览 — the leaders' screen: where each of the 14 targets stands, as at the end of a chosen year."""

from __future__ import annotations

import html

import polars as pl
import streamlit as st

from dashboard import charts, data, ui

GROUP_TITLES = {2015: "2015年底前", 2017: "2017年底前", 2020: "到2020年"}

info = data.info()
as_of_latest = info["as_of_year"]
presentation = st.query_params.get("present") == "1"


def status_counts(frame: pl.DataFrame) -> str:
    counts = {s: frame.filter(pl.col("status") == s).height for s in ui.STATUS_ORDER}
    return "，".join(f"{s}{n}项" for s, n in counts.items() if n)


def headline(progress: pl.DataFrame, as_of: int, attention: bool = True) -> str:
    text = f"截至{as_of}年底，{progress.height}项目标中：{status_counts(progress)}。"
    behind = progress.filter(pl.col("status").is_in(["未达标", "滞后"]))
    if attention and behind.height:
        names = "、".join(f"{r['short_name']}（{r['deadline']}年{r['status']}）" for r in behind.iter_rows(named=True))
        text += f'<div class="headline-sub">需关注：{names}</div>'
    return text


def gap_text(row: dict) -> str:
    unit, gap = row["unit"], row["gap"]
    if unit == "阶段":
        return f"差{gap:.0f}个阶段"
    if unit == "%":
        return f"差{gap:.1f}个百分点"
    return f"差{ui.fmt_number(gap, unit)}"


def scoreboard(progress: pl.DataFrame) -> None:
    """All 14 targets on one screen: three columns by deadline, one compact row per target."""
    cols = st.columns(len(progress["deadline"].unique()))
    for col, (deadline, part) in zip(cols, progress.group_by("deadline", maintain_order=True), strict=True):
        rows = []
        for r in part.iter_rows(named=True):
            extra = ""
            if r["status"] in ("未达标", "滞后") and r["gap"]:
                extra = f'<div class="sb-gap">{gap_text(r)}</div>'
            rows.append(
                f'<div class="sb-row"><div class="sb-name">{html.escape(r["short_name"])}<br>'
                f'<span class="sb-target">{ui.fmt_period(r["actual_period"])}</span></div>'
                f'<div class="sb-num">{ui.fmt_value(r["actual"], r["unit"], short=True)}<br>'
                f'<span class="sb-target">目标 ≥{ui.fmt_value(r["target"], r["unit"], short=True)}</span></div>'
                f'<div class="sb-status">{ui.badge(r["status"])}{extra}</div></div>'
            )
        col.markdown(
            f'<div class="sb"><div class="sb-title">{GROUP_TITLES.get(deadline[0], deadline[0])}目标</div>'
            f'<div class="sb-sub">{part.height}项：{status_counts(part)}</div>'
            f'{"".join(rows)}</div>',
            unsafe_allow_html=True,
        )


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
        + (f"　完成率 {row['ratio'] * 100:.0f}%" if row["ratio"] is not None and unit != "阶段" else "") + "</div>",
    ]
    if status in ("未达标", "滞后") and row["gap"]:
        lines.append(f'<div class="muted"><b>{gap_text(row)}</b></div>')
    plain_unit = "级" if unit == "阶段" else unit  # a stage's path and projection are points on the 0–4 scale
    if row["deadline"] > row["as_of_year"] and row["path_value"] is not None:
        lines.append(f'<div class="muted">序时进度：应达 {ui.fmt_number(row["path_value"], plain_unit, 1)}</div>')
    if row["deadline"] > row["as_of_year"] and row["projection"] is not None:
        lines.append(f'<div class="muted">按现增速预计{row["deadline"]}年：{ui.fmt_number(row["projection"], plain_unit, 1)}'
                     + (f"（{row['growth_category']}）" if row["growth_category"] else "") + "</div>")
    lines.append("</div>")
    return "".join(lines)


def group(progress: pl.DataFrame, deadline: int, font_size: int = 14, per_row: int = 3) -> None:
    part = progress.filter(pl.col("deadline") == deadline)
    st.subheader(f"{GROUP_TITLES.get(deadline, deadline)}目标（{part.height}项：{status_counts(part)}）")
    cols = st.columns(per_row)
    for i, row in enumerate(part.iter_rows(named=True)):
        cols[i % per_row].markdown(card(row), unsafe_allow_html=True)
    st.plotly_chart(charts.completion_bars(part, font_size=font_size), width="stretch",
                    config={"displayModeBar": False}, key=f"bars_{deadline}")


def presentation_group(progress: pl.DataFrame, deadline: int) -> None:
    """One deadline group for the projector: one large row per target."""
    part = progress.filter(pl.col("deadline") == deadline)
    rows = [
        f'<div class="pr-title">{GROUP_TITLES.get(deadline, deadline)}目标　<span>{part.height}项：{status_counts(part)}</span></div>',
        '<div class="pr-row pr-head"><div>目标</div><div>实际</div><div>目标值</div><div>完成率</div><div>状态</div></div>',
    ]
    for r in part.iter_rows(named=True):
        gap = f'<div class="pr-gap">{gap_text(r)}</div>' if r["status"] in ("未达标", "滞后") and r["gap"] else ""
        ratio = f"{r['ratio'] * 100:.0f}%" if r["ratio"] is not None and r["unit"] != "阶段" else "—"
        rows.append(
            f'<div class="pr-row" style="border-left-color:{ui.STATUS_COLORS[r["status"]]}">'
            f'<div class="pr-name">{html.escape(r["indicator_name"])}</div>'
            f'<div class="pr-num">{ui.fmt_value(r["actual"], r["unit"], short=True)}'
            f'<div class="pr-period">{ui.fmt_period(r["actual_period"])}</div></div>'
            f'<div class="pr-num">≥{ui.fmt_value(r["target"], r["unit"], short=True)}</div>'
            f'<div class="pr-num">{ratio}</div><div>{ui.badge(r["status"], big=True)}{gap}</div></div>'
        )
    st.markdown('<div class="pr">' + "".join(rows) + "</div>", unsafe_allow_html=True)


years = [y for y in data.years() if y <= as_of_latest] if as_of_latest else []
if not years:  # a warehouse with the catalog and no data yet
    st.markdown("## 发展目标总览")
    st.info("数据仓库里还没有任何报表数据，14项目标均为“无数据”。请在“数据报送”页上传报表，或运行 `python -m etl load 文件…`。")
    progress = data.progress(2015)
    st.markdown(f'<div class="headline">{progress.height}项目标中：{status_counts(progress)}。</div>', unsafe_allow_html=True)
    scoreboard(progress)
    st.stop()
if presentation:
    as_of = st.session_state.get("as_of", as_of_latest)
    progress = data.progress(as_of)
    deadlines = sorted(progress["deadline"].unique().to_list())
    idx = st.session_state.setdefault("present_group", 0) % len(deadlines)
    st.markdown(f'<div class="headline">{headline(progress, as_of, attention=False)}</div>', unsafe_allow_html=True)
    prev, mid, nxt, leave = st.columns([1, 2, 1, 1], vertical_alignment="center")
    # a presenter's clicker sends PageUp / PageDown
    if prev.button("◀ 上一组", width="stretch", shortcut="PageUp"):
        st.session_state.present_group = (idx - 1) % len(deadlines)
        st.rerun()
    mid.markdown(f"<div style='text-align:center'>第 {idx + 1} / {len(deadlines)} 组（截至{as_of}年底）</div>",
                 unsafe_allow_html=True)
    if nxt.button("下一组 ▶", width="stretch", shortcut="PageDown"):
        st.session_state.present_group = (idx + 1) % len(deadlines)
        st.rerun()
    if leave.button("退出演示", width="stretch", shortcut="Escape"):
        del st.query_params["present"]
        st.rerun()
    presentation_group(progress, deadlines[idx])
else:
    head, pick, go = st.columns([3, 3, 2], vertical_alignment="bottom")
    head.markdown("## 发展目标总览")
    as_of = pick.select_slider("截至哪一年底", options=years, value=as_of_latest, key="as_of",
                               help="选择较早的年份，可以看到当时尚未到期的目标是“进度正常”还是“滞后”")
    if go.button("演示模式", icon=":material/slideshow:", help="投影用：大字、无侧栏、每屏一组目标，可前后翻页",
                 width="stretch"):
        st.query_params["present"] = "1"
        st.session_state.present_group = 0
        st.rerun()
    progress = data.progress(as_of)
    st.markdown(f'<div class="headline">{headline(progress, as_of)}</div>', unsafe_allow_html=True)
    scoreboard(progress)
    other_aims(as_of)
    tabs = st.tabs([f"{GROUP_TITLES.get(d, d)}目标详情" for d in sorted(progress["deadline"].unique())] + ["计算方法", "定性目标"])
    for tab, d in zip(tabs, sorted(progress["deadline"].unique()), strict=False):
        with tab:
            group(progress, d)
    with tabs[-2]:
        for s in ui.STATUS_ORDER:
            st.markdown(f"{ui.badge(s)} {ui.STATUS_HELP[s]}", unsafe_allow_html=True)
        st.markdown(
            "- **实际值**：目标年份已到，取目标年份的全市值；目标年份未到，取所选年份及以前的最新值。\n"
            "- **完成率** = 实际值 ÷ 目标值；比率类指标（触网率、网络零售占比）由全市分子、分母重新计算，不是各县区比率的平均。\n"
            "- **序时进度**：从2014年值到目标值按时间均匀推进的应达值 = 2014年值 + (目标值 − 2014年值) × (年份 − 2014) ÷ (目标年 − 2014)。\n"
            "- **按现增速预计**：按基年至今的年均复合增长率推算到目标年；**增速比** = 实际年均增速 ÷ 所需年均增速"
            "（≥0.95 进展良好，≥0.6 需要加速，≥0 进展有限，<0 出现倒退；方法同 Open SDG、加拿大统计局）。"
        )
    with tabs[-1]:
        for row in data.q("SELECT * FROM aims").iter_rows(named=True):
            st.markdown(f"- **{row['deadline']}年**：{row['text']}（第{row['clause']}部分）")
