"""Every page of the dashboard runs without an exception on the sample warehouse (AppTest, no browser)."""

from __future__ import annotations

import pytest
from e2e_support import APP
from streamlit.testing.v1 import AppTest

PAGES = ["overview", "target_detail", "counties", "explore", "submissions", "policy"]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_and_says_the_data_is_simulated(sample, page):
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    if page != "overview":
        at.switch_page(f"app_pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("模拟数据" in w.value for w in at.warning), "the simulated-data banner is missing"
