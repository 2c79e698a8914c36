//! 技能形成 — training providers and classes (issue #12, point 1).
//!
//! **Providers.** A provider is an organisation of the tree: a 院校 with its 院校类型
//! (`orgs.college_type`: 产业学院 / 工匠学院 / 职工学堂 / 其他, set on the organisation
//! form or the `orgs` template), or an enterprise acting as a training site. The
//! `colleges_*` indicators count 院校 by type; a 院校 counts from the day it is
//! registered, whatever period is asked (measure `college:{type}`, period `0000`).
//!
//! **Classes.** A class (培训班) is keyed by its 班级编号 and has a type (新型学徒制 /
//! 现代学徒制 / 技能提升), a provider, optionally an enterprise, an occupation, a target
//! level and its dates. It belongs, for scope, to the enterprise where one is named and
//! to the provider otherwise: region staff keep the classes of their area, a unit those
//! held for itself. A class ending before it starts is refused on `ends_on`.
//!
//! **Figures.** 学员数 and 结业数 are the class's recorded figures (the `classes`
//! template imports them). Once a roster exists they are the roster's counts and the
//! form no longer edits them.
//!
//! **Roster.** Registered workers are enrolled (a unit enrols its own; region staff any
//! worker of their area), once per class (`worker`, duplicate). A 新型学徒制 apprentice
//! is paired with a master (师傅) from the registry: a different worker, at 高级工 or
//! above. Completion records the date and, where one was earned, the certificate number
//! and the level it certifies: a level above the worker's own and at most one step up
//! (no skipping levels); the level itself changes only through the promotion's review.
//!
//! **Indicators** (`facts`): `apprentice_classes` (classes of type 新型学徒制, year ≤
//! period), `class_trainees` (Σ 学员数 of the period's classes) and `colleges_*`.
//! Every write settles them in its transaction.
mod classes;
mod facts;
pub mod professors;
pub mod promotion;
mod roster;
mod sql;
pub mod template;

pub use facts::facts;
pub use roster::check_promotion;

use serde::{Deserialize, Serialize};

/// A training class.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Class {
    pub id: i64,
    /// 班级编号 (the key of the `classes` template).
    pub code: String,
    pub name: String,
    /// new_apprentice, modern_apprentice or upskilling.
    pub ctype: String,
    pub provider_org_id: i64,
    pub provider_name: String,
    pub provider_uscc: Option<String>,
    pub enterprise_org_id: Option<i64>,
    pub enterprise_name: Option<String>,
    pub enterprise_uscc: Option<String>,
    /// The organisation the class belongs to for scope (the enterprise, else the provider).
    pub org_id: i64,
    pub occupation: Option<String>,
    /// A level of the ladder (apprentice … chief).
    pub target_level: Option<String>,
    pub year: i64,
    /// YYYY-MM-DD
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
    /// 学员数: recorded, or the roster's count once it has one.
    pub trainees: i64,
    /// 结业数
    pub completed: i64,
    /// Workers on the roster (0: the figures are as recorded).
    pub roster: i64,
    pub version: i64,
    pub updated_at: i64,
}

/// A class as typed. Organisations are named by id or 统一社会信用代码.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ClassInput {
    pub code: String,
    pub name: String,
    /// 新型学徒制 / 现代学徒制 / 技能提升 (or new_apprentice, modern_apprentice, upskilling).
    #[serde(rename = "type")]
    pub ctype: String,
    /// The provider: a 院校 or an enterprise (id or 统一社会信用代码).
    pub provider: String,
    /// The enterprise the class is held for (id or 统一社会信用代码), if any.
    pub enterprise: Option<String>,
    pub occupation: String,
    pub target_level: String,
    pub year: Option<i64>,
    pub starts_on: String,
    pub ends_on: String,
    pub trainees: Option<i64>,
    pub completed: Option<i64>,
    /// The version last read (updates); a stale one answers 409.
    pub version: Option<i64>,
}

/// Which classes to list.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct Filter {
    /// A region code: classes of organisations in that subtree.
    pub region: Option<String>,
    #[serde(rename = "type")]
    pub ctype: Option<String>,
    pub year: Option<i64>,
    /// Classes of this provider (organisation id).
    pub provider: Option<i64>,
    /// Classes held for this organisation (id), as enterprise or provider.
    pub org: Option<i64>,
    /// In the code, name or occupation.
    pub q: Option<String>,
    pub page: i64,
    pub per_page: i64,
}

/// A worker on a class's roster.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Trainee {
    pub id: i64,
    pub class_id: i64,
    pub worker_id: i64,
    pub worker_name: String,
    /// `320402********123X`
    pub worker_id_masked: String,
    pub worker_org_name: String,
    /// The worker's level now.
    pub worker_level: Option<String>,
    pub master_worker_id: Option<i64>,
    pub master_name: Option<String>,
    /// enrolled, completed or withdrawn.
    pub status: String,
    pub completed_on: Option<String>,
    pub certificate_no: Option<String>,
    /// The level the certificate attests.
    pub certified_level: Option<String>,
    /// The promotion case opened for it, if any.
    pub promotion_case_id: Option<i64>,
    /// That case's status (in_review, approved, returned, rejected …).
    pub promotion_status: Option<String>,
}

/// Enrol a registered worker.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct EnrolInput {
    /// The worker: registry id or 身份证号.
    pub worker: String,
    /// The master (师傅) of a 新型学徒制 apprentice: registry id or 身份证号.
    pub master: Option<String>,
}

/// Record a trainee's completion.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct CompleteInput {
    /// YYYY-MM-DD (today when empty).
    pub completed_on: String,
    /// The certificate number, where a certificate was earned.
    pub certificate_no: Option<String>,
    /// The level the certificate attests (one step above the worker's own).
    pub certified_level: Option<String>,
}
