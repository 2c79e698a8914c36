//! Bulk actions: finishing, resuming, never acting twice.

use super::*;

/// Cases of `n` enterprises of 天宁区 (with a town) brought to the city's step.
async fn cases_at_city_step(app: &TestApp, n: usize) -> Vec<i64> {
    let svc = &app.svc;
    let mut conn = svc.db.pool.acquire().await.unwrap();
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "SELECT id, region_l3 FROM orgs WHERE kind = 'enterprise' AND region_l2 = '320402' AND region_l3 IS NOT NULL \
         AND id NOT IN (SELECT org_id FROM wf_cases) ORDER BY id LIMIT $1",
    )
    .bind(n as i64)
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    let district = Actor {
        role: gongjiang_domain::Role::District,
        region_code: Some("320402".into()),
        ..Actor::system("district-test")
    };
    let mut ids = Vec::new();
    for (org, town) in rows {
        let unit = Actor {
            role: gongjiang_domain::Role::Unit,
            org_id: Some(org),
            region_code: None,
            ..Actor::system("unit-test")
        };
        let town = Actor {
            role: gongjiang_domain::Role::Town,
            region_code: Some(town),
            ..Actor::system("town-test")
        };
        let c = svc
            .create_case(
                &unit,
                &CaseInput {
                    process: "pilot_yearly_check".into(),
                    org: None,
                    data: [("year", "2024"), ("summary", "总结")]
                        .iter()
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                        .collect(),
                },
            )
            .await
            .unwrap();
        for (who, a) in [(&unit, "submit"), (&town, "accept"), (&district, "accept")] {
            svc.act(
                who,
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
    ids
}

#[tokio::test]
async fn bulk_actions_finish_resume_and_never_act_twice() {
    // Quiet: the test resumes the job itself (no background runner racing it).
    let app = spawn_quiet_demo().await;
    let city = app.token("city").await;
    let ids = cases_at_city_step(&app, 60).await;
    assert_eq!(ids.len(), 60);
    // Over HTTP: 40 at once, with progress.
    let (s, job) = app
        .post(
            &city,
            "/api/v1/cases/bulk",
            json!({"ids": &ids[..40], "action": "accept"}),
        )
        .await;
    assert_eq!(s, 202, "{job}");
    let jid = job["id"].as_str().unwrap().to_string();
    let mut last = Value::Null;
    for _ in 0..400 {
        let (_, j) = app.get(&city, &format!("/api/v1/cases/bulk/{jid}")).await;
        if j["status"] == "done" {
            last = j;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(
        (last["succeeded"].as_i64(), last["skipped"].as_i64()),
        (Some(40), Some(0)),
        "{last}"
    );
    // Someone else's job is not found.
    let (s, _) = app
        .get(
            &app.token("tianning").await,
            &format!("/api/v1/cases/bulk/{jid}"),
        )
        .await;
    assert_eq!(s, 404);
    // A job "killed" half way: it had acted on some cases without saving its progress.
    let mut conn = app.svc.db.pool.acquire().await.unwrap();
    let (user, _) = gongjiang_storage::users::by_username(&mut conn, "city")
        .await
        .unwrap()
        .unwrap();
    drop(conn);
    let actor = user.actor("test");
    let job = app
        .svc
        .start_bulk(&actor, &ids[40..], "accept", None)
        .await
        .unwrap();
    for id in &ids[40..50] {
        let (c, _, _) = app.svc.get_case(&actor, *id, false).await.unwrap();
        app.svc
            .act(
                &actor,
                *id,
                &ActInput {
                    action: "accept".into(),
                    version: Some(c.version),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
    }
    app.svc.run_bulk(&job.id).await.unwrap();
    let done = app.svc.bulk_job(&actor, &job.id).await.unwrap();
    assert_eq!(done.status, "done");
    // The 10 acted on before the "kill" moved on since the job started: skipped, not
    // accepted a second time; the other 10 are accepted.
    assert_eq!((done.succeeded, done.skipped), (10, 10), "{done:?}");
    // The finished first job's cases are final: a bulk accept over them skips them all.
    let again = app
        .svc
        .start_bulk(&actor, &ids[..40], "accept", None)
        .await
        .unwrap();
    app.svc.run_bulk(&again.id).await.unwrap();
    let again = app.svc.bulk_job(&actor, &again.id).await.unwrap();
    assert_eq!((again.succeeded, again.skipped), (0, 40));
    // Every case was acted on exactly once per step: no case has two accepts by the city
    // at the same position (step and status).
    let mut conn = app.svc.db.pool.acquire().await.unwrap();
    let dup: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM (SELECT case_id, step, from_status FROM wf_events WHERE action = 'accept' GROUP BY case_id, step, from_status HAVING COUNT(*) > 1) d",
    )
    .fetch_one(&mut *conn)
    .await
    .unwrap();
    assert_eq!(dup, 0);
    drop(conn);
    // Deadline reminders: a case past its deadline notifies its reviewers once.
    let late = cases_at_city_step(&app, 1).await;
    let mut conn = app.svc.db.pool.acquire().await.unwrap();
    sqlx::query("UPDATE wf_cases SET due_at = 1 WHERE id = $1")
        .bind(late[0])
        .execute(&mut *conn)
        .await
        .unwrap();
    drop(conn);
    let now = gongjiang_storage::now_ms();
    assert!(app.svc.remind_deadlines(now).await.unwrap() >= 1);
    let (_, notes) = app.get(&city, "/api/v1/notifications").await;
    assert!(notes.to_string().contains("已逾期"), "{notes}");
    assert_eq!(
        app.svc.remind_deadlines(now).await.unwrap(),
        0,
        "reminded once"
    );
}

/// A bulk job killed half way — here its runner is dropped mid-case, as a kill -9 drops
/// the process — is resumed by a server that finds its lease run out: the cases it
/// accepted before the kill count as succeeded (not "skipped" because they moved on),
/// none is acted on twice, and the counts add up exactly. A job whose lease another
/// live server holds is left alone.
#[tokio::test]
async fn a_killed_bulk_job_resumes_with_exact_counts() {
    // Quiet: the test plays the server that takes the job over; a background runner
    // resuming the same job on its ten-second tick would race it.
    let app = spawn_quiet_demo().await;
    let ids = cases_at_city_step(&app, 80).await;
    assert_eq!(ids.len(), 80);
    let mut conn = app.svc.db.pool.acquire().await.unwrap();
    let (user, _) = gongjiang_storage::users::by_username(&mut conn, "city")
        .await
        .unwrap()
        .unwrap();
    drop(conn);
    let actor = user.actor("test");
    let job = app
        .svc
        .start_bulk(&actor, &ids, "accept", None)
        .await
        .unwrap();
    let list = ids
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    let accepted = |svc: gongjiang_storage::service::Service| {
        let sql = format!(
            "SELECT COUNT(*) FROM wf_events WHERE action = 'accept' AND username = 'city' AND case_id IN ({list})"
        );
        async move {
            let mut conn = svc.db.pool.acquire().await.unwrap();
            sqlx::query_scalar::<_, i64>(&sql)
                .fetch_one(&mut *conn)
                .await
                .unwrap()
        }
    };
    // Run it, and "kill" it once a few cases are accepted.
    let svc = app.svc.clone();
    let jid = job.id.clone();
    let runner = tokio::spawn(async move { svc.run_bulk(&jid).await });
    let mut before = 0;
    for _ in 0..2000 {
        before = accepted(app.svc.clone()).await;
        if before >= 5 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
    runner.abort();
    let _ = runner.await;
    assert!(before >= 5, "the job did not start");
    // A commit already on its way when the runner was dropped lands or not, atomically.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let before = accepted(app.svc.clone()).await;
    assert!(
        (5..80).contains(&before),
        "the job was stopped half way ({before} accepted)"
    );
    let half = app.svc.bulk_job(&actor, &job.id).await.unwrap();
    assert_eq!(half.status, "running");
    assert_eq!(
        half.succeeded + half.skipped,
        half.done,
        "counts move with each case: {half:?}"
    );
    assert_eq!(half.succeeded, before, "{half:?}");
    // While another live server holds the lease, nobody else touches the job.
    let future = gongjiang_storage::now_ms() + 60_000;
    set_lease(
        &app,
        "UPDATE wf_bulk SET lease_owner = 'other-server', lease_until = $1 WHERE id = $2",
        future,
        &job.id,
    )
    .await;
    assert!(!app
        .svc
        .unfinished_bulk_jobs()
        .await
        .unwrap()
        .contains(&job.id));
    app.svc.run_bulk(&job.id).await.unwrap();
    assert_eq!(
        app.svc.bulk_job(&actor, &job.id).await.unwrap().done,
        half.done
    );
    // That server dies: its lease runs out, and this one takes the job over.
    set_lease(
        &app,
        "UPDATE wf_bulk SET lease_until = $1 WHERE id = $2",
        1,
        &job.id,
    )
    .await;
    assert!(
        app.svc
            .unfinished_bulk_jobs()
            .await
            .unwrap()
            .contains(&job.id),
        "a job whose lease ran out is unfinished: {}",
        lease_of(&app, &job.id).await
    );
    app.svc.run_bulk(&job.id).await.unwrap();
    let done = app.svc.bulk_job(&actor, &job.id).await.unwrap();
    assert_eq!(done.status, "done");
    assert_eq!(
        (done.done, done.succeeded, done.skipped),
        (80, 80, 0),
        "every case accepted by this job counts as succeeded: {done:?}"
    );
    assert_eq!(accepted(app.svc.clone()).await, 80, "each accepted once");
}

/// A job's status and lease as stored, for a failure's message.
async fn lease_of(app: &TestApp, job: &str) -> String {
    let mut conn = app.svc.db.pool.acquire().await.unwrap();
    let row =
        sqlx::query("SELECT status, lease_owner, lease_until, done FROM wf_bulk WHERE id = $1")
            .bind(job)
            .fetch_one(&mut *conn)
            .await
            .unwrap();
    use sqlx::Row;
    format!(
        "status {:?}, lease {:?} until {:?}, done {:?}, now {}",
        row.try_get::<String, _>(0).ok(),
        row.try_get::<Option<String>, _>(1).ok().flatten(),
        row.try_get::<Option<i64>, _>(2).ok().flatten(),
        row.try_get::<i64, _>(3).ok(),
        gongjiang_storage::now_ms()
    )
}

/// Plays another server writing a job's lease. The connection of the runner the test
/// aborted can still hold SQLite's lock for a moment (its statement or rollback is
/// finishing on sqlx's worker thread), so a "database is locked" is waited out.
async fn set_lease(app: &TestApp, sql: &str, until: i64, job: &str) {
    for attempt in 0.. {
        let mut conn = app.svc.db.pool.acquire().await.unwrap();
        match sqlx::query(sql)
            .bind(until)
            .bind(job)
            .execute(&mut *conn)
            .await
        {
            Ok(_) => return,
            Err(e) if attempt < 100 && e.to_string().contains("locked") => {
                drop(conn);
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
            Err(e) => panic!("setting the lease: {e}"),
        }
    }
}
