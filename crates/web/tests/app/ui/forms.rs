//! Every console form, as each role that may open it sees it: each control a user fills
//! in has a label (or an aria-label), and every id a control points at by
//! `aria-describedby` is on the page — what the form macros promise, checked on the
//! pages themselves so a hand-written field cannot quietly break it. And every form,
//! sent nonsense in every field, answers a page a user can act on (taken, or refused
//! beside its fields, in Chinese; a file upload sent without its files, the error page),
//! never the framework's 400 or a 500, and a refusal writes nothing (the audit log, which
//! every write appends to, is as it was).

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

/// Every console form that makes a record, by the page that shows it.
const FORMS: [&str; 19] = [
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

#[tokio::test]
async fn every_form_field_is_labelled_and_points_at_what_is_there() {
    let app = spawn_demo().await;
    let roles = ["admin", "city", "tianning", "unit"];
    let mut browsers = Vec::new();
    for r in roles {
        browsers.push(app.browser(r).await);
    }
    let forms = FORMS;
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

/// The form of a page's main part (not the header's sign-out): where it posts, the
/// names of its controls, and whether it carries files (multipart).
fn main_form(html: &str) -> Option<(String, Vec<String>, bool)> {
    let main = html.split("<main").nth(1)?;
    let form = tags(main, "form")
        .into_iter()
        .find(|t| t.contains("method=\"post\""))?;
    let action = attributes(form.trim_end_matches('>'))
        .into_iter()
        .find(|(n, _)| n == "action")
        .map(|(_, v)| v)?;
    let mut names = Vec::new();
    for kind in ["input", "select", "textarea"] {
        for t in tags(main, kind) {
            let a = attributes(t.trim_end_matches('>'));
            if let Some((_, n)) = a.into_iter().find(|(n, _)| n == "name") {
                if n != "_csrf" && !names.contains(&n) {
                    names.push(n);
                }
            }
        }
    }
    Some((action, names, form.contains("multipart/form-data")))
}

#[tokio::test]
async fn every_form_answers_nonsense_in_every_field_with_a_page_never_a_fault() {
    // No background duty writes while it runs: a refusal must leave the audit log as it was.
    let app = spawn_quiet_demo().await;
    let admin = app.token("admin").await;
    let last_entry = || async {
        let v = app.get_ok(&admin, "/api/v1/audit?per_page=1").await;
        v["items"][0]["seq"].as_i64().unwrap()
    };
    let long = "长".repeat(5000);
    let nonsense = [
        "abc",
        " ",
        "-1",
        "99999999999999999999",
        "2024-02-30",
        "NaN",
        long.as_str(),
    ];
    let (mut wrong, mut tried) = (Vec::new(), std::collections::BTreeSet::new());
    for role in ["admin", "city", "tianning", "unit"] {
        let b = app.browser(role).await;
        for path in FORMS {
            let (s, html) = b.get(path).await;
            if s != 200 {
                continue;
            }
            let (action, names, files) = main_form(&html).expect("a form");
            tried.insert(action.clone());
            for value in nonsense {
                let mut fields: Vec<(&str, &str)> =
                    names.iter().map(|n| (n.as_str(), value)).collect();
                fields.push(("_op", "save"));
                let before = last_entry().await;
                let (s, page, _) = b.post(&action, &fields).await;
                // A save is audited; a refusal writes nothing.
                let wrote = last_entry().await != before;
                if wrote != (s == 303) {
                    wrong.push(format!("{role} {action}: answered {s}, wrote: {wrote}"));
                }
                // Taken (303), refused beside its fields (422), a conflict (409) or a
                // denial (403): each a page in Chinese; never a 400 of the framework or a 500.
                // A form that carries files, sent as a plain form, is the error page (415).
                let want: &[u16] = if files { &[415] } else { &[403, 409, 422] };
                let shown = (s == 303 && !files)
                    || (want.contains(&s)
                        && page.contains("lang=\"zh-CN\"")
                        && (page.contains("has-error") || page.contains("alert-error")));
                if !shown {
                    let head: String = value.chars().take(12).collect();
                    wrong.push(format!("{role} {action} ({head}): {s}"));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert!(tried.len() >= 15, "forms tried: {tried:?}");
}
