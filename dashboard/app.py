"""河源电商发展目标监测 — entry: page set-up, the frame every page shares, and routing."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas  # noqa: F401 - see below
import streamlit as st

# Every session imports pandas here, before any page runs: Plotly looks pandas up in sys.modules without the
# import lock, and a page drawing a chart while another session is still importing pandas (first visits of a
# fresh server) saw a half-initialised module ("partially initialized module 'pandas' has no attribute 'Series'").

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dashboard import data, i18n, ui  # noqa: E402

st.set_page_config(page_title="河源电商发展目标监测", page_icon="📊", layout="wide")

HERE = Path(__file__).parent / "app_pages"
PAGES = [
    st.Page(HERE / "overview.py", title="总览", icon=":material/dashboard:", url_path="overview"),
    st.Page(HERE / "target_detail.py", title="目标详情", icon=":material/insights:", url_path="detail"),
    st.Page(HERE / "counties.py", title="县区比较", icon=":material/map:", url_path="counties"),
    st.Page(HERE / "explore.py", title="数据探索", icon=":material/table_view:", url_path="explore"),
    st.Page(HERE / "submissions.py", title="数据报送", icon=":material/upload_file:", url_path="submissions"),
    st.Page(HERE / "policy.py", title="政策条款", icon=":material/gavel:", url_path="policy"),
]
# Streamlit serves the default page at / and reserves its url_path: 总览 is a menu page at /overview, and a hidden
# default page runs the same script at / (so /, /overview and every other url path open their page).
ROOT_PAGE = st.Page(HERE / "overview.py", title="总览", url_path="home", default=True, visibility="hidden")
page = st.navigation([ROOT_PAGE, *PAGES])

on_overview = page.title == "总览"
presentation = on_overview and (st.query_params.get("present") == "1" or st.query_params.get("wall") == "1"
                                or bool(st.query_params.get("auto")))
ui.page_css(presentation)
i18n.inject()

if not data.has_warehouse():
    st.title("河源电商发展目标监测")
    st.error("还没有数据仓库。请先运行 `python -m etl build`（或 `bash dashboard/serve.sh` 载入示例数据）。")
    st.stop()

info = data.info()
if not presentation:  # the projector shows its own one-line mark (模拟数据，非官方统计)
    ui.sample_banner(info["simulated"])
with st.sidebar:
    st.markdown("**河源电商发展目标监测**")
    st.caption(
        f"依据：河府办〔2015〕43号  \n数据截至：{info['as_of_year'] or '—'}年  \n"
        f"建库时间：{info['built_at']:%Y-%m-%d %H:%M}  \n已入库文件：{info['accepted_files']}个"
    )
page.run()
