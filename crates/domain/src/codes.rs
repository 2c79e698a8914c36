//! Official codes as newtypes: a value of these types has passed every check rule.
use crate::error::{normalise_code, FieldError, Rule};
use chrono::{Datelike, NaiveDate};
use serde::{Serialize, Serializer};
use std::fmt;

/// The 31 symbols of GB 32100-2015, in value order (no I, O, S, V, Z).
const USCC_ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const USCC_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

fn uscc_value(c: u8) -> Option<u32> {
    USCC_ALPHABET.iter().position(|&a| a == c).map(|p| p as u32)
}

/// 统一社会信用代码 (GB 32100-2015), normalised to upper case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Uscc(String);

impl Uscc {
    /// Parses user input: full-width characters and spaces are folded, lower case is
    /// raised; anything else that breaks a rule is an error naming that rule.
    pub fn parse(input: &str) -> Result<Uscc, FieldError> {
        let s = normalise_code(input).to_ascii_uppercase();
        let field = "uscc";
        if s.is_empty() {
            return Err(FieldError::required(
                field,
                "统一社会信用代码",
                "Unified social credit code",
            ));
        }
        let n = s.chars().count();
        if n != 18 {
            return Err(FieldError::new(
                field,
                Rule::BadLength,
                format!("统一社会信用代码应为18位（当前{n}位）"),
                format!("the unified social credit code must have 18 characters (got {n})"),
            ));
        }
        let bytes = s.as_bytes();
        for (i, c) in s.chars().enumerate() {
            let ok = c.is_ascii() && uscc_value(c as u8).is_some();
            if !ok {
                let (zh, en) = if matches!(c, 'I' | 'O' | 'S' | 'V' | 'Z') {
                    (
                        format!(
                            "统一社会信用代码第{}位为“{c}”：不允许使用字母 I、O、S、V、Z",
                            i + 1
                        ),
                        format!(
                            "character {} is '{c}': the letters I, O, S, V and Z are not allowed",
                            i + 1
                        ),
                    )
                } else {
                    (
                        format!("统一社会信用代码第{}位“{c}”不是允许的字符（数字或除 I、O、S、V、Z 外的大写字母）", i + 1),
                        format!("character {} '{c}' is not allowed (digits and capital letters except I, O, S, V, Z)", i + 1),
                    )
                };
                return Err(FieldError::new(field, Rule::BadCharacter, zh, en));
            }
        }
        if !bytes[2..8].iter().all(u8::is_ascii_digit) {
            return Err(FieldError::new(
                field,
                Rule::BadRegion,
                "统一社会信用代码第3–8位应为6位数字的行政区划码",
                "characters 3-8 must be a 6-digit region code",
            ));
        }
        let expected = Self::check_char(&s[..17]).unwrap_or('?');
        let got = s.chars().nth(17).unwrap_or('?');
        if expected != got {
            return Err(FieldError::new(
                field,
                Rule::BadCheckCharacter,
                format!("统一社会信用代码校验码错误：第18位应为“{expected}”，实为“{got}”（GB 32100 校验规则）"),
                format!("wrong check character: the 18th character should be '{expected}', not '{got}' (GB 32100)"),
            ));
        }
        Ok(Uscc(s))
    }

    /// The GB 32100 check character for the first 17 characters, or `None` if they are
    /// not 17 valid symbols.
    pub fn check_char(first17: &str) -> Option<char> {
        let b = first17.as_bytes();
        if b.len() != 17 {
            return None;
        }
        let mut sum = 0u32;
        for (i, &c) in b.iter().enumerate() {
            sum += uscc_value(c)? * USCC_WEIGHTS[i];
        }
        let v = (31 - sum % 31) % 31;
        Some(USCC_ALPHABET[v as usize] as char)
    }

    /// Builds a valid code from its first 17 characters (used by the demo data and tests).
    pub fn from_first17(first17: &str) -> Option<Uscc> {
        let c = Self::check_char(first17)?;
        Uscc::parse(&format!("{first17}{c}")).ok()
    }

    /// 行政区划码 embedded in positions 3–8.
    pub fn region_part(&self) -> &str {
        &self.0[2..8]
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Uscc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl Serialize for Uscc {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

/// Province-level prefixes of GB/T 2260 (the first two digits of every region code).
const PROVINCES: &[&str] = &[
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41",
    "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71",
    "81", "82",
];

/// A region code: 6 digits (GB/T 2260) for province, city and county level; 9 digits
/// (统计用区划代码, town level) or 12 digits (village level) below that.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RegionCode(String);

/// The administrative level a region code's shape implies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RegionLevel {
    Province,
    City,
    District,
    Town,
    Village,
}

impl RegionCode {
    pub fn parse(input: &str) -> Result<RegionCode, FieldError> {
        let s = normalise_code(input);
        let field = "region_code";
        if s.is_empty() {
            return Err(FieldError::required(field, "所属区划代码", "Region code"));
        }
        if !s.chars().all(|c| c.is_ascii_digit()) {
            return Err(FieldError::new(
                field,
                Rule::BadCharacter,
                format!("区划代码“{s}”只能由数字组成"),
                format!("region code '{s}' must contain digits only"),
            ));
        }
        if !matches!(s.len(), 6 | 9 | 12) {
            return Err(FieldError::new(
                field,
                Rule::BadLength,
                format!("区划代码应为6位（GB/T 2260）或9位、12位统计用区划代码（当前{}位）", s.len()),
                format!("a region code has 6 digits (GB/T 2260) or 9 or 12 digits (statistical codes); got {}", s.len()),
            ));
        }
        if !PROVINCES.contains(&&s[..2]) {
            return Err(FieldError::new(
                field,
                Rule::BadRegion,
                format!("区划代码“{s}”的前两位“{}”不是有效的省级代码", &s[..2]),
                format!("region code '{s}': '{}' is not a province code", &s[..2]),
            ));
        }
        Ok(RegionCode(s))
    }

    pub fn level(&self) -> RegionLevel {
        let s = &self.0;
        match s.len() {
            9 => RegionLevel::Town,
            12 => RegionLevel::Village,
            _ if &s[2..] == "0000" => RegionLevel::Province,
            _ if &s[4..] == "00" => RegionLevel::City,
            _ => RegionLevel::District,
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl Serialize for RegionCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK: &[u8; 11] = b"10X98765432";

/// 居民身份证号 (GB 11643-1999), 18 characters, check character upper case.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct IdNumber(String);

impl fmt::Debug for IdNumber {
    // Never print the whole number by accident (logs, panics).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdNumber({})", self.masked())
    }
}

impl IdNumber {
    /// Parses and checks a number; `today` bounds the birth date.
    pub fn parse(input: &str, today: NaiveDate) -> Result<IdNumber, FieldError> {
        let s = normalise_code(input).to_ascii_uppercase();
        let field = "id_number";
        if s.is_empty() {
            return Err(FieldError::required(field, "身份证号", "ID number"));
        }
        if s.chars().count() != 18 {
            return Err(FieldError::new(
                field,
                Rule::BadLength,
                format!("身份证号应为18位（当前{}位）", s.chars().count()),
                format!("an ID number has 18 characters (got {})", s.chars().count()),
            ));
        }
        let b = s.as_bytes();
        if !b[..17].iter().all(u8::is_ascii_digit) || !(b[17].is_ascii_digit() || b[17] == b'X') {
            return Err(FieldError::new(
                field,
                Rule::BadCharacter,
                "身份证号前17位应为数字，第18位为数字或X",
                "the first 17 characters must be digits and the 18th a digit or X",
            ));
        }
        if !PROVINCES.contains(&&s[..2]) {
            return Err(FieldError::new(
                field,
                Rule::BadRegion,
                format!("身份证号前两位“{}”不是有效的省级代码", &s[..2]),
                format!("'{}' is not a province code", &s[..2]),
            ));
        }
        let (y, m, d) = (
            s[6..10].parse::<i32>().unwrap_or(0),
            s[10..12].parse::<u32>().unwrap_or(0),
            s[12..14].parse::<u32>().unwrap_or(0),
        );
        match NaiveDate::from_ymd_opt(y, m, d) {
            Some(date) if date <= today && y >= 1900 => {}
            _ => {
                return Err(FieldError::new(
                    field,
                    Rule::BadBirthDate,
                    format!("身份证号中的出生日期“{}”不是有效日期", &s[6..14]),
                    format!(
                        "the birth date '{}' is not a real date in the past",
                        &s[6..14]
                    ),
                ))
            }
        }
        let expected = Self::check_char(&s[..17]).unwrap_or('?');
        if expected as u8 != b[17] {
            return Err(FieldError::new(
                field,
                Rule::BadCheckCharacter,
                format!(
                    "身份证号校验码错误：第18位应为“{expected}”，实为“{}”（GB 11643 校验规则）",
                    b[17] as char
                ),
                format!(
                    "wrong check character: the 18th should be '{expected}', not '{}' (GB 11643)",
                    b[17] as char
                ),
            ));
        }
        Ok(IdNumber(s))
    }

    pub fn check_char(first17: &str) -> Option<char> {
        let b = first17.as_bytes();
        if b.len() != 17 || !b.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let sum: u32 = b
            .iter()
            .zip(ID_WEIGHTS)
            .map(|(c, w)| u32::from(c - b'0') * w)
            .sum();
        Some(ID_CHECK[(sum % 11) as usize] as char)
    }

    pub fn birth_date(&self) -> Option<NaiveDate> {
        // Eight ASCII digits (checked by `parse`); read directly, not through a format
        // string (a bulk import asks this a million times).
        let b = self.0.as_bytes().get(6..14)?;
        let num = |r: std::ops::Range<usize>| -> Option<u32> {
            b[r].iter().try_fold(0u32, |n, c| {
                c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
            })
        };
        NaiveDate::from_ymd_opt(i32::try_from(num(0..4)?).ok()?, num(4..6)?, num(6..8)?)
    }

    pub fn is_male(&self) -> bool {
        self.0.as_bytes()[16] % 2 == 1
    }

    pub fn age_on(&self, day: NaiveDate) -> Option<i32> {
        let b = self.birth_date()?;
        let mut age = day.year() - b.year();
        if (day.month(), day.day()) < (b.month(), b.day()) {
            age -= 1;
        }
        Some(age)
    }

    /// `320402********123X`: address code and the last four characters.
    pub fn masked(&self) -> String {
        let mut out = String::with_capacity(self.0.len());
        out.push_str(&self.0[..6]);
        out.push_str("********");
        out.push_str(&self.0[14..]);
        out
    }

    /// The full number; callers must be allowed to see it and must audit the view.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap_or_default()
    }

    #[test]
    fn uscc_reference_example() {
        assert_eq!(Uscc::check_char("91350100M000100Y4"), Some('3'));
        assert!(Uscc::parse("91350100M000100Y43").is_ok());
    }

    #[test]
    fn uscc_normalises_case_spaces_and_full_width() {
        let u = Uscc::parse(" ９１350100m000100y43 ").unwrap();
        assert_eq!(u.as_str(), "91350100M000100Y43");
        assert_eq!(u.region_part(), "350100");
    }

    #[test]
    fn uscc_wrong_check_character() {
        let e = Uscc::parse("91350100M000100Y44").unwrap_err();
        assert_eq!(e.rule, Rule::BadCheckCharacter);
        assert!(e.detail_zh.contains("校验码"));
        assert!(e.detail_zh.contains('3'));
        assert_eq!(e.field, "uscc");
    }

    #[test]
    fn uscc_wrong_lengths() {
        for s in ["91350100M000100Y4", "91350100M000100Y433", "9"] {
            assert_eq!(Uscc::parse(s).unwrap_err().rule, Rule::BadLength, "{s}");
        }
        assert_eq!(Uscc::parse("").unwrap_err().rule, Rule::Required);
    }

    #[test]
    fn uscc_forbidden_letters() {
        for c in ['I', 'O', 'S', 'V', 'Z'] {
            let s = format!("91350100M000100{c}43");
            let e = Uscc::parse(&s).unwrap_err();
            assert_eq!(e.rule, Rule::BadCharacter, "{s}");
            assert!(e.detail_zh.contains("I、O、S、V、Z"));
        }
        assert_eq!(
            Uscc::parse("91350100M000100!43").unwrap_err().rule,
            Rule::BadCharacter
        );
        assert_eq!(
            Uscc::parse("91350100M000100中43").unwrap_err().rule,
            Rule::BadCharacter
        );
    }

    #[test]
    fn uscc_region_part_must_be_digits() {
        let first = "91A50100M000100Y4";
        let u = format!("{first}{}", Uscc::check_char(first).unwrap());
        assert_eq!(Uscc::parse(&u).unwrap_err().rule, Rule::BadRegion);
    }

    #[test]
    fn uscc_every_generated_code_validates() {
        for i in 0..2000u32 {
            let first = format!("91320402MA{:07}", i * 7919 % 10_000_000);
            let u = Uscc::from_first17(&first).unwrap();
            assert!(Uscc::parse(u.as_str()).is_ok());
        }
    }

    #[test]
    fn id_reference_example() {
        assert_eq!(IdNumber::check_char("34052419800101001"), Some('X'));
        let id = IdNumber::parse("34052419800101001x", today()).unwrap();
        assert_eq!(id.expose(), "34052419800101001X");
        assert_eq!(id.masked(), "340524********001X");
        assert!(id.is_male());
        assert_eq!(id.age_on(today()), Some(46));
        assert_eq!(id.birth_date(), NaiveDate::from_ymd_opt(1980, 1, 1));
    }

    #[test]
    fn id_historical_region_codes_accepted() {
        for prefix in ["320405", "320482", "320483"] {
            let first = format!("{prefix}19790315002");
            let id = format!("{first}{}", IdNumber::check_char(&first).unwrap());
            assert!(IdNumber::parse(&id, today()).is_ok(), "{id}");
        }
    }

    #[test]
    fn id_wrong_check_character() {
        let e = IdNumber::parse("340524198001010010", today()).unwrap_err();
        assert_eq!(e.rule, Rule::BadCheckCharacter);
        assert!(e.detail_zh.contains('X'));
    }

    #[test]
    fn id_wrong_length_and_characters() {
        assert_eq!(
            IdNumber::parse("34052419800101001", today())
                .unwrap_err()
                .rule,
            Rule::BadLength
        );
        assert_eq!(
            IdNumber::parse("340524800101001", today())
                .unwrap_err()
                .rule,
            Rule::BadLength
        );
        assert_eq!(
            IdNumber::parse("3405241980010100AX", today())
                .unwrap_err()
                .rule,
            Rule::BadCharacter
        );
        assert_eq!(
            IdNumber::parse("99052419800101001X", today())
                .unwrap_err()
                .rule,
            Rule::BadRegion
        );
    }

    #[test]
    fn id_impossible_birth_dates() {
        for date in ["19800230", "19801301", "19800000", "20991231", "18991231"] {
            let first = format!("340524{date}001");
            let id = format!("{first}{}", IdNumber::check_char(&first).unwrap());
            assert_eq!(
                IdNumber::parse(&id, today()).unwrap_err().rule,
                Rule::BadBirthDate,
                "{id}"
            );
        }
        // 29 February exists in leap years only.
        let first = "34052420000229001";
        let id = format!("{first}{}", IdNumber::check_char(first).unwrap());
        assert!(IdNumber::parse(&id, today()).is_ok());
        let first = "34052419000229001";
        let id = format!("{first}{}", IdNumber::check_char(first).unwrap());
        assert_eq!(
            IdNumber::parse(&id, today()).unwrap_err().rule,
            Rule::BadBirthDate
        );
    }

    #[test]
    fn id_debug_is_masked() {
        let id = IdNumber::parse("34052419800101001X", today()).unwrap();
        assert!(!format!("{id:?}").contains("19800101"));
    }

    #[test]
    fn region_codes() {
        assert_eq!(
            RegionCode::parse("320400").unwrap().level(),
            RegionLevel::City
        );
        assert_eq!(
            RegionCode::parse("320402").unwrap().level(),
            RegionLevel::District
        );
        assert_eq!(
            RegionCode::parse("320000").unwrap().level(),
            RegionLevel::Province
        );
        assert_eq!(
            RegionCode::parse("320402001").unwrap().level(),
            RegionLevel::Town
        );
        assert_eq!(
            RegionCode::parse("３２０４０２").unwrap().as_str(),
            "320402"
        );
        assert_eq!(
            RegionCode::parse("32040").unwrap_err().rule,
            Rule::BadLength
        );
        assert_eq!(
            RegionCode::parse("32040A").unwrap_err().rule,
            Rule::BadCharacter
        );
        assert_eq!(
            RegionCode::parse("990400").unwrap_err().rule,
            Rule::BadRegion
        );
        assert_eq!(RegionCode::parse("").unwrap_err().rule, Rule::Required);
    }
}
