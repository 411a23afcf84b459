"""Sign-in for the end-to-end tests: a real OpenID Connect provider and Streamlit's ``st.login`` in chromium.

The provider is panva/node-oidc-provider (npm ``oidc-provider``, pinned in tests/oidc/package-lock.json,
installed by tests/run.sh with ``npm ci --prefix tests/oidc``) run by tests/oidc/provider.mjs with Node.js: the
authorization code flow with PKCE, the token endpoint, RS256 ID tokens checked against its JWKS, and RP-initiated
logout, all as the library implements them. Only its pages are ours: a Chinese sign-in form (用户名, 密码, 登录)
that checks an account's password, and a sign-out confirmation (确认退出).

    accounts = [{"sub": "heping", "password": "pw-heping", "name": "和平县填报员",
                 "ecmon_role": "county_clerk", "ecmon_region": "441624"}]
    app_port = free_port()
    with OidcProvider(accounts, redirect_uri(app_port)) as idp:
        secrets = write_auth_secrets(tmp_path / "secrets.toml", idp, app_port)
        with AppServer(home, port=app_port, options={"secrets.files": str(secrets)}) as app:
            sign_in(page, app.url, "heping", "pw-heping")      # then st.user["ecmon_role"] == "county_clerk"

Every key of an account but ``password`` becomes a claim of its ID token (Streamlit's ``st.user`` shows the
ID token's claims, nothing from the userinfo endpoint); keys other than the standard ones travel in the scope
``ecmon``, which :func:`auth_secrets` asks for. /work/notes/oidc.md (outside the repo) has the details.
"""

from __future__ import annotations

import json
import secrets
import shutil
import tempfile
import urllib.request
from pathlib import Path

from dashboard.bench_pages import ChildServer, free_port, wait_idle

OIDC_DIR = Path(__file__).resolve().parent / "oidc"
PROVIDER_SCRIPT = OIDC_DIR / "provider.mjs"
SCOPES = "openid profile email ecmon"
# Streamlit asks for prompt=select_account unless told otherwise; node-oidc-provider (like any provider without
# an account chooser) rejects that value. prompt=login asks for the password at every 登录, which suits an
# office where colleagues share a browser.
PROMPT = "login"


def redirect_uri(app_port: int) -> str:
    """The one callback Streamlit serves: ``/oauth2callback`` on the app's own origin."""
    return f"http://127.0.0.1:{app_port}/oauth2callback"


class OidcProvider(ChildServer):
    """``node tests/oidc/provider.mjs`` on a free local port with the given accounts (a context manager).

    ``accounts``: dicts with ``sub`` (also the user name on the sign-in form), ``password`` and any claims.
    Its issuer is ``http://127.0.0.1:<port>``; one confidential client (``client_id``, ``client_secret``) may
    redirect to ``redirect_uri`` only (after sign-in and after sign-out)."""

    what = "the OpenID Connect provider"

    def __init__(self, accounts: list[dict], redirect_uri: str, client_id: str = "ecmon-test",
                 client_secret: str | None = None, log: Path | None = None):
        self.accounts = accounts
        self.redirect_uri = redirect_uri
        self.client_id = client_id
        self.client_secret = client_secret or secrets.token_urlsafe(24)
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.metadata_url = f"{self.issuer}/.well-known/openid-configuration"
        self._dir = Path(tempfile.mkdtemp(prefix="ecmon-oidc-"))
        self.log_path = Path(log) if log else self._dir / "provider.log"

    def start(self, timeout: float = 30) -> OidcProvider:
        node = shutil.which("node")
        if node is None:
            raise RuntimeError("Node.js is missing: the OpenID Connect provider of the tests runs on node (>= 20)")
        if not (OIDC_DIR / "node_modules" / "oidc-provider").is_dir():
            raise RuntimeError(f"the provider's packages are missing: npm ci --prefix {OIDC_DIR} (tests/run.sh does it)")
        config = self._dir / "config.json"
        config.write_text(json.dumps({
            "port": self.port, "client_id": self.client_id, "client_secret": self.client_secret,
            "redirect_uris": [self.redirect_uri], "accounts": self.accounts,
        }, ensure_ascii=False), encoding="utf-8")
        self._launch([node, str(PROVIDER_SCRIPT), str(config)], OIDC_DIR)

        def answers() -> bool:
            with urllib.request.urlopen(self.metadata_url, timeout=2) as r:
                return json.load(r).get("issuer") == self.issuer

        return self._await(answers, timeout, pause=0.1)


def _toml(value: str) -> str:
    return json.dumps(value)  # a JSON string of ASCII text is a TOML basic string


def auth_secrets(provider: OidcProvider, app_port: int, cookie_secret: str | None = None) -> str:
    """The ``[auth]`` section of a Streamlit secrets.toml that makes ``st.login()`` use ``provider``."""
    cookie_secret = cookie_secret or secrets.token_hex(32)
    return "\n".join([
        "[auth]",
        f"redirect_uri = {_toml(redirect_uri(app_port))}",
        f"cookie_secret = {_toml(cookie_secret)}",
        f"client_id = {_toml(provider.client_id)}",
        f"client_secret = {_toml(provider.client_secret)}",
        f"server_metadata_url = {_toml(provider.metadata_url)}",
        f"client_kwargs = {{ scope = {_toml(SCOPES)}, prompt = {_toml(PROMPT)} }}",
        "",
    ])


def write_auth_secrets(path: Path, provider: OidcProvider, app_port: int, cookie_secret: str | None = None) -> Path:
    """Write :func:`auth_secrets` to ``path`` (outside the repo; give it to the app as ``secrets.files``)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(auth_secrets(provider, app_port, cookie_secret), encoding="utf-8")
    return path


def provider_sign_in(page, username: str, password: str, timeout: float = 30) -> None:
    """On the provider's sign-in page (reached from the app's 登录): type the user name and password, submit."""
    page.wait_for_url("**/interaction/**", timeout=timeout * 1000)
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def sign_in(page, app_url: str, username: str, password: str, button: str = "登录", timeout: float = 30) -> None:
    """Open the app, click its sign-in button (``st.login``), sign in at the provider, and wait until the app
    has run again, back on its own origin, with the user's cookie."""
    page.goto(app_url, timeout=timeout * 1000)
    page.get_by_role("button", name=button).click(timeout=timeout * 1000)
    provider_sign_in(page, username, password, timeout)
    page.wait_for_url(f"{app_url}/**", timeout=timeout * 1000)
    _app_shown(page, timeout)


def sign_out(page, app_url: str, button: str = "退出登录", timeout: float = 30) -> None:
    """Click the app's sign-out button (``st.logout``), confirm at the provider, and wait for the app again."""
    page.get_by_role("button", name=button).click(timeout=timeout * 1000)
    page.get_by_role("button", name="确认退出").click(timeout=timeout * 1000)
    page.wait_for_url(f"{app_url}/**", timeout=timeout * 1000)
    _app_shown(page, timeout)


def _app_shown(page, timeout: float) -> None:
    """Wait until the app has drawn its page (something in the main block) and finished running."""
    page.locator('[data-testid="stMainBlockContainer"] [data-testid="stElementContainer"]:visible').first.wait_for(
        timeout=timeout * 1000)
    wait_idle(page, timeout)
