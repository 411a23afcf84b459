"""Number, period and status formats shared by the dashboard and every export (no Streamlit here)."""

from __future__ import annotations

import math

# One status palette for the whole app; never colour alone: every use carries the label.
STATUS_COLORS = {
    "达标": "#1E8449",
    "进度正常": "#1F5FA8",
    "滞后": "#B9770E",
    "未达标": "#C0392B",
    "无数据": "#7F8C8D",
}
STATUS_ICONS = {"达标": "✔", "进度正常": "➜", "滞后": "⚠", "未达标": "✖", "无数据": "—"}
STATUS_ORDER = list(STATUS_COLORS)
STATUS_HELP = {
    "达标": "实际值已达到目标值",
    "进度正常": "目标年份未到，实际值不低于序时进度",
    "滞后": "目标年份未到，实际值低于序时进度",
    "未达标": "目标年份已过，实际值未达到目标值",
    "无数据": "没有可用于判断的数据",
}
STAGE_NAMES = {0: "规划中", 1: "启动规划建设", 2: "在建", 3: "初具规模", 4: "建成运营"}
SIMULATED_MARK = "模拟数据，非官方统计"


def is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def fmt_number(value, unit: str = "", decimals: int | None = None) -> str:
    """Chinese statistical style: 万元 amounts of 1亿 and above shown in 亿元; thousands separators."""
    if is_missing(value):
        return "—"
    if unit == "万元" and abs(value) >= 10000:
        return f"{value / 10000:,.2f}亿元"
    if decimals is None:
        decimals = 0 if float(value).is_integer() else (1 if unit == "%" else 2)
    text = f"{value:,.{decimals}f}"
    return f"{text}{unit}" if unit in ("%", "万元", "亿元", "人次", "家", "个", "㎡", "级") else (f"{text} {unit}" if unit else text)


def fmt_value(value, unit: str, decimals: int | None = None, short: bool = False) -> str:
    """A value with its unit; the park stage is shown by name (with its step 0–4 unless short)."""
    if unit == "阶段" and not is_missing(value):
        name = STAGE_NAMES.get(int(value), str(value))
        return name if short else f"{name}（{int(value)}级）"
    return fmt_number(value, unit, decimals)


def fmt_period(period: str | None) -> str:
    if not period:
        return "—"
    if len(period) == 4:
        return f"{period}年"
    if "Q" in period:
        return f"{period[:4]}年第{period[-1]}季度"
    return f"{period[:4]}年1-{int(period[5:])}月"


def as_of_label(info: dict) -> str:
    """截至2024年底 / 截至2025年9月 / 截至2025年第三季度末: exactly the period of the latest city value
    (warehouse_info.as_of_period)."""
    period = info.get("as_of_period")
    if not period:
        return "暂无数据"
    if len(period) == 4 or period.endswith("Q4") or period.endswith("-12"):
        return f"截至{period[:4]}年底"
    if "Q" in period:
        return f"截至{period[:4]}年第{period[-1]}季度末"
    return f"截至{period[:4]}年{int(period[5:])}月"


def gap_text(gap, unit: str) -> str:
    """How far a value is from where it should be, in the indicator's own unit:
    差3.2个百分点 (a rate), 差1家 / 差400人次 (a count, whole units rounded up), 差1个阶段 (the park stage)."""
    if unit == "阶段":
        return f"差{math.ceil(gap - 1e-9):.0f}个阶段"
    if unit == "%":
        return f"差{gap:.1f}个百分点"
    if unit in ("家", "个", "人次"):
        return f"差{math.ceil(gap - 1e-9):,.0f}{unit}"
    return f"差{fmt_number(gap, unit)}"
