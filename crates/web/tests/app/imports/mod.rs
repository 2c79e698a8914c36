//! Imports and exports over HTTP: lossless round trips, all-or-nothing by default,
//! skip-invalid with a rejected-rows workbook, scope, within-file duplicates, bad files.

use crate::helpers::*;
use serde_json::Value;

mod console;
mod files;
mod jobs;

async fn upload(
    app: &TestApp,
    tok: &str,
    kind: &str,
    name: &str,
    bytes: Vec<u8>,
    skip_invalid: bool,
) -> Value {
    upload_in(app, tok, kind, name, bytes, skip_invalid, None).await
}

async fn upload_in(
    app: &TestApp,
    tok: &str,
    kind: &str,
    name: &str,
    bytes: Vec<u8>,
    skip_invalid: bool,
    period: Option<&str>,
) -> Value {
    app.import_and_wait(tok, kind, name, bytes, skip_invalid, period)
        .await
}

const ORG_HEADER: &str = "单位名称,统一社会信用代码,单位类型,所属区划代码,上级单位信用代码,行业代码,经济类型,是否链主企业\n";

/// Starts an import without waiting for it; the answer's status and body.
async fn start_import(
    app: &TestApp,
    tok: &str,
    name: &str,
    bytes: Vec<u8>,
    dry_run: bool,
    lang: &str,
) -> (u16, Value) {
    let form = reqwest::multipart::Form::new()
        .text("kind", "orgs")
        .text("dry_run", if dry_run { "1" } else { "0" })
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()),
        );
    let r = app
        .client
        .post(app.at(&format!("/api/v1/imports?lang={lang}")))
        .bearer_auth(tok)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let s = r.status().as_u16();
    (s, r.json().await.unwrap_or(Value::Null))
}

/// Uploads a file through the console form as `b`; the job page's path.
async fn console_upload(b: &Browser, name: &str, csv: String, skip_invalid: bool) -> String {
    let mut form = reqwest::multipart::Form::new()
        .text("_csrf", b.csrf.clone())
        .text("kind", "orgs");
    if skip_invalid {
        form = form.text("skip_invalid", "1");
    }
    let form = form.part(
        "file",
        reqwest::multipart::Part::bytes(csv.into_bytes()).file_name(name.to_string()),
    );
    let r =
        b.c.post(format!("{}/imports", b.base))
            .multipart(form)
            .send()
            .await
            .unwrap();
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    r.headers()["location"].to_str().unwrap().to_string()
}
