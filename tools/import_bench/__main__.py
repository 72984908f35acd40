"""`make bench-import`: a generated CSV imported through the real job code path (upload, dry run, commit,
each run by `manage.py worker --burst`), timed, with the worker process's peak RSS; 1M rows into
PostgreSQL and 100k into SQLite by default. Writes its figures between the markers of
docs/import-export.md (section "Benchmark"), which docs/benchmarks.md links to."""

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

from tools.import_bench.generate import write_csv

ROOT = Path(__file__).resolve().parents[2]
START, END = "<!-- bench-import:start -->", "<!-- bench-import:end -->"


def log(message: str) -> None:
    print(f"[bench-import {time.strftime('%H:%M:%S')}] {message}", flush=True)


def product_env(database_url: str, media_root: str) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": media_root,
        "DJANGO_DEBUG": "0",  # DEBUG keeps every query in memory: not what production runs
        "DJANGO_ENV_FILE": "",
        "DJANGO_SECRET_KEY": "bench-import-only-secret-key-0123456789-abcdefghijklmnop",
        "LOG_LEVEL": "WARNING",
    }


def run(args: list[str], env: dict) -> str:
    return subprocess.run([sys.executable, *args], env=env, cwd=ROOT, check=True, capture_output=True, text=True).stdout


def timed_worker(env: dict) -> tuple[float, float]:
    """Run `manage.py worker --burst --no-webhooks` to the end: (seconds, peak RSS in MB) of that process."""
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "manage.py", "worker", "--burst", "--no-webhooks", "--poll-interval", "0.2"], env=env, cwd=ROOT
    )
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise SystemExit(f"the worker failed ({process.returncode})")
    return time.monotonic() - started, usage.ru_maxrss / 1024


def recreate_postgres(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    if not re.fullmatch(r"[a-z0-9_]+", name):
        raise SystemExit(f"refusing to drop a database named {name!r}")
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {name}")
        connection.execute(f"CREATE DATABASE {name}")


def measure(database_url: str, rows: int, workdir: Path) -> dict:
    engine = "postgresql" if database_url.startswith("postgres") else "sqlite"
    csv_path = workdir / f"contacts-{rows}.csv"
    if not csv_path.exists():
        log(f"generating {rows:,} rows")
        write_csv(csv_path, rows)
    env = product_env(database_url, str(workdir / f"media-{engine}"))
    if engine == "postgresql":
        recreate_postgres(database_url)
    log(f"{engine}: migrate")
    run(["manage.py", "migrate", "--verbosity", "0"], env)
    started = time.monotonic()
    job_id = run(["-m", "tools.import_bench.step", "upload", str(csv_path)], env).strip()
    upload_seconds = time.monotonic() - started
    log(f"{engine}: dry run of {rows:,} rows")
    dry_seconds, dry_rss = timed_worker(env)
    run(["-m", "tools.import_bench.step", "commit", job_id], env)
    log(f"{engine}: commit")
    commit_seconds, commit_rss = timed_worker(env)
    job = json.loads(run(["-m", "tools.import_bench.step", "show", job_id], env))
    log(f"{engine}: re-import of the same file (must change nothing)")
    job_again = run(["-m", "tools.import_bench.step", "upload", str(csv_path)], env).strip()
    timed_worker(env)
    run(["-m", "tools.import_bench.step", "commit", job_again], env)
    again_seconds, again_rss = timed_worker(env)
    again = json.loads(run(["-m", "tools.import_bench.step", "show", job_again], env))
    return {
        "engine": engine,
        "rows": rows,
        "file_mb": round(csv_path.stat().st_size / 1024**2, 1),
        "upload_seconds": round(upload_seconds, 1),
        "dry_run_seconds": round(dry_seconds, 1),
        "dry_run_peak_rss_mb": round(dry_rss),
        "commit_seconds": round(commit_seconds, 1),
        "commit_peak_rss_mb": round(commit_rss),
        "counts": job["counts"],
        "contact_count": job["contact_count"],
        "reimport_seconds": round(again_seconds, 1),
        "reimport_peak_rss_mb": round(again_rss),
        "reimport_counts": again["counts"],
    }


def markdown(results: list[dict], command: str) -> str:
    cores = os.cpu_count()
    lines = [
        START,
        (
            f"Written by `{command}` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} ({platform.processor() or platform.machine()}, "
            f"{cores} cores; PostgreSQL and the worker on the same machine). Each step is one `manage.py worker --burst` "
            "process; *peak RSS* is that process's maximum resident memory (getrusage)."
        ),
        "",
        "| Database | Rows | File | Dry run | Commit | Rows/s (commit) | Peak RSS (dry run / commit) | Created / updated / unchanged / errors | Re-import (same file) |",
        "|---|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for result in results:
        counts, again = result["counts"], result["reimport_counts"]
        lines.append(
            f"| {result['engine']} | {result['rows']:,} | {result['file_mb']} MB | {result['dry_run_seconds']} s "
            f"| {result['commit_seconds']} s | {result['rows'] / result['commit_seconds']:,.0f} "
            f"| {result['dry_run_peak_rss_mb']} / {result['commit_peak_rss_mb']} MB "
            f"| {counts['created']:,} / {counts['updated']:,} / {counts['unchanged']:,} / {counts['errors']:,} "
            f"| {result['reimport_seconds']} s, {again['updated']:,} updated, {again['unchanged']:,} unchanged, "
            f"{result['reimport_peak_rss_mb']} MB |"
        )
    lines += [
        "",
        (
            "Targets: 1,000,000 rows into PostgreSQL in ≤ 10 minutes with a worker peak ≤ 300 MB; 100,000 rows into "
            "SQLite in ≤ 2 minutes."
        ),
        END,
    ]
    return "\n".join(lines)


def write_section(path: Path, section: str) -> None:
    text = path.read_text()
    if START in text and END in text:
        text = text[: text.index(START)] + section + text[text.index(END) + len(END) :]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    path.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tools.import_bench")
    parser.add_argument("--rows", type=int, default=1_000_000, help="Rows into PostgreSQL (1,000,000)")
    parser.add_argument("--sqlite-rows", type=int, default=100_000, help="Rows into SQLite (100,000; 0 skips it)")
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/bench_import", help="Dropped and recreated"
    )
    parser.add_argument(
        "--output", default=str(ROOT / "docs" / "import-export.md"), help="Doc whose section is rewritten"
    )
    args = parser.parse_args()
    command = "python -m tools.import_bench " + " ".join(sys.argv[1:])
    with tempfile.TemporaryDirectory(prefix="bench-import-") as directory:
        workdir = Path(directory)
        results = [measure(args.database_url, args.rows, workdir)]
        if args.sqlite_rows:
            results.append(measure(f"sqlite:///{workdir}/bench-import.sqlite3", args.sqlite_rows, workdir))
    out = ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    (out / "import.json").write_text(json.dumps(results, indent=2))
    write_section(Path(args.output), markdown(results, command))
    for result in results:
        log(json.dumps(result))


if __name__ == "__main__":
    main()
