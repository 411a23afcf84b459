"""Sign-in through a real OpenID Connect provider with Streamlit's ``st.login``, in chromium.

The provider is node-oidc-provider started by tests/oidc_support.py (authorization code flow with PKCE, client
secret at the token endpoint, signed ID tokens); the app is a throwaway script (not dashboard/app.py) run by
``streamlit run`` with a secrets file outside the repo. It shows the ID token's claims of the signed-in user, so
these tests pin down what the dashboard can rely on: who signs in, which claims arrive, that signing out and a
stale or forged cookie leave the visitor signed out, and that a wrong password signs nobody in.

Skipped only when /usr/bin/chromium is missing (tests/run.sh installs it, and the provider's npm packages).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from oidc_support import OidcProvider, provider_sign_in, redirect_uri, sign_in, sign_out, write_auth_secrets
from playwright.sync_api import expect

from dashboard.bench_pages import CHROMIUM, AppServer, free_port

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                reason=f"{CHROMIUM} is missing (tests/run.sh installs Debian's chromium)")

ACCOUNTS = [
    {"sub": "heping-clerk", "password": "和平-pw-1", "name": "和平县填报员", "email": "heping@example.org",
     "ecmon_role": "county_clerk", "ecmon_region": "441624"},
    {"sub": "city-leader", "password": "leader-pw-2", "name": "市局领导", "email": "leader@example.org",
     "ecmon_role": "leader"},
]
COOKIE_SECRET = "test-cookie-secret-0123456789abcdef"
USER_COOKIE = "_streamlit_user"
SHOWN = ("name", "email", "ecmon_role", "ecmon_region", "iss", "sub")

APP = """
import streamlit as st

if st.user.is_logged_in:
    for key in {shown!r}:
        st.text(f"{{key}}={{st.user.get(key)}}")
    st.button("退出登录", on_click=st.logout)
else:
    st.text("未登录")
    st.button("登录", on_click=st.login)
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """(the provider, the app) on free local ports; the app reads only the secrets file written here."""
    folder = tmp_path_factory.mktemp("oidc")
    script = folder / "app.py"
    script.write_text(APP.format(shown=SHOWN), encoding="utf-8")
    app_port = free_port()
    with OidcProvider(ACCOUNTS, redirect_uri(app_port), log=folder / "provider.log") as provider:
        secrets = write_auth_secrets(folder / "secrets" / "secrets.toml", provider, app_port, COOKIE_SECRET)
        with AppServer(folder / "home", port=app_port, log=folder / "streamlit.log", script=script,
                       options={"secrets.files": str(secrets)}) as app:
            yield provider, app


@pytest.fixture
def context(browser):
    """A fresh browser profile (no cookies): a visitor who has not signed in."""
    ctx = browser.new_context(locale="zh-CN")
    yield ctx
    ctx.close()


def shown(page) -> dict[str, str]:
    """The claims the app shows, ``{"name": "和平县填报员", ...}``, once it has shown them."""
    expect(page.get_by_text("sub=", exact=False)).to_be_visible()
    lines = page.locator('[data-testid="stText"]').all_inner_texts()
    return dict(line.split("=", 1) for line in lines)


def expect_signed_out(page) -> None:
    expect(page.get_by_text("未登录", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="登录")).to_be_visible()
    expect(page.get_by_text("sub=", exact=False)).to_have_count(0)


def test_each_account_signs_in_with_its_own_claims_and_signs_out(site, context, browser):
    provider, app = site
    page = context.new_page()
    page.goto(app.url)
    expect_signed_out(page)

    sign_in(page, app.url, "heping-clerk", "和平-pw-1")
    assert shown(page) == {"name": "和平县填报员", "email": "heping@example.org", "ecmon_role": "county_clerk",
                           "ecmon_region": "441624", "iss": provider.issuer, "sub": "heping-clerk"}
    page.reload()  # a new session of the same browser: still signed in (the cookie)
    assert shown(page)["sub"] == "heping-clerk"

    # another visitor, in their own browser, at the same time
    other = browser.new_context(locale="zh-CN")
    try:
        leader = other.new_page()
        sign_in(leader, app.url, "city-leader", "leader-pw-2")
        assert shown(leader) == {"name": "市局领导", "email": "leader@example.org", "ecmon_role": "leader",
                                 "ecmon_region": "None", "iss": provider.issuer, "sub": "city-leader"}
    finally:
        other.close()

    sign_out(page, app.url)
    expect_signed_out(page)
    assert USER_COOKIE not in {c["name"] for c in context.cookies()}
    page.reload()
    expect_signed_out(page)


def test_a_wrong_password_or_an_unknown_user_signs_nobody_in(site, context):
    _provider, app = site
    page = context.new_page()
    page.goto(app.url)
    page.get_by_role("button", name="登录").click()
    # another account's password; an unknown user with a known password
    for username, password in [("heping-clerk", "leader-pw-2"), ("nobody", "和平-pw-1")]:
        provider_sign_in(page, username, password)
        expect(page.get_by_role("alert")).to_have_text("用户名或密码不正确")
        assert "/interaction/" in page.url
    page.goto(app.url)
    expect_signed_out(page)
    assert USER_COOKIE not in {c["name"] for c in context.cookies()}

    # the same visitor with the right password is let in (so the refusals above are the passwords' doing)
    sign_in(page, app.url, "heping-clerk", "和平-pw-1")
    assert shown(page)["ecmon_role"] == "county_clerk"


class _SignedDaysAgo(TimestampSigner):
    days = 0

    def get_timestamp(self) -> int:
        return int(time.time()) - self.days * 86400


def _cookie(payload: str, secret: str = COOKIE_SECRET, days_ago: int = 0) -> str:
    """A ``_streamlit_user`` cookie value as Streamlit signs it (itsdangerous, salted with the cookie's name)."""
    signer = type("Signer", (_SignedDaysAgo,), {"days": days_ago})
    return URLSafeTimedSerializer(secret, salt=USER_COOKIE, signer=signer).dumps(payload)


def test_a_stale_or_forged_session_cookie_is_signed_out(site, context):
    provider, app = site
    page = context.new_page()
    sign_in(page, app.url, "heping-clerk", "和平-pw-1")
    real = next(c["value"] for c in context.cookies() if c["name"] == USER_COOKIE)
    payload = URLSafeTimedSerializer(COOKIE_SECRET, salt=USER_COOKIE).loads(real)
    user = json.loads(payload)
    assert (user["sub"], user["ecmon_role"], user["iss"]) == ("heping-clerk", "county_clerk", provider.issuer)
    promoted = json.dumps({**user, "ecmon_role": "leader", "ecmon_region": None})

    def visit_with(value: str):
        context.clear_cookies(name=USER_COOKIE)
        context.add_cookies([{"name": USER_COOKIE, "value": value, "url": app.url}])
        tab = context.new_page()
        tab.goto(app.url)
        return tab

    # re-signed today with the app's secret: accepted (so the refusals below are the age's and the key's doing)
    assert shown(visit_with(_cookie(payload)))["ecmon_role"] == "county_clerk"
    # signed 29 days ago: still inside the 30 days of Streamlit's cookie
    assert shown(visit_with(_cookie(payload, days_ago=29)))["sub"] == "heping-clerk"
    # signed 32 days ago: expired (Streamlit accepts 30 days and a day's grace)
    expect_signed_out(visit_with(_cookie(payload, days_ago=32)))
    # a role raised by the visitor, signed with a key that is not the app's
    expect_signed_out(visit_with(_cookie(promoted, secret="not-the-apps-cookie-secret-0000")))
    # the real cookie with one character of its signature changed
    expect_signed_out(visit_with(real[:-1] + ("A" if real[-1] != "A" else "B")))
