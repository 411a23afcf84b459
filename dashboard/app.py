"""河源电商发展目标监测 — entry: page set-up, the frame every page shares, and routing."""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dashboard import data, ui  # noqa: E402

st.set_page_config(page_title="河源电商发展目标监测", page_icon="📊", layout="wide")

HERE = Path(__file__).parent / "app_pages"
PAGES = [
    st.Page(HERE / "overview.py", title="总览", icon=":material/dashboard:", url_path="overview", default=True),
    st.Page(HERE / "target_detail.py", title="目标详情", icon=":material/insights:", url_path="detail"),
    st.Page(HERE / "counties.py", title="县区比较", icon=":material/map:", url_path="counties"),
    st.Page(HERE / "explore.py", title="数据探索", icon=":material/table_view:", url_path="explore"),
    st.Page(HERE / "submissions.py", title="数据报送", icon=":material/upload_file:", url_path="submissions"),
    st.Page(HERE / "policy.py", title="政策条款", icon=":material/gavel:", url_path="policy"),
]
page = st.navigation(PAGES)

presentation = st.query_params.get("present") == "1"
ui.page_css(presentation)

if not data.has_warehouse():
    st.title("河源电商发展目标监测")
    st.error("还没有数据仓库。请先运行 `python -m etl build`（或 `bash dashboard/serve.sh` 载入示例数据）。")
    st.stop()

info = data.info()
ui.sample_banner(info["simulated"])
with st.sidebar:
    st.markdown("**河源电商发展目标监测**")
    st.caption(
        f"依据：河府办〔2015〕43号  \n数据截至：{info['as_of_year'] or '—'}年  \n"
        f"建库时间：{info['built_at']:%Y-%m-%d %H:%M}  \n已入库文件：{info['accepted_files']}个"
    )
page.run()
