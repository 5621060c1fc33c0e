"""The farm's matrix as one self-contained HTML page: device (model, firmware) x clause verdicts.

Each cell links to the clause in that device's own report.html (a relative link, so the output folder can be
moved or zipped whole). Same verdict colours and language switch as report.html; it loads nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conformance.reporting.html import CSS, OUTCOME, VERDICT_TEXT, _bi, _e  # one escaping and one two-language span for both pages

# One letter per verdict, so fifty clauses fit across a screen; the colour and the cell's title say the rest.
SHORT = {"PASS": "P", "FAIL": "F", "INCONCLUSIVE": "?", "ERROR": "E", "NOT_APPLICABLE": "–", "NOT_TESTED": "·",
         "EVIDENCE_SUPPLIED": "S", "EVIDENCE_MISSING": "M"}
# Outcomes a device can have in a farm beyond a run's own exit statuses: (English, Chinese).
FARM_OUTCOMES = {
    "PASS": ("pass", "通过"), "FAIL": ("a mandatory clause fails", "存在不符合的强制性条款"),
    "INCONCLUSIVE": ("some clauses could not be judged", "部分条款无法判定"), "INTERRUPTED": ("interrupted", "运行被中断"),
    "COULD NOT START": ("the run could not start", "运行无法启动"), "UNREACHABLE": ("the device cannot be reached", "无法连接设备"),
    "CRASHED": ("the run crashed without results", "运行崩溃，未产生结果"), "NOT STARTED": ("not started: the farm was stopped", "未启动：设备组已停止"),
}
UI = {
    "title": ("Device farm: verdict matrix", "设备组：判定矩阵"),
    "sub": ("GB 46859-2025 conformance, one run per device", "GB 46859-2025 符合性测试，每台设备一次运行"),
    "outcome": ("Farm outcome", "设备组结论"), "exit": ("exit status", "退出状态"),
    "order": ("the worst of the devices': 4 > 3 > 1 > 2 > 0", "取各设备中最差者：4 > 3 > 1 > 2 > 0"),
    "devices": ("Devices", "设备"), "device": ("Device", "设备"), "model": ("Model", "型号"), "firmware": ("Firmware", "固件版本"),
    "result": ("Result", "结果"), "matrix": ("Clause verdicts", "条款判定"),
    "hint": ("Each cell opens that clause in the device's own report.", "点击单元格可打开该设备报告中的对应条款。"),
    "legend": ("Legend", "图例"), "farm": ("Farm file", "设备组文件"), "started": ("Started", "开始时间"), "jobs": ("Parallel runs", "并行运行数"),
    "footer": ("Self-contained: this page loads nothing from the network. Machine-readable: farm.json beside it.",
               "本页面自成一体，不从网络加载任何内容。机器可读的结果见同目录下的 farm.json。"),
}
PAGE_CSS = """
table.m{border-collapse:collapse;margin-top:8px}table.m td,table.m th{border:1px solid var(--bd);padding:2px 4px;text-align:center}
table.m thead th.v{height:92px;white-space:nowrap;vertical-align:bottom;font-weight:500}table.m thead th.v span{writing-mode:vertical-rl;transform:rotate(180deg)}
table.m tbody th{text-align:left;white-space:nowrap;font-weight:600}table.m td.id{text-align:left;white-space:nowrap}
table.m td.c{padding:0}table.m td.c a{display:block;min-width:20px;line-height:22px;color:#fff;font-weight:600}
.v-pass{background:var(--pass)}.v-fail,.v-evidence_missing{background:var(--fail)}.v-inconclusive{background:var(--amber)}.v-inconclusive a{color:#3b2300!important}
.v-error{background:var(--err)}.v-not_applicable{background:var(--grey)}.v-not_tested{background:#fff}.v-not_tested a{color:var(--mut)!important}
.v-evidence_supplied{background:var(--teal)}td.none{text-align:left!important;color:var(--mut)}
.lang{margin:6px 0}dl.legend{display:flex;flex-wrap:wrap;gap:4px 14px}dl.legend dt{margin:0}dl.legend dd{margin:0 8px 0 0}
footer{margin-top:24px;color:var(--mut);font-size:12px}
"""
LANG_JS = """
(function () {
  var root = document.documentElement, KEY = "gb46859-report-lang";
  function setLang(lang) {
    root.setAttribute("data-lang", lang); root.lang = lang === "zh" ? "zh-CN" : "en";
    document.querySelectorAll("[data-set-lang]").forEach(function (b) { b.setAttribute("aria-pressed", String(b.getAttribute("data-set-lang") === lang)); });
    try { localStorage.setItem(KEY, lang); } catch (e) { /* file:// may forbid storage */ }
  }
  var wanted = null;
  try { wanted = new URLSearchParams(location.search).get("lang") || localStorage.getItem(KEY); } catch (e) { /* ignore */ }
  if (!wanted && /^zh/i.test(navigator.language || "")) { wanted = "zh"; }
  setLang(["en", "zh", "both"].indexOf(wanted) >= 0 ? wanted : "en");
  document.querySelectorAll("[data-set-lang]").forEach(function (b) { b.addEventListener("click", function () { setLang(b.getAttribute("data-set-lang")); }); });
})();
"""


def _t(key: str) -> str:
    return _bi(*UI[key])


def _cell(device: dict[str, Any], clause: str) -> str:
    verdict = device["clause_verdicts"].get(clause)
    if verdict is None:
        return '<td class="c"></td>'
    zh = VERDICT_TEXT.get(verdict, (verdict,))[0]
    href = f"{device['run_folder']}/report.html#{clause}"
    return f'<td class="c v-{_e(verdict.lower())}"><a href="{_e(href)}" title="{_e(device["name"])} {_e(clause)}: {_e(verdict)} / {_e(zh)}">{_e(SHORT.get(verdict, "?"))}</a></td>'


def _row(device: dict[str, Any], clauses: list[str]) -> str:
    identity = device["identity"]
    en, zh = FARM_OUTCOMES.get(device["outcome"], (device["outcome"], device["outcome"]))
    head = (f'<th>{_e(device["name"])}</th><td class="id">{_e(identity["model"])}</td><td class="id">{_e(identity["firmware"])}</td>'
            f'<td class="id">{_bi(en, zh)} ({_e(device["exit_status"])})</td>')
    if not device["clause_verdicts"]:
        return f'<tr>{head}<td class="none" colspan="{max(1, len(clauses))}">{_e(device["message"])}</td></tr>'
    return f"<tr>{head}{''.join(_cell(device, c) for c in clauses)}</tr>"


def tested_clauses(record: dict[str, Any]) -> list[str]:
    """The clauses some device ran a scenario for (a --select farm leaves most untested everywhere: no column for those)."""
    return [c for c in record["clauses"] if any(d["clause_verdicts"].get(c, "NOT_TESTED") != "NOT_TESTED" for d in record["devices"])]


def render_farm_html(record: dict[str, Any]) -> str:
    clauses = tested_clauses(record)
    untested = len(record["clauses"]) - len(clauses)
    status = record["exit_status"]
    _, outcome_en, outcome_zh = OUTCOME.get(status, ("", "A device could not be run or reached", "有设备无法运行或无法连接"))
    head = "".join(f'<th class="v"><span>{_e(c)}</span></th>' for c in clauses)
    rows = "".join(_row(d, clauses) for d in record["devices"])
    legend = "".join(f'<dt class="v-{_e(code.lower())}" style="padding:0 6px;color:{"var(--mut);border:1px solid var(--grey)" if code == "NOT_TESTED" else "#fff"}">{_e(SHORT[code])}</dt><dd>{_bi(code, VERDICT_TEXT[code][0])}</dd>' for code in SHORT)
    return f"""<!doctype html><html lang="en" data-lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>Device farm · 设备组</title><style>{CSS}{PAGE_CSS}</style></head><body>
<h1>{_t("title")}</h1><p class="sub">{_t("sub")}</p>
<div class="lang" role="group" aria-label="Language / 语言"><button type="button" data-set-lang="en" aria-pressed="true">English</button> <button type="button" data-set-lang="zh" lang="zh-CN" aria-pressed="false">中文</button> <button type="button" data-set-lang="both" aria-pressed="false">EN + 中文</button></div>
<p><b>{_t("outcome")}</b>: {_bi(outcome_en, outcome_zh)} — {_t("exit")} <b>{_e(status)}</b> ({_t("order")})</p>
<p>{_t("farm")}: <code>{_e(record["farm"])}</code> · {_t("started")}: {_e(record.get("started", ""))} · {_t("jobs")}: {_e(record.get("jobs", ""))}</p>
<h2>{_t("matrix")}</h2><p>{_t("hint")}{" " + _bi(f"{untested} clauses no device was tested on have no column.", f"另有 {untested} 条款在所有设备上均未测试，未列出。") if untested else ""}</p>
<div style="overflow-x:auto"><table class="m"><thead><tr><th>{_t("device")}</th><th>{_t("model")}</th><th>{_t("firmware")}</th><th>{_t("result")}</th>{head}</tr></thead>
<tbody>{rows}</tbody></table></div>
<h2>{_t("legend")}</h2><dl class="legend">{legend}</dl>
<footer>{_t("footer")}</footer><script>{LANG_JS}</script></body></html>"""


def write_farm_html(record: dict[str, Any], path: Path) -> None:
    path.write_text(render_farm_html(record), encoding="utf-8")
