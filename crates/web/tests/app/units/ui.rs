//! The console's own helpers: file sizes, and a refusal's messages by field.

use gongjiang_web::ui::{file_size, Refusal};

#[test]
fn file_sizes_read_naturally() {
    assert_eq!(file_size(0), "0 B");
    assert_eq!(file_size(590), "590 B");
    assert_eq!(file_size(1023), "1023 B");
    assert_eq!(file_size(1024), "1.0 KB");
    assert_eq!(file_size(1229), "1.2 KB");
    assert_eq!(file_size(20 * 1024 + 512), "20.5 KB");
    assert_eq!(file_size(340 * 1024), "340 KB");
    assert_eq!(file_size(1024 * 1024 - 1), "1.0 MB");
    assert_eq!(file_size(3_565_158), "3.4 MB");
    assert_eq!(file_size(20 * 1024 * 1024), "20.0 MB");
    assert_eq!(file_size(5 * 1024 * 1024 * 1024), "5.0 GB");
    assert_eq!(file_size(-3), "0 B");
}

#[test]
fn a_refusal_keeps_each_message_with_its_field_and_answers_as_the_api_does() {
    use axum::http::StatusCode;
    use gongjiang_domain::{Code, FieldError, Rule};
    use gongjiang_storage::StoreError;
    let invalid = StoreError::Invalid(vec![
        FieldError::new("name", Rule::Required, "请填写名称", "enter a name"),
        FieldError::new("name", Rule::TooLong, "名称过长", "the name is too long"),
        FieldError::new("year", Rule::BadFormat, "年份不对", "wrong year"),
    ]);
    let r = Refusal::of(&invalid, false).unwrap();
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let (fields, general) = r.split();
    assert_eq!(fields["name"], "请填写名称", "the first message of a field");
    assert_eq!(fields["year"], "年份不对");
    assert!(general.is_empty());
    let stale = StoreError::of(Code::StaleVersion);
    let r = Refusal::of(&stale, true).unwrap();
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.messages(), vec![Code::StaleVersion.en().to_string()]);
    let denied = StoreError::denied(Code::TaskNotOwner, "不是责任单位", "not the owner");
    let r = Refusal::of(&denied, false).unwrap();
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.split().1, vec!["不是责任单位".to_string()]);
    assert!(Refusal::of(&StoreError::NotFound, false).is_none());
    assert!(Refusal::of(&StoreError::Forbidden, false).is_none());
}
