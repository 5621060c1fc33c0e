"""The like endpoint under wrk and under the like-load suite's generator, in one run, from the same seeded state.

    .venv/bin/python benchmarks/like_load.py [--likers 300] [--connections 32] [--duration 10] [--rounds 2]

wrk (Debian package `wrk`) and the suite's bot farm (Locust FastHttpUser) send
the same work: posts.like from many bot accounts, each on its own posts, round
robin, while the test clock runs 60x, so that every request is a like that the
core accepts or refuses (throttle, quota, duplicate) after the same rule path.
Each tool gets a fresh emulator on a copy of one seeded database. Prints the
request rates and their ratio (target: generator >= 0.5 of wrk), the
emulator's CPU beside each figure (/proc/<pid>/stat), wrk's in-flight check
(0 <= ledger rows - acknowledged <= connections: wrk does not wait for
requests in flight), the core's likes per second with the audit, and Locust
distributed with 2 workers against 1. Asserts nothing; state the machine's
load (printed) beside the figures.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from conformance.catalogue import load_profile  # noqa: E402
from conformance.emulator_process import start_emulator  # noqa: E402
from conformance.load.audit import Evidence, bots_throttled, one_like_per_post, quota_held  # noqa: E402
from conformance.load.clock_driver import ClockDriver  # noqa: E402
from conformance.load.ledger import read_ledger  # noqa: E402
from conformance.load.plan import LoadPlan  # noqa: E402
from conformance.load.population import Population, seed  # noqa: E402
from conformance.load.procstat import cpu_seconds  # noqa: E402
from conformance.load.report import likes_per_second  # noqa: E402
from conformance.load.runner import LoadOutcome, machine_load, run_load  # noqa: E402
from conformance.load.tally import Tally  # noqa: E402
from emulator.watch import DEFAULT_TOKEN  # noqa: E402

TIME_SCALE = 60.0
FEATURES = ["social_feed"]
START = "2027-01-04T09:00:00+08:00"
LUA = """-- posts.like from many bot accounts, round robin, each on its own posts in turn: the suite's bot farm, in wrk
-- (written by benchmarks/like_load.py). Like the farm, an account moves to its next post once a like is in (or was
-- already there) and stays on a post that was throttled or over quota; the reply's id says which request it answers.
local likers = {LIKERS}
local posts = {POSTS}
local n, cursor, asked_for, asked_at = 0, {}, {}, {}
local headers = {["Content-Type"] = "application/json"}
request = function()
  n = n + 1
  local i = (n % #likers) + 1
  local c = cursor[i] or 0
  asked_for[n], asked_at[n] = i, c
  local own = posts[i]
  local body = string.format('{"dtp":1,"id":"%d","op":"posts.like","role":"child","account":"%s","auth":"TOKEN","args":{"post_id":"post-%d"}}', n, likers[i], own[(c % #own) + 1])
  return wrk.format("POST", "/dtp/v1", headers, body)
end
acknowledged, answered = 0, 0
response = function(status, headers, body)
  answered = answered + 1
  local ok = string.find(body, '"ok": true', 1, true)
  if ok then acknowledged = acknowledged + 1 end
  local id = tonumber(string.match(body, '"id": "(%d+)"'))
  local i = id and asked_for[id]
  if i then
    if ok or string.find(body, '"duplicate"', 1, true) then cursor[i] = math.max(cursor[i] or 0, asked_at[id] + 1) end
    asked_for[id], asked_at[id] = nil, nil
  end
end
local threads = {}
setup = function(thread) table.insert(threads, thread) end
done = function(summary, latency, requests)
  local a, r = 0, 0
  for _, t in ipairs(threads) do a = a + t:get("acknowledged"); r = r + t:get("answered") end
  io.write(string.format("ACKNOWLEDGED %d\\nANSWERED %d\\nP50 %.2f\\nP95 %.2f\\nP99 %.2f\\n", a, r,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
"""


def seed_once(folder: Path, likers: int, posts: int) -> tuple[Path, Population]:
    """One seeded database (bot accounts with their own posts), stopped cleanly so it can be copied."""
    db = folder / "seeded.db"
    plan = LoadPlan(mix={"bot": 1}, population=likers, posts_per_bot=posts, users=1)
    with start_emulator(features=FEATURES, db=db) as emulator:
        started = time.perf_counter()
        population = seed(emulator.address, DEFAULT_TOKEN, plan, friend_cap=150, start=START, child_age=9)
        print(f"seeded {len(population.accounts['bot'])} bot accounts x {posts} posts through DTP in {time.perf_counter() - started:.1f} s")
    return db, population


def ledger_checks(db: Path, acknowledged_pairs: list | None = None) -> dict:
    """Quota, duplicates and throttle straight from the ledger (wrk has no per-like tally, only counts)."""
    parameters = {n: {"value": p.value, "layer": p.layer} for n, p in load_profile("gb-2027").parameters.items() if n in ("daily_like_quota", "bot_like_burst", "friend_cap")}
    tally = Tally()
    tally.acknowledged = acknowledged_pairs or []
    ev = Evidence(tally, read_ledger(db), {}, parameters, "")
    return {"rows": len(ev.ledger.likes), "over_quota": quota_held(ev)[2]["accounts_over_quota"], "over_burst": bots_throttled(ev)[2]["accounts_over_burst"],
            "counter_drift": one_like_per_post(ev)[2]["posts_with_counter_drift"], "most_in_a_day": quota_held(ev)[2]["most_likes_in_a_day"]}


def run_wrk(folder: Path, seeded: tuple[Path, Population], connections: int, duration: int, name: str = "wrk") -> dict:
    population = seeded[1]
    bots = list(population.bot_posts.items())
    lua = (LUA.replace("{LIKERS}", "{" + ",".join(f'"{b}"' for b, _ in bots) + "}")
           .replace("{POSTS}", "{" + ",".join("{" + ",".join(map(str, p)) + "}" for _, p in bots) + "}").replace("TOKEN", population.token))
    script = folder / "like.lua"
    script.write_text(lua, encoding="utf-8")
    db = folder / f"{name}.db"
    shutil.copyfile(seeded[0], db)
    with start_emulator(features=FEATURES, db=db) as emulator:
        pid = emulator.process.pid
        clock = ClockDriver(emulator.address, DEFAULT_TOKEN, TIME_SCALE).start()
        cpu0, t0 = cpu_seconds(pid), time.time()
        out = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "-s", str(script), emulator.address + "/dtp/v1"], capture_output=True, text=True, timeout=duration + 60).stdout
        cpu, wall = cpu_seconds(pid) - cpu0, time.time() - t0
        clock.stop()
    figures = {key: float(value) for key, value in re.findall(r"^(ACKNOWLEDGED|ANSWERED|P50|P95|P99) ([\d.]+)$", out, re.M)}
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    checks = ledger_checks(db)
    return {"rps": rps, "cpu_share": cpu / wall, "acknowledged": int(figures["ACKNOWLEDGED"]), "answered": int(figures["ANSWERED"]), "p50": figures["P50"], "p95": figures["P95"], "p99": figures["P99"], **checks}


def run_generator(folder: Path, name: str, seeded: tuple[Path, Population], connections: int, duration: int, workers: int) -> LoadOutcome:
    plan = LoadPlan(users=connections, spawn_rate=max(50.0, connections * 10.0), duration_s=duration, mix={"bot": 1}, workers=workers, time_scale=TIME_SCALE)
    return run_load(plan, folder / name, seeded=seeded)


def describe(outcome: LoadOutcome) -> str:
    f = outcome.figures
    return f"{f.rps:7.0f} req/s  (emulator CPU {100 * outcome.cpu['emulator_mean_core_share']:.0f}% of a core; p50/p95/p99 {f.p50_ms:g}/{f.p95_ms:g}/{f.p99_ms:g} ms)"


def verdict_line(outcome: LoadOutcome) -> str:
    return ", ".join(f"{v.clause.id} {v.verdict.value}" for v in outcome.verdicts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--likers", type=int, default=300, help="bot accounts liking (default 300)")
    parser.add_argument("--posts", type=int, default=24, help="posts per bot account (default 24, above the daily quota)")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections = Locust users (default 32)")
    parser.add_argument("--duration", type=int, default=10, help="seconds per measured run (default 10)")
    parser.add_argument("--rounds", type=int, default=2, help="wrk / generator turns; the round with the median ratio is shown (default 2)")
    parser.add_argument("--keep", help="keep every run's output in this folder")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is not installed (Debian: apt-get install wrk)", file=sys.stderr)
        return 2
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="like-load-"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"machine: 2-core check, {machine_load()} at the start; uptime: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")
    seeded = seed_once(folder, args.likers, args.posts)

    # wrk and the generator take turns, so that a noisy neighbour on the host weighs on both alike.
    rounds = [(run_wrk(folder, seeded, args.connections, args.duration, f"wrk-{n}"), run_generator(folder, f"generator-{n}", seeded, args.connections, args.duration, workers=0))
              for n in range(args.rounds)]
    ratios = [g.figures.rps / w["rps"] for w, g in rounds]
    wrk, single = rounds[ratios.index(statistics.median_low(ratios))]  # the round with the median ratio
    one = run_generator(folder, "workers-1", seeded, args.connections, args.duration, workers=1)
    two = run_generator(folder, "workers-2", seeded, args.connections, args.duration, workers=2)

    gap = wrk["rows"] - wrk["acknowledged"]
    print(f"\nlike endpoint, {args.connections} connections/users, {args.duration} s each, test clock {TIME_SCALE:g}x, {args.likers} likers")
    print(f"  wrk                      {wrk['rps']:7.0f} req/s  (emulator CPU {100 * wrk['cpu_share']:.0f}% of a core; p50/p95/p99 {wrk['p50']:.1f}/{wrk['p95']:.1f}/{wrk['p99']:.1f} ms)")
    print(f"  generator (1 process)    {describe(single)}")
    print(f"  ratio generator / wrk    {single.figures.rps / wrk['rps']:.2f}  (target >= 0.5; the round with the (lower) median ratio of {args.rounds}: "
          + ", ".join(f"{g.figures.rps:.0f}/{w['rps']:.0f} = {r:.2f}" for (w, g), r in zip(rounds, ratios, strict=True)) + ")")
    print(f"  wrk in-flight check      ledger rows {wrk['rows']} - acknowledged {wrk['acknowledged']} = {gap}: {'ok' if 0 <= gap <= args.connections else 'VIOLATED'} (0 <= gap <= {args.connections})")
    print(f"  wrk ledger               over quota {wrk['over_quota']}, over bot burst {wrk['over_burst']}, counter drift {wrk['counter_drift']} (most likes by one account in a day: {wrk['most_in_a_day']})")
    accepted = len(single.tally.acknowledged) / max(1, single.figures.requests)
    print(f"  work mix                 wrk {wrk['acknowledged'] / max(1, wrk['answered']):.1%} of likes accepted, generator {accepted:.1%}")
    lost = {v.clause.id: v.figures for v in single.verdicts}
    print(f"\ncore: {single.figures.rps:.0f} like requests/s handled, {likes_per_second(single):.0f} likes/s acknowledged; "
          f"lost {lost['LOAD-1'].get('lost')}, duplicated {lost['LOAD-3'].get('acknowledged_twice')} + drift {lost['LOAD-3'].get('posts_with_counter_drift')}, "
          f"over quota {lost['LOAD-2'].get('accounts_over_quota')}, over burst {lost['LOAD-5'].get('accounts_over_burst')}, friendships {lost['LOAD-4'].get('approved_friendships')} (cap {lost['LOAD-4'].get('cap')})")
    print(f"  audit: {verdict_line(single)}")
    print("\ndistributed (Locust master + workers, all on this machine)")
    print(f"  1 worker                 {describe(one)}")
    print(f"  2 workers                {describe(two)}")
    print(f"  2 vs 1                   {two.figures.rps / one.figures.rps:.2f}x")
    print(f"  audits: 1 worker {verdict_line(one)}; 2 workers {verdict_line(two)}")
    print(f"\nmachine at the end: {machine_load()}; outputs in {folder}")
    (folder / "summary.json").write_text(json.dumps({"rounds": [{"wrk": w, "generator_rps": g.figures.rps} for w, g in rounds], "workers_1_rps": one.figures.rps, "workers_2_rps": two.figures.rps}), encoding="utf-8")
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
