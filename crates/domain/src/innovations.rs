//! 群众性技术创新: workers' innovation results (domain.md "Contribution platforms").
//!
//! - A result (成果) is one of 五小 (小发明 小创造 小革新 小设计 小建议), 合理化建议,
//!   技术革新, 专利 or 其他; it belongs to an enterprise, names the workers who made it,
//!   its year and the economic benefit (万元) it brought.
//! - A patent result carries its patent number (专利号), checked by its check digit
//!   ([`PatentNo`]).
//! - The enterprise's union certifies it by filing it; the district reviews it; an
//!   approved result counts and may be showcased (职工科技创新周).
use crate::error::{normalise_code, text};
use crate::org::labelled_enum;
use crate::{FieldError, Rule};
use serde::{Serialize, Serializer};
use std::fmt;

labelled_enum!(
    /// 成果类型.
    InnovationType {
        FiveSmall = "five_small", "五小", "Five-small (五小)";
        Suggestion = "suggestion", "合理化建议", "Rationalisation proposal";
        Renovation = "renovation", "技术革新", "Technical renovation";
        Patent = "patent", "专利", "Patent";
        Other = "other", "其他", "Other";
    }
);

/// 专利号 / 专利申请号 (CNIPA): `ZL` + the application number + `.` + its check digit.
///
/// - Since 2003: 12 digits — the filing year (4), the kind (1: invention, 2: utility
///   model, 3: design, 8: PCT invention, 9: PCT utility model) and a 7-digit serial;
///   weights 2,3,4,5,6,7,8,9,2,3,4,5.
/// - Before: 8 digits — the year (2), the kind (1, 2, 3) and a 5-digit serial;
///   weights 2,3,4,5,6,7,8,9.
///
/// The check digit is Σ digit·weight mod 11, with 10 written `X`. Example:
/// `200410018477` → `9`. Input may carry `ZL`/`CN`, spaces, full-width characters and
/// the dot or not; it is kept as `ZL200410018477.9`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PatentNo(String);

const PATENT_WEIGHTS: [u32; 12] = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5];

impl PatentNo {
    /// The check digit of an application number's digits (8 or 12 of them).
    pub fn check_char(digits: &str) -> Option<char> {
        if !matches!(digits.len(), 8 | 12) || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let sum: u32 = digits
            .bytes()
            .zip(PATENT_WEIGHTS)
            .map(|(b, w)| u32::from(b - b'0') * w)
            .sum();
        Some(match sum % 11 {
            10 => 'X',
            n => char::from_digit(n, 10)?,
        })
    }

    /// Parses user input; an error names the rule that failed (field `patent_no`).
    pub fn parse(input: &str) -> Result<PatentNo, FieldError> {
        let field = "patent_no";
        let raw = normalise_code(input).to_ascii_uppercase().replace(' ', "");
        let s = raw
            .strip_prefix("ZL")
            .or_else(|| raw.strip_prefix("CN"))
            .unwrap_or(&raw)
            .replace('.', "");
        if s.is_empty() {
            return Err(FieldError::required(field, "专利号", "Patent number"));
        }
        if !s.bytes().all(|b| b.is_ascii_digit() || b == b'X') || s[..s.len() - 1].contains('X') {
            return Err(FieldError::new(
                field,
                Rule::BadCharacter,
                format!("专利号“{raw}”只能由数字组成，校验位可为X（如 ZL200410018477.9）"),
                format!("patent number '{raw}' must be digits, its check digit may be X (e.g. ZL200410018477.9)"),
            ));
        }
        let (digits, check) = s.split_at(s.len() - 1);
        if !matches!(digits.len(), 8 | 12) {
            return Err(FieldError::new(
                field,
                Rule::BadLength,
                format!(
                    "专利号“{raw}”应为12位申请号加1位校验位（2003年前为8位加1位，当前{}位）",
                    s.len()
                ),
                format!(
                    "patent number '{raw}' must be a 12-digit application number and a check digit (8 before 2003; got {})",
                    s.len()
                ),
            ));
        }
        let kind_ok = if digits.len() == 12 {
            let year: u32 = digits[..4].parse().unwrap_or(0);
            (2003..=2100).contains(&year) && matches!(&digits[4..5], "1" | "2" | "3" | "8" | "9")
        } else {
            matches!(&digits[2..3], "1" | "2" | "3")
        };
        if !kind_ok {
            return Err(FieldError::new(
                field,
                Rule::BadFormat,
                format!("专利号“{raw}”的申请年份或专利类型位无效"),
                format!("patent number '{raw}' has an invalid filing year or patent kind"),
            ));
        }
        let want = Self::check_char(digits).unwrap_or('?');
        if !check.starts_with(want) {
            return Err(FieldError::new(
                field,
                Rule::BadCheckCharacter,
                format!("专利号“{raw}”校验位错误：应为{want}"),
                format!("patent number '{raw}' has a wrong check digit: expected {want}"),
            ));
        }
        Ok(PatentNo(format!("ZL{digits}.{check}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PatentNo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for PatentNo {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

/// A result as typed.
#[derive(Debug, Clone, Default)]
pub struct InnovationDraft {
    pub code: String,
    pub title: String,
    pub itype: String,
    pub year: Option<i64>,
    pub patent_no: String,
    /// 经济效益万元 as typed ("" = none).
    pub benefit_wan: String,
    pub summary: String,
}

/// A result, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct InnovationFields {
    pub code: String,
    pub title: String,
    pub itype: InnovationType,
    pub year: i64,
    pub patent_no: Option<PatentNo>,
    /// 万元 × 100.
    pub benefit_x100: Option<i64>,
    pub summary: Option<String>,
}

/// Checks a 成果编号: letters, digits, `-` and `_`, up to 40.
pub fn check_code(field: &str, raw: &str, errs: &mut Vec<FieldError>) -> String {
    crate::error::record_code(field, ("成果编号", "Result code"), raw, errs)
}

/// 经济效益万元: a non-negative amount with at most two decimals, below 10 million 万元.
pub fn check_benefit(raw: &str) -> Result<Option<i64>, FieldError> {
    let v = normalise_code(raw).replace(',', "");
    if v.is_empty() {
        return Ok(None);
    }
    let bad = || {
        FieldError::new(
            "benefit_wan",
            Rule::BadFormat,
            format!("经济效益“{v}”无效：应为不小于0的金额（万元），最多两位小数"),
            format!(
                "benefit '{v}' is invalid: a non-negative amount in 万元, two decimals at most"
            ),
        )
    };
    let (int, frac) = v.split_once('.').unwrap_or((&v, ""));
    if int.is_empty()
        || int.len() > 8
        || frac.len() > 2
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(bad());
    }
    let whole: i64 = int.parse().map_err(|_| bad())?;
    let cents: i64 = format!("{frac:0<2}").parse().map_err(|_| bad())?;
    Ok(Some(whole * 100 + cents))
}

/// Checks a result: code, title, type, a year in 1990–2100, the patent number (required
/// for a patent; checked whenever given), the benefit and the summary.
pub fn check_innovation(d: &InnovationDraft) -> Result<InnovationFields, Vec<FieldError>> {
    let mut errs = Vec::new();
    let code = check_code("code", &d.code, &mut errs);
    let title = text("title", ("成果名称", "Title"), &d.title, true, 200)
        .map_err(|e| errs.push(e))
        .ok()
        .flatten();
    let itype = match d.itype.trim() {
        "" => {
            errs.push(FieldError::required("type", "成果类型", "Type"));
            None
        }
        t => {
            let v = InnovationType::from_any(t);
            if v.is_none() {
                errs.push(FieldError::new(
                    "type",
                    Rule::UnknownValue,
                    format!("成果类型“{t}”无效，应为：五小、合理化建议、技术革新、专利、其他"),
                    format!("unknown type '{t}': use five_small, suggestion, renovation, patent or other"),
                ));
            }
            v
        }
    };
    let year = match d.year {
        Some(y) if (1990..=2100).contains(&y) => Some(y),
        Some(_) => {
            errs.push(FieldError::new(
                "year",
                Rule::BadFormat,
                "年份应为1990至2100之间的四位数字",
                "the year must be between 1990 and 2100",
            ));
            None
        }
        None => {
            errs.push(FieldError::required("year", "年份", "Year"));
            None
        }
    };
    let patent_no = if d.patent_no.trim().is_empty() {
        if itype == Some(InnovationType::Patent) {
            errs.push(FieldError::new(
                "patent_no",
                Rule::Required,
                "专利类成果须填写专利号",
                "a patent result needs its patent number",
            ));
        }
        None
    } else {
        PatentNo::parse(&d.patent_no).map_err(|e| errs.push(e)).ok()
    };
    let benefit_x100 = check_benefit(&d.benefit_wan)
        .map_err(|e| errs.push(e))
        .ok()
        .flatten();
    let summary = text("summary", ("成果简介", "Summary"), &d.summary, false, 4000)
        .map_err(|e| errs.push(e))
        .ok()
        .flatten();
    match (title, itype, year, errs.is_empty()) {
        (Some(title), Some(itype), Some(year), true) => Ok(InnovationFields {
            code,
            title,
            itype,
            year,
            patent_no,
            benefit_x100,
            summary,
        }),
        _ => Err(errs),
    }
}

/// Splits 完成人身份证号: several separated by ；, ; or a comma.
pub fn split_people(raw: &str) -> Vec<String> {
    raw.split(['；', ';', ',', '，', '、', '\n'])
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patent_check_digit() {
        assert_eq!(PatentNo::check_char("200410018477"), Some('9'));
        let p = PatentNo::parse("ZL 200410018477.9").unwrap();
        assert_eq!(p.as_str(), "ZL200410018477.9");
        assert_eq!(PatentNo::parse("２００４１００１８４７７９").unwrap(), p);
        assert_eq!(PatentNo::parse("cn200410018477.9").unwrap(), p);
        let e = PatentNo::parse("ZL200410018477.8").unwrap_err();
        assert_eq!(e.rule, Rule::BadCheckCharacter);
        assert_eq!(e.field, "patent_no");
        assert!(e.detail_zh.contains("应为9"), "{}", e.detail_zh);
        assert_eq!(
            PatentNo::parse("ZL20041001847.9").unwrap_err().rule,
            Rule::BadLength
        );
        assert_eq!(
            PatentNo::parse("ZL2004A0018477.9").unwrap_err().rule,
            Rule::BadCharacter
        );
        // kind 4 does not exist
        let d = "200440018477";
        let c = PatentNo::check_char(d).unwrap();
        assert_eq!(
            PatentNo::parse(&format!("{d}{c}")).unwrap_err().rule,
            Rule::BadFormat
        );
        // an X check digit, and the old 8-digit numbers
        let x = (0..10_000)
            .map(|n| format!("20232{n:07}"))
            .find(|d| PatentNo::check_char(d) == Some('X'))
            .unwrap();
        assert!(PatentNo::parse(&format!("{x}.x")).is_ok());
        let old = "98123456";
        let c = PatentNo::check_char(old).unwrap();
        assert_eq!(
            PatentNo::parse(&format!("{old}.{c}")).unwrap().as_str(),
            format!("ZL{old}.{c}")
        );
    }

    #[test]
    fn innovation_rules() {
        let ok = InnovationDraft {
            code: "CX-2025-001".into(),
            title: "数控夹具快换装置".into(),
            itype: "专利".into(),
            year: Some(2025),
            patent_no: "200410018477.9".into(),
            benefit_wan: "12.5".into(),
            summary: String::new(),
        };
        let f = check_innovation(&ok).unwrap();
        assert_eq!(f.itype, InnovationType::Patent);
        assert_eq!(f.benefit_x100, Some(1250));
        let e = check_innovation(&InnovationDraft {
            patent_no: String::new(),
            ..ok.clone()
        })
        .unwrap_err();
        assert_eq!(e[0].field, "patent_no");
        let e = check_innovation(&InnovationDraft {
            itype: "发明".into(),
            benefit_wan: "-3".into(),
            year: Some(1800),
            ..ok.clone()
        })
        .unwrap_err();
        let fields: Vec<&str> = e.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["type", "year", "benefit_wan"]);
        assert_eq!(check_benefit("1,020.05").unwrap(), Some(102_005));
        assert!(check_benefit("1.234").is_err());
        assert_eq!(
            split_people("320402199001011234；320402199001015678;"),
            ["320402199001011234", "320402199001015678"]
        );
    }
}
