//! The worker registry: encrypted at rest, masked in views, exact search through a keyed
//! hash, audited full views, live registry indicators.

use crate::helpers::*;
use reqwest::Method;
use serde_json::{json, Value};
use sqlx::Row;

/// The credit code of the first enterprise the token's user can see.
async fn first_enterprise(app: &TestApp, tok: &str) -> String {
    app.first_uscc(tok, "kind=enterprise&per_page=1").await
}

async fn reg(app: &TestApp, tok: &str, org: &str) -> f64 {
    let v = app
        .get(tok, &format!("/api/v1/indicators?org={org}&period=2026"))
        .await
        .1;
    v["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == "registered_workers")
        .unwrap()["value"]
        .as_f64()
        .unwrap()
}

#[tokio::test]
async fn personal_data_is_encrypted_masked_and_audited() {
    let app = spawn_demo().await;
    let tn = app.token("tianning").await;
    let city = app.token("city").await;
    assert_eq!(reg(&app, &city, "320400").await, 2400.0);
    let before = reg(&app, &city, "320402").await;
    let ent = first_enterprise(&app, &tn).await;
    let num = id_number("32040219900307123");
    // A wrong check character: 422 on the field, nothing stored.
    let mut bad = num.clone();
    let last = bad.pop().unwrap();
    bad.push(if last == '0' { '1' } else { '0' });
    let (s, v) = app
        .post(
            &tn,
            "/api/v1/workers",
            json!({"name": "张测试", "id_number": bad, "org": ent}),
        )
        .await;
    refused_on(s, &v, 422, "id_number");
    assert!(v["error"]["message"].as_str().unwrap().contains("校验码"));
    let v = app.post_ok(&tn, "/api/v1/workers", json!({"name": "张测试", "id_number": num, "org": ent, "phone": "138-1234-5678", "skill_level": "技师", "frontline": true})).await;
    let body = v.to_string();
    assert!(
        !body.contains(&num) && !body.contains("13812345678"),
        "no full number in the API: {body}"
    );
    assert_eq!(
        v["id_masked"],
        format!("{}********{}", &num[..6], &num[14..])
    );
    assert_eq!(v["phone_masked"], "138****5678");
    assert_eq!(v["gender"], "男", "the 17th digit is odd");
    assert_eq!(v["birth_year"], 1990);
    let id = v["id"].as_i64().unwrap();
    // At rest: neither number appears anywhere in the row.
    let row = sqlx::query("SELECT id_enc, id_hash, phone_enc FROM workers WHERE id = $1")
        .bind(id)
        .fetch_one(&app.svc.db.pool)
        .await
        .unwrap();
    for i in 0..3 {
        let cell: String = row.try_get(i).unwrap();
        assert!(
            !cell.contains(&num[6..14]) && !cell.contains("12345678"),
            "{cell}"
        );
    }
    // Exact search through the keyed hash; the registry count moved at once.
    let (_, found) = app
        .get(&tn, &format!("/api/v1/workers?id_number={num}"))
        .await;
    assert_eq!(found["total"], 1);
    assert_eq!(found["items"][0]["id"], id);
    assert_eq!(reg(&app, &city, "320402").await, before + 1.0);
    // Saving the same number again updates, it does not duplicate.
    app.post_ok(
        &tn,
        "/api/v1/workers",
        json!({"name": "张测试", "id_number": num, "org": ent, "skill_level": "高级技师"}),
    )
    .await;
    assert_eq!(reg(&app, &city, "320402").await, before + 1.0);
    // Full view: allowed to the district, audited; not to another district (404) or an expert.
    let r = app
        .post_ok(&tn, &format!("/api/v1/workers/{id}/reveal"), json!({}))
        .await;
    assert_eq!(r["id_number"], num.as_str());
    assert_eq!(r["phone"], Value::Null, "the second save had no phone");
    let (_, log) = app
        .get(
            &app.token("admin").await,
            &format!("/api/v1/audit?action=reveal&entity_id={id}"),
        )
        .await;
    assert_eq!(log["total"], 1);
    assert_eq!(log["items"][0]["username"], "tianning");
    assert!(
        !log.to_string().contains(&num),
        "the audit log does not store the number"
    );
    assert_eq!(
        app.post(
            &app.token("wujin").await,
            &format!("/api/v1/workers/{id}/reveal"),
            json!({})
        )
        .await
        .0,
        404
    );
    assert_eq!(
        app.post(
            &app.token("expert").await,
            &format!("/api/v1/workers/{id}/reveal"),
            json!({})
        )
        .await
        .0,
        403
    );
    // Another district cannot take the worker over.
    let wj = app.token("wujin").await;
    let went = app.first_uscc(&wj, "kind=enterprise&per_page=1").await;
    app.post(
        &wj,
        "/api/v1/workers",
        json!({"name": "张测试", "id_number": num, "org": went}),
    )
    .await
    .refused(409, "worker_elsewhere");
    // Phone rules.
    app.post(&tn, "/api/v1/workers", json!({"name": "李测试", "id_number": id_number("32040219850101002"), "org": ent, "phone": "12345"})).await.refused_on(422, "phone");
    // Deleting takes the count back.
    assert_eq!(
        app.send(
            Method::DELETE,
            &tn,
            &format!("/api/v1/workers/{id}"),
            json!({})
        )
        .await
        .0,
        204
    );
    assert_eq!(reg(&app, &city, "320402").await, before);
}

#[tokio::test]
async fn worker_pages_show_masks_and_reveal_on_request() {
    let app = spawn_demo().await;
    let b = app.browser("tianning").await;
    let list = b.get_ok("/workers").await;
    assert!(list.contains("********"));
    let t = app.token("tianning").await;
    let w = app.get(&t, "/api/v1/workers?per_page=1").await.1["items"][0].clone();
    let page = b.get_ok(&format!("/workers/{}", w["id"])).await;
    assert!(page.contains(w["id_masked"].as_str().unwrap()) && page.contains("查看完整号码"));
    let (s, revealed, _) = b.post(&format!("/workers/{}/reveal", w["id"]), &[]).await;
    assert_eq!(s, 200);
    assert!(revealed.contains("已记入审计日志"));
    let masked = w["id_masked"].as_str().unwrap();
    assert!(revealed.contains(&masked[..6]) && !revealed.contains("********"));
    let html = b
        .refused(
            "/workers",
            &[
                ("name", "王表单"),
                ("id_number", "320402199001011230"),
                ("org", "x"),
            ],
        )
        .await;
    assert!(html.contains("value=\"王表单\""));
}

#[tokio::test]
async fn titles_held_by_workers() {
    let app = spawn_demo().await;
    let tn = app.token("tianning").await;
    let city = app.token("city").await;
    let ent = first_enterprise(&app, &tn).await;
    let num = id_number("32040219880808004");
    let w = app
        .post_ok(
            &tn,
            "/api/v1/workers",
            json!({"name": "周工匠", "id_number": num, "org": ent, "skill_level": "首席技师"}),
        )
        .await;
    let lc = |v: &Value| {
        v["indicators"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["code"] == "lc_craftsmen")
            .unwrap()["value"]
            .as_f64()
            .unwrap()
    };
    let before = lc(&app
        .get(&city, "/api/v1/indicators?org=320402&period=2026")
        .await
        .1);
    let (s, d) = app.post(&tn, "/api/v1/designations", json!({"dtype": "龙城工匠", "level": "市级", "year": "2025", "worker": num, "document_no": "常政发〔2025〕1号"})).await;
    assert_eq!(s, 201, "{d}");
    assert_eq!(d["worker_name"], "周工匠");
    assert_eq!(d["holder_worker_id"], w["id"]);
    assert!(!d.to_string().contains(&num));
    assert_eq!(
        lc(&app
            .get(&city, "/api/v1/indicators?org=320402&period=2026")
            .await
            .1),
        before + 1.0
    );
    // A second craftsman in the same enterprise and year is a different title.
    let num2 = id_number("32040219870707005");
    app.post(
        &tn,
        "/api/v1/workers",
        json!({"name": "吴工匠", "id_number": num2, "org": ent}),
    )
    .await;
    app.post(
        &tn,
        "/api/v1/designations",
        json!({"dtype": "龙城工匠", "level": "市级", "year": "2025", "worker": num2}),
    )
    .await
    .answers(201);
    app.post(
        &tn,
        "/api/v1/designations",
        json!({"dtype": "龙城工匠", "level": "市级", "year": "2025", "worker": num}),
    )
    .await
    .refused(409, "duplicate_designation");
    // Editing without restating the worker keeps the holder.
    let (s, e) = app
        .patch(
            &tn,
            &format!("/api/v1/designations/{}", d["id"]),
            json!({"document_no": "常政发〔2025〕2号"}),
        )
        .await;
    assert_eq!(s, 200, "{e}");
    assert_eq!(e["holder_worker_id"], w["id"]);
    // The worker's page lists the title; exports carry the full number for region staff.
    let b = app.browser("tianning").await;
    let (_, page) = b.get(&format!("/workers/{}", w["id"])).await;
    assert!(page.contains("龙城工匠") && page.contains("常政发〔2025〕2号"));
    let r = app
        .raw(&tn, "/api/v1/exports/designations?format=csv&org=320402")
        .await;
    let csv = r.text().await.unwrap();
    assert!(
        csv.contains(&num),
        "region staff export the full number to re-import"
    );
    // Import of person-held titles by ID number.
    let job = app
        .import_and_wait(
            &tn,
            "designations",
            "d.csv",
            format!("类型,级别,年份,统一社会信用代码,身份证号,文号\n技术能手,市级,2025,,{num},常人社发〔2025〕9号\n").into_bytes(),
            false,
            None,
        )
        .await;
    assert_eq!(job["outcome"]["created"], 1, "{job}");
}

/// Stored forms (migration 0020): keyed hashes are 128-bit (32 hex digits), ciphertexts
/// base64 marked with '~'; the migration shortens hashes stored before it in place, so
/// search by number finds those workers again.
#[tokio::test]
async fn keyed_hashes_are_short_and_old_ones_are_migrated() {
    let app = spawn_demo().await;
    let tn = app.token("tianning").await;
    let ent = first_enterprise(&app, &tn).await;
    let num = id_number("32040219880808123");
    let (s, v) = app
        .post(
            &tn,
            "/api/v1/workers",
            json!({"name": "李迁移", "id_number": num, "org": ent, "phone": "13900001111"}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let id = v["id"].as_i64().unwrap();
    let row =
        sqlx::query("SELECT id_hash, phone_hash, id_enc, phone_enc FROM workers WHERE id = $1")
            .bind(id)
            .fetch_one(&app.svc.db.pool)
            .await
            .unwrap();
    let (h, ph, enc, penc): (String, String, String, String) = (
        row.try_get(0).unwrap(),
        row.try_get(1).unwrap(),
        row.try_get(2).unwrap(),
        row.try_get(3).unwrap(),
    );
    assert_eq!((h.len(), ph.len()), (32, 32));
    assert!(
        enc.starts_with('~') && penc.starts_with('~'),
        "{enc} {penc}"
    );
    // nonce 12 + 18 digits + tag 16 = 46 bytes: 62 base64 characters after the mark.
    assert_eq!(enc.len(), 63, "{enc}");
    // As stored before migration 0020: the full 256-bit hash (64 hex digits).
    let tail = "0123456789abcdef0123456789abcdef";
    sqlx::query(
        "UPDATE workers SET id_hash = id_hash || $1, phone_hash = phone_hash || $1 WHERE id = $2",
    )
    .bind(tail)
    .bind(id)
    .execute(&app.svc.db.pool)
    .await
    .unwrap();
    let search = format!("/api/v1/workers?id_number={num}");
    assert_eq!(app.get(&tn, &search).await.1["total"], 0);
    for stmt in include_str!("../../../storage/migrations/0020_short_keyed_hashes.sql")
        .split(';')
        .map(|s| {
            s.lines()
                .filter(|l| !l.trim_start().starts_with("--"))
                .collect::<Vec<_>>()
                .join("\n")
        })
        .filter(|s| !s.trim().is_empty())
    {
        sqlx::query(&stmt).execute(&app.svc.db.pool).await.unwrap();
    }
    let (_, found) = app.get(&tn, &search).await;
    assert_eq!(found["total"], 1, "{found}");
    assert_eq!(found["items"][0]["id"], id);
    let (s, r) = app
        .post(&tn, &format!("/api/v1/workers/{id}/reveal"), json!({}))
        .await;
    assert_eq!(
        (s, r["id_number"].as_str(), r["phone"].as_str()),
        (200, Some(num.as_str()), Some("13900001111"))
    );
}
