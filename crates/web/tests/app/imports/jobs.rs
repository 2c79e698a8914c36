//! Import jobs in the database: results, interrupted jobs, limits.

use super::*;

/// Finished jobs live in the database, not in the server's memory: a restarted server
/// (a new app over the same database) answers for them and serves their rejected rows;
/// a job keeps its first 1,000 problems (`problems_total` counts them all, and the
/// rejected-rows workbook has every row); that workbook is kept sealed in the file store.
#[tokio::test]
async fn finished_jobs_live_in_the_database_with_their_first_problems() {
    let app = spawn_demo().await;
    let t = app.token("tianning").await;
    let bad = 1_200;
    let mut csv = format!(
        "{ORG_HEADER}保留问题测试有限公司,{},企业,320402,,,,\n",
        uscc(654_321)
    );
    for i in 0..bad {
        csv.push_str(&format!(
            "坏代码{i}企业有限公司,91320402MA1XXXXX00,企业,320402,,,,\n"
        ));
    }
    let job = upload(&app, &t, "orgs", "many.csv", csv.into_bytes(), true).await;
    assert_eq!(job["status"], "done", "{job}");
    assert_eq!(job["outcome"]["created"], 1);
    assert_eq!(job["outcome"]["problems"].as_array().unwrap().len(), 1000);
    assert!(
        job["problems_total"].as_i64().unwrap() >= bad,
        "{}",
        job["problems_total"]
    );
    assert_eq!(job["has_rejected"], true);
    assert_eq!(job["interrupted"], false);
    let id = job["id"].as_str().unwrap().to_string();
    // A new server process over the same database (nothing of the first one's memory).
    let again = spawn_svc(gongjiang_web::WebConfig::default(), app.svc.clone()).await;
    let (s, v) = again.get(&t, &format!("/api/v1/imports/{id}")).await;
    assert_eq!(s, 200);
    assert_eq!(v["outcome"], job["outcome"]);
    let r = again
        .raw(&t, &format!("/api/v1/imports/{id}/rejected"))
        .await;
    assert_eq!(r.status(), 200);
    let book = r.bytes().await.unwrap().to_vec();
    let mut sheet =
        gongjiang_io::read::open(&book, "rejected.xlsx", None, &Default::default()).unwrap();
    assert_eq!(
        sheet.rows().unwrap().count(),
        bad as usize,
        "every rejected row"
    );
    // The console's job page and its download, on the new server too.
    let b = again.browser("tianning").await;
    let (s, html) = b.get(&format!("/imports/{id}/status")).await;
    assert_eq!(s, 200);
    assert!(
        html.contains("rejected.xlsx") && html.contains("前 1000 条"),
        "{html}"
    );
    // Sealed with the data key in the file store (it holds numbers as written).
    let mut conn = app.svc.db.pool.acquire().await.unwrap();
    let sha: String = sqlx::query_scalar("SELECT rejected_sha FROM import_jobs WHERE token = $1")
        .bind(&id)
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    drop(conn);
    let stored = app.svc.files.get(&sha).await.unwrap();
    assert_ne!(&stored[..2], b"PK");
    assert_eq!(app.svc.key.open(&stored).unwrap(), book);
    // Someone else's job is not found, here either.
    again
        .get(
            &again.token("wujin").await,
            &format!("/api/v1/imports/{id}"),
        )
        .await
        .answers(404);
}

/// A job whose server died (its lease ran out) is reported as interrupted by any
/// server, all or nothing: a job that had not committed is "failed, nothing written",
/// and from then on its import can no longer commit a row; a job whose rows committed
/// is "done" with the counts saved in the same transaction.
#[tokio::test]
async fn jobs_of_a_dead_server_are_interrupted_all_or_nothing() {
    let app = spawn_demo().await;
    let t = app.token("city").await;
    let mut conn = app.svc.db.pool.acquire().await.unwrap();
    let (user, _) = gongjiang_storage::users::by_username(&mut conn, "city")
        .await
        .unwrap()
        .unwrap();
    drop(conn);
    let actor = user.actor("test");
    let kill = |row: i64| {
        let svc = app.svc.clone();
        async move {
            let mut conn = svc.db.pool.acquire().await.unwrap();
            sqlx::query(
                "UPDATE import_jobs SET lease_owner = 'dead-server', lease_until = 1 WHERE id = $1",
            )
            .bind(row)
            .execute(&mut *conn)
            .await
            .unwrap();
        }
    };
    let file = |code: u32| {
        format!(
            "{ORG_HEADER}中断测试{code}有限公司,{},企业,320402,,,,\n",
            uscc(code)
        )
        .into_bytes()
    };
    let count = |code: u32| {
        let app = &app;
        let t = t.clone();
        async move {
            app.get(&t, &format!("/api/v1/orgs?q={}", uscc(code)))
                .await
                .1["total"]
                .clone()
        }
    };
    // Died before committing.
    let row = app
        .svc
        .create_import_job("deadbeforecommit", user.id, "orgs", "a.csv")
        .await
        .unwrap();
    kill(row).await;
    assert!(app.svc.reap_import_jobs().await.unwrap() >= 1);
    let v = app.get_ok(&t, "/api/v1/imports/deadbeforecommit").await;
    assert_eq!(
        (v["status"].as_str(), v["interrupted"].as_bool()),
        (Some("failed"), Some(true)),
        "{v}"
    );
    assert!(
        v["error"].as_str().unwrap().contains("一行也没有写入"),
        "{v}"
    );
    // The import of that job, still going on somewhere, can no longer commit.
    let opts = gongjiang_storage::import::Options {
        job: Some(row),
        ..Default::default()
    };
    let late = gongjiang_io::run::import_file(
        &app.svc,
        &actor,
        "orgs",
        &file(777_001),
        "a.csv",
        opts,
        &mut |_, _| {},
    )
    .await;
    match late {
        Err(gongjiang_io::run::ImportError::Store(gongjiang_storage::StoreError::Conflict {
            code,
            ..
        })) => {
            assert_eq!(code.as_str(), "import_interrupted")
        }
        other => panic!("the late import committed: {other:?}"),
    }
    assert_eq!(count(777_001).await, 0);
    // Died after committing (before saving its report).
    let row = app
        .svc
        .create_import_job("deadaftercommit", user.id, "orgs", "b.csv")
        .await
        .unwrap();
    let opts = gongjiang_storage::import::Options {
        job: Some(row),
        ..Default::default()
    };
    let report = gongjiang_io::run::import_file(
        &app.svc,
        &actor,
        "orgs",
        &file(777_002),
        "b.csv",
        opts,
        &mut |_, _| {},
    )
    .await
    .unwrap();
    assert!(report.outcome.written);
    kill(row).await;
    assert!(app.svc.reap_import_jobs().await.unwrap() >= 1);
    let (_, v) = app.get(&t, "/api/v1/imports/deadaftercommit?lang=en").await;
    assert_eq!(
        (v["status"].as_str(), v["interrupted"].as_bool()),
        (Some("done"), Some(true)),
        "{v}"
    );
    assert_eq!(v["outcome"]["written"], true, "{v}");
    assert_eq!(v["outcome"]["created"], 1, "{v}");
    assert!(
        v["error"]
            .as_str()
            .unwrap()
            .contains("every valid row of the file was written"),
        "{v}"
    );
    assert_eq!(count(777_002).await, 1);
    // A job of this live process is never taken for dead, whatever its lease says.
    let row = app
        .svc
        .create_import_job("alive", user.id, "orgs", "c.csv")
        .await
        .unwrap();
    let mut conn = app.svc.db.pool.acquire().await.unwrap();
    sqlx::query("UPDATE import_jobs SET lease_until = 1 WHERE id = $1")
        .bind(row)
        .execute(&mut *conn)
        .await
        .unwrap();
    drop(conn);
    app.svc.reap_import_jobs().await.unwrap();
    assert_eq!(
        app.get(&t, "/api/v1/imports/alive").await.1["status"],
        "running"
    );
}

/// A server runs at most two imports at a time; a third upload is refused with 429 and a
/// message saying why (Chinese by default, English on request), and accepted again once
/// one has finished. (The two imports are held up by a lock the test takes on the
/// database, so that they are surely still running when the third arrives.)
#[tokio::test]
async fn running_imports_are_bounded() {
    let app = spawn_demo().await;
    let t = app.token("city").await;
    let mut big = String::from(ORG_HEADER);
    for i in 0..2_000 {
        big.push_str(&format!(
            "并发测试企业{i}有限公司,{},企业,320402,,,,\n",
            uscc(800_000 + i)
        ));
    }
    let mut lock = app.svc.db.pool.acquire().await.unwrap();
    match app.svc.db.backend {
        gongjiang_storage::Backend::Sqlite => {
            sqlx::query("BEGIN IMMEDIATE")
                .execute(&mut *lock)
                .await
                .unwrap();
        }
        gongjiang_storage::Backend::Postgres => {
            sqlx::query("BEGIN").execute(&mut *lock).await.unwrap();
            sqlx::query("LOCK TABLE import_jobs IN EXCLUSIVE MODE")
                .execute(&mut *lock)
                .await
                .unwrap();
        }
    }
    let mut ids = Vec::new();
    for n in 0..gongjiang_web::jobs::MAX_RUNNING_IMPORTS {
        let (s, v) = start_import(
            &app,
            &t,
            &format!("big{n}.csv"),
            big.clone().into_bytes(),
            true,
            "zh",
        )
        .await;
        assert_eq!(s, 202, "{v}");
        ids.push(v["id"].as_str().unwrap().to_string());
    }
    let (s, v) = start_import(&app, &t, "third.csv", big.clone().into_bytes(), true, "zh").await;
    assert_eq!(s, 429, "{v}");
    assert_eq!(err_code(&v), "too_many_imports");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("2 个导入正在进行"),
        "{v}"
    );
    let (s, v) = start_import(&app, &t, "third.csv", big.clone().into_bytes(), true, "en").await;
    assert_eq!(s, 429);
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("imports are already running"),
        "{v}"
    );
    // The two are running (this server answers for them before they are recorded).
    for id in &ids {
        let (s, v) = app.get(&t, &format!("/api/v1/imports/{id}")).await;
        assert_eq!((s, v["status"].as_str()), (200, Some("running")), "{v}");
    }
    sqlx::query("ROLLBACK").execute(&mut *lock).await.unwrap();
    drop(lock);
    for id in &ids {
        let v = app.wait_import(&t, id).await;
        assert_eq!(v["status"], "done", "{v}");
        assert_eq!(v["outcome"]["valid"], 2_000, "{v}");
    }
    let (s, v) = start_import(&app, &t, "third.csv", big.into_bytes(), true, "zh").await;
    assert_eq!(s, 202, "{v}");
    app.wait_import(&t, v["id"].as_str().unwrap()).await;
}
