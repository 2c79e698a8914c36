//! The policy library's fixed lists (who issues a document), shared by the part and the
//! access policy.

pub const LEVELS: &[(&str, &str, &str)] = &[
    ("national", "国家", "National"),
    ("provincial", "省级", "Provincial"),
    ("city", "市级", "City"),
    ("district", "区级", "District"),
    ("town", "镇（街道）级", "Town / street"),
];

/// The label of `code` in a (code, 中文, English) table; empty when unknown.
pub fn label(table: &[(&str, &'static str, &'static str)], code: &str, en: bool) -> &'static str {
    table
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, zh, e)| if en { *e } else { *zh })
        .unwrap_or("")
}
