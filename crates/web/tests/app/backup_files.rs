//! Backups carry the stored files' contents: backup + restore into a fresh database and
//! an empty file store brings back attachments that download identically, on a disk
//! store and on an S3 store; a damaged backup (bad content, cut off) changes nothing;
//! a content missing from the backup is refused; a version 1 backup (tables only) still
//! restores.
use crate::fake_s3;

use crate::helpers::*;
use gongjiang_storage::backup;
use gongjiang_storage::files::FileStore;
use gongjiang_storage::service::Service;
use gongjiang_web::WebConfig;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

async fn upload(app: &TestApp, tok: &str, path: &str, name: &str, bytes: Vec<u8>) -> Value {
    let (s, v) = app.upload_file(tok, path, name, bytes).await;
    assert_eq!(s, 200, "{v}");
    v
}

async fn download(app: &TestApp, tok: &str, id: i64) -> Vec<u8> {
    let r = app.raw(tok, &format!("/api/v1/files/{id}")).await;
    assert_eq!(r.status(), 200, "file {id}");
    r.bytes().await.unwrap().to_vec()
}

fn pdf(tag: &str, n: u32) -> Vec<u8> {
    let mut b = format!("%PDF-1.7 {tag}\n").into_bytes();
    b.extend((0..n).map(|i| (i * 13 + tag.len() as u32) as u8));
    b
}

/// Uploads two evidence files and a case attachment; returns (file id, bytes) of each.
async fn attach(app: &TestApp) -> Vec<(i64, Vec<u8>)> {
    let unit = app.token("unit").await;
    let org = app.get(&unit, "/api/v1/me").await.1["org_id"]
        .as_i64()
        .unwrap();
    let mut out = Vec::new();
    for (item, name, bytes) in [
        ("plan", "方案.pdf", pdf("plan", 150_000)),
        ("rights", "合同.pdf", pdf("rights", 3_000)),
    ] {
        let v = upload(
            app,
            &unit,
            &format!("/api/v1/liuyou/{org}/{}/{item}/files", this_year()),
            name,
            bytes.clone(),
        )
        .await;
        let files = v["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["item"] == item)
            .unwrap()["files"]
            .clone();
        let id = files
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == name)
            .unwrap_or_else(|| panic!("{v}"))["id"]
            .as_i64()
            .unwrap();
        out.push((id, bytes));
    }
    let c = app
        .post_ok(
            &unit,
            "/api/v1/cases",
            json!({"process": "pilot_application", "data": {"level": "县级"}}),
        )
        .await;
    let case = c["id"].as_i64().unwrap();
    let doc = pdf("case", 40_000);
    upload(
        app,
        &unit,
        &format!("/api/v1/cases/{case}/files"),
        "申报书.pdf",
        doc.clone(),
    )
    .await;
    let (_, d) = app.get(&unit, &format!("/api/v1/cases/{case}")).await;
    out.push((d["case"]["files"][0]["id"].as_i64().unwrap(), doc));
    out
}

async fn count(svc: &Service, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(&svc.db.pool)
        .await
        .unwrap()
}

/// Backup from `app`, restore into a fresh database with `target` as its store, serve
/// it, and download every attachment again.
async fn round_trip(app: &TestApp, target: FileStore) -> TestApp {
    let files = attach(app).await;
    let mut buf = Vec::new();
    let s = backup::backup_with_files(&app.svc.db, &app.svc.files, &mut buf)
        .await
        .unwrap();
    assert_eq!(s.files, 3);
    assert!(s.file_bytes > 190_000);
    let text = String::from_utf8(buf.clone()).unwrap();
    let header: Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(
        (header["version"].as_i64(), header["files"].as_bool()),
        (Some(2), Some(true))
    );
    assert!(text.lines().last().unwrap().contains("\"end\":true"));

    let (db, guard) = fresh_db().await;
    let fresh = Service::with_key(db, app.svc.key.clone()).with_files(target);
    let r = backup::restore_with_files(&fresh.db, &fresh.files, &mut &buf[..])
        .await
        .unwrap();
    assert_eq!((r.files, r.missing_files), (3, 0));
    let restored = spawn_svc(WebConfig::default(), fresh)
        .await
        .with_db_guard(guard);
    let unit = restored.token("unit").await;
    for (id, bytes) in &files {
        assert_eq!(&download(&restored, &unit, *id).await, bytes, "file {id}");
        let sha = hex::encode(Sha256::digest(bytes));
        assert!(restored.svc.files.exists(&sha).await.unwrap());
    }
    // New uploads after the restore get fresh ids (PostgreSQL identities moved on).
    let org = restored.get(&unit, "/api/v1/me").await.1["org_id"]
        .as_i64()
        .unwrap();
    upload(
        &restored,
        &unit,
        &format!("/api/v1/liuyou/{org}/{}/tasks/files", this_year()),
        "新.pdf",
        pdf("after", 10),
    )
    .await;
    restored
}

#[tokio::test]
async fn disk_store_backup_restores_attachments_into_a_fresh_data_dir() {
    let app = spawn_demo().await;
    round_trip(&app, FileStore::temp()).await;
}

/// A small database (regions and one stored file) and its backup with contents, and the
/// database's guard.
async fn small() -> (Service, Vec<u8>, Vec<u8>, DbGuard) {
    let (db, guard) = fresh_db().await;
    let svc = Service::new(db);
    svc.ensure_base_regions().await.unwrap();
    let bytes = pdf("small", 5_000);
    let mut tx = svc.db.begin().await.unwrap();
    svc.store_file(
        tx.conn(),
        &gongjiang_storage::Actor::system("test"),
        None,
        "政策.pdf",
        &bytes,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let mut buf = Vec::new();
    backup::backup_with_files(&svc.db, &svc.files, &mut buf)
        .await
        .unwrap();
    (svc, buf, bytes, guard)
}

#[tokio::test]
async fn a_damaged_backup_changes_nothing_and_version_1_still_restores() {
    let (svc, buf, _, _guard) = small().await;
    // Restored once into itself, so that there is something a bad restore could undo.
    backup::restore_with_files(&svc.db, &svc.files, &mut &buf[..])
        .await
        .unwrap();
    let rows = count(&svc, "SELECT COUNT(*) FROM files").await;
    let regions = count(&svc, "SELECT COUNT(*) FROM regions").await;
    assert_eq!(rows, 1);
    let text = String::from_utf8(buf).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let first_file = lines
        .iter()
        .position(|l| l.starts_with("{\"files\":"))
        .unwrap()
        + 1;
    let mut rec: Value = serde_json::from_str(lines[first_file]).unwrap();
    rec["data"] = json!(base64_of(b"%PDF-1.7 tampered"));
    rec["size"] = json!(17);
    let mut tampered = lines.clone();
    let s = rec.to_string();
    tampered[first_file] = &s;
    let mut missing = lines.clone();
    missing.remove(first_file);
    missing[first_file - 1] = "{\"files\":0}";
    let cut = &lines[..lines.len() - 2];
    let no_end = &lines[..lines.len() - 1];
    for (what, bad) in [
        ("tampered", tampered.join("\n")),
        ("content missing", missing.join("\n")),
        ("cut", cut.join("\n")),
        ("no end", no_end.join("\n")),
    ] {
        let e = backup::restore_with_files(&svc.db, &FileStore::temp(), &mut bad.as_bytes())
            .await
            .unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("not a valid gongjiang backup"),
            "{what}: {msg}"
        );
        assert_eq!(
            count(&svc, "SELECT COUNT(*) FROM files").await,
            rows,
            "{what}"
        );
        assert_eq!(
            count(&svc, "SELECT COUNT(*) FROM regions").await,
            regions,
            "{what}"
        );
    }
    // Without a file store a backup with contents is refused rather than half restored.
    let e = backup::restore(&svc.db, &mut text.as_bytes())
        .await
        .unwrap_err();
    assert!(e.to_string().contains("file store"), "{e}");
    assert_eq!(count(&svc, "SELECT COUNT(*) FROM files").await, rows);

    // A version 1 backup (tables only, no trailer) still restores; the content it does
    // not hold is counted as missing from an empty store.
    let mut v1 = Vec::new();
    backup::backup(&svc.db, &mut v1).await.unwrap();
    let v1 = String::from_utf8(v1).unwrap();
    let mut l: Vec<String> = v1.lines().map(str::to_string).collect();
    let mut h: Value = serde_json::from_str(&l[0]).unwrap();
    h["version"] = json!(1);
    h.as_object_mut().unwrap().remove("files");
    l[0] = h.to_string();
    l.pop();
    let v1 = l.join("\n");
    let (db, _guard) = fresh_db().await;
    let r = backup::restore_with_files(&db, &FileStore::temp(), &mut v1.as_bytes())
        .await
        .unwrap();
    assert_eq!((r.files, r.missing_files), (0, 1));
    let r = backup::restore_with_files(&db, &svc.files, &mut v1.as_bytes())
        .await
        .unwrap();
    assert_eq!((r.files, r.missing_files), (0, 0));
}

fn base64_of(b: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(b)
}

#[tokio::test]
async fn s3_store_backup_restores_into_another_bucket() {
    let source = fake_s3::start().await;
    let app = spawn_with_files(WebConfig::default(), true, source.store("prod/")).await;
    let target = fake_s3::start().await;
    round_trip(&app, target.store("restored/")).await;
    // Every content is in the target bucket under its key.
    let keys = target.keys();
    assert_eq!(keys.len(), 4, "{keys:?}");
    assert!(keys.iter().all(|k| k.starts_with("restored/")));
    for k in source.keys() {
        let restored_key = k.replacen("prod/", "restored/", 1);
        assert_eq!(source.object(&k), target.object(&restored_key));
    }
    assert_eq!(source.count(403) + target.count(403), 0);

    // From S3 to a disk store too.
    let mut buf = Vec::new();
    backup::backup_with_files(&app.svc.db, &app.svc.files, &mut buf)
        .await
        .unwrap();
    let disk = FileStore::temp();
    let (db, _guard) = fresh_db().await;
    let r = backup::restore_with_files(&db, &disk, &mut &buf[..])
        .await
        .unwrap();
    assert_eq!(r.files, 3);
    // A backup cannot be taken while the store refuses: an error, not a partial file
    // silently missing contents.
    let refusing = app
        .svc
        .clone()
        .with_files(FileStore::s3(source.config("wrong", "prod/")).unwrap());
    let mut out = Vec::new();
    let e = backup::backup_with_files(&refusing.db, &refusing.files, &mut out)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("refused"), "{e}");
}
