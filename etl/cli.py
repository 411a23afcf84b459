"""The command line: check, load, build, template, status (the public contract of forms.md)."""

from __future__ import annotations

import argparse
import sys
import traceback
from pathlib import Path

from tqdm import tqdm

from etl import pipeline, store, templates, warehouse
from etl.config import home, warehouse_path

HELP = """河源电商发展目标监测 — 报表检查、入库与数据仓库

  python -m etl check 文件…      只检查，不入库（有错误时退出码为 1）
  python -m etl load 文件…       检查、留存并入库（任何一个文件有错误：全部不入库，退出码为 1）
  python -m etl build            用已留存的全部文件重建数据仓库
  python -m etl template 目录    生成空白报表模板（.xlsx，含下拉选项和填报说明）
  python -m etl status           列出接收回执

数据目录：ECMON_HOME（默认为本仓库的 data/），数据仓库为 $ECMON_HOME/warehouse.duckdb
"""


def _bar(total: int, desc: str):
    return tqdm(total=total, desc=desc, unit="个文件", disable=total < 2 or not sys.stderr.isatty(), leave=False)


def _print_messages(parsed) -> None:
    for m in parsed.problems:
        print(f"  {m}")


def _when(receipt: dict) -> str:
    return receipt["received_at"][:19].replace("T", " ")


def _report(outcome, loading: bool, quiet: bool = False) -> int:
    for p in outcome.parsed:
        errors, warnings = p.problems.error_count, p.problems.warning_count  # all, also those only summarised
        if quiet and not errors and not warnings:
            continue
        rows = "，".join(f"{t}共{df.height}行" for t, df in p.tables.items()) or "无数据行"
        mark = "✗" if errors else "✓"
        print(f"{mark} {p.file}：{rows}；错误{errors}个，警告{warnings}个")
        _print_messages(p)
    if quiet and len(outcome.unchanged) > 1:
        print(f"= {len(outcome.unchanged)} 个文件与已入库的文件内容完全相同，未作任何更改")
    else:
        for name, earlier in outcome.unchanged:
            print(f"= {name}：与 {_when(earlier)} 已入库的文件（回执 {earlier['id']}）内容完全相同，未作任何更改")
    if loading:
        if outcome.ok:
            if outcome.published:
                print(f"已入库 {len(outcome.receipts)} 个文件，数据仓库已更新：{warehouse_path()}")
            else:
                print("没有新文件，数据仓库未变。")
        else:
            print(f"有错误，本次提交的 {len(outcome.receipts)} 个文件均未入库（原文件已留存，回执已记录），数据仓库未作任何更改。")
    elif not outcome.ok:
        print("检查未通过：请按上面的提示改正后再提交。")
    return 0 if outcome.ok else 1


def cmd_check(args) -> int:
    with _bar(len(args.files), "检查") as bar:
        outcome = pipeline.check(args.files, on_file=lambda _n: bar.update())
    return _report(outcome, loading=False, quiet=args.quiet)


def cmd_load(args) -> int:
    with _bar(len(args.files), "检查") as bar:
        outcome = pipeline.load(args.files, on_file=lambda _n: bar.update(), simulated=True if args.simulated else None,
                                on_build=_build_progress())
    return _report(outcome, loading=True, quiet=args.quiet)


def _build_progress():
    bar = tqdm(total=len(warehouse.build_steps()), desc="建库", disable=not sys.stderr.isatty(), leave=False)

    def step(_name):
        bar.update()
        if bar.n >= bar.total:
            bar.close()

    return step


def cmd_build(_args) -> int:
    path = warehouse.build(_build_progress())
    info = warehouse.summary(path)
    print(f"数据仓库已重建：{path}（截至 {info['as_of_year'] or '—'} 年；已入库文件 {info['accepted_files']} 个）")
    return 0


def cmd_template(args) -> int:
    written = templates.write_all(Path(args.dir))
    for p in written:
        print(f"已生成 {p}")
    return 0


def cmd_status(_args) -> int:
    rows = store.receipts()
    print(f"数据目录：{home()}")
    if not rows:
        print("还没有接收任何文件。")
    for r in rows:
        forms = "、".join(f"{k}({v['rows']}行)" for k, v in r["forms"].items()) or "—"
        periods = r["periods"]
        span = f"{periods[0]}…{periods[-1]}" if len(periods) > 1 else (periods[0] if periods else "—")
        print(f"{r['id']}  {_when(r)}  {store.STATUS_LABEL[r['status']]}  {r['file']}  {forms}  "
              f"县区{len(r['regions'])}个  期间{span}  错误{r['errors']} 警告{r['warnings']}")
    if warehouse_path().exists():
        info = warehouse.summary()
        print(f"数据仓库：{warehouse_path()}，截至 {info['as_of_year'] or '—'} 年，建于 {info['built_at']:%Y-%m-%d %H:%M:%S}"
              + ("（含模拟数据）" if info["simulated"] else ""))
    else:
        print("数据仓库尚未建立：运行 python -m etl build")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m etl", description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True, metavar="命令")
    c = sub.add_parser("check", help="只检查文件，不入库")
    c.add_argument("files", nargs="+", type=Path, metavar="文件")
    c.add_argument("-q", "--quiet", action="store_true", help="只列出有错误或警告的文件")
    c.set_defaults(run=cmd_check)
    c = sub.add_parser("load", help="检查、留存并入库，然后重建数据仓库")
    c.add_argument("files", nargs="+", type=Path, metavar="文件")
    c.add_argument("-q", "--quiet", action="store_true", help="只列出有错误或警告的文件")
    c.add_argument("--simulated", action="store_true", help="标记为模拟数据（data/sample/ 下的文件自动标记）")
    c.set_defaults(run=cmd_load)
    c = sub.add_parser("build", help="用已留存的全部文件重建数据仓库")
    c.set_defaults(run=cmd_build)
    c = sub.add_parser("template", help="生成空白报表模板")
    c.add_argument("dir", type=Path, metavar="目录")
    c.set_defaults(run=cmd_template)
    c = sub.add_parser("status", help="列出接收回执")
    c.set_defaults(run=cmd_status)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except KeyboardInterrupt:
        print("已中断。", file=sys.stderr)
        return 130
    except Exception:  # noqa: BLE001 - no traceback reaches a user: it goes to the log instead
        log = home() / "logs" / "error.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("a", encoding="utf-8") as f:
            f.write(f"--- {' '.join(sys.argv)}\n{traceback.format_exc()}\n")
        print(f"内部错误：操作未完成，数据仓库未作更改。详细信息已记录在 {log}，请联系系统管理员。", file=sys.stderr)
        return 2
