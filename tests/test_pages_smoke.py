"""Every page of the dashboard runs without an exception on the sample warehouse (AppTest, no browser)."""

from __future__ import annotations

import pytest
from e2e_support import open_app_page

PAGES = ["overview", "target_detail", "counties", "explore", "submissions", "policy"]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_and_says_the_data_is_simulated(sample, page):
    at = open_app_page(None if page == "overview" else f"app_pages/{page}.py")
    assert any("模拟数据" in w.value for w in at.warning), "the simulated-data banner is missing"
