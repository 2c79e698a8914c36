//! The JSON API under `/api/v1`, described by `/api/v1/openapi.json`.

// A list answers with the store's one generic `Page<T>` (`{items, total, page,
// per_page}`), named in the OpenAPI document as `{T}Page` through an alias:
// `pub type InnovationPage = gongjiang_storage::Page<Innovation>;`.

pub mod assessment;
mod audit;
pub mod cases;
pub mod contacts;
pub mod contests;
pub mod craftsmen;
mod doc;
pub mod extract;
pub mod innovations;
pub mod io;
pub mod liuyou;
mod orgs;
pub mod policies;
pub mod registers;
pub mod reports;
pub mod search;
mod session;
pub mod studios;
pub mod tasks;
pub mod training;
mod users;
pub mod workers;
use crate::error::{ApiError, AppError};
use crate::i18n::Lang;
use crate::AppState;
use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use axum::Router;
use gongjiang_storage::audit::Entry;
use gongjiang_storage::orgs::Org;
use gongjiang_storage::regions::Region;
use gongjiang_storage::users::User;
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;

pub use audit::{AuditQuery, EntryPage, VerifyResult};
use doc::{docs, BearerAuth, ErrorResponses, UniqueOperationIds};
pub use doc::{openapi, DOCS_CSP};
pub use orgs::{OrgBody, OrgPage, OrgPatchBody, OrgQuery};
pub use session::{
    set_session_cookie, ChangePasswordBody, LoginRequest, LoginResponse, UpdateMeBody,
};
pub use users::{NewUserBody, PasswordBody, UpdateUserBody, UserPage};

/// The API's one route list: each `routes!` entry adds the handlers of one path to the
/// router and their `#[utoipa::path]` descriptions to the OpenAPI document, so the two
/// cannot disagree ([`router`] and [`openapi`] both come from here). A new part adds
/// its own group here.
fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(accounts_routes())
        .merge(registers_routes())
        .merge(cases_routes())
        .merge(tasks_routes())
        .merge(assessment_routes())
        .merge(training_routes())
        .merge(contests_routes())
        .merge(craftsmen_routes())
        .merge(studios_routes())
        .merge(innovations_routes())
}

/// Routes of 劳动和技能竞赛.
fn contests_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(contests::list_contests, contests::create_contest))
        .routes(routes!(contests::get_contest, contests::update_contest))
        .routes(routes!(contests::submit_contest))
        .routes(routes!(contests::get_scheme, contests::set_scheme))
        .routes(routes!(contests::list_entries, contests::enter))
        .routes(routes!(contests::withdraw))
        .routes(routes!(contests::list_judges, contests::add_judge))
        .routes(routes!(contests::remove_judge))
        .routes(routes!(contests::list_marks, contests::keep_mark))
        .routes(routes!(contests::confirm_mark))
        .routes(routes!(contests::ranking))
        .routes(routes!(contests::lock))
        .routes(routes!(contests::unlock))
        .routes(routes!(contests::publish))
        .routes(routes!(contests::results))
}

/// Routes of 工匠培育: selection rounds and nominations.
fn craftsmen_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(craftsmen::list_rounds, craftsmen::create_round))
        .routes(routes!(craftsmen::get_round))
        .routes(routes!(craftsmen::quotas))
        .routes(routes!(craftsmen::list_nominations, craftsmen::nominate))
}

/// Routes of 劳模（工匠）创新工作室: studios, members, yearly reviews.
fn studios_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(studios::list_studios, studios::create_studio))
        .routes(routes!(studios::get_studio))
        .routes(routes!(studios::members, studios::add_member))
        .routes(routes!(studios::reviews, studios::file_review))
}

/// Routes of 群众性技术创新: innovation results.
fn innovations_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(innovations::list, innovations::file))
        .routes(routes!(innovations::get, innovations::correct))
        .routes(routes!(innovations::showcase))
}

/// Routes of 技能形成: training classes and their rosters.
fn training_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(training::list_classes, training::create_class))
        .routes(routes!(
            training::get_class,
            training::update_class,
            training::delete_class
        ))
        .routes(routes!(training::roster, training::enrol))
        .routes(routes!(training::complete))
        .routes(routes!(training::withdraw))
        .routes(routes!(training::list_professors))
        .routes(routes!(training::get_professor))
        .routes(routes!(training::add_engagement))
        .routes(routes!(training::update_engagement))
}

/// Routes of the session, accounts, organisations, the audit trail, search and this document.
fn accounts_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(session::login))
        .routes(routes!(session::logout))
        .routes(routes!(session::me, session::update_me))
        .routes(routes!(session::change_password))
        .routes(routes!(orgs::regions))
        .routes(routes!(search::search))
        .routes(routes!(orgs::list_orgs, orgs::create_org))
        .routes(routes!(orgs::get_org, orgs::update_org, orgs::delete_org))
        .routes(routes!(users::list_users, users::create_user))
        .routes(routes!(users::update_user))
        .routes(routes!(users::reset_password))
        .routes(routes!(audit::audit_log))
        .routes(routes!(audit::audit_verify))
        .routes(routes!(doc::openapi_json))
}

/// Routes of the pilot and designation registers, indicators, statistics, imports and exports, workers.
fn registers_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(registers::list_pilots, registers::create_pilot))
        .routes(routes!(
            registers::get_pilot,
            registers::update_pilot,
            registers::delete_pilot
        ))
        .routes(routes!(
            registers::list_designations,
            registers::create_designation
        ))
        .routes(routes!(
            registers::get_designation,
            registers::update_designation,
            registers::delete_designation
        ))
        .routes(routes!(registers::indicators))
        .routes(routes!(reports::list_reports, reports::save_report))
        .routes(routes!(reports::completeness))
        .routes(routes!(reports::lock))
        .routes(routes!(reports::remind))
        .routes(routes!(reports::get_report))
        .routes(routes!(reports::transition))
        .routes(routes!(io::start, io::history).layer(DefaultBodyLimit::max(64 * 1024 * 1024)))
        .routes(routes!(io::status))
        .routes(routes!(io::rejected))
        .routes(routes!(io::template))
        .routes(routes!(io::export))
        .routes(routes!(workers::list, workers::save))
        .routes(routes!(workers::get, workers::delete))
        .routes(routes!(workers::reveal))
}

/// Routes of the workflow engine's cases, the 六有 and the policy library.
fn cases_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(cases::list, cases::create))
        .routes(routes!(cases::bulk))
        .routes(routes!(cases::bulk_status))
        .routes(routes!(cases::get, cases::update))
        .routes(routes!(cases::act))
        .routes(routes!(cases::decide_item))
        .routes(routes!(cases::assign_expert))
        .routes(routes!(cases::score))
        .routes(routes!(cases::object))
        .routes(routes!(cases::answer))
        .routes(routes!(cases::attach).layer(DefaultBodyLimit::max(64 * 1024 * 1024)))
        .routes(routes!(cases::inbox))
        .routes(routes!(cases::notifications))
        .routes(routes!(liuyou::list))
        .routes(routes!(liuyou::sheet))
        .routes(routes!(liuyou::submit))
        .routes(routes!(liuyou::save))
        .routes(routes!(liuyou::upload).layer(DefaultBodyLimit::max(64 * 1024 * 1024)))
        .routes(routes!(liuyou::review))
        .routes(routes!(liuyou::download))
        .routes(routes!(policies::list, policies::create))
        .routes(routes!(policies::upload).layer(DefaultBodyLimit::max(32 * 1024 * 1024)))
        .routes(routes!(policies::get, policies::update, policies::delete))
}

/// Routes of tasks, joint meetings, contact points and pairing.
fn tasks_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(tasks::list, tasks::create))
        .routes(routes!(tasks::board))
        .routes(routes!(tasks::get, tasks::update))
        .routes(routes!(tasks::cancel))
        .routes(routes!(tasks::progress))
        .routes(routes!(tasks::done))
        .routes(routes!(tasks::request_completion))
        .routes(routes!(tasks::supervise))
        .routes(routes!(tasks::bodies, tasks::create_body))
        .routes(routes!(tasks::set_members))
        .routes(routes!(tasks::body, tasks::update_body))
        .routes(routes!(tasks::meetings, tasks::create_meeting))
        .routes(routes!(tasks::meeting, tasks::update_meeting))
        .routes(routes!(tasks::correct_decision))
        .routes(routes!(tasks::decision_task))
        .routes(routes!(contacts::list_contacts, contacts::assign_contact))
        .routes(routes!(contacts::list_visits, contacts::log_visit))
        .routes(routes!(contacts::get_contact, contacts::update_contact))
        .routes(routes!(contacts::end_contact))
        .routes(routes!(contacts::get_visit, contacts::update_visit))
        .routes(routes!(contacts::list_problems, contacts::raise_problem))
        .routes(routes!(contacts::get_problem))
        .routes(routes!(contacts::act_on_problem))
        .routes(routes!(contacts::list_pairs, contacts::create_pair))
        .routes(routes!(contacts::pair_graph))
        .routes(routes!(contacts::get_pair, contacts::update_pair))
        .routes(routes!(contacts::end_pair))
        .routes(routes!(
            contacts::update_activity,
            contacts::delete_activity
        ))
        .routes(routes!(contacts::add_activity))
}

/// Routes of the assessment (考核).
fn assessment_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(assessment::list_schemes, assessment::create_scheme))
        .routes(routes!(assessment::get_version, assessment::save_version))
        .routes(routes!(assessment::publish_version))
        .routes(routes!(assessment::new_draft))
        .routes(routes!(assessment::list_rounds, assessment::create_round))
        .routes(routes!(assessment::get_round))
        .routes(routes!(assessment::assign_expert))
        .routes(routes!(assessment::declare_conflict))
        .routes(routes!(assessment::round_action))
        .routes(routes!(assessment::get_self, assessment::save_self))
        .routes(routes!(assessment::sheet, assessment::put_score))
        .routes(routes!(assessment::results, assessment::publish))
}

/// The API router (the documented routes, the Swagger UI page and a JSON 404).
pub fn router() -> Router<AppState> {
    let (router, _) = routes().split_for_parts();
    router.route("/api/docs", get(docs)).fallback(api_not_found)
}

/// The OpenAPI document of [`routes`], built once.
pub(crate) fn document() -> &'static utoipa::openapi::OpenApi {
    static DOC: std::sync::OnceLock<utoipa::openapi::OpenApi> = std::sync::OnceLock::new();
    DOC.get_or_init(|| {
        use utoipa::Modify;
        let (_, mut doc) = routes().split_for_parts();
        // After the paths are in: the modifiers add to every operation.
        BearerAuth.modify(&mut doc);
        ErrorResponses.modify(&mut doc);
        UniqueOperationIds.modify(&mut doc);
        doc.openapi = utoipa::openapi::OpenApiVersion::Version31;
        doc
    })
}

/// Every route of the API, as (method, path), read off the OpenAPI document.
pub fn route_list() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (path, item) in &document().paths.paths {
        for (method, op) in [
            ("get", &item.get),
            ("post", &item.post),
            ("put", &item.put),
            ("patch", &item.patch),
            ("delete", &item.delete),
        ] {
            if op.is_some() {
                out.push((method.to_string(), path.clone()));
            }
        }
    }
    out
}

async fn api_not_found(lang: Lang) -> ApiError {
    ApiError(
        AppError::Store(gongjiang_storage::StoreError::NotFound),
        lang,
    )
}

#[derive(OpenApi)]
#[openapi(
    info(title = "gongjiang API", description = "产业工人队伍建设改革工作平台 API. Authenticate with POST /api/v1/auth/login and send `Authorization: Bearer TOKEN`. Errors: `{\"error\":{\"code\",\"message\",\"field\"?}}`."),
    components(schemas(Org, Region, User, Entry, OrgPage, UserPage, EntryPage, LoginRequest, LoginResponse, ErrorBody, ErrorDetail, OrgBody, OrgPatchBody, NewUserBody, UpdateUserBody, PasswordBody, ChangePasswordBody, VerifyResult,
        gongjiang_storage::pilots::Pilot, gongjiang_storage::designations::Designation, gongjiang_storage::registers::PilotInput, gongjiang_storage::registers::DesignationInput,
        gongjiang_storage::registers::Subject, registers::PilotPage, registers::DesignationPage, registers::IndicatorResponse, registers::IndicatorValue, registers::IndicatorChild,
        gongjiang_storage::reports::Report, gongjiang_storage::reports::Completeness, gongjiang_storage::report_service::ReportInput, reports::ReportPage, reports::TransitionBody, reports::RegionPeriod, reports::Count, crate::jobs::Job, io::Started, io::JobSummary, io::JobSummaryPage, gongjiang_storage::jobs::OutcomeCounts, gongjiang_storage::import::Outcome, gongjiang_storage::import::RowProblem, gongjiang_storage::workers::Worker, gongjiang_storage::workers::WorkerInput, workers::WorkerPage, workers::Revealed,
        gongjiang_storage::workers::Certificate, gongjiang_storage::workflow::Case, gongjiang_storage::workflow::Event, gongjiang_storage::workflow::CaseInput, gongjiang_storage::workflow::ActInput, gongjiang_storage::workflow::BulkJob,
        cases::CasePage, cases::CaseDetail, cases::UpdateBody, cases::BulkBody, cases::Notification, gongjiang_storage::task_completion::CompletionInput, cases::ItemBody, cases::ExpertBody, cases::ScoreBody, gongjiang_storage::workflow::CaseExpert, cases::ObjectionBody, cases::AnswerBody, gongjiang_storage::workflow::CaseItem, gongjiang_storage::workflow::Objection,
        gongjiang_storage::contacts::ContactPoint, gongjiang_storage::contacts::ContactInput, gongjiang_storage::contacts::Visit, gongjiang_storage::contacts::VisitInput,
        gongjiang_storage::contacts::Problem, gongjiang_storage::contacts::ProblemInput, gongjiang_storage::contacts::ProblemActInput,
        gongjiang_storage::pairs::Pair, gongjiang_storage::pairs::PairInput, gongjiang_storage::pairs::Activity, gongjiang_storage::pairs::ActivityInput,
        gongjiang_storage::pairs::ChainGraph, gongjiang_storage::pairs::GraphNode, gongjiang_storage::pairs::GraphLink,
        contacts::VisitPage, contacts::ProblemPage, contacts::ProblemDetail, contacts::PairPage, contacts::PairDetail,
        gongjiang_storage::liuyou::LiuyouRow, gongjiang_storage::liuyou::LiuyouSheet, gongjiang_storage::liuyou::LiuyouItem, gongjiang_storage::liuyou::EvidenceInput, gongjiang_storage::files::FileMeta, liuyou::ReviewBody,
        gongjiang_storage::policies::Policy, gongjiang_storage::policies::PolicyInput, policies::PolicyPage, policies::PolicyUpload,
        gongjiang_storage::tasks::Task, gongjiang_storage::tasks::Progress, gongjiang_storage::tasks::TaskInput, gongjiang_storage::tasks::ProgressInput,
        gongjiang_storage::tasks::Board, gongjiang_storage::tasks::StatusCount, gongjiang_storage::tasks::UnitRow, gongjiang_storage::tasks::Body, gongjiang_storage::tasks::Member,
        gongjiang_storage::tasks::BodyInput, gongjiang_storage::tasks::Meeting, gongjiang_storage::tasks::Attendance, gongjiang_storage::tasks::Decision,
        gongjiang_storage::tasks::AttendanceInput, gongjiang_storage::tasks::MeetingInput, gongjiang_storage::tasks::DecisionTaskInput,
        gongjiang_storage::assessment::Scheme, gongjiang_storage::assessment::VersionInfo, gongjiang_storage::assessment::SchemeVersion, gongjiang_storage::assessment::SchemeInput, gongjiang_storage::assessment::TreeInput,
        gongjiang_storage::assessment::Round, gongjiang_storage::assessment::RoundInput, gongjiang_storage::assessment::Target, gongjiang_storage::assessment::Expert, gongjiang_storage::assessment::Conflict, gongjiang_storage::assessment::RoundDetail,
        gongjiang_storage::assessment::SelfLeaf, gongjiang_storage::assessment::SelfReport, gongjiang_storage::assessment::SelfEntry, gongjiang_storage::assessment::SelfInput,
        gongjiang_storage::assessment::ScoreInput, gongjiang_storage::assessment::SheetLeaf, gongjiang_storage::assessment::SheetTarget, gongjiang_storage::assessment::ScoringSheet, gongjiang_storage::assessment::ConflictInput,
        gongjiang_storage::assessment::ExpertScore, gongjiang_storage::assessment::NodeResult, gongjiang_storage::assessment::TargetResult, gongjiang_storage::assessment::ResultVersion, gongjiang_storage::assessment::Results,
        assessment::ExpertBody, assessment::Done, assessment::RoundAction, assessment::PublishBody,
        tasks::TaskPage, tasks::TaskDetail, tasks::DoneBody, tasks::SuperviseBody, tasks::Supervised, tasks::MembersBody, tasks::MeetingPage, tasks::MeetingDetail,
        gongjiang_storage::tasks::TaskEdit, gongjiang_storage::tasks::CancelInput, gongjiang_storage::tasks::BodyEdit, gongjiang_storage::tasks::MeetingEdit, gongjiang_storage::tasks::DecisionEdit, tasks::BodyDetail,
        gongjiang_storage::contacts::ContactEdit, gongjiang_storage::contacts::ContactEndInput, gongjiang_storage::contacts::VisitEdit, contacts::ContactDetail, contacts::VisitDetail,
        gongjiang_storage::pairs::PairEdit, gongjiang_storage::pairs::PairEndInput, gongjiang_storage::pairs::ActivityEdit,
        gongjiang_storage::search::Kind, gongjiang_storage::search::Hit, search::SearchGroup, search::SearchResults)),
    security(("bearer" = []))
)]
pub struct ApiDoc;

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable snake_case code, e.g. `bad_check_character`, `duplicate_uscc`.
    code: String,
    /// Human text in the request's language (Chinese by default).
    message: String,
    /// The field at fault, if any.
    field: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    error: ErrorDetail,
}

pub(crate) fn parse_id(s: &str, lang: Lang) -> Result<i64, ApiError> {
    // A malformed id is as absent as a missing record.
    s.parse::<i64>().map_err(|_| {
        ApiError(
            AppError::Store(gongjiang_storage::StoreError::NotFound),
            lang,
        )
    })
}
