"""The self-contained HTML report: one bilingual file that reads offline, from file://, with no network.

Written for three readers at once: a lawyer wants the outcome and the reasons, an engineer the
steps and the protocol transcript, a regulator the device identity and the profile's numbers with
where each came from. Only the standard library builds it: every dynamic text goes through
``html.escape``, and a Content-Security-Policy pinned to the hashes of the inline style and script
stops anything else from running or loading, even if hostile text slipped through.
"""

from __future__ import annotations

import base64
import hashlib
import json
from html import escape
from pathlib import Path
from typing import Any

from conformance.results import ClauseResult, RunResults, ScenarioResult
from conformance.verdicts import SEVERITY, Verdict

# Verdict -> (Chinese label, English meaning, Chinese meaning). The English label is the code
# itself, so the page matches results.json and the JUnit file word for word.
VERDICT_TEXT: dict[str, tuple[str, str, str]] = {
    "PASS": ("通过", "The device met the clause in every scenario.", "设备在所有场景中均满足该条款。"),
    "FAIL": ("不通过", "The device did not meet the clause in at least one scenario.", "设备至少在一个场景中不满足该条款。"),
    "INCONCLUSIVE": ("无法判定", "The device could not be made to answer, so the clause could not be judged.", "设备未能应答，无法判定该条款。"),
    "ERROR": ("测试工具错误", "The harness itself failed; this says nothing about the device.", "测试工具自身出错，不代表设备的情况。"),
    "NOT_APPLICABLE": ("不适用", "The declaration says the device lacks the feature the clause is about.", "根据声明，设备不具备该条款涉及的功能。"),
    "NOT_TESTED": ("未测试", "No scenario ran for the clause.", "没有针对该条款运行任何场景。"),
    "EVIDENCE_SUPPLIED": ("已提供证据", "A physical clause: the declaration names lab evidence (never a PASS by this harness).", "物理类条款：声明中提供了实验室证据（本工具不对其判定通过）。"),
    "EVIDENCE_MISSING": ("缺少证据", "A physical clause with no lab evidence in the declaration.", "物理类条款：声明中没有实验室证据。"),
}

# What conformance.results.judge_clauses says of a clause without scenarios.
NO_SCENARIO_REASON = "no scenario ran for this clause"

# Verdicts a reader should look at first; the "needs attention" filter shows these.
ATTENTION = ("FAIL", "EVIDENCE_MISSING", "ERROR", "INCONCLUSIVE", "NOT_TESTED")

# Exit status -> (css class, English, Chinese), mirroring conformance.verdicts.exit_status.
OUTCOME = {
    0: ("o-pass", "Every mandatory clause tested passes or does not apply", "所有已测试的强制性条款均通过或不适用"),
    1: ("o-fail", "A mandatory clause fails", "存在不符合的强制性条款"),
    2: ("o-open", "No mandatory clause fails, but some could not be judged", "没有不符合的强制性条款，但部分条款无法判定"),
    3: ("o-open", "The run was interrupted before it ended: no overall outcome", "运行在结束前被中断：无总体结论"),
}

# Interface wording, (English, Chinese); the language switch shows one or both.
UI: dict[str, tuple[str, str]] = {
    "report": ("conformance test report", "符合性测试报告"),
    "outcome": ("Overall outcome", "总体结论"),
    "exit": ("exit status", "退出状态"),
    "interrupted": ("The run was interrupted: results are incomplete.", "运行被中断：结果不完整。"),
    "waived": ("Waived", "已豁免"),
    "retried": ("Retried", "已重试"),
    "retried_title": ("a scenario of this clause ran again after a transport fault: its attempts are under the scenario", "本条款有场景在传输故障后重新运行：各次尝试见该场景"),
    "waived_mandatory": ("A mandatory clause's FAIL is waived (--allow-mandatory-waivers): this is not a certification result", "强制性条款的不通过已被豁免（--allow-mandatory-waivers）：本结果不能作为认证结论"),
    "waived_fails": ("Waived FAILs (they stay FAIL in this report; the exit status does not count them)", "已豁免的不通过（本报告中仍为不通过，退出状态不计入）"),
    "waiver_file": ("waiver file", "豁免文件"),
    "without_waivers": ("without waivers", "不计豁免"),
    "waivers_expired": ("Expired waivers, ignored (their FAILs count)", "已过期并被忽略的豁免（相应不通过照常计入）"),
    "audit": ("Audit run: no waiver was accepted", "审核运行：不接受任何豁免"),
    "approved_by": ("approved by", "批准人"),
    "until": ("until", "有效期至"),
    "untested": ("mandatory clauses had no scenario run; the outcome does not cover them.", "条强制性条款未运行任何场景，总体结论不涵盖这些条款。"),
    "run": ("Run", "运行"),
    "run_id": ("Run id", "运行编号"),
    "started": ("Started", "开始时间"),
    "finished": ("Finished", "结束时间"),
    "duration": ("Duration", "用时"),
    "harness": ("Harness version", "测试工具版本"),
    "profile": ("Profile", "检测配置"),
    "standard": ("Standard", "标准"),
    "clause_count": ("Clauses", "条款数"),
    "device": ("Device under test", "被测设备"),
    "model": ("Model", "型号"),
    "manufacturer": ("Manufacturer", "制造商"),
    "firmware": ("Firmware", "固件版本"),
    "protocol": ("Test protocol", "测试协议版本"),
    "transport": ("Transport", "传输方式"),
    "features": ("Optional features", "可选功能"),
    "feature": ("Feature", "功能"),
    "declared": ("Declared", "声明"),
    "reported": ("Device reports", "设备报告"),
    "device_says": ("device reports", "设备报告"),
    "clauses": ("Clauses", "条款"),
    "show": ("Show", "显示"),
    "all": ("All", "全部"),
    "attention": ("Needs attention", "需关注"),
    "expand": ("Expand all", "全部展开"),
    "collapse": ("Collapse all", "全部收起"),
    "shown": ("clauses shown", "条已显示"),
    "legend": ("What the verdicts mean", "判定含义"),
    "id": ("Clause", "条款"),
    "level": ("Level", "级别"),
    "title": ("Title", "标题"),
    "verdict": ("Verdict", "判定"),
    "scen": ("Scen.", "场景"),
    "reason": ("Reason", "原因"),
    "mandatory": ("mandatory", "强制"),
    "recommended": ("recommended", "推荐"),
    "automated": ("automated test", "自动测试"),
    "evidence": ("physical, judged on lab evidence", "物理类，依据实验室证据"),
    "ev_declared": ("Declared evidence", "声明的证据"),
    "ev_none": ("The declaration names no evidence for this clause.", "声明中没有该条款的证据。"),
    "report_no": ("Report", "报告"),
    "lab": ("Lab", "实验室"),
    "date": ("Date", "日期"),
    "parameters": ("Profile parameters", "检测配置参数"),
    "clause_params": ("Parameters", "参数"),
    "name": ("Name", "名称"),
    "value": ("Value", "取值"),
    "layer": ("Layer", "来源层"),
    "defects_on": ("The reference emulator ran with defects switched on; this is a self-validation run, not a device's result", "参考模拟器开启了缺陷开关：本次为自检运行，不是设备检测结果"),
    "variants_on": ("The reference emulator ran with conformant variants", "参考模拟器开启了合规变体"),
    "rerun_of": ("A rerun: only the scenarios with these verdicts ran again; the other results are those of run", "重新运行：仅重新运行了以下结论的场景，其余结果取自运行"),
    "direction": ("Device value", "设备取值"),
    "at_most": ("at most this", "不高于此值"),
    "at_least": ("at least this", "不低于此值"),
    "covers": ("covers this window", "覆盖此时段"),
    "includes": ("includes these", "包含这些"),
    "exactly": ("exactly this", "等于此值"),
    "source": ("Source", "出处"),
    "used_by": ("Used by", "使用条款"),
    "unset": ("not set (not publicly known)", "未设定（未公开）"),
    "scenarios": ("Scenarios", "场景"),
    "no_scenario": ("No scenario ran for this clause.", "没有针对该条款运行任何场景。"),
    "transcript": ("transcript", "协议记录"),
    "transcripts": ("Protocol transcripts", "协议交互记录"),
    "tx_note": (
        "Every request the harness sent to the device and its reply, once per scenario; the clauses link here.",
        "测试工具发给设备的每个请求及其应答，每个场景仅列一次；各条款链接至此。",
    ),
    "exchanges": ("exchanges", "次交互"),
    "no_exchange": ("No exchange with the device was recorded.", "未记录与设备的交互。"),
    "also": ("also", "另见"),
    "attempts": ("Attempts: the link to the device broke, and the scenario ran again from its own reset", "尝试记录：与设备的连接中断，场景从其自身的复位重新运行"),
    "attempt": ("attempt", "尝试"),
    "footer": (
        "Self-contained: this file loads nothing from the network. Machine-readable results are in results.json beside it.",
        "本文件自成一体，不从网络加载任何内容。机器可读的结果见同目录下的 results.json。",
    ),
}

CSS = """
:root{--pass:#1a7f37;--fail:#cf222e;--amber:#d4a72c;--err:#8250df;--grey:#6e7781;--teal:#0f766e;--bd:#d0d7de;--mut:#57606a;--bg2:#f6f8fa;--link:#0969da}
*{box-sizing:border-box}
html{background:#fff;color:#1f2328}
body{margin:0 auto;max-width:1440px;padding:18px 28px 40px;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC","Source Han Sans SC",sans-serif}
a{color:var(--link);text-decoration:none}a:hover{text-decoration:underline}
code,pre,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Noto Sans Mono CJK SC",monospace;font-size:12px}
h1{font-size:24px;margin:0}h2{font-size:19px;margin:28px 0 10px;padding-bottom:4px;border-bottom:1px solid var(--bd)}
h3{font-size:15px;margin:18px 0 4px}h4{font-size:13px;margin:12px 0 4px;color:var(--mut)}
html[data-lang=en] .zh,html[data-lang=zh] .en{display:none}
html[data-lang=both] .en+.zh::before{content:" / ";color:var(--mut)}
html[data-lang=both] :is(h1,.c-title,.c-level,.sub) .zh{display:block}
html[data-lang=both] :is(h1,.c-title,.c-level,.sub) .en+.zh::before{content:none}
html[data-lang=both] .b .zh::before{color:inherit}
.top{display:flex;justify-content:space-between;align-items:flex-start;gap:16px;flex-wrap:wrap}
.sub{color:var(--mut);margin:4px 0 14px}
nav a{margin-right:14px}
.lang button,.tools button{font:inherit;font-size:13px;padding:3px 10px;border:1px solid var(--bd);background:#fff;border-radius:6px;cursor:pointer}
.lang button[aria-pressed=true]{background:#1f2328;color:#fff;border-color:#1f2328}
.outcome{border-radius:8px;padding:12px 16px;margin:8px 0 14px;border:1px solid;display:flex;gap:18px;align-items:baseline;flex-wrap:wrap}
.outcome .big{font-size:19px;font-weight:700}
.o-pass{background:#dafbe1;border-color:#4ac26b}.o-fail{background:#ffebe9;border-color:#ff8182}.o-open{background:#fff8c5;border-color:#d4a72c}
.warn{color:var(--fail);font-weight:600}
.note{color:#7d4e00;font-weight:600}
.waiver{display:inline-block;border:1px dashed #7d4e00;color:#7d4e00;border-radius:4px;padding:0 5px;margin-right:6px;font-weight:600}
.retried{display:inline-block;border:1px dashed var(--bd);color:inherit;border-radius:4px;padding:0 5px;margin-right:6px;font-weight:600}
.waiver.loud{border:2px solid var(--fail);color:var(--fail);text-transform:uppercase}
.outcome .tally{margin-left:auto;white-space:nowrap}
.mono{font-size:13px}
details.clause,details.tx,tr[id]{scroll-margin-top:56px}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(300px,1fr));gap:12px}
.card{border:1px solid var(--bd);border-radius:8px;padding:10px 14px}
.card h3{margin:0 0 6px}
dl.kv{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:2px 14px;margin:0}
dl.kv dt{color:var(--mut)}dl.kv dd{margin:0;overflow-wrap:anywhere}
.muted{color:var(--mut)}.diff{color:var(--fail)}
table{border-collapse:collapse;width:100%}
th,td{border-bottom:1px solid var(--bd);padding:4px 8px;text-align:left;vertical-align:top}
th{font-size:12px;color:var(--mut);font-weight:600}
table.feat td,table.feat th{padding:1px 8px}
.yes{color:var(--pass)}.no{color:var(--grey)}
.st-unknown{color:var(--mut)}
.b{display:inline-block;padding:0 8px;border-radius:10px;font-size:12px;font-weight:600;line-height:19px;color:#fff;white-space:nowrap;border:1px solid transparent}
.b-pass{background:var(--pass)}.b-fail,.b-evidence_missing{background:var(--fail)}.b-inconclusive{background:var(--amber);color:#3b2300}
.b-error{background:var(--err)}.b-not_applicable{background:var(--grey)}.b-not_tested{background:#fff;color:var(--mut);border-color:var(--grey)}
.b-evidence_supplied{background:var(--teal)}
.filters{position:sticky;top:0;z-index:2;background:#fff;display:flex;flex-wrap:wrap;gap:6px 12px;align-items:center;padding:8px 0;border-bottom:1px solid var(--bd)}
.filters label{cursor:pointer;white-space:nowrap}.filters .n{font-weight:600;margin-left:2px}
.tools{margin-left:auto;display:flex;gap:6px;align-items:center}
details.legend{margin:8px 0}details.legend summary{cursor:pointer;color:var(--link)}
details.legend dl{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:4px 12px;margin:8px 0 0}
.area>h3 .code{color:var(--mut);font-family:ui-monospace,monospace;margin-right:6px}
.area>h3 .tally{font-weight:400;font-size:12px;color:var(--mut);margin-left:10px}
.row{display:grid;grid-template-columns:9em 6.5em minmax(0,2.2fr) 10.5em 3.2em minmax(0,1.5fr);gap:0 12px;padding:5px 10px;align-items:baseline}
.row.head{font-size:12px;color:var(--mut);font-weight:600;border-bottom:2px solid var(--bd);padding-top:2px;padding-bottom:2px}
details.clause{border-bottom:1px solid var(--bd)}
details.clause>summary{cursor:pointer;list-style:none}
details.clause>summary::-webkit-details-marker{display:none}
details.clause>summary:hover{background:var(--bg2)}
details.clause[open]>summary{background:#ddf4ff}
.c-id{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px;white-space:nowrap}
.c-id::before{content:"\\25B8";display:inline-block;width:1.1em;color:var(--mut)}
details[open]>summary .c-id::before{content:"\\25BE"}
.c-n{text-align:right}
.c-level{font-size:12px;color:var(--mut)}
.rec .c-level{font-style:italic}
.c-reason{font-size:12.5px;color:var(--mut);display:-webkit-box;-webkit-line-clamp:2;-webkit-box-orient:vertical;overflow:hidden;overflow-wrap:anywhere}
details.clause[data-verdict=FAIL]>summary,details.clause[data-verdict=EVIDENCE_MISSING]>summary{box-shadow:inset 3px 0 var(--fail)}
details.clause[data-verdict=ERROR]>summary{box-shadow:inset 3px 0 var(--err)}
details.clause[data-verdict=INCONCLUSIVE]>summary{box-shadow:inset 3px 0 var(--amber)}
.body{padding:6px 14px 14px 2.4em}
.full{white-space:pre-wrap;overflow-wrap:anywhere;background:#fff8f0;border-left:3px solid var(--amber);padding:6px 10px;margin:4px 0 8px;font-size:13px}
.scn{border:1px solid var(--bd);border-radius:6px;padding:6px 10px;margin:6px 0}
.scn-h{display:flex;flex-wrap:wrap;gap:4px 10px;align-items:baseline}
.scn-h b{font-weight:600}
ol.steps{margin:6px 0 2px;padding-left:1.6em}
ul.attempts{margin:4px 0;padding-left:1.6em;list-style:none}ul.attempts details{display:inline}
ol.steps li{margin:1px 0}
ol.steps b{font-weight:600;display:inline-block;min-width:3.2em}
ol.steps li::before{display:inline-block;width:1.3em}
.st-passed::before{content:"\\2713";color:var(--pass)}.st-failed::before{content:"\\2717";color:var(--fail);font-weight:700}
.st-failed{background:#ffebe9}
pre{margin:0;padding:5px 8px;background:var(--bg2);border-radius:4px;white-space:pre-wrap;overflow-wrap:anywhere;line-height:1.35}
pre.msg{background:#ffebe9;margin:2px 0 4px}
pre.val{background:none;padding:0}
.null{color:var(--mut);font-style:italic}
details.tx{border:1px solid var(--bd);border-radius:6px;margin:3px 0}
details.tx>summary{cursor:pointer;padding:3px 10px}
details.tx[open]>summary{border-bottom:1px solid var(--bd);background:var(--bg2)}
.ex{padding:6px 10px;border-bottom:1px dashed var(--bd);display:grid;grid-template-columns:1fr 1fr;gap:3px 8px;align-items:start}
.ex>p,.ex>.err{grid-column:1/-1;margin:0;font-size:12.5px}.ex i{color:var(--mut);font-style:normal}
.ex b{font-weight:600}.r-ok{color:var(--pass)}.r-no,.r-none{color:var(--fail)}
.r-ok::after{content:"ok"}.r-no::after{content:"refused"}.r-none::after{content:"no reply"}
html[data-lang=zh] .r-ok::after{content:"成功"}html[data-lang=zh] .r-no::after{content:"拒绝"}html[data-lang=zh] .r-none::after{content:"无应答"}
.ex pre::before{display:block;color:var(--mut);font-family:system-ui,sans-serif;font-size:11px;margin-bottom:2px}
.ex .req::before{content:"\\2192  request"}.ex .rep::before{content:"\\2190  reply"}
html[data-lang=zh] .ex .req::before{content:"\\2192  请求"}html[data-lang=zh] .ex .rep::before{content:"\\2190  应答"}
.err{color:var(--fail)}
table.params td:first-child,table.params td:nth-child(3){white-space:nowrap}
table.params td:nth-child(4){font-size:12px;color:var(--mut)}
footer{margin-top:30px;color:var(--mut);font-size:12px;border-top:1px solid var(--bd);padding-top:8px}
:target{outline:2px solid var(--link);outline-offset:1px}
@media (max-width:860px){.row{grid-template-columns:8.5em minmax(0,1fr) auto}.c-level,.c-n,.row.head{display:none}.c-reason{grid-column:1/-1}.ex{grid-template-columns:1fr}}
@media print{.filters,.lang,nav,.tools{display:none}body{max-width:none;padding:0}details.clause>summary{break-inside:avoid}}
"""

JS = """
(function () {
  "use strict";
  var root = document.documentElement, KEY = "gb46859-report-lang";
  function all(sel, el) { return Array.prototype.slice.call((el || document).querySelectorAll(sel)); }
  function setLang(lang) {
    root.setAttribute("data-lang", lang);
    root.lang = lang === "zh" ? "zh-CN" : "en";
    all("[data-set-lang]").forEach(function (b) { b.setAttribute("aria-pressed", String(b.getAttribute("data-set-lang") === lang)); });
    try { localStorage.setItem(KEY, lang); } catch (e) { /* file:// may forbid storage */ }
  }
  var wanted = null;
  try { wanted = new URLSearchParams(location.search).get("lang") || localStorage.getItem(KEY); } catch (e) { /* ignore */ }
  if (!wanted && /^zh/i.test(navigator.language || "")) { wanted = "zh"; }
  setLang(["en", "zh", "both"].indexOf(wanted) >= 0 ? wanted : "en");
  all("[data-set-lang]").forEach(function (b) { b.addEventListener("click", function () { setLang(b.getAttribute("data-set-lang")); }); });

  var boxes = all("input[data-v]");
  function applyFilter() {
    var on = {}, shown = 0;
    boxes.forEach(function (c) { on[c.getAttribute("data-v")] = c.checked; });
    all("section.area").forEach(function (area) {
      var any = false;
      all("details.clause", area).forEach(function (d) {
        var visible = on[d.getAttribute("data-verdict")] !== false;
        d.hidden = !visible;
        if (visible) { any = true; shown += 1; }
      });
      area.hidden = !any;
    });
    all(".shown-n").forEach(function (s) { s.textContent = String(shown); });
  }
  boxes.forEach(function (c) { c.addEventListener("change", applyFilter); });
  all("[data-preset]").forEach(function (b) {
    b.addEventListener("click", function () {
      var only = b.getAttribute("data-preset") === "attention" ? JSON.parse(b.getAttribute("data-verdicts")) : null;
      boxes.forEach(function (c) { c.checked = !only || only.indexOf(c.getAttribute("data-v")) >= 0; });
      applyFilter();
    });
  });
  applyFilter();

  function setOpen(sel, open) { all(sel).forEach(function (d) { if (!d.hidden) { d.open = open; } }); }
  all("[data-expand]").forEach(function (b) {
    b.addEventListener("click", function () {
      if (b.getAttribute("data-expand") === "1") { setOpen("details.clause", true); } else { setOpen("details", false); }
    });
  });

  // An anchor may point into a closed <details> or a filtered-out clause: open the way to it.
  function reveal(id) {
    var el = id && document.getElementById(id);
    for (var p = el; p; p = p.parentElement) {
      if (p.tagName === "DETAILS") { p.open = true; }
      if (p.hidden) { p.hidden = false; }
    }
    return el;
  }
  function idOf(hash) { try { return decodeURIComponent(hash.slice(1)); } catch (e) { return hash.slice(1); } }
  document.addEventListener("click", function (ev) {
    var a = ev.target.closest && ev.target.closest("a[href^='#']");
    if (a) { reveal(idOf(a.getAttribute("href"))); }
  });
  window.addEventListener("hashchange", function () { reveal(idOf(location.hash)); });
  if (location.hash) {
    var target = reveal(idOf(location.hash));
    if (target) { target.scrollIntoView(); }
  }
  // Paper has no disclosure triangles: print every clause opened (transcripts stay closed).
  window.addEventListener("beforeprint", function () { setOpen("details.clause", true); });
})();
"""


def _e(value: Any) -> str:
    """Escape any value for HTML text or a quoted attribute."""
    return escape(str(value), quote=True)


def _text(value: Any) -> str:
    """Escape bulk text content (JSON, messages): quotes need no escaping outside attributes, and JSON is full of them."""
    return escape(str(value), quote=False)


def _bi(en: Any, zh: Any) -> str:
    """A text in both languages; the language switch hides one of them with CSS."""
    return f'<span class="en">{_e(en)}</span><span class="zh" lang="zh-CN">{_e(zh)}</span>'


def _t(key: str) -> str:
    """An interface string in both languages."""
    return _bi(*UI[key])


def _code(verdict: Verdict | str) -> str:
    return verdict.value if isinstance(verdict, Verdict) else str(verdict)


def _badge(verdict: Verdict | str) -> str:
    """A coloured verdict badge: the code (as in results.json) in English, its label in Chinese."""
    code = _code(verdict)
    zh = VERDICT_TEXT.get(code, (code, "", ""))[0]
    return f'<span class="b b-{_e(code.lower())}">{_bi(code, zh)}</span>'


def _duration(seconds: float) -> str:
    """Seconds for people: 0.24 s, 7.0 s, 2 min 05 s, 1 h 02 min."""
    if seconds < 10:
        return f"{seconds:.2f} s"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min {secs:02d} s"


def _when(iso: str) -> str:
    """An ISO timestamp, kept exact but easier on the eye."""
    return f'<time datetime="{_e(iso)}">{_e(iso.replace("T", " "))}</time>' if iso else "—"


def _value(value: Any) -> str:
    """A parameter value: short lists as words, structures as compact JSON, null as 'not set'."""
    if value is None:
        return f'<span class="null">{_t("unset")}</span>'
    if isinstance(value, bool):
        return _e(json.dumps(value))
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value):
        return _e(", ".join(str(v) for v in value)) if value else "[]"
    if isinstance(value, list):
        # One item per line (an age band per line) reads better than one indented blob.
        return '<pre class="val">' + _e("\n".join(json.dumps(v, ensure_ascii=False, default=str) for v in value)) + "</pre>"
    if isinstance(value, dict):
        return '<pre class="val">' + _e(json.dumps(value, ensure_ascii=False, indent=1, default=str)) + "</pre>"
    return _e(value)


def _dl(rows: list[tuple[str, str]]) -> str:
    """A definition list from already-rendered (label, value) pairs."""
    return '<dl class="kv">' + "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows) + "</dl>"


def _clause_links(ids: list[str], known: set[str]) -> str:
    """Clause ids, linked when the clause is on this page."""
    return ", ".join(f'<a href="#{_e(c)}">{_e(c)}</a>' if c in known else _e(c) for c in ids)


def _scenario_key(scenario: ScenarioResult) -> str:
    # The pytest node id is unique per scenario (parametrised ones carry [..]).
    return scenario.nodeid or f"{scenario.feature_file}::{scenario.name}"


def _scenario_anchors(results: RunResults) -> dict[str, str]:
    """Each distinct scenario, in order of first appearance, gets one anchor for its transcript."""
    anchors: dict[str, str] = {}
    for clause in results.clauses:
        for scenario in clause.scenarios:
            anchors.setdefault(_scenario_key(scenario), f"scn-{len(anchors) + 1}")
    return anchors


# -- header ----------------------------------------------------------------------


def _reported(declared: Any, reported: Any) -> str:
    """A declared value, with what the device itself says when that differs."""
    text = _e(declared if declared not in (None, "") else "—")
    if reported not in (None, "") and str(reported) != str(declared):
        text += f' <span class="diff">({_t("device_says")}: {_e(reported)})</span>'
    return text


def _mark(on: Any) -> str:
    return '<span class="yes">✓</span>' if on else '<span class="no">✗</span>'


def _features_table(declared: dict[str, Any], reported: list[str] | None) -> str:
    names = list(declared) + [f for f in reported or [] if f not in declared]
    if not names:
        return "—"
    rows = "".join(
        f"<tr><td><code>{_e(n)}</code></td><td>{_mark(declared.get(n))}</td><td>{_mark(n in reported) if reported is not None else '—'}</td></tr>"
        for n in names
    )
    return f'<table class="feat"><tr><th>{_t("feature")}</th><th>{_t("declared")}</th><th>{_t("reported")}</th></tr>{rows}</table>'


def _verdict_order(counts: dict[str, int]) -> list[str]:
    """Verdicts present in a run, worst first."""
    known = [v.value for v in SEVERITY]
    return [v for v in known if counts.get(v)] + [v for v in counts if v not in known and counts[v]]


def _tally(results: RunResults) -> str:
    counts = results.summary
    return " ".join(f"{_badge(v)} {counts[v]}" for v in _verdict_order(counts))


def _header(results: RunResults) -> str:
    p = results.profile
    decl = results.declaration or {}
    dev = results.device_identity or {}
    status = results.exit_status
    # The outcome states what the device did: a waived FAIL is still a FAIL, only the exit status leaves it out.
    judged = results.exit_status_without_waivers
    css, en, zh = OUTCOME.get(judged, ("o-open", f"exit status {judged}", f"退出状态 {judged}"))
    status_text = f"{status}" + (f" ({judged} {_t('without_waivers')})" if judged != status else "")
    interrupted = f'<div class="warn">{_t("interrupted")}</div>' if results.interrupted else ""
    interrupted += _waiver_banner(results)
    switches = results.emulator_switches or {}
    if switches.get("defects"):
        interrupted += f'<div class="warn">{_t("defects_on")}: <span class="mono">{_e(", ".join(switches["defects"]))}</span></div>'
    if switches.get("variants"):
        interrupted += f'<div class="note">{_t("variants_on")}: <span class="mono">{_e(", ".join(switches["variants"]))}</span></div>'
    if results.rerun_of:
        again = ", ".join(results.rerun_of.get("only", []))
        interrupted += f'<div class="note">{_t("rerun_of")} <span class="mono">{_e(results.rerun_of.get("run_id"))}</span> ({_e(again)})</div>'
    # The exit status ignores clauses nothing ran for (a --select run); say so rather than let "pass" imply coverage.
    untested = sum(c.level == "mandatory" and _code(c.verdict) == "NOT_TESTED" for c in results.clauses)
    if untested:
        interrupted += f'<div class="note">{untested} {_t("untested")}</div>'
    mandatory = sum(c.level == "mandatory" for c in results.clauses)
    run_card = _dl([
        (_t("run_id"), f'<span class="mono">{_e(results.run_id)}</span>'),
        (_t("started"), _when(results.started)),
        (_t("finished"), _when(results.finished)),
        (_t("duration"), _e(_duration(results.duration_s))),
        (_t("harness"), _e(results.harness_version)),
    ])
    profile_card = _dl([
        (_t("profile"), f'<span class="mono">{_e(p.name)}</span>'),
        (_t("title"), _bi(p.title_en, p.title_zh)),
        (_t("standard"), _e(p.standard)),
        (_t("clause_count"), f'{len(results.clauses)} ({mandatory} {_t("mandatory")}, {len(results.clauses) - mandatory} {_t("recommended")})'),
    ])
    reported = dev.get("features")
    device_card = _dl([
        (_t("model"), _reported(decl.get("model"), dev.get("model"))),
        (_t("manufacturer"), _e(decl.get("manufacturer") or "—")),
        (_t("firmware"), _reported(decl.get("firmware"), dev.get("firmware"))),
        (_t("protocol"), _e(dev.get("protocol", "—"))),
        (_t("transport"), _e(decl.get("transport") or "—")),
    ]) + f'<h4>{_t("features")}</h4>' + _features_table(decl.get("features") or {}, reported if isinstance(reported, list) else None)
    return f"""<header>
<div class="top"><div><h1>{_bi(f"{p.standard} {UI['report'][0]}", f"{p.standard} {UI['report'][1]}")}</h1>
<p class="sub">{_bi(p.title_en, p.title_zh)}</p></div>
<div class="lang" role="group" aria-label="Language / 语言"><button type="button" data-set-lang="en" aria-pressed="true">English</button> <button type="button" data-set-lang="zh" lang="zh-CN" aria-pressed="false">中文</button> <button type="button" data-set-lang="both" aria-pressed="false">EN + 中文</button></div></div>
<nav><a href="#clauses">{_t("clauses")}</a><a href="#transcripts">{_t("transcripts")}</a><a href="#parameters">{_t("parameters")}</a></nav>
<div class="outcome {css}"><span class="muted">{_t("outcome")}</span><span class="big">{_bi(en, zh)}</span><span class="muted">{_t("exit")} {status_text}</span>{interrupted}
<span class="tally">{_tally(results)}</span></div>
<div class="cards"><section class="card"><h3>{_t("run")}</h3>{run_card}</section>
<section class="card"><h3>{_t("profile")}</h3>{profile_card}</section>
<section class="card"><h3>{_t("device")}</h3>{device_card}</section></div>
</header>"""


def _waiver_banner(results: RunResults) -> str:
    if results.audit:
        return f'<div class="note">{_t("audit")}</div>'
    record = results.waivers
    if not record:
        return ""
    out = ""
    if any(e["mandatory"] for e in record["applied"]):
        out += f'<div class="warn">{_t("waived_mandatory")}</div>'
    if record["applied"]:
        waived = ", ".join(e["clause"] for e in record["applied"])
        out += f'<div class="note">{_t("waived_fails")}: <span class="mono">{_e(waived)}</span> · {_t("waiver_file")} <span class="mono">{_e(record["file"])}</span></div>'
    if record["expired"]:
        out += f'<div class="warn">{_t("waivers_expired")}: <span class="mono">{_e(", ".join(e["clause"] for e in record["expired"]))}</span></div>'
    return out


def _waiver_tag(entry: dict[str, Any]) -> str:
    return f'<span class="waiver{" loud" if entry["mandatory"] else ""}">{_t("waived")}</span>'


def _waiver_notes(clause: ClauseResult) -> str:
    """Each waiver beside the FAIL it covers: who approved it, why, until when."""
    return "".join(
        f'<div class="{"warn" if e["mandatory"] else "note"}">{_waiver_tag(e)}{_t("waived_mandatory") + ":" if e["mandatory"] else ""} '
        f'{_e(e["scenario"] or "")}{": " if e["scenario"] else ""}{_e(e["justification"])} · {_t("approved_by")} {_e(e["approved_by"])} · {_t("until")} {_e(e["expires"])}'
        f' · <span class="mono">{_e(e["file"])}:{_e(e["line"])}</span></div>'
        for e in clause.waivers
    )


# -- clauses ---------------------------------------------------------------------


def _filters(results: RunResults) -> str:
    """Verdict counts that double as filters, plus presets and expand/collapse."""
    counts = results.summary
    boxes = " ".join(
        f'<label><input type="checkbox" data-v="{_e(v)}" checked> {_badge(v)}<span class="n">{counts[v]}</span></label>'
        for v in _verdict_order(counts)
    )
    attention = _e(json.dumps(list(ATTENTION)))
    return f"""<div class="filters"><span class="muted">{_t("show")}:</span> {boxes}
<span class="tools"><button type="button" data-preset="all">{_t("all")}</button><button type="button" data-preset="attention" data-verdicts="{attention}">{_t("attention")}</button>
<button type="button" data-expand="1">{_t("expand")}</button><button type="button" data-expand="0">{_t("collapse")}</button>
<span class="muted"><span class="shown-n">{len(results.clauses)}</span>/{len(results.clauses)} {_t("shown")}</span></span></div>"""


def _legend() -> str:
    rows = "".join(f"<dt>{_badge(code)}</dt><dd>{_bi(en, zh)}</dd>" for code, (_, en, zh) in VERDICT_TEXT.items())
    return f'<details class="legend"><summary>{_t("legend")}</summary><dl>{rows}</dl></details>'


def _short(reason: str, limit: int = 260) -> str:
    """The reason as shown in the table row; the full text is in the clause's details."""
    reason = " ".join(reason.split())
    return reason if len(reason) <= limit else reason[: limit - 1] + "…"


def _steps(scenario: ScenarioResult) -> str:
    if not scenario.steps:
        return ""
    items = []
    for step in scenario.steps:
        message = f'<pre class="msg">{_text(step.message)}</pre>' if step.message else ""
        items.append(f'<li class="st-{_e(step.status)}"><b>{_e(step.keyword)}</b> {_e(step.text)}{message}</li>')
    return f'<ol class="steps">{"".join(items)}</ol>'


def _attempts(scenario: ScenarioResult) -> str:
    """Each attempt of a scenario that ran more than once: its verdict, why, and the exchanges of the earlier ones."""
    if len(scenario.attempts) < 2:
        return ""
    items = []
    for attempt in scenario.attempts:
        transcript = attempt.get("transcript") or []
        exchanges = "".join(_exchange(i, x) for i, x in enumerate(transcript, 1))
        shown = f' <details><summary>{_t("transcript")} ({len(transcript)})</summary>{exchanges}</details>' if transcript and attempt is not scenario.attempts[-1] else ""
        reason = f" {_text(attempt.get('reason'))}" if attempt.get("reason") else ""
        items.append(f'<li>{_t("attempt")} {_e(attempt.get("attempt"))}: {_badge(attempt.get("verdict", ""))}{reason}{shown}</li>')
    return f'<h4>{_t("attempts")}</h4><ul class="attempts">{"".join(items)}</ul>'


def _scenario_in_clause(scenario: ScenarioResult, clause_id: str, anchors: dict[str, str], clause_ids: set[str]) -> str:
    """A scenario under a clause: its verdict, facts and steps, linking to its one transcript."""
    facts = [f'<code title="{_e(scenario.feature)}">{_e(scenario.feature_file)}</code>', _e(_duration(scenario.duration_s))]
    if scenario.clock_mode:
        facts.append(_e(scenario.clock_mode))
    facts.extend(f"<em>{_e(text)}</em>" for text in scenario.notes)
    others = [c for c in scenario.clauses if c != clause_id]
    if others:
        facts.append(f"{_t('also')}: {_clause_links(others, clause_ids)}")
    if scenario.transcript:  # scenarios that never spoke to the device (lab evidence) have none to link to
        facts.append(f'<a href="#{anchors[_scenario_key(scenario)]}">{_t("transcript")} ({len(scenario.transcript)}) ↓</a>')
    # The failing step usually carries the same text as the reason: say it once.
    said = any(s.message.strip().startswith(scenario.reason.strip()) for s in scenario.steps if s.message)
    reason = f'<div class="full">{_text(scenario.reason)}</div>' if scenario.reason and not said and _code(scenario.verdict) != "PASS" else ""
    meta = '<span class="muted">' + " · ".join(facts) + "</span>"
    return f'<div class="scn"><div class="scn-h">{_badge(scenario.verdict)} <b>{_e(scenario.name)}</b> {meta}</div>{reason}{_attempts(scenario)}{_steps(scenario)}</div>'


def _evidence(results: RunResults, clause: ClauseResult) -> str:
    entry = (results.declaration or {}).get("evidence", {}).get(clause.id)
    if not isinstance(entry, dict):
        return f'<h4>{_t("ev_declared")}</h4><p class="muted">{_t("ev_none")}</p>'
    labels = {"report": "report_no", "lab": "lab", "date": "date"}
    rows = [(_t(labels[k]) if k in labels else _e(k), _e(v)) for k, v in entry.items()]
    return f'<h4>{_t("ev_declared")}</h4>' + _dl(rows)


def _clause_body(results: RunResults, clause: ClauseResult, anchors: dict[str, str], clause_ids: set[str]) -> str:
    verdict = _code(clause.verdict)
    parts = [_waiver_notes(clause)]
    # With scenarios, the clause reason is theirs joined, and each scenario below shows its own;
    # without, the bilingual "no scenario" line below says what the stock reason would.
    if clause.reason and verdict != "PASS" and not clause.scenarios and clause.reason != NO_SCENARIO_REASON:
        parts.append(f'<div class="full">{_text(clause.reason)}</div>')
    parts.append(f'<p class="muted">{_t(clause.level) if clause.level in UI else _e(clause.level)} · {_t(clause.kind) if clause.kind in UI else _e(clause.kind)}</p>')
    if clause.kind == "evidence":
        parts.append(_evidence(results, clause))
    if clause.parameters:
        rows = "".join(
            f'<tr><td><a href="#param-{_e(name)}"><code>{_e(name)}</code></a></td><td>{_value(p.get("value"))}</td><td>{_t(p["direction"]) if p.get("direction") in UI else ""}</td><td><code>{_e(p.get("layer", ""))}</code></td></tr>'
            for name, p in clause.parameters.items()
        )
        parts.append(f'<h4>{_t("clause_params")}</h4><table><tr><th>{_t("name")}</th><th>{_t("value")}</th><th>{_t("direction")}</th><th>{_t("layer")}</th></tr>{rows}</table>')
    parts.append(f'<h4>{_t("scenarios")} ({len(clause.scenarios)})</h4>')
    if clause.scenarios:
        parts.extend(_scenario_in_clause(s, clause.id, anchors, clause_ids) for s in clause.scenarios)
    else:
        parts.append(f'<p class="muted">{_t("no_scenario")}</p>')
    return "".join(parts)


def _clause(results: RunResults, clause: ClauseResult, anchors: dict[str, str], clause_ids: set[str]) -> str:
    verdict = _code(clause.verdict)
    reason = _e(_short(clause.reason)) if clause.reason and verdict != "PASS" else ""
    if clause.reason == NO_SCENARIO_REASON and not clause.scenarios:
        reason = _bi(NO_SCENARIO_REASON, "没有针对该条款运行任何场景")
    reason = "".join(_waiver_tag(e) for e in clause.waivers) + reason
    retried = sum(len(s.attempts) > 1 for s in clause.scenarios)
    if retried:  # seen without opening the clause: a pass on a second attempt is never a silent one
        reason = f'<span class="retried" title="{_e(UI["retried_title"][0])}">{_t("retried")} ×{retried}</span>' + reason
    level = _t(clause.level) if clause.level in UI else _e(clause.level)
    rec = "" if clause.level == "mandatory" else " rec"
    title = _bi(clause.title.get("en", ""), clause.title.get("zh", ""))
    return (
        f'<details class="clause{rec}" id="{_e(clause.id)}" data-verdict="{_e(verdict)}">'
        f'<summary class="row"><span class="c-id">{_e(clause.id)}</span><span class="c-level">{level}</span>'
        f'<span class="c-title">{title}</span><span class="c-verdict">{_badge(verdict)}</span>'
        f'<span class="c-n">{len(clause.scenarios)}</span><span class="c-reason">{reason}</span></summary>'
        f'<div class="body">{_clause_body(results, clause, anchors, clause_ids)}</div></details>'
    )


def _clauses(results: RunResults, anchors: dict[str, str]) -> str:
    by_area: dict[str, list[ClauseResult]] = {}
    for clause in results.clauses:
        by_area.setdefault(clause.area, []).append(clause)
    areas = results.profile.areas
    order = [a for a in areas if a in by_area] + [a for a in by_area if a not in areas]
    clause_ids = {c.id for c in results.clauses}
    head = (
        f'<div class="row head"><span>{_t("id")}</span><span>{_t("level")}</span><span>{_t("title")}</span>'
        f'<span>{_t("verdict")}</span><span class="c-n">{_t("scen")}</span><span>{_t("reason")}</span></div>'
    )
    sections = []
    for code in order:
        clauses = by_area[code]
        area = areas.get(code)
        name = _bi(area.en, area.zh) if area else ""
        tally: dict[str, int] = {}
        for c in clauses:
            tally[_code(c.verdict)] = tally.get(_code(c.verdict), 0) + 1
        tally_text = ", ".join(f"{tally[v]} {_bi(v, VERDICT_TEXT[v][0]) if v in VERDICT_TEXT else _e(v)}" for v in _verdict_order(tally))
        body = "".join(_clause(results, c, anchors, clause_ids) for c in clauses)
        sections.append(f'<section class="area" id="area-{_e(code)}"><h3><span class="code">{_e(code)}</span>{name}<span class="tally">{tally_text}</span></h3>{head}{body}</section>')
    return f'<h2 id="clauses">{_t("clauses")}</h2>{_filters(results)}{_legend()}{"".join(sections)}'


# -- transcripts and parameters -------------------------------------------------------


def _pretty(value: Any, indent: str = "") -> str:
    """JSON laid out for reading: a container that fits on a short line stays on one, larger ones open up."""
    flat = json.dumps(value, ensure_ascii=False, default=str)
    if len(flat) + len(indent) <= 72 or not isinstance(value, (dict, list)) or not value:
        return flat
    inner = indent + "  "
    if isinstance(value, dict):
        items = [f"{inner}{json.dumps(str(k), ensure_ascii=False)}: {_pretty(v, inner)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + f"\n{indent}}}"
    items = [f"{inner}{_pretty(v, inner)}" for v in value]
    return "[\n" + ",\n".join(items) + f"\n{indent}]"


def _json(value: Any) -> str:
    return _text(_pretty(value))


def _exchange(number: int, exchange: Any) -> str:
    """One request/reply pair, side by side, with its timing and any transport error."""
    if not isinstance(exchange, dict):
        return f'<div class="ex"><pre>{_json(exchange)}</pre></div>'
    request, reply = exchange.get("request"), exchange.get("reply")
    op = request.get("op", "?") if isinstance(request, dict) else "?"
    role = request.get("role", "") if isinstance(request, dict) else ""
    # Hundreds of exchanges: the ok/refused words come from CSS, in the reader's language.
    state = "r-none" if not isinstance(reply, dict) else "r-ok" if reply.get("ok") else "r-no"
    elapsed = exchange.get("elapsed_ms")
    ms = f" · {_e(elapsed)} ms" if elapsed is not None else ""
    error = f'<div class="err">{_text(exchange["error"])}</div>' if exchange.get("error") else ""
    return (
        f'<div class="ex"><p><i>#{number}</i> <code>{_e(op)}</code> · {_e(role)} · <b class="{state}"></b>{ms}</p>{error}'
        f'<pre class="req">{_json(request)}</pre><pre class="rep">{_json(reply)}</pre></div>'
    )


def _transcripts(results: RunResults, anchors: dict[str, str]) -> str:
    """Every scenario's transcript exactly once, however many clauses it serves."""
    clause_ids = {c.id for c in results.clauses}
    done: set[str] = set()
    blocks = []
    for clause in results.clauses:
        for scenario in clause.scenarios:
            key = _scenario_key(scenario)
            if key in done or not scenario.transcript:
                continue
            done.add(key)
            links = _clause_links(scenario.clauses, clause_ids)
            total = sum(x.get("elapsed_ms") or 0 for x in scenario.transcript if isinstance(x, dict))
            exchanges = "".join(_exchange(i, x) for i, x in enumerate(scenario.transcript, 1)) or f'<p class="muted ex">{_t("no_exchange")}</p>'
            blocks.append(
                f'<details class="tx" id="{anchors[key]}"><summary>{_badge(scenario.verdict)} <b>{_e(scenario.name)}</b> '
                f'<span class="muted">· {links} · {len(scenario.transcript)} {_t("exchanges")} · {total:.0f} ms</span></summary>{exchanges}</details>'
            )
    body = "".join(blocks) or f'<p class="muted">{_t("no_exchange")}</p>'
    return f'<h2 id="transcripts">{_t("transcripts")}</h2><p class="muted">{_t("tx_note")}</p>{body}'


def _parameters(results: RunResults) -> str:
    used: dict[str, list[str]] = {}
    for clause in results.clauses:
        for name in clause.parameters:
            used.setdefault(name, []).append(clause.id)
    rows = "".join(
        f'<tr id="param-{_e(name)}"><td><code>{_e(name)}</code></td><td>{_value(p.value)}</td><td><code>{_e(p.layer)}</code></td>'
        f'<td>{_e(p.source)}</td><td>{_clause_links(used.get(name, []), set(used.get(name, [])))}</td></tr>'
        for name, p in results.profile.parameters.items()
    )
    head = f'<tr><th>{_t("name")}</th><th>{_t("value")}</th><th>{_t("layer")}</th><th>{_t("source")}</th><th>{_t("used_by")}</th></tr>'
    return f'<h2 id="parameters">{_t("parameters")}</h2><table class="params">{head}{rows}</table>'


# -- the page ----------------------------------------------------------------------


def _sha256(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def render_html(results: RunResults) -> str:
    """The whole report as one HTML string."""
    anchors = _scenario_anchors(results)
    # Only the exact inline style and script may run; nothing may be fetched.
    csp = f"default-src 'none'; style-src '{_sha256(CSS)}'; script-src '{_sha256(JS)}'; img-src data:; base-uri 'none'; form-action 'none'"
    model = (results.device_identity or {}).get("model") or (results.declaration or {}).get("model") or ""
    title = f"{results.profile.standard} · {results.run_id} · {model}"
    return f"""<!DOCTYPE html>
<html lang="en" data-lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{_e(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<title>{_e(title)}</title>
<style>{CSS}</style>
</head>
<body>
{_header(results)}
<main>
{_clauses(results, anchors)}
{_transcripts(results, anchors)}
{_parameters(results)}
</main>
<footer>{_t("footer")} · gb46859-conformance {_e(results.harness_version)} · {_e(results.run_id)}</footer>
<script>{JS}</script>
</body>
</html>
"""


def write_html(results: RunResults, path: Path) -> None:
    """Write the self-contained HTML report for a run."""
    path.write_text(render_html(results), encoding="utf-8")
