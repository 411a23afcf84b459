"""The command line: check, load, build, template, status (the public contract of forms.md)."""

from __future__ import annotations

import argparse
import sys
import traceback
from functools import partial
from pathlib import Path

from tqdm import tqdm

from etl import pipeline, preview, store, templates, warehouse
from etl.config import home, warehouse_path

HELP = """河源电商发展目标监测 — 报表检查、入库与数据仓库

  python -m etl check 文件…      只检查，不入库（有错误时退出码为 1）
  python -m etl load 文件…       检查、留存并入库（任何一个文件有错误：全部不入库，退出码为 1）
  python -m etl build            用已留存的全部文件重建数据仓库
  python -m etl template 目录    生成空白报表模板（.xlsx，含下拉选项和填报说明）
  python -m etl status           列出接收回执
  python -m etl pending          列出待审核的网页报送
  python -m etl approve 回执号   审核通过（发布）待审核的报送；python -m etl return 回执号 --reason 原因：退回
  python -m etl lock 报表 县区 期间 / unlock …   锁定或解锁已审核的期间（如 lock F1 全部 2020）
  python -m etl audit            审计记录（谁在何时做了什么）

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
    for p, changes in zip(outcome.parsed, outcome.changes, strict=True):
        errors, warnings = p.problems.error_count, p.problems.warning_count  # all, also those only summarised
        if quiet and not errors and not warnings:
            continue
        rows = "，".join(f"{t}共{df.height}行" for t, df in p.tables.items()) or "无数据行"
        mark = "✗" if errors else "✓"
        print(f"{mark} {p.file}：{rows}；错误{errors}个，警告{warnings}个")
        _print_messages(p)
        if changes and not quiet:
            print("  变更预览（与已发布的数据相比）：")
            for line in preview.lines(changes):
                print(f"    {line}")
    if quiet and len(outcome.unchanged) > 1:
        print(f"= {len(outcome.unchanged)} 个文件与已入库的文件内容完全相同，未作任何更改")
    else:
        for name, earlier in outcome.unchanged:
            print(f"= {name}：与 {_when(earlier)} 已接收的文件（回执 {earlier['id']}，{store.STATUS_LABEL[earlier['status']]}）"
                  "内容完全相同，未作任何更改")
    if loading:
        if outcome.ok:
            if outcome.receipts and outcome.published:
                print(f"已入库 {len(outcome.receipts)} 个文件，数据仓库已更新：{warehouse_path()}")
            elif outcome.receipts:
                print(f"已接收 {len(outcome.receipts)} 个文件，待审核；审核通过后发布。")
            elif outcome.published:
                print("没有新文件；数据仓库落后于已入库的文件，已重建。")
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


def _sent_dates(args) -> dict[str, str] | None:
    """报送日期 of back-filled files: one date for all (--submitted-on) or a CSV of 文件,报送日期 (--dates)."""
    import csv
    import datetime as dt

    dates = {}
    if args.dates:
        with open(args.dates, encoding="utf-8-sig", newline="") as f:
            dates = {row["文件"]: row["报送日期"] for row in csv.DictReader(f)}
    if args.submitted_on:
        dates |= {Path(p).name: args.submitted_on for p in args.files}
    for name, text in dates.items():
        try:
            dt.date.fromisoformat(text)
        except ValueError:
            raise SystemExit(f"报送日期“{text}”（{name}）应写成 2024-03-15") from None
    return dates or None


def cmd_load(args) -> int:
    dates = _sent_dates(args)
    with _bar(len(args.files), "检查") as bar:
        outcome = pipeline.load(args.files, on_file=lambda _n: bar.update(), simulated=True if args.simulated else None,
                                on_build=_build_progress(), submitted_on=dates)
    return _report(outcome, loading=True, quiet=args.quiet)


def _build_progress():
    bar = tqdm(total=len(warehouse.build_steps()), desc="建库", disable=not sys.stderr.isatty(), leave=False)

    def step(_name):
        bar.update()
        if bar.n >= bar.total:
            bar.close()

    return step


def cmd_build(_args) -> int:
    with store.writing():
        store.recover()
        path = warehouse.build(_build_progress(), store.Actor.operator())
    info = warehouse.summary(path)
    print(f"数据仓库已重建：{path}（截至 {info['as_of_period'] or '—'}；已入库文件 {info['accepted_files']} 个）")
    return 0


def cmd_template(args) -> int:
    written = templates.write_all(Path(args.dir))
    for p in written:
        print(f"已生成 {p}")
    return 0


def _receipt_line(r: dict) -> str:
    forms = "、".join(f"{k}({v['rows']}行)" for k, v in r["forms"].items()) or "—"
    periods = r["periods"]
    span = f"{periods[0]}…{periods[-1]}" if len(periods) > 1 else (periods[0] if periods else "—")
    return (f"{r['id']}  {_when(r)}  {store.STATUS_LABEL[r['status']]}  {r['file']}  {forms}  "
            f"县区{len(r['regions'])}个  期间{span}  错误{r['errors']} 警告{r['warnings']}  {r['user'] or '—'}（{r['channel']}）"
            + (f"  退回原因：{r['reason']}" if r["status"] == store.RETURNED else ""))


def cmd_status(_args) -> int:
    rows = store.receipts()
    print(f"数据目录：{home()}")
    if not rows:
        print("还没有接收任何文件。")
    for r in rows:
        print(_receipt_line(r))
    if warehouse_path().exists():
        info = warehouse.summary()
        print(f"数据仓库：{warehouse_path()}，截至 {info['as_of_period'] or '—'}，建于 {info['built_at']:%Y-%m-%d %H:%M:%S}"
              + ("（含模拟数据）" if info["simulated"] else ""))
        if pipeline.is_stale():
            print("数据仓库落后于已入库的文件：运行 python -m etl build 重建")
    else:
        print("数据仓库尚未建立：运行 python -m etl build")
    return 0


def cmd_pending(_args) -> int:
    rows = store.receipts(store.PENDING)
    if not rows:
        print("没有待审核的报送。")
    published = pipeline.Published()  # read once for every waiting submission
    for r in rows:
        print(_receipt_line(r))
        for line in preview.lines(pipeline.preview_receipt(r, published)):
            print(f"    {line}")
    return 0


def _decide(fn, *args) -> int:
    try:
        r = fn(*args)
    except store.Refused as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(_receipt_line(r))
    return 0


def cmd_approve(args) -> int:
    return _decide(pipeline.approve, args.receipt, store.Actor.operator(), _build_progress())


def cmd_return(args) -> int:
    return _decide(pipeline.send_back, args.receipt, store.Actor.operator(), args.reason)


def _lock_args(args) -> tuple[str, str, str]:
    from etl.catalog import current

    form = "*" if args.form in ("全部", "*") else args.form.upper()
    if form != "*" and form not in current().forms:
        raise store.Refused(f"没有报表“{args.form}”（可填 {'、'.join(current().forms)} 或 全部）")
    scope = "*" if args.scope in ("全部", "*") else current().region_code(args.scope)
    if scope is None:
        raise store.Refused(f"“{args.scope}”不是河源市的县区或功能区（可填 全部）")
    return form, scope, args.period


def cmd_lock(args, unlocking: bool = False) -> int:
    change, done = (store.unlock, "已解锁") if unlocking else (store.lock, "已锁定")
    try:
        with store.writing():
            change(*_lock_args(args), store.Actor.operator())
    except store.Refused as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(f"{done}：{args.form} {args.scope} {args.period}")
    return 0


def cmd_audit(args) -> int:
    for e in reversed(store.events(args.limit)):
        rid = f" 回执{store.receipt_id(e['receipt_id'])}" if e["receipt_id"] else ""
        detail = "，".join(f"{k}={v}" for k, v in e["detail"].items())
        print(f"{e['at'][:19].replace('T', ' ')}  {e['user']}（{e['role']}，{e['channel']}）  {e['action']}{rid}  {detail}")
    return 0


# ---- briefing and bulletin (the report layer: etl/report) ------------------------------------------------

def _report_source():
    from etl.report import facts

    if not warehouse_path().exists():
        print("还没有数据仓库：请先运行 python -m etl build（或 load 报表文件）。", file=sys.stderr)
        return None
    return facts.Warehouse(warehouse_path())


def _report_year(src, year: int | None, what: str) -> int | None:
    from etl.report import facts

    years = facts.years(src)
    if not years:
        print("数据仓库里还没有任何报表数据，无法生成" + what + "。", file=sys.stderr)
        return None
    if year is None:
        return years[-1]
    if year not in years:
        print(f"{year}年没有数据：可选年份为 {years[0]}–{years[-1]} 年。", file=sys.stderr)
        return None
    return year


def _report_date(text: str | None):
    import datetime as dt

    if not text:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise SystemExit(f"日期“{text}”无法识别：请写成 2021-03-15 的形式。") from None


def cmd_briefing(args) -> int:
    from etl.report import briefing

    src = _report_source()
    year = src and _report_year(src, args.as_of, "会议材料")
    if not year:
        return 1
    try:
        paths = briefing.write(src, year, args.out, meeting=args.meeting, date=_report_date(args.date))
    except briefing.NoChromium as e:
        print(str(e), file=sys.stderr)
        return 1
    for path in paths:
        print(f"已生成 {path}")
    return 0


def cmd_bulletin(args) -> int:
    from etl.report import bulletin

    src = _report_source()
    year = src and _report_year(src, args.year, "督查通报")
    if not year:
        return 1
    for path in bulletin.write(src, year, args.out, date=_report_date(args.date)):
        print(f"已生成 {path}")
    return 0


def _add_report_commands(sub) -> None:
    from etl.report.facts import DEFAULT_MEETING

    c = sub.add_parser("briefing", help="生成联席会议材料（PPTX 演示文稿和同样内容的 PDF）")
    c.add_argument("--as-of", type=int, default=None, metavar="年份", help="数据截至哪一年底（默认：最新年份）")
    c.add_argument("--out", type=Path, required=True, metavar="目录", help="输出目录")
    c.add_argument("--meeting", default=DEFAULT_MEETING, metavar="会议名称", help=f"封面上的会议名称（默认：{DEFAULT_MEETING}）")
    c.add_argument("--date", default=None, metavar="日期", help="会议日期，如 2021-03-15（默认：今天）")
    c.set_defaults(run=cmd_briefing)
    c = sub.add_parser("bulletin", help="生成督查通报（Word 公文和 Excel 附件）")
    c.add_argument("--year", type=int, default=None, metavar="年份", help="通报年度（默认：最新年份）")
    c.add_argument("--out", type=Path, required=True, metavar="目录", help="输出目录")
    c.add_argument("--date", default=None, metavar="日期", help="成文日期，如 2021-03-15（默认：今天）")
    c.set_defaults(run=cmd_bulletin)

# ---- end of briefing and bulletin -------------------------------------------------------------------------


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
    c.add_argument("--submitted-on", metavar="日期", help="补录历史报表：这些文件的原报送日期（如 2019-03-15），用于判断是否按时报送")
    c.add_argument("--dates", type=Path, metavar="CSV", help="补录历史报表：列出每个文件原报送日期的 CSV（列：文件,报送日期）")
    c.set_defaults(run=cmd_load)
    c = sub.add_parser("build", help="用已留存的全部文件重建数据仓库")
    c.set_defaults(run=cmd_build)
    c = sub.add_parser("template", help="生成空白报表模板")
    c.add_argument("dir", type=Path, metavar="目录")
    c.set_defaults(run=cmd_template)
    c = sub.add_parser("status", help="列出接收回执")
    c.set_defaults(run=cmd_status)
    c = sub.add_parser("pending", help="列出待审核的报送及其变更预览")
    c.set_defaults(run=cmd_pending)
    c = sub.add_parser("approve", help="审核通过（发布）一个待审核的报送")
    c.add_argument("receipt", metavar="回执号")
    c.set_defaults(run=cmd_approve)
    c = sub.add_parser("return", help="退回一个待审核的报送（须写明原因）")
    c.add_argument("receipt", metavar="回执号")
    c.add_argument("--reason", required=True, metavar="原因")
    c.set_defaults(run=cmd_return)
    for name, fn, what in (("lock", cmd_lock, "锁定"), ("unlock", partial(cmd_lock, unlocking=True), "解锁")):
        c = sub.add_parser(name, help=f"{what}已审核的期间（报表 县区 期间，报表和县区可填“全部”）")
        c.add_argument("form", metavar="报表")
        c.add_argument("scope", metavar="县区")
        c.add_argument("period", metavar="期间")
        c.set_defaults(run=fn)
    c = sub.add_parser("audit", help="审计记录：谁在何时做了什么")
    c.add_argument("--limit", type=int, default=200)
    c.set_defaults(run=cmd_audit)
    _add_report_commands(sub)
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
