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
