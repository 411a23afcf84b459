"""Streamlit's own interface text in Chinese (the uploader, the multiselect, the table toolbar).

Streamlit cannot translate these by configuration. A small script, injected once per page run into the
page itself (``st.html`` with JavaScript, not an iframe), rewrites the known English strings in text and
in tooltips/labels (aria-label, title, placeholder), now and whenever Streamlit draws them again
(a MutationObserver). Only exact, known strings are touched; nothing a user typed is read or changed.
"""

from __future__ import annotations

import json

import streamlit as st

EXACT = {
    "Drag and drop file here": "将文件拖放到此处",
    "Drag and drop files here": "将文件拖放到此处",
    "Drag and drop a file here": "将文件拖放到此处",
    "Drag and drop directories here": "将文件夹拖放到此处",
    "Browse files": "选择文件",
    "Upload": "选择文件",
    "Remove file": "移除文件",
    "Choose an option": "请选择",
    "Choose options": "请选择",
    "Choose or add an option": "请选择或输入",
    "Choose or add options": "请选择或输入",
    "No results": "没有匹配项",
    "Select all": "全选",
    "Clear all": "全部清除",
    "Clear selection": "清除选择",
    "Download as CSV": "下载为 CSV",
    "Search": "搜索",
    "Fullscreen": "全屏",
    "Close fullscreen": "退出全屏",
    "Show/hide columns": "显示/隐藏列",
    "Add row": "添加行",
    "Delete row(s)": "删除行",
    "Show data": "显示数据",
}
PATTERNS = [
    (r"^(\d+(?:\.\d+)?\s*[KMGT]?B) per file$", "每个文件不超过$1"),
    (r"^Select (\d+) matches$", "选择全部 $1 个匹配项"),
    (r"^Help for (.+)$", "“$1”的说明"),
    (r"^Select up to (\d+) options?\. Remove an option first\.$", "最多选择 $1 项，请先移除一项"),
]

SCRIPT = """<script>
(() => {
  if (window.__ecmonZh) return;
  window.__ecmonZh = true;
  const EXACT = __EXACT__;
  const PATTERNS = __PATTERNS__.map(([re, to]) => [new RegExp(re), to]);
  const ATTRS = ["aria-label", "title", "placeholder"];
  const tr = (s) => {
    if (!s) return null;
    const t = s.trim();
    if (!t || !/[A-Za-z]/.test(t)) return null;
    if (Object.prototype.hasOwnProperty.call(EXACT, t)) return s.replace(t, EXACT[t]);
    for (const [re, to] of PATTERNS) if (re.test(t)) return s.replace(t, t.replace(re, to));
    return null;
  };
  const fixText = (node) => { const v = tr(node.nodeValue); if (v !== null && v !== node.nodeValue) node.nodeValue = v; };
  const fixAttrs = (el) => { for (const a of ATTRS) { if (el.hasAttribute && el.hasAttribute(a)) {
    const v = tr(el.getAttribute(a)); if (v !== null) el.setAttribute(a, v); } } };
  const walk = (root) => {
    if (root.nodeType === 3) return fixText(root);
    if (root.nodeType !== 1) return;
    fixAttrs(root);
    const w = document.createTreeWalker(root, NodeFilter.SHOW_TEXT | NodeFilter.SHOW_ELEMENT);
    for (let n = w.nextNode(); n; n = w.nextNode()) n.nodeType === 3 ? fixText(n) : fixAttrs(n);
  };
  new MutationObserver((muts) => {
    for (const m of muts) {
      if (m.type === "characterData") fixText(m.target);
      else if (m.type === "attributes") fixAttrs(m.target);
      else m.addedNodes.forEach(walk);
    }
  }).observe(document.body, {subtree: true, childList: true, characterData: true, attributes: true,
                             attributeFilter: ATTRS});
  walk(document.body);
})();
</script>""".replace("__EXACT__", json.dumps(EXACT, ensure_ascii=False)).replace("__PATTERNS__", json.dumps(PATTERNS))


def inject() -> None:
    """Once per page run; the script itself runs once per browser tab."""
    st.html(SCRIPT, unsafe_allow_javascript=True)
