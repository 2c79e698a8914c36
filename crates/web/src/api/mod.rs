//! The JSON API under `/api/v1`, described by `/api/v1/openapi.json`.
pub mod assessment;
pub mod cases;
pub mod contacts;
pub mod extract;
pub mod io;
pub mod liuyou;
pub mod policies;
pub mod registers;
pub mod reports;
pub mod search;
pub mod tasks;
pub mod workers;
use crate::auth::{set_cookie, Admin, ApiJson, ApiUser, AuditReader, OrgEditor, OrgReader};
use crate::error::{ApiError, AppError};
use crate::i18n::Lang;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use gongjiang_domain::org::OrgInput;
use gongjiang_domain::Code;
use gongjiang_domain::Role;
use gongjiang_storage::audit::{self, Entry};
use gongjiang_storage::orgs::{self, Org};
use gongjiang_storage::regions::Region;
use gongjiang_storage::service::OrgPatch;
use gongjiang_storage::users::User;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

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
    paths(login, logout, me, update_me, change_password, regions, search::search, list_orgs, create_org, get_org, update_org, delete_org, list_users, create_user, update_user, reset_password, audit_log, audit_verify,
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
        openapi_json),
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

struct BearerAuth;
impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        if let Some(c) = openapi.components.as_mut() {
            c.add_security_scheme(
                "bearer",
                SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
            );
        }
    }
}

/// Declares on every operation the error answers it can give, all with the body
/// `ErrorBody`: 400 for a malformed request (parameters or body), 401 and 403 where a
/// token is needed (a role that may not, or a password that must be changed first), 404
/// where the path names a record, 409 on changes (a stale version, a duplicate, a record
/// in another state or still referred to), 413, 415 and 422 where a body is taken, 422
/// where parameters are checked. An answer an annotation declares keeps its text.
struct ErrorResponses;
impl utoipa::Modify for ErrorResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::path::ParameterIn;
        use utoipa::openapi::security::SecurityRequirement;
        use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
        let error = |text: &str| {
            RefOr::T(
                ResponseBuilder::new()
                    .description(text)
                    .content(
                        "application/json",
                        ContentBuilder::new()
                            .schema(Some(Ref::from_schema_name("ErrorBody")))
                            .build(),
                    )
                    .build(),
            )
        };
        for item in openapi.paths.paths.values_mut() {
            let ops = [
                (false, &mut item.get),
                (true, &mut item.post),
                (true, &mut item.put),
                (true, &mut item.patch),
                (true, &mut item.delete),
            ];
            for (changes, op) in ops {
                let Some(op) = op.as_mut() else { continue };
                let public = op
                    .security
                    .as_ref()
                    .is_some_and(|s| s.contains(&SecurityRequirement::default()));
                let params = op.parameters.as_deref().unwrap_or_default();
                let in_path = params
                    .iter()
                    .any(|p| matches!(p.parameter_in, ParameterIn::Path));
                let in_query = params
                    .iter()
                    .any(|p| matches!(p.parameter_in, ParameterIn::Query));
                let body = op.request_body.is_some();
                let mut add = |code: &str, text: &str| {
                    op.responses
                        .responses
                        .entry(code.to_string())
                        .or_insert_with(|| error(text));
                };
                if body || in_query {
                    add("400", "malformed request: a query parameter or the body does not parse (`bad_query`, `malformed_json`, `bad_upload`)");
                }
                if !public {
                    add("401", "no token, or the token has expired (`unauthorized`)");
                    add("403", "the caller's role may not do this (`forbidden`, or a rule such as `conflict_of_interest`), or the password must be changed first");
                }
                if in_path {
                    add("404", "no such record in the caller's scope (`not_found`)");
                }
                if changes && !public {
                    add("409", "conflict: the record changed since it was read, a duplicate, a record in another state or still referred to");
                }
                if body {
                    add("413", "the body is too large (`payload_too_large`)");
                    add("415", "wrong Content-Type (`unsupported_media_type`)");
                }
                if body || in_query || in_path {
                    add(
                        "422",
                        "a value breaks a rule; `field` names it (`invalid`, `bad_format`, …)",
                    );
                }
                // Error answers an annotation declared without a text get the common one.
                for (code, r) in op.responses.responses.iter_mut() {
                    if let RefOr::T(r) = r {
                        if r.description.is_empty() && code.starts_with('4') {
                            r.description = common_text(code).to_string();
                        }
                    }
                }
            }
        }
    }
}

/// The text of an answer an annotation declared without one.
fn common_text(code: &str) -> &'static str {
    match code {
        "400" => "malformed request (`bad_query`, `malformed_json`, `bad_upload`)",
        "401" => "no token, or the token has expired (`unauthorized`)",
        "403" => "the caller may not do this (`forbidden` or a named rule)",
        "404" => "no such record in the caller's scope (`not_found`)",
        "409" => "conflict with what is stored (a stale version, a duplicate, another state)",
        "413" => "the body is too large (`payload_too_large`)",
        "415" => "wrong Content-Type (`unsupported_media_type`)",
        "422" => "a value breaks a rule; `field` names it",
        "429" => "too many requests; `Retry-After` says when to try again",
        _ => "see the error code",
    }
}

/// Operation ids are the handlers' names, and handlers in different modules share names
/// (`list`, `get`, `assign_expert` …), which OpenAPI forbids: a shared id is prefixed
/// with the operation's tag (`policies_list`, `workflow_assign_expert`).
struct UniqueOperationIds;
impl utoipa::Modify for UniqueOperationIds {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let mut seen: std::collections::HashMap<String, usize> = Default::default();
        for item in openapi.paths.paths.values() {
            for op in [&item.get, &item.post, &item.put, &item.patch, &item.delete]
                .into_iter()
                .flatten()
            {
                if let Some(id) = &op.operation_id {
                    *seen.entry(id.clone()).or_default() += 1;
                }
            }
        }
        for item in openapi.paths.paths.values_mut() {
            for op in [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.patch,
                &mut item.delete,
            ]
            .into_iter()
            .flatten()
            {
                let Some(id) = op.operation_id.clone() else {
                    continue;
                };
                if seen.get(&id).copied().unwrap_or(0) > 1 {
                    let tag = op
                        .tags
                        .as_ref()
                        .and_then(|t| t.first())
                        .map(|t| t.replace('-', "_"))
                        .unwrap_or_else(|| "api".to_string());
                    op.operation_id = Some(format!("{tag}_{id}"));
                }
            }
        }
    }
}

pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.openapi = utoipa::openapi::OpenApiVersion::Version31;
    doc
}

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

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    username: String,
    password: String,
}

#[derive(Serialize, ToSchema)]
pub struct LoginResponse {
    token: String,
    /// RFC 3339.
    expires_at: String,
    user: User,
}

/// Signs in and returns a bearer token.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", security(()), request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 401, description = "unknown user or wrong password (one answer for both)", body = ErrorBody), (status = 429, body = ErrorBody)))]
async fn login(
    State(st): State<AppState>,
    lang: Lang,
    crate::auth::ClientIp(ip): crate::auth::ClientIp,
    ApiJson(body): ApiJson<LoginRequest>,
) -> Result<Response, ApiError> {
    crate::throttle::before_login(&st, &body.username, &ip).await?;
    match st
        .svc
        .authenticate(&body.username, &body.password, &ip)
        .await?
    {
        Some(user) => {
            crate::throttle::after_success(&st, &body.username, &ip).await?;
            let (token, _csrf, exp) = st
                .svc
                .start_session(&user, "api", st.cfg.token_ttl.as_millis() as i64)
                .await?;
            let expires_at = chrono::DateTime::from_timestamp_millis(exp)
                .map(|t| t.to_rfc3339())
                .unwrap_or_default();
            Ok(
                Json(serde_json::json!({"token": token, "expires_at": expires_at, "user": user}))
                    .into_response(),
            )
        }
        None => Err(ApiError(AppError::LoginFailed, lang)),
    }
}

/// Ends the token's session.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", responses((status = 204), (status = 401, body = ErrorBody)))]
async fn logout(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
) -> Result<StatusCode, ApiError> {
    st.svc.logout(&ctx.actor, &ctx.token).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller's account.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth", responses((status = 200, body = User), (status = 401, body = ErrorBody)))]
async fn me(ApiUser(ctx, ..): ApiUser) -> Json<User> {
    Json(ctx.user)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMeBody {
    /// Where notifications are e-mailed (when the platform sends e-mail); "" clears it.
    email: Option<String>,
}

/// Changes the caller's own settings: the e-mail address for notifications.
#[utoipa::path(patch, path = "/api/v1/me", tag = "auth", request_body = UpdateMeBody,
    responses((status = 200, body = User), (status = 422, body = ErrorBody)))]
async fn update_me(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    ApiJson(b): ApiJson<UpdateMeBody>,
) -> Result<Json<User>, ApiError> {
    match b.email {
        Some(e) => Ok(Json(
            st.svc.set_user_email(&ctx.actor, ctx.user.id, &e).await?,
        )),
        None => Ok(Json(ctx.user)),
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordBody {
    current_password: String,
    new_password: String,
}

/// Changes the caller's own password.
#[utoipa::path(post, path = "/api/v1/me/password", tag = "auth", request_body = ChangePasswordBody,
    responses((status = 204), (status = 422, body = ErrorBody)))]
async fn change_password(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    ApiJson(b): ApiJson<ChangePasswordBody>,
) -> Result<StatusCode, ApiError> {
    st.svc
        .change_own_password(&ctx.actor, &ctx.token, &b.current_password, &b.new_password)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The regions in the caller's scope, parents before children.
#[utoipa::path(get, path = "/api/v1/regions", tag = "orgs", responses((status = 200, body = Vec<Region>)))]
async fn regions(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
) -> Result<Json<Vec<Region>>, ApiError> {
    Ok(Json(st.svc.regions(&ctx.actor).await?))
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct OrgQuery {
    /// A region code: that region's whole subtree.
    region: Option<String>,
    /// enterprise, park, member_unit, college or union (Chinese labels accepted).
    kind: Option<String>,
    /// Name (anywhere) or 统一社会信用代码 (prefix).
    q: Option<String>,
    parent_id: Option<i64>,
    /// name, uscc, kind, region or updated; prefix with `-` for descending.
    sort: Option<String>,
    page: Option<i64>,
    per_page: Option<i64>,
}

impl OrgQuery {
    pub fn from_parts(
        region: Option<String>,
        kind: Option<String>,
        q: Option<String>,
        sort: Option<String>,
        page: Option<i64>,
        per_page: Option<i64>,
    ) -> OrgQuery {
        OrgQuery {
            region,
            kind,
            q,
            parent_id: None,
            sort,
            page,
            per_page,
        }
    }

    pub fn filter(&self, lang: Lang) -> Result<orgs::Filter, AppError> {
        let kind = match self
            .kind
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(k) => Some(
                gongjiang_domain::OrgKind::from_any(k)
                    .ok_or_else(|| {
                        AppError::bad_request(
                            Code::BadFilter,
                            format!("未知的单位类型“{k}”"),
                            format!("unknown kind '{k}'"),
                        )
                    })?
                    .code()
                    .to_string(),
            ),
        };
        let _ = lang;
        let region = self
            .region
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string);
        let sort = self.sort.clone().unwrap_or_default();
        let (desc, sort) = match sort.strip_prefix('-') {
            Some(s) => (true, s.to_string()),
            None => (false, sort),
        };
        Ok(orgs::Filter {
            region,
            kind,
            q: self.q.clone(),
            parent_id: self.parent_id,
            chain_leader: None,
            sort: orgs::Sort::parse(&sort),
            desc,
            page: self.page.unwrap_or(1),
            per_page: self.per_page.unwrap_or(20),
        })
    }
}

#[derive(Serialize, ToSchema)]
pub struct OrgPage {
    items: Vec<Org>,
    total: i64,
    page: i64,
    per_page: i64,
}

/// Organisations in the caller's scope.
#[utoipa::path(get, path = "/api/v1/orgs", tag = "orgs", params(OrgQuery), responses((status = 200, body = OrgPage), (status = 400, body = ErrorBody)))]
async fn list_orgs(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser<OrgReader>,
    q: Result<Query<OrgQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<OrgPage>, ApiError> {
    let Query(q) = q.map_err(|e| {
        ApiError(
            AppError::bad_request(
                Code::BadQuery,
                format!("查询参数错误：{e}"),
                format!("bad query: {e}"),
            ),
            ctx.lang,
        )
    })?;
    let f = q.filter(ctx.lang)?;
    let p = st.svc.list_orgs(&ctx.actor, &f).await?;
    Ok(Json(OrgPage {
        items: p.items,
        total: p.total,
        page: p.page,
        per_page: p.per_page,
    }))
}

/// A new organisation.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrgBody {
    name: String,
    /// enterprise, park, member_unit, college or union.
    kind: String,
    /// 统一社会信用代码 (GB 32100); required for enterprises and parks.
    uscc: Option<String>,
    region_code: String,
    parent_id: Option<i64>,
    /// GB/T 4754, e.g. C38.
    industry: Option<String>,
    /// state, private, foreign or mixed (国有/民营/外资/混合).
    ownership: Option<String>,
    chain_leader: Option<bool>,
    size: Option<String>,
    address: Option<String>,
    contact: Option<String>,
}

impl From<OrgBody> for OrgInput {
    fn from(b: OrgBody) -> OrgInput {
        OrgInput {
            name: Some(b.name),
            kind: Some(b.kind),
            uscc: b.uscc,
            region_code: Some(b.region_code),
            parent_id: b.parent_id,
            industry: b.industry,
            ownership: b.ownership,
            chain_leader: b.chain_leader,
            size: b.size,
            address: b.address,
            contact: b.contact,
        }
    }
}

/// Creates an organisation.
#[utoipa::path(post, path = "/api/v1/orgs", tag = "orgs", request_body = OrgBody,
    responses((status = 201, body = Org), (status = 409, description = "duplicate 统一社会信用代码 or name", body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_org(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser<OrgEditor>,
    ApiJson(b): ApiJson<OrgBody>,
) -> Result<(StatusCode, Json<Org>), ApiError> {
    let o = st.svc.create_org(&ctx.actor, &b.into()).await?;
    Ok((StatusCode::CREATED, Json(o)))
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

/// One organisation (404 if it does not exist or is outside the caller's scope).
#[utoipa::path(get, path = "/api/v1/orgs/{id}", tag = "orgs", params(("id" = i64, Path)), responses((status = 200, body = Org), (status = 404, body = ErrorBody)))]
async fn get_org(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser<OrgReader>,
    Path(id): Path<String>,
) -> Result<Json<Org>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    Ok(Json(st.svc.get_org(&ctx.actor, id).await?))
}

/// Fields to change; absent fields keep their value.
#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct OrgPatchBody {
    name: Option<String>,
    kind: Option<String>,
    uscc: Option<String>,
    region_code: Option<String>,
    /// null clears the parent.
    parent_id: Option<i64>,
    industry: Option<String>,
    ownership: Option<String>,
    chain_leader: Option<bool>,
    size: Option<String>,
    address: Option<String>,
    contact: Option<String>,
    /// The version last read; a stale version answers 409.
    version: Option<i64>,
}

/// Changes an organisation.
#[utoipa::path(patch, path = "/api/v1/orgs/{id}", tag = "orgs", params(("id" = i64, Path)), request_body = OrgPatchBody,
    responses((status = 200, body = Org), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_org(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser<OrgReader>,
    Path(id): Path<String>,
    ApiJson(p): ApiJson<OrgPatch>,
) -> Result<Json<Org>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    Ok(Json(st.svc.update_org(&ctx.actor, id, &p).await?))
}

/// Deletes an organisation without units or accounts below it.
#[utoipa::path(delete, path = "/api/v1/orgs/{id}", tag = "orgs", params(("id" = i64, Path)), responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn delete_org(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser<OrgEditor>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    st.svc.delete_org(&ctx.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct UserPage {
    items: Vec<User>,
    total: i64,
}

/// All accounts (administrators only).
#[utoipa::path(get, path = "/api/v1/users", tag = "users", responses((status = 200, body = UserPage), (status = 403, body = ErrorBody)))]
async fn list_users(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser<Admin>,
) -> Result<Json<UserPage>, ApiError> {
    let items = st.svc.list_users(&ctx.actor).await?;
    Ok(Json(UserPage {
        total: items.len() as i64,
        items,
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUserBody {
    username: String,
    display_name: Option<String>,
    /// sysadmin, city, district, town, department, unit, expert or worker.
    role: String,
    /// A region code, a 统一社会信用代码 or an org id.
    org: String,
    password: String,
    /// Where notifications are e-mailed (optional).
    email: Option<String>,
}

fn parse_role(s: &str) -> Result<Role, AppError> {
    Role::from_any(s).ok_or_else(|| {
        AppError::invalid(gongjiang_domain::FieldError::new(
            "role",
            gongjiang_domain::Rule::UnknownValue,
            format!("未知角色“{s}”,应为 sysadmin、city、district、town、department、unit、expert、worker 之一"),
            format!("unknown role '{s}'"),
        ))
    })
}

/// Creates an account.
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = NewUserBody, responses((status = 201, body = User), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_user(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser<Admin>,
    ApiJson(b): ApiJson<NewUserBody>,
) -> Result<(StatusCode, Json<User>), ApiError> {
    let role = parse_role(&b.role)?;
    // The address is checked before the account is made, so a bad one creates nothing.
    let email = b.email.as_deref().unwrap_or("");
    gongjiang_storage::users::parse_email(email)
        .map_err(|e| ApiError(AppError::invalid(e), ctx.lang))?;
    let mut u = st
        .svc
        .create_user(
            &ctx.actor,
            &b.username,
            b.display_name.as_deref().unwrap_or(""),
            role,
            &b.org,
            &b.password,
            false,
        )
        .await?;
    if !email.trim().is_empty() {
        u = st.svc.set_user_email(&ctx.actor, u.id, email).await?;
    }
    Ok((StatusCode::CREATED, Json(u)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUserBody {
    display_name: Option<String>,
    role: Option<String>,
    org: Option<String>,
    disabled: Option<bool>,
    /// Where notifications are e-mailed; "" clears it.
    email: Option<String>,
}

/// Changes an account's name, role, attachment or status.
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "users", params(("id" = i64, Path)), request_body = UpdateUserBody, responses((status = 200, body = User), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_user(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser<Admin>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<UpdateUserBody>,
) -> Result<Json<User>, ApiError> {
    let lang = ctx.lang;
    let id = parse_id(&id, lang)?;
    let e = |e: gongjiang_storage::StoreError| ApiError(e.into(), lang);
    let mut u = st.svc.get_user(&ctx.actor, id).await.map_err(e)?;
    if let Some(m) = &b.email {
        gongjiang_storage::users::parse_email(m)
            .map_err(|er| ApiError(AppError::invalid(er), lang))?;
    }
    if b.display_name.is_some() || b.role.is_some() || b.org.is_some() {
        let role = match &b.role {
            Some(r) => parse_role(r)?,
            None => u.role_enum(),
        };
        let org = b.org.clone().unwrap_or_else(|| {
            u.org_id
                .map(|o| o.to_string())
                .or(u.region_code.clone())
                .unwrap_or_default()
        });
        let name = b.display_name.clone().unwrap_or(u.display_name.clone());
        u = st
            .svc
            .assign_user(&ctx.actor, id, &name, role, &org)
            .await
            .map_err(e)?;
    }
    if let Some(d) = b.disabled {
        u = st
            .svc
            .set_user_disabled(&ctx.actor, id, d)
            .await
            .map_err(e)?;
    }
    if let Some(m) = &b.email {
        u = st.svc.set_user_email(&ctx.actor, id, m).await.map_err(e)?;
    }
    Ok(Json(u))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordBody {
    new_password: String,
}

/// Sets a new password (the user must change it at next sign-in; their sessions end).
#[utoipa::path(post, path = "/api/v1/users/{id}/password", tag = "users", params(("id" = i64, Path)), request_body = PasswordBody, responses((status = 204), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn reset_password(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser<Admin>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<PasswordBody>,
) -> Result<StatusCode, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    st.svc
        .reset_password(&ctx.actor, id, &b.new_password)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct AuditQuery {
    pub username: Option<String>,
    /// create, update, delete, login, login_failed, logout, role_change, …
    pub action: Option<String>,
    /// org, user, …
    pub entity_kind: Option<String>,
    pub entity_id: Option<String>,
    /// YYYY-MM-DD (inclusive, China Standard Time).
    pub from: Option<String>,
    /// YYYY-MM-DD (inclusive).
    pub to: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

fn day_ms(s: &str, field: &str, end: bool) -> Result<Option<i64>, AppError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let d = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
        AppError::invalid(gongjiang_domain::FieldError::new(
            field,
            gongjiang_domain::Rule::BadFormat,
            format!("日期“{s}”格式应为 YYYY-MM-DD"),
            format!("date '{s}' must be YYYY-MM-DD"),
        ))
    })?;
    let d = if end { d.succ_opt().unwrap_or(d) } else { d };
    Ok(d.and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc().timestamp_millis() - 8 * 3600 * 1000))
}

impl AuditQuery {
    pub fn filter(&self) -> Result<audit::Filter, AppError> {
        let nz = |o: &Option<String>| {
            o.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        Ok(audit::Filter {
            username: nz(&self.username).map(|u| u.to_ascii_lowercase()),
            action: nz(&self.action),
            entity_kind: nz(&self.entity_kind),
            entity_id: nz(&self.entity_id),
            from_ms: day_ms(self.from.as_deref().unwrap_or(""), "from", false)?,
            to_ms: day_ms(self.to.as_deref().unwrap_or(""), "to", true)?,
            changes_only: false,
            page: self.page.unwrap_or(1),
            per_page: self.per_page.unwrap_or(50),
        })
    }
}

#[derive(Serialize, ToSchema)]
pub struct AuditPage {
    items: Vec<Entry>,
    total: i64,
    page: i64,
    per_page: i64,
}

/// The audit log, newest first (sysadmin and city).
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditQuery), responses((status = 200, body = AuditPage), (status = 403, body = ErrorBody)))]
async fn audit_log(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser<AuditReader>,
    q: Result<Query<AuditQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<AuditPage>, ApiError> {
    let Query(q) = q.map_err(|e| {
        ApiError(
            AppError::bad_request(
                Code::BadQuery,
                format!("查询参数错误：{e}"),
                format!("bad query: {e}"),
            ),
            ctx.lang,
        )
    })?;
    let f = q.filter()?;
    let p = st.svc.audit_log(&ctx.actor, &f).await?;
    Ok(Json(AuditPage {
        items: p.items,
        total: p.total,
        page: p.page,
        per_page: p.per_page,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct VerifyResult {
    intact: bool,
    entries: Option<i64>,
    broken_at: Option<i64>,
    reason: Option<String>,
}

/// Checks the audit log's hash chain.
#[utoipa::path(get, path = "/api/v1/audit/verify", tag = "audit", responses((status = 200, body = VerifyResult)))]
async fn audit_verify(
    State(st): State<AppState>,
    ApiUser(..): ApiUser<AuditReader>,
) -> Result<Json<VerifyResult>, ApiError> {
    let v = st.svc.verify_audit().await?;
    Ok(Json(match v {
        audit::Verdict::Intact { entries } => VerifyResult {
            intact: true,
            entries: Some(entries),
            broken_at: None,
            reason: None,
        },
        audit::Verdict::Broken { seq, reason } => VerifyResult {
            intact: false,
            entries: None,
            broken_at: Some(seq),
            reason: Some(reason),
        },
    }))
}

/// This document (OpenAPI 3.1).
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "meta", security(()), responses((status = 200, description = "the OpenAPI document")))]
async fn openapi_json() -> Response {
    Json(openapi()).into_response()
}

/// The Content-Security-Policy of the API docs page: the console's, except that Swagger
/// UI shows its icons as `data:` images.
pub const DOCS_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; \
base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

async fn docs() -> impl IntoResponse {
    (
        [(axum::http::header::CONTENT_SECURITY_POLICY, DOCS_CSP)],
        Html(
            r#"<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>gongjiang API</title>
<link rel="stylesheet" href="/assets/swagger-ui.css"></head><body><div id="swagger"></div>
<script src="/assets/swagger-ui-bundle.js"></script>
<script src="/assets/app.js"></script></body></html>"#,
        ),
    )
}

pub fn set_session_cookie(token: &str, max_age: u64, secure: bool) -> String {
    set_cookie(crate::auth::SESSION_COOKIE, token, Some(max_age), secure)
}
