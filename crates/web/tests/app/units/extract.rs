//! A refused query string names its parameter (`api::extract`).

use gongjiang_web::api::extract::query_error;
use gongjiang_web::i18n::Lang;

#[test]
fn query_errors_name_the_parameter_in_chinese() {
    let e = query_error("page", "invalid digit found in string");
    let (code, msg, field) = e.parts(Lang::Zh);
    assert_eq!(code, "bad_query");
    assert_eq!(field.as_deref(), Some("page"));
    assert!(msg.contains("“page”") && msg.contains("整数"), "{msg}");
    let e = query_error(".", "missing field `region`");
    let (_, msg, field) = e.parts(Lang::Zh);
    assert_eq!(field.as_deref(), Some("region"));
    assert!(msg.contains("缺少必填查询参数“region”"), "{msg}");
}
