//! The city dashboard's full indicator set over 10,000 organisations × 5 years of
//! reports and a worker registry of 1,000,000: answered from maintained aggregates, so the
//! time does not grow with the rows. Compared, in the same run, with DuckDB computing the
//! same numbers from the raw tables (`bench/duckdb_indicators.py`), and the numbers are
//! checked to agree.
//!
//! `cargo bench -p gongjiang-demo --bench indicators`. Environment:
//! - GONGJIANG_BENCH_WORKERS: registry size in all (default 1,000,000);
//! - GONGJIANG_BENCH_PG=postgres://…/empty_db: PostgreSQL too, after SQLite;
//! - GONGJIANG_BENCH_SKIP_SQLITE=1: PostgreSQL only;
//! - GONGJIANG_BENCH_PERIOD: the period asked for (default 2023);
//! - GONGJIANG_BENCH_PYTHON: the interpreter with `duckdb` installed (default python3);
//!   without one the DuckDB comparison is skipped with a message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use gongjiang_domain::report::{Values, ELEMENTS};
use gongjiang_storage::indicators::Value;
use gongjiang_storage::service::Service;
use gongjiang_storage::{now_ms, Actor, Backend, Db};
use sqlx::{AnyConnection, Row};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const RUNS: usize = 100;
/// Rows per multi-row INSERT of the registry (13 parameters each).
const BATCH: usize = 500;

fn stats(mut v: Vec<Duration>) -> (f64, f64) {
    v.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    (
        ms(v[v.len() / 2]),
        ms(v[(v.len() * 95 / 100).min(v.len() - 1)]),
    )
}

fn city_actor() -> Actor {
    Actor {
        region_code: Some("320400".into()),
        role: gongjiang_domain::Role::City,
        ..Actor::system("city")
    }
}

async fn count(db: &Db, table: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(&db.pool)
        .await
        .unwrap()
}

async fn analyze(db: &Db) {
    let sql = if db.backend == Backend::Postgres {
        "VACUUM ANALYZE"
    } else {
        "ANALYZE"
    };
    sqlx::query(sql).execute(&db.pool).await.unwrap();
}

// ----- the registry fixture -------------------------------------------------------------

const AREAS: [&str; 6] = ["320402", "320404", "320411", "320412", "320413", "320481"];
/// The 新八级工 ladder with a plausible spread (weights out of 100).
const SKILLS: [(&str, u64); 8] = [
    ("apprentice", 10),
    ("junior", 20),
    ("intermediate", 35),
    ("senior", 20),
    ("technician", 9),
    ("senior_technician", 4),
    ("principal", 1),
    ("chief", 1),
];
const OCCUPATIONS: [&str; 6] = ["车工", "钳工", "焊工", "电工", "数控车工", "维修电工"];

fn mix(mut z: u64) -> u64 {
    // splitmix64
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The i-th synthetic 身份证号: distinct for every i below 20 million, and never one of
/// the demo's (the demo's workers are born 1965–2003, these 1955–1964).
fn id_number(i: u64) -> String {
    let area = AREAS[(i % 6) as usize];
    let j = i / 6;
    let year = 1955 + j % 10;
    let r = j / 10;
    let (seq, day, month) = (r % 1000, (r / 1000) % 28 + 1, (r / 28_000) % 12 + 1);
    let first17 = format!("{area}{year}{month:02}{day:02}{seq:03}");
    let c = gongjiang_domain::IdNumber::check_char(&first17).unwrap();
    format!("{first17}{c}")
}

struct NewWorker {
    org_id: i64,
    name: String,
    id_enc: String,
    id_hash: String,
    id_masked: String,
    gender: &'static str,
    birth_year: i64,
    occupation: &'static str,
    skill: &'static str,
    frontline: i64,
}

fn new_worker(svc: &Service, orgs: &[i64], i: u64) -> NewWorker {
    let h = mix(i);
    let id = id_number(i);
    let mut pick = (h >> 40) % 100;
    let mut skill = "intermediate";
    for (s, w) in SKILLS {
        if pick < w {
            skill = s;
            break;
        }
        pick -= w;
    }
    NewWorker {
        org_id: orgs[(h % orgs.len() as u64) as usize],
        name: format!("职工{i}"),
        id_enc: svc.key.encrypt(&id),
        id_hash: svc.key.blind_index(&id),
        id_masked: format!("{}********{}", &id[..6], &id[14..]),
        gender: if (id.as_bytes()[16] - b'0') % 2 == 1 {
            "男"
        } else {
            "女"
        },
        birth_year: id[6..10].parse().unwrap(),
        occupation: OCCUPATIONS[((h >> 20) % OCCUPATIONS.len() as u64) as usize],
        skill,
        frontline: i64::from(!(h >> 8).is_multiple_of(4)),
    }
}

/// `backend` picks the placeholders: numbered `$n` on PostgreSQL, anonymous `?` on SQLite,
/// where sqlx looks each `$n` up by name (`sqlite3_bind_parameter_name`, a linear scan):
/// binding 6,000 numbered parameters costs 18 million steps per statement and was a
/// quarter of the load's time.
async fn insert_workers(conn: &mut AnyConnection, backend: Backend, rows: &[NewWorker], now: i64) {
    const COLS: usize = 12;
    let ph: Vec<String> = (0..rows.len())
        .map(|r| {
            let p: Vec<String> = (1..=COLS)
                .map(|c| match backend {
                    Backend::Postgres => format!("${}", r * COLS + c),
                    Backend::Sqlite => "?".to_string(),
                })
                .collect();
            format!("({})", p.join(", "))
        })
        .collect();
    let sql = format!(
        "INSERT INTO workers (org_id, name, id_enc, id_hash, id_masked, gender, birth_year, \
         occupation, skill_level, frontline, created_at, updated_at) VALUES {}",
        ph.join(", ")
    );
    let mut q = sqlx::query(&sql);
    for w in rows {
        q = q
            .bind(w.org_id)
            .bind(w.name.as_str())
            .bind(w.id_enc.as_str())
            .bind(w.id_hash.as_str())
            .bind(w.id_masked.as_str())
            .bind(w.gender)
            .bind(w.birth_year)
            .bind(w.occupation)
            .bind(w.skill)
            .bind(w.frontline)
            .bind(now)
            .bind(now);
    }
    q.execute(&mut *conn).await.unwrap();
}

/// Adds `n` workers spread over the enterprises with multi-row INSERTs in one
/// transaction, straight into the table (a fixture, not the import path: no per-row
/// validation, no aggregate maintenance — `indicators::rebuild` follows).
/// Returns the time spent making the rows (encryption and keyed hash included) and the
/// time spent in INSERT statements.
async fn load_registry(svc: &Service, orgs: &[i64], n: u64) -> (Duration, Duration) {
    use sqlx::Connection;
    let mut conn = svc.db.pool.acquire().await.unwrap();
    let cache_mb: i64 = std::env::var("GONGJIANG_BENCH_CACHE_MB")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(256);
    if svc.db.backend == Backend::Sqlite && cache_mb > 0 {
        sqlx::query(&format!("PRAGMA cache_size = -{}", cache_mb * 1024))
            .execute(&mut *conn)
            .await
            .unwrap();
    }
    let mut tx = conn.begin().await.unwrap();
    let now = now_ms();
    let mut batch = Vec::with_capacity(BATCH);
    let (mut tg, mut ti) = (Duration::ZERO, Duration::ZERO);
    for i in 0..n {
        let t0 = Instant::now();
        batch.push(new_worker(svc, orgs, i));
        tg += t0.elapsed();
        if batch.len() == BATCH {
            let t0 = Instant::now();
            insert_workers(&mut tx, svc.db.backend, &batch, now).await;
            ti += t0.elapsed();
            batch.clear();
        }
    }
    if !batch.is_empty() {
        insert_workers(&mut tx, svc.db.backend, &batch, now).await;
    }
    tx.commit().await.unwrap();
    if svc.db.backend == Backend::Sqlite {
        // Back to SQLite's default for the rest of the run.
        sqlx::query("PRAGMA cache_size = -2000")
            .execute(&mut *conn)
            .await
            .unwrap();
    }
    (tg, ti)
}

// ----- the comparison with DuckDB ---------------------------------------------------------

/// Writes the result of `sql` (every column cast to text by the query) as CSV.
async fn export_csv(db: &Db, sql: &str, header: &str, path: &Path) -> usize {
    use std::io::Write;
    let rows = sqlx::query(sql).fetch_all(&db.pool).await.unwrap();
    let mut w = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(w, "{header}").unwrap();
    let n = header.split(',').count();
    for r in &rows {
        for i in 0..n {
            if i > 0 {
                w.write_all(b",").unwrap();
            }
            let v: Option<String> = r.try_get(i).unwrap();
            let v = v.unwrap_or_default();
            if v.contains([',', '"', '\n']) {
                write!(w, "\"{}\"", v.replace('"', "\"\"")).unwrap();
            } else {
                w.write_all(v.as_bytes()).unwrap();
            }
        }
        w.write_all(b"\n").unwrap();
    }
    w.flush().unwrap();
    rows.len()
}

/// The raw tables the indicators are computed from (see `indicators::facts`).
async fn export_raw(db: &Db, dir: &Path) {
    let t = |cols: &str| -> String {
        cols.split(',')
            .map(|c| format!("CAST({c} AS TEXT)"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let reports = format!(
        "org_id,period,status,{}",
        ELEMENTS
            .iter()
            .map(|e| e.code)
            .collect::<Vec<_>>()
            .join(",")
    );
    for (file, cols, from) in [
        ("regions", "code,parent_code", "regions"),
        ("orgs", "id,kind,region_code,parent_id", "orgs"),
        ("pilots", "org_id,level,ptype,year", "pilots"),
        ("reports", reports.as_str(), "reports"),
        (
            "designations",
            "dtype,level,year,holder_org_id,holder_worker_id",
            "designations",
        ),
        ("workers", "id,org_id,skill_level,frontline", "workers"),
    ] {
        export_csv(
            db,
            &format!("SELECT {} FROM {from}", t(cols)),
            cols,
            &dir.join(format!("{file}.csv")),
        )
        .await;
    }
}

/// What DuckDB printed: (region, indicator) → (value, numerator, denominator).
type Computed = HashMap<(String, String), (Option<f64>, Option<i64>, Option<i64>)>;

fn agrees(g: &Value, d: &(Option<f64>, Option<i64>, Option<i64>)) -> bool {
    let v = match (g.value, d.0) {
        (None, None) => true,
        (Some(a), Some(b)) => (a - b).abs() <= 1e-9 * a.abs().max(1.0),
        _ => false,
    };
    v && (d.1.is_none() || d.1 == g.numerator) && (d.2.is_none() || d.2 == g.denominator)
}

fn show(v: Option<f64>) -> String {
    match v {
        None => "—".into(),
        Some(x) if x.fract() == 0.0 => format!("{x:.0}"),
        Some(x) => format!("{x:.4}"),
    }
}

async fn compare_with_duckdb(label: &str, svc: &Service, dir: &Path, period: &str) {
    let python = std::env::var("GONGJIANG_BENCH_PYTHON").unwrap_or_else(|_| "python3".into());
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../bench/duckdb_indicators.py");
    let ok = std::process::Command::new(&python)
        .args(["-c", "import duckdb"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        println!("[{label}] DuckDB comparison skipped: `{python} -c 'import duckdb'` fails (pip install duckdb)");
        return;
    }
    let out_dir = dir.join(format!("raw-{}", label.to_lowercase()));
    std::fs::create_dir_all(&out_dir).unwrap();
    let t = Instant::now();
    export_raw(&svc.db, &out_dir).await;
    println!(
        "[{label}] raw tables exported to CSV in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let out = std::process::Command::new(&python)
        .arg(&script)
        .arg(&out_dir)
        .arg(period)
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&out_dir);
    if !out.status.success() {
        println!(
            "[{label}] DuckDB script failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        return;
    }
    let mut computed = Computed::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let f: Vec<&str> = line.split('\t').collect();
        match f.first() {
            Some(&"value") if f.len() == 6 => {
                computed.insert(
                    (f[1].to_string(), f[2].to_string()),
                    (f[3].parse().ok(), f[4].parse().ok(), f[5].parse().ok()),
                );
            }
            Some(&"time") => println!(
                "[{label}] DuckDB {} (median / p95 / min ms over {} runs): {} / {} / {}",
                if f[1] == "total" {
                    "city, every indicator it computes, from the raw tables"
                } else {
                    "city by district (region children only)"
                },
                f[5],
                f[2],
                f[3],
                f[4]
            ),
            Some(_) => println!("[{label}] DuckDB {}", f.join(" ")),
            None => {}
        }
    }
    let city = city_actor();
    let own = svc
        .indicators(&city, "320400", period, false)
        .await
        .unwrap();
    println!(
        "[{label}] city 320400, period {period}: gongjiang (aggregates) vs DuckDB (raw tables)"
    );
    println!("| indicator | gongjiang | DuckDB | agree |");
    println!("|---|---|---|---|");
    // Indicators the script does not compute (added to the catalogue after it was
    // written) are listed, not counted as disagreements.
    let covered = |code: &str| computed.keys().any(|(_, c)| c == code);
    let (mut bad, mut uncovered) = (0, Vec::new());
    for v in &own.values {
        if !covered(v.code) {
            uncovered.push(v.code);
            continue;
        }
        let d = computed.get(&("320400".to_string(), v.code.to_string()));
        let ok = d.is_some_and(|d| agrees(v, d));
        if !ok {
            bad += 1;
        }
        println!(
            "| {} | {} | {} | {} |",
            v.code,
            show(v.value),
            d.map_or("missing".into(), |d| show(d.0)),
            if ok { "yes" } else { "**NO**" }
        );
    }
    if !uncovered.is_empty() {
        println!(
            "[{label}] not computed by bench/duckdb_indicators.py, so not compared: {}",
            uncovered.join(", ")
        );
    }
    let by = svc.indicators(&city, "320400", period, true).await.unwrap();
    let (mut checked, mut regions) = (0, 0);
    for (s, vals) in &by.children {
        if !computed.keys().any(|(g, _)| g == &s.code) {
            continue;
        }
        regions += 1;
        for v in vals.iter().filter(|v| covered(v.code)) {
            checked += 1;
            match computed.get(&(s.code.clone(), v.code.to_string())) {
                Some(d) if agrees(v, d) => {}
                d => {
                    bad += 1;
                    println!(
                        "[{label}] MISMATCH {} {}: gongjiang {} DuckDB {}",
                        s.code,
                        v.code,
                        show(v.value),
                        d.map_or("missing".into(), |d| show(d.0))
                    );
                }
            }
        }
    }
    println!(
        "[{label}] drill-down: {checked} values of {regions} child regions compared; {} in all disagree",
        bad
    );
}

// ----- the run ------------------------------------------------------------------------------

async fn measure(label: &str, svc: &Service, period: &str, what: &[(&str, &str, bool)]) {
    let city = city_actor();
    for (what, key, by_child) in what {
        let mut v = Vec::new();
        for _ in 0..RUNS {
            let t = Instant::now();
            let r = svc.indicators(&city, key, period, *by_child).await.unwrap();
            assert!(r.values.iter().any(|x| x.value.is_some()));
            v.push(t.elapsed());
        }
        let (m, p) = stats(v);
        println!("| {label} | {what} | {m:.2} | {p:.2} |");
    }
}

/// The machine's 1-minute load average (other work on the 2 cores skews the figures).
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(String::from))
        .unwrap_or_else(|| "?".into())
}

async fn run(label: &str, db: Db, workers: u64, period: &str, dir: &Path) {
    let started = Instant::now();
    let all = format!(
        "city, all {} indicators",
        gongjiang_domain::indicators::CATALOGUE.len()
    );
    println!("[{label}] load average at start: {}", load_average());
    db.migrate().await.unwrap();
    let svc = Service::new(db.clone());
    let data = gongjiang_demo::scaled(7, 10_000);
    let t = Instant::now();
    gongjiang_demo::load_seeded(&svc, &data, 7, &mut |_, _| {})
        .await
        .unwrap();
    println!(
        "[{label}] demo structure for {} organisations loaded in {:.1} s ({} workers, {} aggregate rows)",
        data.orgs.len(),
        t.elapsed().as_secs_f64(),
        count(&db, "workers").await,
        count(&db, "agg").await,
    );
    analyze(&db).await;
    measure(
        &format!("{label}, before the bulk load"),
        &svc,
        period,
        &[(all.as_str(), "320400", false)],
    )
    .await;

    // Five years of approved reports for every enterprise (the demo has 2021–2023).
    let t = Instant::now();
    let mut tx = svc.db.begin().await.unwrap();
    let ids: Vec<i64> =
        sqlx::query_scalar::<_, i64>("SELECT id FROM orgs WHERE kind = 'enterprise' ORDER BY id")
            .fetch_all(tx.conn())
            .await
            .unwrap();
    let now = now_ms();
    let mut n = 0;
    for (k, id) in ids.iter().enumerate() {
        for year in ["2019", "2020"] {
            let mut v = Values::new();
            for (i, e) in ELEMENTS.iter().enumerate() {
                v.insert(e.code, ((k * 7 + i * 13) % 900 + 10) as i64);
            }
            v.insert("high_skilled", 5);
            v.insert("frontline_workers", 5);
            v.insert("high_skilled_new", 1);
            gongjiang_storage::reports::insert_with_status(
                tx.conn(),
                *id,
                year,
                "approved",
                None,
                &v,
                now,
            )
            .await
            .unwrap();
            n += 1;
        }
    }
    tx.commit().await.unwrap();
    println!(
        "[{label}] +{n} reports in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    // The registry: multi-row INSERTs up to `workers` in all.
    let before = count(&db, "workers").await as u64;
    let add = workers.saturating_sub(before);
    let t = Instant::now();
    let (tg, ti) = load_registry(&svc, &ids, add).await;
    let secs = t.elapsed().as_secs_f64();
    println!(
        "[{label}] registry: +{add} workers over {} enterprises in {secs:.1} s ({:.0} rows/s, {BATCH} rows per INSERT, one transaction; making the rows {:.1} s, INSERTs {:.1} s)",
        ids.len(),
        add as f64 / secs,
        tg.as_secs_f64(),
        ti.as_secs_f64(),
    );
    analyze(&db).await;

    // The aggregates, recomputed once from every register.
    let t = Instant::now();
    let mut tx = svc.db.begin().await.unwrap();
    gongjiang_storage::indicators::rebuild(tx.conn())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let rebuild = t.elapsed().as_secs_f64();
    analyze(&db).await;
    println!(
        "[{label}] indicators::rebuild in {rebuild:.1} s: {} reports, {} registry workers, {} pilots, {} designations, {} aggregate rows",
        count(&db, "reports").await,
        count(&db, "workers").await,
        count(&db, "pilots").await,
        count(&db, "designations").await,
        count(&db, "agg").await,
    );

    println!(
        "[{label}] load average before the queries: {}",
        load_average()
    );
    println!("| backend | query | median ms | p95 ms |");
    println!("|---|---|---|---|");
    measure(
        label,
        &svc,
        period,
        &[
            (all.as_str(), "320400", false),
            ("city by district (drill-down)", "320400", true),
            ("district 320412 by town", "320412", true),
        ],
    )
    .await;
    compare_with_duckdb(label, &svc, dir, period).await;
    println!(
        "[{label}] whole run {:.0} s",
        started.elapsed().as_secs_f64()
    );
}

fn main() {
    let workers: u64 = std::env::var("GONGJIANG_BENCH_WORKERS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let period = std::env::var("GONGJIANG_BENCH_PERIOD").unwrap_or_else(|_| "2023".into());
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let dir = std::env::temp_dir().join(format!("gongjiang-ibench-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        if std::env::var("GONGJIANG_BENCH_SKIP_SQLITE").is_err() {
            run(
                "SQLite",
                Db::open_sqlite(&dir.join("bench.db")).await.unwrap(),
                workers,
                &period,
                &dir,
            )
            .await;
        }
        if let Ok(url) = std::env::var("GONGJIANG_BENCH_PG") {
            run(
                "PostgreSQL",
                Db::connect(&url).await.unwrap(),
                workers,
                &period,
                &dir,
            )
            .await;
        }
        let _ = std::fs::remove_dir_all(&dir);
    });
}
