"""Shared by the page tests (AppTest) and the browser tests: ONE sample warehouse per pytest session.

The warehouse is built from the shipped sample data (data/sample/*, in byte order of the names) by the
real ETL (etl.pipeline.load) into a temporary ECMON_HOME, once, however many modules ask for it: a
session-scoped fixture imported into several modules would be built once per module, so the build is
memoised here instead. Nobody may write into this home: a test that loads more files works on a copy
(``copy_home``).
"""

from __future__ import annotations

import base64
import contextlib
import json
import shutil
from pathlib import Path

import duckdb
import numpy as np
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboard.bench_pages import AppServer, build_sample_home

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py")
_built: dict[str, Path] = {}


def sample_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The read-only sample ECMON_HOME of this session (built on first use, about 15 s)."""
    home = _built.get("sample")
    if home is None or not (home / "warehouse.duckdb").exists():
        home = build_sample_home(tmp_path_factory.mktemp("sample") / "home")
        _built["sample"] = home
    return home


def copy_home(source: Path, target: Path) -> Path:
    """A private copy of an ECMON_HOME (kept files, receipts and warehouse), for tests that load more."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(".lock"))
    return target


@contextlib.contextmanager
def sample_app(tmp_path_factory: pytest.TempPathFactory, name: str, **options):
    """The app on a free port serving a private copy of the sample warehouse (``options`` go to AppServer)."""
    home = copy_home(sample_home(tmp_path_factory), tmp_path_factory.mktemp(name) / "home")
    with AppServer(home, log=home.parent / "streamlit.log", **options) as app:
        yield app


def query(home: Path, sql: str, *params) -> list[tuple]:
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        return con.sql(sql, params=list(params)).fetchall() if params else con.sql(sql).fetchall()
    finally:
        con.close()


def use_home(home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point this test's ECMON_HOME at ``home`` (after conftest's autouse ``home``) with a clean cache."""
    monkeypatch.setenv("ECMON_HOME", str(home))
    monkeypatch.delenv("ECMON_CATALOG", raising=False)
    st.cache_data.clear()
    return home


def markdown_text(node) -> str:
    """All markdown of an AppTest node (the page or a tab), the page-wide <style> left out."""
    return "\n".join(m.value for m in node.markdown if not m.value.lstrip().startswith("<style>"))


def plotly_specs(node) -> list[dict]:
    """The figures of an AppTest node as Plotly JSON (AppTest exposes a chart as an unknown element)."""
    return [json.loads(el.proto.spec) for el in node.get("plotly_chart")]


def plotly_array(value) -> list:
    """A Plotly JSON array as a list: Plotly 7 writes numeric arrays as {"dtype", "bdata"} (base64)."""
    if isinstance(value, dict) and "bdata" in value:
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"])).tolist()
    return list(value)


def traces(spec: dict) -> dict[str, tuple[list, list]]:
    """{trace name: (x, y)} of one figure."""
    return {t.get("name"): (plotly_array(t.get("x", [])), plotly_array(t.get("y", []))) for t in spec["data"]}


def open_app_page(page: str | None = None, timeout: float = 90, account: str | None = None) -> AppTest:
    """Run the real entry (dashboard/app.py), switch to ``page`` (e.g. "app_pages/counties.py"; None: the
    overview), and check that it ran without an exception. ``account``: sign in with that demo account (the
    test sets ECMON_DEMO_LOGIN=1, e.g. "demo-heping" 和平县填报员, "demo-reviewer-a" 审核员甲); else a visitor."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    if account:
        at.session_state["demo_account"] = account
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at
