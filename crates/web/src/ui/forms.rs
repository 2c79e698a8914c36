//! What the form macros of `templates/macros.html` ask of Rust: which id and error key a
//! field has, how its control points at its help and error, and whether an option is the
//! chosen one. The markup itself lives in the macros, once for every console form.

use super::Errors;

/// `given` where the template named one, else the field's name.
pub fn pick<'a>(given: &'a str, name: &'a str) -> &'a str {
    if given.is_empty() {
        name
    } else {
        given
    }
}

/// The control's ` aria-describedby="h-… e-…"` (its help, then its error, as shown) and
/// ` aria-invalid="true"` while it has an error; nothing for a bare field. Ids are the
/// template's own literals, so the text needs no escaping.
pub fn described(e: &Errors, key: &str, id: &str, help: &str) -> String {
    let mut ids = Vec::new();
    if !help.is_empty() {
        ids.push(format!("h-{id}"));
    }
    let bad = e.has(key);
    if bad {
        ids.push(format!("e-{id}"));
    }
    let mut out = String::new();
    if !ids.is_empty() {
        out.push_str(&format!(" aria-describedby=\"{}\"", ids.join(" ")));
    }
    if bad {
        out.push_str(" aria-invalid=\"true\"");
    }
    out
}

/// Whether an option's code is the value typed in the form (codes may be `&str`,
/// `String` or numbers; the form holds text).
pub fn same(code: impl std::fmt::Display, value: impl std::fmt::Display) -> bool {
    code.to_string() == value.to_string()
}

/// Which of a page's several small forms was refused, what was typed in it and its
/// errors. The refused form shows them again; the page's other forms show empty and
/// clean: `{% call m::input(l, failed.errors("judge"), "username", …, failed.value("judge")) %}`.
#[derive(Default)]
pub struct Failed {
    /// The form's name on the page ("entry", "judge", "member", …); "" when none failed.
    pub form: &'static str,
    pub value: String,
    pub e: Errors,
}

impl Failed {
    pub fn on(&self, form: &str) -> bool {
        !self.form.is_empty() && self.form == form
    }
    /// The form's errors: none unless it is the refused one.
    pub fn errors(&self, form: &str) -> &Errors {
        static NONE: std::sync::LazyLock<Errors> = std::sync::LazyLock::new(Errors::default);
        if self.on(form) {
            &self.e
        } else {
            &NONE
        }
    }
    /// What was typed in the form: empty unless it is the refused one.
    pub fn value(&self, form: &str) -> &str {
        if self.on(form) {
            &self.value
        } else {
            ""
        }
    }
}
