//! Reads kept by the data version (issue #11, the request path): an indicator read or an
//! organisation list is served again only while nothing it depends on has changed —
//! whether the change came through this server or another one on the same database.

use crate::helpers::*;
use serde_json::{json, Value};

#[tokio::test]
async fn kept_reads_follow_a_change_made_through_another_server() {
    let app = spawn_demo().await;
    // A second server over the same database, with answers of its own.
    let other = spawn_svc(gongjiang_web::WebConfig::default(), app.svc.clone()).await;
    let city = app.token("city").await;
    let year = demo_year();
    let ind = format!("/api/v1/indicators?org=320400&period={year}");
    let drill = format!("{ind}&by=child");
    let first = app.get_ok(&city, &ind).await;
    assert_eq!(app.get_ok(&city, &ind).await, first, "kept");
    let children = app.get_ok(&city, &drill).await;
    let list = app
        .get_ok(&city, "/api/v1/orgs?q=工匠学院&per_page=100")
        .await;
    let before = indicator_in(&first, "colleges_craftsman");

    // The other server registers a 工匠学院: the aggregates and the tree change.
    let (s, o) = other
        .post(
            &city,
            "/api/v1/orgs",
            json!({"name": "常州数据版本工匠学院", "kind": "院校", "region_code": "320402", "college_type": "工匠学院"}),
        )
        .await;
    assert_eq!(s, 201, "{o}");

    let after = app.get_ok(&city, &ind).await;
    assert_eq!(
        indicator_in(&after, "colleges_craftsman"),
        before + 1.0,
        "{after}"
    );
    assert_ne!(app.get_ok(&city, &drill).await, children);
    let list2 = app
        .get_ok(&city, "/api/v1/orgs?q=工匠学院&per_page=100")
        .await;
    assert_eq!(
        list2["total"].as_i64().unwrap(),
        list["total"].as_i64().unwrap() + 1,
        "{list2}"
    );
    // Each caller's answer is its own: a district reads only its area.
    let tianning = app.token("tianning").await;
    app.get(
        &tianning,
        &format!("/api/v1/indicators?org=320412&period={year}"),
    )
    .await
    .answers(404);
    // The language is part of the answer.
    let en = app
        .client
        .get(app.at(&ind))
        .header("accept-language", "en")
        .bearer_auth(&city)
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_ne!(en["indicators"][0]["name"], after["indicators"][0]["name"]);
}

/// Polls `f` for up to five seconds (another server hears a change when PostgreSQL
/// delivers its notification: well under a millisecond here, but not at once).
async fn eventually<F, Fut>(what: &str, mut f: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..500 {
        if f().await {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("not within 5 s: {what}");
}

/// A second server of its own (a pool and what it keeps) over the test's database.
async fn keeping_server(app: &TestApp) -> TestApp {
    let db = app.svc.db.reconnect().await.expect("reconnect");
    let svc = gongjiang_storage::service::Service::with_key(db, app.svc.key.clone());
    let cfg = gongjiang_web::WebConfig {
        keep_sessions: true,
        ..Default::default()
    };
    let s = spawn_svc(cfg, svc).await;
    if s.svc.db.backend == gongjiang_storage::Backend::Postgres {
        eventually("the server listens", || async { s.svc.db.live.is_on() }).await;
    }
    s
}

#[tokio::test]
async fn servers_that_keep_sessions_hear_every_change_that_ends_or_changes_one() {
    let app = spawn_demo().await;
    let a = keeping_server(&app).await;
    let b = keeping_server(&app).await;
    let pg = app.svc.db.backend == gongjiang_storage::Backend::Postgres;
    let orgs = "/api/v1/orgs?q=工匠学院&per_page=100";

    // A session read once is kept (PostgreSQL) and served again without a read.
    let city = a.token("city").await;
    let first = b.get_ok(&city, orgs).await;
    if pg {
        let now = gongjiang_storage::now_ms();
        assert!(b.svc.db.live.session(&city, now).is_some(), "kept by b");
    }

    // A change through server a reaches the answers b keeps.
    let (s, o) = a
        .post(
            &city,
            "/api/v1/orgs",
            json!({"name": "常州监听工匠学院", "kind": "院校", "region_code": "320402", "college_type": "工匠学院"}),
        )
        .await;
    assert_eq!(s, 201, "{o}");
    assert_eq!(
        a.get_ok(&city, orgs).await["total"],
        first["total"].as_i64().unwrap() + 1,
        "the server that made the change sees it at once"
    );
    eventually("b serves the new organisation", || async {
        b.get_ok(&city, orgs).await["total"] == first["total"].as_i64().unwrap() + 1
    })
    .await;

    // Logging out on a ends the session on a at once and on b when it hears.
    assert_eq!(a.status(&city, "/api/v1/me").await, 200);
    let (s, _) = a.post(&city, "/api/v1/auth/logout", json!({})).await;
    assert!(s == 200 || s == 204, "logout: {s}");
    assert_eq!(a.status(&city, "/api/v1/me").await, 401);
    eventually("b refuses the ended session", || async {
        b.status(&city, "/api/v1/me").await == 401
    })
    .await;

    // An account disabled through a: its token is refused on b.
    let tianning = a.token("tianning").await;
    assert_eq!(b.status(&tianning, "/api/v1/me").await, 200);
    let admin = a.token("admin").await;
    let users = a.get_ok(&admin, "/api/v1/users").await;
    let id = users["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "tianning")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let (s, o) = a
        .patch(
            &admin,
            &format!("/api/v1/users/{id}"),
            json!({"disabled": true}),
        )
        .await;
    assert_eq!(s, 200, "{o}");
    eventually("b refuses the disabled account", || async {
        b.status(&tianning, "/api/v1/me").await == 401
    })
    .await;

    // A session cut short behind every server's back (SQL by hand) is refused too.
    let wujin = a.token("wujin").await;
    assert_eq!(b.status(&wujin, "/api/v1/me").await, 200);
    sqlx::query("UPDATE sessions SET expires_at = 1")
        .execute(&app.svc.db.pool)
        .await
        .unwrap();
    eventually("b refuses the expired session", || async {
        b.status(&wujin, "/api/v1/me").await == 401
    })
    .await;

    if pg {
        // The listener's connection lost: nothing is kept until it is back.
        let admin = a.token("admin").await;
        assert_eq!(b.status(&admin, "/api/v1/me").await, 200);
        sqlx::query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid() \
             AND query = 'SELECT version FROM data_version WHERE id = 1'",
        )
        .execute(&app.svc.db.pool)
        .await
        .unwrap();
        eventually("b notices", || async { !b.svc.db.live.is_on() }).await;
        assert_eq!(b.status(&admin, "/api/v1/me").await, 200, "read, not kept");
        eventually("b listens again", || async { b.svc.db.live.is_on() }).await;
        let (s, _) = a.post(&admin, "/api/v1/auth/logout", json!({})).await;
        assert!(s == 200 || s == 204);
        eventually("b hears again", || async {
            b.status(&admin, "/api/v1/me").await == 401
        })
        .await;
    }
}
