"""The pages of the app: file, title, icon, url path and what a person needs to see it (pure data, no Streamlit)."""

from __future__ import annotations

from pathlib import Path

from etl import access

HERE = Path(__file__).parent / "app_pages"
PAGES = [
    ("overview.py", "总览", ":material/dashboard:", "overview", access.VIEW),
    ("target_detail.py", "目标详情", ":material/insights:", "detail", access.VIEW),
    ("counties.py", "县区比较", ":material/map:", "counties", access.VIEW),
    ("tasks.py", "任务督办", ":material/assignment_turned_in:", "tasks", access.VIEW),
    ("funds.py", "资金兑现", ":material/account_balance:", "funds", access.VIEW),
    ("explore.py", "数据探索", ":material/table_view:", "explore", access.EXPLORE),
    ("submissions.py", "数据报送", ":material/upload_file:", "submissions", access.VIEW),
    ("review.py", "报送审核", ":material/approval:", "review", access.REVIEW),
    ("policy.py", "政策条款", ":material/gavel:", "policy", access.VIEW),
]
