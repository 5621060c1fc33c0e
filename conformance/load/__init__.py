"""The like-load suite: the like economy's traffic on Locust against the watch platform's social core, then an audit.

Harness side (never imports Locust): command (the CLI's `load`), runner (one
run end to end), plan, population (seeding through DTP), dtp, clock_driver
(the test clock during the load), procstat (server CPU), locust_process
(Locust in its own processes), tally (what the generator saw), ledger (what
the core recorded), clauses and audit (LOAD verdicts), figures, plots and
report. Locust side (only in Locust's processes, which gevent patches): users
(the traffic mix) and locustfile (options, latency record, tally delivery).
See docs/load.md.
"""
