//! Where an account sits in the tree and what waits for it: import history scope, an
//! organisation-bound account, inboxes, who reviews a case, attachment, administration.
use crate::scope::Actor;
use gongjiang_domain::Role;

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
