//! Every console form, as each role that may open it sees it: each control a user fills
//! in has a label (or an aria-label), and every id a control points at by
//! `aria-describedby` is on the page — what the form macros promise, checked on the
//! pages themselves so a hand-written field cannot quietly break it.

use super::*;

/// The attributes of an opening tag's text (`<input id="f-x" name="x" …>`), as written
/// by our templates (double-quoted values, bare names).
fn attributes(tag: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = tag.split_once(char::is_whitespace).map_or("", |(_, r)| r);
    loop {
        rest = rest.trim_start();
        let end = rest
            .find(|c: char| c == '=' || c.is_whitespace() || c == '>')
            .unwrap_or(rest.len());
        if end == 0 {
            return out;
        }
        let name = rest[..end].to_string();
        rest = &rest[end..];
        if let Some(r) = rest.strip_prefix("=\"") {
            let close = r.find('"').expect("a closing quote");
            out.push((name, r[..close].to_string()));
            rest = &r[close + 1..];
        } else {
            out.push((name, String::new()));
        }
    }
}

/// The opening tags of `name` in `html`.
fn tags<'a>(html: &'a str, name: &str) -> Vec<&'a str> {
    let open = format!("<{name}");
    html.match_indices(&open)
        .filter(|(at, _)| {
            let next = html[at + open.len()..].chars().next();
            next.is_some_and(|c| c.is_whitespace() || c == '>')
        })
        .map(|(at, _)| &html[at..at + html[at..].find('>').unwrap() + 1])
        .collect()
}

/// What is wrong with the form controls of a page.
fn form_problems(html: &str) -> Vec<String> {
    let ids: Vec<String> = html
        .match_indices(" id=\"")
        .map(|(at, m)| {
            let v = &html[at + m.len()..];
            v[..v.find('"').unwrap()].to_string()
        })
        .collect();
    let mut problems = Vec::new();
    for kind in ["input", "select", "textarea"] {
        for tag in tags(html, kind) {
            let a = attributes(tag.trim_end_matches('>'));
            let get = |k: &str| a.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
            if matches!(get("type"), Some("hidden" | "submit" | "button")) {
                continue;
            }
            if let Some(described) = get("aria-describedby") {
                for id in described.split_whitespace() {
                    if !ids.iter().any(|x| x == id) {
                        problems.push(format!("{tag}: no element {id}"));
                    }
                }
            }
            let labelled = get("aria-label").is_some()
                || get("id").is_some_and(|id| html.contains(&format!("for=\"{id}\"")))
                || matches!(get("type"), Some("checkbox" | "radio" | "search"));
            if !labelled && get("name").is_some() {
                problems.push(format!("{tag}: no label"));
            }
        }
    }
    problems
}

#[tokio::test]
async fn every_form_field_is_labelled_and_points_at_what_is_there() {
    let app = spawn_demo().await;
    let roles = ["admin", "city", "tianning", "unit"];
    let mut browsers = Vec::new();
    for r in roles {
        browsers.push(app.browser(r).await);
    }
    let forms = [
        "/orgs/new",
        "/admin/users/new",
        "/account/password",
        "/pilots/new",
        "/designations/new",
        "/workers/new",
        "/contests/new",
        "/training/new",
        "/craftsmen/new",
        "/studios/new",
        "/innovations/new",
        "/policies/new",
        "/reports/new",
        "/tasks/new",
        "/meetings/bodies/new",
        "/contacts/visits/new",
        "/contacts/problems/new",
        "/pairs/new",
        "/assessment/schemes/new",
    ];
    let mut all = Vec::new();
    for path in forms {
        let mut opened = false;
        for (role, b) in roles.iter().zip(&browsers) {
            let (s, html) = b.get(path).await;
            if s != 200 {
                continue;
            }
            opened = true;
            let controls: usize = ["input", "select", "textarea"]
                .iter()
                .map(|k| tags(&html, k).len())
                .sum();
            assert!(controls > 2, "{path} as {role}: {controls} controls");
            all.extend(
                form_problems(&html)
                    .into_iter()
                    .map(|p| format!("{path} as {role}: {p}")),
            );
        }
        assert!(opened, "{path}: no role opens it");
    }
    assert!(all.is_empty(), "{}", all.join("\n"));
}

#[test]
fn the_form_check_sees_a_missing_label_and_a_dangling_reference() {
    let bad = r#"<form><input id="f-a" name="a" aria-describedby="h-a"></form>"#;
    let p = form_problems(bad);
    assert_eq!(p.len(), 2, "{p:?}");
    let good = r#"<label for="f-a">A</label><input id="f-a" name="a" aria-describedby="h-a"><div id="h-a"></div>"#;
    assert!(form_problems(good).is_empty());
}
