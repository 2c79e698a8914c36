//! The pure domain of gongjiang: official codes, roles, organisation kinds and the
//! rules that decide whether a value may exist. No I/O; time is passed in.

pub mod assessment;
pub mod audit;
pub mod catalogue;
pub mod codes;
pub mod contacts;
pub mod contests;
pub mod craftsmen;
pub mod error;
pub mod indicators;
pub mod innovations;
pub mod liuyou;
pub mod org;
pub mod policy;
pub mod programme;
pub mod report;
pub mod role;
pub mod skill;
pub mod studios;
pub mod tasks;
pub mod training;
pub mod user;
pub mod workflow;

pub use catalogue::Code;
pub use codes::{IdNumber, RegionCode, Uscc};
pub use error::{FieldError, Rule};
pub use org::{OrgKind, Ownership};
pub use programme::{DesignationLevel, DesignationType, Period, PilotLevel, PilotType};
pub use role::Role;
pub use skill::SkillLevel;
