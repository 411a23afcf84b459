"""河源电商发展目标监测 — entry: page set-up, sign-in, the frame every page shares, and routing."""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dashboard import auth, data, ui  # noqa: E402
from dashboard.routes import HERE, PAGES  # noqa: E402

st.set_page_config(page_title="河源电商发展目标监测", page_icon="📊", layout="wide")

person = auth.viewer()
presentation = st.query_params.get("present") == "1"
ui.page_css(presentation)

allowed = [p for p in PAGES if person.can(p[4])]
if not allowed:  # a provider is configured and nobody (or nobody with a role) is signed in
    st.navigation([st.Page(lambda: auth.sign_in_page(person), title="登录", url_path="signin")], position="hidden").run()
    st.stop()
page = st.navigation([st.Page(HERE / f, title=t, icon=i, url_path=u, default=(k == 0))
                      for k, (f, t, i, u, _) in enumerate(allowed)])
st.session_state["person"] = person

if not data.has_warehouse():
    st.title("河源电商发展目标监测")
    st.error("还没有数据仓库。请先运行 `python -m etl build`（或 `bash dashboard/serve.sh` 载入示例数据）。")
    st.stop()

info = data.info()
ui.sample_banner(info["simulated"])
if not presentation:
    auth.banner(person)
with st.sidebar:
    st.markdown("**河源电商发展目标监测**")
    st.caption(
        f"依据：河府办〔2015〕43号  \n数据截至：{ui.as_of_label(info)}  \n"
        f"建库时间：{info['built_at']:%Y-%m-%d %H:%M}  \n已入库文件：{info['accepted_files']}个"
        + (f"  \n待审核：{info['pending_files']}个" if info.get("pending_files") else "")
    )
    auth.sidebar(person)
page.run()
