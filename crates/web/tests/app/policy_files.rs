//! Policy documents uploaded as PDF or Word files: with the text field left empty the
//! file's text is read (console form and `POST /api/v1/policies/upload`), so the
//! document is found by words that are only in the file; a scanned PDF is sent back
//! with a request to paste the text; a very long text is cut with a note.

use crate::helpers::*;
use reqwest::multipart::{Form, Part};
use serde_json::Value;

/// Made by LibreOffice and cairo from the same page (crates/io/tests/fixtures/README.md).
const PDF: &[u8] = include_bytes!("../../../io/tests/fixtures/policy_cairo.pdf");
const PDF_LO: &[u8] = include_bytes!("../../../io/tests/fixtures/policy_libreoffice.pdf");
const DOCX: &[u8] = include_bytes!("../../../io/tests/fixtures/policy_libreoffice.docx");

/// Only in the files (not in any title, nor in the demo documents).
const PHRASE: &str = "青年技能人才驿站";
/// Broken across two lines in the PDFs.
const WRAPPED: &str = "技能人才培养摆在更加突出的位置";

fn fields(title: &str) -> Form {
    Form::new()
        .text("title", title.to_string())
        .text("category", "skills")
        .text("level", "city")
        .text("issued_on", "2024-05-01")
}

fn file(bytes: &[u8], name: &str) -> Part {
    Part::bytes(bytes.to_vec()).file_name(name.to_string())
}

async fn api_upload(app: &TestApp, token: &str, form: Form) -> (u16, Value) {
    let r = app
        .client
        .post(app.at("/api/v1/policies/upload"))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

/// Posts the console's form; (status, body, Location).
async fn console_upload(b: &Browser, form: Form) -> (u16, String, Option<String>) {
    let r =
        b.c.post(format!("{}/policies", b.base))
            .multipart(form.text("_csrf", b.csrf.clone()))
            .send()
            .await
            .unwrap();
    let loc = r
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string());
    (r.status().as_u16(), r.text().await.unwrap(), loc)
}

async fn search_ids(app: &TestApp, token: &str, q: &str) -> Vec<i64> {
    let v = app
        .get_ok(token, &format!("/api/v1/policies?per_page=100&q={q}"))
        .await;
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_i64().unwrap())
        .collect()
}

/// A one-page PDF whose page is only an image (a scan).
fn scanned_pdf() -> Vec<u8> {
    let objects: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /XObject << /Im0 5 0 R >> >> >>".to_vec(),
        b"<< /Length 30 >>\nstream\nq 595 0 0 842 0 0 cm /Im0 Do Q\nendstream".to_vec(),
        b"<< /Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray /BitsPerComponent 8 /Length 1 >>\nstream\n\x80\nendstream".to_vec(),
    ];
    let mut out = b"%PDF-1.7\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(o);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

#[tokio::test]
async fn pdf_and_docx_are_found_by_the_text_inside_them() {
    let app = spawn_demo().await;
    let city = app.token("city").await;
    let unit = app.token("unit").await;
    assert!(search_ids(&app, &unit, PHRASE).await.is_empty());

    // API: a PDF (CID font, Identity-H) and a Word file, text left empty.
    let (s, pdf) = api_upload(
        &app,
        &city,
        fields("技能提升实施意见(PDF,接口)").part("file", file(PDF, "实施意见.pdf")),
    )
    .await;
    assert_eq!(s, 200, "{pdf}");
    assert!(pdf["body"].as_str().unwrap().contains(PHRASE), "{pdf}");
    assert!(pdf["file_id"].as_i64().is_some(), "{pdf}");
    let (s, docx) = api_upload(
        &app,
        &city,
        fields("技能提升实施意见(Word,接口)")
            .text("body", "")
            .part("file", file(DOCX, "实施意见.docx")),
    )
    .await;
    assert_eq!(s, 200, "{docx}");
    assert!(docx["body"].as_str().unwrap().contains(PHRASE), "{docx}");

    // Console: the same through the add form (the LibreOffice PDF: simple fonts).
    let b = app.browser("city").await;
    let html = b.get_ok("/policies/new").await;
    assert!(
        html.contains("PDF、Word(.docx)"),
        "the help names the formats"
    );
    let (s, _, loc) = console_upload(
        &b,
        fields("技能提升实施意见(PDF,页面)")
            .text("body", "")
            .part("file", file(PDF_LO, "实施意见.pdf")),
    )
    .await;
    assert_eq!(s, 303);
    let console_pdf: i64 = loc.unwrap().rsplit('/').next().unwrap().parse().unwrap();
    let (s, _, loc) = console_upload(
        &b,
        fields("技能提升实施意见(Word,页面)").part("file", file(DOCX, "实施意见.docx")),
    )
    .await;
    assert_eq!(s, 303);
    let console_docx: i64 = loc.unwrap().rsplit('/').next().unwrap().parse().unwrap();
    let html = b.get_ok(&format!("/policies/{console_pdf}")).await;
    assert!(html.contains(PHRASE));

    // All four are found by a phrase only in the files, and by one the PDF wraps.
    let mut want = vec![
        pdf["id"].as_i64().unwrap(),
        docx["id"].as_i64().unwrap(),
        console_pdf,
        console_docx,
    ];
    want.sort();
    for q in [PHRASE, WRAPPED, "数字工匠培育计划 每人500元"] {
        let mut got = search_ids(&app, &unit, q).await;
        got.sort();
        assert_eq!(got, want, "{q}");
    }
    let html = b.get_ok(&format!("/policies?q={PHRASE}")).await;
    assert!(html.contains(&format!("<mark>{PHRASE}</mark>")), "{html}");

    // A text typed in is kept as it is; the file is still attached.
    let (s, p) = api_upload(
        &app,
        &city,
        fields("只有摘要的文件")
            .text("body", "本文件的摘要。")
            .part("file", file(PDF, "实施意见.pdf")),
    )
    .await;
    assert_eq!(s, 200, "{p}");
    assert_eq!(p["body"], "本文件的摘要。");
    assert!(p["file_id"].as_i64().is_some());
    assert_eq!(search_ids(&app, &unit, PHRASE).await.len(), 4);
}

#[tokio::test]
async fn a_scan_or_a_broken_file_asks_for_the_text() {
    let app = spawn_demo().await;
    let city = app.token("city").await;
    let (_, before) = app.get(&city, "/api/v1/policies").await;
    let scan = scanned_pdf();

    // Console: sent back with the message at the text field, values kept.
    let b = app.browser("city").await;
    let (s, html, _) = console_upload(
        &b,
        fields("扫描件通知").part("file", file(&scan, "扫描件.pdf")),
    )
    .await;
    assert_eq!(s, 422, "{html}");
    assert!(html.contains("未能从“扫描件.pdf”中读取到文字"), "{html}");
    assert!(html.contains("请把正文粘贴到“正文”栏"), "{html}");
    let at_body = html
        .find("id=\"e-body\"")
        .expect("message at the text field");
    assert!(at_body > html.find("id=\"f-body\"").unwrap());
    assert!(html.contains(r#"aria-describedby="h-body e-body" aria-invalid="true">"#));
    assert!(html.contains("value=\"扫描件通知\""), "the title is kept");

    // API: 422 on `body`, in English on request.
    let (s, e) = api_upload(
        &app,
        &city,
        fields("扫描件通知").part("file", file(&scan, "scan.pdf")),
    )
    .await;
    refused_on(s, &e, 422, "body");
    assert!(
        e["error"]["message"].as_str().unwrap().contains("扫描件"),
        "{e}"
    );
    let r = app
        .client
        .post(app.at("/api/v1/policies/upload"))
        .bearer_auth(&city)
        .header("accept-language", "en")
        .multipart(fields("x").part("file", file(&scan, "scan.pdf")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let e: Value = r.json().await.unwrap();
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("paste the text"),
        "{e}"
    );

    // A damaged PDF and a damaged Word file: a clear message, nothing saved.
    let mut broken = PDF[..PDF.len() / 3].to_vec();
    broken.extend_from_slice(b"garbage");
    for (bytes, name) in [
        (broken, "damaged.pdf"),
        (b"PK\x03\x04word/ not really a zip".to_vec(), "damaged.docx"),
    ] {
        let (s, e) = api_upload(
            &app,
            &city,
            fields("损坏的文件").part("file", file(&bytes, name)),
        )
        .await;
        assert_eq!(s, 422, "{name}: {e}");
        let msg = e["error"]["message"].as_str().unwrap();
        assert!(
            msg.contains("已损坏") || msg.contains("未能从"),
            "{name}: {msg}"
        );
    }
    // A file of a kind whose text is not read (an image) with no text.
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    let (s, e) = api_upload(
        &app,
        &city,
        fields("图片").part("file", file(&png, "x.png")),
    )
    .await;
    assert_eq!(s, 422, "{e}");
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("只能读取 PDF"),
        "{e}"
    );

    // Pasting the text saves the scan with it.
    let (s, p) = api_upload(
        &app,
        &city,
        fields("扫描件通知")
            .text("body", "扫描件的正文,由人工录入。")
            .part("file", file(&scan, "扫描件.pdf")),
    )
    .await;
    assert_eq!(s, 200, "{p}");
    let (_, after) = app.get(&city, "/api/v1/policies").await;
    assert_eq!(
        after["total"].as_i64(),
        before["total"].as_i64().map(|n| n + 1)
    );
}

#[tokio::test]
async fn upload_rules() {
    let app = spawn_demo().await;
    let city = app.token("city").await;
    // Documented as multipart with its fields.
    let doc = app.openapi().await;
    let body = &doc["paths"]["/api/v1/policies/upload"]["post"]["requestBody"];
    assert!(
        body["content"]["multipart/form-data"]["schema"].is_object(),
        "{body}"
    );
    let schema = &doc["components"]["schemas"]["PolicyUpload"];
    assert_eq!(schema["properties"]["file"]["format"], "binary", "{schema}");
    // Units may read the library, not add to it.
    let unit = app.token("unit").await;
    let (s, _) = api_upload(&app, &unit, fields("x").part("file", file(DOCX, "x.docx"))).await;
    assert_eq!(s, 403);
    // The file is required; one only; unknown fields are named.
    let (s, e) = api_upload(&app, &city, fields("x").text("body", "正文")).await;
    refused_on(s, &e, 422, "file");
    let (s, e) = api_upload(
        &app,
        &city,
        fields("x")
            .part("file", file(DOCX, "a.docx"))
            .part("file2", file(DOCX, "b.docx")),
    )
    .await;
    refused_on(s, &e, 422, "file");
    let (s, e) = api_upload(
        &app,
        &city,
        fields("x")
            .text("titel", "typo")
            .part("file", file(DOCX, "a.docx")),
    )
    .await;
    refused_on(s, &e, 422, "titel");
    // The other fields are checked as for JSON.
    let (s, e) = api_upload(
        &app,
        &city,
        Form::new()
            .text("title", "x")
            .text("category", "nonsense")
            .text("level", "city")
            .part("file", file(DOCX, "a.docx")),
    )
    .await;
    refused_on(s, &e, 422, "category");

    // A text longer than a document may hold is cut, with a note; its beginning is
    // searchable.
    let mut long = String::from("超长文件开头的独特短语\n");
    while long.chars().count() < 260_000 {
        long.push_str("产业工人队伍建设改革持续推进,技能人才规模不断壮大。\n");
    }
    let (s, p) = api_upload(
        &app,
        &city,
        fields("超长的文件").part("file", file(long.as_bytes(), "long.txt")),
    )
    .await;
    assert_eq!(s, 200, "{}", p["error"]);
    let body = p["body"].as_str().unwrap();
    assert!(body.chars().count() <= 200_000, "{}", body.chars().count());
    assert!(
        body.ends_with("the rest is in the original file]"),
        "{}",
        &body[body.len() - 300..]
    );
    assert!(body.contains("超过正文上限 200000 字"));
    let ids = search_ids(&app, &city, "超长文件开头的独特短语").await;
    assert_eq!(ids, vec![p["id"].as_i64().unwrap()]);
}
