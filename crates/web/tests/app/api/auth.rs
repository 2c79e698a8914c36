//! Sign-in, throttling, sessions and tokens.

use super::*;

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
    let me = app.get_ok(token, "/api/v1/me").await;
    assert_eq!(me["username"], "city");
    assert_eq!(me["region_code"], "320400");
    app.post(token, "/api/v1/auth/logout", json!({}))
        .await
        .answers(204);
    let v = app.get(token, "/api/v1/me").await.answers(401);
    assert_eq!(err_code(&v), "unauthorized");
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
    assert_eq!(err_code(&v), "too_many_requests");
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
            .post(
                &a,
                "/api/v1/me/password",
                json!({"current_password": "gongjiang-demo", "new_password": pw}),
            )
            .await;
        refused_on(s, &e, 422, "new_password");
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
    app.post(
        &a,
        "/api/v1/me/password",
        json!({"current_password": "gongjiang-demo", "new_password": "Wujin-office-77"}),
    )
    .await
    .answers(204);
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
    app.post(
        &admin,
        &format!("/api/v1/users/{id}/password"),
        json!({"new_password": "Temporary-9999"}),
    )
    .await
    .answers(204);
    let t = app.token_with("tianning", "Temporary-9999").await;
    for path in ["/api/v1/orgs", "/api/v1/me", "/api/v1/policies"] {
        app.get(&t, path)
            .await
            .refused(403, "password_change_required");
    }
    app.post(
        &t,
        "/api/v1/policies",
        json!({"title": "x", "category": "general", "level": "district", "body": "x"}),
    )
    .await
    .refused(403, "password_change_required");
    // The console: pages lead to the password form, anything else is refused.
    let tb = app.browser_with("tianning", "Temporary-9999").await;
    let (s, _, loc) = tb.post("/policies/1/delete", &[]).await;
    assert_eq!(s, 403, "{loc:?}");
    let (s, html) = tb.get("/orgs").await;
    assert_eq!(s, 303, "{html}");
    app.post(
        &t,
        "/api/v1/me/password",
        json!({"current_password": "Temporary-9999", "new_password": "Tianning-office-8"}),
    )
    .await
    .answers(204);
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
