//! Colour contrast of the console's stylesheet (issue #10): a small reader of app.css that
//! is just enough to answer "which text colour lands on which background" for buttons,
//! badges, alerts and status marks, and the WCAG 2 contrast ratio of the two.
//!
//! What it understands: rules at the top level and inside `@media` blocks other than
//! print (screen rules of every width apply; `@page` and print are skipped), selector
//! lists, compound selectors (`tag.class.class:hover`), descendant and child combinators
//! (both read as "inside"), the cascade (`!important`, specificity, source order), custom
//! properties of `:root` with `var(--x, fallback)`, `background` and `background-color`,
//! inheritance of `color`, and backgrounds with alpha laid over their ancestors'.
//! Selectors with attributes, ids, pseudo-elements, sibling combinators or pseudo-classes
//! other than `:hover` never match (so `[disabled]`, which WCAG exempts, is left out).

use std::collections::{BTreeMap, BTreeSet};

/// One declaration: property, value, `!important`.
type Decl = (String, String, bool);

/// What decides between two declarations: `!important`, specificity, source order.
type Precedence = (bool, (u32, u32, u32), usize);

struct Rule {
    selectors: Vec<Selector>,
    source: String,
    decls: Vec<Decl>,
}

pub struct Sheet {
    rules: Vec<Rule>,
    vars: BTreeMap<String, String>,
}

#[derive(Clone, Debug, Default)]
struct Compound {
    tag: Option<String>,
    classes: Vec<String>,
    hover: bool,
    /// Attributes, ids, pseudo-elements, other pseudo-classes: never matched here.
    unsupported: bool,
}

#[derive(Clone, Debug)]
struct Selector {
    /// Outermost first; the last one is the element itself.
    parts: Vec<Compound>,
    unsupported: bool,
    specificity: (u32, u32, u32),
}

/// An element of a probe: `button.btn.btn-danger`, optionally hovered.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct El {
    pub tag: String,
    pub classes: Vec<String>,
    pub hover: bool,
}

impl El {
    /// `tag.class.class`, `:hover` at the end for the hovered state.
    pub fn parse(spec: &str) -> El {
        let (spec, hover) = match spec.strip_suffix(":hover") {
            Some(s) => (s, true),
            None => (spec, false),
        };
        let mut it = spec.split('.');
        let tag = it.next().unwrap_or_default();
        El {
            tag: if tag.is_empty() {
                "div".into()
            } else {
                tag.into()
            },
            classes: it.map(str::to_string).collect(),
            hover,
        }
    }
}

impl std::fmt::Display for El {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.tag)?;
        for c in &self.classes {
            write!(f, ".{c}")?;
        }
        if self.hover {
            write!(f, ":hover")?;
        }
        Ok(())
    }
}

/// A chain of elements from the root to the element whose text is checked.
pub type Chain = Vec<El>;

pub fn chain(specs: &[&str]) -> Chain {
    specs.iter().map(|s| El::parse(s)).collect()
}

fn strip_comments(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(i) = rest.find("/*") {
        out.push_str(&rest[..i]);
        match rest[i + 2..].find("*/") {
            Some(j) => rest = &rest[i + 2 + j + 2..],
            None => rest = "",
        }
    }
    out.push_str(rest);
    out
}

/// The index just past the `}` that closes the block opened at `open` (a `{`).
fn block_end(s: &[u8], open: usize) -> usize {
    let mut depth = 0usize;
    let mut quote = 0u8;
    for (i, &c) in s.iter().enumerate().skip(open) {
        if quote != 0 {
            if c == quote {
                quote = 0;
            }
            continue;
        }
        match c {
            b'"' | b'\'' => quote = c,
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
    }
    s.len()
}

fn parse_block(css: &str, rules: &mut Vec<Rule>) {
    let b = css.as_bytes();
    let mut pos = 0;
    while pos < b.len() {
        let Some(open) = css[pos..].find('{').map(|i| pos + i) else {
            break;
        };
        let prelude = css[pos..open].trim();
        let end = block_end(b, open);
        let body = &css[open + 1..end.saturating_sub(1)];
        pos = end;
        if let Some(media) = prelude.strip_prefix("@media") {
            if !media.contains("print") {
                parse_block(body, rules);
            }
            continue;
        }
        if prelude.starts_with('@') {
            continue;
        }
        let decls = body
            .split(';')
            .filter_map(|d| {
                let (p, v) = d.split_once(':')?;
                let v = v.trim();
                let (v, important) = match v.strip_suffix("!important") {
                    Some(v) => (v.trim(), true),
                    None => (v, false),
                };
                Some((p.trim().to_ascii_lowercase(), v.to_string(), important))
            })
            .collect();
        rules.push(Rule {
            selectors: split_top(prelude, ',')
                .iter()
                .map(|s| parse_selector(s))
                .collect(),
            source: prelude.split_whitespace().collect::<Vec<_>>().join(" "),
            decls,
        });
    }
}

/// Splits at `sep` outside parentheses and brackets.
fn split_top(s: &str, sep: char) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut depth = 0i32;
    for c in s.chars() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth -= 1,
            _ => {}
        }
        if c == sep && depth == 0 {
            out.push(String::new());
        } else if let Some(last) = out.last_mut() {
            last.push(c);
        }
    }
    out.into_iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

fn ident(chars: &[char], mut i: usize) -> (String, usize) {
    let start = i;
    while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '-' || chars[i] == '_') {
        i += 1;
    }
    (chars[start..i].iter().collect(), i)
}

fn parse_compound(s: &str, spec: &mut (u32, u32, u32)) -> Compound {
    let chars: Vec<char> = s.chars().collect();
    let mut c = Compound::default();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '*' => i += 1,
            '.' => {
                let (name, j) = ident(&chars, i + 1);
                c.classes.push(name);
                spec.1 += 1;
                i = j;
            }
            '#' => {
                let (_, j) = ident(&chars, i + 1);
                c.unsupported = true;
                spec.0 += 1;
                i = j;
            }
            '[' => {
                c.unsupported = true;
                spec.1 += 1;
                while i < chars.len() && chars[i] != ']' {
                    i += 1;
                }
                i += 1;
            }
            ':' => {
                let element = chars.get(i + 1) == Some(&':');
                let (name, mut j) = ident(&chars, if element { i + 2 } else { i + 1 });
                if chars.get(j) == Some(&'(') {
                    let mut depth = 0;
                    while j < chars.len() {
                        match chars[j] {
                            '(' => depth += 1,
                            ')' => {
                                depth -= 1;
                                if depth == 0 {
                                    j += 1;
                                    break;
                                }
                            }
                            _ => {}
                        }
                        j += 1;
                    }
                }
                if element {
                    spec.2 += 1;
                    c.unsupported = true;
                } else {
                    spec.1 += 1;
                    if name == "hover" {
                        c.hover = true;
                    } else {
                        c.unsupported = true;
                    }
                }
                i = j;
            }
            ch if ch.is_alphanumeric() => {
                let (name, j) = ident(&chars, i);
                c.tag = Some(name.to_ascii_lowercase());
                spec.2 += 1;
                i = j;
            }
            _ => {
                c.unsupported = true;
                i += 1;
            }
        }
    }
    c
}

fn parse_selector(s: &str) -> Selector {
    let mut spec = (0, 0, 0);
    let mut unsupported = false;
    let mut parts = Vec::new();
    // Whitespace and `>` separate compounds (outside brackets and parentheses).
    let spaced = s.replace('>', " ");
    for part in split_top(&spaced, ' ') {
        if part == "+" || part == "~" || part.contains('+') || part.contains('~') {
            unsupported = true;
            continue;
        }
        let c = parse_compound(&part, &mut spec);
        parts.push(c);
    }
    Selector {
        unsupported: unsupported || parts.is_empty(),
        parts,
        specificity: spec,
    }
}

fn compound_matches(c: &Compound, el: &El) -> bool {
    !c.unsupported
        && c.tag.as_ref().is_none_or(|t| *t == el.tag)
        && c.classes.iter().all(|k| el.classes.contains(k))
        && (!c.hover || el.hover)
}

fn selector_matches(s: &Selector, chain: &[El]) -> bool {
    let Some((last, outer)) = s.parts.split_last() else {
        return false;
    };
    let Some((el, ancestors)) = chain.split_last() else {
        return false;
    };
    if s.unsupported || !compound_matches(last, el) {
        return false;
    }
    let mut at = ancestors.len();
    for c in outer.iter().rev() {
        match ancestors[..at].iter().rposition(|a| compound_matches(c, a)) {
            Some(i) => at = i,
            None => return false,
        }
    }
    true
}

/// An sRGB colour with alpha (0–1).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rgba(pub f64, pub f64, pub f64, pub f64);

impl std::fmt::Display for Rgba {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "#{:02x}{:02x}{:02x}",
            self.0.round() as u8,
            self.1.round() as u8,
            self.2.round() as u8
        )?;
        if self.3 < 1.0 {
            write!(f, "@{:.2}", self.3)?;
        }
        Ok(())
    }
}

impl Rgba {
    /// This colour laid over an opaque `under`.
    fn over(self, under: Rgba) -> Rgba {
        let a = self.3;
        Rgba(
            self.0 * a + under.0 * (1.0 - a),
            self.1 * a + under.1 * (1.0 - a),
            self.2 * a + under.2 * (1.0 - a),
            1.0,
        )
    }

    fn luminance(self) -> f64 {
        let lin = |c: f64| {
            let c = c / 255.0;
            if c <= 0.03928 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * lin(self.0) + 0.7152 * lin(self.1) + 0.0722 * lin(self.2)
    }
}

/// The WCAG 2 contrast ratio of two opaque colours (1–21).
pub fn ratio(a: Rgba, b: Rgba) -> f64 {
    let (la, lb) = (a.luminance(), b.luminance());
    let (hi, lo) = if la > lb { (la, lb) } else { (lb, la) };
    (hi + 0.05) / (lo + 0.05)
}

/// `#rgb`, `#rgba`, `#rrggbb`, `#rrggbbaa`, `rgb()`/`rgba()`, a few names; `None` for
/// `transparent`/`none`; an error for anything else.
pub fn parse_color(v: &str) -> Result<Option<Rgba>, String> {
    let v = v.trim().to_ascii_lowercase();
    match v.as_str() {
        "transparent" | "none" => return Ok(None),
        "white" => return Ok(Some(Rgba(255.0, 255.0, 255.0, 1.0))),
        "black" => return Ok(Some(Rgba(0.0, 0.0, 0.0, 1.0))),
        _ => {}
    }
    if let Some(hex) = v.strip_prefix('#') {
        let digits: Vec<f64> = hex
            .chars()
            .map(|c| c.to_digit(16).map(f64::from))
            .collect::<Option<_>>()
            .ok_or_else(|| format!("bad colour {v}"))?;
        let pair = |i: usize| digits[i] * 16.0 + digits[i + 1];
        return match digits.len() {
            3 | 4 => Ok(Some(Rgba(
                digits[0] * 17.0,
                digits[1] * 17.0,
                digits[2] * 17.0,
                digits.get(3).map_or(1.0, |a| a * 17.0 / 255.0),
            ))),
            6 | 8 => Ok(Some(Rgba(
                pair(0),
                pair(2),
                pair(4),
                if digits.len() == 8 {
                    pair(6) / 255.0
                } else {
                    1.0
                },
            ))),
            _ => Err(format!("bad colour {v}")),
        };
    }
    if let Some(args) = v
        .strip_prefix("rgba(")
        .or_else(|| v.strip_prefix("rgb("))
        .and_then(|a| a.strip_suffix(')'))
    {
        let nums: Vec<&str> = args
            .split(|c: char| c == ',' || c == '/' || c.is_whitespace())
            .filter(|s| !s.is_empty())
            .collect();
        let num = |s: &str, scale: f64| -> Result<f64, String> {
            match s.strip_suffix('%') {
                Some(p) => p.parse::<f64>().map(|x| x / 100.0 * scale),
                None => s.parse::<f64>(),
            }
            .map_err(|_| format!("bad colour {v}"))
        };
        if nums.len() == 3 || nums.len() == 4 {
            return Ok(Some(Rgba(
                num(nums[0], 255.0)?,
                num(nums[1], 255.0)?,
                num(nums[2], 255.0)?,
                match nums.get(3) {
                    Some(a) => num(a, 1.0)?,
                    None => 1.0,
                },
            )));
        }
    }
    Err(format!("colour not understood: {v}"))
}

/// What was found for one probe.
pub struct Finding {
    pub chain: Chain,
    pub color: Rgba,
    pub background: Rgba,
    pub ratio: f64,
    /// The rules that set the colour and the background.
    pub from: String,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let path: Vec<String> = self.chain.iter().map(ToString::to_string).collect();
        write!(
            f,
            "{}: {} on {} = {:.2}:1 ({})",
            path.join(" > "),
            self.color,
            self.background,
            self.ratio,
            self.from
        )
    }
}

impl Sheet {
    pub fn parse(css: &str) -> Sheet {
        let mut rules = Vec::new();
        parse_block(&strip_comments(css), &mut rules);
        let mut vars = BTreeMap::new();
        for r in &rules {
            if r.source == ":root" {
                for (p, v, _) in &r.decls {
                    if p.starts_with("--") {
                        vars.insert(p.clone(), v.clone());
                    }
                }
            }
        }
        Sheet { rules, vars }
    }

    /// `var(--x)` and `var(--x, fallback)` replaced, recursively.
    fn resolve(&self, v: &str, depth: u32) -> Result<String, String> {
        let Some(i) = v.find("var(") else {
            return Ok(v.to_string());
        };
        if depth > 10 {
            return Err(format!("var() loop in {v}"));
        }
        let b = v.as_bytes();
        let mut d = 0;
        let mut end = b.len();
        for (j, &c) in b.iter().enumerate().skip(i + 3) {
            match c {
                b'(' => d += 1,
                b')' => {
                    d -= 1;
                    if d == 0 {
                        end = j;
                        break;
                    }
                }
                _ => {}
            }
        }
        let inner = &v[i + 4..end];
        let (name, fallback) = match inner.split_once(',') {
            Some((n, f)) => (n.trim(), Some(f.trim())),
            None => (inner.trim(), None),
        };
        let value = match (self.vars.get(name), fallback) {
            (Some(x), _) => x.clone(),
            (None, Some(f)) => f.to_string(),
            (None, None) => return Err(format!("undefined custom property {name}")),
        };
        let replaced = format!("{}{}{}", &v[..i], value, &v[(end + 1).min(v.len())..]);
        self.resolve(&replaced, depth + 1)
    }

    /// The winning declaration of one of `props` for the last element of `chain`.
    fn cascade(&self, chain: &[El], props: &[&str]) -> Option<(String, String)> {
        // (important, specificity, source order), value, the rule's selectors.
        let mut best: Option<(Precedence, String, String)> = None;
        for (order, r) in self.rules.iter().enumerate() {
            let Some(spec) = r
                .selectors
                .iter()
                .filter(|s| selector_matches(s, chain))
                .map(|s| s.specificity)
                .max()
            else {
                continue;
            };
            for (p, v, important) in &r.decls {
                if props.contains(&p.as_str()) {
                    let key = (*important, spec, order);
                    if best.as_ref().is_none_or(|(k, ..)| key >= *k) {
                        best = Some((key, v.clone(), r.source.clone()));
                    }
                }
            }
        }
        best.map(|(_, v, s)| (v, s))
    }

    fn color_of(&self, chain: &[El]) -> Result<(Rgba, String), String> {
        if chain.is_empty() {
            return Ok((Rgba(0.0, 0.0, 0.0, 1.0), "initial".into()));
        }
        match self.cascade(chain, &["color"]) {
            Some((v, src)) => {
                let v = self.resolve(&v, 0)?;
                let lower = v.trim().to_ascii_lowercase();
                if lower == "inherit" || lower == "currentcolor" {
                    return self.color_of(&chain[..chain.len() - 1]);
                }
                let c = parse_color(&v)?.ok_or_else(|| format!("transparent text ({src})"))?;
                Ok((c, src))
            }
            None => self.color_of(&chain[..chain.len() - 1]),
        }
    }

    /// The opaque background the last element's text is drawn on.
    fn background_of(&self, chain: &[El]) -> Result<(Rgba, String), String> {
        if chain.is_empty() {
            return Ok((Rgba(255.0, 255.0, 255.0, 1.0), "canvas".into()));
        }
        let (under, under_src) = self.background_of(&chain[..chain.len() - 1])?;
        let Some((v, src)) = self.cascade(chain, &["background", "background-color"]) else {
            return Ok((under, under_src));
        };
        let v = self.resolve(&v, 0)?;
        if v.contains("gradient(") || v.contains("url(") {
            return Err(format!("background not understood: {v} ({src})"));
        }
        // The colour of a `background` shorthand: its first token that is one.
        let mut color = None;
        for token in split_top(&v, ' ') {
            let lower = token.to_ascii_lowercase();
            if lower == "inherit" {
                return Err(format!("background: inherit ({src})"));
            }
            if let Ok(c) = parse_color(&token) {
                color = c;
                break;
            }
        }
        Ok(match color {
            Some(c) if c.3 >= 1.0 => (c, src),
            Some(c) => (c.over(under), format!("{src} over {under_src}")),
            None => (under, under_src),
        })
    }

    /// Text colour, background and their ratio for the last element of `chain`.
    pub fn check(&self, chain: &[El]) -> Result<Finding, String> {
        let (bg, bg_src) = self.background_of(chain)?;
        let (fg, fg_src) = self.color_of(chain)?;
        let fg = if fg.3 < 1.0 { fg.over(bg) } else { fg };
        Ok(Finding {
            chain: chain.to_vec(),
            color: fg,
            background: bg,
            ratio: ratio(fg, bg),
            from: format!("color from `{fg_src}`, background from `{bg_src}`"),
        })
    }

    /// Probes for every selector of the sheet whose element is a button (`.btn`,
    /// `.btn-*`), a badge (`.badge`, `.badge-*`), an alert (`.alert`, `.alert-*`) or a
    /// workflow step (`.step`, `.step-*`), in its normal and (where a rule says so) hovered
    /// state, inside `context` (e.g. html > body > main > a card) and the ancestors the
    /// selector names.
    pub fn component_probes(&self, context: &[El]) -> Vec<Chain> {
        let families = [
            ("btn", "button"),
            ("badge", "span"),
            ("alert", "div"),
            ("step", "li"),
        ];
        let mut seen = BTreeSet::new();
        let mut out = Vec::new();
        for r in &self.rules {
            for s in &r.selectors {
                let Some((last, outer)) = s.parts.split_last() else {
                    continue;
                };
                if s.unsupported || last.unsupported || outer.iter().any(|c| c.unsupported) {
                    continue;
                }
                if last.classes.iter().any(|c| c == "disabled") {
                    continue;
                }
                let Some((base, tag)) = families.iter().find(|(f, _)| {
                    last.classes
                        .iter()
                        .any(|c| c == f || c.starts_with(&format!("{f}-")))
                }) else {
                    continue;
                };
                let mut chain: Chain = context.to_vec();
                if *base == "step" && !outer.iter().any(|c| c.classes.iter().any(|k| k == "steps"))
                {
                    chain.push(El::parse("ol.steps"));
                }
                for c in outer {
                    chain.push(El {
                        tag: c.tag.clone().unwrap_or_else(|| "div".into()),
                        classes: c.classes.clone(),
                        hover: false,
                    });
                }
                let mut classes = last.classes.clone();
                if !classes.iter().any(|c| c == base) {
                    classes.insert(0, base.to_string());
                }
                let el = El {
                    tag: last.tag.clone().unwrap_or_else(|| tag.to_string()),
                    classes,
                    hover: false,
                };
                for hover in [false, true] {
                    let mut c = chain.clone();
                    c.push(El {
                        hover,
                        ..el.clone()
                    });
                    let key: Vec<String> = c.iter().map(ToString::to_string).collect();
                    if seen.insert(key.join(" > ")) {
                        out.push(c);
                    }
                }
            }
        }
        out
    }
}
