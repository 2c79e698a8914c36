//! The tree columns kept up to date incrementally equal a full rebuild.

use crate::helpers::*;
use serde_json::json;
use sqlx::Row;

async fn snapshot(app: &TestApp) -> (Vec<String>, Vec<String>, Vec<String>) {
    let pool = &app.svc.db.pool;
    let regions = sqlx::query("SELECT code, depth, COALESCE(l1,''), COALESCE(l2,''), COALESCE(l3,''), COALESCE(l4,'') FROM regions ORDER BY code").fetch_all(pool).await.unwrap();
    let orgs = sqlx::query("SELECT id, COALESCE(region_l1,''), COALESCE(region_l2,''), COALESCE(region_l3,''), COALESCE(region_l4,'') FROM orgs ORDER BY id").fetch_all(pool).await.unwrap();
    let closure = sqlx::query("SELECT ancestor_id, descendant_id, depth FROM org_closure ORDER BY ancestor_id, descendant_id").fetch_all(pool).await.unwrap();
    let r = regions
        .iter()
        .map(|r| {
            format!(
                "{}:{}:{}:{}:{}:{}",
                r.try_get::<String, _>(0).unwrap(),
                r.try_get::<i64, _>(1).unwrap(),
                r.try_get::<String, _>(2).unwrap(),
                r.try_get::<String, _>(3).unwrap(),
                r.try_get::<String, _>(4).unwrap(),
                r.try_get::<String, _>(5).unwrap()
            )
        })
        .collect();
    let o = orgs
        .iter()
        .map(|r| {
            format!(
                "{}:{}:{}:{}:{}",
                r.try_get::<i64, _>(0).unwrap(),
                r.try_get::<String, _>(1).unwrap(),
                r.try_get::<String, _>(2).unwrap(),
                r.try_get::<String, _>(3).unwrap(),
                r.try_get::<String, _>(4).unwrap()
            )
        })
        .collect();
    let c = closure
        .iter()
        .map(|r| {
            format!(
                "{}>{}:{}",
                r.try_get::<i64, _>(0).unwrap(),
                r.try_get::<i64, _>(1).unwrap(),
                r.try_get::<i64, _>(2).unwrap()
            )
        })
        .collect();
    (r, o, c)
}

#[tokio::test]
async fn incremental_tree_columns_equal_a_rebuild() {
    let app = spawn_demo().await;
    let t = app.token("city").await;
    // Move things around: a new park with an enterprise, the park moved under a town,
    // an enterprise moved from one park to another, a region change.
    let (_, park) = app
        .post(
            &t,
            "/api/v1/orgs",
            json!({"name": "测试园区", "kind": "park", "uscc": uscc(1), "region_code": "320412"}),
        )
        .await;
    let park = park["id"].as_i64().unwrap();
    let (_, ent) = app.post(&t, "/api/v1/orgs", json!({"name": "测试园区内企业", "kind": "enterprise", "uscc": uscc(2), "region_code": "320412", "parent_id": park})).await;
    let ent = ent["id"].as_i64().unwrap();
    let (_, sub) = app.post(&t, "/api/v1/orgs", json!({"name": "企业下属分厂", "kind": "enterprise", "uscc": uscc(3), "region_code": "320412", "parent_id": ent})).await;
    let sub = sub["id"].as_i64().unwrap();
    let other_park = app.org_id(&t, "kind=park&region=320402").await;
    assert_eq!(
        app.patch(
            &t,
            &format!("/api/v1/orgs/{ent}"),
            json!({"parent_id": other_park, "region_code": "320402"})
        )
        .await
        .0,
        200
    );
    assert_eq!(
        app.patch(
            &t,
            &format!("/api/v1/orgs/{park}"),
            json!({"region_code": "320412100"})
        )
        .await
        .0,
        200
    );
    // The grandchild moved with its parent.
    let u = app
        .get(&t, &format!("/api/v1/orgs?parent_id={ent}"))
        .await
        .1;
    assert_eq!(u["items"][0]["id"], sub);
    let before = snapshot(&app).await;
    let mut tx = app.svc.db.begin().await.unwrap();
    gongjiang_storage::tree::rebuild(tx.conn()).await.unwrap();
    tx.commit().await.unwrap();
    let after = snapshot(&app).await;
    assert_eq!(before.0, after.0, "regions");
    assert_eq!(before.1, after.1, "orgs");
    assert_eq!(before.2, after.2, "closure");
    // Scope by organisation follows the move: the other park now contains both.
    let scope = gongjiang_storage::Scope::Org(other_park);
    let mut conn = app.svc.db.pool.acquire().await.unwrap();
    assert!(gongjiang_storage::orgs::get(&mut conn, &scope, sub)
        .await
        .unwrap()
        .is_some());
    assert!(
        gongjiang_storage::orgs::get(&mut conn, &gongjiang_storage::Scope::Org(park), sub)
            .await
            .unwrap()
            .is_none()
    );
}
