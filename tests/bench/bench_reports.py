"""Benchmark of the indicators, the managers' dashboard and the quarterly report (issue 8's targets).

Run it with `make bench-reports` (or `python tests/bench/bench_reports.py`) against the database in DATABASE_URL —
on the large demo dataset (`seed_demo --scale large`, the proof-at-scale work) for the numbers that count. It is
never part of `make test`: speed is measured here, not asserted in tests.

Targets: dashboard under 300 ms; all indicators for one fiscal year (with their breakdowns) under 2 s; the quarterly
report PDF under 30 s with the rendering process under 500 MB. Results go to bench/results-reports.json and a table.
"""

import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "akt_ls.settings")
os.environ.setdefault("STAFF_REQUIRE_2FA", "false")

import django  # noqa: E402

django.setup()

from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.roles import Role  # noqa: E402
from reports.periods import current_fiscal_year, fiscal_year_of, quarter_of  # noqa: E402
from reports.selectors import indicator_table  # noqa: E402

TARGETS = {"dashboard_p50_ms": 300, "indicators_fy_s": 2, "quarterly_pdf_s": 30, "quarterly_pdf_peak_mb": 500}


def _timed(function, repeat):
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return times


def bench_indicators(fiscal_year):
    times = _timed(lambda: indicator_table(fiscal_year), 3)
    with CaptureQueriesContext(connection) as queries:
        rows = indicator_table(fiscal_year)
    return {"indicators": len(rows), "median_s": round(statistics.median(times), 3), "queries": len(queries)}


def bench_dashboard(fiscal_year):
    from django.contrib.auth import get_user_model

    manager = get_user_model().objects.filter(groups__name=Role.MANAGER, is_active=True).first()
    if manager is None:
        return {"error": "no active manager account in this database (run seed_demo)"}
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(manager)
    url = f"/en/staff/?fy={fiscal_year}"
    first = client.get(url)  # also warms caches (templates, translations)
    if first.status_code != 200:
        return {"error": f"the dashboard answered {first.status_code}"}
    times = _timed(lambda: client.get(url), 10)
    with CaptureQueriesContext(connection) as queries:
        status = client.get(url).status_code
    return {
        "status": status,
        "p50_ms": round(statistics.median(times) * 1000, 1),
        "max_ms": round(max(times) * 1000, 1),
        "queries": len(queries),
    }


def bench_quarterly(fiscal_year, quarter):
    out = Path("/tmp/akt-bench-quarterly.pdf")
    command = [
        sys.executable, str(ROOT / "manage.py"), "render_report", "quarterly",
        "--fy", str(fiscal_year), "--quarter", str(quarter), "--lang", "en", "--out", str(out),
    ]  # fmt: skip
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    if result.returncode:
        return {"error": result.stderr[-2000:]}
    return {"seconds": round(seconds, 2), "peak_mb": round(peak_mb, 1), "bytes": out.stat().st_size,
            "output": result.stdout.strip()[-300:]}  # fmt: skip


def main():
    from django.utils import timezone

    today = timezone.localdate()
    fiscal_year = int(os.environ.get("BENCH_FY", current_fiscal_year()))
    quarter = int(os.environ.get("BENCH_QUARTER", quarter_of(today) if fiscal_year == fiscal_year_of(today) else 4))
    reset_queries()
    results = {
        "database": connection.vendor,
        "fiscal_year": fiscal_year,
        "quarter": quarter,
        "targets": TARGETS,
        "indicators": bench_indicators(fiscal_year),
        "dashboard": bench_dashboard(fiscal_year),
        "quarterly_pdf": bench_quarterly(fiscal_year, quarter),
    }
    out = ROOT / "bench" / "results-reports.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    ind, dash, pdf = results["indicators"], results["dashboard"], results["quarterly_pdf"]
    print(f"database {connection.vendor}, FY{fiscal_year} Q{quarter}")
    print(f"{'measure':<34}{'value':>14}{'target':>12}")
    print(f"{'all indicators for the FY (s)':<34}{ind['median_s']:>14}{TARGETS['indicators_fy_s']:>12}")
    print(f"{'  queries':<34}{ind['queries']:>14}")
    if "error" in dash:
        print(f"dashboard: {dash['error']}")
    else:
        print(f"{'dashboard p50 (ms)':<34}{dash['p50_ms']:>14}{TARGETS['dashboard_p50_ms']:>12}")
        print(f"{'  queries':<34}{dash['queries']:>14}")
    if "error" in pdf:
        print(f"quarterly PDF failed: {pdf['error']}")
    else:
        print(f"{'quarterly PDF (s)':<34}{pdf['seconds']:>14}{TARGETS['quarterly_pdf_s']:>12}")
        print(f"{'quarterly PDF peak memory (MB)':<34}{pdf['peak_mb']:>14}{TARGETS['quarterly_pdf_peak_mb']:>12}")
    print(f"written to {out}")


if __name__ == "__main__":
    main()
