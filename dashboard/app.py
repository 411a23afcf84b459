"""Placeholder until the dashboard issue: shows that the warehouse is there."""

import streamlit as st

st.set_page_config(page_title="河源电商发展目标监测", layout="wide")
st.title("河源电商发展目标监测")
st.info("仪表盘正在建设中。")
