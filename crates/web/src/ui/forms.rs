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
