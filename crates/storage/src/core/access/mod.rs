//! The access policy: "may this actor do this to this record?", decided in one place.
//!
//! A decision has three outcomes, and every caller maps them the same way:
//! - [`Decision::Allow`];
//! - [`Decision::Forbidden`] (403): the role may not do this at all (a unit deleting a
//!   policy document);
//! - [`Decision::Hidden`] (404): the role may do this, but the record belongs to someone
//!   else's part of the tree, so for this actor it does not exist (a district deleting
//!   the city's document). Out-of-scope answers never differ from missing records.
//!
//! Ownership is read from the record's place in the tree, given as data: the region
//! path of the owning region (`regions.l1..l4`, the region itself included) or the
//! owning organisation's ancestors. `accounts.rs` says where an account sits and what
//! waits in its inbox; `tests.rs` lists every rule with its test.
use crate::error::{Result, StoreError};
use crate::scope::Actor;
use gongjiang_domain::{FieldError, Role, Rule};

/// What an actor wants to do.
#[derive(Debug, Clone, Copy)]
pub enum Permission<'a> {
    /// Publish a policy document at `level` (national, provincial, city, district, town)
    /// in the actor's own name.
    PublishPolicy { level: &'a str },
    /// Edit or delete a policy document owned by the region whose path (root first, the
    /// region itself last) is `owner_path`.
    ChangePolicy { owner_path: &'a [String] },
    /// Keep the pilot and designation registers. Which records: those of organisations
    /// in the actor's write scope (the use case resolves the organisation in scope, so
    /// another area's record is 404 / 422 on `org`).
    EditRegisters,
    /// Register and edit workers: region staff in their area, a unit for itself (scope
    /// as above).
    RegisterWorkers,
    /// File yearly statistics: region staff in their area, a unit for itself.
    FileReports,
    /// Manage the assessment (考核) schemes and rounds: the city's office only — the
    /// assessment is the city's, of its districts, towns and pilots.
    ManageAssessment,
    /// Fill in and submit a pilot's 六有 checklist: the unit's own accounts; region
    /// staff (in their area) only for a unit without an active account of its own —
    /// otherwise staff review what the unit filed and do not edit it.
    KeepLiuyou {
        own_org: bool,
        unit_has_account: bool,
    },
    /// Read the registers of organisations, workers, cases and tasks (in scope):
    /// everyone but experts and workers.
    ReadRegisters,
    /// Coordinate the programme in one's own region: the organisation register, joint
    /// meetings and their bodies, assessment schemes, pairs, contact points, and the
    /// review of what units filed. Region staff: the operator, the city, districts and
    /// towns.
    Coordinate,
    /// Manage accounts (create, assign, disable, reset): the operator.
    ManageAccounts,
    /// Read the audit log and the system settings: the operator and the city.
    ReadAudit,
    /// Open the assessment's pages (schemes, self-reports, expert scoring, results): the
    /// operator, the city, districts and experts.
    SeeAssessment,
    /// Declare a conflict of interest in an assessment round for the expert `expert`
    /// (`None`: oneself): an expert for themselves, the assessment's managers for any
    /// assigned expert.
    DeclareConflict { expert: Option<i64> },
    /// Keep training classes and their rosters (技能形成): region staff in their area, a
    /// unit for classes held for itself (the class's organisation is then its own).
    KeepClasses,
    /// Mark done or supervise (督办) a task created at `level` (`city`, `district`,
    /// `town`): region staff of that level or a level above it.
    CloseTask { level: &'a str },
    /// Read the policy library and use the global search (everyone but workers).
    ReadPolicies,
    /// Have an inbox of cases to review or score (register readers and experts).
    ReviewCases,
    /// Apply and report as one's own organisation (a unit's contact).
    ActForOwnOrg,
    /// Start a case on the workflow engine: a unit for itself, region staff for an
    /// organisation in their area.
    StartCase,
    /// Act as the applicant of a case about organisation `org_id`, started by the user
    /// `started_by`: the organisation's own accounts (a unit or a member department), or
    /// the staff member who started it on its behalf. Reviewers are not applicants.
    ActAsApplicant {
        org_id: i64,
        started_by: Option<i64>,
    },
    /// Score cases as an assigned expert (which cases: those assigned, checked by the
    /// engine).
    ScoreAsExpert,
    /// Review yearly statistics (approve, return): region staff.
    ReviewReports,
    /// Lock and unlock a period's approved statistics: the city's office.
    LockReports,
    /// Read how complete a region's statistics are: region staff and member departments.
    ReadCompleteness,
    /// Open and work on a pilot's 六有 sheet at all (which sheet, and whether to edit it,
    /// is [`Permission::KeepLiuyou`]): the unit and region staff.
    WorkOnLiuyou,
    /// Decide for the city on the workflow engine: answer objections, record one on
    /// someone's behalf, read every objection of a case.
    DecideForCity,
    /// See a worker's personal data in full (身份证号, phone) and edit the worker, for a
    /// worker of organisation `org_id`: region staff (in their area), or the unit itself.
    /// Every full view is audited by the use case.
    SeePersonalData { org_id: i64 },
    /// Import a file: register keepers any kind; a unit its own statistics only
    /// (`reports_only`: every row of the file is a report row).
    ImportFile { reports_only: bool },
    /// Apply to close (销号) a task owned by organisation `owner`: that organisation's own
    /// accounts (a unit or a member department).
    CompleteTask { owner: i64 },
    /// Visit enterprises and log the visits (联系点): region staff and member departments.
    VisitUnits,
    /// File progress on a task owned by organisation `owner`: its own accounts (a unit or
    /// a member department), or region staff (the use case loads the task in their area).
    ReportTaskProgress { owner: i64 },
    /// See an assessment round (考核) and its results: region staff; a member department
    /// once the results are `published`. Experts see the rounds they score
    /// ([`Permission::ScoreAsExpert`], checked against the round's experts).
    SeeRound { published: bool },
    /// Edit an organisation's record: anyone but a unit, within their write scope (the
    /// use case resolves the record in that scope; a unit's account never edits one).
    EditOrganisation,
    /// Act for an assessment target of `kind` with key `key`: the district's staff, the
    /// member department's or the pilot unit's own accounts.
    ActForTarget { kind: &'a str, key: &'a str },
    /// Raise a problem through a contact point; `official` when raised in an official's
    /// name (the enterprise itself raises as its head or a worker, never as an official).
    RaiseProblem { official: bool },
    /// Plan a contest (劳动和技能竞赛) at `level` (city, district, town, enterprise):
    /// region staff at their own level, a unit an enterprise-level contest of its own.
    PlanContest { level: &'a str },
    /// Run a contest — its plan, marking scheme and panel, paper marks, the lock and the
    /// results: staff of the region that owns it or of a region above (`owner_path`, the
    /// contest's region path, root first), or the organiser enterprise's own accounts
    /// (`organiser`, for an enterprise-level contest).
    RunContest {
        owner_path: &'a [String],
        organiser: Option<i64>,
    },
    /// Enter registered workers in a contest: region staff and units (which workers:
    /// those in the actor's write scope).
    EnterContest,
    /// Score a contest's judgement aspects and keep its paper marks as a judge:
    /// `on_panel`, whether the actor sits on the contest's panel.
    JudgeContest { on_panel: bool },
    /// Open a craftsman selection round (工匠培育) at `level`: region staff at their own
    /// level (the city, a district, a town), a unit an enterprise round of its own.
    OpenCraftsmanRound { level: &'a str },
    /// Nominate for a round held at `round_level`: the level below — district staff for
    /// a city round, town staff for a district round, units for a town round or their
    /// own enterprise round. Which round and which workers (inside the nominator's
    /// subtree) the use case decides.
    NominateCraftsman { round_level: &'a str },
    /// Act as the applicant of a nomination (withdraw it, answer a return) to a round at
    /// `round_level`: the nominator — the district office for a city round, the town
    /// office for a district round (`district` and `town`: the nominee's, from the
    /// case's path), the nominee's enterprise (`org_id`) for a town or enterprise round.
    /// Register and keep a studio of enterprise `org_id` (members, yearly reviews): the
    /// enterprise's own accounts, or region staff (the use case resolves the enterprise
    /// in their area).
    KeepStudio { org_id: i64 },
    /// File and edit an innovation result of enterprise `org_id` (the union's
    /// certification): the enterprise's own accounts, or region staff of its area.
    FileInnovation { org_id: i64 },
    /// Showcase results (职工科技创新周): the city office.
    ShowcaseInnovation,
    ActForNomination {
        round_level: &'a str,
        district: Option<&'a str>,
        town: Option<&'a str>,
        org_id: i64,
    },
}

/// What decides everything an actor may read: the account, its role and where it sits
/// (the key under which a server keeps an answer for them, `web/src/reads.rs`).
pub fn reader_key(actor: &Actor) -> String {
    format!(
        "{}|{}|{}|{}",
        actor.user_id.unwrap_or(0),
        actor.role.code(),
        actor.region_code.as_deref().unwrap_or(""),
        actor.org_id.unwrap_or(0),
    )
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Allow,
    /// 403: not for this role.
    Forbidden,
    /// 404: not this actor's record.
    Hidden,
    /// 422: the role may act, but not with this value (names the field and the rule).
    Invalid(FieldError),
}

impl Decision {
    /// `?`-able form for the use cases.
    pub fn check(self) -> Result<()> {
        match self {
            Decision::Allow => Ok(()),
            Decision::Forbidden => Err(StoreError::Forbidden),
            Decision::Hidden => Err(StoreError::NotFound),
            Decision::Invalid(e) => Err(StoreError::invalid(e)),
        }
    }

    pub fn allowed(&self) -> bool {
        *self == Decision::Allow
    }
}

/// The levels at which a role publishes policy documents. The city's office also
/// records national and provincial documents (nobody else does); a district publishes
/// district and town documents; a town its own.
pub fn policy_levels(role: Role) -> &'static [&'static str] {
    match role {
        Role::Sysadmin | Role::City => &["national", "provincial", "city"],
        Role::District => &["district", "town"],
        Role::Town => &["town"],
        Role::Department | Role::Unit | Role::Expert | Role::Worker => &[],
    }
}

/// True when the actor's region is on the owner's path: the record belongs to the
/// actor's region or to one below it.
fn owns(actor: &Actor, owner_path: &[String]) -> bool {
    match actor.role {
        Role::Sysadmin => true,
        Role::City | Role::District | Role::Town => actor
            .region_code
            .as_deref()
            .is_some_and(|r| owner_path.iter().any(|p| p == r)),
        _ => false,
    }
}

fn allow_if(ok: bool) -> Decision {
    if ok {
        Decision::Allow
    } else {
        Decision::Forbidden
    }
}

/// Staff who administer a region of the tree.
fn region_staff(role: Role) -> bool {
    matches!(
        role,
        Role::Sysadmin | Role::City | Role::District | Role::Town
    )
}

/// Everyone but experts and workers reads the registers.
fn reads_registers(role: Role) -> bool {
    !matches!(role, Role::Expert | Role::Worker)
}

/// The one decision function.
pub fn decide(actor: &Actor, p: Permission<'_>) -> Decision {
    match p {
        Permission::PublishPolicy { level } => {
            let levels = policy_levels(actor.role);
            if levels.is_empty() {
                Decision::Forbidden
            } else if levels.contains(&level) {
                Decision::Allow
            } else {
                let zh = levels
                    .iter()
                    .map(|l| {
                        gongjiang_domain::policy::label(gongjiang_domain::policy::LEVELS, l, false)
                    })
                    .collect::<Vec<_>>()
                    .join("、");
                let en = levels
                    .iter()
                    .map(|l| {
                        gongjiang_domain::policy::label(gongjiang_domain::policy::LEVELS, l, true)
                    })
                    .collect::<Vec<_>>()
                    .join(", ");
                Decision::Invalid(FieldError::new(
                    "level",
                    Rule::Forbidden,
                    format!("您的账号只能发布以下层级的文件：{zh}"),
                    format!("your account publishes documents at these levels only: {en}"),
                ))
            }
        }
        Permission::EditRegisters => allow_if(region_staff(actor.role)),
        Permission::RegisterWorkers | Permission::FileReports => {
            allow_if(region_staff(actor.role) || actor.role == Role::Unit)
        }
        Permission::ManageAssessment => allow_if(matches!(actor.role, Role::Sysadmin | Role::City)),
        Permission::KeepLiuyou {
            own_org,
            unit_has_account,
        } => match actor.role {
            Role::Unit => allow_if(own_org),
            r if region_staff(r) => allow_if(!unit_has_account),
            _ => Decision::Forbidden,
        },
        Permission::ReadRegisters => allow_if(reads_registers(actor.role)),
        Permission::Coordinate => allow_if(region_staff(actor.role)),
        Permission::KeepClasses => allow_if(region_staff(actor.role) || actor.role == Role::Unit),
        Permission::CloseTask { level } => allow_if(
            region_staff(actor.role) && gongjiang_domain::tasks::may_close(actor.role, level),
        ),
        Permission::DeclareConflict { expert } => allow_if(match (actor.role, expert) {
            (Role::Expert, None) => actor.user_id.is_some(),
            (Role::Expert, Some(u)) => actor.user_id == Some(u),
            (_, Some(_)) => may(actor, Permission::ManageAssessment),
            (_, None) => false,
        }),
        Permission::ManageAccounts => allow_if(actor.role == Role::Sysadmin),
        Permission::ReadAudit => allow_if(matches!(actor.role, Role::Sysadmin | Role::City)),
        Permission::SeeAssessment => allow_if(matches!(
            actor.role,
            Role::Sysadmin | Role::City | Role::District | Role::Expert
        )),
        Permission::ReadPolicies => allow_if(actor.role != Role::Worker),
        Permission::ReviewCases => {
            allow_if(reads_registers(actor.role) || actor.role == Role::Expert)
        }
        Permission::ActForOwnOrg => allow_if(actor.role == Role::Unit && actor.org_id.is_some()),
        Permission::StartCase => allow_if(actor.role == Role::Unit || region_staff(actor.role)),
        Permission::ActAsApplicant { org_id, started_by } => allow_if(
            (matches!(actor.role, Role::Unit | Role::Department) && actor.org_id == Some(org_id))
                || (region_staff(actor.role)
                    && actor.user_id.is_some()
                    && actor.user_id == started_by),
        ),
        Permission::ScoreAsExpert => allow_if(actor.role == Role::Expert),
        Permission::ReviewReports => allow_if(region_staff(actor.role)),
        Permission::LockReports => allow_if(matches!(actor.role, Role::City | Role::Sysadmin)),
        Permission::ReadCompleteness => {
            allow_if(region_staff(actor.role) || actor.role == Role::Department)
        }
        Permission::WorkOnLiuyou => allow_if(actor.role == Role::Unit || region_staff(actor.role)),
        Permission::DecideForCity => allow_if(matches!(actor.role, Role::City | Role::Sysadmin)),
        Permission::SeePersonalData { org_id } => allow_if(
            region_staff(actor.role) || (actor.role == Role::Unit && actor.org_id == Some(org_id)),
        ),
        Permission::ImportFile { reports_only } => {
            allow_if(region_staff(actor.role) || (actor.role == Role::Unit && reports_only))
        }
        Permission::EditOrganisation => allow_if(actor.role != Role::Unit),
        Permission::ActForTarget { kind, key } => {
            let own_org = || actor.org_id.map(|i| i.to_string()).as_deref() == Some(key);
            allow_if(match kind {
                "district" => {
                    actor.role == Role::District && actor.region_code.as_deref() == Some(key)
                }
                "member_unit" => actor.role == Role::Department && own_org(),
                "pilot_unit" => actor.role == Role::Unit && own_org(),
                _ => false,
            })
        }
        Permission::ReportTaskProgress { owner } => allow_if(
            region_staff(actor.role)
                || (matches!(actor.role, Role::Unit | Role::Department)
                    && actor.org_id == Some(owner)),
        ),
        Permission::SeeRound { published } => {
            allow_if(region_staff(actor.role) || (actor.role == Role::Department && published))
        }
        Permission::VisitUnits => {
            allow_if(region_staff(actor.role) || actor.role == Role::Department)
        }
        Permission::RaiseProblem { official } => allow_if(
            region_staff(actor.role)
                || actor.role == Role::Department
                || (actor.role == Role::Unit && !official),
        ),
        Permission::CompleteTask { owner } => allow_if(
            matches!(actor.role, Role::Unit | Role::Department) && actor.org_id == Some(owner),
        ),
        Permission::PlanContest { level } => at_own_level(actor, level, |own| {
            let l = gongjiang_domain::contests::ContestLevel::from_any(own);
            FieldError::new(
                "level",
                Rule::Forbidden,
                format!("您的账号只能组织{}竞赛", l.map_or(own, |l| l.label_zh())),
                format!(
                    "your account organises {} contests only",
                    l.map_or(own, |l| l.label_en())
                ),
            )
        }),
        Permission::RunContest {
            owner_path,
            organiser,
        } => allow_if(
            owns(actor, owner_path)
                || (actor.role == Role::Unit && organiser.is_some() && actor.org_id == organiser),
        ),
        Permission::EnterContest => allow_if(region_staff(actor.role) || actor.role == Role::Unit),
        Permission::JudgeContest { on_panel } => allow_if(on_panel && actor.user_id.is_some()),
        Permission::OpenCraftsmanRound { level } => at_own_level(actor, level, |_| {
            FieldError::new(
                "level",
                Rule::Forbidden,
                "您的账号只能在本级组织工匠评选",
                "your account opens rounds at its own level only",
            )
        }),
        Permission::KeepStudio { org_id } => allow_if(
            region_staff(actor.role) || (actor.role == Role::Unit && actor.org_id == Some(org_id)),
        ),
        Permission::FileInnovation { org_id } => allow_if(
            region_staff(actor.role) || (actor.role == Role::Unit && actor.org_id == Some(org_id)),
        ),
        Permission::ShowcaseInnovation => {
            allow_if(matches!(actor.role, Role::City | Role::Sysadmin))
        }
        Permission::ActForNomination {
            round_level,
            district,
            town,
            org_id,
        } => allow_if(match (round_level, actor.role) {
            ("city", Role::District) => actor.region_code.as_deref() == district,
            ("district", Role::Town) => actor.region_code.as_deref() == town,
            ("town" | "enterprise", Role::Unit) => actor.org_id == Some(org_id),
            _ => false,
        }),
        Permission::NominateCraftsman { round_level } => allow_if(matches!(
            (round_level, actor.role),
            ("city", Role::District)
                | ("district", Role::Town)
                | ("town" | "enterprise", Role::Unit)
        )),
        Permission::ChangePolicy { owner_path } => {
            if policy_levels(actor.role).is_empty() {
                Decision::Forbidden
            } else if owns(actor, owner_path) {
                Decision::Allow
            } else {
                Decision::Hidden
            }
        }
    }
}

/// Shorthand for a yes/no question: `access::may(actor, Permission::…)`.
pub fn may(actor: &Actor, p: Permission<'_>) -> bool {
    decide(actor, p).allowed()
}

/// The level a programme activity (a contest, a selection round) is held at by this
/// account: the city, district or town office's own, a unit's enterprise level, any
/// for the operator. Another level is 422 on `level` (`refusal` given the own level).
fn at_own_level(actor: &Actor, level: &str, refusal: impl Fn(&str) -> FieldError) -> Decision {
    let own = match actor.role {
        Role::Sysadmin => level,
        Role::City => "city",
        Role::District => "district",
        Role::Town => "town",
        Role::Unit => "enterprise",
        _ => return Decision::Forbidden,
    };
    if own == level {
        Decision::Allow
    } else {
        Decision::Invalid(refusal(own))
    }
}

/// Shorthand: `access::check(actor, Permission::…)?`.
pub fn check(actor: &Actor, p: Permission<'_>) -> Result<()> {
    decide(actor, p).check()
}

mod accounts;
pub use accounts::*;

#[cfg(test)]
mod tests;
