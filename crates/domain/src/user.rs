//! Account rules: user names and passwords.
use crate::error::{FieldError, Rule};

/// 3–32 characters of a-z, 0-9, `_`, `.`, `-`, starting with a letter; stored lower case.
pub fn parse_username(s: &str) -> Result<String, FieldError> {
    let s = s.trim().to_ascii_lowercase();
    if s.is_empty() {
        return Err(FieldError::required("username", "用户名", "Username"));
    }
    let ok_chars = s
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '.' | '-'));
    let starts = s.chars().next().is_some_and(|c| c.is_ascii_lowercase());
    if !(3..=32).contains(&s.len()) || !ok_chars || !starts {
        return Err(FieldError::new(
            "username",
            Rule::BadFormat,
            "用户名须为3–32位小写字母、数字或 _ . -,并以字母开头",
            "a username has 3-32 characters (a-z, 0-9, _ . -) and starts with a letter",
        ));
    }
    Ok(s)
}

/// Common passwords that pass the other rules (lower case).
const COMMON: &str = include_str!("common_passwords.txt");

/// True when the password is on the list of common passwords (any case).
pub fn is_common_password(password: &str) -> bool {
    let p = password.trim().to_lowercase();
    COMMON
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .any(|l| l == p)
}

/// At least 10 characters, not all of one class (letters mixed with digits or
/// symbols), not the user name, not a common password. Each refusal names its rule.
pub fn check_password(password: &str, username: &str) -> Result<(), FieldError> {
    let n = password.chars().count();
    if n < 10 {
        return Err(FieldError::new(
            "password",
            Rule::TooShort,
            format!("密码至少10个字符（当前{n}个）"),
            format!("a password needs at least 10 characters (got {n})"),
        ));
    }
    if n > 128 {
        return Err(FieldError::new(
            "password",
            Rule::TooLong,
            "密码不能超过128个字符",
            "a password has at most 128 characters",
        ));
    }
    if password.eq_ignore_ascii_case(username) {
        return Err(FieldError::new(
            "password",
            Rule::Forbidden,
            "密码不能与用户名相同",
            "the password must differ from the username",
        ));
    }
    let has_letter = password.chars().any(|c| c.is_alphabetic());
    let has_other = password.chars().any(|c| !c.is_alphabetic());
    if !(has_letter && has_other) {
        return Err(FieldError::new(
            "password",
            Rule::Forbidden,
            "密码须同时包含字母和数字或符号",
            "a password must mix letters with digits or symbols",
        ));
    }
    if is_common_password(password) {
        return Err(FieldError::new(
            "password",
            Rule::Forbidden,
            "该密码过于常见（在常用密码列表中），容易被猜中，请换一个",
            "this password is on the list of common passwords and easily guessed: choose another",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_rules_name_the_rule() {
        let rule = |p: &str| check_password(p, "tianning").map_err(|e| e.detail_zh);
        assert!(rule("short1").unwrap_err().contains("至少10个字符"));
        assert!(rule("abcdefghijkl").unwrap_err().contains("字母和数字"));
        assert!(rule("12345678901").unwrap_err().contains("字母和数字"));
        assert!(rule("Tianning").is_err());
        assert!(check_password("tianning12", "tianning12")
            .unwrap_err()
            .detail_zh
            .contains("用户名"));
        assert!(rule("Password123").unwrap_err().contains("常用密码"));
        assert!(rule("1qaz2wsx3edc").unwrap_err().contains("常用密码"));
        assert!(rule("woaini1314").unwrap_err().contains("常用密码"));
        assert!(
            rule("gongjiang-demo").is_ok(),
            "the demo accounts' password"
        );
        assert!(rule("Lanling-street-7").is_ok());
    }

    #[test]
    fn usernames() {
        assert_eq!(parse_username(" Tianning ").unwrap(), "tianning");
        assert!(parse_username("ab").is_err());
        assert!(parse_username("1abc").is_err());
        assert!(parse_username("a b c").is_err());
        assert!(parse_username("张三丰").is_err());
    }

    #[test]
    fn passwords() {
        assert!(check_password("gongjiang-demo", "city").is_ok());
        assert!(check_password("short-1", "city").is_err());
        assert!(check_password("abcdefghijkl", "city").is_err());
        assert!(check_password("cityadmin01", "cityadmin01").is_err());
    }
}
