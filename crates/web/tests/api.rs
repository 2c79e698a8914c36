#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use common::*;
use gongjiang_web::WebConfig;
use reqwest::Method;
use serde_json::{json, Value};

#[tokio::test]
async fn health_metrics_and_request_ids() {
    let app = spawn_empty().await;
    let r = app.client.get(app.at("/healthz")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers().contains_key("x-request-id"));
    assert_eq!(r.text().await.unwrap(), "ok");
    let m = app
        .client
        .get(app.at("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(m.contains("gongjiang_up 1"));
    assert!(m.contains(
        "gongjiang_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 1"
    ));
}

#[tokio::test]
async fn fresh_database_holds_only_the_city_regions() {
    let app = spawn_empty().await;
    assert!(app.svc.db.is_empty().await.unwrap());
    let regions = app
        .svc
        .regions(&gongjiang_storage::Actor::system("t"))
        .await
        .unwrap();
    let codes: Vec<_> = regions.iter().map(|r| r.code.as_str()).collect();
    assert_eq!(
        codes,
        ["320400", "320402", "320404", "320411", "320412", "320413", "320481"]
    );
}

#[tokio::test]
async fn login_me_and_logout() {
    let app = spawn_demo().await;
    let r = app
        .client
        .post(app.at("/api/v1/auth/login"))
        .json(&json!({"username": "city", "password": "gongjiang-demo"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert!(v["expires_at"].as_str().unwrap().contains('T'));
    assert_eq!(v["user"]["role"], "city");
    let token = v["token"].as_str().unwrap();
    let (s, me) = app.get(token, "/api/v1/me").await;
    assert_eq!(s, 200);
    assert_eq!(me["username"], "city");
    assert_eq!(me["region_code"], "320400");
    let (s, _) = app
        .send(Method::POST, token, "/api/v1/auth/logout", json!({}))
        .await;
    assert_eq!(s, 204);
    let (s, v) = app.get(token, "/api/v1/me").await;
    assert_eq!(s, 401);
    assert_eq!(v["error"]["code"], "unauthorized");
}

#[tokio::test]
async fn unknown_user_and_wrong_password_get_the_same_answer() {
    let app = spawn_demo().await;
    let mut bodies = Vec::new();
    for (u, p) in [("city", "wrong-password-1"), ("nobody", "wrong-password-1")] {
        let r = app
            .client
            .post(app.at("/api/v1/auth/login"))
            .json(&json!({"username": u, "password": p}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
        bodies.push(r.text().await.unwrap());
    }
    assert_eq!(bodies[0], bodies[1]);
    assert!(bodies[0].contains("invalid_credentials"));
}

#[tokio::test]
async fn repeated_failures_are_throttled() {
    let app = spawn_demo().await;
    for _ in 0..5 {
        let r = app
            .client
            .post(app.at("/api/v1/auth/login"))
            .json(&json!({"username": "wujin", "password": "not-the-password"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
    }
    // Even the right password is refused while the lockout lasts.
    let r = app
        .client
        .post(app.at("/api/v1/auth/login"))
        .json(&json!({"username": "wujin", "password": "gongjiang-demo"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    assert!(r.headers().contains_key("retry-after"));
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"]["code"], "too_many_requests");
    // Failed logins are audited.
    let token = app.token("admin").await;
    let (_, v) = app
        .get(&token, "/api/v1/audit?action=login_failed&username=wujin")
        .await;
    assert_eq!(v["total"], 5);
}

/// Attempts are reserved before the password is checked: 100 simultaneous wrong
/// passwords for one account get at most 5 password checks, the rest 429.
#[tokio::test]
async fn parallel_guesses_all_count() {
    let app = spawn_demo().await;
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..100 {
        let c = app.client.clone();
        let url = app.at("/api/v1/auth/login");
        set.spawn(async move {
            c.post(url)
                .json(&json!({"username": "wujin", "password": "not-the-password"}))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        });
    }
    let mut checked = 0;
    let mut refused = 0;
    while let Some(s) = set.join_next().await {
        match s.unwrap() {
            401 => checked += 1,
            429 => refused += 1,
            s => panic!("unexpected {s}"),
        }
    }
    assert!(checked <= 5, "{checked} passwords were checked");
    assert_eq!(checked + refused, 100);
    let token = app.token("admin").await;
    let (_, v) = app
        .get(&token, "/api/v1/audit?action=login_failed&username=wujin")
        .await;
    assert!(v["total"].as_i64().unwrap() <= 5, "{v}");
}

/// An address that fails often is slowed, never refused: a correct password from
/// behind it still logs in (one person behind the city's proxy cannot lock out the
/// city).
#[tokio::test]
async fn a_busy_address_slows_guesses_but_never_refuses_a_correct_password() {
    let app = spawn_demo().await;
    for k in 0..22 {
        let r = app
            .client
            .post(app.at("/api/v1/auth/login"))
            .json(&json!({"username": format!("nobody{k}"), "password": "not-the-password"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401, "attempt {k}");
    }
    let started = std::time::Instant::now();
    let r = app
        .client
        .post(app.at("/api/v1/auth/login"))
        .json(&json!({"username": "city", "password": "gongjiang-demo"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        200,
        "a correct password passes the address limit"
    );
    assert!(
        started.elapsed() >= std::time::Duration::from_millis(250),
        "the address's attempts are slowed"
    );
}

/// `X-Forwarded-For` is believed only from a configured trusted proxy.
#[tokio::test]
async fn forwarded_for_only_from_a_trusted_proxy() {
    let login_ip = |app: &TestApp, user: &'static str| {
        let c = app.client.clone();
        let url = app.at("/api/v1/auth/login");
        async move {
            let r = c
                .post(url)
                .header("x-forwarded-for", "198.51.100.7")
                .json(&json!({"username": user, "password": "gongjiang-demo"}))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
        }
    };
    let direct = spawn_demo().await;
    login_ip(&direct, "wujin").await;
    let admin = direct.token("admin").await;
    let (_, v) = direct
        .get(&admin, "/api/v1/audit?action=login&username=wujin")
        .await;
    assert_eq!(
        v["items"][0]["ip"], "127.0.0.1",
        "a forged header is ignored: {v}"
    );

    let proxied = spawn_with(
        WebConfig {
            trusted_proxies: vec!["127.0.0.1/32".parse().unwrap()],
            ..WebConfig::default()
        },
        true,
    )
    .await;
    login_ip(&proxied, "wujin").await;
    let admin = proxied.token("admin").await;
    let (_, v) = proxied
        .get(&admin, "/api/v1/audit?action=login&username=wujin")
        .await;
    assert_eq!(v["items"][0]["ip"], "198.51.100.7", "{v}");
}

/// Changing one's own password ends the account's other sessions and tokens (the one
/// in use stays); after a reset the account may only change its password (403
/// `password_change_required`, API and console); weak passwords are refused naming the
/// rule.
#[tokio::test]
async fn password_changes_end_other_sessions_and_resets_lock_everything_else() {
    let app = spawn_demo().await;
    let a = app.token("wujin").await;
    let b = app.token("wujin").await;
    let web = app.browser("wujin").await;
    assert_eq!(web.get("/").await.0, 200);
    // Weak passwords: each refusal names its rule, and nothing changes.
    for (pw, rule) in [
        ("Password123", "常用密码"),
        ("short-1", "至少10个字符"),
        ("abcdefghijkl", "字母和数字"),
        ("wujin", "至少10个字符"),
    ] {
        let (s, e) = app
            .send(
                Method::POST,
                &a,
                "/api/v1/me/password",
                json!({"current_password": "gongjiang-demo", "new_password": pw}),
            )
            .await;
        assert_eq!(s, 422, "{pw}: {e}");
        assert_eq!(e["error"]["field"], "new_password");
        assert!(
            e["error"]["message"].as_str().unwrap().contains(rule),
            "{pw}: {e}"
        );
    }
    assert_eq!(
        app.get(&b, "/api/v1/me").await.0,
        200,
        "refusals end nothing"
    );
    let (s, _) = app
        .send(
            Method::POST,
            &a,
            "/api/v1/me/password",
            json!({"current_password": "gongjiang-demo", "new_password": "Wujin-office-77"}),
        )
        .await;
    assert_eq!(s, 204);
    assert_eq!(
        app.get(&a, "/api/v1/me").await.0,
        200,
        "the session in use stays"
    );
    assert_eq!(app.get(&b, "/api/v1/me").await.0, 401, "another token ends");
    let (s, _) = web.get("/").await;
    assert_eq!(s, 303, "the browser session ends too");

    // A reset account may do nothing but change its password.
    let admin = app.token("admin").await;
    let (_, users) = app.get(&admin, "/api/v1/users?per_page=100").await;
    let id = users["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "tianning")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let (s, _) = app
        .send(
            Method::POST,
            &admin,
            &format!("/api/v1/users/{id}/password"),
            json!({"new_password": "Temporary-9999"}),
        )
        .await;
    assert_eq!(s, 204);
    let t = app.token_with("tianning", "Temporary-9999").await;
    for path in ["/api/v1/orgs", "/api/v1/me", "/api/v1/policies"] {
        let (s, e) = app.get(&t, path).await;
        assert_eq!(
            (s, e["error"]["code"].as_str()),
            (403, Some("password_change_required")),
            "{path}"
        );
    }
    let (s, e) = app
        .send(
            Method::POST,
            &t,
            "/api/v1/policies",
            json!({"title": "x", "category": "general", "level": "district", "body": "x"}),
        )
        .await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (403, Some("password_change_required"))
    );
    // The console: pages lead to the password form, anything else is refused.
    let tb = app.browser_with("tianning", "Temporary-9999").await;
    let (s, _, loc) = tb.post("/policies/1/delete", &[]).await;
    assert_eq!(s, 403, "{loc:?}");
    let (s, html) = tb.get("/orgs").await;
    assert_eq!(s, 303, "{html}");
    let (s, _) = app
        .send(
            Method::POST,
            &t,
            "/api/v1/me/password",
            json!({"current_password": "Temporary-9999", "new_password": "Tianning-office-8"}),
        )
        .await;
    assert_eq!(s, 204);
    assert_eq!(app.get(&t, "/api/v1/orgs").await.0, 200);
}

#[tokio::test]
async fn forged_missing_and_expired_tokens_are_401() {
    let app = spawn_demo().await;
    for auth in [
        "",
        "Bearer ",
        "Bearer abc",
        &format!("Bearer {}", "a".repeat(64)),
        "Basic Y2l0eTpnb25namlhbmctZGVtbw==",
    ] {
        let r = app
            .client
            .get(app.at("/api/v1/orgs"))
            .header("authorization", auth)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401, "{auth}");
    }
    let token = app.token("city").await;
    assert_eq!(app.get(&token, "/api/v1/me").await.0, 200);
    sqlx::query("UPDATE sessions SET expires_at = 1")
        .execute(&app.svc.db.pool)
        .await
        .unwrap();
    assert_eq!(app.get(&token, "/api/v1/me").await.0, 401);
}

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
    let (s, v) = app.get(&t, "/api/v1/orgs?kind=bogus").await;
    assert_eq!(s, 400);
    assert_eq!(v["error"]["code"], "bad_filter");
    let (s, _) = app.get(&t, "/api/v1/orgs?page=abc").await;
    assert_eq!(s, 400);
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

    let (s, v) = app.get(&tianning, "/api/v1/orgs?per_page=500").await;
    assert_eq!(s, 200);
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
    let (s, _) = app
        .send(
            Method::PATCH,
            &tianning,
            &format!("/api/v1/orgs/{wujin_org}"),
            json!({"name": "改名"}),
        )
        .await;
    assert_eq!(s, 404);
    let (s, _) = app
        .send(
            Method::DELETE,
            &tianning,
            &format!("/api/v1/orgs/{wujin_org}"),
            json!({}),
        )
        .await;
    assert_eq!(s, 404);
    // Creating in another district is refused without revealing anything.
    let (s, v) = app.send(Method::POST, &tianning, "/api/v1/orgs", json!({"name": "越界企业有限公司", "kind": "enterprise", "uscc": uscc(1), "region_code": "320412"})).await;
    assert_eq!(s, 422);
    assert_eq!(v["error"]["field"], "region_code");
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
    let (s, _) = app
        .send(
            Method::POST,
            &unit,
            "/api/v1/orgs",
            json!({"name": "x公司", "kind": "enterprise", "region_code": "320402"}),
        )
        .await;
    assert_eq!(s, 403);

    let renshe = app.token("renshe").await;
    let (_, v) = app.get(&renshe, "/api/v1/orgs?per_page=1").await;
    assert!(
        v["total"].as_i64().unwrap() > 1200,
        "member units read the city directory"
    );
    let (s, _) = app
        .send(
            Method::PATCH,
            &renshe,
            &format!("/api/v1/orgs/{other}"),
            json!({"contact": "x"}),
        )
        .await;
    assert_eq!(s, 403);
    let own_renshe = app.get(&renshe, "/api/v1/me").await.1["org_id"]
        .as_i64()
        .unwrap();
    let (s, v) = app
        .send(
            Method::PATCH,
            &renshe,
            &format!("/api/v1/orgs/{own_renshe}"),
            json!({"contact": "办公室 0519-85588888"}),
        )
        .await;
    assert_eq!(s, 200, "{v}");

    let expert = app.token("expert").await;
    assert_eq!(app.get(&expert, "/api/v1/orgs").await.0, 403);
}

#[tokio::test]
async fn create_validates_codes_and_rejects_duplicates() {
    let app = spawn_demo().await;
    let t = app.token("tianning").await;
    let good = uscc(4242);
    let body = json!({"name": "常州测试储能科技有限公司", "kind": "enterprise", "uscc": good, "region_code": "320402", "industry": "c38", "ownership": "民营", "chain_leader": true});
    let (s, v) = app
        .send(Method::POST, &t, "/api/v1/orgs", body.clone())
        .await;
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
    let (s, v) = app.send(Method::POST, &t, "/api/v1/orgs", json!({"name": "另一家公司", "kind": "enterprise", "uscc": bad, "region_code": "320402"})).await;
    assert_eq!(s, 422);
    assert_eq!(v["error"]["field"], "uscc");
    assert_eq!(v["error"]["code"], "bad_check_character");
    assert!(v["error"]["message"].as_str().unwrap().contains("校验码"));
    // Forbidden letters, wrong length.
    let (s, v) = app.send(Method::POST, &t, "/api/v1/orgs", json!({"name": "另一家公司", "kind": "enterprise", "uscc": "91320402MA1XXXXXO0", "region_code": "320402"})).await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (422, Some("bad_character"))
    );
    let (s, v) = app.send(Method::POST, &t, "/api/v1/orgs", json!({"name": "另一家公司", "kind": "enterprise", "uscc": "9132", "region_code": "320402"})).await;
    assert_eq!((s, v["error"]["code"].as_str()), (422, Some("bad_length")));
    // Duplicate code: 409.
    let (s, v) = app.send(Method::POST, &t, "/api/v1/orgs", json!({"name": "重复代码公司", "kind": "enterprise", "uscc": good, "region_code": "320402"})).await;
    assert_eq!(s, 409);
    assert_eq!(v["error"]["code"], "duplicate_uscc");
    // Duplicate name in the same region: 409.
    let (s, v) = app
        .send(Method::POST, &t, "/api/v1/orgs", body.clone())
        .await;
    assert_eq!(s, 409, "{v}");
    // Several errors at once are all reported.
    let (s, v) = app
        .send(
            Method::POST,
            &t,
            "/api/v1/orgs",
            json!({"name": "", "kind": "公司", "region_code": "1"}),
        )
        .await;
    assert_eq!(s, 422);
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
    let (s, v) = app.send(Method::POST, &t, "/api/v1/orgs", json!({"name": "全角代码公司", "kind": "enterprise", "uscc": format!(" {fw} "), "region_code": "３２０４０２"})).await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(v["uscc"], uscc(777).as_str());
}

#[tokio::test]
async fn update_delete_and_optimistic_locking() {
    let app = spawn_demo().await;
    let t = app.token("city").await;
    let (s, o) = app.send(Method::POST, &t, "/api/v1/orgs", json!({"name": "常州待改名有限公司", "kind": "enterprise", "uscc": uscc(9001), "region_code": "320411"})).await;
    assert_eq!(s, 201);
    let id = o["id"].as_i64().unwrap();
    let (s, v) = app
        .send(
            Method::PATCH,
            &t,
            &format!("/api/v1/orgs/{id}"),
            json!({"name": "常州已改名有限公司", "version": 1}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["name"], "常州已改名有限公司");
    assert_eq!(v["version"], 2);
    assert_eq!(v["uscc"], o["uscc"], "absent fields keep their value");
    let (s, v) = app
        .send(
            Method::PATCH,
            &t,
            &format!("/api/v1/orgs/{id}"),
            json!({"name": "又一个名字", "version": 1}),
        )
        .await;
    assert_eq!(s, 409);
    assert_eq!(v["error"]["code"], "stale_version");
    let (s, v) = app
        .send(
            Method::PATCH,
            &t,
            &format!("/api/v1/orgs/{id}"),
            json!({"uscc": "123"}),
        )
        .await;
    assert_eq!((s, v["error"]["field"].as_str()), (422, Some("uscc")));
    // A park with enterprises below it cannot be deleted.
    let park = app.org_id(&t, "kind=park").await;
    let (s, v) = app
        .send(
            Method::PATCH,
            &t,
            &format!("/api/v1/orgs/{id}"),
            json!({"parent_id": park}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let (s, v) = app
        .send(
            Method::DELETE,
            &t,
            &format!("/api/v1/orgs/{park}"),
            json!({}),
        )
        .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (409, Some("has_children"))
    );
    // A park cannot be placed below its own child.
    let (s, v) = app
        .send(
            Method::PATCH,
            &t,
            &format!("/api/v1/orgs/{park}"),
            json!({"parent_id": id}),
        )
        .await;
    assert_eq!((s, v["error"]["field"].as_str()), (422, Some("parent_id")));
    let (s, _) = app
        .send(
            Method::PATCH,
            &t,
            &format!("/api/v1/orgs/{id}"),
            json!({"parent_id": null}),
        )
        .await;
    assert_eq!(s, 200);
    let (s, _) = app
        .send(Method::DELETE, &t, &format!("/api/v1/orgs/{id}"), json!({}))
        .await;
    assert_eq!(s, 204);
    assert_eq!(app.get(&t, &format!("/api/v1/orgs/{id}")).await.0, 404);
    // An organisation with accounts cannot be deleted.
    let unit_org = app.get(&app.token("unit").await, "/api/v1/me").await.1["org_id"]
        .as_i64()
        .unwrap();
    let (s, v) = app
        .send(
            Method::DELETE,
            &t,
            &format!("/api/v1/orgs/{unit_org}"),
            json!({}),
        )
        .await;
    assert_eq!((s, v["error"]["code"].as_str()), (409, Some("has_users")));
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
    let (s, v) = app
        .send(
            Method::POST,
            &t,
            "/api/v1/orgs",
            json!({"name": "长".repeat(101), "kind": "member_unit", "region_code": "320400"}),
        )
        .await;
    assert_eq!((s, v["error"]["code"].as_str()), (422, Some("too_long")));
    let (s, _) = app
        .send(
            Method::POST,
            &t,
            "/api/v1/orgs",
            json!({"name": "a\u{0}b公司", "kind": "member_unit", "region_code": "320400"}),
        )
        .await;
    assert_eq!(s, 422);
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
        let (s, v) = app.send(Method::POST, &t, "/api/v1/orgs", json!({"name": name, "kind": "union", "region_code": "320400", "address": name, "contact": name})).await;
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

#[tokio::test]
async fn admin_manages_users() {
    let app = spawn_demo().await;
    let admin = app.token("admin").await;
    let city = app.token("city").await;
    assert_eq!(app.get(&city, "/api/v1/users").await.0, 403);
    let (s, u) = app.send(Method::POST, &admin, "/api/v1/users", json!({"username": "Zhonglou", "display_name": "钟楼区产改办", "role": "district", "org": "320404", "password": "Zhonglou-2024"})).await;
    assert_eq!(s, 201, "{u}");
    assert_eq!(u["username"], "zhonglou");
    let id = u["id"].as_i64().unwrap();
    let (s, v) = app.send(Method::POST, &admin, "/api/v1/users", json!({"username": "zhonglou", "role": "district", "org": "320404", "password": "Zhonglou-2024"})).await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (409, Some("duplicate_username"))
    );
    let (s, v) = app
        .send(
            Method::POST,
            &admin,
            "/api/v1/users",
            json!({"username": "weak", "role": "district", "org": "320404", "password": "short"}),
        )
        .await;
    assert_eq!((s, v["error"]["field"].as_str()), (422, Some("password")));
    let (s, v) = app.send(Method::POST, &admin, "/api/v1/users", json!({"username": "badrole", "role": "king", "org": "320404", "password": "Zhonglou-2024"})).await;
    assert_eq!((s, v["error"]["field"].as_str()), (422, Some("role")));
    let (s, v) = app.send(Method::POST, &admin, "/api/v1/users", json!({"username": "badorg", "role": "unit", "org": "320404", "password": "Zhonglou-2024"})).await;
    assert_eq!((s, v["error"]["field"].as_str()), (422, Some("org")));

    let login = |p: &'static str| {
        app.client
            .post(app.at("/api/v1/auth/login"))
            .json(&json!({"username": "zhonglou", "password": p}))
            .send()
    };
    assert_eq!(login("Zhonglou-2024").await.unwrap().status(), 200);
    let zl = login("Zhonglou-2024")
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, v) = app.get(&zl, "/api/v1/orgs?per_page=200").await;
    assert!(v["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|o| o["region_code"].as_str().unwrap().starts_with("320404")));

    // Role change: to town level, audited as a role change; sessions end.
    let (s, v) = app
        .send(
            Method::PATCH,
            &admin,
            &format!("/api/v1/users/{id}"),
            json!({"role": "city", "org": "320400"}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(app.get(&zl, "/api/v1/me").await.0, 401);
    let (_, log) = app.get(&admin, "/api/v1/audit?action=role_change").await;
    assert_eq!(log["total"], 1);
    let e = &log["items"][0];
    assert!(e["before_json"].as_str().unwrap().contains("district"));
    assert!(e["after_json"].as_str().unwrap().contains("city"));

    // Disable: login fails with the same answer as a wrong password.
    let (s, _) = app
        .send(
            Method::PATCH,
            &admin,
            &format!("/api/v1/users/{id}"),
            json!({"disabled": true}),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(login("Zhonglou-2024").await.unwrap().status(), 401);
    let (s, _) = app
        .send(
            Method::PATCH,
            &admin,
            &format!("/api/v1/users/{id}"),
            json!({"disabled": false}),
        )
        .await;
    assert_eq!(s, 200);

    // Reset: the user must change the password; then changes it.
    let (s, _) = app
        .send(
            Method::POST,
            &admin,
            &format!("/api/v1/users/{id}/password"),
            json!({"new_password": "Temporary-9999"}),
        )
        .await;
    assert_eq!(s, 204);
    assert_eq!(login("Zhonglou-2024").await.unwrap().status(), 401);
    let r = login("Temporary-9999")
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(r["user"]["must_change_password"], true);
    let tok = r["token"].as_str().unwrap().to_string();
    let (s, v) = app
        .send(
            Method::POST,
            &tok,
            "/api/v1/me/password",
            json!({"current_password": "nope", "new_password": "Another-Pass-1"}),
        )
        .await;
    assert_eq!(
        (s, v["error"]["field"].as_str()),
        (422, Some("current_password"))
    );
    let (s, _) = app
        .send(
            Method::POST,
            &tok,
            "/api/v1/me/password",
            json!({"current_password": "Temporary-9999", "new_password": "Another-Pass-1"}),
        )
        .await;
    assert_eq!(s, 204);
    assert_eq!(
        app.get(&tok, "/api/v1/me").await.1["must_change_password"],
        false
    );
    // An admin cannot lock themselves out.
    let me = app.get(&admin, "/api/v1/me").await.1["id"]
        .as_i64()
        .unwrap();
    let (s, _) = app
        .send(
            Method::PATCH,
            &admin,
            &format!("/api/v1/users/{me}"),
            json!({"disabled": true}),
        )
        .await;
    assert_eq!(s, 409);
}

#[tokio::test]
async fn audit_log_records_filters_and_detects_tampering() {
    let app = spawn_demo().await;
    let city = app.token("city").await;
    let (_, o) = app.send(Method::POST, &city, "/api/v1/orgs", json!({"name": "审计测试公司", "kind": "enterprise", "uscc": uscc(31337), "region_code": "320413"})).await;
    let id = o["id"].as_i64().unwrap();
    app.send(
        Method::PATCH,
        &city,
        &format!("/api/v1/orgs/{id}"),
        json!({"contact": "赵经理"}),
    )
    .await;
    app.send(
        Method::DELETE,
        &city,
        &format!("/api/v1/orgs/{id}"),
        json!({}),
    )
    .await;
    let (s, v) = app
        .get(
            &city,
            &format!("/api/v1/audit?entity_kind=org&entity_id={id}"),
        )
        .await;
    assert_eq!(s, 200);
    let actions: Vec<_> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(actions, ["delete", "update", "create"]);
    let upd = &v["items"][1];
    assert_eq!(upd["username"], "city");
    assert!(upd["before_json"]
        .as_str()
        .unwrap()
        .contains("\"contact\":null"));
    assert!(upd["after_json"].as_str().unwrap().contains("赵经理"));
    assert!(upd["ip"].as_str().unwrap().starts_with("127.0.0.1"));
    let (_, v) = app
        .get(&city, "/api/v1/audit?username=city&action=login")
        .await;
    assert!(v["total"].as_i64().unwrap() >= 1);
    // Days are China Standard Time days.
    let today = (chrono::Utc::now() + chrono::Duration::hours(8))
        .format("%Y-%m-%d")
        .to_string();
    let (_, v) = app
        .get(&city, &format!("/api/v1/audit?from=2000-01-01&to={today}"))
        .await;
    assert!(v["total"].as_i64().unwrap() > 5);
    let (_, v) = app.get(&city, "/api/v1/audit?to=2000-01-01").await;
    assert_eq!(v["total"], 0);
    let (s, v) = app.get(&city, "/api/v1/audit?from=yesterday").await;
    assert_eq!((s, v["error"]["field"].as_str()), (422, Some("from")));
    assert_eq!(
        app.get(&app.token("tianning").await, "/api/v1/audit")
            .await
            .0,
        403
    );

    let (_, v) = app.get(&city, "/api/v1/audit/verify").await;
    assert_eq!(v["intact"], true, "{v}");
    // Alter one row behind the application's back: the chain names it.
    sqlx::query("UPDATE audit_log SET summary = 'forged' WHERE seq = 3")
        .execute(&app.svc.db.pool)
        .await
        .unwrap();
    let (_, v) = app.get(&city, "/api/v1/audit/verify").await;
    assert_eq!(v["intact"], false);
    assert_eq!(v["broken_at"], 3);
}

#[tokio::test]
async fn audit_chain_survives_concurrent_writers() {
    let app = spawn_demo().await;
    let t = app.token("city").await;
    let mut tasks = Vec::new();
    for i in 0..16u32 {
        let c = app.client.clone();
        let url = app.at("/api/v1/orgs");
        let t = t.clone();
        tasks.push(tokio::spawn(async move {
            c.post(url).bearer_auth(t).json(&json!({"name": format!("并发测试{i}号公司"), "kind": "enterprise", "uscc": uscc(50_000 + i), "region_code": "320481"})).send().await.unwrap().status().as_u16()
        }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap(), 201);
    }
    assert_eq!(app.get(&t, "/api/v1/audit/verify").await.1["intact"], true);
}

#[tokio::test]
async fn every_api_route_is_in_the_openapi_document() {
    let app = spawn_empty().await;
    let doc: Value = app
        .client
        .get(app.at("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    for (method, path) in gongjiang_web::api::ROUTES {
        assert!(
            doc["paths"][path][method].is_object(),
            "{method} {path} is missing from openapi.json"
        );
    }
    let documented: usize = doc["paths"]
        .as_object()
        .unwrap()
        .values()
        .map(|p| p.as_object().unwrap().len())
        .sum();
    assert_eq!(
        documented,
        gongjiang_web::api::ROUTES.len(),
        "openapi.json documents a route the router does not list"
    );
    let docs = app.client.get(app.at("/api/docs")).send().await.unwrap();
    assert_eq!(docs.status(), 200);
    assert!(docs.text().await.unwrap().contains("swagger-ui-bundle.js"));
    assert_eq!(
        app.client
            .get(app.at("/assets/swagger-ui-bundle.js"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
}

/// Every route in ROUTES answers (not 404/405) — the list and the router agree.
#[tokio::test]
async fn every_listed_route_is_routed() {
    let app = spawn_demo().await;
    let t = app.token("admin").await;
    for (method, path) in gongjiang_web::api::ROUTES {
        let p = path.replace("{id}", "1").replace("{kind}", "orgs");
        let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let r = app
            .client
            .request(m, app.at(&p))
            .bearer_auth(&t)
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await
            .unwrap();
        assert_ne!(r.status().as_u16(), 405, "{method} {path}");
        if *path != "/api/v1/orgs/{id}"
            && *path != "/api/v1/users/{id}"
            && !path.ends_with("/password")
            && !path.starts_with("/api/v1/imports/")
        {
            assert_ne!(r.status().as_u16(), 404, "{method} {path}");
        }
    }
}

#[tokio::test]
async fn english_messages_on_request() {
    let app = spawn_demo().await;
    let t = app.token("city").await;
    let r = app.client.post(app.at("/api/v1/orgs")).bearer_auth(&t).header("accept-language", "en-US,en;q=0.9").json(&json!({"name": "x公司", "kind": "enterprise", "uscc": "91350100M000100Y44", "region_code": "320402"})).send().await.unwrap();
    let v: Value = r.json().await.unwrap();
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("check character"),
        "{v}"
    );
    let r = app.client.post(app.at("/api/v1/orgs?lang=zh")).bearer_auth(&t).header("accept-language", "en").json(&json!({"name": "x公司", "kind": "enterprise", "uscc": "91350100M000100Y44", "region_code": "320402"})).send().await.unwrap();
    let v: Value = r.json().await.unwrap();
    assert!(v["error"]["message"].as_str().unwrap().contains("校验码"));
}

#[tokio::test]
async fn backup_and_restore_round_trip() {
    let app = spawn_demo().await;
    let t = app.token("city").await;
    let mut buf = Vec::new();
    let summary = gongjiang_storage::backup::backup(&app.svc.db, &mut buf)
        .await
        .unwrap();
    assert!(summary.tables.iter().any(|(t, n)| t == "orgs" && *n > 1300));
    let (_, o) = app.send(Method::POST, &t, "/api/v1/orgs", json!({"name": "备份之后新建公司", "kind": "enterprise", "uscc": uscc(8080), "region_code": "320402"})).await;
    let id = o["id"].as_i64().unwrap();
    // A damaged backup changes nothing.
    let truncated = &buf[..buf.len() / 2];
    assert!(
        gongjiang_storage::backup::restore(&app.svc.db, &mut &truncated[..])
            .await
            .is_err()
    );
    assert_eq!(app.get(&t, &format!("/api/v1/orgs/{id}")).await.0, 200);
    // A good one brings back exactly the earlier state, and the chain still verifies.
    gongjiang_storage::backup::restore(&app.svc.db, &mut &buf[..])
        .await
        .unwrap();
    let t = app.token("city").await;
    assert_eq!(app.get(&t, &format!("/api/v1/orgs/{id}")).await.0, 404);
    assert_eq!(app.get(&t, "/api/v1/audit/verify").await.1["intact"], true);
    let mut again = Vec::new();
    gongjiang_storage::backup::backup(&app.svc.db, &mut again)
        .await
        .unwrap();
    let orgs_of = |b: &[u8]| {
        String::from_utf8_lossy(b)
            .lines()
            .skip_while(|l| !l.contains("\"table\":\"orgs\""))
            .take(50)
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(orgs_of(&buf), orgs_of(&again));
    // New records get fresh ids after a restore.
    let (s, v) = app.send(Method::POST, &t, "/api/v1/orgs", json!({"name": "恢复之后新建公司", "kind": "enterprise", "uscc": uscc(8081), "region_code": "320402"})).await;
    assert_eq!(s, 201, "{v}");
}

/// The OpenAPI document is structurally valid (what openapi-spec-validator checks in
/// `e2e/schemathesis.sh`, and what it does not: the error answers) and complete: every
/// path parameter is in its path and every parameter of a path is declared there, as a
/// required path parameter (query parameters were once declared as path ones), operation
/// ids are unique, every `$ref` resolves, and every operation declares the error answers
/// it can give with the error body.
#[tokio::test]
async fn openapi_document_is_valid_and_complete() {
    let app = spawn_empty().await;
    let doc: Value = app
        .client
        .get(app.at("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    // Every $ref resolves.
    fn refs(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(r)) = m.get("$ref") {
                    out.push(r.clone());
                }
                m.values().for_each(|v| refs(v, out));
            }
            Value::Array(a) => a.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }
    let mut all = Vec::new();
    refs(&doc, &mut all);
    for r in &all {
        let name = r
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("unexpected $ref {r}"));
        assert!(schemas.contains_key(name), "$ref {r} does not resolve");
    }
    let mut problems = Vec::new();
    let mut ids = std::collections::HashSet::new();
    let mut operations = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        let in_template: std::collections::BTreeSet<&str> = path
            .split('/')
            .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
            .collect();
        for (method, op) in item.as_object().unwrap() {
            operations += 1;
            let at = format!("{} {path}", method.to_uppercase());
            let id = op["operationId"].as_str().unwrap_or_default();
            if id.is_empty() || !ids.insert(id.to_string()) {
                problems.push(format!("{at}: operationId '{id}' missing or not unique"));
            }
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            let mut seen = std::collections::HashSet::new();
            let mut declared = std::collections::BTreeSet::new();
            for p in &params {
                let (name, place) = (p["name"].as_str().unwrap(), p["in"].as_str().unwrap());
                if !seen.insert((name, place)) {
                    problems.push(format!("{at}: parameter {name} in {place} twice"));
                }
                match place {
                    "path" => {
                        declared.insert(name);
                        if !in_template.contains(name) {
                            problems.push(format!("{at}: path parameter '{name}' is not in the path (a query parameter?)"));
                        }
                        if p["required"] != true {
                            problems
                                .push(format!("{at}: path parameter '{name}' must be required"));
                        }
                    }
                    "query" => {}
                    other => problems.push(format!("{at}: parameter {name} in {other}")),
                }
            }
            for name in &in_template {
                if !declared.contains(name) {
                    problems.push(format!("{at}: '{{{name}}}' is not declared"));
                }
            }
            let public = op["security"].as_array().is_some_and(|s| {
                s.iter()
                    .any(|r| r.as_object().is_some_and(|r| r.is_empty()))
            });
            let body = op.get("requestBody").is_some();
            let query = params.iter().any(|p| p["in"] == "query");
            let mut need: Vec<&str> = Vec::new();
            if body || query {
                need.extend(["400", "422"]);
            }
            if !public {
                need.extend(["401", "403"]);
                if method != "get" {
                    need.push("409");
                }
            }
            if !in_template.is_empty() {
                need.extend(["404", "422"]);
            }
            if body {
                need.extend(["413", "415"]);
            }
            if path == "/api/v1/auth/login" {
                need.extend(["401", "429"]);
            }
            let responses = op["responses"].as_object().unwrap();
            if !responses.keys().any(|c| c.starts_with('2')) {
                problems.push(format!("{at}: no success answer"));
            }
            for code in need {
                match responses.get(code) {
                    None => problems.push(format!("{at}: {code} is not declared")),
                    Some(r) => {
                        if r["content"]["application/json"]["schema"]["$ref"]
                            != "#/components/schemas/ErrorBody"
                        {
                            problems.push(format!("{at}: {code} does not answer ErrorBody"));
                        }
                        if r["description"].as_str().unwrap_or_default().is_empty() {
                            problems.push(format!("{at}: {code} has no description"));
                        }
                    }
                }
            }
        }
    }
    assert!(operations >= gongjiang_web::api::ROUTES.len());
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // A field that may be null says so (`Event.changes` once claimed to be an object).
    let changes = &schemas["Event"]["properties"]["changes"]["type"];
    assert!(
        changes
            .as_array()
            .is_some_and(|t| t.contains(&json!("null"))),
        "Event.changes must be nullable: {changes}"
    );
}

/// What schemathesis found: a malformed query, a non-multipart upload and a page far
/// beyond the end answer with the error JSON (not axum's plain text, not a 500).
#[tokio::test]
async fn malformed_requests_answer_json_errors_not_500() {
    let app = spawn_demo().await;
    let admin = app.token("admin").await;
    // A query value of the wrong type: 400 naming the parameter, in Chinese.
    let r = app
        .client
        .get(app.at("/api/v1/tasks?year=abc"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"]["code"], "bad_query");
    assert_eq!(v["error"]["field"], "year");
    assert!(
        v["error"]["message"].as_str().unwrap().contains("整数"),
        "{v}"
    );
    // An upload that is not multipart: 415 in JSON.
    let r = app
        .client
        .post(app.at("/api/v1/cases/1/files"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 415);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"]["code"], "unsupported_media_type");
    // A broken multipart body: 400 `bad_upload`, not 413.
    let r = app
        .client
        .post(app.at("/api/v1/cases/1/files"))
        .bearer_auth(&admin)
        .header("content-type", "multipart/form-data; boundary=X")
        .body("--X\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nabc")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"]["code"], "bad_upload");
    // A page whose offset overflows a 64-bit integer: an empty page.
    for path in [
        "/api/v1/orgs?page=9223372036854775807&per_page=100",
        "/api/v1/cases?page=9223372036854775807",
        "/api/v1/problems?page=9223372036854775807",
        "/api/v1/audit?page=9223372036854775807",
    ] {
        let (s, v) = app.get(&admin, path).await;
        assert_eq!(s, 200, "{path}: {v}");
        assert_eq!(v["items"], json!([]), "{path}");
    }
}

/// Deleting an organisation that other records still refer to (here a task) answers 409
/// naming them, not a 500 from the foreign key, on both backends.
#[tokio::test]
async fn deleting_a_referenced_org_answers_409_naming_the_records() {
    let app = spawn_demo().await;
    let city = app.token("city").await;
    let (s, org) = app
        .send(
            Method::POST,
            &city,
            "/api/v1/orgs",
            json!({"name": "常州市测试成员单位", "kind": "member_unit", "region_code": "320400"}),
        )
        .await;
    assert_eq!(s, 201, "{org}");
    let id = org["id"].as_i64().unwrap();
    let (s, t) = app
        .send(
            Method::POST,
            &city,
            "/api/v1/tasks",
            json!({"year": 2030, "title": "测试任务", "owner": id.to_string(), "deadline": in_days(60), "target_text": "完成"}),
        )
        .await;
    assert_eq!(s, 200, "{t}");
    let (s, v) = app
        .send(
            Method::DELETE,
            &city,
            &format!("/api/v1/orgs/{id}"),
            json!({}),
        )
        .await;
    assert_eq!(s, 409, "{v}");
    assert_eq!(v["error"]["code"], "has_records");
    assert!(
        v["error"]["message"].as_str().unwrap().contains("1条任务"),
        "{v}"
    );
    assert_eq!(app.get(&city, &format!("/api/v1/orgs/{id}")).await.0, 200);
}
