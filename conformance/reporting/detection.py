"""The detection matrix as a self-contained HTML page: each violation against each clause."""

from __future__ import annotations

from html import escape
from pathlib import Path

_COLOURS = {"PASS": "#2e7d32", "FAIL": "#c62828", "EVIDENCE_MISSING": "#c62828", "EVIDENCE_SUPPLIED": "#00796b", "INCONCLUSIVE": "#ef8f00", "ERROR": "#6a1b9a", "NOT_APPLICABLE": "#9e9e9e"}
_SHORT = {"PASS": "", "FAIL": "F", "EVIDENCE_MISSING": "F", "EVIDENCE_SUPPLIED": "", "INCONCLUSIVE": "?", "ERROR": "E", "NOT_APPLICABLE": "-"}


def _cell(verdict: str | None, declared: bool) -> str:
    if verdict is None:
        return "<td></td>"
    colour = _COLOURS.get(verdict, "#757575")
    style = f"background:{colour};color:#fff" if verdict not in ("PASS", "EVIDENCE_SUPPLIED") else ("background:#e8f5e9" if declared else "")
    border = ";outline:2px solid #1565c0" if declared else ""
    return f'<td title="{escape(verdict)}" style="{style}{border}">{_SHORT.get(verdict, "?")}</td>'


def write_detection_html(matrix: dict, path: Path) -> None:
    clauses = matrix["clauses"]
    head = "".join(f'<th class="v"><span>{escape(c)}</span></th>' for c in clauses)
    rows = []
    for row in matrix["rows"]:
        declared = set(row["declared_clauses"])
        status = ("caught" if row["detected"] else "MISSED") + (f" (in {row['attempts']} runs: a race)" if row.get("attempts", 1) > 1 else "")
        cells = "".join(_cell(row["verdicts"].get(c), c in declared) for c in clauses)
        notes = "; ".join(f"{c['clause']}: {c['justification'] or 'UNEXPLAINED'}" for c in row["collateral"])
        rows.append(
            f'<tr class="{status.lower()}"><th title="{escape(row["description"])}">{escape(row["violation"])}</th><td class="s">{status}</td>{cells}'
            f'<td class="n">{escape(notes)}{escape(row["error"][:300])}</td></tr>'
        )
    adverse = ", ".join(f"{k} {v}" for k, v in matrix["conformant_adverse_verdicts"].items()) or "none"
    variations = "".join(
        f'<tr class="{"caught" if run["clean"] else "missed"}"><th title="{escape(run["description"])}">{escape(run["variation"])}</th><td class="s">{"clean" if run["clean"] else "ADVERSE"}</td>'
        f'<td class="n">{escape(", ".join(f"{c} {v}" for c, v in run["adverse_verdicts"].items()) or "no adverse verdict")}{escape(run["error"][:300])}</td></tr>'
        for run in matrix.get("variation_runs", [])
    )
    page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Detection matrix</title>
<style>body{{font:13px system-ui,sans-serif;margin:16px}}table{{border-collapse:collapse}}td,th{{border:1px solid #ddd;padding:2px 4px;text-align:center}}
th.v{{height:90px;white-space:nowrap;vertical-align:bottom}}th.v span{{writing-mode:vertical-rl;transform:rotate(180deg)}}
tbody th{{text-align:left;white-space:nowrap}}tr.missed th,tr.missed td.s{{background:#ffcdd2}}td.n{{text-align:left;font-size:11px}}</style></head><body>
<h1>Detection matrix · 检出矩阵</h1>
<p>{matrix['violations']} violations, <b>{matrix['detected']} detected</b> (rate {matrix['detection_rate']}). Adverse verdicts on the conformant emulator: <b>{escape(adverse)}</b>.
Unexplained collateral FAILs: <b>{matrix['unexplained_collateral_count']}</b>. Wall time {matrix['wall_time_s']} s on {matrix['jobs']} jobs ({escape(matrix['transport'])}).</p>
<p>Each row is the full suite with one defect switched on; outlined cells are the clauses the defect declares; F = FAIL, E = ERROR, ? = INCONCLUSIVE, - = not applicable.</p>
<table><thead><tr><th>violation</th><th>result</th>{head}<th>collateral</th></tr></thead><tbody>{''.join(rows)}</tbody></table>
<h2>Conformant variations · 合规变体</h2>
<p>Each row is the full suite on a watch that differs from the reference only in ways the standard allows; any adverse verdict is a false verdict of the suite.</p>
<table><thead><tr><th>variation</th><th>result</th><th>adverse verdicts</th></tr></thead><tbody>{variations}</tbody></table></body></html>"""
    path.write_text(page, encoding="utf-8")
