"""Killed at the worst moment, run side by side: a batch is all or nothing, an acknowledged load is never lost,
nothing half-written stays behind. Each test kills a real ``python -m etl`` process with SIGKILL at a named
point (``ECMON_FAULT``, see etl/store.py ``fault``) and then looks at what the next writer finds."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import REPO, query, write_xlsx

F1_HEADER = ["县区", "统计期", "社会消费品零售总额（万元）", "网络零售额（万元）"]


def f1(tmp_path, name, region, period, total, online):
    return write_xlsx(tmp_path / name, {"统计表": [F1_HEADER, [region, period, total, online]]})


def run(home, *args, fault=None):
    env = {"ECMON_FAULT": fault} if fault else {}
    return subprocess.run([sys.executable, "-m", "etl", *map(str, args)], cwd=REPO, capture_output=True, text=True,
                          timeout=120, env={**os.environ, "ECMON_HOME": str(home), "PYTHONPATH": str(REPO), **env})


def online(home):
    return query(home, "SELECT region_code, period, value FROM indicator_values WHERE indicator = 'online_retail' "
                       "AND region_code <> '441600' ORDER BY 1, 2")


def leftovers(home):
    return sorted(p.name for p in (home / "received").iterdir() if p.name.startswith(".")) + \
        sorted(p.name for p in home.glob(".warehouse-*"))


def test_a_batch_killed_after_its_files_were_written_but_before_its_commit_counts_for_nothing(home, tmp_path):
    assert run(home, "load", f1(tmp_path, "一.xlsx", "紫金县", "2018", 60000, 5000)).returncode == 0
    batch = [f1(tmp_path, "二.xlsx", "龙川县", "2018", 70000, 6000), f1(tmp_path, "三.xlsx", "和平县", "2018", 30000, 900)]
    killed = run(home, "load", *batch, fault="kept")
    assert killed.returncode == -9
    assert len(list((home / "received").iterdir())) == 3  # two folders written, never committed
    # the next writer (a build) finds them and removes them: the killed batch was never acknowledged
    done = run(home, "build")
    assert done.returncode == 0, done.stderr
    assert sorted(p.name[:6] for p in (home / "received").iterdir()) == ["000001"]
    assert online(home) == [("441621", "2018", 5000.0)]
    assert "二.xlsx" not in run(home, "status").stdout
    # sent again, the batch goes in whole
    again = run(home, "load", *batch)
    assert again.returncode == 0, again.stdout + again.stderr
    assert online(home) == [("441621", "2018", 5000.0), ("441622", "2018", 6000.0), ("441624", "2018", 900.0)]
    assert leftovers(home) == []


def test_a_load_killed_after_its_commit_is_published_by_the_next_writer(home, tmp_path):
    assert run(home, "load", f1(tmp_path, "一.xlsx", "紫金县", "2018", 60000, 5000)).returncode == 0
    second = f1(tmp_path, "二.xlsx", "龙川县", "2018", 70000, 6000)
    assert run(home, "load", second, fault="committed").returncode == -9
    assert online(home) == [("441621", "2018", 5000.0)]  # acknowledged in the store, not yet in the warehouse
    assert "数据仓库落后于已入库的文件" in run(home, "status").stdout
    # retrying the same file: nothing new to keep, but the warehouse catches up
    retry = run(home, "load", second)
    assert retry.returncode == 0
    assert "内容完全相同" in retry.stdout and "已重建" in retry.stdout
    assert online(home) == [("441621", "2018", 5000.0), ("441622", "2018", 6000.0)]


def test_a_build_killed_before_it_replaced_the_warehouse_leaves_the_old_one_and_no_temporary_file(home, tmp_path):
    assert run(home, "load", f1(tmp_path, "一.xlsx", "紫金县", "2018", 60000, 5000)).returncode == 0
    before = (home / "warehouse.duckdb").read_bytes()
    assert run(home, "load", f1(tmp_path, "二.xlsx", "龙川县", "2018", 70000, 6000), fault="building").returncode == -9
    assert (home / "warehouse.duckdb").read_bytes() == before  # readers still see the whole old warehouse
    assert [p.name[:11] for p in home.glob(".warehouse-*")] == [".warehouse-"]  # the half-built file
    assert run(home, "build").returncode == 0
    assert leftovers(home) == []
    assert online(home) == [("441621", "2018", 5000.0), ("441622", "2018", 6000.0)]


def test_loads_and_builds_side_by_side_lose_no_acknowledged_load(home, tmp_path):
    regions = ["源城区", "紫金县", "龙川县", "连平县", "和平县", "东源县"]
    files = [f1(tmp_path, f"{r}.xlsx", r, "2019", 10000 * (i + 1), 1000 * (i + 1)) for i, r in enumerate(regions)]
    env = {**os.environ, "ECMON_HOME": str(home), "PYTHONPATH": str(REPO)}
    procs = [subprocess.Popen([sys.executable, "-m", "etl", "load", str(p)], cwd=REPO, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for p in files]
    procs += [subprocess.Popen([sys.executable, "-m", "etl", "build"], cwd=REPO, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True) for _ in range(3)]
    outs = [p.communicate(timeout=180) for p in procs]
    assert [p.returncode for p in procs] == [0] * 9, outs
    assert [v for *_, v in online(home)] == [1000.0 * (i + 1) for i in range(6)]
    assert query(home, "SELECT count(*) FROM receipts") == [(6,)]
    assert query(home, "SELECT value FROM indicator_values WHERE indicator = 'online_retail' AND region_code = '441600'") \
        == [(21000.0,)]
    assert leftovers(home) == []
