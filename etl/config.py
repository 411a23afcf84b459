"""Where things live: the catalog (in the checkout) and ECMON_HOME (kept files and the warehouse)."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def home() -> Path:
    """The folder that holds the kept files and the warehouse (``ECMON_HOME``, default ``data/``)."""
    return Path(os.environ.get("ECMON_HOME") or REPO / "data")


def catalog_dir() -> Path:
    """The policy as data. ``ECMON_CATALOG`` points elsewhere (the benchmark's synthetic catalog)."""
    return Path(os.environ.get("ECMON_CATALOG") or REPO / "data" / "catalog")


def warehouse_path() -> Path:
    return home() / "warehouse.duckdb"


def received_dir() -> Path:
    return home() / "received"
