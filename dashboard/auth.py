"""Sign-in and who may see what, for the pages (the roles themselves are etl/access.py).

Three ways to run, and every page says which:
- an OpenID Connect provider configured in the secrets (``[auth]``; ``streamlit run … --secrets.files PATH``):
  everyone signs in with ``st.login``; the users file or the claims give the role;
- none configured (the README's two commands): read-only for everyone, in one line on every page;
- ``ECMON_DEMO_LOGIN=1`` (off by default): a few demo accounts to switch between, said on every page.
"""

from __future__ import annotations

import os

import streamlit as st

from etl import access, store

CHANNEL = "网页上传"


def provider_configured() -> bool:
    try:
        return "auth" in st.secrets
    except FileNotFoundError:  # no secrets file at all
        return False


def demo_mode() -> bool:
    return os.environ.get("ECMON_DEMO_LOGIN") == "1"


def viewer() -> access.Person:
    """Who is looking at the page now."""
    if demo_mode():
        accounts = {a["sub"]: a for a in access.DEMO_ACCOUNTS}
        pick = st.session_state.get("demo_account")
        if pick in accounts:
            return access.person(accounts[pick], "演示账号")
        return access.anonymous()
    if provider_configured():
        if not st.user.get("is_logged_in", False):
            return access.Person("", "", access.NO_ROLE, None, False, "未登录")
        return access.person(dict(st.user))
    return access.anonymous()


def actor(person: access.Person) -> store.Actor:
    """The person as recorded on receipts, decisions and the audit trail."""
    return store.Actor(person.user, person.role.label, person.region, CHANNEL)


def sidebar(person: access.Person) -> None:
    """Who is signed in, as what, and the way out; or the way in."""
    if demo_mode():
        names = {a["sub"]: a["name"] for a in access.DEMO_ACCOUNTS}
        st.selectbox("演示身份", [None, *names], key="demo_account", format_func=lambda s: "访客（只读）" if s is None else names[s])
        if person.signed_in:
            st.text(f"当前身份：{person.name}\n{person.role.label}" + (f"（{person.scope_label}）" if person.scope_label else ""))
    elif provider_configured():
        if person.signed_in:
            st.text(f"{person.name}\n{person.role.label}" + (f"（{person.scope_label}）" if person.scope_label else ""))
            st.button("退出登录", on_click=st.logout, icon=":material/logout:")
        else:
            st.button("登录", on_click=st.login, type="primary", icon=":material/login:")
    else:
        st.caption("只读访问：未配置统一身份认证")


def banner(person: access.Person) -> None:
    """The one line every page carries about sign-in (read-only, or demo accounts on)."""
    if demo_mode():
        st.warning("**演示登录已开启**：可在左侧任意切换演示身份，仅用于演示，切勿用于正式报送和审核。", icon=":material/badge:")
    elif not provider_configured():
        st.caption("本系统当前为**只读**：未配置统一身份认证，任何人都只能查看，不能报送或审核数据。")


def sign_in_page(person: access.Person) -> None:
    """Shown instead of any page when a provider is configured and nobody (or no role) is signed in."""
    st.title("河源电商发展目标监测")
    if not person.signed_in:
        st.markdown("请使用统一身份认证账号登录后查看。")
        st.button("登录", on_click=st.login, type="primary", icon=":material/login:", key="signin_main")
    else:
        st.warning("您的账号已登录，但尚未分配角色，暂时不能查看任何数据。请联系市商务局为您分配角色（县区填报员、审核员、领导、督查组或分析员）。")
        st.text(f"账号：{person.name}（{person.user}）")
        st.button("退出登录", on_click=st.logout, key="signout_main")


def allowed(capability: str) -> bool:
    """May the person looking at this page do ``capability`` (e.g. access.EXPORT: the briefing, the 督查通报)?"""
    person = st.session_state.get("person") or viewer()
    return person.can(capability)
