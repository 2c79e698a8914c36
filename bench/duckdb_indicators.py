#!/usr/bin/env python3
"""The city dashboard's indicator set computed by DuckDB straight from the raw tables.

    python3 bench/duckdb_indicators.py DIR PERIOD [--region 320400] [--runs 20]

DIR holds the raw tables as CSV with a header row, as written by
`cargo bench -p gongjiang-demo --bench indicators`:

    regions.csv       code, parent_code
    orgs.csv          id, kind, region_code, parent_id
    pilots.csv        org_id, level, ptype, year
    reports.csv       org_id, period, status, workers, frontline_workers, high_skilled,
                      high_skilled_new, training_person_times, training_spend_wan,
                      proposals, innovations, innovation_benefit_wan
    designations.csv  dtype, level, year, holder_org_id, holder_worker_id
    workers.csv       id, org_id, skill_level, frontline

The tables are loaded into an in-memory DuckDB database (not timed against the query),
then the whole indicator set for the region's subtree and the period is computed by one
SQL statement, `--runs` times (median, p95, min reported), and the same for every child
region (the dashboard's drill-down). The rules mirror gongjiang's (crates/storage/src/
indicators.rs `facts()` and crates/domain/src/indicators.rs CATALOGUE) without using any
of gongjiang's maintained aggregates or tree columns: subtree membership is computed from
the region tree with a recursive query.

Output, tab-separated, for the benchmark to compare with gongjiang's own numbers:

    load    <seconds>   <rows per table …>
    time    <total|children>  <median ms>  <p95 ms>  <min ms>  <runs>
    value   <region code>  <indicator code>  <value or empty>  <numerator>  <denominator>
"""
import argparse
import statistics
import sys
import time
from pathlib import Path

import duckdb

HIGH_SKILL = ("senior", "technician", "senior_technician", "principal", "chief")
ALL_LEVELS = ("national", "province", "city", "district", "town", "enterprise")

# Subtree membership from the region tree: `top` is the code the row is counted under —
# the region itself (mode total) or each of its child regions (mode children).
SUBTREE_TOTAL = """
    WITH RECURSIVE sub(code, top) AS (
        SELECT code, code FROM regions WHERE code = $region
        UNION ALL
        SELECT r.code, s.top FROM regions r JOIN sub s ON r.parent_code = s.code
    )"""
SUBTREE_CHILDREN = """
    WITH RECURSIVE sub(code, top) AS (
        SELECT code, code FROM regions WHERE parent_code = $region
        UNION ALL
        SELECT r.code, s.top FROM regions r JOIN sub s ON r.parent_code = s.code
    )"""


def in_list(values):
    return ", ".join(f"'{v}'" for v in values)


QUERY = """
    , og AS (SELECT o.id, s.top AS g FROM orgs o JOIN sub s ON o.region_code = s.code)
    -- a pilot enterprise (or park) counts once per pilot type, from its earliest year
    , pt AS (SELECT org_id, ptype, MIN(year) AS y FROM pilots GROUP BY org_id, ptype)
    , p AS (
        SELECT og.g,
               COUNT(*) FILTER (WHERE pt.ptype <> 'park') AS pilot_enterprises,
               COUNT(*) FILTER (WHERE pt.ptype = 'park') AS pilot_parks
        FROM pt JOIN og ON pt.org_id = og.id
        WHERE pt.y <= $year
        GROUP BY og.g)
    -- the year of an organisation's earliest pilot of any type
    , fp AS (SELECT org_id, MIN(year) AS y FROM pilots GROUP BY org_id)
    , rp AS (
        SELECT og.g,
               SUM(r.workers) FILTER (WHERE fp.y IS NOT NULL
                   AND fp.y <= CAST(substr(r.period, 1, 4) AS BIGINT)) AS pilot_workers,
               SUM(r.workers) AS workers,
               SUM(r.high_skilled) AS high_skilled,
               SUM(r.high_skilled_new) AS high_skilled_new,
               SUM(r.training_person_times) AS training_person_times,
               SUM(r.innovation_benefit_wan) AS innovation_benefit_cents
        FROM reports r
        JOIN og ON r.org_id = og.id
        LEFT JOIN fp ON fp.org_id = r.org_id
        WHERE r.period = $period AND r.status IN ('approved', 'locked')
        GROUP BY og.g)
    , d AS (
        SELECT og.g,
               COUNT(*) FILTER (WHERE dtype = 'integration_enterprise'
                                AND level IN (ALL_LEVELS)) AS integration_enterprises,
               COUNT(*) FILTER (WHERE dtype = 'industry_professor'
                                AND level IN (ALL_LEVELS)) AS industry_professors,
               COUNT(*) FILTER (WHERE dtype = 'apprenticeship_pilot'
                                AND level IN (ALL_LEVELS)) AS apprenticeship_pilots,
               COUNT(*) FILTER (WHERE dtype = 'longcheng_craftsman'
                                AND level = 'city') AS lc_craftsmen,
               COUNT(*) FILTER (WHERE dtype = 'innovation_studio'
                                AND level IN ('national', 'province', 'city'))
                   AS innovation_studios
        FROM designations dd JOIN og ON dd.holder_org_id = og.id
        WHERE dd.year <= $year
        GROUP BY og.g)
    , w AS (
        SELECT og.g,
               COUNT(*) AS registered_workers,
               COUNT(*) FILTER (WHERE skill_level IN (HIGH_SKILL)) AS registered_high_skilled
        FROM workers wk JOIN og ON wk.org_id = og.id
        GROUP BY og.g)
    SELECT gg.g,
           COALESCE(p.pilot_enterprises, 0),
           COALESCE(p.pilot_parks, 0),
           COALESCE(rp.pilot_workers, 0),
           COALESCE(rp.workers, 0),
           COALESCE(rp.high_skilled, 0),
           COALESCE(rp.high_skilled_new, 0),
           COALESCE(rp.training_person_times, 0),
           COALESCE(rp.innovation_benefit_cents, 0),
           COALESCE(d.integration_enterprises, 0),
           COALESCE(d.industry_professors, 0),
           COALESCE(d.apprenticeship_pilots, 0),
           COALESCE(d.lc_craftsmen, 0),
           COALESCE(d.innovation_studios, 0),
           COALESCE(w.registered_workers, 0),
           COALESCE(w.registered_high_skilled, 0)
    FROM (SELECT DISTINCT top AS g FROM sub) gg
    LEFT JOIN p ON p.g = gg.g
    LEFT JOIN rp ON rp.g = gg.g
    LEFT JOIN d ON d.g = gg.g
    LEFT JOIN w ON w.g = gg.g
    ORDER BY gg.g
""".replace("ALL_LEVELS", in_list(ALL_LEVELS)).replace("HIGH_SKILL", in_list(HIGH_SKILL))


def indicators(row):
    """The 16 catalogue indicators, in catalogue order: (code, value, numerator, denominator)."""
    (_, pe, pp, pw, w, hs, hsn, tpt, ibc, ie, ip, ap, lc, st, rw, rhs) = row
    return [
        ("pilot_enterprises", pe, None, None),
        ("pilot_parks", pp, None, None),
        ("pilot_workers_covered", pw, None, None),
        ("workers_total", w, None, None),
        ("high_skilled_total", hs, None, None),
        ("high_skilled_per_10k", (hs * 10000 / w) if w else None, hs, w),
        ("high_skilled_new", hsn, None, None),
        ("training_person_times", tpt, None, None),
        ("innovation_benefit_wan", ibc / 100, None, None),
        ("integration_enterprises", ie, None, None),
        ("industry_professors", ip, None, None),
        ("apprenticeship_pilots", ap, None, None),
        ("lc_craftsmen", lc, None, None),
        ("innovation_studios", st, None, None),
        ("registered_workers", rw, None, None),
        ("registered_high_skilled", rhs, None, None),
    ]


TABLES = {
    "regions": "code VARCHAR, parent_code VARCHAR",
    "orgs": "id BIGINT, kind VARCHAR, region_code VARCHAR, parent_id BIGINT",
    "pilots": "org_id BIGINT, level VARCHAR, ptype VARCHAR, year BIGINT",
    "reports": "org_id BIGINT, period VARCHAR, status VARCHAR, workers BIGINT, "
    "frontline_workers BIGINT, high_skilled BIGINT, high_skilled_new BIGINT, "
    "training_person_times BIGINT, training_spend_wan BIGINT, proposals BIGINT, "
    "innovations BIGINT, innovation_benefit_wan BIGINT",
    "designations": "dtype VARCHAR, level VARCHAR, year BIGINT, holder_org_id BIGINT, "
    "holder_worker_id BIGINT",
    "workers": "id BIGINT, org_id BIGINT, skill_level VARCHAR, frontline BIGINT",
}


def load(con, directory):
    counts = []
    for table, cols in TABLES.items():
        path = Path(directory) / f"{table}.csv"
        types = "{" + ", ".join(
            f"'{c.split()[0]}': '{c.split()[1]}'" for c in cols.split(", ")
        ) + "}"
        con.execute(
            f"CREATE TABLE {table} AS SELECT * FROM read_csv('{path}', header = true, "
            f"columns = {types}, nullstr = '')"
        )
        counts.append(f"{table}={con.execute(f'SELECT COUNT(*) FROM {table}').fetchone()[0]}")
    return counts


def timed(con, sql, params, runs):
    times, rows = [], None
    for _ in range(runs):
        t = time.perf_counter()
        rows = con.execute(sql, params).fetchall()
        times.append((time.perf_counter() - t) * 1000)
    s = sorted(times)
    return rows, statistics.median(s), s[min(len(s) - 1, len(s) * 95 // 100)], s[0]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dir")
    ap.add_argument("period", help="a year, e.g. 2023")
    ap.add_argument("--region", default="320400")
    ap.add_argument("--runs", type=int, default=20)
    a = ap.parse_args()
    if not (len(a.period) == 4 and a.period.isdigit()):
        sys.exit("only whole-year periods are supported here")
    con = duckdb.connect(":memory:")
    t = time.perf_counter()
    counts = load(con, a.dir)
    print("load", f"{time.perf_counter() - t:.2f}", *counts, sep="\t")
    params = {"region": a.region, "period": a.period, "year": int(a.period)}
    con.execute(SUBTREE_TOTAL + QUERY, params).fetchall()  # warm-up (first run reported below)
    for mode, head in (("total", SUBTREE_TOTAL), ("children", SUBTREE_CHILDREN)):
        rows, med, p95, best = timed(con, head + QUERY, params, a.runs)
        print("time", mode, f"{med:.2f}", f"{p95:.2f}", f"{best:.2f}", a.runs, sep="\t")
        for row in rows:
            for code, value, num, den in indicators(row):
                print(
                    "value",
                    row[0],
                    code,
                    "" if value is None else repr(float(value)),
                    "" if num is None else num,
                    "" if den is None else den,
                    sep="\t",
                )
    print("threads", con.execute("SELECT current_setting('threads')").fetchone()[0], sep="\t")
    print("duckdb", duckdb.__version__, sep="\t")


if __name__ == "__main__":
    main()
