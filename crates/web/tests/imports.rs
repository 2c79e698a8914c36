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
        .get(&t, "/api/v1/indicators?org=320481&period=2025")
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
    let csv = format!("统一社会信用代码,报告期,职工总数,高技能人才数,培训投入万元\n{a},2025,1000,150,12.5\n{b},2025,\"2,000\",300,\n");
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
        .get(&t, "/api/v1/indicators?org=320481&period=2025")
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
    let bad = format!("统一社会信用代码,报告期,职工总数,高技能人才数\n{a},2026,10,20\n");
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
        .get(app.at("/api/v1/exports/reports?format=csv&org=320402&period=2023"))
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
        Some("2023"),
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
        Some("2021"),
    )
    .await;
    assert!(
        job.to_string().contains("2021"),
        "rows of 2023 are refused under period 2021: {job}"
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
        Some("2023"),
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
            assert_eq!(code, "import_interrupted")
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
