//! Subtree queries at 100,000 organisations: the scope filter under every role's view.
//! `cargo bench -p gongjiang-demo --bench subtree` (SQLite); set GONGJIANG_BENCH_PG to a
//! postgres:// URL of an empty, disposable database to measure PostgreSQL too.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use gongjiang_storage::orgs::{self, Filter, Sort};
use gongjiang_storage::service::Service;
use gongjiang_storage::{Db, Scope};
use std::time::{Duration, Instant};

const N: usize = 100_000;

fn stats(mut v: Vec<Duration>) -> (f64, f64) {
    v.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    (
        ms(v[v.len() / 2]),
        ms(v[(v.len() * 95 / 100).min(v.len() - 1)]),
    )
}

async fn run(label: &str, db: Db) {
    db.migrate().await.unwrap();
    let svc = Service::new(db.clone());
    let data = gongjiang_demo::scaled(1, N);
    let t = Instant::now();
    gongjiang_demo::load(&svc, &data, &mut |_, _| {})
        .await
        .unwrap();
    let load = t.elapsed();
    println!(
        "[{label}] loaded {} organisations in {:.1} s ({:.0} rows/s)",
        data.orgs.len(),
        load.as_secs_f64(),
        data.orgs.len() as f64 / load.as_secs_f64()
    );

    // What autovacuum does after a bulk load (SQLite: refresh the planner's statistics).
    match db.backend {
        gongjiang_storage::Backend::Postgres => {
            sqlx::query("VACUUM ANALYZE")
                .execute(&db.pool)
                .await
                .unwrap();
        }
        gongjiang_storage::Backend::Sqlite => {
            sqlx::query("ANALYZE").execute(&db.pool).await.unwrap();
        }
    }
    let mut conn = db.pool.acquire().await.unwrap();
    let park = orgs::list(
        &mut conn,
        &Scope::All,
        &Filter {
            kind: Some("park".into()),
            per_page: 1,
            page: 1,
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .items[0]
        .id;
    let town = sqlx::query_scalar::<_, String>(
        "SELECT code FROM regions WHERE level = 'town' ORDER BY code LIMIT 1",
    )
    .fetch_one(&mut *conn)
    .await
    .unwrap();
    let scopes = [
        ("city 320400", Scope::Region("320400".into())),
        ("district 320412", Scope::Region("320412".into())),
        (
            Box::leak(format!("town {town}").into_boxed_str()) as &str,
            Scope::Region(town.clone()),
        ),
        ("park (org subtree)", Scope::Org(park)),
    ];
    println!("| backend | scope | rows in scope | first page by name (median / p95 ms) | page 50 by update time | name search | count by kind |");
    println!("|---|---|---|---|---|---|---|");
    for (name, scope) in scopes {
        let mut a = Vec::new();
        let mut b = Vec::new();
        let mut c = Vec::new();
        let mut d = Vec::new();
        let mut total = 0;
        for _ in 0..30 {
            let t = Instant::now();
            let p = orgs::list(
                &mut conn,
                &scope,
                &Filter {
                    page: 1,
                    per_page: 20,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
            a.push(t.elapsed());
            total = p.total;
            let t = Instant::now();
            orgs::list(
                &mut conn,
                &scope,
                &Filter {
                    page: 50,
                    per_page: 20,
                    sort: Sort::Updated,
                    desc: true,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
            b.push(t.elapsed());
            let t = Instant::now();
            orgs::list(
                &mut conn,
                &scope,
                &Filter {
                    q: Some("新能源".into()),
                    page: 1,
                    per_page: 20,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
            c.push(t.elapsed());
            let t = Instant::now();
            orgs::count_by_kind(&mut conn, &scope, None).await.unwrap();
            d.push(t.elapsed());
        }
        let (a1, a2) = stats(a);
        let (b1, b2) = stats(b);
        let (c1, c2) = stats(c);
        let (d1, d2) = stats(d);
        println!("| {label} | {name} | {total} | {a1:.1} / {a2:.1} | {b1:.1} / {b2:.1} | {c1:.1} / {c2:.1} | {d1:.1} / {d2:.1} |");
    }
    // A single record through the scope check (what every detail page does).
    let mut v = Vec::new();
    for i in 0..200 {
        let t = Instant::now();
        orgs::get(&mut conn, &Scope::Region("320412".into()), 1000 + i)
            .await
            .unwrap();
        v.push(t.elapsed());
    }
    let (m, p) = stats(v);
    println!("[{label}] one record with a district scope check: median {m:.2} ms, p95 {p:.2} ms");
}

fn main() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let dir = std::env::temp_dir().join(format!("gongjiang-bench-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let db = Db::open_sqlite(&dir.join("bench.db")).await.unwrap();
        run("SQLite", db).await;
        let _ = std::fs::remove_dir_all(&dir);
        if let Ok(url) = std::env::var("GONGJIANG_BENCH_PG") {
            run("PostgreSQL", Db::connect(&url).await.unwrap()).await;
        }
    });
}
