"""The load report: results.json in the conformance report's clause format, a self-contained load.html, and the terminal summary."""

from __future__ import annotations

import base64
import json
import os
from html import escape
from pathlib import Path
from typing import Any

from conformance import __version__
from conformance.load.clauses import AREA, AREA_TITLE
from conformance.load.plots import render
from conformance.load.runner import LoadOutcome
from conformance.verdicts import exit_status

RESULTS_SCHEMA_ID = "conformance-load-results/1"
_COLOURS = {"PASS": "#2e7d32", "FAIL": "#c62828", "INCONCLUSIVE": "#ef8f00", "ERROR": "#6a1b9a", "NOT_TESTED": "#757575"}


def summary(outcome: LoadOutcome) -> dict[str, int]:
    counts: dict[str, int] = {}
    for v in outcome.verdicts:
        counts[v.verdict.value] = counts.get(v.verdict.value, 0) + 1
    return counts


def status(outcome: LoadOutcome) -> int:
    """0 every mandatory LOAD clause passed (or was not tested); 1 one failed; 2 none failed but some could not be judged."""
    return exit_status([(v.clause.level == "mandatory", v.verdict) for v in outcome.verdicts])


def likes_per_second(outcome: LoadOutcome) -> float:
    duration = outcome.figures.duration_s if outcome.figures else 0.0
    return len(outcome.tally.acknowledged) / duration if duration > 0 else 0.0


def to_json(outcome: LoadOutcome) -> dict[str, Any]:
    figures = outcome.figures.to_json() if outcome.figures else None
    series = outcome.series.to_json()
    cpu = dict(outcome.cpu)
    if "samples" in cpu:
        cpu["samples"] = [(round(t - outcome.series.start, 2), s) for t, s in cpu["samples"]]  # seconds of the series
    return {
        "schema": RESULTS_SCHEMA_ID,
        "kind": "load",
        "run_id": outcome.run_id,
        "started": outcome.started,
        "finished": outcome.finished,
        "harness": {"version": __version__},
        "target": outcome.target,
        "defects": outcome.defects,
        "plan": outcome.plan.to_json(),
        "machine": {"cores": os.cpu_count(), "load": outcome.machine_load},
        "load": {
            "locust": figures, "likes_acknowledged": len(outcome.tally.acknowledged), "likes_per_s": round(likes_per_second(outcome), 1),
            "likes_unanswered": len(outcome.tally.unanswered), "outcomes": dict(sorted(outcome.tally.outcomes.items())), "cpu": cpu,
            "population": {kind: len(accounts) for kind, accounts in outcome.population.accounts.items()} | {"friends": outcome.population.friends, "child_posts": len(outcome.population.child_posts)},
        },
        "series": series,
        "notes": outcome.notes,
        "areas": {AREA: AREA_TITLE},
        "summary": summary(outcome),
        "exit_status": status(outcome),
        "clauses": [v.to_json() for v in outcome.verdicts],
    }


def summary_lines(outcome: LoadOutcome) -> list[str]:
    """What `conformance load` prints: throughput, latency percentiles, CPU, then the audit's verdicts."""
    f = outcome.figures
    lines = [f"like load against {outcome.target} ({outcome.machine_load}, {os.cpu_count()} cores)"]
    if f:
        lines.append(f"  requests   {f.requests} in {f.duration_s:.1f} s = {f.rps:.0f} req/s; failures {f.failures}")
        lines.append(f"  latency    p50 {f.p50_ms:g} ms, p95 {f.p95_ms:g} ms, p99 {f.p99_ms:g} ms, max {f.max_ms:.0f} ms")
    lines.append(f"  likes      {len(outcome.tally.acknowledged)} acknowledged = {likes_per_second(outcome):.0f}/s; {len(outcome.tally.unanswered)} unanswered")
    if outcome.cpu:
        lines.append(f"  emulator   {outcome.cpu['emulator_cpu_s']} CPU s over {outcome.cpu['wall_s']} s, mean {100 * outcome.cpu['emulator_mean_core_share']:.0f}% of one core")
    lines += [f"  note: {note}" for note in outcome.notes]
    lines.append("")
    lines.append(f"{'clause':8} {'verdict':13} title / reason")
    for v in outcome.verdicts:
        lines.append(f"{v.clause.id:8} {v.verdict.value:13} {v.clause.title_en}")
        lines.append(f"{'':22}-> {v.reason[:220]}")
    counts = ", ".join(f"{k} {n}" for k, n in sorted(summary(outcome).items()))
    lines.append(f"{len(outcome.verdicts)} LOAD clauses: {counts}; exit status {status(outcome)}")
    return lines


def _image(path: Path) -> str:
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f'<img alt="{escape(path.stem)}" src="data:image/png;base64,{data}">'


def write_html(outcome: LoadOutcome, images: dict[str, Path], path: Path) -> None:
    data = to_json(outcome)
    f = outcome.figures
    rows = []
    for v in outcome.verdicts:
        colour = _COLOURS.get(v.verdict.value, "#757575")
        params = ", ".join(f"{n} = {p['value']} ({p['layer']})" for n, p in v.parameters.items())
        figures = ", ".join(f"{k} {val}" for k, val in v.figures.items())
        rows.append(
            f'<tr><td>{escape(v.clause.id)}</td><td><span class="v" style="background:{colour}">{v.verdict.value}</span></td>'
            f"<td>{escape(v.clause.title_en)}<br><span class=zh>{escape(v.clause.title_zh)}</span><div class=small>from {escape(', '.join(v.clause.derived_from))}"
            f"{'; ' + escape(params) if params else ''}</div></td><td>{escape(v.reason)}<div class=small>{escape(figures)}</div></td></tr>"
        )
    load = data["load"]
    figure_rows = [("requests (Locust)", f"{f.requests}" if f else "-"), ("duration", f"{f.duration_s:.1f} s" if f else "-"), ("throughput", f"{f.rps:.0f} req/s" if f else "-"),
                   ("latency p50 / p95 / p99 / max", f"{f.p50_ms:g} / {f.p95_ms:g} / {f.p99_ms:g} / {f.max_ms:.0f} ms" if f else "-"), ("failed requests", f"{f.failures}" if f else "-"),
                   ("likes acknowledged", f"{load['likes_acknowledged']} ({load['likes_per_s']}/s)"), ("like attempts unanswered", f"{load['likes_unanswered']}")]
    if outcome.cpu:
        figure_rows.append(("emulator CPU", f"{outcome.cpu['emulator_cpu_s']} s over {outcome.cpu['wall_s']} s (mean {100 * outcome.cpu['emulator_mean_core_share']:.0f}% of one core)"))
    figure_rows.append(("machine", f"{os.cpu_count()} cores, {outcome.machine_load} at the end"))
    by_name = "".join(f"<tr><td>{escape(r.name)}</td><td>{r.requests}</td><td>{r.failures}</td><td>{r.p50_ms:g}</td><td>{r.p95_ms:g}</td><td>{r.p99_ms:g}</td></tr>" for r in (f.by_name if f else []))
    outcomes = "".join(f"<tr><td>{escape(k)}</td><td>{n}</td></tr>" for k, n in load["outcomes"].items())
    files = sorted(p.name for p in path.parent.iterdir() if p.suffix in (".csv", ".json", ".log", ".png", ".db"))
    counts = ", ".join(f"{k} {n}" for k, n in sorted(data["summary"].items()))
    page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Like load {escape(outcome.run_id)}</title>
<style>body{{font:14px system-ui,sans-serif;margin:24px;max-width:1100px}}table{{border-collapse:collapse;margin:8px 0 20px}}td,th{{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}}
.v{{color:#fff;padding:2px 6px;border-radius:3px;font-weight:600;font-size:12px}}.zh{{color:#555}}.small{{font-size:11px;color:#666;margin-top:3px}}img{{max-width:100%;border:1px solid #eee}}code{{font-size:12px}}</style></head><body>
<h1>Like load · 点赞负载 — {escape(outcome.run_id)}</h1>
<p>Target <code>{escape(outcome.target)}</code>{' with defects ' + escape(', '.join(outcome.defects)) if outcome.defects else ''}; {escape(outcome.started)} to {escape(outcome.finished)}.
Audit: <b>{escape(counts)}</b>, exit status {data['exit_status']}.</p>
<h2>Audit · 审计</h2><table><tr><th>clause</th><th>verdict</th><th>requirement</th><th>finding</th></tr>{''.join(rows)}</table>
<h2>Figures · 数据</h2><table>{''.join(f'<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>' for k, v in figure_rows)}</table>
{''.join(_image(p) for p in images.values())}
<h2>By operation</h2><table><tr><th>operation</th><th>requests</th><th>failures</th><th>p50 ms</th><th>p95 ms</th><th>p99 ms</th></tr>{by_name}</table>
<h2>Outcomes seen by the generator</h2><table><tr><th>actor operation outcome</th><th>count</th></tr>{outcomes}</table>
<h2>Plan</h2><pre>{escape(json.dumps(data['plan'], indent=1))}</pre>
<p>Population: {escape(json.dumps(load['population']))}</p>
{''.join(f'<p>Note: {escape(n)}</p>' for n in outcome.notes)}
<h2>Files</h2><p>{escape(', '.join(files))} (Locust's own statistics: locust_stats.csv, locust_stats_history.csv, locust.json)</p>
</body></html>"""
    path.write_text(page, encoding="utf-8")


def write_reports(outcome: LoadOutcome, output: Path) -> None:
    """results.json, throughput.png, latency.png and load.html in `output`."""
    (output / "results.json").write_text(json.dumps(to_json(outcome), ensure_ascii=False, indent=1), encoding="utf-8")
    images = render(outcome.series, outcome.cpu.get("samples", []), output)
    write_html(outcome, images, output / "load.html")
