//! The error catalogue: every stable error code the API answers with, and its default
//! Chinese and English text. Codes are part of the API contract (clients match on them);
//! a use case that needs a more precise message passes its own text and keeps the code.
//! Field-level rules (`required`, `too_long`, …) are [`crate::Rule`]s, not codes here.
//!
//! To add a code: one line below. Nothing else names codes as strings.

macro_rules! catalogue {
    ($($variant:ident = $code:literal, $zh:literal, $en:literal;)*) => {
        /// A stable error code (`snake_case` on the wire).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Code {
            $($variant,)*
        }

        impl Code {
            /// Every code, for documentation and tests.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The code on the wire.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $code,)*
                }
            }

            /// The default Chinese text.
            pub const fn zh(self) -> &'static str {
                match self {
                    $(Code::$variant => $zh,)*
                }
            }

            /// The default English text.
            pub const fn en(self) -> &'static str {
                match self {
                    $(Code::$variant => $en,)*
                }
            }
        }
    };
}

catalogue! {
    BadAction = "bad_action", "未知操作", "unknown action";
    BadFilter = "bad_filter", "筛选条件无效", "invalid filter";
    BadQuery = "bad_query", "查询参数错误", "bad query";
    BadTransition = "bad_transition", "报表当前状态下不能执行此操作", "the report cannot do that in its current state";
    BadUpload = "bad_upload", "上传内容有误", "bad upload";
    BodyExists = "body_exists", "该区域已设有联席会议", "the region has a joint meeting body already";
    CaseLocked = "case_locked", "只有草稿或被退回的事项可以修改", "only drafts and returned cases can be edited";
    CaseNotInNotice = "case_not_in_notice", "该事项不在公示期，不能提出异议", "objections are taken only while the case is on public notice";
    CaseNotInScoring = "case_not_in_scoring", "该事项不在专家评审阶段", "the case is not in expert scoring";
    CaseOpen = "case_open", "该任务的销号申请正在审核中", "the task's completion report is already under review";
    CaseWrongState = "case_wrong_state", "该事项当前状态下不能执行此操作", "the case cannot do that in its current state";
    ConflictOfInterest = "conflict_of_interest", "与被评对象有关联，应当回避", "related to the one being judged; must recuse";
    ContactEnded = "contact_ended", "该联系点已结束，不能再修改", "the contact point has ended; it can no longer be changed";
    ContactExists = "contact_exists", "该干部已是该企业的联系干部", "the official is already the enterprise's contact";
    ContestLocked = "contest_locked", "竞赛成绩已锁定，不能再次锁定或修改成绩", "the contest's marks are locked already";
    ContestState = "contest_state", "竞赛当前状态下不能执行此操作", "the contest cannot do that in its current state";
    CsrfFailed = "csrf_failed", "表单已失效（缺少或错误的 CSRF 令牌），请刷新页面后重试", "the form has expired (missing or wrong CSRF token); reload and try again";
    DecisionAssigned = "decision_assigned", "该议定事项已转为任务", "this decision has already become a task";
    DraftExists = "draft_exists", "该方案已有未发布的草稿版本，请直接编辑草稿", "This scheme has an unpublished draft already; edit it";
    Duplicate = "duplicate", "与已有单位重复（统一社会信用代码或名称）", "duplicates an existing organisation";
    DuplicateDesignation = "duplicate_designation", "该单位当年已有同类型、同级别的认定记录", "this organisation already holds that title at that level in that year";
    DuplicateName = "duplicate_name", "同一区划下已有同名单位", "an organisation of that name exists in the region";
    DuplicatePilot = "duplicate_pilot", "该单位已有同一级别的试点记录", "this organisation already has a pilot at that level";
    DuplicateUscc = "duplicate_uscc", "统一社会信用代码已被其他单位使用", "the USCC is used by another organisation";
    DuplicateUsername = "duplicate_username", "用户名已存在", "the user name exists already";
    ExpertAssigned = "expert_assigned", "该专家已分配到本次考核", "the expert is assigned to this round already";
    ExportFailed = "export_failed", "导出失败", "the export failed";
    FileStoreUnavailable = "file_store_unavailable", "文件存储暂不可用，请稍后重试", "the file store is unavailable; try again later";
    Forbidden = "forbidden", "您的角色无权执行此操作", "your role may not do this";
    HasChildren = "has_children", "该单位下还有下属单位，不能删除", "the organisation still has units below it";
    HasRecords = "has_records", "该单位还有其他记录，请先删除或转移", "other records still refer to this organisation; delete or move them first";
    HasUsers = "has_users", "还有用户账号属于该单位，不能删除", "user accounts still belong to this organisation";
    ImportInterrupted = "import_interrupted", "导入任务已被判定为中断（服务进程失联），本次导入未写入任何数据，请重新上传", "the import job was declared interrupted (its server stopped answering); nothing was written, upload the file again";
    InnovationFinal = "innovation_final", "成果已提交审核或已认定，不能修改；如需更正，请审核人先退回", "the result is in review or approved and cannot be changed; the reviewer must return it first";
    Internal = "internal", "服务器内部错误，请稍后重试", "internal error, please try again";
    Invalid = "invalid", "输入有误", "invalid input";
    InvalidCredentials = "invalid_credentials", "用户名或密码错误", "wrong username or password";
    ItemNotSubmitted = "item_not_submitted", "该项不在待审核状态（可能刚刚已被他人审核）", "the item is not awaiting review (someone may have just reviewed it)";
    LiuyouLocked = "liuyou_locked", "该项已提交或已通过，不能修改", "the item is submitted or accepted and cannot be changed";
    MailUnavailable = "mail_unavailable", "邮件服务暂不可用，请稍后重试", "the mail service is unavailable; try again later";
    MalformedForm = "malformed_form", "表单格式错误", "malformed form";
    MalformedJson = "malformed_json", "请求体不是有效的 JSON", "the body is not valid JSON";
    NotAPilot = "not_a_pilot", "不是试点单位，无需填报六有", "only pilot units keep the 六有 checklist";
    NotFound = "not_found", "记录不存在", "not found";
    NotTaskOwner = "not_task_owner", "只有责任单位可以申请任务销号", "only the owner unit reports a task completed";
    NotTheTarget = "not_the_target", "自评由被考核对象本身填报", "The self-report is filled in by the target itself";
    NotYourStep = "not_your_step", "当前环节不由您办理", "this step is not yours to act on";
    NoticeRunning = "notice_running", "公示期尚未结束，期满后方可作出决定", "the public notice has not run its days yet; decide when it ends";
    ObjectionAnswered = "objection_answered", "该异议已处理", "this objection has been answered already";
    ObjectionUpheld = "objection_upheld", "有异议经核查成立，不能通过；请退回修改或不予通过", "an objection was upheld: return or reject the case instead";
    ObjectionsOpen = "objections_open", "公示期间收到的异议尚未全部处理，请先逐条填写处理意见", "answer every objection lodged during the notice first";
    OwnSubmission = "own_submission", "不能审核本人提交的事项", "you cannot review your own submission";
    PairEnded = "pair_ended", "该结对已结束，不能再修改", "the pair has ended; it can no longer be changed";
    PairExists = "pair_exists", "两家单位已结对", "the two organisations are paired already";
    PairNotYours = "pair_not_yours", "只有结对双方或其辖区工作人员可以记录活动", "only the paired enterprises or staff of their area can record activities";
    PasswordChangeRequired = "password_change_required", "您的密码已被重置，请先修改密码（POST /api/v1/me/password 或控制台“修改密码”）", "your password was reset: change it first (POST /api/v1/me/password or the console's Change password)";
    PayloadTooLarge = "payload_too_large", "请求内容过大", "the request body is too large";
    ProblemNotYours = "problem_not_yours", "只有辖区工作人员或该企业的联系干部可以办理问题", "only region staff of the area or the enterprise's official can work on its problems";
    ProblemWrongState = "problem_wrong_state", "问题当前状态下不能执行此操作", "the problem cannot do that in its current state";
    ReportNotEditable = "report_not_editable", "该报表当前状态下不能修改；如需更正，请审核人先退回", "the report cannot be changed in its state; the reviewer must return it first";
    ReviewNotLevelAbove = "review_not_level_above", "只有填报单位所在区域或其上级区域的工作人员可以审核或退回该报表", "only staff of the reporting unit's area or above may review or return the report";
    ReviewOwnSubmission = "review_own_submission", "该报表由您本人报送，不能由您审核或退回", "you submitted this report; someone else must review it";
    RoundClosed = "round_closed", "考核已结束评分，不能再修改（如需更正请由市产改办重新开启）", "The round is closed; the city can reopen it for corrections";
    RoundExists = "round_exists", "该年度的考核已存在", "a round for that year exists already";
    RoundOpen = "round_open", "考核仍在进行（自评和评分未截止）：请先结束评分再发布结果", "The round is still open: close it before publishing";
    RoundState = "round_state", "考核当前状态下不能执行此操作", "the round cannot do that in its current state";
    ScoringIncomplete = "scoring_incomplete", "专家评审尚未完成：还有专家未评分，或评分专家人数不足", "expert scoring is not complete: an assigned expert has not scored, or too few have";
    SelfDemotion = "self_demotion", "不能取消自己的系统管理员角色", "you cannot remove your own administrator role";
    SelfDisable = "self_disable", "不能停用自己的账号", "you cannot disable your own account";
    SelfReportLocked = "self_report_locked", "自评已提交并锁定，不能再修改", "The self-report is submitted and locked";
    StaleVersion = "stale_version", "该记录已被他人修改，请刷新后再编辑", "someone else changed this record; reload and edit again";
    StillReferenced = "still_referenced", "该记录仍被其他记录引用，不能删除；请先删除或转移引用它的记录", "other records still refer to this one; delete or move them first";
    TaskCancelled = "task_cancelled", "该任务已撤销，不能再办理", "the task was cancelled; nothing more can be done on it";
    TaskClosed = "task_closed", "该任务已完成或已撤销", "the task is done or cancelled";
    TaskDone = "task_done", "该任务已完成，不能再报告进展", "the task is done; no more progress reports";
    TaskLevel = "task_level", "只有设立任务的层级或更高层级可以确认完成或督办", "only the level that set the task, or a higher one, confirms or supervises it";
    TaskNotEditable = "task_not_editable", "只有设立任务的层级或更高层级可以修改或撤销", "only the level that set the task, or a higher one, edits or cancels it";
    TaskNotOwner = "task_not_owner", "只有责任单位或其所在区域的产改办可以报告进展", "only the owner unit or its area office reports progress";
    TooManyRequests = "too_many_requests", "请求过于频繁，请稍后再试", "too many requests; try again later";
    Unauthorized = "unauthorized", "未登录或登录已过期", "not signed in, or the session has expired";
    UnitKeepsOwn = "unit_keeps_own", "该单位有自己的账号，六有由单位自行填报；您可以审核其提交的内容", "this unit has its own account and keeps its 六有 itself; you review what it submits";
    UnsupportedMediaType = "unsupported_media_type", "请求须为 JSON(Content-Type: application/json)", "the request body must be JSON (Content-Type: application/json)";
    VersionFrozen = "version_frozen", "该版本已发布并冻结，不能修改；请基于它新建草稿版本", "the version is published and frozen; start a new draft from it";
    VisitNotYours = "visit_not_yours", "只有走访记录的登记人或该企业所在区域及上级的工作人员可以修改", "only the author of a visit or region staff over the enterprise may correct it";
    WorkerElsewhere = "worker_elsewhere", "该身份证号已登记在您管辖范围以外的单位", "this ID number is registered with an organisation outside your area";
}

impl Code {
    /// The default text in Chinese, or English when `en`.
    pub const fn text(self, en: bool) -> &'static str {
        if en {
            self.en()
        } else {
            self.zh()
        }
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::Code;
    use std::collections::HashSet;

    #[test]
    fn codes_are_unique_snake_case_with_both_texts() {
        let mut seen = HashSet::new();
        for c in Code::ALL {
            let s = c.as_str();
            assert!(seen.insert(s), "{s} twice");
            assert!(
                s.chars().all(|ch| ch.is_ascii_lowercase() || ch == '_'),
                "{s}"
            );
            assert!(!c.zh().is_empty() && !c.en().is_empty(), "{s}");
            assert!(
                c.zh().chars().any(|ch| ch > '\u{2e80}'),
                "{s}: Chinese text"
            );
        }
    }
}
