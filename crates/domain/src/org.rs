//! Organisations: kinds, ownership and the validated input to create or edit one.
use crate::codes::{RegionCode, Uscc};
use crate::error::{normalise_code, text, FieldError, Rule};
use serde::Deserialize;

macro_rules! labelled_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $code:literal, $zh:literal, $en:literal;)+ }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn code(self) -> &'static str { match self { $($name::$variant => $code),+ } }
            pub fn label_zh(self) -> &'static str { match self { $($name::$variant => $zh),+ } }
            pub fn label_en(self) -> &'static str { match self { $($name::$variant => $en),+ } }
            pub fn label(self, english: bool) -> &'static str {
                if english { self.label_en() } else { self.label_zh() }
            }
            /// Accepts the code, the Chinese label (also typed with half-width
            /// parentheses: 镇(街道)) or the English label.
            pub fn from_any(s: &str) -> Option<$name> {
                let s = s.trim();
                let wide = s.replace('(', "（").replace(')', "）");
                $name::ALL.iter().copied().find(|v| {
                    v.code() == s
                        || v.label_zh() == s
                        || v.label_zh() == wide
                        || v.label_en().eq_ignore_ascii_case(s)
                })
            }
        }
    };
}
pub(crate) use labelled_enum;

labelled_enum!(
    /// The kinds of organisation in the tree (contracts.md).
    OrgKind {
        Enterprise = "enterprise", "企业", "Enterprise";
        Park = "park", "园区", "Industrial park";
        MemberUnit = "member_unit", "成员单位", "Member unit";
        College = "college", "院校", "College";
        Union = "union", "工会", "Trade union";
    }
);

labelled_enum!(
    /// 经济类型.
    Ownership {
        State = "state", "国有", "State-owned";
        Private = "private", "民营", "Private";
        Foreign = "foreign", "外资", "Foreign-invested";
        Mixed = "mixed", "混合", "Mixed ownership";
    }
);

impl OrgKind {
    /// Enterprises and parks must carry a 统一社会信用代码.
    pub fn requires_uscc(self) -> bool {
        matches!(self, OrgKind::Enterprise | OrgKind::Park)
    }
}

/// Raw organisation input as it arrives from a form, an API body or a spreadsheet row.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct OrgInput {
    pub name: Option<String>,
    pub kind: Option<String>,
    pub uscc: Option<String>,
    pub region_code: Option<String>,
    pub parent_id: Option<i64>,
    pub industry: Option<String>,
    pub ownership: Option<String>,
    pub chain_leader: Option<bool>,
    pub size: Option<String>,
    pub address: Option<String>,
    pub contact: Option<String>,
    /// 院校类型, for a 院校 only (产业学院 / 工匠学院 / 职工学堂 / 其他).
    #[serde(default)]
    pub college_type: Option<String>,
}

/// A validated organisation ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewOrg {
    pub name: String,
    pub kind: OrgKind,
    pub uscc: Option<Uscc>,
    pub region_code: RegionCode,
    pub parent_id: Option<i64>,
    pub industry: Option<String>,
    pub ownership: Option<Ownership>,
    pub chain_leader: bool,
    pub size: Option<String>,
    pub address: Option<String>,
    pub contact: Option<String>,
    pub college_type: Option<crate::training::CollegeType>,
}

/// GB/T 4754 industry code: a section letter A–T optionally followed by 2–4 digits
/// (`C`, `C38`, `C381`, `C3811`).
pub fn parse_industry(s: &str) -> Result<String, FieldError> {
    let s = normalise_code(s).to_ascii_uppercase();
    let mut chars = s.chars();
    let ok = match chars.next() {
        Some(c @ 'A'..='T') => {
            let rest: String = chars.collect();
            let _ = c;
            rest.is_empty()
                || (rest.len() >= 2 && rest.len() <= 4 && rest.chars().all(|d| d.is_ascii_digit()))
        }
        _ => false,
    };
    if ok {
        Ok(s)
    } else {
        Err(FieldError::new(
            "industry",
            Rule::BadFormat,
            format!("行业代码“{s}”不符合 GB/T 4754:应为门类字母 A–T,后接2–4位数字（如 C38）"),
            format!("industry code '{s}' is not GB/T 4754: a section letter A-T and 2-4 digits (e.g. C38)"),
        ))
    }
}

impl OrgInput {
    /// Validates every field and returns all errors, not just the first, so that a form
    /// can show each message next to its field.
    pub fn validate(&self) -> Result<NewOrg, Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = match text(
            "name",
            ("单位名称", "Name"),
            self.name.as_deref().unwrap_or(""),
            true,
            100,
        ) {
            Ok(Some(n)) if n.chars().count() < 2 => {
                errors.push(FieldError::new(
                    "name",
                    Rule::TooShort,
                    "单位名称至少2个字符",
                    "name must have at least 2 characters",
                ));
                None
            }
            Ok(n) => n,
            Err(e) => {
                errors.push(e);
                None
            }
        };
        let kind = match self
            .kind
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => {
                errors.push(FieldError::required("kind", "单位类型", "Kind"));
                None
            }
            Some(k) => match OrgKind::from_any(k) {
                Some(k) => Some(k),
                None => {
                    errors.push(FieldError::new(
                        "kind",
                        Rule::UnknownValue,
                        format!("单位类型“{k}”无效，应为：企业、园区、成员单位、院校、工会"),
                        format!("unknown kind '{k}': use enterprise, park, member_unit, college or union"),
                    ));
                    None
                }
            },
        };
        let uscc = match self
            .uscc
            .as_deref()
            .map(normalise_code)
            .filter(|s| !s.is_empty())
        {
            None => {
                if kind.is_some_and(OrgKind::requires_uscc) {
                    errors.push(FieldError::new(
                        "uscc",
                        Rule::Required,
                        "企业和园区必须填写统一社会信用代码",
                        "enterprises and parks need a unified social credit code",
                    ));
                }
                None
            }
            Some(s) => match Uscc::parse(&s) {
                Ok(u) => Some(u),
                Err(e) => {
                    errors.push(e);
                    None
                }
            },
        };
        let region_code = match RegionCode::parse(self.region_code.as_deref().unwrap_or("")) {
            Ok(r) => Some(r),
            Err(e) => {
                errors.push(e);
                None
            }
        };
        let industry = match self
            .industry
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(s) => match parse_industry(s) {
                Ok(v) => Some(v),
                Err(e) => {
                    errors.push(e);
                    None
                }
            },
        };
        let ownership = match self
            .ownership
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(s) => match Ownership::from_any(s) {
                Some(o) => Some(o),
                None => {
                    errors.push(FieldError::new(
                        "ownership",
                        Rule::UnknownValue,
                        format!("经济类型“{s}”无效，应为：国有、民营、外资、混合"),
                        format!("unknown ownership '{s}': use state, private, foreign or mixed"),
                    ));
                    None
                }
            },
        };
        let mut opt_text =
            |field: &str, label: (&str, &str), v: &Option<String>, max: usize| match text(
                field,
                label,
                v.as_deref().unwrap_or(""),
                false,
                max,
            ) {
                Ok(v) => v,
                Err(e) => {
                    errors.push(e);
                    None
                }
            };
        let size = opt_text("size", ("企业规模", "Size"), &self.size, 20);
        let address = opt_text("address", ("地址", "Address"), &self.address, 200);
        let contact = opt_text("contact", ("联系人", "Contact"), &self.contact, 100);
        if let (Some(p), true) = (self.parent_id, self.parent_id.is_some_and(|p| p <= 0)) {
            errors.push(FieldError::new(
                "parent_id",
                Rule::BadFormat,
                format!("上级单位编号“{p}”无效"),
                format!("invalid parent id {p}"),
            ));
        }
        let college_type = match self
            .college_type
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(t) => {
                match crate::training::CollegeType::from_any(t) {
                    Some(c) if kind == Some(OrgKind::College) => Some(c),
                    Some(_) => {
                        errors.push(FieldError::new(
                            "college_type",
                            Rule::Forbidden,
                            "院校类型只适用于单位类型为“院校”的单位",
                            "a college type applies to colleges only",
                        ));
                        None
                    }
                    None => {
                        errors.push(FieldError::new(
                        "college_type",
                        Rule::UnknownValue,
                        format!("院校类型“{t}”无效，应为：产业学院、工匠学院、职工学堂、其他"),
                        format!("unknown college type '{t}': use industry, craftsman, worker or other"),
                    ));
                        None
                    }
                }
            }
        };
        match (name, kind, region_code) {
            (Some(name), Some(kind), Some(region_code)) if errors.is_empty() => Ok(NewOrg {
                name,
                kind,
                uscc,
                region_code,
                parent_id: self.parent_id,
                industry,
                ownership,
                chain_leader: self.chain_leader.unwrap_or(false),
                size,
                address,
                contact,
                college_type,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> OrgInput {
        OrgInput {
            name: Some("常州测试新能源有限公司".into()),
            kind: Some("企业".into()),
            uscc: Some("91350100M000100Y43".into()),
            region_code: Some("320402".into()),
            ..Default::default()
        }
    }

    #[test]
    fn valid_org() {
        let o = input().validate().unwrap();
        assert_eq!(o.kind, OrgKind::Enterprise);
        assert!(!o.chain_leader);
    }

    #[test]
    fn all_errors_are_reported() {
        let i = OrgInput {
            name: Some(" ".into()),
            kind: Some("公司".into()),
            uscc: Some("X".into()),
            region_code: Some("1".into()),
            ..Default::default()
        };
        let e = i.validate().unwrap_err();
        let fields: Vec<_> = e.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "kind", "uscc", "region_code"]);
    }

    #[test]
    fn enterprise_needs_uscc_member_unit_does_not() {
        let mut i = input();
        i.uscc = None;
        assert_eq!(i.validate().unwrap_err()[0].field, "uscc");
        i.kind = Some("member_unit".into());
        assert!(i.validate().is_ok());
    }

    #[test]
    fn industry_codes() {
        assert_eq!(parse_industry("c38").unwrap(), "C38");
        assert!(parse_industry("C3811").is_ok());
        assert!(parse_industry("Z38").is_err());
        assert!(parse_industry("C3").is_err());
    }

    #[test]
    fn kinds_by_label() {
        assert_eq!(OrgKind::from_any("园区"), Some(OrgKind::Park));
        assert_eq!(OrgKind::from_any("member_unit"), Some(OrgKind::MemberUnit));
        assert_eq!(Ownership::from_any("民营"), Some(Ownership::Private));
    }
}
