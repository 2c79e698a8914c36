//! The city dashboard's full indicator set over 10,000 organisations × 5 years of
//! reports and a large worker registry: answered from maintained aggregates, so the time
//! does not grow with the rows. `cargo bench -p gongjiang-demo --bench indicators`;
//! GONGJIANG_BENCH_WORKERS sets the registry size (default 100,000);
//! GONGJIANG_BENCH_PG=postgres://…/empty_db measures PostgreSQL too.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use gongjiang_domain::report::{Values, ELEMENTS};
use gongjiang_storage::service::Service;
use gongjiang_storage::{now_ms, Actor, Db};
use std::time::{Duration, Instant};

fn stats(mut v: Vec<Duration>) -> (f64, f64) {
    v.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    (
        ms(v[v.len() / 2]),
        ms(v[(v.len() * 95 / 100).min(v.len() - 1)]),
    )
}

async fn run(label: &str, db: Db, workers: usize) {
    db.migrate().await.unwrap();
    let svc = Service::new(db.clone());
    let data = gongjiang_demo::scaled(7, 10_000);
    let t = Instant::now();
    gongjiang_demo::load_seeded(&svc, &data, 7, &mut |_, _| {})
        .await
        .unwrap();
    println!(
        "[{label}] demo structure for {} organisations loaded in {:.1} s",
        data.orgs.len(),
        t.elapsed().as_secs_f64()
    );
    // Five years of approved reports for every enterprise (the demo has 2021–2023).
    let t = Instant::now();
    let mut tx = svc.db.begin().await.unwrap();
    let ids: Vec<i64> =
        sqlx::query_scalar::<_, i64>("SELECT id FROM orgs WHERE kind = 'enterprise'")
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
    let actor = Actor::system("bench");
    let per_org = workers / ids.len().max(1);
    for (k, id) in ids.iter().enumerate() {
        for j in 0..per_org {
            let first17 = format!(
                "320402{:04}{:02}{:02}{:03}",
                1970 + (k % 30),
                1 + (j % 12),
                1 + (k % 28),
                (k * per_org + j) % 1000
            );
            let Some(c) = gongjiang_domain::IdNumber::check_char(&first17) else {
                continue;
            };
            // Unique numbers: vary the sequence through the org and the index.
            let num = format!("{first17}{c}");
            let input = gongjiang_storage::workers::WorkerInput {
                name: Some(format!("职工{k}-{j}")),
                id_number: Some(num),
                org: Some(id.to_string()),
                skill_level: Some(if j % 7 == 0 {
                    "technician".into()
                } else {
                    "intermediate".into()
                }),
                ..Default::default()
            };
            let _ = svc.load_worker(tx.conn(), &actor, &input).await;
        }
    }
    gongjiang_storage::indicators::rebuild(tx.conn())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let regs: i64 = sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM workers")
        .fetch_one(&svc.db.pool)
        .await
        .unwrap();
    let reps: i64 = sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM reports")
        .fetch_one(&svc.db.pool)
        .await
        .unwrap();
    let aggs: i64 = sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM agg")
        .fetch_one(&svc.db.pool)
        .await
        .unwrap();
    println!("[{label}] +{n} reports ({reps} in all), {regs} registry workers, {aggs} aggregate rows; loaded and aggregated in {:.1} s", t.elapsed().as_secs_f64());
    if db.backend == gongjiang_storage::Backend::Postgres {
        sqlx::query("VACUUM ANALYZE")
            .execute(&db.pool)
            .await
            .unwrap();
    } else {
        sqlx::query("ANALYZE").execute(&db.pool).await.unwrap();
    }
    let city = Actor {
        region_code: Some("320400".into()),
        role: gongjiang_domain::Role::City,
        ..Actor::system("city")
    };
    for (what, key, by_child) in [
        ("city, all 16 indicators", "320400", false),
        ("city by district (drill-down)", "320400", true),
        ("district 320412 by town", "320412", true),
    ] {
        let mut v = Vec::new();
        for _ in 0..50 {
            let t = Instant::now();
            let r = svc.indicators(&city, key, "2023", by_child).await.unwrap();
            assert!(r.values.iter().any(|x| x.value.is_some()));
            v.push(t.elapsed());
        }
        let (m, p) = stats(v);
        println!("| {label} | {what} | {m:.2} | {p:.2} |");
    }
}

fn main() {
    let workers: usize = std::env::var("GONGJIANG_BENCH_WORKERS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let dir = std::env::temp_dir().join(format!("gongjiang-ibench-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        run(
            "SQLite",
            Db::open_sqlite(&dir.join("bench.db")).await.unwrap(),
            workers,
        )
        .await;
        let _ = std::fs::remove_dir_all(&dir);
        if let Ok(url) = std::env::var("GONGJIANG_BENCH_PG") {
            run("PostgreSQL", Db::connect(&url).await.unwrap(), workers).await;
        }
    });
}
