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
//! owning organisation's ancestors. The rules are listed with their tests at the bottom
//! of this file.
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
    ActForNomination {
        round_level: &'a str,
        district: Option<&'a str>,
        town: Option<&'a str>,
        org_id: i64,
    },
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
        Permission::PlanContest { level } => {
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
                let l = gongjiang_domain::contests::ContestLevel::from_any(own);
                Decision::Invalid(FieldError::new(
                    "level",
                    Rule::Forbidden,
                    format!("您的账号只能组织{}竞赛", l.map_or(own, |l| l.label_zh())),
                    format!(
                        "your account organises {} contests only",
                        l.map_or(own, |l| l.label_en())
                    ),
                ))
            }
        }
        Permission::RunContest {
            owner_path,
            organiser,
        } => allow_if(
            owns(actor, owner_path)
                || (actor.role == Role::Unit && organiser.is_some() && actor.org_id == organiser),
        ),
        Permission::EnterContest => allow_if(region_staff(actor.role) || actor.role == Role::Unit),
        Permission::JudgeContest { on_panel } => allow_if(on_panel && actor.user_id.is_some()),
        Permission::OpenCraftsmanRound { level } => {
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
                Decision::Invalid(FieldError::new(
                    "level",
                    Rule::Forbidden,
                    "您的账号只能在本级组织工匠评选",
                    "your account opens rounds at its own level only",
                ))
            }
        }
        Permission::KeepStudio { org_id } => allow_if(
            region_staff(actor.role) || (actor.role == Role::Unit && actor.org_id == Some(org_id)),
        ),
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

/// Whose import jobs an actor sees besides their own: `None` for their own only; region
/// staff those of every account attached to their area; the operator and the city
/// everyone's.
pub fn import_history_scope(actor: &Actor) -> Option<crate::scope::Scope> {
    use crate::scope::Scope;
    match actor.role {
        Role::Sysadmin | Role::City => Some(Scope::All),
        Role::District | Role::Town => Some(
            actor
                .region_code
                .clone()
                .map(Scope::Region)
                .unwrap_or(Scope::Nothing),
        ),
        _ => None,
    }
}

/// Whether an account works for its own organisation only (a unit's contact): its
/// forms fix the organisation to the account's own, its home page is that
/// organisation's (an account without one acts for nothing).
pub fn bound_to_own_org(actor: &Actor) -> bool {
    actor.role == Role::Unit
}

/// The organisation an account bound to its own acts as ([`bound_to_own_org`]).
pub fn own_org(actor: &Actor) -> Option<i64> {
    bound_to_own_org(actor).then_some(actor.org_id).flatten()
}

/// What waits in an actor's inbox on the workflow engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inbox {
    /// The organisation's drafts and returned cases (a unit's contact).
    OwnDrafts { org_id: i64 },
    /// Every case in review, scoring or 公示 (the operator and the city office).
    Everything,
    /// Cases in review under the region whose code is `code`, at tree level `level`
    /// (2: a district, 3: a town).
    InReviewUnder { level: u8, code: String },
    /// Cases waiting for this expert's score.
    ToScore { user_id: i64 },
    /// Cases in review in the actor's area at a step its department reviews (人社's
    /// skill promotions).
    DepartmentReview,
    /// Nothing (member departments and workers have no review inbox).
    Nothing,
}

/// The inbox of an actor ([`Inbox`]).
pub fn inbox(actor: &Actor) -> Inbox {
    let region = || actor.region_code.clone().unwrap_or_default();
    match actor.role {
        Role::Unit => actor
            .org_id
            .map_or(Inbox::Nothing, |org_id| Inbox::OwnDrafts { org_id }),
        Role::City | Role::Sysadmin => Inbox::Everything,
        Role::District => Inbox::InReviewUnder {
            level: 2,
            code: region(),
        },
        Role::Town => Inbox::InReviewUnder {
            level: 3,
            code: region(),
        },
        Role::Expert => Inbox::ToScore {
            user_id: actor.user_id.unwrap_or(-1),
        },
        Role::Department => Inbox::DepartmentReview,
        Role::Worker => Inbox::Nothing,
    }
}

/// The level at which an actor's office sets tasks and holds joint meetings (`city`,
/// `district`, `town`); `None` for everyone but region office staff. The operator counts
/// as the city.
pub fn office_level(actor: &Actor) -> Option<&'static str> {
    gongjiang_domain::tasks::creator_level(actor.role)
}

/// Whether `actor` reviews a case of process `def` at position `at`, for an applicant at
/// `path`: the process's step names its reviewer (data, `domain::workflow`); this is
/// where an account's role and region are read for it.
pub fn reviews_case(
    actor: &Actor,
    def: &gongjiang_domain::workflow::Process,
    at: gongjiang_domain::workflow::Position,
    path: &gongjiang_domain::workflow::Path,
) -> bool {
    account_reviews(actor.role, actor.region_code.as_deref(), def, at, path)
}

/// [`reviews_case`] for an account that is not acting (whom to tell that a case waits).
pub fn account_reviews(
    role: Role,
    region: Option<&str>,
    def: &gongjiang_domain::workflow::Process,
    at: gongjiang_domain::workflow::Position,
    path: &gongjiang_domain::workflow::Path,
) -> bool {
    gongjiang_domain::workflow::may_review(def, at, role, region, path)
}

/// The roles some process step may name as its reviewer (their accounts are told when a
/// case reaches them).
pub const REVIEWING_ROLES: &[Role] = &[Role::City, Role::District, Role::Town, Role::Department];

/// Where an account of `role` sits in the tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attachment {
    /// At a region (the city, district and town offices).
    Region,
    /// At an organisation (a unit's contact, a member department).
    Organisation,
    /// Either, or neither (the operator, experts, workers).
    Either,
}

/// Where an account of `role` must be attached ([`Attachment`]).
pub fn attachment(role: Role) -> Attachment {
    match role {
        Role::City | Role::District | Role::Town => Attachment::Region,
        Role::Unit | Role::Department => Attachment::Organisation,
        Role::Sysadmin | Role::Expert | Role::Worker => Attachment::Either,
    }
}

/// Whether an account of `role` administers accounts (an administrator may not take
/// this away from themselves).
pub fn administers(role: Role) -> bool {
    role == Role::Sysadmin
}

/// Whether an account of `role` may be assigned to enterprises as their contact
/// official (企业联系点): region office staff and member departments.
pub fn serves_as_official(role: Role) -> bool {
    matches!(
        role,
        Role::City | Role::District | Role::Town | Role::Department
    )
}

/// Shorthand: `access::check(actor, Permission::…)?`.
pub fn check(actor: &Actor, p: Permission<'_>) -> Result<()> {
    decide(actor, p).check()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role, region: Option<&str>) -> Actor {
        Actor {
            user_id: Some(1),
            username: "t".into(),
            display_name: "t".into(),
            role,
            region_code: region.map(str::to_string),
            org_id: None,
            ip: String::new(),
        }
    }

    fn dept_worker() -> Actor {
        actor(Role::Worker, None)
    }

    fn path(p: &[&str]) -> Vec<String> {
        p.iter().map(|s| s.to_string()).collect()
    }

    /// The workflow engine's rules: who starts a case, who is its applicant, who scores
    /// and who decides for the city.
    #[test]
    fn the_workflow_rules() {
        let city = actor(Role::City, Some("320400"));
        let district = actor(Role::District, Some("320402"));
        let mut unit = actor(Role::Unit, None);
        unit.org_id = Some(7);
        let mut staff = actor(Role::Town, Some("320402001"));
        staff.user_id = Some(42);
        let expert = actor(Role::Expert, None);
        let worker = actor(Role::Worker, None);
        for (a, ok) in [
            (&city, true),
            (&staff, true),
            (&unit, true),
            (&expert, false),
            (&worker, false),
        ] {
            assert_eq!(may(a, Permission::StartCase), ok, "{:?}", a.role);
        }
        let applicant = |org_id, started_by| Permission::ActAsApplicant { org_id, started_by };
        assert!(may(&unit, applicant(7, None)));
        assert!(!may(&unit, applicant(8, None)));
        assert!(may(&staff, applicant(8, Some(42))));
        assert!(!may(&staff, applicant(8, Some(43))));
        assert!(!may(&district, applicant(7, None)));
        assert!(may(&expert, Permission::ScoreAsExpert));
        assert!(!may(&city, Permission::ScoreAsExpert));
        assert!(may(&city, Permission::DecideForCity));
        assert!(!may(&district, Permission::DecideForCity));
        assert!(!may(&expert, Permission::DecideForCity));
        let dept = actor(Role::Department, None);
        for (a, review, lock, complete, liuyou) in [
            (&city, true, true, true, true),
            (&district, true, false, true, true),
            (&staff, true, false, true, true),
            (&dept, false, false, true, false),
            (&unit, false, false, false, true),
            (&expert, false, false, false, false),
            (&worker, false, false, false, false),
        ] {
            assert_eq!(may(a, Permission::ReviewReports), review, "{:?}", a.role);
            assert_eq!(may(a, Permission::LockReports), lock, "{:?}", a.role);
            assert_eq!(
                may(a, Permission::ReadCompleteness),
                complete,
                "{:?}",
                a.role
            );
            assert_eq!(may(a, Permission::WorkOnLiuyou), liuyou, "{:?}", a.role);
        }
    }

    /// Every rule of this module as a table: (who, what, expected).
    #[test]
    fn personal_data_imports_and_task_closing() {
        let city = actor(Role::City, Some("320400"));
        let mut unit = actor(Role::Unit, None);
        unit.org_id = Some(7);
        let mut dept = actor(Role::Department, None);
        dept.org_id = Some(9);
        let expert = actor(Role::Expert, None);
        let pd = |org_id| Permission::SeePersonalData { org_id };
        assert!(may(&city, pd(7)));
        assert!(may(&unit, pd(7)));
        assert!(!may(&unit, pd(8)));
        assert!(!may(&dept, pd(9)));
        assert!(!may(&expert, pd(7)));
        let import = |reports_only| Permission::ImportFile { reports_only };
        assert!(may(&city, import(false)));
        assert!(may(&unit, import(true)));
        assert!(!may(&unit, import(false)));
        assert!(!may(&expert, import(true)));
        let close = |owner| Permission::CompleteTask { owner };
        assert!(may(&unit, close(7)));
        assert!(may(&dept, close(9)));
        assert!(!may(&unit, close(9)));
        assert!(!may(&city, close(7)));
        assert!(may(&city, Permission::VisitUnits));
        assert!(may(&dept, Permission::VisitUnits));
        assert!(!may(&unit, Permission::VisitUnits));
        let raise = |official| Permission::RaiseProblem { official };
        assert!(may(&unit, raise(false)));
        assert!(!may(&unit, raise(true)));
        assert!(may(&dept, raise(true)));
        assert!(!may(&expert, raise(false)));
        let target = |kind, key| Permission::ActForTarget { kind, key };
        assert!(may(&unit, target("pilot_unit", "7")));
        assert!(!may(&unit, target("pilot_unit", "8")));
        assert!(!may(&unit, target("member_unit", "7")));
        assert!(may(&dept, target("member_unit", "9")));
        assert!(may(
            &actor(Role::District, Some("320402")),
            target("district", "320402")
        ));
        assert!(!may(&city, target("district", "320402")));
        assert!(!may(&unit, Permission::EditOrganisation));
        assert!(may(&city, Permission::EditOrganisation));
        let progress = |owner| Permission::ReportTaskProgress { owner };
        assert!(may(&unit, progress(7)));
        assert!(!may(&unit, progress(8)));
        assert!(may(&dept, progress(9)));
        assert!(may(&city, progress(7)));
        assert!(!may(&expert, progress(7)));
        let round = |published| Permission::SeeRound { published };
        assert!(may(&city, round(false)));
        assert!(!may(&dept, round(false)));
        assert!(may(&dept, round(true)));
        assert!(!may(&unit, round(true)));
        assert_eq!(own_org(&unit), Some(7));
        assert_eq!(own_org(&dept), None);
        assert_eq!(own_org(&city), None);
    }

    #[test]
    fn the_rules() {
        let city = actor(Role::City, Some("320400"));
        let tianning = actor(Role::District, Some("320402"));
        let wujin = actor(Role::District, Some("320412"));
        let town = actor(Role::Town, Some("320402001"));
        let unit = actor(Role::Unit, None);
        let admin = actor(Role::Sysadmin, None);
        let city_doc = path(&["320400"]);
        let tianning_doc = path(&["320400", "320402"]);
        let town_doc = path(&["320400", "320402", "320402001"]);
        use Decision::*;
        let publish = |a: &Actor, level: &str| decide(a, Permission::PublishPolicy { level });
        let change =
            |a: &Actor, p: &Vec<String>| decide(a, Permission::ChangePolicy { owner_path: p });
        // Publishing: by level.
        assert_eq!(publish(&city, "national"), Allow);
        assert_eq!(publish(&city, "provincial"), Allow);
        assert_eq!(publish(&city, "city"), Allow);
        assert!(matches!(publish(&city, "district"), Invalid(_)));
        assert!(matches!(publish(&tianning, "city"), Invalid(_)));
        assert!(matches!(publish(&tianning, "national"), Invalid(_)));
        assert_eq!(publish(&tianning, "district"), Allow);
        assert_eq!(publish(&tianning, "town"), Allow);
        assert_eq!(publish(&town, "town"), Allow);
        assert!(matches!(publish(&town, "district"), Invalid(_)));
        assert_eq!(publish(&unit, "city"), Forbidden);
        assert_eq!(publish(&admin, "national"), Allow);
        // Changing: the owner's subtree only; others' documents do not exist.
        assert_eq!(change(&city, &city_doc), Allow);
        assert_eq!(change(&city, &tianning_doc), Allow);
        assert_eq!(change(&tianning, &city_doc), Hidden);
        assert_eq!(change(&tianning, &tianning_doc), Allow);
        assert_eq!(change(&tianning, &town_doc), Allow);
        assert_eq!(change(&wujin, &tianning_doc), Hidden);
        assert_eq!(change(&town, &tianning_doc), Hidden);
        assert_eq!(change(&town, &town_doc), Allow);
        assert_eq!(change(&unit, &city_doc), Forbidden);
        assert_eq!(change(&admin, &town_doc), Allow);
        if let Invalid(e) = publish(&tianning, "city") {
            assert_eq!(e.field, "level");
        }
        // 六有: the unit keeps its own; staff only for a unit without an account.
        let keep = |a: &Actor, own_org, unit_has_account| {
            decide(
                a,
                Permission::KeepLiuyou {
                    own_org,
                    unit_has_account,
                },
            )
            .allowed()
        };
        assert!(keep(&unit, true, true));
        assert!(!keep(&unit, false, true));
        assert!(
            !keep(&tianning, false, true),
            "a reviewer does not edit the unit's checklist"
        );
        assert!(
            keep(&tianning, false, false),
            "staff keep it for a unit without an account"
        );
        // Reading, searching, inbox, acting for one's own organisation.
        let expert = actor(Role::Expert, Some("320400"));
        assert!(may(&unit, Permission::ReadRegisters) && !may(&expert, Permission::ReadRegisters));
        assert!(
            may(&expert, Permission::ReviewCases) && !may(&dept_worker(), Permission::ReadPolicies)
        );
        assert!(!may(&tianning, Permission::ActForOwnOrg));
        assert!(import_history_scope(&unit).is_none() && import_history_scope(&city).is_some());
        // Registers, workers, statistics, assessment: by role; the record's place in
        // the tree is then the scope's business.
        let dept = actor(Role::Department, None);
        for (who, registers, workers, assessment) in [
            (&admin, true, true, true),
            (&city, true, true, true),
            (&tianning, true, true, false),
            (&town, true, true, false),
            (&unit, false, true, false),
            (&dept, false, false, false),
            (&expert, false, false, false),
        ] {
            assert_eq!(
                decide(who, Permission::EditRegisters).allowed(),
                registers,
                "{:?}",
                who.role
            );
            assert_eq!(
                decide(who, Permission::RegisterWorkers).allowed(),
                workers,
                "{:?}",
                who.role
            );
            assert_eq!(
                decide(who, Permission::FileReports).allowed(),
                workers,
                "{:?}",
                who.role
            );
            assert_eq!(
                decide(who, Permission::ManageAssessment).allowed(),
                assessment,
                "{:?}",
                who.role
            );
        }
    }

    /// Contests and craftsman rounds: who plans, runs, enters, judges, opens, nominates.
    #[test]
    fn contests_and_craftsmen() {
        let op = actor(Role::Sysadmin, None);
        let city = actor(Role::City, Some("320400"));
        let district = actor(Role::District, Some("320402"));
        let town = actor(Role::Town, Some("320402001"));
        let dept = actor(Role::Department, Some("320400"));
        let mut unit = actor(Role::Unit, None);
        unit.org_id = Some(7);
        let expert = actor(Role::Expert, None);
        // Contests: planned at one's own level; run by the owning region or above, or
        // the organiser enterprise; entered by staff and units; judged by the panel.
        let plan = |a: &Actor, level| decide(a, Permission::PlanContest { level });
        assert!(plan(&op, "town").allowed() && plan(&city, "city").allowed());
        assert!(matches!(plan(&district, "city"), Decision::Invalid(_)));
        assert!(plan(&unit, "enterprise").allowed());
        assert_eq!(plan(&expert, "city"), Decision::Forbidden);
        let path = ["320400".to_string(), "320402".to_string()];
        let run = |a: &Actor, organiser| {
            may(
                a,
                Permission::RunContest {
                    owner_path: &path,
                    organiser,
                },
            )
        };
        assert!(run(&city, None) && run(&district, None) && !run(&town, None));
        assert!(!run(&unit, None) && run(&unit, unit.org_id) && !run(&dept, unit.org_id));
        assert!(may(&unit, Permission::EnterContest) && !may(&expert, Permission::EnterContest));
        assert!(may(&expert, Permission::JudgeContest { on_panel: true }));
        assert!(!may(&city, Permission::JudgeContest { on_panel: false }));
        // Craftsman rounds: opened at one's own level, nominated by the level below.
        let open = |a: &Actor, level| decide(a, Permission::OpenCraftsmanRound { level });
        assert!(open(&city, "city").allowed() && open(&unit, "enterprise").allowed());
        assert!(matches!(open(&town, "district"), Decision::Invalid(_)));
        assert_eq!(open(&expert, "city"), Decision::Forbidden);
        let nominate =
            |a: &Actor, round_level| may(a, Permission::NominateCraftsman { round_level });
        assert!(nominate(&district, "city") && !nominate(&city, "city"));
        assert!(nominate(&town, "district") && !nominate(&district, "district"));
        assert!(
            nominate(&unit, "town") && nominate(&unit, "enterprise") && !nominate(&town, "town")
        );
        let acts = |a: &Actor, round_level, district, town| {
            may(
                a,
                Permission::ActForNomination {
                    round_level,
                    district,
                    town,
                    org_id: 7,
                },
            )
        };
        assert!(acts(&district, "city", Some("320402"), None));
        assert!(!acts(&district, "city", Some("320412"), None));
        assert!(acts(&unit, "town", Some("320402"), None) && !acts(&city, "city", None, None));
        // Studios: kept by their enterprise or region staff.
        assert!(may(&unit, Permission::KeepStudio { org_id: 7 }));
        assert!(!may(&unit, Permission::KeepStudio { org_id: 8 }));
        assert!(may(&district, Permission::KeepStudio { org_id: 8 }));
        assert!(
            !may(&expert, Permission::KeepStudio { org_id: 7 })
                && !may(&dept, Permission::KeepStudio { org_id: 7 })
        );
    }

    /// The staff capabilities, the assessment's conflict declarations, task closing by
    /// level, inboxes and where accounts sit.
    #[test]
    fn staff_capabilities_inboxes_and_accounts() {
        let op = actor(Role::Sysadmin, None);
        let city = actor(Role::City, Some("320400"));
        let district = actor(Role::District, Some("320402"));
        let town = actor(Role::Town, Some("320402001"));
        let dept = actor(Role::Department, Some("320400"));
        let mut unit = actor(Role::Unit, None);
        unit.org_id = Some(7);
        let expert = actor(Role::Expert, None);
        let worker = actor(Role::Worker, None);
        // (who, coordinate, read registers, accounts, audit, assessment pages)
        for (a, co, rr, acc, au, sa) in [
            (&op, true, true, true, true, true),
            (&city, true, true, false, true, true),
            (&district, true, true, false, false, true),
            (&town, true, true, false, false, false),
            (&dept, false, true, false, false, false),
            (&unit, false, true, false, false, false),
            (&expert, false, false, false, false, true),
            (&worker, false, false, false, false, false),
        ] {
            let r = a.role;
            assert_eq!(may(a, Permission::Coordinate), co, "{r:?}");
            assert_eq!(may(a, Permission::EditRegisters), co, "{r:?}");
            assert_eq!(may(a, Permission::ReadRegisters), rr, "{r:?}");
            assert_eq!(may(a, Permission::ManageAccounts), acc, "{r:?}");
            assert_eq!(may(a, Permission::ReadAudit), au, "{r:?}");
            assert_eq!(may(a, Permission::SeeAssessment), sa, "{r:?}");
        }
        // Conflicts of interest: an expert for themselves only; the city for anyone.
        let conflict = |expert| Permission::DeclareConflict { expert };
        assert!(may(&expert, conflict(None)));
        assert!(may(&expert, conflict(Some(1))));
        assert!(!may(&expert, conflict(Some(2))));
        assert!(may(&city, conflict(Some(2))));
        assert!(!may(&city, conflict(None)));
        assert!(!may(&district, conflict(Some(2))));
        // Tasks close at the creator's level or above.
        let close = |level| Permission::CloseTask { level };
        assert!(may(&city, close("city")) && may(&op, close("town")));
        assert!(!may(&district, close("city")) && may(&district, close("district")));
        assert!(!may(&town, close("district")) && may(&town, close("town")));
        assert!(!may(&dept, close("town")) && !may(&unit, close("town")));
        // Training classes: region staff and units (for themselves, by scope).
        for (a, ok) in [
            (&op, true),
            (&town, true),
            (&unit, true),
            (&dept, false),
            (&expert, false),
            (&worker, false),
        ] {
            assert_eq!(may(a, Permission::KeepClasses), ok, "{:?}", a.role);
        }
        assert_eq!(office_level(&op), Some("city"));
        assert_eq!(office_level(&town), Some("town"));
        assert_eq!(office_level(&dept), None);
        // Inboxes.
        assert_eq!(inbox(&unit), Inbox::OwnDrafts { org_id: 7 });
        assert_eq!(inbox(&actor(Role::Unit, None)), Inbox::Nothing);
        assert_eq!(inbox(&op), Inbox::Everything);
        assert_eq!(
            inbox(&district),
            Inbox::InReviewUnder {
                level: 2,
                code: "320402".into()
            }
        );
        assert_eq!(
            inbox(&town),
            Inbox::InReviewUnder {
                level: 3,
                code: "320402001".into()
            }
        );
        assert_eq!(inbox(&expert), Inbox::ToScore { user_id: 1 });
        assert_eq!(inbox(&dept), Inbox::DepartmentReview);
        assert_eq!(inbox(&worker), Inbox::Nothing);
        // Accounts.
        assert_eq!(attachment(Role::District), Attachment::Region);
        assert_eq!(attachment(Role::Department), Attachment::Organisation);
        assert_eq!(attachment(Role::Expert), Attachment::Either);
        assert!(administers(Role::Sysadmin) && !administers(Role::City));
        assert!(serves_as_official(Role::Department) && !serves_as_official(Role::Sysadmin));
        assert!(!serves_as_official(Role::Unit));
    }
}
