//! The worker registry's bulk import and streamed export: created / updated / unchanged,
//! live registry indicators, all-or-nothing with precise per-cell messages, skip-invalid,
//! scope, lossless round trips, masked exports for roles that may not see numbers, and
//! certificate lists.

use crate::helpers::*;
use serde_json::{json, Value};

const HEADER: &str =
    "姓名,身份证号,单位信用代码,手机号,工种,技能等级,证书编号,取证日期,是否一线职工,政治面貌\n";

async fn upload(app: &TestApp, tok: &str, name: &str, bytes: Vec<u8>, skip: bool) -> Value {
    app.import_and_wait(tok, "workers", name, bytes, skip, None)
        .await
}

async fn indicator(app: &TestApp, tok: &str, org: &str, code: &str) -> f64 {
    indicator_at(app, tok, org, "2026", code).await["value"]
        .as_f64()
        .unwrap()
}

async fn export(app: &TestApp, tok: &str, query: &str) -> (u16, Vec<u8>) {
    let r = app
        .raw(tok, &format!("/api/v1/exports/workers?{query}"))
        .await;
    (r.status().as_u16(), r.bytes().await.unwrap().to_vec())
}

async fn first_uscc(app: &TestApp, tok: &str, region: &str) -> String {
    app.get(
        tok,
        &format!("/api/v1/orgs?kind=enterprise&region={region}&per_page=1"),
    )
    .await
    .1["items"][0]["uscc"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn worker_import_counts_feeds_indicators_and_round_trips() {
    let app = spawn_demo().await;
    let city = app.token("city").await;
    let ent = first_uscc(&app, &city, "320402").await;
    let before = indicator(&app, &city, "320402", "registered_workers").await;
    let high = indicator(&app, &city, "320400", "registered_high_skilled").await;
    let (a, b, c) = (
        id_number("32040219850101101"),
        id_number("32040219860202102"),
        id_number("32040219870303103"),
    );
    // Full-width digits and spaces in codes are folded; a date written 2021/5/1 is read.
    let csv = format!(
        "{HEADER}测试甲,{a},{ent},138 0000 1111,车工,高级工,C-001,2021/5/1,是,群众\n\
         测试乙,{b},{ent},,钳工,中级工,,,否,\n\
         测试丙,{c},{ent},,,,,,,\n"
    );
    let job = upload(&app, &city, "w.csv", csv.clone().into_bytes(), false).await;
    assert_eq!(job["status"], "done", "{job}");
    let o = &job["outcome"];
    assert_eq!(
        (o["created"].as_u64(), o["written"].as_bool()),
        (Some(3), Some(true)),
        "{o}"
    );
    assert_eq!(
        indicator(&app, &city, "320402", "registered_workers").await,
        before + 3.0,
        "the import settles the aggregates in its transaction"
    );
    assert_eq!(
        indicator(&app, &city, "320400", "registered_high_skilled").await,
        high + 1.0
    );
    // The same file again changes nothing.
    let job = upload(&app, &city, "w.csv", csv.into_bytes(), false).await;
    assert_eq!(job["outcome"]["unchanged"], 3, "{job}");
    assert_eq!(job["outcome"]["created"], 0);
    // The worker reads back with the certificate in its list.
    let (_, list) = app.get(&city, "/api/v1/workers?q=测试甲").await;
    let w = &list["items"][0];
    assert_eq!(w["phone_masked"], "138****1111");
    assert_eq!(w["certified_on"], "2021-05-01");
    assert_eq!(w["certificates"][0]["no"], "C-001");
    // A change: updated, and the indicators follow (高级工 → 中级工).
    let csv2 =
        format!("{HEADER}测试甲,{a},{ent},13800001111,车工,中级工,C-001,2021-05-01,是,群众\n");
    let job = upload(&app, &city, "w2.csv", csv2.into_bytes(), false).await;
    assert_eq!(job["outcome"]["updated"], 1, "{job}");
    assert_eq!(
        indicator(&app, &city, "320400", "registered_high_skilled").await,
        high
    );
    // A move to an employer in another district, now 技师: the old organisation loses
    // the worker, the new one gains a high-skilled worker (the importer's own deltas),
    // and the maintained aggregates equal a full rebuild.
    let wujin_ent = first_uscc(&app, &city, "320412").await;
    let wujin = indicator(&app, &city, "320412", "registered_workers").await;
    let csv3 =
        format!("{HEADER}测试甲,{a},{wujin_ent},13800001111,车工,技师,C-002,2022-06-01,是,群众\n");
    let job = upload(&app, &city, "w3.csv", csv3.into_bytes(), false).await;
    assert_eq!(job["outcome"]["updated"], 1, "{job}");
    assert_eq!(
        indicator(&app, &city, "320402", "registered_workers").await,
        before + 2.0
    );
    assert_eq!(
        indicator(&app, &city, "320412", "registered_workers").await,
        wujin + 1.0
    );
    assert_eq!(
        indicator(&app, &city, "320400", "registered_high_skilled").await,
        high + 1.0
    );
    aggregates_agree(&app, "reg:").await;
    // Back to the first employer, 中级工, for the export round trip below.
    let job = upload(
        &app,
        &city,
        "w2.csv",
        csv2_again(&a, &ent).into_bytes(),
        false,
    )
    .await;
    assert_eq!(job["outcome"]["updated"], 1, "{job}");
    aggregates_agree(&app, "reg:").await;
    // Exports (full numbers for the city) import back unchanged, both formats.
    for fmt in ["csv", "xlsx"] {
        let (s, bytes) = export(&app, &city, &format!("format={fmt}&org=320402")).await;
        assert_eq!(s, 200);
        if fmt == "csv" {
            let text = String::from_utf8(bytes.clone()).unwrap();
            assert!(text.contains(&a), "full number in a city export");
        }
        let job = upload(&app, &city, &format!("w.{fmt}"), bytes, false).await;
        let o = &job["outcome"];
        assert!(o["total"].as_u64().unwrap() > 3, "{o}");
        assert_eq!(o["unchanged"], o["total"], "{fmt}: {o}");
    }
    let (_, log) = app
        .get(&app.token("admin").await, "/api/v1/audit?action=export")
        .await;
    assert!(log["total"].as_u64().unwrap() >= 2, "{log}");
}

fn csv2_again(a: &str, ent: &str) -> String {
    format!("{HEADER}测试甲,{a},{ent},13800001111,车工,中级工,C-001,2021-05-01,是,群众\n")
}

#[tokio::test]
async fn bad_worker_rows_write_nothing_and_skip_invalid_writes_exactly_the_valid() {
    let app = spawn_demo().await;
    let tn = app.token("tianning").await;
    let city = app.token("city").await;
    let ent = first_uscc(&app, &tn, "320402").await;
    let wujin_ent = first_uscc(&app, &city, "320412").await;
    // Someone registered in 武进 (outside 天宁's area).
    let elsewhere = id_number("32041219800101555");
    app.post_ok(
        &city,
        "/api/v1/workers",
        json!({"name": "武进职工", "id_number": elsewhere, "org": wujin_ent}),
    )
    .await;
    let good = id_number("32040219900101201");
    let mut bad_check = id_number("32040219900101202");
    let last = bad_check.pop().unwrap();
    bad_check.push(if last == '0' { '1' } else { '0' });
    let other = id_number("32040219900101203");
    let csv = format!(
        "{HEADER}正常,{good},{ent},,,,,,,\n\
         校验错,{bad_check},{ent},,,,,,,\n\
         重复,{good},{ent},,,,,,,\n\
         越界单位,{other},{wujin_ent},,,,,,,\n\
         已在别处,{elsewhere},{ent},,,,,,,\n\
         等级错,{},{ent},,,九级工,,,,\n\
         日期错,{},{ent},,,,,2099-01-01,,\n",
        id_number("32040219900101204"),
        id_number("32040219900101205"),
    );
    let before = indicator(&app, &city, "320402", "registered_workers").await;
    let job = upload(&app, &tn, "bad.csv", csv.clone().into_bytes(), false).await;
    let o = &job["outcome"];
    assert_eq!(o["written"], false, "{o}");
    // A refused file wrote nothing and says so: the valid row is reported as what
    // would have been created, not as created.
    assert_eq!(
        (o["created"].as_u64(), o["would_create"].as_u64()),
        (Some(0), Some(1)),
        "{o}"
    );
    let problems = o["problems"].as_array().unwrap();
    let at = |row: u64| -> String {
        problems
            .iter()
            .filter(|p| p["row"] == row)
            .map(|p| {
                format!(
                    "{}:{}",
                    p["field"].as_str().unwrap_or(""),
                    p["message_zh"].as_str().unwrap()
                )
            })
            .collect::<Vec<_>>()
            .join(" | ")
    };
    assert!(at(2).is_empty(), "{}", at(2));
    assert!(
        at(3).starts_with("id_number:") && at(3).contains("校验"),
        "{}",
        at(3)
    );
    assert!(at(4).contains("第 2 行重复"), "{}", at(4));
    assert!(
        at(5).starts_with("org_uscc:") && at(5).contains("管辖范围"),
        "{}",
        at(5)
    );
    assert!(at(6).contains("管辖范围以外"), "{}", at(6));
    assert!(
        at(7).contains("技能等级") && at(7).contains("九级工"),
        "{}",
        at(7)
    );
    assert!(at(8).starts_with("certified_on:"), "{}", at(8));
    assert_eq!(
        indicator(&app, &city, "320402", "registered_workers").await,
        before,
        "nothing written"
    );
    // skip_invalid: exactly the one valid row, and the rejected rows as a workbook.
    let job = upload(&app, &tn, "bad.csv", csv.into_bytes(), true).await;
    let o = &job["outcome"];
    assert_eq!(
        (o["written"].as_bool(), o["created"].as_u64()),
        (Some(true), Some(1)),
        "{o}"
    );
    assert_eq!(o["valid"], 1);
    assert_eq!(
        indicator(&app, &city, "320402", "registered_workers").await,
        before + 1.0
    );
    let r = app
        .raw(
            &tn,
            &format!("/api/v1/imports/{}/rejected", job["id"].as_str().unwrap()),
        )
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(&r.bytes().await.unwrap()[..2], b"PK");
    // Wrong headers: refused before anything is read.
    let job = upload(
        &app,
        &tn,
        "h.csv",
        "姓名,证件\n张三,1\n".as_bytes().to_vec(),
        false,
    )
    .await;
    assert_eq!(job["status"], "failed", "{job}");
}

#[tokio::test]
async fn worker_exports_mask_numbers_for_roles_that_may_not_see_them() {
    let app = spawn_demo().await;
    let city = app.token("city").await;
    let (s, full) = export(&app, &city, "format=csv&org=320402").await;
    assert_eq!(s, 200);
    let full = String::from_utf8(full).unwrap();
    assert!(!full.contains("********"), "the city sees full numbers");
    let dept = app.token("renshe").await;
    let (s, body) = export(&app, &dept, "format=csv").await;
    if s == 200 {
        let text = String::from_utf8(body).unwrap();
        let rows: Vec<&str> = text.lines().skip(1).collect();
        assert!(
            rows.iter().all(|l| l.contains("********")),
            "a department's export is masked"
        );
    } else {
        assert!(s == 403 || s == 404, "{s}");
    }
}

#[tokio::test]
async fn a_worker_holds_several_certificates() {
    let app = spawn_demo().await;
    let tn = app.token("tianning").await;
    let ent = first_uscc(&app, &tn, "320402").await;
    let num = id_number("32040219880808301");
    let w = app.post_ok(
            &tn,
            "/api/v1/workers",
            json!({
                "name": "多证职工", "id_number": num, "org": ent,
                "skill_level": "技师", "certificate_no": "T-2023-9", "certified_on": "2023-06-01",
                "certificates": [
                    {"no": "S-2018-1", "skill_level": "高级工", "occupation": "焊工", "certified_on": "2018-05-01", "issuer": "常州市职业技能鉴定指导中心"},
                    {"no": "E-2020-7", "skill_level": "中级工", "occupation": "电工"}
                ]
            }),
        ).await;
    let certs = w["certificates"].as_array().unwrap();
    assert_eq!(certs.len(), 3, "two given plus the current one: {w}");
    assert_eq!(certs[0]["skill_level"], "senior");
    // A bad date inside the list names the item and the field.
    let e = app
        .post(
            &tn,
            "/api/v1/workers",
            json!({"name": "多证职工", "id_number": num, "org": ent,
                   "certificates": [{"no": "X-1", "certified_on": "2023-13-01"}]}),
        )
        .await
        .answers(422);
    assert!(
        e.to_string().contains("certificates[0].certified_on"),
        "{e}"
    );
    // The detail page lists them.
    let b = app.browser("tianning").await;
    let html = b.get_ok(&format!("/workers/{}", w["id"])).await;
    assert!(html.contains("S-2018-1") && html.contains("E-2020-7") && html.contains("T-2023-9"));
}

/// The worker table's indexes, by name.
async fn worker_indexes(app: &TestApp) -> Vec<String> {
    let sql = match app.svc.db.backend {
        gongjiang_storage::Backend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'workers' AND sql IS NOT NULL ORDER BY name"
        }
        gongjiang_storage::Backend::Postgres => {
            "SELECT CAST(indexname AS TEXT) FROM pg_indexes WHERE tablename = 'workers' AND indexname NOT LIKE '%_pkey' ORDER BY 1"
        }
    };
    sqlx::query_scalar::<_, String>(sql)
        .fetch_all(&app.svc.db.pool)
        .await
        .unwrap()
}

/// A load large enough that SQLite drops the worker indexes for it and builds them again
/// before the commit (worker_bulk.rs): every rule holds as for a small file.
#[tokio::test]
async fn a_large_import_rebuilds_the_indexes_and_keeps_every_rule() {
    let app = spawn_demo().await;
    let city = app.token("city").await;
    let orgs = [
        first_uscc(&app, &city, "320402").await,
        first_uscc(&app, &city, "320412").await,
    ];
    if app.svc.db.backend == gongjiang_storage::Backend::Sqlite {
        // A new SQLite database is made with 16 KiB pages (fewer WAL frames per import).
        let page: i64 = sqlx::query_scalar("PRAGMA page_size")
            .fetch_one(&app.svc.db.pool)
            .await
            .unwrap();
        assert_eq!(page, 16384);
    }
    let indexes = worker_indexes(&app).await;
    assert!(
        indexes.contains(&"workers_id_hash".to_string()),
        "{indexes:?}"
    );
    let workers0 = indicator(&app, &city, "320400", "registered_workers").await;
    let high0 = indicator(&app, &city, "320400", "registered_high_skilled").await;
    let n = gongjiang_storage::worker_bulk::DEFER_INDEXES_MIN_ROWS + 2_000;
    let number = |i: usize| {
        let born = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap()
            + chrono::Duration::days((i / 900) as i64);
        id_number(&format!(
            "320402{}{:03}",
            born.format("%Y%m%d"),
            100 + i % 900
        ))
    };
    let row = |i: usize, occupation: &str| {
        format!(
            "批量{i},{},{},,{occupation},{},,,是,\n",
            number(i),
            orgs[i % 2],
            if i.is_multiple_of(3) {
                "高级工"
            } else {
                "中级工"
            }
        )
    };
    let mut csv = HEADER.to_string();
    for i in 0..n {
        csv.push_str(&row(i, "钳工"));
    }
    // One duplicate at the end: nothing is written, the indexes are as they were.
    let bad = format!("{csv}{}", row(1, "钳工"));
    let job = upload(&app, &city, "big.csv", bad.clone().into_bytes(), false).await;
    let o = &job["outcome"];
    assert_eq!(o["written"], false, "{o}");
    assert_eq!(o["problems"].as_array().unwrap().len(), 1, "{o}");
    assert!(
        o["problems"][0]["message_zh"]
            .as_str()
            .unwrap()
            .contains("第 3 行"),
        "{o}"
    );
    assert_eq!(
        indicator(&app, &city, "320400", "registered_workers").await,
        workers0
    );
    assert_eq!(worker_indexes(&app).await, indexes);
    // skip_invalid: exactly the valid rows; the aggregates follow.
    let job = upload(&app, &city, "big.csv", bad.into_bytes(), true).await;
    let o = &job["outcome"];
    assert_eq!(
        (o["created"].as_u64(), o["written"].as_bool()),
        (Some(n as u64), Some(true)),
        "{o}"
    );
    assert_eq!(
        indicator(&app, &city, "320400", "registered_workers").await,
        workers0 + n as f64
    );
    assert_eq!(
        indicator(&app, &city, "320400", "registered_high_skilled").await,
        high0 + n.div_ceil(3) as f64
    );
    assert_eq!(worker_indexes(&app).await, indexes, "re-created");
    // The unique index is back: a second row with a stored keyed hash is refused.
    let copy = sqlx::query(
        "INSERT INTO workers (org_id, name, id_enc, id_hash, id_masked, created_at, updated_at) \
         SELECT org_id, name, id_enc, id_hash, id_masked, created_at, updated_at FROM workers WHERE name = '批量5'",
    )
    .execute(&app.svc.db.pool)
    .await;
    assert!(copy.is_err(), "a duplicate keyed hash must be refused");
    // Exact search by number goes through the rebuilt index.
    let (_, found) = app
        .get(
            &city,
            &format!("/api/v1/workers?id_number={}", number(n - 1)),
        )
        .await;
    assert_eq!(found["total"], 1, "{found}");
    // Again large: new rows first (the indexes go early), then rows registered above,
    // changed or not; those are found by id with the indexes gone.
    let mut csv = HEADER.to_string();
    for i in n..2 * n {
        csv.push_str(&row(i, "钳工"));
    }
    for i in 0..100 {
        csv.push_str(&row(i, "车工"));
    }
    for i in 100..150 {
        csv.push_str(&row(i, "钳工"));
    }
    let job = upload(&app, &city, "more.csv", csv.clone().into_bytes(), false).await;
    let o = &job["outcome"];
    assert_eq!(
        (
            o["created"].as_u64(),
            o["updated"].as_u64(),
            o["unchanged"].as_u64()
        ),
        (Some(n as u64), Some(100), Some(50)),
        "{o}"
    );
    assert_eq!(
        indicator(&app, &city, "320400", "registered_workers").await,
        workers0 + 2.0 * n as f64
    );
    assert_eq!(worker_indexes(&app).await, indexes);
    // Idempotent: the same file again finds every row unchanged.
    let job = upload(&app, &city, "more.csv", csv.into_bytes(), false).await;
    let o = &job["outcome"];
    assert_eq!(o["unchanged"].as_u64(), Some(n as u64 + 150), "{o}");
    assert_eq!(o["created"], 0, "{o}");
    let (_, list) = app.get(&city, "/api/v1/workers?q=批量7").await;
    assert!(list["total"].as_u64().unwrap() >= 1, "{list}");
}
