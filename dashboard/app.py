"""河源电商发展目标监测 — entry: page set-up, sign-in, the frame every page shares, and routing."""

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

from dashboard import auth, data, i18n, ui  # noqa: E402
from dashboard.routes import HERE, PAGES  # noqa: E402

st.set_page_config(page_title="河源电商发展目标监测", page_icon="📊", layout="wide")

person = auth.viewer()
allowed = [p for p in PAGES if person.can(p[4])]
if not allowed:  # a provider is configured and nobody (or nobody with a role) is signed in
    i18n.inject()
    st.navigation([st.Page(lambda: auth.sign_in_page(person), title="登录", url_path="signin")], position="hidden").run()
    st.stop()
pages = [st.Page(HERE / f, title=t, icon=i, url_path=u) for f, t, i, u, _ in allowed]
# Streamlit serves the default page at / and reserves its url_path: the first page is a menu page at its own path
# (/overview), and a hidden default page runs the same script at / (so /, /overview and every url path open).
root = st.Page(HERE / allowed[0][0], title=allowed[0][1], url_path="home", default=True, visibility="hidden")
page = st.navigation([root, *pages])
st.session_state["person"] = person

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
    auth.banner(person)
with st.sidebar:
    st.markdown("**河源电商发展目标监测**")
    st.caption(
        f"依据：河府办〔2015〕43号  \n数据{ui.as_of_label(info)}  \n"
        f"建库时间：{info['built_at']:%Y-%m-%d %H:%M}  \n已入库文件：{info['accepted_files']}个"
        + (f"  \n待审核：{info['pending_files']}个" if info.get("pending_files") else "")
    )
    auth.sidebar(person)
page.run()
