"""Page-time benchmark: how long each dashboard page takes to show its first chart in a real browser.

    uv run python -m dashboard.bench_pages                 # builds the sample warehouse into a temp folder
    uv run python -m dashboard.bench_pages --home DIR      # an already-built warehouse
    uv run python -m dashboard.bench_pages --home /tmp/ecmon-bench/home --catalog /tmp/ecmon-bench/catalog
                                                           # etl/bench.py's, with its synthetic catalog
    uv run python -m dashboard.bench_pages --runs 5 --pages overview,detail

Starts ``streamlit run dashboard/app.py`` on a free local port against that ECMON_HOME, opens each page
in headless chromium (Debian's /usr/bin/chromium, no browser download) ``--runs`` times, each time in a
fresh tab, and prints a Markdown table: per page the median time from navigation to the first drawn
chart (``.js-plotly-plot .main-svg``), or to the page's main content for a page without a chart. The
first visit of a page is cold (the server's query cache is empty); later ones are warm.

The helpers here (the sample build, the app server, the browser) are also used by the end-to-end tests
in tests/test_e2e_browser.py.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "dashboard" / "app.py"
SAMPLE_DIR = ROOT / "data" / "sample"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
CHART = ".js-plotly-plot .main-svg"
EXCEPTION = '[data-testid="stException"]'

CHART_PAGES = {"overview", "detail", "counties", "explore"}  # url_path of the pages that draw a chart at once
MAIN_CONTENT = ('[data-testid="stMainBlockContainer"] [data-testid="stTabs"], '
                '[data-testid="stMainBlockContainer"] .pr-title')


def app_pages() -> list[tuple[str, str, bool]]:
    """(url_path, url, is_default) of every menu page a visitor of the read-only app sees (no sign-in configured),
    in menu order: every page at its own url path (/ is a hidden alias of the first, see dashboard/app.py)."""
    from dashboard.routes import PAGES
    from etl.access import READ_ONLY

    return [(url, url, False) for _f, _t, _i, url, need in PAGES if need in READ_ONLY.can]


def sign_in_demo(page, name: str, timeout: float = 60) -> None:
    """With ECMON_DEMO_LOGIN=1: pick the demo account ``name`` (e.g. "审核员甲（演示）") in the sidebar."""
    page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').filter(has_text="演示身份").click()
    page.get_by_role("option", name=name).click()
    page.locator('[data-testid="stSidebar"]').get_by_text(f"当前身份：{name}").first.wait_for(timeout=timeout * 1000)
    wait_idle(page, timeout)


def ready_selector(url_path: str) -> str:
    """What marks a page as shown: its first drawn chart, or else its main content (tabs)."""
    return CHART if url_path in CHART_PAGES else MAIN_CONTENT


# ---- the sample warehouse ------------------------------------------------------------------------

def build_sample_home(home: Path) -> Path:
    """Load the sample files into ``home`` with the real ETL (etl.pipeline.load), with their send dates
    (data/sample/manifest/报送日期.csv), in the loads of etl.sample.load_batches (the corrections after the rest
    is published, as dashboard/serve.sh does); returns ``home``."""
    sys.path.insert(0, str(ROOT))
    from etl import pipeline, sample

    home = Path(home)
    home.mkdir(parents=True, exist_ok=True)
    before = os.environ.get("ECMON_HOME")
    os.environ["ECMON_HOME"] = str(home)
    try:
        dates = sample.manifest_dates(SAMPLE_DIR)
        for batch in filter(None, sample.load_batches(SAMPLE_DIR)):
            outcome = pipeline.load(batch, simulated=True, submitted_on=dates)
            if not (outcome.ok and outcome.published):
                problems = [f"{p.file}: {m}" for p in outcome.parsed for m in p.problems.errors]
                raise RuntimeError("the sample data did not load: " + "; ".join(problems[:10]))
    finally:
        if before is None:
            os.environ.pop("ECMON_HOME", None)
        else:
            os.environ["ECMON_HOME"] = before
    return home


# ---- the app server ------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ChildServer:
    """A server in a child process, its output in a log file (a context manager): start it with ``_launch``,
    wait with ``_await``; ``stop`` ends it (terminate, then kill). The app and the tests' sign-in provider."""

    what = "the server"
    log_path: Path
    proc: subprocess.Popen | None = None

    def _launch(self, cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> None:
        self._log = open(self.log_path, "w")  # noqa: SIM115 — closed in stop()
        self.proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=self._log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)

    def _await(self, ready, timeout: float, pause: float = 0.2):
        """Until ``ready()`` is true (an OSError or ValueError counts as not yet); else stop and raise."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.what} exited with {self.proc.returncode}:\n{self.log()}")
            with contextlib.suppress(OSError, ValueError):
                if ready():
                    return self
            time.sleep(pause)
        self.stop()
        raise RuntimeError(f"{self.what} did not answer within {timeout:.0f} s:\n{self.log()}")

    def start(self):
        raise NotImplementedError

    def log(self) -> str:
        with contextlib.suppress(OSError):
            return self.log_path.read_text(errors="replace")[-4000:]
        return ""

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        if getattr(self, "_log", None):
            self._log.close()

    def __enter__(self):
        running = self.proc is not None and self.proc.poll() is None
        return self if running else self.start()  # ``with server.start():`` must not start a second one

    def __exit__(self, *exc) -> None:
        self.stop()


class AppServer(ChildServer):
    """``streamlit run dashboard/app.py`` against one ECMON_HOME on a free local port (a context manager).

    ``script`` runs another script instead; ``options`` adds Streamlit config options as command-line flags, e.g.
    ``{"secrets.files": "/tmp/x/secrets.toml"}`` (then only that file is read for secrets); ``env`` adds
    environment variables (e.g. ``{"ECMON_DEMO_LOGIN": "1"}``)."""

    what = "streamlit"

    def __init__(self, home: Path, port: int | None = None, log: Path | None = None, catalog: Path | None = None,
                 script: Path = APP, options: dict[str, str] | None = None, env: dict[str, str] | None = None):
        self.home = Path(home)
        self.env = dict(env or {})
        self.script = Path(script)
        self.options = dict(options or {})
        self.catalog = Path(catalog) if catalog else None
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log or Path(tempfile.mkstemp(prefix="ecmon-app-", suffix=".log")[1])

    def start(self, timeout: float = 60) -> AppServer:
        env = {**os.environ, "ECMON_HOME": str(self.home), "PYTHONPATH": str(ROOT), **self.env}
        env.pop("ECMON_CATALOG", None)
        if self.catalog:
            env["ECMON_CATALOG"] = str(self.catalog)
        cmd = [sys.executable, "-m", "streamlit", "run", str(self.script), "--server.headless", "true",
               "--server.port", str(self.port), "--server.address", "127.0.0.1",
               "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
        for name, value in self.options.items():
            cmd += [f"--{name}", value]
        self._launch(cmd, ROOT, env)

        def healthy() -> bool:
            with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as r:
                return r.status == 200

        return self._await(healthy, timeout)


# ---- the browser ---------------------------------------------------------------------------------

@contextlib.contextmanager
def chromium() -> Iterator:
    """Headless Debian chromium driven by Playwright (``playwright install`` is neither needed nor possible)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def wait_idle(page, timeout: float = 30) -> None:
    """Wait until Streamlit has finished the current run (its status widget says nothing is running)."""
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " || !/Running|Connecting/i.test(document.querySelector('[data-testid=\"stStatusWidget\"]').innerText)",
        timeout=timeout * 1000,
    )


FIRST_TEXT = '[data-testid="stMainBlockContainer"] [data-testid="stHeading"], [data-testid="stMainBlockContainer"] .headline'


def time_page(context, base_url: str, path: str, ready: str, timeout: float = 60) -> tuple[float, float]:
    """(seconds to the page's title, seconds to ``ready``) from navigation, in a fresh tab (a new Streamlit
    session) of one browser context (so, like a real visitor's, its HTTP cache holds the app's scripts
    after the first visit); raises on a Streamlit exception."""
    page = context.new_page()
    try:
        start = time.perf_counter()
        page.goto(f"{base_url}/{path}", wait_until="commit", timeout=timeout * 1000)
        page.locator(f"{FIRST_TEXT}, {ready}, {EXCEPTION}").first.wait_for(state="visible", timeout=timeout * 1000)
        first = time.perf_counter() - start
        page.locator(f"{ready}, {EXCEPTION}").first.wait_for(state="visible", timeout=timeout * 1000)
        elapsed = time.perf_counter() - start
        if page.locator(EXCEPTION).count():
            raise RuntimeError(f"/{path}: {page.locator(EXCEPTION).first.inner_text()[:500]}")
        return first, elapsed
    finally:
        page.close()


def bench(home: Path, runs: int = 3, pages: list[str] | None = None,
          catalog: Path | None = None) -> dict[str, list[tuple[float, float]]]:
    """{url_path: (s to the title, s to the chart or main content) of each visit}, for the pages named
    (url_path) or all of dashboard/app.py."""
    urls = {path: url for path, url, _ in app_pages()}
    times: dict[str, list[tuple[float, float]]] = {}
    with AppServer(home, catalog=catalog) as server, chromium() as browser:
        context = browser.new_context(viewport={"width": 1280, "height": 720}, locale="zh-CN")
        for path in pages or list(urls):
            times[path] = [time_page(context, server.url, urls[path], ready_selector(path)) for _ in range(runs)]
        context.close()
    return times


def table(times: dict[str, list[tuple[float, float]]], home: Path) -> str:
    size = (Path(home) / "warehouse.duckdb").stat().st_size / 1e6
    urls = {path: url for path, url, _ in app_pages()}
    runs = len(next(iter(times.values()), []))
    lines = [f"Warehouse: `{home}/warehouse.duckdb` ({size:.1f} MB); {runs} visits a page, each in a fresh tab "
             f"(a new Streamlit session); the first visit of a page is cold. Load average: {os.getloadavg()[0]:.1f} "
             f"on {os.cpu_count()} cores.",
             "",
             "| page | url | shown when | **median s** | first (cold) s | min s | max s | median s to title |",
             "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |"]
    for path, visits in times.items():
        ts = [t for _, t in visits]
        what = "first chart" if path in CHART_PAGES else "main content"
        lines.append(f"| {path} | /{urls[path]} | {what} | **{statistics.median(ts):.2f}** | {ts[0]:.2f} | {min(ts):.2f} "
                     f"| {max(ts):.2f} | {statistics.median(f for f, _ in visits):.2f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Time each dashboard page in headless chromium.")
    ap.add_argument("--home", type=Path, help="an ECMON_HOME with a built warehouse (default: build the sample one)")
    ap.add_argument("--catalog", type=Path,
                    help="ECMON_CATALOG for the app (etl/bench.py's synthetic catalog, e.g. /tmp/ecmon-bench/catalog)")
    ap.add_argument("--runs", type=int, default=3, help="visits per page (default 3)")
    ap.add_argument("--pages", help="comma-separated url_paths of dashboard/app.py (default: all)")
    args = ap.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} is missing: apt-get install chromium fonts-noto-cjk", file=sys.stderr)
        return 2
    known = [path for path, _, _ in app_pages()]
    pages = args.pages.split(",") if args.pages else None
    if pages and (unknown := [p for p in pages if p not in known]):
        ap.error(f"unknown pages {unknown}; known: {known}")
    with tempfile.TemporaryDirectory(prefix="ecmon-bench-pages-") as tmp:
        if args.home:
            home = args.home.resolve()
            if not (home / "warehouse.duckdb").exists():
                ap.error(f"no warehouse.duckdb in {home}")
        else:
            t = time.perf_counter()
            home = build_sample_home(Path(tmp) / "home")
            print(f"Built the sample warehouse in {time.perf_counter() - t:.1f} s", file=sys.stderr)
        print(table(bench(home, args.runs, pages, args.catalog), home))
    return 0


if __name__ == "__main__":
    sys.exit(main())
