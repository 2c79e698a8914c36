//! A bulk approval of 5,000 workflow cases: how long it takes, that a job killed half
//! way resumes, and that nothing is approved twice.
//! `cargo bench -p gongjiang-demo --bench workflow`;
//! GONGJIANG_BENCH_PG=postgres://…/empty_db measures PostgreSQL too.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use gongjiang_domain::Role;
use gongjiang_storage::service::Service;
use gongjiang_storage::workflow::{ActInput, CaseInput};
use gongjiang_storage::{Actor, Db};
use std::time::Instant;

const CASES: usize = 5_000;

async fn run(label: &str, db: Db) {
    db.migrate().await.unwrap();
    let svc = Service::new(db.clone());
    let data = gongjiang_demo::generate(gongjiang_demo::DEFAULT_SEED);
    gongjiang_demo::load(&svc, &data, &mut |_, _| {})
        .await
        .unwrap();
    let mut conn = svc.db.pool.acquire().await.unwrap();
    let orgs: Vec<(i64, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT id, region_l2, region_l3 FROM orgs WHERE kind = 'enterprise' AND region_l2 IS NOT NULL ORDER BY id",
    )
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    drop(conn);
    // 5,000 yearly checks (four years of ~1,250 enterprises) brought to the city's step.
    let t = Instant::now();
    let mut ids = Vec::with_capacity(CASES);
    'outer: for year in ["2020", "2021", "2022", "2023", "2024"] {
        for (org, district, town) in &orgs {
            if ids.len() == CASES {
                break 'outer;
            }
            let unit = Actor {
                role: Role::Unit,
                org_id: Some(*org),
                region_code: None,
                ..Actor::system("bench-unit")
            };
            let c = svc
                .create_case(
                    &unit,
                    &CaseInput {
                        process: "pilot_yearly_check".into(),
                        org: None,
                        data: [("year", year), ("summary", "年度总结")]
                            .iter()
                            .map(|(k, v)| (k.to_string(), v.to_string()))
                            .collect(),
                    },
                )
                .await
                .unwrap();
            let mut steps = vec![(unit.clone(), "submit")];
            if let Some(t) = town {
                steps.push((
                    Actor {
                        role: Role::Town,
                        region_code: Some(t.clone()),
                        ..Actor::system("bench-town")
                    },
                    "accept",
                ));
            }
            steps.push((
                Actor {
                    role: Role::District,
                    region_code: district.clone(),
                    ..Actor::system("bench-district")
                },
                "accept",
            ));
            for (who, a) in steps {
                svc.act(
                    &who,
                    c.id,
                    &ActInput {
                        action: a.into(),
                        ..Default::default()
                    },
                )
                .await
                .unwrap();
            }
            ids.push(c.id);
        }
    }
    println!(
        "[{label}] {} cases brought to the city's step in {:.1} s (create + 3–4 actions each, one transaction per action)",
        ids.len(),
        t.elapsed().as_secs_f64()
    );
    let mut conn = svc.db.pool.acquire().await.unwrap();
    let (user, _) = gongjiang_storage::users::by_username(&mut conn, "city")
        .await
        .unwrap()
        .unwrap();
    drop(conn);
    let city = user.actor("bench");
    // A job killed half way: run it in a task and abort it after a while.
    let job = svc.start_bulk(&city, &ids, "accept", None).await.unwrap();
    let t = Instant::now();
    let svc2 = svc.clone();
    let jid = job.id.clone();
    let h = tokio::spawn(async move { svc2.run_bulk(&jid).await });
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    h.abort();
    let _ = h.await;
    let half = svc.bulk_job(&city, &job.id).await.unwrap();
    println!(
        "[{label}] killed after 3 s: {} of {} saved as done ({} accepted)",
        half.done, half.total, half.succeeded
    );
    svc.run_bulk(&job.id).await.unwrap();
    let done = svc.bulk_job(&city, &job.id).await.unwrap();
    let secs = t.elapsed().as_secs_f64();
    println!(
        "[{label}] resumed and finished: {} accepted, {} skipped, status {}; {:.1} s in all ({:.0} cases/s)",
        done.succeeded,
        done.skipped,
        done.status,
        secs,
        CASES as f64 / secs
    );
    let mut conn = svc.db.pool.acquire().await.unwrap();
    let approved: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM wf_cases WHERE process = 'pilot_yearly_check' AND status = 'approved'",
    )
    .fetch_one(&mut *conn)
    .await
    .unwrap();
    let dup: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM (SELECT case_id, step FROM wf_events WHERE action = 'accept' GROUP BY case_id, step HAVING COUNT(*) > 1) d",
    )
    .fetch_one(&mut *conn)
    .await
    .unwrap();
    println!(
        "[{label}] approved yearly checks: {approved} (the demo had 1); cases accepted twice at one step: {dup}"
    );
    assert_eq!(dup, 0);
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let dir = std::env::temp_dir().join(format!("gj-bench-wf-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.join("wf.db").display());
        run("SQLite", Db::connect(&url).await.unwrap()).await;
        if let Ok(pg) = std::env::var("GONGJIANG_BENCH_PG") {
            run("PostgreSQL", Db::connect(&pg).await.unwrap()).await;
        }
        let _ = std::fs::remove_dir_all(&dir);
    });
}
