//! The JSON API under `/api/v1`, described by `/api/v1/openapi.json`.
pub mod assessment;
mod audit;
pub mod cases;
pub mod contacts;
mod doc;
pub mod extract;
pub mod io;
pub mod liuyou;
mod orgs;
pub mod policies;
pub mod registers;
pub mod reports;
pub mod search;
mod session;
pub mod tasks;
mod users;
pub mod workers;
use crate::error::{ApiError, AppError};
use crate::i18n::Lang;
use crate::AppState;
use axum::routing::{get, post};
use axum::Router;
use gongjiang_storage::audit::Entry;
use gongjiang_storage::orgs::Org;
use gongjiang_storage::regions::Region;
use gongjiang_storage::users::User;
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};

use audit::{audit_log, audit_verify};
pub use audit::{AuditPage, AuditQuery, VerifyResult};
use doc::{docs, openapi_json, BearerAuth, ErrorResponses, UniqueOperationIds};
pub use doc::{openapi, DOCS_CSP};
use orgs::{create_org, delete_org, get_org, list_orgs, regions, update_org};
pub use orgs::{OrgBody, OrgPage, OrgPatchBody, OrgQuery};
use session::{change_password, login, logout, me, update_me};
pub use session::{
    set_session_cookie, ChangePasswordBody, LoginRequest, LoginResponse, UpdateMeBody,
};
use users::{create_user, list_users, reset_password, update_user};
pub use users::{NewUserBody, PasswordBody, UpdateUserBody, UserPage};

/// Every route of the API, as (method, path): the router is built from this list's
/// handlers and a test checks each one against the OpenAPI document.
pub const ROUTES: &[(&str, &str)] = &[
    ("post", "/api/v1/auth/login"),
    ("post", "/api/v1/auth/logout"),
    ("get", "/api/v1/me"),
    ("patch", "/api/v1/me"),
    ("post", "/api/v1/me/password"),
    ("get", "/api/v1/regions"),
    ("get", "/api/v1/search"),
    ("get", "/api/v1/orgs"),
    ("post", "/api/v1/orgs"),
    ("get", "/api/v1/orgs/{id}"),
    ("patch", "/api/v1/orgs/{id}"),
    ("delete", "/api/v1/orgs/{id}"),
    ("get", "/api/v1/users"),
    ("post", "/api/v1/users"),
    ("patch", "/api/v1/users/{id}"),
    ("post", "/api/v1/users/{id}/password"),
    ("get", "/api/v1/audit"),
    ("get", "/api/v1/audit/verify"),
    ("get", "/api/v1/pilots"),
    ("post", "/api/v1/pilots"),
    ("get", "/api/v1/pilots/{id}"),
    ("patch", "/api/v1/pilots/{id}"),
    ("delete", "/api/v1/pilots/{id}"),
    ("get", "/api/v1/designations"),
    ("post", "/api/v1/designations"),
    ("get", "/api/v1/designations/{id}"),
    ("patch", "/api/v1/designations/{id}"),
    ("delete", "/api/v1/designations/{id}"),
    ("get", "/api/v1/indicators"),
    ("get", "/api/v1/reports"),
    ("post", "/api/v1/reports"),
    ("get", "/api/v1/reports/{id}"),
    ("post", "/api/v1/reports/{id}/transition"),
    ("post", "/api/v1/reports/lock"),
    ("get", "/api/v1/reports/completeness"),
    ("post", "/api/v1/reports/remind"),
    ("get", "/api/v1/imports"),
    ("post", "/api/v1/imports"),
    ("get", "/api/v1/imports/{id}"),
    ("get", "/api/v1/imports/{id}/rejected"),
    ("get", "/api/v1/templates/{kind}"),
    ("get", "/api/v1/exports/{kind}"),
    ("get", "/api/v1/workers"),
    ("post", "/api/v1/workers"),
    ("get", "/api/v1/workers/{id}"),
    ("delete", "/api/v1/workers/{id}"),
    ("post", "/api/v1/workers/{id}/reveal"),
    ("get", "/api/v1/cases"),
    ("post", "/api/v1/cases"),
    ("get", "/api/v1/cases/{id}"),
    ("put", "/api/v1/cases/{id}"),
    ("post", "/api/v1/cases/{id}/actions"),
    ("post", "/api/v1/cases/{id}/items/{item}"),
    ("post", "/api/v1/cases/{id}/experts"),
    ("put", "/api/v1/cases/{id}/score"),
    ("post", "/api/v1/cases/{id}/objections"),
    ("post", "/api/v1/cases/{id}/objections/{objection}"),
    ("post", "/api/v1/cases/{id}/files"),
    ("post", "/api/v1/cases/bulk"),
    ("get", "/api/v1/cases/bulk/{id}"),
    ("get", "/api/v1/inbox"),
    ("get", "/api/v1/notifications"),
    ("get", "/api/v1/liuyou"),
    ("get", "/api/v1/liuyou/{org}/{year}"),
    ("post", "/api/v1/liuyou/{org}/{year}/submit"),
    ("put", "/api/v1/liuyou/{org}/{year}/{item}"),
    ("post", "/api/v1/liuyou/{org}/{year}/{item}/files"),
    ("post", "/api/v1/liuyou/{org}/{year}/{item}/review"),
    ("get", "/api/v1/files/{id}"),
    ("get", "/api/v1/policies"),
    ("post", "/api/v1/policies"),
    ("post", "/api/v1/policies/upload"),
    ("get", "/api/v1/policies/{id}"),
    ("patch", "/api/v1/policies/{id}"),
    ("delete", "/api/v1/policies/{id}"),
    ("get", "/api/v1/tasks"),
    ("post", "/api/v1/tasks"),
    ("get", "/api/v1/tasks/board"),
    ("get", "/api/v1/tasks/{id}"),
    ("post", "/api/v1/tasks/{id}/progress"),
    ("post", "/api/v1/tasks/{id}/done"),
    ("post", "/api/v1/tasks/{id}/completion"),
    ("post", "/api/v1/tasks/{id}/supervise"),
    ("put", "/api/v1/tasks/{id}"),
    ("post", "/api/v1/tasks/{id}/cancel"),
    ("get", "/api/v1/meeting-bodies"),
    ("post", "/api/v1/meeting-bodies"),
    ("put", "/api/v1/meeting-bodies/{id}/members"),
    ("get", "/api/v1/meeting-bodies/{id}"),
    ("put", "/api/v1/meeting-bodies/{id}"),
    ("get", "/api/v1/meetings"),
    ("post", "/api/v1/meetings"),
    ("get", "/api/v1/meetings/{id}"),
    ("post", "/api/v1/meetings/{id}/decisions/{decision_id}/task"),
    ("put", "/api/v1/meetings/{id}"),
    ("put", "/api/v1/meetings/{id}/decisions/{decision_id}"),
    ("get", "/api/v1/contacts"),
    ("post", "/api/v1/contacts"),
    ("get", "/api/v1/visits"),
    ("post", "/api/v1/visits"),
    ("get", "/api/v1/contacts/{id}"),
    ("put", "/api/v1/contacts/{id}"),
    ("post", "/api/v1/contacts/{id}/end"),
    ("get", "/api/v1/visits/{id}"),
    ("put", "/api/v1/visits/{id}"),
    ("get", "/api/v1/problems"),
    ("post", "/api/v1/problems"),
    ("get", "/api/v1/problems/{id}"),
    ("post", "/api/v1/problems/{id}/actions"),
    ("get", "/api/v1/pairs"),
    ("post", "/api/v1/pairs"),
    ("get", "/api/v1/pairs/graph"),
    ("get", "/api/v1/pairs/{id}"),
    ("post", "/api/v1/pairs/{id}/activities"),
    ("put", "/api/v1/pairs/{id}"),
    ("post", "/api/v1/pairs/{id}/end"),
    ("put", "/api/v1/pair-activities/{id}"),
    ("delete", "/api/v1/pair-activities/{id}"),
    ("get", "/api/v1/assessment/schemes"),
    ("post", "/api/v1/assessment/schemes"),
    ("get", "/api/v1/assessment/versions/{id}"),
    ("put", "/api/v1/assessment/versions/{id}"),
    ("post", "/api/v1/assessment/versions/{id}/publish"),
    ("post", "/api/v1/assessment/versions/{id}/draft"),
    ("get", "/api/v1/assessment/rounds"),
    ("post", "/api/v1/assessment/rounds"),
    ("get", "/api/v1/assessment/rounds/{id}"),
    ("post", "/api/v1/assessment/rounds/{id}/experts"),
    ("post", "/api/v1/assessment/rounds/{id}/conflicts"),
    ("post", "/api/v1/assessment/rounds/{id}/actions"),
    ("get", "/api/v1/assessment/rounds/{id}/self/{target}"),
    ("put", "/api/v1/assessment/rounds/{id}/self/{target}"),
    ("get", "/api/v1/assessment/rounds/{id}/scores"),
    ("put", "/api/v1/assessment/rounds/{id}/scores"),
    ("get", "/api/v1/assessment/rounds/{id}/results"),
    ("post", "/api/v1/assessment/rounds/{id}/results"),
    ("get", "/api/v1/openapi.json"),
];

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/auth/login", post(login))
        .route("/api/v1/auth/logout", post(logout))
        .route("/api/v1/me", get(me).patch(update_me))
        .route("/api/v1/me/password", post(change_password))
        .route("/api/v1/regions", get(regions))
        .route("/api/v1/search", get(search::search))
        .route("/api/v1/orgs", get(list_orgs).post(create_org))
        .route(
            "/api/v1/orgs/{id}",
            get(get_org).patch(update_org).delete(delete_org),
        )
        .route("/api/v1/users", get(list_users).post(create_user))
        .route("/api/v1/users/{id}", axum::routing::patch(update_user))
        .route("/api/v1/users/{id}/password", post(reset_password))
        .route("/api/v1/audit", get(audit_log))
        .route("/api/v1/audit/verify", get(audit_verify))
        .route(
            "/api/v1/pilots",
            get(registers::list_pilots).post(registers::create_pilot),
        )
        .route(
            "/api/v1/pilots/{id}",
            get(registers::get_pilot)
                .patch(registers::update_pilot)
                .delete(registers::delete_pilot),
        )
        .route(
            "/api/v1/designations",
            get(registers::list_designations).post(registers::create_designation),
        )
        .route(
            "/api/v1/designations/{id}",
            get(registers::get_designation)
                .patch(registers::update_designation)
                .delete(registers::delete_designation),
        )
        .route("/api/v1/indicators", get(registers::indicators))
        .route(
            "/api/v1/reports",
            get(reports::list_reports).post(reports::save_report),
        )
        .route("/api/v1/reports/completeness", get(reports::completeness))
        .route("/api/v1/reports/lock", post(reports::lock))
        .route("/api/v1/reports/remind", post(reports::remind))
        .route("/api/v1/reports/{id}", get(reports::get_report))
        .route("/api/v1/reports/{id}/transition", post(reports::transition))
        .route(
            "/api/v1/imports",
            post(io::start)
                .layer(axum::extract::DefaultBodyLimit::max(64 * 1024 * 1024))
                .get(io::history),
        )
        .route("/api/v1/imports/{id}", get(io::status))
        .route("/api/v1/imports/{id}/rejected", get(io::rejected))
        .route("/api/v1/templates/{kind}", get(io::template))
        .route("/api/v1/exports/{kind}", get(io::export))
        .route("/api/v1/workers", get(workers::list).post(workers::save))
        .route(
            "/api/v1/workers/{id}",
            get(workers::get).delete(workers::delete),
        )
        .route("/api/v1/workers/{id}/reveal", post(workers::reveal))
        .route("/api/v1/cases", get(cases::list).post(cases::create))
        .route("/api/v1/cases/bulk", post(cases::bulk))
        .route("/api/v1/cases/bulk/{id}", get(cases::bulk_status))
        .route("/api/v1/cases/{id}", get(cases::get).put(cases::update))
        .route("/api/v1/cases/{id}/actions", post(cases::act))
        .route("/api/v1/cases/{id}/items/{item}", post(cases::decide_item))
        .route("/api/v1/cases/{id}/experts", post(cases::assign_expert))
        .route("/api/v1/cases/{id}/score", axum::routing::put(cases::score))
        .route("/api/v1/cases/{id}/objections", post(cases::object))
        .route(
            "/api/v1/cases/{id}/objections/{objection}",
            post(cases::answer),
        )
        .route(
            "/api/v1/cases/{id}/files",
            post(cases::attach).layer(axum::extract::DefaultBodyLimit::max(64 * 1024 * 1024)),
        )
        .route("/api/v1/inbox", get(cases::inbox))
        .route("/api/v1/notifications", get(cases::notifications))
        .route("/api/v1/liuyou", get(liuyou::list))
        .route("/api/v1/liuyou/{org}/{year}", get(liuyou::sheet))
        .route("/api/v1/liuyou/{org}/{year}/submit", post(liuyou::submit))
        .route(
            "/api/v1/liuyou/{org}/{year}/{item}",
            axum::routing::put(liuyou::save),
        )
        .route(
            "/api/v1/liuyou/{org}/{year}/{item}/files",
            post(liuyou::upload).layer(axum::extract::DefaultBodyLimit::max(64 * 1024 * 1024)),
        )
        .route(
            "/api/v1/liuyou/{org}/{year}/{item}/review",
            post(liuyou::review),
        )
        .route("/api/v1/files/{id}", get(liuyou::download))
        .route(
            "/api/v1/policies",
            get(policies::list).post(policies::create),
        )
        .route(
            "/api/v1/policies/upload",
            post(policies::upload).layer(axum::extract::DefaultBodyLimit::max(32 * 1024 * 1024)),
        )
        .route(
            "/api/v1/policies/{id}",
            get(policies::get)
                .patch(policies::update)
                .delete(policies::delete),
        )
        .route("/api/v1/tasks", get(tasks::list).post(tasks::create))
        .route("/api/v1/tasks/board", get(tasks::board))
        .route("/api/v1/tasks/{id}", get(tasks::get).put(tasks::update))
        .route("/api/v1/tasks/{id}/cancel", post(tasks::cancel))
        .route("/api/v1/tasks/{id}/progress", post(tasks::progress))
        .route("/api/v1/tasks/{id}/done", post(tasks::done))
        .route(
            "/api/v1/tasks/{id}/completion",
            post(tasks::request_completion),
        )
        .route("/api/v1/tasks/{id}/supervise", post(tasks::supervise))
        .route(
            "/api/v1/meeting-bodies",
            get(tasks::bodies).post(tasks::create_body),
        )
        .route(
            "/api/v1/meeting-bodies/{id}/members",
            axum::routing::put(tasks::set_members),
        )
        .route(
            "/api/v1/meeting-bodies/{id}",
            get(tasks::body).put(tasks::update_body),
        )
        .route(
            "/api/v1/meetings",
            get(tasks::meetings).post(tasks::create_meeting),
        )
        .route(
            "/api/v1/meetings/{id}",
            get(tasks::meeting).put(tasks::update_meeting),
        )
        .route(
            "/api/v1/meetings/{id}/decisions/{decision_id}",
            axum::routing::put(tasks::correct_decision),
        )
        .route(
            "/api/v1/meetings/{id}/decisions/{decision_id}/task",
            post(tasks::decision_task),
        )
        .route(
            "/api/v1/contacts",
            get(contacts::list_contacts).post(contacts::assign_contact),
        )
        .route(
            "/api/v1/visits",
            get(contacts::list_visits).post(contacts::log_visit),
        )
        .route(
            "/api/v1/contacts/{id}",
            get(contacts::get_contact).put(contacts::update_contact),
        )
        .route("/api/v1/contacts/{id}/end", post(contacts::end_contact))
        .route(
            "/api/v1/visits/{id}",
            get(contacts::get_visit).put(contacts::update_visit),
        )
        .route(
            "/api/v1/problems",
            get(contacts::list_problems).post(contacts::raise_problem),
        )
        .route("/api/v1/problems/{id}", get(contacts::get_problem))
        .route(
            "/api/v1/problems/{id}/actions",
            post(contacts::act_on_problem),
        )
        .route(
            "/api/v1/pairs",
            get(contacts::list_pairs).post(contacts::create_pair),
        )
        .route("/api/v1/pairs/graph", get(contacts::pair_graph))
        .route(
            "/api/v1/pairs/{id}",
            get(contacts::get_pair).put(contacts::update_pair),
        )
        .route("/api/v1/pairs/{id}/end", post(contacts::end_pair))
        .route(
            "/api/v1/pair-activities/{id}",
            axum::routing::put(contacts::update_activity).delete(contacts::delete_activity),
        )
        .route(
            "/api/v1/pairs/{id}/activities",
            post(contacts::add_activity),
        )
        .route(
            "/api/v1/assessment/schemes",
            get(assessment::list_schemes).post(assessment::create_scheme),
        )
        .route(
            "/api/v1/assessment/versions/{id}",
            get(assessment::get_version).put(assessment::save_version),
        )
        .route(
            "/api/v1/assessment/versions/{id}/publish",
            post(assessment::publish_version),
        )
        .route(
            "/api/v1/assessment/versions/{id}/draft",
            post(assessment::new_draft),
        )
        .route(
            "/api/v1/assessment/rounds",
            get(assessment::list_rounds).post(assessment::create_round),
        )
        .route("/api/v1/assessment/rounds/{id}", get(assessment::get_round))
        .route(
            "/api/v1/assessment/rounds/{id}/experts",
            post(assessment::assign_expert),
        )
        .route(
            "/api/v1/assessment/rounds/{id}/conflicts",
            post(assessment::declare_conflict),
        )
        .route(
            "/api/v1/assessment/rounds/{id}/actions",
            post(assessment::round_action),
        )
        .route(
            "/api/v1/assessment/rounds/{id}/self/{target}",
            get(assessment::get_self).put(assessment::save_self),
        )
        .route(
            "/api/v1/assessment/rounds/{id}/scores",
            get(assessment::sheet).put(assessment::put_score),
        )
        .route(
            "/api/v1/assessment/rounds/{id}/results",
            get(assessment::results).post(assessment::publish),
        )
        .route("/api/v1/openapi.json", get(openapi_json))
        .route("/api/docs", get(docs))
        .fallback(api_not_found)
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
    paths(session::login, session::logout, session::me, session::update_me, session::change_password, orgs::regions, search::search, orgs::list_orgs, orgs::create_org, orgs::get_org, orgs::update_org, orgs::delete_org, users::list_users, users::create_user, users::update_user, users::reset_password, audit::audit_log, audit::audit_verify,
        registers::list_pilots, registers::create_pilot, registers::get_pilot, registers::update_pilot, registers::delete_pilot,
        registers::list_designations, registers::create_designation, registers::get_designation, registers::update_designation, registers::delete_designation,
        registers::indicators,
        reports::list_reports, reports::save_report, reports::get_report, reports::transition, reports::lock, reports::completeness, reports::remind,
        io::history, io::start, io::status, io::rejected, io::template, io::export,
        workers::list, workers::save, workers::get, workers::delete, workers::reveal,
        cases::list, cases::create, cases::get, cases::update, cases::act, cases::decide_item, cases::assign_expert, cases::score, cases::object, cases::answer, cases::attach, cases::inbox, cases::bulk, cases::bulk_status, cases::notifications,
        liuyou::list, liuyou::sheet, liuyou::save, liuyou::upload, liuyou::submit, liuyou::review, liuyou::download,
        policies::list, policies::create, policies::upload, policies::get, policies::update, policies::delete,
        tasks::list, tasks::create, tasks::board, tasks::get, tasks::progress, tasks::done, tasks::request_completion, tasks::supervise,
        tasks::bodies, tasks::create_body, tasks::set_members, tasks::meetings, tasks::create_meeting, tasks::meeting, tasks::decision_task,
        contacts::list_contacts, contacts::assign_contact, contacts::list_visits, contacts::log_visit, contacts::list_problems, contacts::raise_problem, contacts::get_problem, contacts::act_on_problem,
        contacts::list_pairs, contacts::create_pair, contacts::pair_graph, contacts::get_pair, contacts::add_activity,
        tasks::update, tasks::cancel, tasks::body, tasks::update_body, tasks::update_meeting, tasks::correct_decision,
        contacts::get_contact, contacts::update_contact, contacts::end_contact, contacts::get_visit, contacts::update_visit,
        contacts::update_pair, contacts::end_pair, contacts::update_activity, contacts::delete_activity,
        assessment::list_schemes, assessment::create_scheme, assessment::get_version, assessment::save_version, assessment::publish_version, assessment::new_draft,
        assessment::list_rounds, assessment::create_round, assessment::get_round, assessment::assign_expert, assessment::declare_conflict, assessment::round_action,
        assessment::get_self, assessment::save_self, assessment::sheet, assessment::put_score, assessment::results, assessment::publish,
        doc::openapi_json),
    components(schemas(Org, Region, User, Entry, OrgPage, UserPage, AuditPage, LoginRequest, LoginResponse, ErrorBody, ErrorDetail, OrgBody, OrgPatchBody, NewUserBody, UpdateUserBody, PasswordBody, ChangePasswordBody, VerifyResult,
        gongjiang_storage::pilots::Pilot, gongjiang_storage::designations::Designation, gongjiang_storage::registers::PilotInput, gongjiang_storage::registers::DesignationInput,
        gongjiang_storage::registers::Subject, registers::PilotPage, registers::DesignationPage, registers::IndicatorResponse, registers::IndicatorValue, registers::IndicatorChild,
        gongjiang_storage::reports::Report, gongjiang_storage::reports::Completeness, gongjiang_storage::report_service::ReportInput, reports::ReportPage, reports::TransitionBody, reports::RegionPeriod, reports::Count, crate::jobs::Job, io::Started, io::JobSummary, io::JobHistory, gongjiang_storage::jobs::OutcomeCounts, gongjiang_storage::import::Outcome, gongjiang_storage::import::RowProblem, gongjiang_storage::workers::Worker, gongjiang_storage::workers::WorkerInput, workers::WorkerPage, workers::Revealed,
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
    modifiers(&BearerAuth, &ErrorResponses, &UniqueOperationIds),
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
