"""What leaves the room gains the levers: the briefing's task and funds slides, the bulletin's section on
subsidies, funds and tasks with each county told which entitled enterprises never applied, and the county page's
资金与任务 tab; and 总览 marks a target value corrected after publication and names who reported ahead of the
as-of. Values by hand on small homes loaded through the real ETL."""

from __future__ import annotations

import datetime as dt
import io

import docx
import openpyxl
from conftest import cli, uscc, write_xlsx
from e2e_support import markdown_text, open_app_page
from pptx import Presentation

from etl.report import briefing, bulletin, facts

D = dt.date
F1 = ["县区", "统计期", "社会消费品零售总额（万元）", "网络零售额（万元）"]
F2 = ["年度", "企业名称", "统一社会信用代码", "所在县区", "企业类别", "认定为知名平台", "网上销售额（万元）"]
F7 = ["年度", "单位名称", "统一社会信用代码", "政策条款", "申请金额（万元）", "核定金额（万元）", "已拨付金额（万元）",
      "拨付日期", "资金来源", "所在县区"]
F8 = ["报告期", "任务编号", "报送单位", "进展状态", "进展情况", "存在问题", "下一步计划"]
COUNTIES = ["源城区", "紫金县", "龙川县", "连平县", "和平县", "东源县"]
A, B = uscc("91441602MA9000001"), uscc("91441621MA9000002")


def levers_home(home, tmp_path, monkeypatch):
    """2019: F1 of the six counties; F2: two 限上商贸企业 that grew past 500万 online (三(一)3: one-off 10万 each,
    the first year they qualify: 2019); F7: 源城区's enterprise applied and was paid 10万 in 2020 (市本级), 紫金县's
    never applied; the centre's 30万 (三(二)2) paid in 2020; F8: 市发展改革局 reports 三(四)1 滞后 for 2019Q4."""
    monkeypatch.setenv("ECMON_TODAY", "2020-06-30")
    rows = [[c, "2019", 100000, 16000] for c in COUNTIES]
    f2 = [[2018, "示例甲商贸有限公司", A, "源城区", "限上商贸企业", "否", 400], [2019, "示例甲商贸有限公司", A, "源城区", "限上商贸企业", "否", 600],
          [2018, "示例乙商贸有限公司", B, "紫金县", "限上商贸企业", "否", 450], [2019, "示例乙商贸有限公司", B, "紫金县", "限上商贸企业", "否", 800]]
    f7 = [[2019, "示例甲商贸有限公司", A, "三(一)3", 10, 10, 10, D(2020, 5, 20), "市本级", "源城区"],
          [2019, "示例河源市电子商务公共服务中心", None, "三(二)2", 30, 30, 30, D(2020, 4, 1), "市本级", None]]
    f8 = [["2019Q4", "三(四)1", "市发展改革局", "滞后", "信用平台未对接", "技术方案未确认", "协调省平台"]]
    files = [write_xlsx(tmp_path / "f1.xlsx", {"表": [F1, *rows]}), write_xlsx(tmp_path / "f2.xlsx", {"名录": [F2, *f2]}),
             write_xlsx(tmp_path / "f7.xlsx", {"资金兑现表": [F7, *f7]}), write_xlsx(tmp_path / "f8.xlsx", {"重点任务进展表": [F8, *f8]})]
    code, out = cli("load", "--submitted-on", "2020-01-10", *files)
    assert code == 0, out
    return facts.Warehouse(home / "warehouse.duckdb")


def test_the_briefing_gains_a_task_slide_and_a_funds_slide(home, tmp_path, monkeypatch):
    src = levers_home(home, tmp_path, monkeypatch)
    deck = briefing.deck(src, 2019, date=D(2020, 3, 1))
    titles = [s.title for s in deck.slides]
    assert "22项重点任务督办（按2019年第四季度报告）" in titles
    tasks = deck.slides[titles.index("22项重点任务督办（按2019年第四季度报告）")]
    # the one reported task is 滞后: red; every other task had no report for 2019Q4 from its lead unit: red too,
    # but the slide names the reported reason first
    assert [t[0] for t in tasks.tiles] == ["红灯", "黄灯", "绿灯", "灰灯"]
    assert "三(四)1 加强认证和信用体系建设（市发展改革局）" in tasks.lines[0]
    prs = Presentation(io.BytesIO(briefing.pptx_bytes(deck)))
    assert len(prs.slides) == len(deck.slides)


def test_the_bulletin_reports_funds_and_tells_a_county_of_enterprises_missing_out(home, tmp_path, monkeypatch):
    src = levers_home(home, tmp_path, monkeypatch)
    b = bulletin.gather(src, 2019, D(2020, 3, 1))
    funds = {r["region_name"]: r for r in b.funds.iter_rows(named=True)}
    assert (funds["源城区"]["estimated_wan"], funds["源城区"]["paid_wan"], funds["源城区"]["not_applied"]) == (10.0, 10.0, 0)
    assert (funds["紫金县"]["estimated_wan"], funds["紫金县"]["applied_wan"], funds["紫金县"]["not_applied"]) == (10.0, 0.0, 1)
    assert b.not_applied["紫金县"] == ["示例乙商贸有限公司（三(一)3，测算10万元）"]
    fixes = bulletin.county_fixes(b, "紫金县")
    assert fixes[-1] == "2019年度有1项按报表测算可享受扶持但未申请：示例乙商贸有限公司（三(一)3，测算10万元），请通知有关企业（单位）核实并申请。"
    lines = bulletin.funds_lines(b)
    assert "紫金县：测算10万元，申请0万元，核定0万元，已拨付0万元；1项测算有资格但未申请（测算10万元）。" in lines
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(bulletin.docx_bytes(b))).paragraphs)
    assert "四、扶持政策、资金和重点任务落实情况" in text and "五、整改要求" in text and "六、评价口径" in text
    ws = openpyxl.load_workbook(io.BytesIO(bulletin.xlsx_bytes(b)))["2019年资金兑现"]
    zijin = next(r for r in ws.iter_rows(min_row=3, values_only=True) if r[0] == "紫金县")
    assert zijin[1] == 10 and zijin[5] == "1项" and zijin[8] == "示例乙商贸有限公司（三(一)3，测算10万元）"


def test_the_county_page_shows_funds_and_tasks(home, tmp_path, monkeypatch):
    levers_home(home, tmp_path, monkeypatch)
    at = open_app_page("app_pages/counties.py")
    at.selectbox(key="cmp_funds_region").set_value("441621").run()
    assert not at.exception
    tables = [d.value for d in at.dataframe]
    assert any("示例乙商贸有限公司（三(一)3，测算10万元）" in t.iloc[:, 0].tolist() for t in tables if t.shape[1] == 1)
    assert "22项重点任务" in markdown_text(at)


def test_the_overview_marks_a_corrected_value_and_who_reported_ahead(home, tmp_path):
    rows = [[c, "2020", 100000, 16000] for c in COUNTIES]
    assert cli("load", write_xlsx(tmp_path / "2020.xlsx", {"表": [F1, *rows]}))[0] == 0
    fix = write_xlsx(tmp_path / "更正.xlsx", {"表": [F1, ["全市", "2020", 600000, 99000]]})
    assert cli("load", fix)[0] == 0  # 16.0% → 16.5%, after 16.0% was published
    ahead = write_xlsx(tmp_path / "源城2021.xlsx", {"表": [F1, ["源城区", "2021年1-6月", 50000, 9000]]})
    assert cli("load", ahead)[0] == 0
    at = open_app_page()
    text = markdown_text(at)
    assert "已更正" in text and "原值 16.0%（2020年），现值 16.5%" in text
    assert "截至2020年底，14项目标中" in text
    assert "2021年1-6月已有1个地区报送（源城区），全市数据待六个县区报齐或市统计局报送后形成，暂不计入" in text
    detail = open_app_page("app_pages/target_detail.py")
    detail.selectbox(key="detail_indicator").set_value("online_retail_share").run()
    assert any("原值 16.0%（2020年），现值 16.5%" in c.value for c in detail.caption)
