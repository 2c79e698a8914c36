//! Interface languages. Chinese is the default; `?lang=en`, the `gj_lang` cookie or the
//! browser's Accept-Language select English.
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::OnceLock;

mod messages;
pub use messages::MESSAGES;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

tokio::task_local! {
    /// The request's language, resolved once by [`crate::with_lang`] for the whole
    /// request: errors raised with plain `?` render in it.
    static LANG: Lang;
}

impl Lang {
    /// The language of the request being answered (Chinese outside a request).
    pub fn current() -> Lang {
        LANG.try_with(|l| *l).unwrap_or_default()
    }

    /// Runs `f` with `lang` as the request's language.
    pub async fn scope<F: std::future::Future>(lang: Lang, f: F) -> F::Output {
        LANG.scope(lang, f).await
    }

    pub fn is_en(self) -> bool {
        self == Lang::En
    }
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }
    pub fn html_lang(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// From the query string, cookie and Accept-Language, in that order.
    pub fn detect(parts: &Parts) -> Lang {
        Lang::detect_from(&parts.uri, &parts.headers)
    }

    pub fn detect_from(uri: &axum::http::Uri, headers: &axum::http::HeaderMap) -> Lang {
        if let Some(q) = uri.query() {
            for (k, v) in url::form_urlencoded::parse(q.as_bytes()) {
                if k == "lang" {
                    return if v == "en" { Lang::En } else { Lang::Zh };
                }
            }
        }
        if let Some(v) = crate::auth::cookie(headers, "gj_lang") {
            return if v == "en" { Lang::En } else { Lang::Zh };
        }
        if let Some(al) = headers.get("accept-language").and_then(|v| v.to_str().ok()) {
            // The first language listed wins (browsers order by preference).
            let first = al
                .split(',')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            if first.starts_with("en") {
                return Lang::En;
            }
        }
        Lang::Zh
    }

    /// The language set explicitly by `?lang=` (to be remembered in a cookie).
    pub fn from_query(parts: &Parts) -> Option<Lang> {
        let q = parts.uri.query()?;
        url::form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "lang")
            .map(|(_, v)| if v == "en" { Lang::En } else { Lang::Zh })
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Lang::detect(parts))
    }
}

/// The translator handed to templates: `{{ t.s("nav.orgs") }}`.
#[derive(Debug, Clone, Copy)]
pub struct T(pub Lang);

impl T {
    pub fn s(&self, key: &str) -> String {
        lookup(self.0, key).to_string()
    }
    pub fn en(&self) -> bool {
        self.0.is_en()
    }
    pub fn lang(&self) -> &'static str {
        self.0.code()
    }
    pub fn html_lang(&self) -> &'static str {
        self.0.html_lang()
    }
    /// Punctuation a template puts between interface words and values: full-width in
    /// Chinese (`状态：草稿`, `议定事项（每行一项）`), ASCII in English.
    pub fn colon(&self) -> &'static str {
        if self.en() {
            ":"
        } else {
            "："
        }
    }
    pub fn comma(&self) -> &'static str {
        if self.en() {
            ","
        } else {
            "，"
        }
    }
    /// Opening parenthesis (see [`T::colon`]).
    pub fn lp(&self) -> &'static str {
        if self.en() {
            "("
        } else {
            "（"
        }
    }
    /// Closing parenthesis (see [`T::colon`]).
    pub fn rp(&self) -> &'static str {
        if self.en() {
            ")"
        } else {
            "）"
        }
    }
    /// 1,020 — grouped digits in both languages.
    pub fn num(&self, n: &i64) -> String {
        group(*n)
    }
    /// An amount in 万元 the Chinese way: 12.50万元, 1,020.00万元, from 10,000万元 on
    /// 5.78亿元; in English 12.50 (10k yuan).
    pub fn wan(&self, v: f64) -> String {
        let cents = (v * 100.0).round() as i64;
        let two = |c: i64| format!("{}.{:02}", group(c / 100), (c % 100).abs());
        match (self.en(), cents.abs() >= 1_000_000) {
            (true, _) => format!("{} (10k yuan)", two(cents)),
            (false, true) => format!("{}亿元", two((cents as f64 / 10_000.0).round() as i64)),
            (false, false) => format!("{}万元", two(cents)),
        }
    }
    /// A calendar date `YYYY-MM-DD` as people read it: 2024年4月1日 / 2024-04-01.
    pub fn date(&self, d: &str) -> String {
        match (self.en(), chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")) {
            (false, Ok(x)) => format!(
                "{}年{}月{}日",
                chrono::Datelike::year(&x),
                chrono::Datelike::month(&x),
                chrono::Datelike::day(&x)
            ),
            _ => d.to_string(),
        }
    }
    /// [`T::date`], or — when there is none.
    pub fn date_opt(&self, d: &Option<String>) -> String {
        d.as_deref()
            .map_or_else(|| "—".to_string(), |d| self.date(d))
    }
    /// 2024年4月1日 14:05 / 2024-04-01 14:05 (local time of the server, China Standard Time).
    pub fn datetime(&self, ms: &i64) -> String {
        let Some(off) = chrono::FixedOffset::east_opt(8 * 3600) else {
            return String::new();
        };
        let Some(t) = chrono::DateTime::from_timestamp_millis(*ms).map(|t| t.with_timezone(&off))
        else {
            return String::new();
        };
        if self.en() {
            t.format("%Y-%m-%d %H:%M").to_string()
        } else {
            format!(
                "{}年{}月{}日 {}",
                t.format("%Y"),
                t.format("%-m"),
                t.format("%-d"),
                t.format("%H:%M")
            )
        }
    }
    pub fn opt_datetime(&self, ms: &Option<i64>) -> String {
        ms.map(|m| self.datetime(&m)).unwrap_or_else(|| "—".into())
    }
}

pub fn group(n: i64) -> String {
    let s = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

fn table() -> &'static HashMap<&'static str, (&'static str, &'static str)> {
    static T: OnceLock<HashMap<&'static str, (&'static str, &'static str)>> = OnceLock::new();
    T.get_or_init(|| {
        MESSAGES
            .iter()
            .map(|(k, zh, en)| (*k, (*zh, *en)))
            .collect()
    })
}

pub fn lookup(lang: Lang, key: &str) -> &str {
    match table().get(key) {
        Some((zh, en)) => {
            if lang.is_en() {
                en
            } else {
                zh
            }
        }
        None => key,
    }
}
