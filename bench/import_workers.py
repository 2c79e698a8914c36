#!/usr/bin/env python3
"""Worker import benchmark (issue #3): gongjiang's import against the Python analyst's
route (pandas + openpyxl → DataFrame.to_sql) and the raw route (csv module → sqlite3
executemany), on the same 1,000,000-row .xlsx and .csv files.

    python3 bench/import_workers.py                 # 1,000,000 rows
    python3 bench/import_workers.py --rows 50000    # a quick try first

    python3 bench/import_workers.py --pg postgres://postgres@127.0.0.1:5432/postgres
                                                    # gongjiang's import into PostgreSQL too

Needs pandas and openpyxl (`pip install pandas openpyxl`) and a Rust toolchain: the
release binary and the row generator are built first (`--no-build` to skip). Every
measured step runs in its own process; wall time and peak resident memory (the child's
own `ru_maxrss` from wait4) are recorded per step. With `--pg URL` (a server URL whose
user may create databases; `psql` must be installed) the same files are also imported
into a PostgreSQL database made from the same demo dataset, one fresh copy per file
(`CREATE DATABASE … TEMPLATE`). See bench/README.md.
"""
import argparse
import csv
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COLUMNS = [
    "name",
    "id_number",
    "org_uscc",
    "phone",
    "occupation",
    "skill_level",
    "certificate_no",
    "certified_on",
    "frontline",
    "political_status",
]

# ----- the routes, each run in a child process (`--step NAME …`) --------------------------


def step_pandas(fmt, src, db):
    import pandas as pd

    t0 = time.perf_counter()
    if fmt == "xlsx":
        df = pd.read_excel(src, engine="openpyxl", dtype=str, sheet_name=0)
    else:
        df = pd.read_csv(src, dtype=str, encoding="utf-8-sig")
    t1 = time.perf_counter()
    con = sqlite3.connect(db)
    df.to_sql("workers", con, index=False, if_exists="replace")
    con.commit()
    con.close()
    t2 = time.perf_counter()
    return {"rows": len(df), "read_s": t1 - t0, "insert_s": t2 - t1}


def create_raw_table(con):
    con.execute(f"CREATE TABLE workers ({', '.join(c + ' TEXT' for c in COLUMNS)})")


INSERT = f"INSERT INTO workers VALUES ({', '.join('?' * len(COLUMNS))})"


def step_raw_stream(src, db):
    """csv.reader straight into executemany: reading and inserting, one transaction."""
    t0 = time.perf_counter()
    con = sqlite3.connect(db)
    create_raw_table(con)
    with open(src, newline="", encoding="utf-8-sig") as f:
        r = csv.reader(f)
        next(r)
        with con:
            cur = con.executemany(INSERT, r)
    n = con.execute("SELECT COUNT(*) FROM workers").fetchone()[0]
    con.close()
    return {"rows": n, "total_s": time.perf_counter() - t0, "cursor_rows": cur.rowcount}


def step_raw_memory(src, db):
    """The rows read into a list first; only executemany + commit is timed."""
    t0 = time.perf_counter()
    with open(src, newline="", encoding="utf-8-sig") as f:
        r = csv.reader(f)
        next(r)
        rows = list(r)
    t1 = time.perf_counter()
    con = sqlite3.connect(db)
    create_raw_table(con)
    with con:
        con.executemany(INSERT, rows)
    t2 = time.perf_counter()
    con.close()
    return {"rows": len(rows), "read_s": t1 - t0, "insert_s": t2 - t1}


def run_step(argv):
    name, args = argv[0], argv[1:]
    if name == "pandas":
        out = step_pandas(*args)
    elif name == "raw-stream":
        out = step_raw_stream(*args)
    elif name == "raw-memory":
        out = step_raw_memory(*args)
    else:
        sys.exit(f"unknown step {name}")
    print("RESULT " + json.dumps(out))


# ----- the harness -----------------------------------------------------------------------


def measured(cmd, work, env=None, label=""):
    """Runs cmd; returns (exit code, wall s, peak RSS MiB, stdout, stderr)."""
    out_f = tempfile.TemporaryFile(dir=work)
    err_f = tempfile.TemporaryFile(dir=work)
    t = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=out_f, stderr=err_f, env=env)
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t
    p.returncode = os.waitstatus_to_exitcode(status)
    out_f.seek(0)
    err_f.seek(0)
    out = out_f.read().decode("utf-8", "replace")
    err = err_f.read().decode("utf-8", "replace")
    rss_mib = usage.ru_maxrss / 1024  # KiB on Linux
    if label:
        print(f"  {label}: {wall:.1f} s, peak {rss_mib:.0f} MiB, exit {p.returncode}", flush=True)
    return p.returncode, wall, rss_mib, out, err


def result_of(out):
    for line in out.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    return {}


def sh(cmd, **kw):
    print("$ " + " ".join(str(c) for c in cmd), flush=True)
    subprocess.run(cmd, check=True, **kw)


def pg_url(server, dbname):
    """The server URL with another database name."""
    from urllib.parse import urlsplit, urlunsplit

    u = urlsplit(server)
    return urlunsplit((u.scheme, u.netloc, "/" + dbname, u.query, u.fragment))


def psql(server, sql):
    out = subprocess.run(
        ["psql", server, "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-c", sql],
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip()


def count_rows(db, table="workers"):
    con = sqlite3.connect(db)
    try:
        return con.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
    finally:
        con.close()


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--step":
        return run_step(sys.argv[2:])
    ap = argparse.ArgumentParser(description="worker import benchmark (issue #3)")
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument(
        "--work",
        type=Path,
        default=ROOT / "target" / "bench-import",
        help="working directory (default target/bench-import; the generated files stay there)",
    )
    ap.add_argument("--gongjiang", type=Path, default=ROOT / "target" / "release" / "gongjiang")
    ap.add_argument(
        "--gen",
        type=Path,
        default=ROOT / "target" / "release" / "examples" / "gen_workers",
        help="the row generator (crates/io/examples/gen_workers.rs)",
    )
    ap.add_argument("--no-build", action="store_true", help="do not run cargo build first")
    ap.add_argument(
        "--formats", default="csv,xlsx", help="csv, xlsx or both (default csv,xlsx)"
    )
    ap.add_argument(
        "--skip-gongjiang", action="store_true", help="measure the Python routes only"
    )
    ap.add_argument(
        "--pg",
        metavar="URL",
        help="also import into PostgreSQL: a server URL (postgres://user@host:port/db) whose "
        "user may create databases; gj_bench_demo and gj_bench_run are made there and dropped",
    )
    ap.add_argument(
        "--skip-python", action="store_true", help="skip the pandas and raw routes"
    )
    a = ap.parse_args()
    start_load = os.getloadavg()[0]
    formats = [f for f in a.formats.split(",") if f]
    work = a.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    py = sys.executable

    if not a.no_build:
        sh(["cargo", "build", "--release", "--bin", "gongjiang"], cwd=ROOT)
        sh(["cargo", "build", "--release", "-p", "gongjiang-io", "--example", "gen_workers"], cwd=ROOT)

    # 1. The demo database (city scale: 1,200 enterprises), made once and copied fresh for
    #    every gongjiang run. Its enterprises' credit codes feed the generator.
    demo = work / "demo"
    shutil.rmtree(demo, ignore_errors=True)
    sh([a.gongjiang, "--data-dir", demo, "demo"], env=dict(os.environ, GONGJIANG_LOG="warn"))
    codes = work / "codes.txt"
    con = sqlite3.connect(demo / "gongjiang.db")
    uscc = [
        r[0]
        for r in con.execute(
            "SELECT uscc FROM orgs WHERE kind = 'enterprise' AND uscc IS NOT NULL ORDER BY id"
        )
    ]
    demo_workers = con.execute("SELECT COUNT(*) FROM workers").fetchone()[0]
    con.close()
    codes.write_text("\n".join(uscc) + "\n")
    print(f"demo database: {len(uscc)} enterprises, {demo_workers} workers already registered")

    # 2. The files, deterministic: the same rows every run.
    files = {}
    for fmt in formats:
        f = work / f"workers-{a.rows}.{fmt}"
        t = time.perf_counter()
        sh([a.gen, str(a.rows), f, "--orgs", codes, "--unique-ids"])
        print(f"  generated in {time.perf_counter() - t:.1f} s")
        files[fmt] = f
        print(f"{f.name}: {f.stat().st_size / 1e6:.0f} MB")

    results = []  # (route, format, rows, wall, rss, note)

    # 3. gongjiang import, against a fresh copy of the demo database each time.
    def fresh_copy(name):
        d = work / name
        shutil.rmtree(d, ignore_errors=True)
        shutil.copytree(demo, d)
        return d

    skip_reason = None
    if a.skip_gongjiang:
        skip_reason = "--skip-gongjiang"
    else:
        probe = work / "probe.csv"
        subprocess.run([a.gen, "10", probe, "--orgs", codes, "--unique-ids"], check=True,
                       capture_output=True)
        d = fresh_copy("probe-db")
        env = dict(os.environ, GONGJIANG_LANG="en")
        code, _, _, out, err = measured(
            [a.gongjiang, "--data-dir", d, "import", "workers", probe, "--dry-run"], work, env
        )
        text = (out + err).lower()
        if code != 0 and any(m in text for m in ("not built yet", "not yet", "尚未", "unknown import kind")):
            skip_reason = "`gongjiang import workers` is not available yet: " + err.strip()
        elif code != 0:
            skip_reason = f"the 10-row probe import failed (exit {code}): {err.strip()[:500]}"
        shutil.rmtree(d, ignore_errors=True)
    if skip_reason:
        print(f"gongjiang import: SKIPPED — {skip_reason}")
    else:
        for fmt, f in files.items():
            d = fresh_copy(f"gj-{fmt}")
            print(f"gongjiang import workers {f.name}", flush=True)
            code, wall, rss, out, err = measured(
                [a.gongjiang, "--data-dir", d, "import", "workers", f],
                work,
                dict(os.environ, GONGJIANG_LANG="en"),
                label="gongjiang",
            )
            n = count_rows(d / "gongjiang.db") - demo_workers
            note = f"{n} workers added"
            if code != 0:
                note += f"; exit {code}: {err.strip().splitlines()[-1] if err.strip() else ''}"
            results.append(("gongjiang import", fmt, n if code == 0 else None, wall, rss, note))
            shutil.rmtree(d, ignore_errors=True)

    # 3b. The same into PostgreSQL: a demo database made once, copied fresh for each file.
    if a.pg and not skip_reason:
        demo_pg, run_pg = "gj_bench_demo", "gj_bench_run"
        pg_dir = work / "demo-pg"  # its data.key (the key never goes into the database)
        shutil.rmtree(pg_dir, ignore_errors=True)
        psql(a.pg, f"DROP DATABASE IF EXISTS {run_pg}")
        psql(a.pg, f"DROP DATABASE IF EXISTS {demo_pg}")
        psql(a.pg, f"CREATE DATABASE {demo_pg}")
        sh([a.gongjiang, "--data-dir", pg_dir, "--database-url", pg_url(a.pg, demo_pg), "demo"],
           env=dict(os.environ, GONGJIANG_LOG="warn"))
        pg_demo_workers = int(psql(pg_url(a.pg, demo_pg), "SELECT COUNT(*) FROM workers"))
        for fmt, f in files.items():
            psql(a.pg, f"DROP DATABASE IF EXISTS {run_pg}")
            psql(a.pg, f"CREATE DATABASE {run_pg} TEMPLATE {demo_pg}")
            print(f"gongjiang import workers {f.name} (PostgreSQL)", flush=True)
            code, wall, rss, out, err = measured(
                [a.gongjiang, "--data-dir", pg_dir, "--database-url", pg_url(a.pg, run_pg),
                 "import", "workers", f],
                work,
                dict(os.environ, GONGJIANG_LANG="en"),
                label="gongjiang (PostgreSQL)",
            )
            n = int(psql(pg_url(a.pg, run_pg), "SELECT COUNT(*) FROM workers")) - pg_demo_workers
            note = f"{n} workers added"
            if code != 0:
                note += f"; exit {code}: {err.strip().splitlines()[-1] if err.strip() else ''}"
            results.append(("gongjiang import (PostgreSQL)", fmt, n if code == 0 else None, wall,
                            rss, note))
        psql(a.pg, f"DROP DATABASE IF EXISTS {run_pg}")
        psql(a.pg, f"DROP DATABASE IF EXISTS {demo_pg}")

    # 4. pandas (+ openpyxl for xlsx) → to_sql into a new SQLite file.
    for fmt, f in ({} if a.skip_python else files).items():
        db = work / f"pandas-{fmt}.db"
        db.unlink(missing_ok=True)
        reader = "read_excel(openpyxl)" if fmt == "xlsx" else "read_csv"
        print(f"pandas.{reader} + to_sql {f.name}", flush=True)
        code, wall, rss, out, err = measured(
            [py, __file__, "--step", "pandas", fmt, f, db], work, label="pandas"
        )
        r = result_of(out)
        if code != 0:
            print(err[-2000:])
        note = (
            f"read {r.get('read_s', 0):.1f} s + to_sql {r.get('insert_s', 0):.1f} s"
            if r
            else f"failed (exit {code})"
        )
        results.append((f"pandas {reader} + to_sql", fmt, r.get("rows"), wall, rss, note))
        db.unlink(missing_ok=True)

    # 5. Raw: csv module + sqlite3 executemany with a prepared INSERT, one transaction.
    if "csv" in files and not a.skip_python:
        f = files["csv"]
        for step, name in (("raw-stream", "raw csv → executemany (read + insert)"),
                           ("raw-memory", "raw executemany, rows already in memory")):
            db = work / f"{step}.db"
            db.unlink(missing_ok=True)
            print(f"{name} {f.name}", flush=True)
            code, wall, rss, out, err = measured(
                [py, __file__, "--step", step, f, db], work, label=step
            )
            r = result_of(out)
            if code != 0:
                print(err[-2000:])
            if step == "raw-stream":
                results.append((name, "csv", r.get("rows"), r.get("total_s", wall), rss,
                                f"process wall {wall:.1f} s (interpreter start included)"))
            else:
                results.append((name, "csv", r.get("rows"), r.get("insert_s", wall), rss,
                                f"insert only; reading into the list took {r.get('read_s', 0):.1f} s"))
            db.unlink(missing_ok=True)

    # 6. The table and the two ratios.
    print()
    print(f"Worker import, {a.rows:,} rows (load average now {os.getloadavg()[0]:.2f}; "
          f"{start_load:.2f} at the start)")
    print()
    print("| route | file | rows | time s | rows/s | peak memory MiB | note |")
    print("|---|---|---|---|---|---|---|")
    for route, fmt, rows, wall, rss, note in results:
        rate = f"{rows / wall:,.0f}" if rows and wall else "—"
        print(f"| {route} | {fmt} | {rows if rows is not None else '—'} | {wall:.1f} | {rate} | {rss:.0f} | {note} |")
    if skip_reason:
        print(f"| gongjiang import | csv, xlsx | — | — | — | — | skipped: {skip_reason} |")
    print()
    # The ratios compare the SQLite import (the PostgreSQL rows are listed in the table).
    by = {(r[0].split()[0], r[1]): r for r in results if "PostgreSQL" not in r[0]}

    def t(key):
        r = by.get(key)
        return r[3] if r and r[2] else None

    gj = {fmt: t(("gongjiang", fmt)) for fmt in formats}
    pd_ = {fmt: t(("pandas", fmt)) for fmt in formats}
    raw_stream = next((r[3] for r in results if r[0].startswith("raw csv")), None)
    raw_mem = next((r[3] for r in results if r[0].startswith("raw executemany")), None)
    # The two ratios: against pandas + openpyxl on the xlsx (the analyst's usual
    # route; the csv figure is shown too), and against the raw route on the csv.
    for fmt in sorted(formats, key=lambda f: f != "xlsx"):
        if gj[fmt] and pd_[fmt]:
            r = pd_[fmt] / gj[fmt]
            how = f"{r:.1f}× faster" if r >= 1 else f"{1 / r:.1f}× slower"
            print(f"gongjiang vs pandas ({fmt}): pandas {pd_[fmt]:.1f} s / gongjiang {gj[fmt]:.1f} s"
                  f" = {r:.2f}, gongjiang {how} (target ≥ 10× faster)")
        else:
            print(f"gongjiang vs pandas ({fmt}): not measured")
    if gj.get("csv") and raw_stream:
        print(f"gongjiang throughput as % of raw (csv, read + insert): {100 * raw_stream / gj['csv']:.1f} % (target ≥ 40 %)")
        if raw_mem:
            print(f"gongjiang throughput as % of raw (insert only, rows in memory): {100 * raw_mem / gj['csv']:.1f} %")
    else:
        print("gongjiang throughput as % of raw: not measured")


if __name__ == "__main__":
    main()
