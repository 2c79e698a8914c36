//! 群众性技术创新 — workers' innovation results (domain.md "Contribution platforms";
//! contracts.md `innovations`; the studio page of issue #12, point 5).
//!
//! **File.** A result is filed for an enterprise by the enterprise itself or by region
//! staff of its area (`FileInnovation`): 成果编号 (unique), 成果名称, 成果类型 (五小 /
//! 合理化建议 / 技术革新 / 专利 / 其他), the year, the workers who made it (registered
//! workers, at least one, each once), 专利号 (required for a patent, checked by its check
//! digit, one result per patent), 经济效益万元 and a summary; optionally the enterprise's
//! innovation studio it came from. Filing is the union's certification: the result
//! becomes an `innovation_result` case on the workflow engine, submitted at once and
//! reviewed by the enterprise's district (the city outside the districts).
//!
//! **Correct.** While its case is returned (or, for region staff, once recorded by an
//! import) the result may be corrected, with its version; an approved result is final.
//!
//! **Count.** Approved results, and the `recorded` ones imported as decisions already
//! taken, count in `innovation_results`, `patents` (of type 专利) and
//! `innovation_result_benefit_wan`, by the result's year and enterprise (`facts`).
//!
//! **Showcase.** The city office marks results for the showcase (职工科技创新周); the
//! console lists them, and a studio's page shows every counted result of the studio.
//!
//! **Import / export.** The `innovations` template (key 成果编号): rows are recorded
//! results; a code filed on the platform cannot be overwritten by an import.
mod cases;
mod facts;
mod register;
pub mod template;

pub(crate) use cases::approve;
pub use cases::{subject_page, sync_case};
pub use facts::facts;

use serde::{Deserialize, Deserializer, Serialize};

/// The process of a filed result.
pub const PROCESS: &str = "innovation_result";

/// A worker who made a result.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InnovationAuthor {
    pub worker_id: i64,
    pub name: String,
}

/// An innovation result.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Innovation {
    pub id: i64,
    pub code: String,
    pub title: String,
    /// five_small, suggestion, renovation, patent or other.
    #[serde(rename = "type")]
    pub itype: String,
    pub org_id: i64,
    pub org_name: String,
    pub studio_id: Option<i64>,
    pub studio_name: Option<String>,
    pub year: i64,
    /// Normalised: `ZL` + application number + `.` + check digit.
    pub patent_no: Option<String>,
    /// 经济效益（万元）.
    pub benefit_wan: Option<f64>,
    pub summary: Option<String>,
    pub case_id: Option<i64>,
    /// recorded (imported), or the case's: in_review, returned, approved, rejected,
    /// withdrawn.
    pub status: String,
    /// Whether it counts: approved or recorded.
    pub counted: bool,
    pub featured: bool,
    pub authors: Vec<InnovationAuthor>,
    pub version: i64,
}

/// A result as typed. Workers by registry id or 身份证号; the enterprise by id or
/// 统一社会信用代码 (a unit's own by default); the studio by id.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct InnovationInput {
    pub code: String,
    pub title: String,
    /// 五小 / 合理化建议 / 技术革新 / 专利 / 其他 (or five_small, suggestion, renovation,
    /// patent, other).
    #[serde(rename = "type")]
    pub itype: String,
    pub year: Option<i64>,
    pub org: Option<String>,
    pub studio: Option<i64>,
    pub authors: Vec<String>,
    pub patent_no: String,
    /// 经济效益（万元）: a number or a string, two decimals at most.
    #[serde(deserialize_with = "num_or_str")]
    #[schema(value_type = Option<f64>)]
    pub benefit_wan: Option<String>,
    pub summary: String,
    /// For a correction: the version last seen.
    pub version: Option<i64>,
}

fn num_or_str<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(s),
        serde_json::Value::Number(n) => Some(n.to_string()),
        other => Some(other.to_string()),
    })
}

/// Which results to list.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct InnovationFilter {
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub itype: Option<String>,
    pub year: Option<i64>,
    /// counted (approved or recorded), pending (in review or returned), or a status.
    pub status: Option<String>,
    /// Only the showcased ones.
    pub featured: Option<bool>,
    pub studio: Option<i64>,
    /// Only results this registered worker made (registry id).
    pub worker: Option<i64>,
    /// Only enterprises in this region's subtree (a region code).
    pub region: Option<String>,
    /// In the title, the code, the patent number or the enterprise's name.
    pub q: Option<String>,
    pub page: i64,
    pub per_page: i64,
}

/// Showcase a result or take it off.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ShowcaseInput {
    pub featured: bool,
}
