//! Imports and exports over HTTP: lossless round trips, all-or-nothing by default,
//! skip-invalid with a rejected-rows workbook, scope, within-file duplicates, bad files.
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use common::*;
use serde_json::Value;

async fn upload(
    app: &TestApp,
    tok: &str,
    kind: &str,
    name: &str,
    bytes: Vec<u8>,
    skip_invalid: bool,
) -> Value {
    upload_in(app, tok, kind, name, bytes, skip_invalid, None).await
}

async fn upload_in(
    app: &TestApp,
    tok: &str,
    kind: &str,
    name: &str,
    bytes: Vec<u8>,
    skip_invalid: bool,
    period: Option<&str>,
) -> Value {
    let form = reqwest::multipart::Form::new()
        .text("kind", kind.to_string())
        .text("period", period.unwrap_or("").to_string())
        .text("skip_invalid", if skip_invalid { "1" } else { "0" })
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()),
        );
    let r = app
        .client
        .post(app.at("/api/v1/imports"))
        .bearer_auth(tok)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202, "{}", r.text().await.unwrap());
    let id = r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    for _ in 0..600 {
        let (s, v) = app.get(tok, &format!("/api/v1/imports/{id}")).await;
        assert_eq!(s, 200);
        if v["status"] != "running" {
            return v;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("import did not finish");
}

const ORG_HEADER: &str = "单位名称,统一社会信用代码,单位类型,所属区划代码,上级单位信用代码,行业代码,经济类型,是否链主企业\n";

#[tokio::test]
async fn exports_reimport_to_the_identical_state() {
    let app = spawn_demo().await;
    let t = app.token("city").await;
    for kind in ["orgs", "pilots", "designations", "reports"] {
        for fmt in ["xlsx", "csv"] {
            let r = app
                .client
                .get(app.at(&format!("/api/v1/exports/{kind}?format={fmt}&org=320402")))
                .bearer_auth(&t)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200, "{kind}");
            let bytes = r.bytes().await.unwrap().to_vec();
            let job = upload(&app, &t, kind, &format!("{kind}.{fmt}"), bytes, false).await;
            assert_eq!(job["status"], "done", "{kind} {fmt}: {job}");
            let o = &job["outcome"];
            assert!(o["total"].as_u64().unwrap() > 0, "{kind}");
            assert_eq!(o["unchanged"], o["total"], "{kind} {fmt}: {o}");
            assert_eq!(
                o["problems"].as_array().unwrap().len(),
                0,
                "{kind} {fmt}: {o}"
            );
        }
    }
    let r = app
        .client
        .get(app.at("/api/v1/templates/reports"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(&r.bytes().await.unwrap()[..2], b"PK");
}

#[tokio::test]
async fn all_or_nothing_then_skip_invalid() {
    let app = spawn_demo().await;
    let t = app.token("tianning").await;
    let good = uscc(123_456);
    let csv = format!("{ORG_HEADER}常州导入新企业有限公司,{good},企业,320402,,C38,民营,否\n坏代码企业有限公司,91320402MA1XXXXX00,企业,320402,,,,\n越界企业有限公司,{},企业,320412,,,,\n重复企业有限公司,{good},企业,320402,,,,\n", uscc(123_457));
    let job = upload(
        &app,
        &t,
        "orgs",
        "orgs.csv",
        csv.clone().into_bytes(),
        false,
    )
    .await;
    let o = &job["outcome"];
    assert_eq!(o["written"], false, "{o}");
    assert_eq!(
        (o["created"].as_u64(), o["would_create"].as_u64()),
        (Some(0), Some(1)),
        "{o}"
    );
    let rows: Vec<u64> = o["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["row"].as_u64().unwrap())
        .collect();
    assert!(
        rows.contains(&3) && rows.contains(&4) && rows.contains(&5),
        "{o}"
    );
    assert!(!rows.contains(&2));
    let msgs: Vec<String> = o["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["message_zh"].as_str().unwrap().to_string())
        .collect();
    assert!(
        msgs.iter().any(|m| m.contains("校验码"))
            && msgs.iter().any(|m| m.contains("管辖范围"))
            && msgs.iter().any(|m| m.contains("重复")),
        "{msgs:?}"
    );
    assert_eq!(
        app.get(&t, &format!("/api/v1/orgs?q={good}")).await.1["total"],
        0,
        "nothing written"
    );
    // With skip_invalid the valid row is written and the rejected ones are downloadable.
    let job = upload(&app, &t, "orgs", "orgs.csv", csv.into_bytes(), true).await;
    assert_eq!(job["outcome"]["written"], true);
    assert_eq!(job["outcome"]["created"], 1);
    assert_eq!(
        app.get(&t, &format!("/api/v1/orgs?q={good}")).await.1["total"],
        1
    );
    let r = app
        .client
        .get(app.at(&format!(
            "/api/v1/imports/{}/rejected",
            job["id"].as_str().unwrap()
        )))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(&r.bytes().await.unwrap()[..2], b"PK");
    // Someone else's job is not found.
    assert_eq!(
        app.get(
            &app.token("wujin").await,
            &format!("/api/v1/imports/{}", job["id"].as_str().unwrap())
        )
        .await
        .0,
        404
    );
}

#[tokio::test]
async fn reports_import_feeds_the_indicators_and_reimport_changes_nothing() {
    let app = spawn_demo().await;
    let t = app.token("city").await;
    let before = app
        .get(
            &t,
            &format!("/api/v1/indicators?org=320481&period={}", demo_period(-3)),
        )
        .await
        .1;
    let w0 = before["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == "workers_total")
        .unwrap()["value"]
        .as_f64()
        .unwrap();
    let ent = app
        .get(&t, "/api/v1/orgs?region=320481&kind=enterprise&per_page=2")
        .await
        .1;
    let (a, b) = (
        ent["items"][0]["uscc"].as_str().unwrap().to_string(),
        ent["items"][1]["uscc"].as_str().unwrap().to_string(),
    );
    let csv = format!("统一社会信用代码,报告期,职工总数,高技能人才数,培训投入万元\n{a},{},1000,150,12.5\n{b},{},\"2,000\",300,\n", demo_period(-3), demo_period(-3));
    let job = upload(
        &app,
        &t,
        "reports",
        "r.csv",
        csv.clone().into_bytes(),
        false,
    )
    .await;
    assert_eq!(job["outcome"]["created"], 2, "{job}");
    let after = app
        .get(
            &t,
            &format!("/api/v1/indicators?org=320481&period={}", demo_period(-3)),
        )
        .await
        .1;
    let w1 = after["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == "workers_total")
        .unwrap()["value"]
        .as_f64()
        .unwrap();
    assert_eq!(w1, w0 + 3000.0);
    let again = upload(&app, &t, "reports", "r.csv", csv.into_bytes(), false).await;
    assert_eq!(again["outcome"]["unchanged"], 2);
    // A broken rule in a row: reported per cell, nothing written.
    let bad = format!(
        "统一社会信用代码,报告期,职工总数,高技能人才数\n{a},{},10,20\n",
        demo_period(-3)
    );
    let job = upload(&app, &t, "reports", "bad.csv", bad.into_bytes(), false).await;
    assert_eq!(job["outcome"]["written"], false);
    assert_eq!(job["outcome"]["problems"][0]["field"], "high_skilled");
}

#[tokio::test]
async fn bad_files_fail_with_a_clear_message() {
    let app = spawn_demo().await;
    let t = app.token("city").await;
    let job = upload(
        &app,
        &t,
        "orgs",
        "x.xlsx",
        b"%PDF-1.4 not a sheet".to_vec(),
        false,
    )
    .await;
    assert_eq!(job["status"], "failed");
    assert!(!job["error"].as_str().unwrap().is_empty());
    let job = upload(
        &app,
        &t,
        "orgs",
        "x.csv",
        "单位名称,统一社会信用代码,单位类型,所属区划代码,备注栏\n"
            .as_bytes()
            .to_vec(),
        false,
    )
    .await;
    assert_eq!(job["status"], "failed");
    assert!(job["error"].as_str().unwrap().contains("备注栏"), "{job}");
    let job = upload(&app, &t, "workers", "w.csv", b"a,b\n".to_vec(), false).await;
    assert_eq!(job["status"], "failed");
    // Wrong kind: 422 at once.
    let form = reqwest::multipart::Form::new()
        .text("kind", "nonsense")
        .part(
            "file",
            reqwest::multipart::Part::bytes(b"x".to_vec()).file_name("x.csv"),
        );
    let r = app
        .client
        .post(app.at("/api/v1/imports"))
        .bearer_auth(&t)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    // Experts may not import.
    let form = reqwest::multipart::Form::new().text("kind", "orgs").part(
        "file",
        reqwest::multipart::Part::bytes(b"x".to_vec()).file_name("x.csv"),
    );
    let r = app
        .client
        .post(app.at("/api/v1/imports"))
        .bearer_auth(app.token("expert").await)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}

#[tokio::test]
async fn import_page_and_csrf() {
    let app = spawn_demo().await;
    let b = app.browser("city").await;
    let (s, page) = b.get("/imports").await;
    assert_eq!(s, 200);
    assert!(
        page.contains("enctype=\"multipart/form-data\"") && page.contains("/imports/template/orgs")
    );
    let form = reqwest::multipart::Form::new().text("kind", "orgs").part(
        "file",
        reqwest::multipart::Part::bytes(ORG_HEADER.as_bytes().to_vec()).file_name("x.csv"),
    );
    let r =
        b.c.post(format!("{}/imports", b.base))
            .multipart(form)
            .send()
            .await
            .unwrap();
    assert_eq!(r.status(), 403, "no CSRF token");
    let good = uscc(424_242);
    let form = reqwest::multipart::Form::new()
        .text("_csrf", b.csrf.clone())
        .text("kind", "orgs")
        .part(
            "file",
            reqwest::multipart::Part::bytes(
                format!("{ORG_HEADER}页面导入有限公司,{good},企业,320402,,,,否\n").into_bytes(),
            )
            .file_name("x.csv"),
        );
    let r =
        b.c.post(format!("{}/imports", b.base))
            .multipart(form)
            .send()
            .await
            .unwrap();
    assert_eq!(r.status(), 303);
    let loc = r.headers()["location"].to_str().unwrap().to_string();
    let mut done = String::new();
    for _ in 0..200 {
        let (_, html) = b.get(&format!("{loc}/status")).await;
        if !html.contains("<progress") {
            done = html;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(done.contains("导入完成"), "{done}");
    let r =
        b.c.get(format!(
            "{}/imports/export/orgs?org=320402&format=csv",
            b.base
        ))
        .send()
        .await
        .unwrap();
    assert!(r.text().await.unwrap().contains("页面导入有限公司"));
}

/// The web import takes the CLI's `--period`: rows of the named period pass; a file with
/// rows of another period is refused naming 报告期; other kinds refuse the option.
#[tokio::test]
async fn web_imports_take_a_report_period() {
    let app = spawn_demo().await;
    let t = app.token("city").await;
    let r = app
        .client
        .get(app.at(&format!(
            "/api/v1/exports/reports?format=csv&org=320402&period={}",
            demo_period(0)
        )))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap();
    let bytes = r.bytes().await.unwrap().to_vec();
    let job = upload_in(
        &app,
        &t,
        "reports",
        "r.csv",
        bytes.clone(),
        false,
        Some(demo_period(0)),
    )
    .await;
    assert_eq!(job["status"], "done", "{job}");
    assert_eq!(
        job["outcome"]["unchanged"], job["outcome"]["total"],
        "{job}"
    );
    let job = upload_in(
        &app,
        &t,
        "reports",
        "r.csv",
        bytes.clone(),
        false,
        Some(demo_period(-2)),
    )
    .await;
    assert!(
        job.to_string().contains(demo_period(-2)),
        "rows of {} are refused under period {}: {job}",
        demo_period(0),
        demo_period(-2)
    );
    assert_ne!(
        job["outcome"]["problems"].as_array().map(|p| p.len()),
        Some(0),
        "{job}"
    );
    let job = upload_in(
        &app,
        &t,
        "orgs",
        "o.csv",
        ORG_HEADER.as_bytes().to_vec(),
        false,
        Some(demo_period(0)),
    )
    .await;
    assert_eq!(job["status"], "failed", "{job}");
    assert!(job["error"].as_str().unwrap().contains("报告期"), "{job}");
}

/// Starts an import without waiting for it; the answer's status and body.
async fn start_import(
    app: &TestApp,
    tok: &str,
    name: &str,
    bytes: Vec<u8>,
    dry_run: bool,
    lang: &str,
) -> (u16, Value) {
    let form = reqwest::multipart::Form::new()
        .text("kind", "orgs")
        .text("dry_run", if dry_run { "1" } else { "0" })
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()),
        );
    let r = app
        .client
        .post(app.at(&format!("/api/v1/imports?lang={lang}")))
        .bearer_auth(tok)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let s = r.status().as_u16();
    (s, r.json().await.unwrap_or(Value::Null))
}

async fn wait_job(app: &TestApp, tok: &str, id: &str) -> Value {
    for _ in 0..3000 {
        let (s, v) = app.get(tok, &format!("/api/v1/imports/{id}")).await;
        assert_eq!(s, 200, "{v}");
        if v["status"] != "running" {
            return v;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("import {id} did not finish");
}

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
        .client
        .get(again.at(&format!("/api/v1/imports/{id}/rejected")))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap();
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
    let (s, _) = again
        .get(
            &again.token("wujin").await,
            &format!("/api/v1/imports/{id}"),
        )
        .await;
    assert_eq!(s, 404);
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
    let (s, v) = app.get(&t, "/api/v1/imports/deadbeforecommit").await;
    assert_eq!(s, 200);
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
    assert_eq!(v["error"]["code"], "too_many_imports");
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
        let v = wait_job(&app, &t, id).await;
        assert_eq!(v["status"], "done", "{v}");
        assert_eq!(v["outcome"]["valid"], 2_000, "{v}");
    }
    let (s, v) = start_import(&app, &t, "third.csv", big.into_bytes(), true, "zh").await;
    assert_eq!(s, 202, "{v}");
    wait_job(&app, &t, v["id"].as_str().unwrap()).await;
}

/// Within one designations file, duplicates are found with the register's key: two
/// people holding the same title in one enterprise and year are two records; the same
/// person twice, or an organisation's title twice, is a duplicate.
#[tokio::test]
async fn designation_files_key_person_titles_on_the_holder() {
    let app = spawn_demo().await;
    let t = app.token("tianning").await;
    let city = app.token("city").await;
    let ent = app
        .get(&t, "/api/v1/orgs?kind=enterprise&region=320402&per_page=1")
        .await
        .1["items"][0]["uscc"]
        .as_str()
        .unwrap()
        .to_string();
    let id = |first17: &str| {
        format!(
            "{first17}{}",
            gongjiang_domain::IdNumber::check_char(first17).unwrap()
        )
    };
    let (a, b) = (id("32040219800101701"), id("32040219810202702"));
    for (name, n) in [("工匠甲", &a), ("工匠乙", &b)] {
        let (s, w) = app
            .send(
                reqwest::Method::POST,
                &t,
                "/api/v1/workers",
                serde_json::json!({"name": name, "id_number": n, "org": ent, "skill_level": "高级技师"}),
            )
            .await;
        assert_eq!(s, 200, "{w}");
    }
    const HEADER: &str = "类型,级别,年份,统一社会信用代码,身份证号,文号\n";
    // Two craftsmen of one enterprise in one year: both written.
    let csv = format!("{HEADER}龙城工匠,市级,2025,,{a},常工〔2025〕1号\n龙城工匠,市级,2025,,{b},常工〔2025〕1号\n");
    let job = upload(
        &app,
        &city,
        "designations",
        "d.csv",
        csv.into_bytes(),
        false,
    )
    .await;
    assert_eq!(job["outcome"]["written"], true, "{job}");
    assert_eq!(job["outcome"]["created"], 2, "{job}");
    // The same person twice, and one organisation's title twice: duplicates.
    let csv = format!("{HEADER}技术能手,市级,2025,,{a},\n技术能手,市级,2025,,{a},\n五一劳动奖状,市级,2025,{ent},,\n五一劳动奖状,市级,2025,{ent},,\n");
    let job = upload(
        &app,
        &city,
        "designations",
        "d2.csv",
        csv.into_bytes(),
        false,
    )
    .await;
    let o = &job["outcome"];
    assert_eq!(o["written"], false, "{o}");
    let problems: Vec<(u64, String, String)> = o["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["row"].as_u64().unwrap(),
                p["field"].as_str().unwrap_or("").to_string(),
                p["message_zh"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert_eq!(problems[0].0, 3);
    assert_eq!(problems[0].1, "id_number", "{problems:?}");
    assert!(problems[0].2.contains("与第2行重复"), "{problems:?}");
    assert_eq!(problems[1].0, 5);
    assert!(problems[1].2.contains("与第4行重复"), "{problems:?}");
}

/// Uploads a file through the console form as `b`; the job page's path.
async fn console_upload(b: &Browser, name: &str, csv: String, skip_invalid: bool) -> String {
    let mut form = reqwest::multipart::Form::new()
        .text("_csrf", b.csrf.clone())
        .text("kind", "orgs");
    if skip_invalid {
        form = form.text("skip_invalid", "1");
    }
    let form = form.part(
        "file",
        reqwest::multipart::Part::bytes(csv.into_bytes()).file_name(name.to_string()),
    );
    let r =
        b.c.post(format!("{}/imports", b.base))
            .multipart(form)
            .send()
            .await
            .unwrap();
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    r.headers()["location"].to_str().unwrap().to_string()
}

/// The job page, once the job has ended (it may say it is running only while it is).
async fn finished_page(b: &Browser, path: &str) -> String {
    for _ in 0..600 {
        let (s, html) = b.get(path).await;
        assert_eq!(s, 200, "{html}");
        if !html.contains("<progress") {
            return html;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("import {path} did not finish");
}

/// Issue #10: a small file finishes before its page is rendered; the page then shows the
/// result itself (counts, the problems with the template's column names, the rejected
/// rows link) instead of "validating…" for ever. While a job runs, the page polls the
/// status fragment with htmx (no inline script).
#[tokio::test]
async fn job_page_shows_the_result_of_a_finished_import() {
    let app = spawn_demo().await;
    let b = app.browser("tianning").await;
    let t = app.token("tianning").await;
    let good = uscc(515_151);
    let csv = format!(
        "{ORG_HEADER}结果页有限公司,{good},企业,320402,,C38,民营,否\n结果页坏码有限公司,91320402MA1XXXXX00,企业,320402,,,,否\n"
    );
    let path = console_upload(&b, "result.csv", csv, false).await;
    let id = path.trim_start_matches("/imports/").to_string();
    let job = wait_job(&app, &t, &id).await;
    assert_eq!(job["status"], "done", "{job}");
    let (s, html) = b.get(&path).await;
    assert_eq!(s, 200);
    assert!(
        !html.contains("正在校验"),
        "no endless 'validating': {html}"
    );
    assert!(
        !html.contains("hx-trigger=\"load"),
        "a finished job does not poll"
    );
    assert!(html.contains("未写入任何数据"), "{html}");
    assert!(
        html.contains("如导入将新增"),
        "would-be counts labelled: {html}"
    );
    assert!(html.contains("无效行"), "{html}");
    assert!(
        html.contains("<td>统一社会信用代码</td>") && !html.contains(">uscc<"),
        "the column as named in the template: {html}"
    );
    assert!(html.contains("校验码"), "the message: {html}");
    assert!(
        html.contains(&format!("/imports/{id}/rejected.xlsx")),
        "{html}"
    );
    assert!(!html.contains("<script>"), "no inline script");
    let r =
        b.c.get(format!("{}/imports/{id}/rejected.xlsx", b.base))
            .send()
            .await
            .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(&r.bytes().await.unwrap()[..2], b"PK");
    // The fragment the page polls says the same.
    let (_, frag) = b.get(&format!("{path}/status")).await;
    assert!(frag.contains("统一社会信用代码") && frag.contains("未写入任何数据"));
    // Nothing was written.
    assert_eq!(
        app.get(&t, &format!("/api/v1/orgs?q={good}")).await.1["total"],
        0
    );
}

/// With 跳过无效行 the valid rows are written, and the job page says so plainly, with the
/// counts of created and rejected rows.
#[tokio::test]
async fn skip_invalid_job_page_says_the_valid_rows_were_written() {
    let app = spawn_demo().await;
    let b = app.browser("tianning").await;
    let good = uscc(525_252);
    let csv = format!(
        "{ORG_HEADER}跳过无效行有限公司,{good},企业,320402,,C38,民营,否\n跳过坏码有限公司,91320402MA1XXXXX00,企业,320402,,,,否\n"
    );
    let path = console_upload(&b, "skip.csv", csv, true).await;
    let html = finished_page(&b, &path).await;
    assert!(
        html.contains("1 行无效被跳过") && html.contains("其余 1 行有效数据已写入"),
        "{html}"
    );
    assert!(html.contains("新增 1 条"), "{html}");
    assert!(html.contains("data-count=\"created\">1<"), "{html}");
    assert!(html.contains("data-count=\"rejected\">1<"), "{html}");
    assert!(html.contains("统一社会信用代码") && html.contains("rejected.xlsx"));
    let t = app.token("tianning").await;
    assert_eq!(
        app.get(&t, &format!("/api/v1/orgs?q={good}")).await.1["total"],
        1
    );
    // In English too.
    let (_, en) = b.get(&format!("{path}?lang=en")).await;
    assert!(en.contains("the other 1 valid rows were written"), "{en}");
}

/// The import history: one's own imports, and for region staff those of the accounts in
/// their area (the city: everyone's); a job out of scope is not found, on its page, its
/// fragment, its rejected rows and in the API.
#[tokio::test]
async fn import_history_is_scoped_to_the_area() {
    let app = spawn_demo().await;
    let district = app.browser("tianning").await;
    let unit = app.browser("unit").await;
    let bad = format!("{ORG_HEADER}历史坏码有限公司,91320402MA1XXXXX00,企业,320402,,,,否\n");
    let d_path = console_upload(&district, "district-file.csv", bad.clone(), false).await;
    let u_path = console_upload(&unit, "unit-file.csv", bad, false).await;
    finished_page(&district, &d_path).await;
    finished_page(&unit, &u_path).await;
    let d_id = d_path.trim_start_matches("/imports/").to_string();
    let u_id = u_path.trim_start_matches("/imports/").to_string();

    let history = |b: &Browser| {
        let b = Browser {
            c: b.c.clone(),
            csrf: b.csrf.clone(),
            base: b.base.clone(),
        };
        async move {
            let (s, html) = b.get("/imports/history").await;
            assert_eq!(s, 200, "{html}");
            html
        }
    };
    // The district sees its own and the unit's (an enterprise in its district).
    let h = history(&district).await;
    assert!(
        h.contains("district-file.csv") && h.contains("unit-file.csv"),
        "{h}"
    );
    assert!(h.contains(&format!("href=\"/imports/{u_id}\"")), "{h}");
    assert!(h.contains("单位名录") && h.contains("未写入"), "{h}");
    assert!(
        h.contains("年") && h.contains("月") && h.contains("日 "),
        "{h}"
    );
    // The newest first.
    assert!(h.find("unit-file.csv") < h.find("district-file.csv"), "{h}");
    // The unit sees its own only.
    let h = history(&unit).await;
    assert!(
        h.contains("unit-file.csv") && !h.contains("district-file.csv"),
        "{h}"
    );
    // The unit's street sees the unit's, not the district's own.
    let town = app.browser("town").await;
    let h = history(&town).await;
    assert!(
        h.contains("unit-file.csv") && !h.contains("district-file.csv"),
        "{h}"
    );
    assert_eq!(town.get(&u_path).await.0, 200);
    assert_eq!(town.get(&d_path).await.0, 404);
    // The city sees both and opens the district's result.
    let city = app.browser("city").await;
    let h = history(&city).await;
    assert!(
        h.contains("district-file.csv") && h.contains("unit-file.csv"),
        "{h}"
    );
    let (s, page) = city.get(&d_path).await;
    assert_eq!(s, 200);
    assert!(page.contains("统一社会信用代码"), "{page}");
    // Another district sees neither, and their pages are not found.
    let other = app.browser("wujin").await;
    let h = history(&other).await;
    assert!(
        !h.contains("district-file.csv") && !h.contains("unit-file.csv"),
        "{h}"
    );
    for p in [
        d_path.clone(),
        format!("{d_path}/status"),
        format!("{d_path}/rejected.xlsx"),
        u_path.clone(),
    ] {
        assert_eq!(other.get(&p).await.0, 404, "{p}");
    }
    // The API says the same.
    let (s, v) = app.get(&app.token("city").await, "/api/v1/imports").await;
    assert_eq!(s, 200, "{v}");
    let ids: Vec<&str> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["id"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&d_id.as_str()) && ids.contains(&u_id.as_str()),
        "{v}"
    );
    assert_eq!(v["items"][0]["owner"], "unit", "newest first: {v}");
    let d = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["id"] == d_id.as_str())
        .unwrap();
    assert_eq!(d["kind"], "orgs");
    assert_eq!(d["owner"], "tianning", "{v}");
    assert_eq!(d["rejected"], 1, "{v}");
    assert_eq!(d["counts"]["written"], false, "{v}");
    assert_eq!(d["has_rejected"], true, "{v}");
    let wt = app.token("wujin").await;
    let (_, v) = app.get(&wt, "/api/v1/imports").await;
    assert_eq!(v["total"], 0, "{v}");
    assert_eq!(
        app.get(&wt, &format!("/api/v1/imports/{d_id}")).await.0,
        404
    );
    let (_, v) = app
        .get(
            &app.token("tianning").await,
            "/api/v1/imports?per_page=1&page=2",
        )
        .await;
    assert_eq!(
        (v["total"].as_i64(), v["items"].as_array().unwrap().len()),
        (Some(2), 1),
        "{v}"
    );
    assert_eq!(v["items"][0]["id"], d_id.as_str(), "{v}");
}

/// A job still running when its page is rendered: the page shows the progress and polls
/// the status fragment (htmx attributes, no script), which swaps in the result once the
/// job is done — whichever server finished it.
#[tokio::test]
async fn running_job_page_polls_until_the_result_replaces_it() {
    let app = spawn_demo().await;
    let b = app.browser("tianning").await;
    let user = {
        let mut conn = app.svc.db.pool.acquire().await.unwrap();
        gongjiang_storage::users::by_username(&mut conn, "tianning")
            .await
            .unwrap()
            .unwrap()
            .0
    };
    let row = app
        .svc
        .create_import_job("stillrunning0001", user.id, "orgs", "slow.csv")
        .await
        .unwrap();
    let (s, page) = b.get("/imports/stillrunning0001").await;
    assert_eq!(s, 200);
    assert!(page.contains("正在校验并导入"), "{page}");
    assert!(
        page.contains("hx-get=\"/imports/stillrunning0001/status\"")
            && page.contains("hx-trigger=\"load delay:700ms\"")
            && page.contains("hx-target=\"#job\""),
        "{page}"
    );
    let (_, frag) = b.get("/imports/stillrunning0001/status").await;
    assert!(frag.contains("hx-trigger=\"load delay:700ms\""), "{frag}");
    let outcome = gongjiang_storage::import::Outcome {
        total: 3,
        valid: 2,
        created: 1,
        updated: 1,
        unchanged: 0,
        would_create: 0,
        would_update: 0,
        problems: vec![gongjiang_storage::import::RowProblem {
            row: 4,
            field: Some("uscc".into()),
            message_zh: "统一社会信用代码校验码错误".into(),
            message_en: "bad check character".into(),
        }],
        written: true,
    };
    app.svc
        .finish_import_job(row, &outcome, None)
        .await
        .unwrap();
    let (_, frag) = b.get("/imports/stillrunning0001/status").await;
    assert!(!frag.contains("hx-trigger"), "polling stops: {frag}");
    assert!(
        frag.contains(
            "<td class=\"num\">4</td><td>统一社会信用代码</td><td>统一社会信用代码校验码错误</td>"
        ),
        "{frag}"
    );
    assert!(frag.contains("其余 2 行有效数据已写入"), "{frag}");
    // An unknown field is shown by its key.
    assert_eq!(
        gongjiang_web::ui::imports::column_label("orgs", Some("nonesuch")),
        "nonesuch"
    );
}
