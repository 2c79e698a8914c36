//! Health, metrics, the OpenAPI document and error answers.

use super::*;

#[tokio::test]
async fn health_metrics_and_request_ids() {
    let app = spawn_empty().await;
    let r = app.anon("/healthz").await;
    assert_eq!(r.status(), 200);
    assert!(r.headers().contains_key("x-request-id"));
    assert_eq!(r.text().await.unwrap(), "ok");
    let m = app.anon("/metrics").await.text().await.unwrap();
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
async fn every_api_route_is_in_the_openapi_document() {
    let app = spawn_empty().await;
    let doc = app.openapi().await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    for (method, path) in gongjiang_web::api::route_list() {
        assert!(
            doc["paths"][path.as_str()][method.as_str()].is_object(),
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
        gongjiang_web::api::route_list().len(),
        "openapi.json documents a route the router does not list"
    );
    let docs = app.anon("/api/docs").await;
    assert_eq!(docs.status(), 200);
    assert!(docs.text().await.unwrap().contains("swagger-ui-bundle.js"));
    assert_eq!(app.anon("/assets/swagger-ui-bundle.js").await.status(), 200);
}

/// Every list answers with the one page type: its schema is `{Item}Page` with
/// `items`, `total`, `page` and `per_page`, and so is its answer — the account list too.
#[tokio::test]
async fn every_list_answers_one_page_shape() {
    let app = spawn_demo().await;
    let doc = app.openapi().await;
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    let mut pages = 0;
    for (name, s) in schemas.iter().filter(|(n, _)| n.ends_with("Page")) {
        let item = &name[..name.len() - 4];
        assert_eq!(
            s["properties"]["items"]["items"]["$ref"],
            format!("#/components/schemas/{item}"),
            "{name}"
        );
        assert_eq!(
            s["required"],
            json!(["items", "total", "page", "per_page"]),
            "{name}"
        );
        pages += 1;
    }
    assert!(pages >= 21, "{pages} page schemas");
    let users = app.get_ok(&app.token("admin").await, "/api/v1/users").await;
    let n = users["items"].as_array().unwrap().len() as i64;
    assert!(n > 0);
    assert_eq!(
        (users["total"].as_i64(), users["page"].as_i64()),
        (Some(n), Some(1))
    );
    assert_eq!(users["per_page"].as_i64(), Some(n));
}

/// Every route of the one route list answers (not 404/405) — the list and the router agree.
#[tokio::test]
async fn every_listed_route_is_routed() {
    let app = spawn_demo().await;
    let t = app.token("admin").await;
    for (method, path) in gongjiang_web::api::route_list() {
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
        if path != "/api/v1/orgs/{id}"
            && path != "/api/v1/users/{id}"
            && !path.ends_with("/password")
            && !path.starts_with("/api/v1/imports/")
            // A literal "{target}" is no target: the handler's own 404.
            && !path.contains("{target}")
        {
            let status = r.status().as_u16();
            assert_ne!(status, 404, "{method} {path}: {}", r.text().await.unwrap());
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

/// The OpenAPI document is structurally valid (what openapi-spec-validator checks in
/// `e2e/schemathesis.sh`, and what it does not: the error answers) and complete: every
/// path parameter is in its path and every parameter of a path is declared there, as a
/// required path parameter (query parameters were once declared as path ones), operation
/// ids are unique, every `$ref` resolves, and every operation declares the error answers
/// it can give with the error body.
#[tokio::test]
async fn openapi_document_is_valid_and_complete() {
    let app = spawn_empty().await;
    let doc = app.openapi().await;
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
    assert!(operations >= gongjiang_web::api::route_list().len());
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
    let r = app.raw(&admin, "/api/v1/tasks?year=abc").await;
    assert_eq!(r.status(), 400);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    let v: Value = r.json().await.unwrap();
    assert_eq!(err_code(&v), "bad_query");
    assert_eq!(v["error"]["field"], "year");
    assert!(
        v["error"]["message"].as_str().unwrap().contains("整数"),
        "{v}"
    );
    // Every list names the parameter the same way (they all read their query through
    // ApiQuery): the lists that once answered "查询参数错误：…" too.
    for path in [
        "/api/v1/workers?page=abc",
        "/api/v1/reports?page=abc",
        "/api/v1/pilots?page=abc",
        "/api/v1/designations?page=abc",
        "/api/v1/audit?page=abc",
        "/api/v1/classes?page=abc",
        "/api/v1/professors?page=abc",
    ] {
        let v = app.get(&admin, path).await.answers(400);
        assert_eq!(
            (err_code(&v), v["error"]["field"].as_str()),
            ("bad_query", Some("page")),
            "{path}: {v}"
        );
        assert!(
            v["error"]["message"].as_str().unwrap().contains("整数"),
            "{path}: {v}"
        );
    }
    let v = app
        .get(&admin, "/api/v1/reports/completeness?period=2024")
        .await
        .answers(400);
    assert_eq!(v["error"]["field"], "region", "{v}");
    assert!(
        v["error"]["message"].as_str().unwrap().contains("缺少"),
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
    assert_eq!(err_code(&v), "unsupported_media_type");
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
    assert_eq!(err_code(&v), "bad_upload");
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

/// The OpenAPI document names its schemas by the bare type name, so two `ToSchema`
/// types called alike would silently document one route with the other's body.
#[test]
fn every_schema_name_is_declared_once() {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for c in ["storage/src", "web/src", "domain/src"] {
        walk(&root.join(c), &mut files);
    }
    let mut seen: std::collections::HashMap<String, String> = Default::default();
    let mut dupes = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for (i, l) in lines.iter().enumerate() {
            if !(l.contains("derive(") && l.contains("ToSchema")) {
                continue;
            }
            let decl = lines[i + 1..].iter().take(6).find_map(|l| {
                let l = l.trim_start().strip_prefix("pub ")?;
                let rest = l.strip_prefix("struct ").or(l.strip_prefix("enum "))?;
                Some(
                    rest.split(|c: char| !c.is_alphanumeric() && c != '_')
                        .next()?
                        .to_string(),
                )
            });
            let as_name = lines[i + 1..].iter().take(6).find_map(|l| {
                let l = l.trim();
                let rest = l.strip_prefix("#[schema(as = ")?;
                Some(
                    rest.split(|c: char| !c.is_alphanumeric() && c != '_')
                        .next()?
                        .to_string(),
                )
            });
            if let Some(name) = as_name.or(decl) {
                let at = format!("{}:{}", f.display(), i + 1);
                if let Some(first) = seen.insert(name.clone(), at.clone()) {
                    dupes.push(format!("{name}: {first} and {at}"));
                }
            }
        }
    }
    assert!(dupes.is_empty(), "schema names declared twice: {dupes:#?}");
}
