//! `gongjiang backup` / `gongjiang restore` carry uploaded files: restored into a fresh
//! data dir, the content is back in its `files/` and reads identically; a damaged backup
//! changes nothing; a misconfigured or unreachable S3 store is a clear error.

use crate::common::*;
use gongjiang_storage::files::FileStore;
use gongjiang_storage::service::Service;
use gongjiang_storage::Actor;
use std::process::{Output, Stdio};

impl Env {
    fn cmd_with(&self, args: &[&str], vars: &[(&str, &str)]) -> Output {
        let mut c = self.command();
        c.args(args);
        for (k, v) in vars {
            c.env(k, v);
        }
        c.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = c.spawn().unwrap();
        if let Some(mut i) = child.stdin.take() {
            use std::io::Write;
            let _ = i.write_all(b"Gongjiang-2025!\n");
        }
        child.wait_with_output().unwrap()
    }

    async fn svc(&self) -> Service {
        Service::new(self.db().await).with_files(FileStore::Disk(self.dir.join("files")))
    }
}

#[tokio::test]
async fn backup_and_restore_carry_the_files() {
    let a = env("clif").await;
    let o = a.cmd_with(
        &[
            "user",
            "add",
            "admin",
            "--role",
            "sysadmin",
            "--org",
            "320400",
            "--password-stdin",
        ],
        &[],
    );
    assert!(o.status.success(), "{}", err(&o));
    // A policy document uploaded into the data dir's files/.
    let bytes: Vec<u8> = b"%PDF-1.7 policy\n"
        .iter()
        .copied()
        .chain((0..50_000u32).map(|i| (i % 251) as u8))
        .collect();
    let meta = {
        let svc = a.svc().await;
        let mut tx = svc.db.begin().await.unwrap();
        let m = svc
            .store_file(tx.conn(), &Actor::system("test"), None, "政策.pdf", &bytes)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        svc.db.close().await;
        m
    };
    let file = a.dir.join("b.jsonl");
    let o = a.cmd_with(&["backup", "-o", file.to_str().unwrap()], &[]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(err(&o).contains("1 个文件"), "{}", err(&o));

    // A fresh data dir (and database): restore, and the content is back.
    let b = env("clif").await;
    let o = b.cmd_with(&["restore", file.to_str().unwrap()], &[]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(err(&o).contains("1 个文件"), "{}", err(&o));
    let on_disk = b
        .dir
        .join("files")
        .join(&meta.sha256[..2])
        .join(&meta.sha256);
    assert_eq!(std::fs::read(&on_disk).unwrap(), bytes);
    let svc = b.svc().await;
    let (m, back) = svc
        .read_file(&Actor::system("test"), meta.id)
        .await
        .unwrap();
    assert_eq!((m.name.as_str(), back), ("政策.pdf", bytes.clone()));
    svc.db.close().await;

    // A damaged content: exit 3, nothing changed.
    let text = std::fs::read_to_string(&file).unwrap();
    let bad = text.replace(
        &format!("\"sha256\":\"{}\"", meta.sha256),
        &format!("\"sha256\":\"{}\"", "0".repeat(64)),
    );
    assert_ne!(bad, text);
    let bad_file = b.dir.join("bad.jsonl");
    std::fs::write(&bad_file, bad).unwrap();
    let o = b.cmd_with(&["restore", bad_file.to_str().unwrap()], &[]);
    assert_eq!(o.status.code(), Some(3), "{}", err(&o));
    assert!(err(&o).contains("数据库未作任何改动"), "{}", err(&o));
    let svc = b.svc().await;
    assert!(svc.read_file(&Actor::system("test"), meta.id).await.is_ok());
    svc.db.close().await;

    // S3 settings are checked and an unreachable store is named.
    let o = a.cmd_with(
        &["backup", "-o", a.dir.join("s3.jsonl").to_str().unwrap()],
        &[
            ("GONGJIANG_FILES_BACKEND", "s3"),
            ("GONGJIANG_S3_ENDPOINT", "http://127.0.0.1:9"),
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("GONGJIANG_S3_BUCKET"), "{}", err(&o));
    let dead = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    let out = a.dir.join("s3.jsonl");
    let o = a.cmd_with(
        &["backup", "-o", out.to_str().unwrap()],
        &[
            ("GONGJIANG_FILES_BACKEND", "s3"),
            ("GONGJIANG_S3_ENDPOINT", &dead),
            ("GONGJIANG_S3_BUCKET", "gongjiang"),
            ("GONGJIANG_S3_ACCESS_KEY", "ak"),
            ("GONGJIANG_S3_SECRET_KEY", "sk"),
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("无法连接"), "{}", err(&o));
    assert!(!err(&o).contains("sk\""), "{}", err(&o));
    assert!(!out.exists() && !out.with_extension("partial").exists());
}
