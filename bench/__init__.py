"""Benchmark of the order sync against the sandbox: `python -m bench` (or `make bench`).

Starts its own portal (gunicorn) and worker (django-q2 qcluster) on a temporary SQLite database with
the sandbox enabled, on 127.0.0.1 only, and prints:

- API calls per synced order in the steady state (target ≤ 1.05),
- orders per second with Ecwid's limit emulated at 600 requests/minute (target ≥ 95 % of the bound,
  no order lost to a 429),
- webhook-to-Ecwid latency p50 / p95 (target p95 < 3 s).
"""
