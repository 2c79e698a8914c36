#!/usr/bin/env python3
"""Contests under load (issue #12): a labour and skills contest with 2,000 entrants and
40 judges scoring at the same time — every mark kept exactly once, the live ranking
consistent with a recomputation — and 5,000 promotion cases approved in bulk.

    python3 bench/contests.py                                  # 2,000 entrants, 40 judges, 5,000 promotions
    python3 bench/contests.py --entrants 200 --judges 8 --promotions 400   # a quick try
    python3 bench/contests.py --bin target/release/gongjiang   # another binary

Standard library only. No build: the binary (default target/debug/gongjiang) is copied to
the work directory first and the copy is run, so a rebuild in the checkout does not
disturb a run. What one run does (see bench/README.md; figures in docs/performance.md):

1. Setup (timed per step, not part of the figures under load): `gongjiang demo` on a
   fresh data directory, N + M workers of one occupation at 初级工 imported by the CLI
   (N entrants in enterprises of 武进区 320412; M = promotions - N more for the training
   route), `serve`, the contest (市级) planned, its plan accepted, a scheme of two
   measurement and two judgement aspects published, N entries (entries/s), J expert
   accounts attached to 新北区 320411 (no entrant there, so no recusal) on the panel.
2. Under load: J judges scoring at once, one client each. Every (entry, judgement aspect)
   goes to three distinct judges round-robin; scores of one cell differ by at most one
   point (nothing flagged); ~5 % of each judge's scores are posted twice, the second
   value different (re-scoring). Every (entry, measurement aspect) gets a paper mark
   entered by one judge (~5 % entered twice, corrected) and confirmed by another judge
   as soon as it is handed over. One more client reads /ranking every
   second. Marks/s, latency p50/p99 and error counts by status.
3. Checks: GET /marks holds exactly one row per (entry, aspect, judge) expected, each
   with the value posted last (paper marks: entered and confirmed by the right people);
   the ranking recomputed here from the marks and the scheme equals /ranking (totals to
   0.01, ranks, order); a fourth judge on a full cell is refused (422) and writes
   nothing. Races on a second, small contest: nine posts on one empty cell at the same
   instant (eight judges, one of them twice) keep three scores; two people confirming
   one paper mark at once make one confirmation. The lock succeeds; a mark after the
   lock is refused (409).
4. Promotions: the contest is published with promote_top = N (公示 on the engine; the
   notice's due date is moved into the past in the SQLite file, as the e2e tests do),
   the results case accepted (which opens N contest_promotion cases in one
   transaction), then M training completions with a certificate one level up (each
   opens a skill_promotion case), then all N + M cases accepted by `renshe` through
   POST /api/v1/cases/bulk, polled to the end; the workers' levels are checked.

Options: --entrants N, --judges J, --promotions P (0: skip step 4), --bin PATH,
--work DIR (default: a new temporary directory), --keep (leave the work directory and
print where), --port, --clients (concurrent clients for entries and completions, 4).
Exit status 1 when a check fails.
"""
import argparse
import csv
import datetime as dt
import http.client
import json
import math
import os
import queue
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "gongjiang-demo"
JUDGE_PASSWORD = "Judge-2024-pass"
OCCUPATION = "数控铣工"
ENTRANT_DISTRICT = "320412"  # 武进区
JUDGE_DISTRICT = "320411"  # 新北区: no entrant there
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建国峰波宇浩凯健俊帆帅旭宁龙林欣怡晨阳佳雪琳晶"
ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
ID_CHECK = "10X98765432"

SCHEME = [
    {"name": "尺寸精度", "kind": "measurement", "weight": 30, "max_mark": 50},
    {"name": "表面粗糙度", "kind": "measurement", "weight": 20, "max_mark": 20},
    {
        "name": "工艺规范",
        "kind": "judgement",
        "weight": 25,
        "descriptors": ["不符合规范", "基本符合", "符合规范", "规范且熟练"],
    },
    {
        "name": "安全文明生产",
        "kind": "judgement",
        "weight": 25,
        "descriptors": ["有违规操作", "基本安全", "安全规范", "安全文明俱佳"],
    },
]


def log(msg):
    print(msg, flush=True)


# ----- HTTP ----------------------------------------------------------------------------


RETRIES = [0]  # reconnections after a kept-alive connection was found closed


class Client:
    """One keep-alive connection, one bearer token; every call is recorded."""

    def __init__(self, port, token=None, rec=None):
        self.port = port
        self.token = token
        self.rec = rec
        self.conn = None

    def call(self, method, path, body=None, kind=None):
        data = None if body is None else json.dumps(body).encode()
        headers = {"accept": "application/json"}
        if data is not None:
            headers["content-type"] = "application/json"
        if self.token:
            headers["authorization"] = f"Bearer {self.token}"
        t0 = time.perf_counter()
        status, payload = 0, None
        for attempt in (0, 1):
            reused = self.conn is not None
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)
                self.conn.request(method, path, body=data, headers=headers)
                r = self.conn.getresponse()
                raw = r.read()
                status = r.status
                try:
                    payload = json.loads(raw) if raw else None
                except ValueError:
                    payload = raw.decode("utf-8", "replace")
                break
            except (http.client.HTTPException, OSError) as e:
                # A kept-alive connection the server had closed: reconnect once (a
                # fresh connection failing is an error, never retried).
                self.conn = None
                status, payload = 0, f"{type(e).__name__}: {e}"
                if attempt == 1 or not reused:
                    break
                RETRIES[0] += 1
        dt_s = time.perf_counter() - t0
        if self.rec is not None and kind:
            self.rec.add(kind, status, dt_s, payload if status >= 400 or status == 0 else None)
        return status, payload

    def ok(self, method, path, body=None, want=(200, 201, 202), kind=None):
        s, v = self.call(method, path, body, kind)
        if s not in want:
            raise RuntimeError(f"{method} {path} → {s}: {str(v)[:600]}")
        return v


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.rows = []  # (kind, status, seconds)
        self.errors = []  # (kind, status, body) first few per kind/status

    def add(self, kind, status, seconds, body):
        with self.lock:
            self.rows.append((kind, status, seconds))
            if body is not None and sum(1 for e in self.errors if e[:2] == (kind, status)) < 3:
                self.errors.append((kind, status, str(body)[:400]))

    def of(self, kinds):
        return [r for r in self.rows if r[0] in kinds]


def pct(values, p):
    if not values:
        return float("nan")
    v = sorted(values)
    k = max(0, min(len(v) - 1, math.ceil(p / 100 * len(v)) - 1))
    return v[k]


def loadavg():
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def login(port, user, password=PASSWORD):
    c = Client(port)
    v = c.ok("POST", "/api/v1/auth/login", {"username": user, "password": password})
    return v["token"]


def run_parallel(n_threads, items, fn):
    """Calls fn(worker_index, item) for every item from n_threads threads; re-raises
    the first exception."""
    q = queue.Queue()
    for it in items:
        q.put(it)
    errs = []

    def worker(i):
        while not errs:
            try:
                it = q.get_nowait()
            except queue.Empty:
                return
            try:
                fn(i, it)
            except Exception as e:  # noqa: BLE001 - re-raised below
                errs.append(e)
                return

    ts = [threading.Thread(target=worker, args=(i,)) for i in range(n_threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    if errs:
        raise errs[0]


# ----- Rust's arithmetic, for the recomputation ------------------------------------------


def rust_round(x):
    """f64::round: half away from zero."""
    f = math.floor(abs(x))
    r = f + 1.0 if abs(x) - f >= 0.5 else f
    return math.copysign(r, x)


def recompute(aspects, entry_ids, marks):
    """The ranking as crates/storage/src/parts/contests/ranking.rs computes it."""
    cells = defaultdict(lambda: {"paper": None, "scores": []})
    for m in marks:
        c = cells[(m["entry_id"], m["aspect_id"])]
        if m["judge_id"] == 0:
            c["paper"] = (m["value"], m["confirmed_by"] is not None)
        else:
            c["scores"].append(int(rust_round(m["value"])))
    totals = []
    info = {}
    for e in entry_ids:
        total = 0.0
        missing, flagged = [], []
        for a in aspects:
            c = cells.get((e, a["id"]))
            if a["kind"] == "measurement":
                p = c["paper"] if c else None
                if p and p[1]:
                    v = p[0]
                    if a.get("max_mark") and a["max_mark"] > 0:
                        total += min(max(v / a["max_mark"], 0.0), 1.0) * a["weight"]
                    elif a.get("tolerance") is not None and abs(v) <= a["tolerance"] + 1e-9:
                        total += a["weight"]
                else:
                    missing.append(a["name"])
            else:
                s = c["scores"] if c else []
                if s and max(s) - min(s) > 1:
                    flagged.append(a["name"])
                if len(s) >= 3:
                    total += (sum(s) / len(s)) / 3.0 * a["weight"]
                else:
                    missing.append(a["name"])
        totals.append((e, total))
        info[e] = (missing, flagged)
    key = lambda t: int(rust_round(t * 100.0))  # noqa: E731
    totals.sort(key=lambda kt: (-key(kt[1]), kt[0]))
    out, prev, rank = [], None, 0
    for i, (e, t) in enumerate(totals):
        if prev != key(t):
            rank, prev = i + 1, key(t)
        out.append(
            {
                "entry_id": e,
                "rank": rank,
                "total": rust_round(t * 100.0) / 100.0,
                "missing": info[e][0],
                "flagged": info[e][1],
            }
        )
    return out


# ----- setup ----------------------------------------------------------------------------


def id_numbers(taken):
    """Valid 身份证号 of 武进区 (320412), distinct and none in `taken` (the demo's)."""
    base = dt.date(1975, 1, 1)
    k = 0
    while True:
        birth = base + dt.timedelta(days=(k // 90) * 3)
        seq = 900 + k % 90  # 900–989
        k += 1
        first17 = f"{ENTRANT_DISTRICT}{birth:%Y%m%d}{seq:03d}"
        s = sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS))
        n = first17 + ID_CHECK[s % 11]
        if n not in taken:
            yield n


def write_workers(path, n, usccs, taken):
    rng = random.Random(12)
    ids = []
    gen = id_numbers(taken)
    with open(path, "w", newline="", encoding="utf-8-sig") as f:
        w = csv.writer(f)
        w.writerow(
            ["姓名*", "身份证号*", "单位信用代码*", "手机号", "工种", "技能等级", "证书编号", "取证日期", "是否一线职工", "政治面貌"]
        )
        for i in range(n):
            name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
            idn = next(gen)
            ids.append(idn)
            w.writerow([name, idn, usccs[i % len(usccs)], "", OCCUPATION, "初级工", "", "", "是", "群众"])
    return ids


class Server:
    def __init__(self, binary, data, port, logfile):
        self.binary, self.data, self.port = binary, data, port
        self.log = open(logfile, "w")
        env = dict(os.environ, GONGJIANG_LOG="warn")
        self.proc = subprocess.Popen(
            [binary, "--data-dir", str(data), "serve", "--addr", f"127.0.0.1:{port}"],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            env=env,
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited ({self.proc.returncode}); see {logfile}")
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                c.request("GET", "/healthz")
                if c.getresponse().status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError("the server did not answer /healthz in 60 s")

    def cpu_seconds(self):
        try:
            f = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
            return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")
        except OSError:
            return float("nan")

    def peak_rss_mib(self):
        try:
            for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        except OSError:
            pass
        return float("nan")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


# ----- the bench ------------------------------------------------------------------------


class Bench:
    def __init__(self, a):
        self.a = a
        self.fig = {}  # figures for the table
        self.setup_times = []  # (step, seconds, note)
        self.checks = []  # (name, ok, detail)
        self.bugs = []

    def check(self, name, ok, detail=""):
        self.checks.append((name, bool(ok), detail))
        log(f"  check: {name}: {'ok' if ok else 'FAILED'}{(' — ' + detail) if detail else ''}")
        return ok

    def step(self, name, fn, note=""):
        t = time.perf_counter()
        out = fn()
        s = time.perf_counter() - t
        self.setup_times.append((name, s, note(out) if callable(note) else note))
        log(f"  {name}: {s:.1f} s{(' — ' + self.setup_times[-1][2]) if self.setup_times[-1][2] else ''}")
        return out

    def db(self):
        return sqlite3.connect(f"file:{self.data / 'gongjiang.db'}", uri=True, timeout=30)

    def run(self):
        a = self.a
        work = self.work
        self.data = work / "data"
        binary = work / "gongjiang"
        shutil.copy2(a.bin, binary)
        self.bin_mtime = dt.datetime.fromtimestamp(binary.stat().st_mtime).strftime("%Y-%m-%d %H:%M")
        self.fig["load_start"] = loadavg()
        n_workers = max(a.entrants, a.promotions)
        log(f"work directory {work}; binary {a.bin} (copied)")
        log("setup")
        t_setup = time.perf_counter()
        env = dict(os.environ, GONGJIANG_LOG="warn")
        self.step(
            "demo dataset (CLI)",
            lambda: subprocess.run(
                [str(binary), "--data-dir", str(self.data), "demo"], check=True, env=env, capture_output=True
            ),
        )
        con = self.db()
        usccs = [
            r[0]
            for r in con.execute(
                "SELECT uscc FROM orgs WHERE kind = 'enterprise' AND region_l2 = ? AND uscc IS NOT NULL ORDER BY id",
                (ENTRANT_DISTRICT,),
            )
        ]
        con.close()
        if not usccs:
            raise RuntimeError(f"no enterprise of {ENTRANT_DISTRICT} in the demo")
        # The demo's own 身份证号, so that none of ours collides with one.
        demo_csv = work / "demo-workers.csv"
        subprocess.run(
            [str(binary), "--data-dir", str(self.data), "export", "workers", "-o", str(demo_csv)],
            check=True,
            env=env,
            capture_output=True,
        )
        with open(demo_csv, encoding="utf-8-sig") as f:
            taken = {row[1] for row in csv.reader(f)}
        csv_path = work / f"workers-{n_workers}.csv"
        self.idns = write_workers(csv_path, n_workers, usccs, taken)
        self.step(
            f"import {n_workers:,} workers (CLI)",
            lambda: subprocess.run(
                [str(binary), "--data-dir", str(self.data), "import", "workers", str(csv_path)],
                check=True,
                env=env,
                capture_output=True,
            ),
            note=f"{len(usccs)} enterprises of {ENTRANT_DISTRICT}",
        )
        con = self.db()
        n = con.execute("SELECT COUNT(*) FROM workers WHERE occupation = ?", (OCCUPATION,)).fetchone()[0]
        con.close()
        if n < n_workers:
            raise RuntimeError(f"{n} workers of {OCCUPATION} after the import, {n_workers} expected")
        self.server = self.step(
            "server start",
            lambda: Server(str(binary), self.data, a.port, work / "server.log"),
        )
        port = a.port
        self.rec = Recorder()
        self.city = Client(port, login(port, "city"))
        self.admin = Client(port, login(port, "admin"))
        self.renshe = Client(port, login(port, "renshe"))
        year = dt.date.today().year
        self.year = year
        organiser = self.city.ok("GET", "/api/v1/orgs?kind=member_unit")["items"][0]["id"]

        def plan():
            c = self.city.ok(
                "POST",
                "/api/v1/contests",
                {
                    "code": f"BENCH-{year}-{random.randrange(10**6):06d}",
                    "name": f"{OCCUPATION}职业技能竞赛（压力测试）",
                    "level": "市级",
                    "year": year,
                    "occupation": OCCUPATION,
                    "organiser": str(organiser),
                    "starts_on": f"{year}-05-01",
                    "ends_on": f"{year}-05-03",
                    "first_prizes": 3,
                    "second_prizes": 6,
                    "third_prizes": 9,
                    "merit_prizes": 20,
                    "honour_top": 10,
                    "medal_top": 3,
                    "promote_top": a.entrants,
                },
            )
            cid = c["id"]
            c = self.city.ok("POST", f"/api/v1/contests/{cid}/submit", {})
            self.admin.ok("POST", f"/api/v1/cases/{c['plan_case_id']}/actions", {"action": "accept"})
            c = self.city.ok("GET", f"/api/v1/contests/{cid}")
            if c["status"] != "open":
                raise RuntimeError(f"contest not open after the plan's approval: {c['status']}")
            aspects = self.city.ok("PUT", f"/api/v1/contests/{cid}/scheme", {"publish": True, "aspects": SCHEME})
            return cid, aspects

        self.cid, self.aspects = self.step("contest planned, approved, scheme published", plan)
        cid = self.cid
        base = f"/api/v1/contests/{cid}"

        # Entries: by the city, a few clients at once.
        entrants = self.idns[: a.entrants]
        self.entries = [None] * a.entrants
        ent_clients = [Client(port, self.city.token, self.rec) for _ in range(a.clients)]

        def enter(i, k):
            v = ent_clients[i].ok("POST", f"{base}/entries", {"worker": entrants[k]}, want=(201,), kind="entry")
            self.entries[k] = v["id"]

        t = time.perf_counter()
        run_parallel(a.clients, range(a.entrants), enter)
        s = time.perf_counter() - t
        lat = [r[2] for r in self.rec.of({"entry"})]
        self.fig["entries"] = (a.entrants, s, lat)
        note = f"{a.entrants / s:,.0f} entries/s, {a.clients} clients, p50 {pct(lat, 50) * 1000:.0f} ms, p99 {pct(lat, 99) * 1000:.0f} ms"
        self.setup_times.append((f"{a.entrants:,} entries", s, note))
        log(f"  {a.entrants:,} entries: {s:.1f} s — {note}")

        # The panel.
        def panel():
            judges = []
            for j in range(a.judges):
                u = f"benchjudge{j + 1:02d}"
                self.admin.ok(
                    "POST",
                    "/api/v1/users",
                    {
                        "username": u,
                        "display_name": f"评委{j + 1:02d}",
                        "role": "expert",
                        "org": JUDGE_DISTRICT,
                        "password": JUDGE_PASSWORD,
                    },
                    want=(201,),
                )
                jv = self.city.ok("POST", f"{base}/judges", {"username": u}, want=(201,))
                if jv["recusals"] != 0:
                    raise RuntimeError(f"{u} is recused from {jv['recusals']} entrants")
                tok = login(port, u, JUDGE_PASSWORD)
                judges.append({"username": u, "user_id": jv["user_id"], "token": tok})
            return judges

        self.judges = self.step(f"{a.judges} judges (accounts, panel, login)", panel)
        self.fig["setup_s"] = time.perf_counter() - t_setup
        log(f"setup done in {self.fig['setup_s']:.1f} s")

        self.score()
        ok = self.verify()
        if a.promotions > 0:
            self.promote()
        else:
            log("promotions skipped (--promotions 0)")
            self.lock_and_probe()
        self.fig["server_peak_rss_mib"] = self.server.peak_rss_mib()
        self.fig["load_end"] = loadavg()
        return ok

    # ----- 2. under load ------------------------------------------------------------------

    def plan_marks(self):
        """Per judge: its list of tasks; the expected final marks."""
        rng = random.Random(2024)
        J = len(self.judges)
        judged = [x for x in self.aspects if x["kind"] == "judgement"]
        measured = [x for x in self.aspects if x["kind"] == "measurement"]
        tasks = [[] for _ in range(J)]
        expected = {}  # (entry, aspect, judge_user_id or 0) -> value
        paper_people = {}  # (entry, aspect) -> (enterer uid, confirmer uid)
        confirms_due = [0] * J
        rr = 0
        for k, e in enumerate(self.entries):
            for asp in judged:
                base = rng.choice((0, 1, 2))
                for d in range(3):
                    j = (rr + d) % J
                    v = base + rng.choice((0, 1))
                    tasks[j].append(("score", e, asp["id"], v))
                    if rng.random() < 0.05:
                        # Re-scored later: the second value replaces the first.
                        v2 = base + (1 - (v - base))
                        tasks[j].append(("rescore", e, asp["id"], v2))
                        v = v2
                    expected[(e, asp["id"], self.judges[j]["user_id"])] = float(v)
                rr += 3
            for m, asp in enumerate(measured):
                j = (k * len(measured) + m) % J
                c = (j + 1 + k % (J - 1)) % J  # never j
                mx = asp["max_mark"]
                v = round(rng.uniform(0.55 * mx, mx) * 2) / 2  # half marks
                corrected = rng.random() < 0.05
                if corrected:
                    v0 = max(0.0, v - 1.0)
                    tasks[j].append(("paper", e, asp["id"], v0, c, False))
                tasks[j].append(("paper", e, asp["id"], v, c, True))
                confirms_due[c] += 1
                expected[(e, asp["id"], 0)] = float(v)
                paper_people[(e, asp["id"])] = (self.judges[j]["user_id"], self.judges[c]["user_id"])
        for j in range(J):
            # Each judge works through its cells in its own order; a re-score goes
            # somewhere after the first score, a paper correction is sent right before
            # the final value (both by the same judge, in order).
            first = [t for t in tasks[j] if t[0] == "score" or (t[0] == "paper")]
            later = [t for t in tasks[j] if t[0] == "rescore"]
            # keep paper pairs (correction, final) adjacent: group by (entry, aspect)
            groups = defaultdict(list)
            order = []
            for t in first:
                key = (t[0] == "paper", t[1], t[2])
                if key not in groups:
                    order.append(key)
                groups[key].append(t)
            rng.shuffle(order)
            seq = [t for key in order for t in groups[key]]
            for t in later:
                pos = next(i for i, x in enumerate(seq) if x[0] == "score" and x[1:3] == t[1:3])
                seq.insert(rng.randint(pos + 1, len(seq)), t)
            tasks[j] = seq
        return tasks, expected, paper_people, confirms_due

    def score(self):
        a = self.a
        port = a.port
        base = f"/api/v1/contests/{self.cid}"
        tasks, self.expected, self.paper_people, confirms_due = self.plan_marks()
        J = len(self.judges)
        inbox = [queue.Queue() for _ in range(J)]
        rec = Recorder()
        self.score_rec = rec
        n_requests = sum(len(t) for t in tasks) + sum(confirms_due)
        log(
            f"under load: {J} judges, {n_requests:,} requests "
            f"({sum(1 for t in tasks for x in t if x[0] in ('score', 'rescore')):,} scores of which "
            f"{sum(1 for t in tasks for x in t if x[0] == 'rescore'):,} re-scores, "
            f"{sum(1 for t in tasks for x in t if x[0] == 'paper'):,} paper marks, {sum(confirms_due):,} confirmations), "
            f"{len(self.expected):,} distinct marks expected"
        )
        stop = threading.Event()
        polls = []  # (t, seconds, status, complete)

        def poller():
            c = Client(port, self.city.token)
            while not stop.is_set():
                t0 = time.perf_counter()
                s, v = c.call("GET", f"{base}/ranking")
                d = time.perf_counter() - t0
                polls.append((t0, d, s, v.get("complete") if isinstance(v, dict) else None))
                stop.wait(max(0.0, 1.0 - d))

        failures = []

        def judge(j):
            c = Client(port, self.judges[j]["token"], rec)
            done_confirms = 0

            def confirm_one(block):
                nonlocal done_confirms
                try:
                    item = inbox[j].get(block=block, timeout=120 if block else None)
                except queue.Empty:
                    return False
                done_confirms += 1
                if item is None:  # the enterer failed: nothing to confirm
                    return True
                s, v = c.call("POST", f"{base}/marks/{item}/confirm", {}, kind="confirm")
                if s != 200:
                    failures.append(("confirm", item, s, v))
                return True

            for t in tasks[j]:
                while confirm_one(False):
                    pass
                if t[0] in ("score", "rescore"):
                    s, v = c.call("POST", f"{base}/marks", {"entry": t[1], "aspect": t[2], "value": t[3]}, kind=t[0])
                    if s != 200:
                        failures.append((t, s, v))
                else:
                    _, e, asp, v, conf, final = t
                    s, body = c.call("POST", f"{base}/marks", {"entry": e, "aspect": asp, "value": v}, kind="paper")
                    if s != 200:
                        failures.append((t, s, body))
                    if final:
                        inbox[conf].put(body["id"] if s == 200 else None)
            while done_confirms < confirms_due[j]:
                if not confirm_one(True):
                    failures.append(("confirm wait timed out", j))
                    break

        cpu0 = self.server.cpu_seconds()
        ru0 = resource.getrusage(resource.RUSAGE_SELF)
        pt = threading.Thread(target=poller)
        pt.start()
        threads = [threading.Thread(target=judge, args=(j,)) for j in range(J)]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - t0
        stop.set()
        pt.join()
        cpu = self.server.cpu_seconds() - cpu0
        ru1 = resource.getrusage(resource.RUSAGE_SELF)
        client_cpu = (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)
        self.fig["score"] = {
            "wall": wall,
            "cpu": cpu,
            "client_cpu": client_cpu,
            "polls": polls,
            "failures": failures,
            "n_requests": n_requests,
        }
        log(f"  scoring done in {wall:.1f} s ({n_requests / wall:,.0f} requests/s, server CPU {cpu:.0f} s)")
        if failures:
            log(f"  {len(failures)} failed requests, first: {str(failures[0])[:500]}")

    # ----- 3. checks ----------------------------------------------------------------------

    def verify(self):
        base = f"/api/v1/contests/{self.cid}"
        t = time.perf_counter()
        marks = self.city.ok("GET", f"{base}/marks")
        self.fig["marks_read_s"] = time.perf_counter() - t
        keys = Counter((m["entry_id"], m["aspect_id"], m["judge_id"]) for m in marks)
        dup = [k for k, n in keys.items() if n > 1]
        self.check("one row per (entry, aspect, judge)", not dup, f"{len(dup)} keys twice" if dup else "")
        self.check(
            "GET /marks count == distinct marks expected",
            len(marks) == len(self.expected),
            f"{len(marks):,} rows, {len(self.expected):,} expected",
        )
        got = {(m["entry_id"], m["aspect_id"], m["judge_id"]): m for m in marks}
        missing = [k for k in self.expected if k not in got]
        extra = [k for k in got if k not in self.expected]
        wrong = [k for k, v in self.expected.items() if k in got and abs(got[k]["value"] - v) > 1e-9]
        self.check(
            "every mark is the value posted last",
            not missing and not extra and not wrong,
            f"missing {len(missing)}, unexpected {len(extra)}, other value {len(wrong)}"
            + (f"; e.g. {wrong[0]}: {got[wrong[0]]['value']} ≠ {self.expected[wrong[0]]}" if wrong else ""),
        )
        people = [
            k
            for k, (en, co) in self.paper_people.items()
            if (k[0], k[1], 0) in got
            and (got[(k[0], k[1], 0)]["entered_by"] != en or got[(k[0], k[1], 0)]["confirmed_by"] != co)
        ]
        self.check("paper marks entered and confirmed by the right two people", not people, f"{len(people)} differ")
        aspects = self.city.ok("GET", f"{base}/scheme")
        t = time.perf_counter()
        r = self.city.ok("GET", f"{base}/ranking")
        self.fig["ranking_final_s"] = time.perf_counter() - t
        mine = recompute(aspects, self.entries, marks)
        theirs = r["standings"]
        diff = []
        for x, y in zip(mine, theirs):
            if x["entry_id"] != y["entry_id"] or x["rank"] != y["rank"] or abs(x["total"] - y["total"]) > 0.005:
                diff.append((x, {k: y[k] for k in ("entry_id", "rank", "total")}))
        self.check(
            "/ranking equals the recomputation (order, ranks, totals to 0.01)",
            len(mine) == len(theirs) and not diff,
            f"{len(theirs)} standings" + (f"; {len(diff)} differ, first {diff[0]}" if diff else ""),
        )
        self.check(
            "every entrant complete, nothing flagged",
            r["complete"] == len(self.entries) and r["flagged"] == 0,
            f"complete {r['complete']}, flagged {r['flagged']}",
        )
        ties = len(theirs) - len({s["rank"] for s in theirs})
        self.fig["ties"] = ties
        # A fourth judge on a full cell: 422, nothing written.
        judged = [x["id"] for x in aspects if x["kind"] == "judgement"]
        byj = {j["user_id"]: j for j in self.judges}
        refused, probes = 0, 0
        for e in self.entries[:10]:
            scored = {k[2] for k in self.expected if k[0] == e and k[1] == judged[0] and k[2]}
            other = next(j for uid, j in byj.items() if uid not in scored)
            s, _ = Client(self.a.port, other["token"]).call(
                "POST", f"{base}/marks", {"entry": e, "aspect": judged[0], "value": 2}
            )
            probes += 1
            refused += s == 422
        after = self.city.ok("GET", f"{base}/marks")
        self.check(
            "a fourth judge on a full cell is refused (422), nothing written",
            refused == probes and len(after) == len(marks),
            f"{refused}/{probes} refused, {len(after) - len(marks)} rows added",
        )
        self.race_probes()
        return all(ok for _, ok, _ in self.checks)

    def race_probes(self):
        """Races on a second, small contest (not timed): many judges scoring one empty
        cell at the same instant, one judge twice at once, two people confirming one
        paper mark at once. Three scores per cell and one confirmation, whatever the
        interleaving."""
        a = self.a
        port = a.port
        n_entries, n_judges = min(20, len(self.entries)), min(8, len(self.judges))
        c = self.city.ok(
            "POST",
            "/api/v1/contests",
            {
                "code": f"BENCH-RACE-{self.year}-{random.randrange(10**6):06d}",
                "name": f"{OCCUPATION}竞赛（并发探针）",
                "level": "市级",
                "year": self.year,
                "occupation": OCCUPATION,
                "organiser": self.city.ok("GET", "/api/v1/orgs?kind=member_unit")["items"][0]["id"].__str__(),
                "starts_on": f"{self.year}-06-01",
                "ends_on": f"{self.year}-06-02",
                "first_prizes": 1,
                "second_prizes": 0,
                "third_prizes": 0,
                "honour_top": 0,
                "medal_top": 0,
                "promote_top": 0,
            },
            want=(201,),
        )
        cid = c["id"]
        base = f"/api/v1/contests/{cid}"
        c = self.city.ok("POST", f"{base}/submit", {})
        self.admin.ok("POST", f"/api/v1/cases/{c['plan_case_id']}/actions", {"action": "accept"})
        aspects = self.city.ok("PUT", f"{base}/scheme", {"publish": True, "aspects": SCHEME})
        judged = next(x["id"] for x in aspects if x["kind"] == "judgement")
        measured = next(x["id"] for x in aspects if x["kind"] == "measurement")
        entries = [
            self.city.ok("POST", f"{base}/entries", {"worker": w}, want=(201,))["id"] for w in self.idns[:n_entries]
        ]
        for j in self.judges[:n_judges]:
            self.city.ok("POST", f"{base}/judges", {"username": j["username"]}, want=(201,))
        # One client per racer, connected before the start.
        racers = [(j["user_id"], Client(port, j["token"])) for j in self.judges[:n_judges]]
        racers.append((self.judges[0]["user_id"], Client(port, self.judges[0]["token"])))  # the same judge twice
        for _, cl in racers:
            cl.call("GET", f"{base}/scheme")

        def race(calls):
            barrier = threading.Barrier(len(calls))
            out = [None] * len(calls)

            def go(i):
                cl, path, body = calls[i]
                barrier.wait()
                out[i] = cl.call("POST", path, body)[0]

            ts = [threading.Thread(target=go, args=(i,)) for i in range(len(calls))]
            for t in ts:
                t.start()
            for t in ts:
                t.join()
            return out

        statuses = Counter()
        bad_cells = []
        for e in entries:
            out = race([(cl, f"{base}/marks", {"entry": e, "aspect": judged, "value": 2}) for _, cl in racers])
            statuses.update(out)
            winners = {racers[i][0] for i, s in enumerate(out) if s == 200}
            rows = [m for m in self.city.ok("GET", f"{base}/marks") if m["entry_id"] == e and m["aspect_id"] == judged]
            if len(rows) != 3 or {m["judge_id"] for m in rows} != winners or any(s not in (200, 422) for s in out):
                bad_cells.append((e, out, [(m["judge_id"], m["value"]) for m in rows]))
        self.check(
            f"race: {len(racers)} posts on one empty cell at once (one judge twice) keep three scores, the rest 422",
            not bad_cells,
            f"{n_entries} cells, statuses {dict(statuses)}" + (f"; first bad {bad_cells[0]}" if bad_cells else ""),
        )
        statuses = Counter()
        bad = []
        for k, e in enumerate(entries):
            m = Client(port, self.judges[0]["token"]).ok(
                "POST", f"{base}/marks", {"entry": e, "aspect": measured, "value": 40}
            )
            pair = [racers[1 + k % (n_judges - 1)], racers[1 + (k + 1) % (n_judges - 1)]]
            out = race([(cl, f"{base}/marks/{m['id']}/confirm", {}) for _, cl in pair])
            statuses.update(out)
            row = next(x for x in self.city.ok("GET", f"{base}/marks") if x["id"] == m["id"])
            won = [pair[i][0] for i, s in enumerate(out) if s == 200]
            if len(won) != 1 or row["confirmed_by"] != won[0] or any(s not in (200, 409, 422) for s in out):
                bad.append((e, out, row))
        self.check(
            "race: two people confirming one paper mark at once: exactly one confirmation",
            not bad,
            f"{n_entries} marks, statuses {dict(statuses)}" + (f"; first bad {bad[0]}" if bad else ""),
        )

    def lock_and_probe(self):
        base = f"/api/v1/contests/{self.cid}"
        t = time.perf_counter()
        s, v = self.city.call("POST", f"{base}/lock", {})
        self.fig["lock_s"] = time.perf_counter() - t
        self.check("lock succeeds", s == 200 and v.get("status") == "locked", f"{s} {str(v)[:200] if s != 200 else ''}")
        j = self.judges[0]
        e = self.entries[0]
        asp = next(x["id"] for x in self.aspects if x["kind"] == "judgement")
        s, _ = Client(self.a.port, j["token"]).call("POST", f"{base}/marks", {"entry": e, "aspect": asp, "value": 1})
        self.check("a mark after the lock is refused (409)", s == 409, str(s))

    # ----- 4. promotions ------------------------------------------------------------------

    def promote(self):
        a = self.a
        base = f"/api/v1/contests/{self.cid}"
        self.lock_and_probe()
        log("promotions")
        t = time.perf_counter()
        c = self.city.ok("POST", f"{base}/publish", {})
        self.fig["publish_s"] = time.perf_counter() - t
        log(f"  publish (results on notice, {a.entrants:,} results): {self.fig['publish_s']:.1f} s")
        case = c["results_case_id"]
        con = self.db()
        with con:
            n = con.execute(
                "UPDATE wf_cases SET due_at = ? WHERE id = ? AND status = 'notice'", (int(time.time() * 1000) - 60_000, case)
            ).rowcount
        con.close()
        if n != 1:
            raise RuntimeError(f"results case {case} is not on notice")
        t = time.perf_counter()
        self.admin.ok("POST", f"/api/v1/cases/{case}/actions", {"action": "accept"})
        self.fig["results_accept_s"] = time.perf_counter() - t
        log(f"  results accepted (opens {a.entrants:,} promotion cases in one transaction): {self.fig['results_accept_s']:.1f} s")
        results = self.city.ok("GET", f"{base}/results")
        ids = [r["promotion_case_id"] for r in results if r.get("promotion_case_id")]
        self.check("one promotion case per entrant", len(ids) == a.entrants, f"{len(ids)}")
        # The rest from training: classes of 500, completions with a certificate.
        rest = self.idns[a.entrants : a.promotions]
        self.fig["training_n"] = len(rest)
        if rest:
            college = self.city.ok("GET", "/api/v1/orgs?kind=college")["items"][0]["id"]
            rec = Recorder()
            clients = [Client(a.port, self.city.token, rec) for _ in range(a.clients)]
            classes = []
            for k in range(0, len(rest), 500):
                cl = self.city.ok(
                    "POST",
                    "/api/v1/classes",
                    {
                        "code": f"BENCH-{self.year}-{k // 500 + 1:03d}",
                        "name": f"{OCCUPATION}技能提升培训班（第{k // 500 + 1}期）",
                        "type": "技能提升",
                        "provider": str(college),
                        "occupation": OCCUPATION,
                        "target_level": "中级工",
                        "year": self.year,
                        "starts_on": f"{self.year}-03-01",
                        "ends_on": f"{self.year}-12-31",
                        "trainees": min(500, len(rest) - k),
                        "completed": 0,
                    },
                    want=(201,),
                )
                classes.append(cl["id"])
            cases = [None] * len(rest)

            def train(i, k):
                cl = classes[k // 500]
                tr = clients[i].ok(
                    "POST", f"/api/v1/classes/{cl}/trainees", {"worker": rest[k]}, want=(201,), kind="enrol"
                )
                done = clients[i].ok(
                    "POST",
                    f"/api/v1/classes/{cl}/trainees/{tr['id']}/complete",
                    {"certified_level": "中级工", "certificate_no": f"BENCH-{self.year}-{k:06d}"},
                    kind="complete",
                )
                cases[k] = done.get("promotion_case_id")

            t = time.perf_counter()
            run_parallel(a.clients, range(len(rest)), train)
            s = time.perf_counter() - t
            self.fig["training"] = (len(rest), s, rec)
            log(f"  {len(rest):,} enrolments + completions with a certificate: {s:.1f} s ({len(rest) / s:,.0f} trainees/s)")
            self.check("one promotion case per completion", all(cases), f"{sum(1 for x in cases if x)}")
            ids += [x for x in cases if x]
        # In bulk, as 人社.
        con = self.db()
        levels_before = dict(
            con.execute("SELECT skill_level, COUNT(*) FROM workers WHERE occupation = ? GROUP BY skill_level", (OCCUPATION,)).fetchall()
        )
        con.close()
        log(f"  bulk accept of {len(ids):,} promotion cases as renshe …")
        cpu0 = self.server.cpu_seconds()
        t = time.perf_counter()
        job = self.renshe.ok("POST", "/api/v1/cases/bulk", {"ids": ids, "action": "accept"}, want=(202,))
        started = time.perf_counter() - t
        progress = []
        while True:
            j = self.renshe.ok("GET", f"/api/v1/cases/bulk/{job['id']}")
            progress.append((time.perf_counter() - t, j["done"]))
            if j["status"] != "running":
                break
            time.sleep(0.5)
        wall = time.perf_counter() - t
        cpu = self.server.cpu_seconds() - cpu0
        self.fig["bulk"] = {"n": len(ids), "wall": wall, "start": started, "job": j, "cpu": cpu}
        log(f"  bulk: {j['status']}, {j['succeeded']:,} accepted, {j['skipped']:,} skipped in {wall:.1f} s ({len(ids) / wall:,.0f} cases/s)")
        self.check(
            "bulk: every promotion accepted",
            j["status"] == "done" and j["succeeded"] == len(ids) and j["skipped"] == 0,
            f"{j['status']}, {j['succeeded']} accepted, {j['skipped']} skipped",
        )
        con = self.db()
        qs = ",".join("?" * len(ids))
        statuses = dict(con.execute(f"SELECT status, COUNT(*) FROM wf_cases WHERE id IN ({qs}) GROUP BY status", ids).fetchall())
        levels = dict(
            con.execute("SELECT skill_level, COUNT(*) FROM workers WHERE occupation = ? GROUP BY skill_level", (OCCUPATION,)).fetchall()
        )
        con.close()
        self.check(
            "cases approved and workers one level up",
            statuses == {"approved": len(ids)}
            and levels.get("intermediate", 0) - levels_before.get("intermediate", 0) == len(ids),
            f"cases {statuses}; levels of {OCCUPATION} before {levels_before}, after {levels}",
        )


# ----- report ----------------------------------------------------------------------------


def ms(x):
    return f"{x * 1000:,.0f} ms" if x >= 0.1 else f"{x * 1000:.1f} ms"


def report(b):
    a = b.a
    f = b.fig
    rows = []
    log("")
    log(
        f"Contests under load — {a.entrants:,} entrants, {len(b.judges)} judges; "
        f"{os.cpu_count()} cores, binary {a.bin} (built {b.bin_mtime}), SQLite"
    )
    log("")
    log("setup (not under load)")
    for name, s, note in b.setup_times:
        log(f"  {name:<48} {s:7.1f} s  {note}")
    log(f"  {'total':<48} {f['setup_s']:7.1f} s")
    sc = f["score"]
    rec = b.score_rec
    log("")
    log(f"scoring: {len(b.judges)} judges at once, {sc['wall']:.1f} s wall; CPU: server {sc['cpu']:.0f} s "
        f"({sc['cpu'] / sc['wall'] * 100:.0f} % of one core), this client {sc['client_cpu']:.0f} s "
        f"({sc['client_cpu'] / sc['wall'] * 100:.0f} %)")
    hdr = f"  {'request':<34} {'n':>7} {'per s':>7} {'p50':>9} {'p99':>9} {'max':>9}  statuses"
    log(hdr)
    kinds = [
        ("POST /marks score", {"score"}),
        ("POST /marks re-score", {"rescore"}),
        ("POST /marks paper mark", {"paper"}),
        ("POST /marks/{id}/confirm", {"confirm"}),
        ("all marking requests", {"score", "rescore", "paper", "confirm"}),
    ]
    for label, ks in kinds:
        rs = rec.of(ks)
        lat = [r[2] for r in rs]
        st = Counter(r[1] for r in rs)
        line = (
            f"  {label:<34} {len(rs):>7,} {len(rs) / sc['wall']:>7,.0f} {ms(pct(lat, 50)):>9} {ms(pct(lat, 99)):>9} "
            f"{ms(max(lat) if lat else 0):>9}  {dict(sorted(st.items()))}"
        )
        log(line)
        rows.append((label, len(rs), len(rs) / sc["wall"], pct(lat, 50), pct(lat, 99), max(lat) if lat else 0, st))
    f["score_rows"] = rows
    log(f"  distinct marks kept: {len(b.expected):,} → {len(b.expected) / sc['wall']:,.0f} marks/s")
    pl = [p[1] for p in sc["polls"]]
    pst = Counter(p[2] for p in sc["polls"])
    log(
        f"  GET /ranking every second during scoring: {len(pl)} reads, p50 {ms(pct(pl, 50))}, p99 {ms(pct(pl, 99))}, "
        f"max {ms(max(pl) if pl else 0)}, statuses {dict(pst)}"
    )
    log(f"  after scoring: GET /marks ({len(b.expected):,} rows) {ms(f['marks_read_s'])}, GET /ranking {ms(f['ranking_final_s'])}, "
        f"lock {ms(f['lock_s'])}; {f['ties']} places shared (ties)")
    for k, s, body in rec.errors[:6]:
        log(f"  error sample: {k} {s}: {body}")
    if a.promotions > 0:
        log("")
        log("promotions")
        log(f"  publish ({a.entrants:,} provisional results)          {f['publish_s']:7.1f} s")
        log(f"  results accepted → {a.entrants:,} contest_promotion cases {f['results_accept_s']:7.1f} s")
        if f.get("training_n"):
            n, s, trec = f["training"]
            lat_e = [r[2] for r in trec.of({"enrol"})]
            lat_c = [r[2] for r in trec.of({"complete"})]
            log(f"  {n:,} trainees enrolled + completed ({a.clients} clients)   {s:7.1f} s  "
                f"({n / s:,.0f}/s; enrol p50 {ms(pct(lat_e, 50))}, complete p50 {ms(pct(lat_c, 50))}, p99 {ms(pct(lat_c, 99))})")
        bu = f["bulk"]
        log(f"  bulk accept of {bu['n']:,} cases as renshe                {bu['wall']:7.1f} s  "
            f"({bu['n'] / bu['wall']:,.0f} cases/s; POST answered in {ms(bu['start'])}; server CPU {bu['cpu']:.0f} s)")
    log(f"  server peak RSS {f['server_peak_rss_mib']:.0f} MiB; load average at start {f['load_start']}, at end {f['load_end']}; "
        f"client reconnections {RETRIES[0]}")
    log("")
    failed = [c for c in b.checks if not c[1]]
    log(f"checks: {len(b.checks) - len(failed)}/{len(b.checks)} passed")
    for name, ok, detail in b.checks:
        log(f"  [{'ok' if ok else 'FAIL'}] {name}{(' — ' + detail) if detail else ''}")
    return not failed


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--entrants", type=int, default=2000)
    p.add_argument("--judges", type=int, default=40)
    p.add_argument("--promotions", type=int, default=5000, help="promotion cases approved in bulk (0: skip)")
    p.add_argument("--bin", default=str(ROOT / "target/debug/gongjiang"))
    p.add_argument("--work", help="work directory (default: a new temporary one)")
    p.add_argument("--keep", action="store_true", help="keep the work directory (data, server log)")
    p.add_argument("--port", type=int, default=18093)
    p.add_argument("--clients", type=int, default=4, help="concurrent clients for entries and completions")
    a = p.parse_args()
    if a.judges < 4:
        sys.exit("--judges: at least 4 (three per cell and a fourth for the refusal check)")
    if a.promotions and a.promotions < a.entrants:
        sys.exit("--promotions: at least --entrants (every entrant is promoted), or 0")
    if not Path(a.bin).exists():
        sys.exit(f"no binary at {a.bin}")
    work = Path(a.work) if a.work else Path(tempfile.mkdtemp(prefix="gj-bench-contests-"))
    if a.work and work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True, exist_ok=True)
    b = Bench(a)
    b.work = work
    ok = False
    t = time.perf_counter()
    try:
        b.run()
        ok = report(b)
        log(f"whole run {time.perf_counter() - t:.0f} s")
    finally:
        if getattr(b, "server", None):
            b.server.stop()
        if a.keep:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
