//! Organisations: listing, scope, validation, locking.

use super::*;

#[tokio::test]
async fn orgs_list_filters_and_paginates() {
    let app = spawn_demo().await;
    let t = app.token("city").await;
    let (s, all) = app.get(&t, "/api/v1/orgs?per_page=5").await;
    assert_eq!(s, 200);
    assert_eq!(all["items"].as_array().unwrap().len(), 5);
    assert_eq!(all["per_page"], 5);
    let total = all["total"].as_i64().unwrap();
    assert!(total > 1200, "{total}");
    // Every list pages the same way: page from 1, at most 500 rows — but the reports,
    // which an export reads 1,000 at a time (storage::sql::page_of / page_up_to).
    for (path, cap) in [
        ("/api/v1/orgs", 500),
        ("/api/v1/pilots", 500),
        ("/api/v1/workers", 500),
        ("/api/v1/reports", 1000),
    ] {
        let v = app
            .get_ok(&t, &format!("{path}?per_page=100000&page=-3"))
            .await;
        assert_eq!(v["per_page"], cap, "{path}");
        assert_eq!(v["page"], 1, "{path}");
        assert!(v["items"].as_array().unwrap().len() as i64 <= cap, "{path}");
    }
    let (_, ent) = app.get(&t, "/api/v1/orgs?kind=enterprise&per_page=1").await;
    assert_eq!(ent["total"], 1200);
    let (_, ent_zh) = app
        .get(&t, "/api/v1/orgs?kind=%E4%BC%81%E4%B8%9A&per_page=1")
        .await;
    assert_eq!(ent_zh["total"], 1200);
    // A region means its whole subtree: the district's towns are included.
    let (_, tn) = app
        .get(
            &t,
            "/api/v1/orgs?region=320402&kind=enterprise&per_page=500",
        )
        .await;
    let n = tn["total"].as_i64().unwrap();
    assert!(n > 50 && n < 1200, "{n}");
    assert!(tn["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|o| o["region_code"].as_str().unwrap().len() == 9));
    for o in tn["items"].as_array().unwrap() {
        assert!(o["region_code"].as_str().unwrap().starts_with("320402"));
    }
    let (_, p2) = app
        .get(
            &t,
            "/api/v1/orgs?region=320402&kind=enterprise&per_page=10&page=2",
        )
        .await;
    assert_eq!(p2["page"], 2);
    assert_eq!(p2["items"][0]["id"], tn["items"][10]["id"]);
    let name = tn["items"][3]["name"].as_str().unwrap().to_string();
    let (_, q) = app
        .get(
            &t,
            &format!(
                "/api/v1/orgs?q={}",
                url::form_urlencoded::byte_serialize(name.as_bytes()).collect::<String>()
            ),
        )
        .await;
    assert_eq!(q["items"][0]["name"], name.as_str());
    let uscc = tn["items"][3]["uscc"].as_str().unwrap();
    let (_, q) = app
        .get(&t, &format!("/api/v1/orgs?q={}", &uscc[..12]))
        .await;
    assert!(q["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|o| o["uscc"] == uscc));
    let v = app.get(&t, "/api/v1/orgs?kind=bogus").await.answers(400);
    assert_eq!(err_code(&v), "bad_filter");
    app.get(&t, "/api/v1/orgs?page=abc").await.answers(400);
    // LIKE wildcards are literal.
    let (_, v) = app.get(&t, "/api/v1/orgs?q=%25").await;
    assert_eq!(v["total"], 0);
}

#[tokio::test]
async fn district_users_see_only_their_district_and_others_answer_404() {
    let app = spawn_demo().await;
    let city = app.token("city").await;
    let tianning = app.token("tianning").await;
    let wujin_org = app.org_id(&city, "region=320412&kind=enterprise").await;
    let tianning_org = app.org_id(&city, "region=320402&kind=enterprise").await;

    let v = app.get_ok(&tianning, "/api/v1/orgs?per_page=500").await;
    for o in v["items"].as_array().unwrap() {
        assert!(
            o["region_code"].as_str().unwrap().starts_with("320402"),
            "{o}"
        );
    }
    let (_, v) = app.get(&tianning, "/api/v1/orgs?region=320412").await;
    assert_eq!(v["total"], 0);
    let regions = app.get(&tianning, "/api/v1/regions").await.1;
    assert!(regions
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["code"].as_str().unwrap().starts_with("320402")));

    assert_eq!(
        app.get(&tianning, &format!("/api/v1/orgs/{tianning_org}"))
            .await
            .0,
        200
    );
    let (s_out, out) = app
        .get(&tianning, &format!("/api/v1/orgs/{wujin_org}"))
        .await;
    let (s_missing, missing) = app.get(&tianning, "/api/v1/orgs/99999999").await;
    assert_eq!((s_out, s_missing), (404, 404));
    assert_eq!(out, missing, "out of scope must look exactly like missing");
    app.patch(
        &tianning,
        &format!("/api/v1/orgs/{wujin_org}"),
        json!({"name": "改名"}),
    )
    .await
    .answers(404);
    app.send(
        Method::DELETE,
        &tianning,
        &format!("/api/v1/orgs/{wujin_org}"),
        json!({}),
    )
    .await
    .answers(404);
    // Creating in another district is refused without revealing anything.
    app.post(&tianning, "/api/v1/orgs", json!({"name": "越界企业有限公司", "kind": "enterprise", "uscc": uscc(1), "region_code": "320412"})).await.refused_on(422, "region_code");
    // The city still sees the record untouched.
    assert_eq!(
        app.get(&city, &format!("/api/v1/orgs/{wujin_org}")).await.0,
        200
    );
}

#[tokio::test]
async fn unit_department_and_expert_scopes() {
    let app = spawn_demo().await;
    let city = app.token("city").await;
    let unit = app.token("unit").await;
    let (_, me) = app.get(&unit, "/api/v1/me").await;
    let own = me["org_id"].as_i64().unwrap();
    let (_, v) = app.get(&unit, "/api/v1/orgs").await;
    assert_eq!(v["total"], 1);
    assert_eq!(v["items"][0]["id"], own);
    let other = app.org_id(&city, "region=320412&kind=enterprise").await;
    assert_eq!(
        app.get(&unit, &format!("/api/v1/orgs/{other}")).await.0,
        404
    );
    app.post(
        &unit,
        "/api/v1/orgs",
        json!({"name": "x公司", "kind": "enterprise", "region_code": "320402"}),
    )
    .await
    .answers(403);

    let renshe = app.token("renshe").await;
    let (_, v) = app.get(&renshe, "/api/v1/orgs?per_page=1").await;
    assert!(
        v["total"].as_i64().unwrap() > 1200,
        "member units read the city directory"
    );
    app.patch(
        &renshe,
        &format!("/api/v1/orgs/{other}"),
        json!({"contact": "x"}),
    )
    .await
    .answers(403);
    let own_renshe = app.get(&renshe, "/api/v1/me").await.1["org_id"]
        .as_i64()
        .unwrap();
    let _v = app
        .patch_ok(
            &renshe,
            &format!("/api/v1/orgs/{own_renshe}"),
            json!({"contact": "办公室 0519-85588888"}),
        )
        .await;

    let expert = app.token("expert").await;
    assert_eq!(app.get(&expert, "/api/v1/orgs").await.0, 403);
}

#[tokio::test]
async fn create_validates_codes_and_rejects_duplicates() {
    let app = spawn_demo().await;
    let t = app.token("tianning").await;
    let good = uscc(4242);
    let body = json!({"name": "常州测试储能科技有限公司", "kind": "enterprise", "uscc": good, "region_code": "320402", "industry": "c38", "ownership": "民营", "chain_leader": true});
    let (s, v) = app.post(&t, "/api/v1/orgs", body.clone()).await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(v["industry"], "C38");
    assert_eq!(v["ownership"], "private");
    assert_eq!(v["chain_leader"], true);
    let id = v["id"].as_i64().unwrap();
    assert_eq!(
        app.get(&t, &format!("/api/v1/orgs/{id}")).await.1["uscc"],
        good.as_str()
    );

    // Wrong check character: 422 naming the field and the rule.
    let mut bad = good.clone();
    let last = bad.pop().unwrap();
    bad.push(if last == '0' { '1' } else { '0' });
    let (s, v) = app.post(&t, "/api/v1/orgs", json!({"name": "另一家公司", "kind": "enterprise", "uscc": bad, "region_code": "320402"})).await;
    refused_on(s, &v, 422, "uscc");
    assert_eq!(err_code(&v), "bad_check_character");
    assert!(v["error"]["message"].as_str().unwrap().contains("校验码"));
    // Forbidden letters, wrong length.
    app.post(&t, "/api/v1/orgs", json!({"name": "另一家公司", "kind": "enterprise", "uscc": "91320402MA1XXXXXO0", "region_code": "320402"})).await.refused(422, "bad_character");
    app.post(&t, "/api/v1/orgs", json!({"name": "另一家公司", "kind": "enterprise", "uscc": "9132", "region_code": "320402"})).await.refused(422, "bad_length");
    // Duplicate code: 409.
    let v = app.post(&t, "/api/v1/orgs", json!({"name": "重复代码公司", "kind": "enterprise", "uscc": good, "region_code": "320402"})).await.answers(409);
    assert_eq!(err_code(&v), "duplicate_uscc");
    // Duplicate name in the same region: 409.
    let (s, v) = app.post(&t, "/api/v1/orgs", body.clone()).await;
    assert_eq!(s, 409, "{v}");
    // Several errors at once are all reported.
    let v = app
        .post(
            &t,
            "/api/v1/orgs",
            json!({"name": "", "kind": "公司", "region_code": "1"}),
        )
        .await
        .answers(422);
    let fields: Vec<_> = v["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(fields, ["name", "kind", "region_code"]);
    // Full-width digits and spaces in codes are normalised.
    let fw: String = uscc(777)
        .chars()
        .map(|c| {
            if c.is_ascii_digit() {
                char::from_u32(c as u32 + 0xFEE0).unwrap()
            } else {
                c
            }
        })
        .collect();
    let (s, v) = app.post(&t, "/api/v1/orgs", json!({"name": "全角代码公司", "kind": "enterprise", "uscc": format!(" {fw} "), "region_code": "３２０４０２"})).await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(v["uscc"], uscc(777).as_str());
}

#[tokio::test]
async fn update_delete_and_optimistic_locking() {
    let app = spawn_demo().await;
    let t = app.token("city").await;
    let o = app.post(&t, "/api/v1/orgs", json!({"name": "常州待改名有限公司", "kind": "enterprise", "uscc": uscc(9001), "region_code": "320411"})).await.answers(201);
    let id = o["id"].as_i64().unwrap();
    let v = app
        .patch_ok(
            &t,
            &format!("/api/v1/orgs/{id}"),
            json!({"name": "常州已改名有限公司", "version": 1}),
        )
        .await;
    assert_eq!(v["name"], "常州已改名有限公司");
    assert_eq!(v["version"], 2);
    assert_eq!(v["uscc"], o["uscc"], "absent fields keep their value");
    let v = app
        .patch(
            &t,
            &format!("/api/v1/orgs/{id}"),
            json!({"name": "又一个名字", "version": 1}),
        )
        .await
        .answers(409);
    assert_eq!(err_code(&v), "stale_version");
    app.patch(&t, &format!("/api/v1/orgs/{id}"), json!({"uscc": "123"}))
        .await
        .refused_on(422, "uscc");
    // A park with enterprises below it cannot be deleted.
    let park = app.org_id(&t, "kind=park").await;
    let _v = app
        .patch_ok(
            &t,
            &format!("/api/v1/orgs/{id}"),
            json!({"parent_id": park}),
        )
        .await;
    app.send(
        Method::DELETE,
        &t,
        &format!("/api/v1/orgs/{park}"),
        json!({}),
    )
    .await
    .refused(409, "has_children");
    // A park cannot be placed below its own child.
    app.patch(
        &t,
        &format!("/api/v1/orgs/{park}"),
        json!({"parent_id": id}),
    )
    .await
    .refused_on(422, "parent_id");
    app.patch_ok(
        &t,
        &format!("/api/v1/orgs/{id}"),
        json!({"parent_id": null}),
    )
    .await;
    app.send(Method::DELETE, &t, &format!("/api/v1/orgs/{id}"), json!({}))
        .await
        .answers(204);
    assert_eq!(app.get(&t, &format!("/api/v1/orgs/{id}")).await.0, 404);
    // An organisation with accounts cannot be deleted.
    let unit_org = app.get(&app.token("unit").await, "/api/v1/me").await.1["org_id"]
        .as_i64()
        .unwrap();
    app.send(
        Method::DELETE,
        &t,
        &format!("/api/v1/orgs/{unit_org}"),
        json!({}),
    )
    .await
    .refused(409, "has_users");
}

#[tokio::test]
async fn malformed_bodies_get_the_right_4xx_and_change_nothing() {
    let app = spawn_demo().await;
    let t = app.token("city").await;
    let before = app.get(&t, "/api/v1/orgs?per_page=1").await.1["total"].clone();
    let post = |body: &'static str, ct: &'static str| {
        app.client
            .post(app.at("/api/v1/orgs"))
            .bearer_auth(&t)
            .header("content-type", ct)
            .body(body)
            .send()
    };
    let r = post("{\"name\": ", "application/json").await.unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"]["code"],
        "malformed_json"
    );
    let r = post(
        "{\"name\": 5, \"kind\": \"enterprise\", \"region_code\": \"320402\"}",
        "application/json",
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 422);
    let v = r.json::<Value>().await.unwrap();
    assert_eq!(v["error"]["field"], "name");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("类型错误（应为文本）"),
        "{v}"
    );
    let r = post("{\"name\": \"甲公司\", \"kind\": \"enterprise\", \"region_code\": \"320402\", \"evil\": 1}", "application/json").await.unwrap();
    assert_eq!(r.status(), 422);
    let v = r.json::<Value>().await.unwrap();
    assert_eq!(v["error"]["field"], "evil");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("未知字段“evil”"),
        "{v}"
    );
    let r = post(
        "{\"kind\": \"enterprise\", \"region_code\": \"320402\"}",
        "application/json",
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 422);
    let v = r.json::<Value>().await.unwrap();
    assert_eq!(v["error"]["field"], "name");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("缺少必填字段“name”"),
        "{v}"
    );
    let r = post("name=x", "application/x-www-form-urlencoded")
        .await
        .unwrap();
    assert_eq!(r.status(), 415);
    let r = post("[1,2,3]", "application/json").await.unwrap();
    assert_eq!(r.status(), 422);
    let big = format!("{{\"name\": \"{}\"}}", "a".repeat(3 * 1024 * 1024));
    let r = app
        .client
        .post(app.at("/api/v1/orgs"))
        .bearer_auth(&t)
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    // Too-long and control characters.
    app.post(
        &t,
        "/api/v1/orgs",
        json!({"name": "长".repeat(101), "kind": "member_unit", "region_code": "320400"}),
    )
    .await
    .refused(422, "too_long");
    app.post(
        &t,
        "/api/v1/orgs",
        json!({"name": "a\u{0}b公司", "kind": "member_unit", "region_code": "320400"}),
    )
    .await
    .answers(422);
    // Unknown routes and malformed ids are 404 JSON.
    assert_eq!(app.get(&t, "/api/v1/orgs/not-a-number").await.0, 404);
    assert_eq!(
        app.get(&t, "/api/v1/nothing").await.1["error"]["code"],
        "not_found"
    );
    let after = app.get(&t, "/api/v1/orgs?per_page=1").await.1["total"].clone();
    assert_eq!(before, after);
}

#[tokio::test]
async fn injection_strings_are_stored_verbatim_and_harmless() {
    let app = spawn_demo().await;
    let t = app.token("city").await;
    for (i, name) in [
        "<script>alert('x')</script>公司",
        "'; DROP TABLE orgs; --",
        "\" OR 1=1 --",
        "Robert'); DELETE FROM users;--",
    ]
    .iter()
    .enumerate()
    {
        let (s, v) = app.post(&t, "/api/v1/orgs", json!({"name": name, "kind": "union", "region_code": "320400", "address": name, "contact": name})).await;
        assert_eq!(s, 201, "{i}: {v}");
        assert_eq!(v["name"], *name);
        let (_, q) = app
            .get(
                &t,
                &format!(
                    "/api/v1/orgs?q={}",
                    url::form_urlencoded::byte_serialize(name.as_bytes()).collect::<String>()
                ),
            )
            .await;
        assert_eq!(q["total"], 1, "{name}");
    }
    assert!(
        app.get(&t, "/api/v1/orgs?per_page=1").await.1["total"]
            .as_i64()
            .unwrap()
            > 1300
    );
    assert_eq!(
        app.get(&app.token("admin").await, "/api/v1/users").await.1["total"],
        gongjiang_demo::DEMO_ACCOUNTS.len() + gongjiang_demo::assessment::EXPERTS.len()
    );
}

/// Deleting an organisation that other records still refer to (here a task) answers 409
/// naming them, not a 500 from the foreign key, on both backends.
#[tokio::test]
async fn deleting_a_referenced_org_answers_409_naming_the_records() {
    let app = spawn_demo().await;
    let city = app.token("city").await;
    let (s, org) = app
        .post(
            &city,
            "/api/v1/orgs",
            json!({"name": "常州市测试成员单位", "kind": "member_unit", "region_code": "320400"}),
        )
        .await;
    assert_eq!(s, 201, "{org}");
    let id = org["id"].as_i64().unwrap();
    let _t = app.post_ok(
            &city,
            "/api/v1/tasks",
            json!({"year": 2030, "title": "测试任务", "owner": id.to_string(), "deadline": in_days(60), "target_text": "完成"}),
        ).await;
    let (s, v) = app
        .send(
            Method::DELETE,
            &city,
            &format!("/api/v1/orgs/{id}"),
            json!({}),
        )
        .await;
    assert_eq!(s, 409, "{v}");
    assert_eq!(err_code(&v), "has_records");
    assert!(
        v["error"]["message"].as_str().unwrap().contains("1条任务"),
        "{v}"
    );
    assert_eq!(app.get(&city, &format!("/api/v1/orgs/{id}")).await.0, 200);
}
