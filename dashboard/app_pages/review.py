"""报送审核 — for the city bureau's reviewers: the 待审核 queue with each submission's preview, approve or return
with a reason; the 催报 list of who owes which form; locking approved periods; the audit trail.

Nothing reaches 总览, the exports or the briefings until a reviewer approves it here (or the operator loads it on
the server). A reviewer never approves their own submission; every decision records who and when.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import auth, data, ui
from dashboard.receipt_views import fmt_time, form_titles, guarded, receipt_detail, region_names, show_table
from etl import access, exports, pipeline, store
from etl.catalog import current as current_catalog

ACTIONS = {"receive": "接收", "publish": "发布", "approve": "审核通过", "return": "退回", "lock": "锁定",
           "unlock": "解锁", "recover": "清理未完成的写入"}


def decide(fn, *args) -> None:
    """Run a decision; a refusal is one sentence on the page (and nothing changes)."""
    try:
        r = fn(*args)
    except store.Refused as exc:
        st.session_state["review_message"] = ("error", str(exc))
    else:
        st.session_state["review_message"] = ("success", f"回执{r['id']}：{store.STATUS_LABEL[r['status']]}")
    st.rerun()


def queue_section(person: access.Person, waiting: list[dict]) -> None:
    if not waiting:
        st.success("没有待审核的报送。", icon=":material/done_all:")
        return
    names, titles = region_names(), form_titles()
    ids = [r["id"] for r in waiting]
    by_id = {r["id"]: r for r in waiting}
    st.markdown(f"**{len(waiting)}份报送待审核**（先到先审；审核通过后立即发布，总览、导出和会议材料随之更新）")
    rows = pl.DataFrame([{"回执号": r["id"], "接收时间": fmt_time(r["received_at"]), "文件": r["file"],
                          "报送人": f"{r['user']}（{r['role']}）", "县区": "、".join(names.get(c, c) for c in r["regions"]),
                          "报表": "、".join(r["forms"]), "行数": r["rows"], "警告": r["warnings"]} for r in waiting])
    st.dataframe(rows, hide_index=True, width="stretch")
    pick = st.selectbox("审核回执", ids, key="review_pick",
                        format_func=lambda i: f"回执{i} · {by_id[i]['file']} · {by_id[i]['user']}")
    r = by_id[pick]
    receipt_detail(r, titles, show_preview=True)
    own = r["user"] == person.user
    if own:
        st.info("这是您本人提交的报送，须由另一位审核员审核。")
    left, right = st.columns([1, 3], vertical_alignment="bottom")
    if left.button("审核通过并发布", type="primary", icon=":material/verified:", key="review_approve", disabled=own,
                   width="stretch"):
        decide(pipeline.approve, r["seq"], auth.actor(person))
    reason = right.text_input("退回原因（县区在回执上看到）", key="review_reason", placeholder="如：2017年培训人次与通知不符，请核对后重报")
    if st.button("退回", icon=":material/undo:", key="review_return"):
        decide(pipeline.send_back, r["seq"], auth.actor(person), reason)


def reminders_section() -> None:
    late = data.q("SELECT form, region_name, year, due_date, days_late FROM reminders")
    if late.is_empty():
        st.success("没有逾期未报的报表。")
        return
    titles = form_titles()
    late = late.sort("year", descending=True, maintain_order=True)
    per_year = late.group_by("year", maintain_order=True).agg(pl.len().alias("n"), pl.col("region_name").n_unique().alias("regions"))
    st.markdown(f"**逾期未报{late.height}项**：" + "；".join(
        f"{y}年{n}项（{k}个县区）" for y, n, k in per_year.iter_rows()))
    st.caption("年报自2015年（政策出台之年）起每年一报，截止日期为次年第90天（3月31日，闰年3月30日）；"
               "截止日期已过仍未报送即列入催报。台账类报表当年没有事项的，须报零报告。")
    table = late.select(pl.col("region_name").alias("县区"),
                        (pl.col("form") + " " + pl.col("form").replace_strict(titles, default="")).alias("报表"),
                        (pl.col("year").cast(pl.String) + "年").alias("年度"),
                        pl.col("due_date").dt.strftime("%Y-%m-%d").alias("截止日期"), pl.col("days_late").alias("已逾期天数"))
    st.dataframe(table, hide_index=True, width="stretch")
    st.download_button("下载催报清单（CSV）", exports.csv_bytes(table), file_name="催报清单.csv", mime="text/csv",
                       icon=":material/download:", key="review_reminders_csv")


def locks_section(person: access.Person) -> None:
    catalog = current_catalog()
    st.markdown("审核通过的期间可以锁定：锁定后，该期的报送和审核都会被拒绝并说明原因；需要更正时先解锁。每一步都记入审计记录。")
    locks = store.locks()
    names = {"*": "全部"} | {c: r.name for c, r in catalog.regions.items()}
    if locks:
        st.dataframe(pl.DataFrame([{"报表": "全部" if lk["form"] == "*" else lk["form"], "县区": names.get(lk["scope"], lk["scope"]),
                                    "期间": lk["period"], "锁定人": lk["user"], "锁定时间": (lk["at"] or "")[:16].replace("T", " ")}
                                   for lk in locks]), hide_index=True, width="stretch")
    else:
        st.caption("目前没有锁定的期间。")
    c1, c2, c3, c4, c5 = st.columns([1.4, 1.2, 1, 1, 1], vertical_alignment="bottom")
    form = c1.selectbox("报表", ["*", *catalog.forms], key="lock_form", format_func=lambda f: "全部报表" if f == "*" else
                        catalog.forms[f].label)
    scope = c2.selectbox("县区", ["*", *[c for c, r in catalog.regions.items() if r.level != "city"]], key="lock_scope",
                         format_func=names.get)
    period = c3.text_input("期间", key="lock_period", placeholder="如 2020")
    actor = auth.actor(person)

    def run(fn):
        try:
            with store.writing():
                fn(form, scope, period.strip(), actor)
        except store.Refused as exc:
            st.session_state["review_message"] = ("error", str(exc))
        else:
            st.session_state["review_message"] = ("success", f"已{'锁定' if fn is store.lock else '解锁'}：{names[scope]} "
                                                  f"{'全部报表' if form == '*' else form} {period.strip()}")
        st.rerun()

    if c4.button("锁定", key="lock_do", width="stretch", disabled=not period.strip()):
        run(store.lock)
    if c5.button("解锁", key="unlock_do", width="stretch", disabled=not period.strip()):
        run(store.unlock)


def audit_section() -> None:
    events = store.events(500)
    if not events:
        st.caption("还没有审计记录。")
        return
    frame = pl.DataFrame([{
        "时间": e["at"][:19].replace("T", " "), "账号": e["user"], "角色": e["role"], "渠道": e["channel"],
        "操作": ACTIONS.get(e["action"], e["action"]), "回执号": store.receipt_id(e["receipt_id"]) if e["receipt_id"] else "",
        "说明": "，".join(f"{k}={v}" for k, v in e["detail"].items())} for e in events])
    st.caption(f"最近{frame.height}条记录（最新的在上面）：谁在何时接收、发布、审核、退回、锁定或解锁了什么。")
    show_table(frame, key="review_audit", height=480)


person = st.session_state.get("person") or auth.viewer()
st.title("报送审核")
note = st.session_state.pop("review_message", None)
if note:
    (st.error if note[0] == "error" else st.success)(ui.plain(note[1]))
waiting = store.receipts(store.PENDING)
tabs = st.tabs([f"待审核（{len(waiting)}）", "催报", "锁定", "审计记录"], key="review_tab", on_change="rerun")
with tabs[0]:
    guarded("显示待审核的报送", queue_section, person, waiting)
with tabs[1]:
    guarded("显示催报清单", reminders_section)
with tabs[2]:
    guarded("锁定期间", locks_section, person)
with tabs[3]:
    guarded("显示审计记录", audit_section)
