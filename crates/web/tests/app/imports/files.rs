//! Import files: round trips, all-or-nothing, periods, bad files.

use super::*;

#[tokio::test]
async fn exports_reimport_to_the_identical_state() {
    let app = spawn_demo().await;
    let t = app.token("city").await;
    for kind in ["orgs", "pilots", "designations", "reports"] {
        for fmt in ["xlsx", "csv"] {
            let r = app
                .raw(
                    &t,
                    &format!("/api/v1/exports/{kind}?format={fmt}&org=320402"),
                )
                .await;
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
    let r = app.anon("/api/v1/templates/reports").await;
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
        .raw(
            &t,
            &format!("/api/v1/imports/{}/rejected", job["id"].as_str().unwrap()),
        )
        .await;
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

/// The web import takes the CLI's `--period`: rows of the named period pass; a file with
/// rows of another period is refused naming 报告期; other kinds refuse the option.
#[tokio::test]
async fn web_imports_take_a_report_period() {
    let app = spawn_demo().await;
    let t = app.token("city").await;
    let r = app
        .raw(
            &t,
            &format!(
                "/api/v1/exports/reports?format=csv&org=320402&period={}",
                demo_period(0)
            ),
        )
        .await;
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

/// Within one designations file, duplicates are found with the register's key: two
/// people holding the same title in one enterprise and year are two records; the same
/// person twice, or an organisation's title twice, is a duplicate.
#[tokio::test]
async fn designation_files_key_person_titles_on_the_holder() {
    let app = spawn_demo().await;
    let t = app.token("tianning").await;
    let city = app.token("city").await;
    let ent = app
        .first_uscc(&t, "kind=enterprise&region=320402&per_page=1")
        .await;
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
