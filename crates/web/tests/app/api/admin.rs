//! Users, the audit log, backup and restore.

use super::*;

#[tokio::test]
async fn admin_manages_users() {
    let app = spawn_demo().await;
    let admin = app.token("admin").await;
    let city = app.token("city").await;
    assert_eq!(app.get(&city, "/api/v1/users").await.0, 403);
    let (s, u) = app.post(&admin, "/api/v1/users", json!({"username": "Zhonglou", "display_name": "钟楼区产改办", "role": "district", "org": "320404", "password": "Zhonglou-2024"})).await;
    assert_eq!(s, 201, "{u}");
    assert_eq!(u["username"], "zhonglou");
    let id = u["id"].as_i64().unwrap();
    app.post(&admin, "/api/v1/users", json!({"username": "zhonglou", "role": "district", "org": "320404", "password": "Zhonglou-2024"})).await.refused(409, "duplicate_username");
    app.post(
        &admin,
        "/api/v1/users",
        json!({"username": "weak", "role": "district", "org": "320404", "password": "short"}),
    )
    .await
    .refused_on(422, "password");
    app.post(&admin, "/api/v1/users", json!({"username": "badrole", "role": "king", "org": "320404", "password": "Zhonglou-2024"})).await.refused_on(422, "role");
    let (s, v) = app.post(&admin, "/api/v1/users", json!({"username": "badorg", "role": "unit", "org": "320404", "password": "Zhonglou-2024"})).await;
    refused_on(s, &v, 422, "org");

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
    let _v = app
        .patch_ok(
            &admin,
            &format!("/api/v1/users/{id}"),
            json!({"role": "city", "org": "320400"}),
        )
        .await;
    assert_eq!(app.get(&zl, "/api/v1/me").await.0, 401);
    let (_, log) = app.get(&admin, "/api/v1/audit?action=role_change").await;
    assert_eq!(log["total"], 1);
    let e = &log["items"][0];
    assert!(e["before_json"].as_str().unwrap().contains("district"));
    assert!(e["after_json"].as_str().unwrap().contains("city"));

    // Disable: login fails with the same answer as a wrong password.
    app.patch_ok(
        &admin,
        &format!("/api/v1/users/{id}"),
        json!({"disabled": true}),
    )
    .await;
    assert_eq!(login("Zhonglou-2024").await.unwrap().status(), 401);
    app.patch_ok(
        &admin,
        &format!("/api/v1/users/{id}"),
        json!({"disabled": false}),
    )
    .await;

    // Reset: the user must change the password; then changes it.
    app.post(
        &admin,
        &format!("/api/v1/users/{id}/password"),
        json!({"new_password": "Temporary-9999"}),
    )
    .await
    .answers(204);
    assert_eq!(login("Zhonglou-2024").await.unwrap().status(), 401);
    let r = login("Temporary-9999")
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(r["user"]["must_change_password"], true);
    let tok = r["token"].as_str().unwrap().to_string();
    app.post(
        &tok,
        "/api/v1/me/password",
        json!({"current_password": "nope", "new_password": "Another-Pass-1"}),
    )
    .await
    .refused_on(422, "current_password");
    app.post(
        &tok,
        "/api/v1/me/password",
        json!({"current_password": "Temporary-9999", "new_password": "Another-Pass-1"}),
    )
    .await
    .answers(204);
    assert_eq!(
        app.get(&tok, "/api/v1/me").await.1["must_change_password"],
        false
    );
    // An admin cannot lock themselves out.
    let me = app.get(&admin, "/api/v1/me").await.1["id"]
        .as_i64()
        .unwrap();
    app.patch(
        &admin,
        &format!("/api/v1/users/{me}"),
        json!({"disabled": true}),
    )
    .await
    .answers(409);
}

#[tokio::test]
async fn audit_log_records_filters_and_detects_tampering() {
    let app = spawn_demo().await;
    let city = app.token("city").await;
    let (_, o) = app.post(&city, "/api/v1/orgs", json!({"name": "审计测试公司", "kind": "enterprise", "uscc": uscc(31337), "region_code": "320413"})).await;
    let id = o["id"].as_i64().unwrap();
    app.patch(
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
    let v = app
        .get_ok(
            &city,
            &format!("/api/v1/audit?entity_kind=org&entity_id={id}"),
        )
        .await;
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
    refused_on(s, &v, 422, "from");
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
    let requests = (0..16u32)
        .map(|i| {
            let body = json!({"name": format!("并发测试{i}号公司"), "kind": "enterprise", "uscc": uscc(50_000 + i), "region_code": "320481"});
            (t.clone(), "/api/v1/orgs".to_string(), body)
        })
        .collect();
    let codes = app.post_at_once(requests).await;
    assert_eq!(tally(&codes, 201), 16, "{codes:?}");
    assert_eq!(app.get(&t, "/api/v1/audit/verify").await.1["intact"], true);
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
    let (_, o) = app.post(&t, "/api/v1/orgs", json!({"name": "备份之后新建公司", "kind": "enterprise", "uscc": uscc(8080), "region_code": "320402"})).await;
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
    let (s, v) = app.post(&t, "/api/v1/orgs", json!({"name": "恢复之后新建公司", "kind": "enterprise", "uscc": uscc(8081), "region_code": "320402"})).await;
    assert_eq!(s, 201, "{v}");
}
