//! Validation errors that name the field and the rule.
use serde::Serialize;

/// A rule that a value broke. The code is stable (snake_case) so that the UI and API
/// clients can translate it; [`Rule::message_zh`] and [`Rule::message_en`] give the
/// default texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    Required,
    TooLong,
    TooShort,
    BadLength,
    BadCharacter,
    BadCheckCharacter,
    BadRegion,
    BadBirthDate,
    UnknownValue,
    BadFormat,
    Forbidden,
    /// The same value twice where it must be unique (in a file or a list).
    Duplicate,
}

impl Rule {
    pub fn code(self) -> &'static str {
        match self {
            Rule::Required => "required",
            Rule::TooLong => "too_long",
            Rule::TooShort => "too_short",
            Rule::BadLength => "bad_length",
            Rule::BadCharacter => "bad_character",
            Rule::BadCheckCharacter => "bad_check_character",
            Rule::BadRegion => "bad_region",
            Rule::BadBirthDate => "bad_birth_date",
            Rule::UnknownValue => "unknown_value",
            Rule::BadFormat => "bad_format",
            Rule::Forbidden => "forbidden_value",
            Rule::Duplicate => "duplicate",
        }
    }
}

/// A field failed a rule. `detail_zh`/`detail_en` say exactly what was wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{field}: {detail_en}")]
pub struct FieldError {
    pub field: String,
    pub rule: Rule,
    pub detail_zh: String,
    pub detail_en: String,
}

impl FieldError {
    pub fn new(
        field: impl Into<String>,
        rule: Rule,
        zh: impl Into<String>,
        en: impl Into<String>,
    ) -> Self {
        FieldError {
            field: field.into(),
            rule,
            detail_zh: zh.into(),
            detail_en: en.into(),
        }
    }

    /// Renames the field (a parser reports its own name; the form knows the real one).
    pub fn on(mut self, field: impl Into<String>) -> Self {
        self.field = field.into();
        self
    }

    pub fn required(field: &str, label_zh: &str, label_en: &str) -> Self {
        FieldError::new(
            field,
            Rule::Required,
            format!("{label_zh}为必填项"),
            format!("{label_en} is required"),
        )
    }

    pub fn message(&self, english: bool) -> &str {
        if english {
            &self.detail_en
        } else {
            &self.detail_zh
        }
    }
}

/// Trims a text field and checks its length in characters (not bytes).
pub fn text(
    field: &str,
    label: (&str, &str),
    value: &str,
    required: bool,
    max_chars: usize,
) -> Result<Option<String>, FieldError> {
    let v = normalise_spaces(value);
    if v.is_empty() {
        return if required {
            Err(FieldError::required(field, label.0, label.1))
        } else {
            Ok(None)
        };
    }
    let n = v.chars().count();
    if n > max_chars {
        return Err(FieldError::new(
            field,
            Rule::TooLong,
            format!("{}不能超过{}个字符（当前{}个）", label.0, max_chars, n),
            format!(
                "{} must be at most {} characters (got {})",
                label.1, max_chars, n
            ),
        ));
    }
    if v.chars().any(|c| c.is_control()) {
        return Err(FieldError::new(
            field,
            Rule::BadCharacter,
            format!("{}含有控制字符", label.0),
            format!("{} contains control characters", label.1),
        ));
    }
    Ok(Some(v))
}

/// Trims, folds full-width spaces and collapses runs of white space.
pub fn normalise_spaces(value: &str) -> String {
    value
        .split(|c: char| c.is_whitespace() || c == '\u{3000}')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Folds full-width ASCII (０-９, Ａ-Ｚ, ａ-ｚ) to half-width and removes all white space;
/// used for codes, where the meaning of such characters is certain.
/// A record's own code (赛事编号, 班级编号, 成果编号 …), as typed: letters, digits, `-`
/// and `_`, up to 40; full-width characters and spaces folded. An error names `field`
/// and the code's `label` (Chinese, English) and is pushed onto `errs`.
pub fn record_code(
    field: &str,
    label: (&str, &str),
    raw: &str,
    errs: &mut Vec<FieldError>,
) -> String {
    let code = normalise_code(raw);
    if code.is_empty() {
        errs.push(FieldError::required(field, label.0, label.1));
    } else if code.chars().count() > 40
        || !code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        errs.push(FieldError::new(
            field,
            Rule::BadFormat,
            format!(
                "{}“{code}”无效：只能使用字母、数字、- 和 _，最长 40 位",
                label.0
            ),
            format!(
                "{} '{code}' is invalid: letters, digits, - and _ only, up to 40",
                label.1.to_lowercase()
            ),
        ));
    }
    code
}

pub fn normalise_code(value: &str) -> String {
    value
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{3000}')
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_rules() {
        assert_eq!(
            text("name", ("名称", "Name"), "  a  b ", true, 10),
            Ok(Some("a b".into()))
        );
        assert_eq!(text("name", ("名称", "Name"), "  ", false, 10), Ok(None));
        let e = text("name", ("名称", "Name"), "", true, 10).unwrap_err();
        assert_eq!(e.rule, Rule::Required);
        assert!(e.detail_zh.contains("名称"));
        let e = text("name", ("名称", "Name"), "一二三", true, 2).unwrap_err();
        assert_eq!(e.rule, Rule::TooLong);
        let e = text("name", ("名称", "Name"), "a\u{7}b", true, 20).unwrap_err();
        assert_eq!(e.rule, Rule::BadCharacter);
    }

    #[test]
    fn codes_fold_full_width() {
        assert_eq!(normalise_code(" ９１３２\u{3000}０４ "), "913204");
        assert_eq!(normalise_code("ａＢ"), "aB");
    }
}
