//! Every page every role reaches, in both languages: a breadth-first crawl from the home
//! page along the same-site links each page shows. It fails on text a reader should never
//! see — a raw i18n key (`common.status`), an internal code (`liuyou_submit`,
//! `in_review`), half-width punctuation after a Chinese character in the Chinese console
//! — and on a link the page shows that answers 4xx.

use crate::helpers::*;
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};

/// Pages fetched per role and language at most.
const MAX_PAGES: usize = 150;
/// Instances of one route pattern (numeric ids collapsed, query names kept) at most.
const PER_PATTERN: usize = 2;
/// Instances of one path pattern (query left out) at most.
const PER_PATH: usize = 6;

/// What a reader sees of a page: its text nodes, leaving out `<code>`, `<pre>`,
/// `<script>`, `<style>`, `<textarea>` and elements of class `mono` (JSON diffs, hashes
/// and identifiers shown on purpose), and the targets of its links.
struct Parsed {
    texts: Vec<String>,
    hrefs: Vec<String>,
}

const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
];
const RAW: &[&str] = &["code", "pre", "script", "style", "textarea", "svg"];

fn attr(tag: &str, name: &str) -> Option<String> {
    let mut rest = tag;
    let key = format!("{name}=");
    while let Some(i) = rest.find(&key) {
        let before = rest[..i].chars().last();
        let after = &rest[i + key.len()..];
        if before.is_none_or(|c| c.is_whitespace()) {
            let q = after.chars().next()?;
            if q == '"' || q == '\'' {
                let v = &after[1..];
                return v.find(q).map(|e| decode(&v[..e]));
            }
            let e = after
                .find(|c: char| c.is_whitespace() || c == '>')
                .unwrap_or(after.len());
            return Some(decode(&after[..e]));
        }
        rest = after;
    }
    None
}

fn decode(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let Some(end) = after.find(';').filter(|e| *e <= 8) else {
            out.push('&');
            rest = after;
            continue;
        };
        let ent = &after[..end];
        let c = match ent {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some(' '),
            _ if ent.starts_with("#x") => u32::from_str_radix(&ent[2..], 16)
                .ok()
                .and_then(char::from_u32),
            _ if ent.starts_with('#') => ent[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match c {
            Some(c) => {
                out.push(c);
                rest = &after[end + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// A small tag reader: enough for the console's own, well-formed markup.
fn parse(html: &str) -> Parsed {
    let mut texts = Vec::new();
    let mut hrefs = Vec::new();
    // (tag name, hidden from the checks)
    let mut stack: Vec<(String, bool)> = Vec::new();
    let mut i = 0;
    let b = html.as_bytes();
    while i < html.len() {
        if b[i] == b'<' {
            if html[i..].starts_with("<!--") {
                i = html[i..].find("-->").map_or(html.len(), |e| i + e + 3);
                continue;
            }
            // The end of the tag, skipping quoted attribute values.
            let mut j = i + 1;
            let mut quote: Option<u8> = None;
            while j < b.len() {
                match (quote, b[j]) {
                    (Some(q), c) if c == q => quote = None,
                    (None, b'"') | (None, b'\'') => quote = Some(b[j]),
                    (None, b'>') => break,
                    _ => {}
                }
                j += 1;
            }
            let tag = &html[i + 1..j.min(html.len())];
            i = j + 1;
            if tag.starts_with('!') || tag.starts_with('?') {
                continue;
            }
            let closing = tag.starts_with('/');
            let name: String = tag
                .trim_start_matches('/')
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect::<String>()
                .to_ascii_lowercase();
            if closing {
                if let Some(p) = stack.iter().rposition(|(n, ..)| *n == name) {
                    stack.truncate(p);
                }
                continue;
            }
            if name == "a" {
                if let Some(h) = attr(tag, "href") {
                    hrefs.push(h);
                }
            }
            let hidden = stack.last().is_some_and(|(_, h)| *h);
            let mono =
                attr(tag, "class").is_some_and(|c| c.split_whitespace().any(|w| w == "mono"));
            let hidden = hidden || mono || RAW.contains(&name.as_str());
            if RAW.contains(&name.as_str()) && name != "svg" {
                // Raw text: skip to the closing tag.
                let close = format!("</{name}");
                i = html[i..]
                    .to_ascii_lowercase()
                    .find(&close)
                    .map_or(html.len(), |e| i + e);
                continue;
            }
            if !VOID.contains(&name.as_str()) && !tag.ends_with('/') {
                stack.push((name, hidden));
            }
        } else {
            let e = html[i..].find('<').map_or(html.len(), |e| i + e);
            if !stack.last().is_some_and(|(_, h)| *h) {
                let text = decode(&html[i..e]);
                if !text.trim().is_empty() {
                    texts.push(text);
                }
            }
            i = e;
        }
    }
    Parsed { texts, hrefs }
}

fn is_cjk(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c) || ('\u{3400}'..='\u{4dbf}').contains(&c)
}

/// Words of identifier characters (ASCII letters, digits, `_` and inner `.`).
fn words(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '.';
    for (i, c) in text.char_indices() {
        match (start, ident(c)) {
            (None, true) => start = Some(i),
            (Some(s), false) => {
                out.push((s, text[s..i].trim_end_matches('.')));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, text[s..].trim_end_matches('.')));
    }
    out
}

struct Rules {
    /// First segments of i18n keys (`common`, `cases`, …).
    key_prefixes: HashSet<String>,
    /// Every code that must be shown by its label.
    codes: HashSet<String>,
    /// Text that is demo data, not interface text (user names, …).
    data: HashSet<String>,
}

impl Rules {
    fn new() -> Rules {
        let key_prefixes = gongjiang_web::i18n::MESSAGES
            .iter()
            .filter_map(|(k, _, _)| k.split('.').next())
            .map(str::to_string)
            .collect();
        let mut codes: HashSet<String> = HashSet::new();
        for (c, _, _) in gongjiang_storage::audit::ACTION_LABELS
            .iter()
            .chain(gongjiang_storage::audit::KIND_LABELS)
        {
            codes.insert(c.to_string());
        }
        for s in gongjiang_domain::workflow::Status::ALL {
            codes.insert(s.code().to_string());
        }
        for s in gongjiang_domain::tasks::TaskStatus::ALL {
            codes.insert(s.code().to_string());
        }
        for c in [
            "submitted",
            "locked",
            "open",
            "resolved",
            "closed",
            "in_progress",
            "accepted",
            "pending",
            "running",
            "interrupted",
            "failed",
            "ended",
            "active",
            "disabled",
            "present",
            "absent",
            "delegated",
            "onsite",
            "phone",
            "online",
        ] {
            codes.insert(c.to_string());
        }
        let data = gongjiang_demo::DEMO_ACCOUNTS
            .iter()
            .map(|(u, ..)| u.to_string())
            .chain((2..=5).map(|n| format!("expert{n}")))
            .collect();
        Rules {
            key_prefixes,
            codes,
            data,
        }
    }

    fn check(&self, page: &Parsed, zh: bool) -> Vec<String> {
        let mut found = Vec::new();
        for text in &page.texts {
            let trimmed = text.trim();
            for (at, w) in words(text) {
                let prev = text[..at].chars().last();
                let next = text[at + w.len()..].chars().next();
                // Parts of an address, a file name or an e-mail address are not keys.
                let joined = |c: Option<char>| c.is_some_and(|c| "@/-:".contains(c));
                if joined(prev) || joined(next) {
                    continue;
                }
                let lower = |s: &str| {
                    !s.is_empty()
                        && s.chars().next().is_some_and(|c| c.is_ascii_lowercase())
                        && s.chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                };
                let segs: Vec<&str> = w.split('.').collect();
                if segs.len() >= 2
                    && segs.iter().all(|s| lower(s))
                    && self.key_prefixes.contains(segs[0])
                    && ![
                        "css", "js", "html", "toml", "db", "key", "xlsx", "csv", "pdf", "txt",
                    ]
                    .contains(segs.last().unwrap_or(&""))
                {
                    found.push(format!("raw i18n key `{w}` in {trimmed:?}"));
                } else if segs.len() == 1 && lower(w) && w.contains('_') {
                    found.push(format!("code `{w}` in {trimmed:?}"));
                } else if zh
                    && segs.len() == 1
                    && trimmed == w
                    && self.codes.contains(w)
                    && !self.data.contains(w)
                {
                    found.push(format!("code `{w}` shown as text"));
                }
            }
            if zh {
                let cs: Vec<char> = text.chars().collect();
                for (i, w) in cs.windows(2).enumerate() {
                    if is_cjk(w[0]) && ",:;()!?".contains(w[1]) {
                        let from = i.saturating_sub(12);
                        let to = (i + 12).min(cs.len());
                        let ctx: String = cs[from..to].iter().collect();
                        found.push(format!("half-width `{}` after Chinese in {ctx:?}", w[1]));
                    }
                }
            }
        }
        found
    }
}

/// A same-site path to follow, or None (another site, an anchor, a download, the
/// language switch, the API, or a link with a side effect).
fn follow(from: &str, href: &str) -> Option<String> {
    let href = href.trim();
    let href = href.split('#').next().unwrap_or("");
    if href.is_empty() || href.starts_with("//") || href.contains("://") {
        return None;
    }
    if href.starts_with("mailto:") || href.starts_with("tel:") || href.starts_with("javascript:") {
        return None;
    }
    let path = if href.starts_with('/') {
        href.to_string()
    } else if let Some(q) = href.strip_prefix('?') {
        format!("{}?{q}", from.split('?').next().unwrap_or(""))
    } else {
        let base = from.split('?').next().unwrap_or("");
        let dir = &base[..base.rfind('/').map_or(0, |i| i + 1)];
        format!("{dir}{href}")
    };
    let p = path.split('?').next().unwrap_or("");
    let q = path.split_once('?').map_or("", |(_, q)| q);
    let skip_prefix = [
        "/logout", "/api/", "/assets/", "/files/", "/metrics", "/health",
    ];
    let skip_part = ["/export", "/template/", "rejected", "/download"];
    let skip_ext = [".xlsx", ".csv", ".pdf", ".docx", ".zip", ".json", ".txt"];
    if skip_prefix.iter().any(|s| p.starts_with(s))
        || skip_part.iter().any(|s| p.contains(s))
        || skip_ext.iter().any(|s| p.ends_with(s))
        || q.split('&')
            .any(|kv| kv.starts_with("lang=") || kv.starts_with("format="))
    {
        return None;
    }
    Some(path)
}

/// `/orgs/17?page=2&sort=name` → `/orgs/#?page=#&sort=name`: numbers collapsed.
fn pattern(path: &str) -> (String, String) {
    let num = |s: &str| {
        if !s.is_empty() && s.chars().all(|c| c.is_ascii_digit() || c == '-') {
            "#".to_string()
        } else {
            s.to_string()
        }
    };
    let (p, q) = path.split_once('?').unwrap_or((path, ""));
    let p: String = p.split('/').map(num).collect::<Vec<_>>().join("/");
    let mut qs: Vec<String> = q
        .split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            format!("{k}={}", num(v))
        })
        .collect();
    qs.sort();
    (p.clone(), format!("{p}?{}", qs.join("&")))
}

struct Report {
    pages: usize,
    /// Route patterns reached (`/orgs/#`).
    patterns: HashSet<String>,
    problems: Vec<String>,
}

async fn crawl(app: &TestApp, user: &str, en: bool, rules: &Rules) -> Report {
    let b = app.browser(user).await;
    if en {
        let (s, _) = b.get("/?lang=en").await;
        assert_eq!(s, 200, "{user}: English home");
    }
    let mut problems = Vec::new();
    let mut queue: VecDeque<(String, String)> = VecDeque::new();
    let mut seen: HashSet<String> = HashSet::new();
    let mut per_pattern: HashMap<String, usize> = HashMap::new();
    let mut per_path: HashMap<String, usize> = HashMap::new();
    queue.push_back(("/".into(), "(start)".into()));
    seen.insert("/".into());
    let mut pages = 0;
    let mut patterns = HashSet::new();
    while let Some((path, from)) = queue.pop_front() {
        if pages >= MAX_PAGES {
            break;
        }
        pages += 1;
        let r =
            b.c.get(format!("{}{path}", b.base))
                .send()
                .await
                .unwrap_or_else(|e| panic!("{user}: {path}: {e}"));
        let mut status = r.status().as_u16();
        let mut at = path.clone();
        let mut resp = r;
        // A link may lead on (a unit's 六有 opens its own sheet): follow same-site
        // redirects a few times.
        for _ in 0..3 {
            if !(300..400).contains(&status) {
                break;
            }
            let Some(loc) = resp
                .headers()
                .get("location")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
            else {
                break;
            };
            if loc.starts_with("/login") {
                problems.push(format!(
                    "{path} (linked from {from}) sends to the login page"
                ));
                break;
            }
            at = loc;
            resp = b.c.get(format!("{}{at}", b.base)).send().await.unwrap();
            status = resp.status().as_u16();
        }
        if (400..500).contains(&status) {
            problems.push(format!("{path} (linked from {from}) answers {status}"));
            continue;
        }
        if status != 200 {
            problems.push(format!("{path} (linked from {from}) answers {status}"));
            continue;
        }
        let html_page = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|c| c.starts_with("text/html"));
        let html = resp.text().await.unwrap_or_default();
        if !html_page {
            continue;
        }
        patterns.insert(pattern(&at).0);
        let parsed = parse(&html);
        for p in rules.check(&parsed, !en) {
            problems.push(format!("{at}: {p}"));
        }
        for h in &parsed.hrefs {
            let Some(next) = follow(&at, h) else { continue };
            if seen.contains(&next) {
                continue;
            }
            let (path_pat, full_pat) = pattern(&next);
            let n = per_pattern.entry(full_pat).or_default();
            let m = per_path.entry(path_pat).or_default();
            if *n >= PER_PATTERN || *m >= PER_PATH {
                continue;
            }
            *n += 1;
            *m += 1;
            seen.insert(next.clone());
            queue.push_back((next, at.clone()));
        }
    }
    Report {
        pages,
        patterns,
        problems,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_of_every_role_in_both_languages_shows_labels_full_width_punctuation_and_working_links(
) {
    let app = spawn_demo().await;
    let rules = Rules::new();
    let started = std::time::Instant::now();
    let mut all: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut counts = Vec::new();
    for (user, ..) in gongjiang_demo::DEMO_ACCOUNTS {
        for en in [false, true] {
            let r = crawl(&app, user, en, &rules).await;
            let lang = if en { "en" } else { "zh" };
            counts.push(format!(
                "{user}/{lang}: {} pages, {} routes",
                r.pages,
                r.patterns.len()
            ));
            if std::env::var_os("GONGJIANG_CRAWL_ROUTES").is_some() {
                let mut p: Vec<_> = r.patterns.iter().collect();
                p.sort();
                eprintln!("{user}/{lang}: {p:?}");
            }
            assert!(
                r.pages >= 5,
                "{user}/{lang}: only {} pages reached",
                r.pages
            );
            for p in r.problems {
                all.entry(p).or_default().push(format!("{user}/{lang}"));
            }
        }
    }
    eprintln!(
        "crawled in {:.1} s: {}",
        started.elapsed().as_secs_f64(),
        counts.join(", ")
    );
    let report: Vec<String> = all
        .iter()
        .map(|(p, who)| format!("{p}   [{}]", who.join(" ")))
        .collect();
    assert!(
        report.is_empty(),
        "{} problems:\n{}",
        report.len(),
        report.join("\n")
    );
}

#[test]
fn the_reader_finds_text_links_and_leaves_code_alone() {
    let p = parse(
        "<p>状态:<b>common.status</b></p><code>in_review</code><td class=\"mono\">case_accept</td>\
         <a href=\"/orgs/1?page=2&amp;sort=name\">x</a><script>var a_b = 1;</script>",
    );
    assert_eq!(p.texts, ["状态:", "common.status", "x"]);
    assert_eq!(p.hrefs, ["/orgs/1?page=2&sort=name"]);
    let rules = Rules::new();
    let found = rules.check(&p, true);
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(
        pattern("/orgs/17?sort=name&page=2").1,
        "/orgs/#?page=#&sort=name"
    );
    assert_eq!(
        follow("/orgs?x=1", "?page=2").as_deref(),
        Some("/orgs?page=2")
    );
    assert_eq!(follow("/", "/orgs/export.csv"), None);
    assert_eq!(follow("/", "/orgs?lang=en"), None);
}
