//! S3-compatible file storage: objects PUT and GET with AWS Signature V4 against an
//! in-process fake S3 that checks every signature; uploads through the app land in the
//! bucket and download identically; a wrong secret or an unreachable endpoint is a 503
//! with a clear message and leaves no `files` row behind.
use crate::fake_s3;

use crate::helpers::*;
use gongjiang_storage::files::FileStore;
use gongjiang_storage::StoreError;
use gongjiang_web::WebConfig;
use serde_json::json;
use sha2::{Digest, Sha256};

async fn file_rows(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM files")
        .fetch_one(&app.svc.db.pool)
        .await
        .unwrap()
}

/// A PDF-looking body with some binary bytes, large enough to be more than one packet.
fn pdf(tag: &str) -> Vec<u8> {
    let mut b = format!("%PDF-1.7 {tag}\n").into_bytes();
    b.extend((0..200_000u32).map(|i| (i * 7 + 3) as u8));
    b
}

#[tokio::test]
async fn store_put_get_with_checked_signatures() {
    let s3 = fake_s3::start().await;
    let store = s3.store("gj/");
    store.check().await.unwrap();
    let bytes = pdf("direct");
    let sha = hex::encode(Sha256::digest(&bytes));
    store.put(&sha, &bytes).await.unwrap();
    assert_eq!(
        s3.object(&format!("gj/{}/{sha}", &sha[..2])).as_deref(),
        Some(&bytes[..])
    );
    assert_eq!(store.get(&sha).await.unwrap(), bytes);
    assert!(store.exists(&sha).await.unwrap());
    assert!(!store.exists(&"0".repeat(64)).await.unwrap());
    assert_eq!(s3.count(403), 0);

    // The wrong secret: the fake S3 recomputes the signature and refuses it.
    let bad = FileStore::s3(s3.config("not-the-secret", "gj/")).unwrap();
    let e = bad.put(&sha, &bytes).await.unwrap_err();
    match &e {
        StoreError::Unavailable { code, zh, en } => {
            assert_eq!(code.as_str(), "file_store_unavailable");
            assert!(
                zh.contains("拒绝访问") && zh.contains("SignatureDoesNotMatch"),
                "{zh}"
            );
            assert!(en.contains("refused access"), "{en}");
            assert!(!zh.contains("not-the-secret"), "{zh}");
        }
        other => panic!("{other:?}"),
    }
    assert!(bad.get(&sha).await.is_err());
    assert!(bad.check().await.is_err());
    assert!(s3.count(403) >= 3);

    // A missing object and a missing bucket say so.
    let e = store.get(&"a".repeat(64)).await.unwrap_err();
    assert!(e.to_string().contains("missing"), "{e}");
    let mut cfg = s3.config(fake_s3::SECRET_KEY, "");
    cfg.bucket = "no-such-bucket".into();
    let e = FileStore::s3(cfg).unwrap().check().await.unwrap_err();
    assert!(e.to_string().contains("no bucket"), "{e}");

    // Nothing listens: a clear "cannot connect", not a panic.
    let mut cfg = s3.config(fake_s3::SECRET_KEY, "");
    cfg.endpoint = fake_s3::dead_endpoint().await;
    let e = FileStore::s3(cfg)
        .unwrap()
        .put(&sha, &bytes)
        .await
        .unwrap_err();
    match &e {
        StoreError::Unavailable { zh, .. } => {
            assert!(zh.contains("无法连接"), "{zh}")
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn uploads_through_the_app_land_in_the_bucket() {
    let s3 = fake_s3::start().await;
    let app = spawn_with_files(WebConfig::default(), true, s3.store("uploads/")).await;
    let unit = app.token("unit").await;
    let org = app.get(&unit, "/api/v1/me").await.1["org_id"]
        .as_i64()
        .unwrap();
    let bytes = pdf("evidence");
    let sha = hex::encode(Sha256::digest(&bytes));
    let (s, v) = app
        .upload_file(
            &unit,
            &format!("/api/v1/liuyou/{org}/{}/plan/files", this_year()),
            "方案.pdf",
            bytes.clone(),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let file_id = v["items"][1]["files"][0]["id"].as_i64().unwrap();
    assert_eq!(v["items"][1]["files"][0]["sha256"], sha.as_str());
    // The object is in the bucket under the prefix, content-addressed.
    let key = format!("uploads/{}/{sha}", &sha[..2]);
    assert_eq!(
        s3.object(&key).as_deref(),
        Some(&bytes[..]),
        "{:?}",
        s3.keys()
    );
    // Downloaded through the API and the console: the same bytes.
    let r = app.raw(&unit, &format!("/api/v1/files/{file_id}")).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.bytes().await.unwrap().to_vec(), bytes);
    let b = app.browser("unit").await;
    let r =
        b.c.get(app.at(&format!("/files/{file_id}")))
            .send()
            .await
            .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.bytes().await.unwrap().to_vec(), bytes);
    // A case attachment goes the same way.
    let c = app
        .post_ok(
            &unit,
            "/api/v1/cases",
            json!({"process": "pilot_application", "data": {"level": "县级"}}),
        )
        .await;
    let id = c["id"].as_i64().unwrap();
    let doc = pdf("case attachment");
    let (s, v) = app
        .upload_file(
            &unit,
            &format!("/api/v1/cases/{id}/files"),
            "申报书.pdf",
            doc.clone(),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let (_, d) = app.get(&unit, &format!("/api/v1/cases/{id}")).await;
    let fid = d["case"]["files"][0]["id"].as_i64().unwrap();
    let r = app.raw(&unit, &format!("/api/v1/files/{fid}")).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.bytes().await.unwrap().to_vec(), doc);
    let sha = hex::encode(Sha256::digest(&doc));
    assert_eq!(
        s3.object(&format!("uploads/{}/{sha}", &sha[..2]))
            .as_deref(),
        Some(&doc[..])
    );
    assert_eq!(s3.count(403), 0);
}

#[tokio::test]
async fn a_refused_or_unreachable_store_is_a_clear_503_and_writes_nothing() {
    let s3 = fake_s3::start().await;
    let wrong = FileStore::s3(s3.config("wrong-secret", "")).unwrap();
    let app = spawn_with_files(WebConfig::default(), true, wrong).await;
    let unit = app.token("unit").await;
    let org = app.get(&unit, "/api/v1/me").await.1["org_id"]
        .as_i64()
        .unwrap();
    let path = format!("/api/v1/liuyou/{org}/{}/plan/files", this_year());
    let before = file_rows(&app).await;
    let (s, e) = app
        .upload_file(&unit, &path, "方案.pdf", pdf("refused"))
        .await;
    assert_eq!(s, 503, "{e}");
    assert_eq!(err_code(&e), "file_store_unavailable", "{e}");
    let msg = e["error"]["message"].as_str().unwrap();
    assert!(
        msg.contains("拒绝访问") && msg.contains("access_key"),
        "{msg}"
    );
    assert_eq!(
        file_rows(&app).await,
        before,
        "no row for content that was not stored"
    );
    let (_, sheet) = app
        .get(&unit, &format!("/api/v1/liuyou/{org}/{}", this_year()))
        .await;
    assert_eq!(sheet["items"][1]["files"], json!([]), "{sheet}");
    assert!(s3.keys().is_empty());
    // The console shows a page with the message, not a bare 500.
    let b = app.browser("unit").await;
    let form = reqwest::multipart::Form::new()
        .text("_csrf", b.csrf.clone())
        .text("text", "说明")
        .part(
            "files",
            reqwest::multipart::Part::bytes(pdf("console")).file_name("a.pdf"),
        );
    let r =
        b.c.post(app.at(&format!("/liuyou/{org}/{}/plan", this_year())))
            .multipart(form)
            .send()
            .await
            .unwrap();
    assert_eq!(r.status().as_u16(), 503);
    let html = r.text().await.unwrap();
    assert!(html.contains("拒绝访问"), "{html}");
    assert_eq!(file_rows(&app).await, before);

    // Unreachable endpoint.
    let mut cfg = s3.config(fake_s3::SECRET_KEY, "");
    cfg.endpoint = fake_s3::dead_endpoint().await;
    let app = spawn_with_files(WebConfig::default(), true, FileStore::s3(cfg).unwrap()).await;
    let unit = app.token("unit").await;
    let before = file_rows(&app).await;
    let (s, e) = app.upload_file(&unit, &path, "方案.pdf", pdf("down")).await;
    assert_eq!(s, 503, "{e}");
    assert!(
        e["error"]["message"].as_str().unwrap().contains("无法连接"),
        "{e}"
    );
    assert_eq!(file_rows(&app).await, before);
}
