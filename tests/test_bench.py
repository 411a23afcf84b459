"""The benchmark script keeps working as the forms grow: a small run through the real command line writes its
inputs in the forms' current layout, and every row is read, loaded and counted with no error or warning.

3 synthetic counties + the city's 8 counties and zones = 11 reporting regions (12 with the city);
F1: 11 regions × 2 years × 12 monthly year-to-date rows = 264; F2: 400 rows = 200 enterprises × 2 years."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_a_small_benchmark_run_reads_every_row_without_a_message(tmp_path):
    run = subprocess.run([sys.executable, "-m", "etl.bench", "--regions", "3", "--years", "2", "--f2-rows", "400",
                          "--xlsx-rows", "40", "--out", str(tmp_path)], cwd=ROOT, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    report = (tmp_path / "bench.md").read_text(encoding="utf-8")
    assert "12 regions (3 synthetic counties, not in the city sum); F1 264 monthly rows in 2 CSV files; F2 400 rows" in report
    assert "| **load** (check + keep + build) | 664 |" in report
    assert "rows_f1 264, rows_f2 400, current_f1 264, current_f2 400" in report
    assert "Messages: 0 errors, 0 warnings." in report


def test_an_app_server_entered_after_start_runs_once_and_stops_on_exit(tmp_path):
    """``with server.start():`` (as the sign-in tests write it) once started a second app and left the first
    running after the tests; now the one process started is the one stopped."""
    from dashboard.bench_pages import AppServer

    app = AppServer(tmp_path / "home")
    started = app.start()
    first = app.proc
    with started as same:
        assert same is app and app.proc is first and first.poll() is None
    assert first.poll() is not None
