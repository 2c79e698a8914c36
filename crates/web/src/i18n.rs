//! Interface languages. Chinese is the default; `?lang=en`, the `gj_lang` cookie or the
//! browser's Accept-Language select English.
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

tokio::task_local! {
    /// The request's language, resolved once by [`crate::with_lang`] for the whole
    /// request: errors raised with plain `?` render in it.
    static LANG: Lang;
}

impl Lang {
    /// The language of the request being answered (Chinese outside a request).
    pub fn current() -> Lang {
        LANG.try_with(|l| *l).unwrap_or_default()
    }

    /// Runs `f` with `lang` as the request's language.
    pub async fn scope<F: std::future::Future>(lang: Lang, f: F) -> F::Output {
        LANG.scope(lang, f).await
    }

    pub fn is_en(self) -> bool {
        self == Lang::En
    }
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }
    pub fn html_lang(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// From the query string, cookie and Accept-Language, in that order.
    pub fn detect(parts: &Parts) -> Lang {
        Lang::detect_from(&parts.uri, &parts.headers)
    }

    pub fn detect_from(uri: &axum::http::Uri, headers: &axum::http::HeaderMap) -> Lang {
        if let Some(q) = uri.query() {
            for (k, v) in url::form_urlencoded::parse(q.as_bytes()) {
                if k == "lang" {
                    return if v == "en" { Lang::En } else { Lang::Zh };
                }
            }
        }
        if let Some(v) = crate::auth::cookie(headers, "gj_lang") {
            return if v == "en" { Lang::En } else { Lang::Zh };
        }
        if let Some(al) = headers.get("accept-language").and_then(|v| v.to_str().ok()) {
            // The first language listed wins (browsers order by preference).
            let first = al
                .split(',')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            if first.starts_with("en") {
                return Lang::En;
            }
        }
        Lang::Zh
    }

    /// The language set explicitly by `?lang=` (to be remembered in a cookie).
    pub fn from_query(parts: &Parts) -> Option<Lang> {
        let q = parts.uri.query()?;
        url::form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "lang")
            .map(|(_, v)| if v == "en" { Lang::En } else { Lang::Zh })
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Lang::detect(parts))
    }
}

/// The translator handed to templates: `{{ t.s("nav.orgs") }}`.
#[derive(Debug, Clone, Copy)]
pub struct T(pub Lang);

impl T {
    pub fn s(&self, key: &str) -> String {
        lookup(self.0, key).to_string()
    }
    pub fn en(&self) -> bool {
        self.0.is_en()
    }
    pub fn lang(&self) -> &'static str {
        self.0.code()
    }
    pub fn html_lang(&self) -> &'static str {
        self.0.html_lang()
    }
    /// Punctuation a template puts between interface words and values: full-width in
    /// Chinese (`状态：草稿`, `议定事项（每行一项）`), ASCII in English.
    pub fn colon(&self) -> &'static str {
        if self.en() {
            ":"
        } else {
            "："
        }
    }
    pub fn comma(&self) -> &'static str {
        if self.en() {
            ","
        } else {
            "，"
        }
    }
    /// Opening parenthesis (see [`T::colon`]).
    pub fn lp(&self) -> &'static str {
        if self.en() {
            "("
        } else {
            "（"
        }
    }
    /// Closing parenthesis (see [`T::colon`]).
    pub fn rp(&self) -> &'static str {
        if self.en() {
            ")"
        } else {
            "）"
        }
    }
    /// 1,020 — grouped digits in both languages.
    pub fn num(&self, n: &i64) -> String {
        group(*n)
    }
    /// 2024年4月1日 14:05 / 2024-04-01 14:05 (local time of the server, China Standard Time).
    pub fn datetime(&self, ms: &i64) -> String {
        let Some(off) = chrono::FixedOffset::east_opt(8 * 3600) else {
            return String::new();
        };
        let Some(t) = chrono::DateTime::from_timestamp_millis(*ms).map(|t| t.with_timezone(&off))
        else {
            return String::new();
        };
        if self.en() {
            t.format("%Y-%m-%d %H:%M").to_string()
        } else {
            format!(
                "{}年{}月{}日 {}",
                t.format("%Y"),
                t.format("%-m"),
                t.format("%-d"),
                t.format("%H:%M")
            )
        }
    }
    pub fn opt_datetime(&self, ms: &Option<i64>) -> String {
        ms.map(|m| self.datetime(&m)).unwrap_or_else(|| "—".into())
    }
}

pub fn group(n: i64) -> String {
    let s = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

fn table() -> &'static HashMap<&'static str, (&'static str, &'static str)> {
    static T: OnceLock<HashMap<&'static str, (&'static str, &'static str)>> = OnceLock::new();
    T.get_or_init(|| {
        MESSAGES
            .iter()
            .map(|(k, zh, en)| (*k, (*zh, *en)))
            .collect()
    })
}

pub fn lookup(lang: Lang, key: &str) -> &str {
    match table().get(key) {
        Some((zh, en)) => {
            if lang.is_en() {
                en
            } else {
                zh
            }
        }
        None => key,
    }
}

/// key, 中文, English
pub const MESSAGES: &[(&str, &str, &str)] = &[
    ("tasks.new", "新建任务", "New task"),
    ("tasks.year", "年度", "Year"),
    ("tasks.title", "任务名称", "Task"),
    ("tasks.description", "任务内容", "Description"),
    ("tasks.owner", "责任单位", "Owner unit"),
    ("tasks.owner_hint", "单位 ID 或统一社会信用代码", "Organisation id or credit code"),
    ("tasks.region", "牵头区域", "Lead region"),
    ("tasks.region_hint", "区划代码，默认为本级", "Region code; yours by default"),
    ("tasks.deadline", "完成时限", "Deadline"),
    ("tasks.deadline_hint", "YYYY-MM-DD", "YYYY-MM-DD"),
    ("tasks.target", "量化目标", "Measurable target"),
    ("tasks.target_hint", "如：新增高技能人才 500 名", "e.g. 500 new high-skilled workers"),
    ("tasks.target_value", "目标值", "Target value"),
    ("tasks.target_unit", "计量单位", "Unit"),
    ("tasks.status", "状态", "Status"),
    ("tasks.progress", "进度", "Progress"),
    ("tasks.progress_pct", "完成进度（%）", "Percent complete"),
    ("tasks.achieved", "已完成值", "Achieved"),
    ("tasks.by_status", "任务状态分布", "Tasks by status"),
    ("tasks.by_unit", "各责任单位任务完成情况", "Completion by owner unit"),
    ("tasks.completion_by_unit", "责任单位完成率", "Completion rate by owner unit"),
    ("tasks.total", "任务数", "Tasks"),
    ("tasks.done", "已完成", "Done"),
    ("tasks.overdue", "已逾期", "Overdue"),
    ("tasks.rate", "完成率", "Completion rate"),
    ("tasks.alerts", "逾期与督办任务", "Overdue and supervised tasks"),
    ("tasks.supervised", "督办", "Supervised"),
    ("tasks.supervised_only", "仅督办任务", "Supervised only"),
    ("tasks.supervised_badge", "督办", "督办 (supervised)"),
    ("tasks.supervise", "督办", "Supervise (督办)"),
    ("tasks.supervise_note", "督办意见", "Supervision note"),
    ("tasks.from_meeting", "来自联席会议", "From a joint meeting"),
    ("tasks.creator_level", "设立层级", "Set at level"),
    ("tasks.done_at", "确认完成", "Marked done"),
    ("tasks.report", "报告进展", "Report progress"),
    ("tasks.report_date", "报告日期", "Report date"),
    ("tasks.note", "进展情况", "Progress note"),
    ("tasks.evidence", "佐证材料链接", "Evidence link"),
    ("tasks.report_submit", "提交进展", "Submit report"),
    ("tasks.reports", "进展报告", "Progress reports"),
    ("tasks.no_reports", "尚未报告进展", "No progress reported yet"),
    ("tasks.close", "确认完成 / 督办", "Done / supervise"),
    ("tasks.mark_done", "确认完成", "Mark done"),
    ("tasks.confirm_done", "确认该任务已完成吗？完成后计入完成率，不能再报告进展。", "Mark this task done? It counts towards the completion rate and takes no more reports."),
    ("tasks.need_integer", "须为整数", "must be a whole number"),
    ("meetings.new", "记录会议", "Record a meeting"),
    ("meetings.level", "层级", "Level"),
    ("meetings.title", "会议名称", "Meeting"),
    ("meetings.date", "会议日期", "Date"),
    ("meetings.place", "会议地点", "Place"),
    ("meetings.body", "联席会议", "Joint-meeting body"),
    ("meetings.bodies", "联席会议及成员单位", "Bodies and member units"),
    ("meetings.members", "成员单位", "Member units"),
    ("meetings.member", "成员单位", "Member unit"),
    ("meetings.present", "出席", "Present"),
    ("meetings.agenda", "会议议程", "Agenda"),
    ("meetings.attendance", "出席情况", "Attendance"),
    ("meetings.attendee", "出席人", "Attendee"),
    ("meetings.minutes", "会议纪要", "Minutes"),
    ("meetings.decisions", "议定事项", "Decisions"),
    ("meetings.decision", "议定事项", "Decision"),
    ("meetings.task", "转办任务", "Task"),
    ("meetings.to_task", "转为任务", "Turn into a task"),
    ("meetings.no_task", "尚未转为任务", "Not a task yet"),
    ("meetings.one_per_line", "每行一项", "one per line"),
    ("app.name", "工匠 · 产改工作平台", "gongjiang · Workforce Reform Platform"),
    ("app.short", "工匠", "gongjiang"),
    ("app.tagline", "产业工人队伍建设改革工作平台", "Industrial workforce reform platform"),
    ("nav.home", "首页", "Home"),
    ("nav.g.work", "工作体系", "Work system"),
    ("nav.orgs", "组织架构", "Organisations"),
    ("nav.meetings", "联席会议", "Joint meetings"),
    ("nav.tasks", "年度任务清单", "Annual task list"),
    ("nav.contacts", "企业联系点", "Enterprise contact points"),
    ("nav.policies", "政策文件库", "Policy library"),
    ("nav.g.pilots", "试点管理", "Pilots"),
    ("nav.pilots", "试点企业与园区", "Pilot enterprises & parks"),
    ("nav.liuyou", "六有建设", "The six essentials (六有)"),
    ("nav.pairs", "结对共建", "Pairing"),
    ("contacts.intro", "联系干部定点联系企业，走访听取企业负责人和职工的诉求，问题逐项交办、限时办结（双沟通双促进）。", "Officials keep in touch with assigned enterprises, hear their heads and workers, and track every problem raised to its resolution."),
    ("contacts.raise", "反映问题", "Raise a problem"),
    ("contacts.log_visit", "登记走访", "Log a visit"),
    ("contacts.assign", "指派联系干部", "Assign an official"),
    ("contacts.year", "年度", "Year"),
    ("contacts.visits", "走访次数", "Visits"),
    ("contacts.raised", "提出问题", "Raised"),
    ("contacts.resolved", "已解决", "Resolved"),
    ("contacts.by_area", "各地区走访与问题", "Visits and problems by area"),
    ("contacts.by_category", "问题类别（提出/解决）", "Problems by category (raised / resolved)"),
    ("contacts.by_status", "问题办理状态", "Problems by status"),
    ("contacts.recent_visits", "最近走访", "Recent visits"),
    ("contacts.problems", "企业反映的问题", "Problems raised"),
    ("contacts.status", "状态", "Status"),
    ("contacts.category", "问题类别", "Category"),
    ("contacts.search", "企业或问题", "Enterprise or text"),
    ("contacts.org", "企业", "Enterprise"),
    ("contacts.org_help", "企业ID或统一社会信用代码", "Enterprise id or unified social credit code"),
    ("contacts.description", "问题描述", "Description"),
    ("contacts.source", "问题来源", "Source"),
    ("contacts.raised_on", "提出日期", "Raised on"),
    ("contacts.days", "解决用时（天）", "Days to resolve"),
    ("contacts.points", "联系点与联系干部", "Contact points and officials"),
    ("contacts.official", "联系干部", "Official"),
    ("contacts.official_username", "联系干部账号", "Official (user name)"),
    ("contacts.official_help", "区域工作人员或成员单位人员的登录账号", "User name of region or member-unit staff"),
    ("contacts.official_default", "不填则为本人", "Leave empty for yourself"),
    ("contacts.period", "联系期限", "Period"),
    ("contacts.note", "备注", "Note"),
    ("contacts.active", "联系中", "Active"),
    ("contacts.ended", "已结束", "Ended"),
    ("contacts.responsible_unit", "责任单位", "Responsible unit"),
    ("contacts.resolution", "解决情况", "Resolution"),
    ("contacts.resolution_help", "办结时必填", "Required to resolve"),
    ("contacts.resolved_on", "解决日期", "Resolved on"),
    ("contacts.close_reason", "关闭理由", "Reason for closing"),
    ("contacts.close_help", "关闭时必填（如不属于职责范围、企业撤回）", "Required to close"),
    ("contacts.visited_on", "走访日期", "Visit date"),
    ("contacts.form", "走访形式", "Form"),
    ("contacts.summary", "走访情况", "Summary"),
    ("contacts.start_on", "开始日期", "Start"),
    ("contacts.end_on", "结束日期", "End"),
    ("pairs.new", "新建结对", "New pair"),
    ("pairs.kind", "结对类型", "Kind"),
    ("pairs.chain", "产业链", "Chain"),
    ("pairs.region", "地区", "Area"),
    ("pairs.org_a", "甲方（国企/链主）", "Side A (state-owned / chain leader)"),
    ("pairs.org_b", "乙方（民企/配套）", "Side B (private / supplier)"),
    ("pairs.org_a_help", "企业ID或统一社会信用代码；国企↔民企须为国有企业，链主↔配套须为链主企业", "Id or credit code; state-owned for 国企↔民企, a chain leader for 链主↔配套"),
    ("pairs.org_b_help", "企业ID或统一社会信用代码；国企↔民企须为民营企业，链主↔配套须为配套企业", "Id or credit code; private for 国企↔民企, a supplier for 链主↔配套"),
    ("pairs.chain_help", "链主↔配套结对必填，如 新能源汽车", "Required for chain pairs, e.g. new-energy vehicles"),
    ("pairs.start_year", "起始年份", "Start year"),
    ("pairs.goals", "结对目标", "Goals"),
    ("pairs.activities", "共建活动", "Activities"),
    ("pairs.last_activity", "最近活动", "Latest activity"),
    ("pairs.graph_hint", "每条产业链一张关系图：大圆为链主（国企↔民企图中为国企），连线为结对；点击企业进入其详情页。", "One graph per chain: large nodes are chain leaders (state-owned enterprises in the 国企↔民企 graph), edges are pairs; click an enterprise to open it."),
    ("pairs.enterprises", "家企业", "enterprises"),
    ("pairs.pairs", "对结对", "pairs"),
    ("pairs.leader_node", "链主/国企", "Chain leader / state-owned"),
    ("pairs.partner_node", "配套/民企", "Supplier / private"),
    ("pairs.held_on", "活动日期", "Date"),
    ("pairs.activity_title", "活动名称", "Title"),
    ("pairs.participants", "参与人数", "Participants"),
    ("pairs.summary", "活动内容", "Summary"),
    ("pairs.add_activity", "记录共建活动", "Record an activity"),
    ("pairs.read_only", "只有结对双方或其辖区工作人员可以记录活动。", "Only the paired enterprises or staff of their area record activities."),
    // Correcting and closing records (tasks, meetings, contact points, pairs).
    ("tasks.edit", "修改任务", "Edit task"),
    ("tasks.owner_now", "当前责任单位", "Current owner unit"),
    ("tasks.cancelled_on", "任务已撤销，撤销时间", "Cancelled on"),
    ("tasks.cancel", "撤销任务", "Cancel task"),
    ("tasks.cancel_reason", "撤销理由", "Reason for cancelling"),
    ("tasks.cancel_help", "撤销后任务不再计入完成率，也不能再报告进展；责任单位会收到通知。", "A cancelled task leaves the completion rate and takes no more reports; the owner unit is notified."),
    ("tasks.confirm_cancel", "确认撤销该任务吗？撤销后不能恢复。", "Cancel this task? This cannot be undone."),
    ("meetings.edit", "修改会议记录", "Edit meeting record"),
    ("meetings.add_decisions", "补充议定事项", "Add decisions"),
    ("meetings.add_decisions_help", "已有的议定事项在会议页逐条更正；已转为任务的不再修改。", "Existing decisions are corrected one by one on the meeting page; those that became tasks stay as they are."),
    ("meetings.correct_decision", "更正文字", "Correct the text"),
    ("meetings.new_body", "设立联席会议", "Set up a body"),
    ("meetings.body_region", "所属区域", "Region"),
    ("meetings.body_region_help", "每个市、区、镇（街道）只设一个联席会议；这里只列出尚未设立的区域。", "One body per city, district or town; only regions without one are listed."),
    ("meetings.body_name", "联席会议名称", "Name"),
    ("meetings.body_name_help", "留空则为“区域名称+产业工人队伍建设改革联席会议”", "Empty: the region's name followed by 产业工人队伍建设改革联席会议"),
    ("meetings.edit_body", "调整名称和成员单位", "Edit name and member units"),
    ("meetings.keep_members", "成员单位（取消勾选即移出）", "Member units (untick to remove)"),
    ("meetings.add_members", "增加成员单位", "Add member units"),
    ("meetings.body_read_only", "只有本级或上级产改办可以调整联席会议。", "Only reform offices of this level or above edit the body."),
    ("meetings.body_meetings", "历次会议", "Meetings"),
    ("contacts.edit_point", "修改联系点", "Edit contact point"),
    ("contacts.reassign_help", "改派联系干部时填写新联系干部的账号", "To reassign, give the new official's user name"),
    ("contacts.planned_end_help", "计划结束日期，可留空；提前结束请用“结束联系”", "Planned end, optional; to end it now use End contact"),
    ("contacts.end", "结束联系", "End contact"),
    ("contacts.end_help", "不能晚于今天，不能早于开始日期和该联系干部最近一次走访；结束后不再接受此后的走访记录。", "Not after today, not before the start or the official's latest visit; no later visits are accepted."),
    ("contacts.end_reason", "结束原因", "Reason"),
    ("contacts.ended_point", "已结束联系", "Ended"),
    ("contacts.edit_visit", "修改走访记录", "Edit visit"),
    ("pairs.edit", "修改结对", "Edit pair"),
    ("pairs.end", "结束结对", "End pair"),
    ("pairs.ended", "已结束", "Ended"),
    ("pairs.ended_on", "结对结束日期", "Ended on"),
    ("pairs.end_reason", "结束原因", "Reason"),
    ("pairs.end_help", "不能晚于今天，不能早于起始年份和最近一次共建活动。", "Not after today, not before the start year or the latest activity."),
    ("pairs.show_ended", "显示已结束的结对", "Show ended pairs"),
    ("pairs.ended_hint", "虚线为已结束的结对。", "Dashed edges are ended pairs."),
    ("pairs.edit_activity", "修改共建活动", "Edit activity"),
    ("nav.g.assessment", "评价考核", "Assessment"),
    ("nav.schemes", "考核方案", "Schemes"),
    ("nav.selfreport", "自评与佐证", "Self-reports & evidence"),
    ("nav.scoring", "专家评分", "Expert scoring"),
    ("nav.results", "结果公布", "Published results"),
    // Assessment (评价考核)
    ("asm.add_child", "添加下级指标", "Add a sub-item"),
    ("asm.add_sibling", "在其后添加同级指标", "Add an item after this one"),
    ("asm.add_top", "添加一级指标", "Add a first-level item"),
    ("asm.assign", "分配", "Assign"),
    ("asm.assign_expert", "分配评审专家（用户名）", "Assign an expert (user name)"),
    ("asm.back_to_ranking", "返回排名", "Back to the ranking"),
    ("asm.breakdown", "得分明细", "Breakdown"),
    ("asm.by_experts", "专家评分", "Scored by experts"),
    ("asm.calculation", "计算过程", "Calculation"),
    ("asm.chart_hint", "点击柱子查看该对象的得分明细。", "Click a bar for that target's breakdown."),
    ("asm.close", "结束评分", "Close scoring"),
    ("asm.close_confirm", "结束后自评和专家评分都不能再修改，确定结束？", "Self-reports and scores cannot change after closing. Close?"),
    ("asm.code", "编号", "No."),
    ("asm.conflict.attached", "所属关联（自动回避）", "Attached (automatic recusal)"),
    ("asm.conflict.declared", "申报关联", "Declared"),
    ("asm.conflict.refused", "评分被拒（已回避）", "Scoring refused"),
    ("asm.conflict_kind", "回避类型", "Kind"),
    ("asm.conflicts", "利益冲突与回避记录", "Conflicts of interest and recusals"),
    ("asm.create_round", "创建考核", "Create the round"),
    ("asm.criteria", "评分标准", "Criteria"),
    ("asm.declare_conflict", "申报利益关联", "Declare a conflict"),
    ("asm.description", "说明", "Description"),
    ("asm.dropped", "（去掉）", "(dropped)"),
    ("asm.editor_hint", "指标树最多三级；每个指标的下级分值之和须等于该指标分值，一级指标合计100分。末级指标选择计分规则：达标项（是/否）、分档计分（参数写作“90:100, 80:80”）、按目标值比例（参数为目标值）、引用指标（选择指标并填写目标值）、专家评分（参数为满分，须填写评分标准）。", "At most three levels; the points of the sub-items of every item must add up to its points, the first level to 100. Leaves take a rule: checklist (yes/no), value bands (parameter '90:100, 80:80'), ratio to target (parameter = target), indicator (choose it, parameter = target), expert score (parameter = maximum; criteria required)."),
    ("asm.evidence", "佐证材料", "Evidence"),
    ("asm.expert", "专家", "Expert"),
    ("asm.experts", "评审专家", "Experts"),
    ("asm.first_publication", "首次发布", "First publication"),
    ("asm.from_indicator", "由指标库自动取数", "Taken from the indicator engine"),
    ("asm.frozen_hint", "此版本已发布并冻结，不能修改；如需调整请基于它新建草稿版本。引用它的考核不受影响。", "This version is published and frozen; start a new draft to change it. Rounds that reference it are unaffected."),
    ("asm.indicator", "指标", "Indicator"),
    ("asm.inputs", "数据与评分", "Inputs and scores"),
    ("asm.item", "指标", "Item"),
    ("asm.level", "层级", "Level"),
    ("asm.level1", "一级", "Level 1"),
    ("asm.level2", "二级", "Level 2"),
    ("asm.level3", "三级", "Level 3"),
    ("asm.mean", "平均分", "Mean"),
    ("asm.new_draft", "基于此版本新建草稿", "New draft from this version"),
    ("asm.new_round", "新建年度考核", "New yearly round"),
    ("asm.new_scheme", "新建考核方案", "New scheme"),
    ("asm.no", "否", "No"),
    ("asm.outlier", "（偏离）", "(outlier)"),
    ("asm.outlier_hint", "专家评分偏离其他专家评分中位数超过该项满分的20%", "A score further than 20 % of the maximum from the median of the other experts' scores"),
    ("asm.outliers", "偏离评分", "Outliers"),
    ("asm.param", "参数", "Parameter"),
    ("asm.param_hint", "目标值/满分/分档", "target / max / bands"),
    ("asm.points", "分值", "Points"),
    ("asm.points_unit", "分", "points"),
    ("asm.preview", "尚未发布：以下为按当前数据计算的预览，仅市产改办可见。", "Not published: a preview from the current data, visible to the city only."),
    ("asm.publish_confirm", "发布后此版本冻结，不能再修改。确定发布？", "Publishing freezes this version. Publish?"),
    ("asm.publish_results", "发布考核结果", "Publish the results"),
    ("asm.publish_version", "发布此版本", "Publish this version"),
    ("asm.published_by", "发布人", "Published by"),
    ("asm.rank", "名次", "Rank"),
    ("asm.ranking", "得分排名", "Ranking"),
    ("asm.reason", "原因", "Reason"),
    ("asm.recuse", "回避", "Recuse"),
    ("asm.recused", "回避", "Recused"),
    ("asm.recused_hint", "您与该对象存在关联，依规回避，不能为其评分。", "You are related to this target and may not score it."),
    ("asm.remove", "删除（含下级）", "Remove (with sub-items)"),
    ("asm.reopen", "重新开启（更正）", "Reopen for corrections"),
    ("asm.republish_reason", "重新发布原因（必填，原结果版本保留可查）", "Reason for re-publishing (required; the earlier version stays readable)"),
    ("asm.result_version", "结果版本", "Result version"),
    ("asm.result_versions", "结果版本", "Result versions"),
    ("asm.results_hint", "已发布的年度考核结果：排名、各项得分及每一分的来源。", "Published yearly results: ranking, item scores and where every point comes from."),
    ("asm.round_setup", "考核设置", "Round set-up"),
    ("asm.round_title", "考核名称", "Title"),
    ("asm.rounds", "年度考核", "Yearly rounds"),
    ("asm.rule", "计分规则", "Rule"),
    ("asm.rule.bands", "分档计分", "Value bands"),
    ("asm.rule.checklist", "达标项（是/否）", "Checklist (yes/no)"),
    ("asm.rule.expert", "专家评分", "Expert score"),
    ("asm.rule.indicator", "引用指标", "Indicator"),
    ("asm.rule.parent", "（有下级指标）", "(has sub-items)"),
    ("asm.rule.ratio", "按目标值比例", "Ratio to target"),
    ("asm.save", "保存", "Save"),
    ("asm.save_draft", "保存草稿", "Save the draft"),
    ("asm.save_scores", "保存评分", "Save scores"),
    ("asm.saved", "已保存。", "Saved."),
    ("asm.scheme", "考核方案", "Scheme"),
    ("asm.scheme_name", "方案名称", "Scheme name"),
    ("asm.scheme_version", "方案版本（已发布）", "Scheme version (published)"),
    ("asm.schemes", "考核方案", "Schemes"),
    ("asm.schemes_hint", "考核方案是带分值的指标树；编辑草稿版本，发布后冻结；年度考核引用已发布的版本。", "A scheme is an indicator tree with points; drafts are edited, publishing freezes a version; rounds reference published versions."),
    ("asm.scoring_form_hint", "请依据评分标准独立评分；评分结束前您只能看到自己的评分。与您有关联的对象已回避。", "Score independently by the criteria; until the round closes you see only your own scores. Targets you are related to are recused."),
    ("asm.scoring_hint", "分配给您的年度考核。", "The rounds you take part in."),
    ("asm.self_form_hint", "逐项填报数值和佐证材料说明；“提交”后锁定，不能再修改。", "Report each value with its evidence; 'Submit' locks the report."),
    ("asm.self_hint", "本单位（地区）需要填报自评的年度考核。", "Rounds in which you report for your area or unit."),
    ("asm.self_locked", "自评已提交锁定（或考核已结束），仅可查看。", "The self-report is submitted (or the round is closed): read only."),
    ("asm.self_status", "自评状态", "Self-report"),
    ("asm.status", "状态", "Status"),
    ("asm.status.closed", "评分结束", "Closed"),
    ("asm.status.draft", "草稿", "Draft"),
    ("asm.status.open", "进行中", "Open"),
    ("asm.status.published", "已发布", "Published"),
    ("asm.status.submitted", "已提交", "Submitted"),
    ("asm.status.accepted", "已审核", "Accepted"),
    ("asm.self_returned", "市产改办退回了自评，请修改后重新提交：", "The city returned the self-report for correction: "),
    ("asm.self_case", "审核事项与办理过程", "Review case and history"),
    ("asm.submit", "提交（锁定）", "Submit (lock)"),
    ("asm.submit_confirm", "提交后不能再修改，确定提交？", "The report cannot change after submitting. Submit?"),
    ("asm.submitted_at", "提交时间", "Submitted"),
    ("asm.superseded", "已被新版本取代", "Superseded"),
    ("asm.target", "考核对象", "Target"),
    ("asm.target_kind", "考核对象类型", "Target kind"),
    ("asm.targets", "考核对象", "Targets"),
    ("asm.targets_hint", "区划代码或组织编号，以逗号分隔；留空则为全部辖市（区）及功能区或全部成员单位", "Region codes or organisation ids, comma-separated; empty = every district and zone, or every member unit"),
    ("asm.top_total", "一级指标合计", "First level total"),
    ("asm.total", "总分", "Total"),
    ("asm.trimmed_mean", "去掉最高最低分后平均", "Trimmed mean"),
    ("asm.value", "填报值", "Value"),
    ("asm.version_no", "V", "v"),
    ("asm.versions", "版本", "Versions"),
    ("asm.when", "时间", "When"),
    ("asm.year", "年度", "Year"),
    ("asm.yes", "是", "Yes"),
    ("asm.you_are", "您的匿名编号", "You are"),
    ("asm.your_score", "您的评分", "Your score"),
    ("nav.g.skills", "技能形成", "Skills formation"),
    ("nav.workers", "职工与技能人才库", "Workers & skilled talent"),
    ("nav.training", "培训机构与班级", "Training institutions & classes"),
    ("nav.professors", "产业教授", "Industry professors"),
    ("nav.designations", "认定与荣誉", "Titles & honours"),
    ("nav.g.contribution", "建功立业", "Contribution platforms"),
    ("nav.contests", "劳动和技能竞赛", "Labour & skills contests"),
    ("nav.challenges", "揭榜挂帅", "Challenge board (揭榜挂帅)"),
    ("nav.innovations", "创新成果", "Innovation results"),
    ("nav.craftsmen", "工匠培育", "Craftsman cultivation"),
    ("nav.studios", "创新工作室", "Innovation studios"),
    ("nav.serviceteams", "劳模工匠助企行", "Model-worker service teams"),
    ("nav.g.rights", "维权服务", "Rights & services"),
    ("nav.contracts", "专项集体合同", "Innovation collective contracts"),
    ("nav.subsidies", "青春留常补贴", "Talent subsidies (青春留常)"),
    ("nav.projects", "实事项目", "Practical projects"),
    ("nav.delegates", "三代表三委员", "Delegates & committee members"),
    ("nav.g.data", "数据中心", "Data centre"),
    ("nav.reports", "统计报表", "Statistical reports"),
    ("nav.dashboard", "指标看板", "Indicator dashboard"),
    ("nav.imports", "导入导出", "Import & export"),
    ("nav.annual", "年度报告", "Annual report"),
    ("nav.g.system", "系统管理", "System"),
    ("nav.users", "用户与角色", "Users & roles"),
    ("nav.audit", "审计日志", "Audit log"),
    ("nav.settings", "系统设置", "Settings"),
    ("nav.soon", "建设中", "soon"),
    ("top.logout", "退出", "Sign out"),
    ("top.password", "修改密码", "Change password"),
    ("top.lang_other", "English", "中文"),
    ("top.menu", "菜单", "Menu"),
    ("search.title", "搜索", "Search"),
    ("search.label", "搜索单位、职工、事项、任务和政策", "Search organisations, workers, cases, tasks and policies"),
    ("search.placeholder", "搜索单位、职工、事项、任务、政策", "Organisations, workers, cases, tasks, policies"),
    ("search.submit", "搜索", "Search"),
    ("search.hint", "可搜索：单位名称或统一社会信用代码（可只输入前几位）；职工姓名或完整的18位身份证号（不支持部分号码）；审批事项、年度任务和政策文件的标题。", "You can search for an organisation's name or credit code (its first characters are enough), a worker's name or complete 18-character ID number (never part of one), and the titles of cases, tasks and policy documents."),
    ("search.results_for", "搜索结果：", "Results for "),
    ("search.found", "共找到", "Found"),
    ("search.none", "没有找到。", "Nothing found."),
    ("search.none_anywhere", "在您的管辖范围内没有找到符合条件的记录。", "Nothing in your area matches."),
    ("search.nothing_to_search", "您的账号没有可搜索的内容。", "Your account has nothing to search."),
    ("search.partial_id", "职工只能按完整的18位身份证号精确查找，不按部分号码查找。", "Workers are found by their complete 18-character ID number only, never by part of it."),
    ("search.more", "查看全部", "See all"),
    ("search.group.orgs", "单位", "Organisations"),
    ("search.group.workers", "职工", "Workers"),
    ("search.group.cases", "审批事项", "Cases"),
    ("search.group.tasks", "年度任务", "Tasks"),
    ("search.group.policies", "政策文件", "Policy documents"),
    ("login.title", "登录", "Sign in"),
    ("login.username", "用户名", "Username"),
    ("login.password", "密码", "Password"),
    ("login.submit", "登录", "Sign in"),
    ("login.failed", "用户名或密码错误", "Wrong username or password"),
    ("login.demo", "演示账号的密码均为 gongjiang-demo", "Every demo account's password is gongjiang-demo"),
    ("login.expired", "登录已过期，请重新登录", "Your session has expired; please sign in again"),
    ("common.search", "查询", "Search"),
    ("common.reset", "重置", "Reset"),
    ("common.all", "全部", "All"),
    ("common.save", "保存", "Save"),
    ("common.cancel", "取消", "Cancel"),
    ("common.edit", "编辑", "Edit"),
    ("common.status", "状态", "Status"),
    ("common.delete", "删除", "Delete"),
    ("common.new", "新建", "New"),
    ("common.back", "返回", "Back"),
    ("common.yes", "是", "Yes"),
    ("common.no", "否", "No"),
    ("common.none", "—", "—"),
    ("common.actions", "操作", "Actions"),
    ("common.total", "共", "Total"),
    ("common.items", "条", "records"),
    ("common.prev", "上一页", "Previous"),
    ("common.next", "下一页", "Next"),
    ("common.page", "页", "page"),
    ("common.empty", "没有符合条件的记录", "No matching records"),
    ("common.export_csv", "导出 CSV", "Export CSV"),
    ("common.saved", "已保存", "Saved"),
    ("common.deleted", "已删除", "Deleted"),
    ("common.confirm_delete", "确定删除该记录吗？此操作会记入审计日志。", "Delete this record? The deletion is audit-logged."),
    ("common.fix_errors", "请修正下列标红的字段后再保存", "Please correct the fields marked in red"),
    ("common.detail", "详情", "Details"),
    ("common.home", "返回首页", "Back to home"),
    ("home.title", "工作台", "Overview"),
    ("home.enterprises", "企业", "Enterprises"),
    ("home.parks", "产业园区", "Industrial parks"),
    ("home.member_units", "成员单位", "Member units"),
    ("home.colleges", "院校", "Colleges"),
    ("home.chain_leaders", "链主企业", "Chain leaders"),
    ("home.unit_jia", "家", ""),
    ("home.unit_ge", "个", ""),
    ("home.programme", "产改核心指标", "Programme headline figures"),
    ("home.pending_issue", "相关模块上线后实时计算", "Computed live once the part that feeds it is built"),
    ("data.as_of", "数据截至{y}年度", "Data as of {y}"),
    ("home.pilot_enterprises", "试点企业", "Pilot enterprises"),
    ("home.workers_covered", "试点覆盖职工", "Workers covered by pilots"),
    ("home.high_skilled_per_10k", "每万名职工中高技能人才", "High-skilled per 10,000 workers"),
    ("home.by_district", "各板块企业数", "Enterprises by district"),
    ("home.by_district_none", "暂无数据：本账号的范围内没有区县或功能区，各板块企业数只对市级和区县账号显示。", "No data: there is no district or zone in this account's area; enterprises by district are shown to city and district accounts."),
    ("home.inbox", "我的待办", "My inbox"),
    ("home.inbox_empty", "暂无待办。统计表的填报提醒与审核、待您办理的申报与审核事项会出现在这里。", "Nothing waiting. Report reminders and reviews, and the applications and reviews waiting for you, appear here."),
    ("home.cases_waiting", "{n} 件申报与审核事项待您办理", "{n} applications and reviews wait for you"),
    ("home.recent", "最近变更", "Recent changes"),
    ("home.my_org", "本单位", "My organisation"),
    ("orgs.title", "组织架构", "Organisations"),
    ("orgs.new", "新建单位", "New organisation"),
    ("orgs.edit", "编辑单位", "Edit organisation"),
    ("orgs.name", "单位名称", "Name"),
    ("orgs.kind", "单位类型", "Kind"),
    ("orgs.uscc", "统一社会信用代码", "Unified social credit code"),
    ("orgs.region", "所属区划", "Region"),
    ("orgs.parent", "上级单位", "Parent organisation"),
    ("orgs.parent_none", "无（直属区划）", "None (directly under the region)"),
    ("orgs.industry", "行业代码", "Industry (GB/T 4754)"),
    ("orgs.ownership", "经济类型", "Ownership"),
    ("orgs.chain_leader", "链主企业", "Chain leader"),
    ("orgs.size", "企业规模", "Size"),
    ("orgs.address", "地址", "Address"),
    ("orgs.contact", "联系人", "Contact"),
    ("orgs.updated", "更新时间", "Updated"),
    ("orgs.created", "创建时间", "Created"),
    ("orgs.q", "名称或信用代码", "Name or credit code"),
    ("orgs.children", "下属单位", "Units below"),
    ("orgs.basic", "基本信息", "Basic facts"),
    ("orgs.audit", "变更记录", "Change history"),
    ("orgs.users", "账号", "Accounts"),
    ("orgs.uscc_help", "18位，GB 32100;企业和园区必填", "18 characters (GB 32100); required for enterprises and parks"),
    ("orgs.industry_help", "GB/T 4754 门类+大类，如 C38", "GB/T 4754 section + division, e.g. C38"),
    ("orgs.region_path", "区划路径", "Region path"),
    ("orgs.id", "编号", "ID"),
    ("orgs.tree", "组织树", "Organisation tree"),
    ("orgs.list", "单位列表", "List"),
    ("orgs.count_all", "单位", "organisations"),
    ("orgs.count_ent", "企业", "enterprises"),
    ("regions.title", "区划", "Regions"),
    ("users.title", "用户与角色", "Users & roles"),
    ("users.new", "新建用户", "New user"),
    ("users.edit", "编辑用户", "Edit user"),
    ("users.username", "用户名", "Username"),
    ("users.display_name", "姓名", "Display name"),
    ("users.role", "角色", "Role"),
    ("users.attached", "所属区划或单位", "Region or organisation"),
    ("users.attached_help", "区划代码（如 320402）、统一社会信用代码或单位编号", "A region code (e.g. 320402), a credit code or an organisation id"),
    ("users.status", "状态", "Status"),
    ("users.active", "正常", "Active"),
    ("users.disabled", "已停用", "Disabled"),
    ("users.last_login", "最近登录", "Last sign-in"),
    ("users.disable", "停用", "Disable"),
    ("users.enable", "启用", "Enable"),
    ("users.reset", "重置密码", "Reset password"),
    ("users.password", "初始密码", "Initial password"),
    ("users.new_password", "新密码", "New password"),
    ("users.password_help", "至少10个字符，须含字母和数字或符号", "At least 10 characters, mixing letters with digits or symbols"),
    ("users.must_change", "须修改密码", "Must change password"),
    ("users.email", "电子邮箱", "E-mail"),
    ("users.email_help", "站内通知会同时发到此邮箱（平台已启用邮件通知时）；留空则只在站内通知", "Notifications are also e-mailed here (when the platform sends e-mail); leave empty for in-app only"),
    ("account.email_title", "通知邮箱", "Notification e-mail"),
    ("account.email_done", "通知邮箱已保存", "Notification e-mail saved"),
    ("users.reset_done", "密码已重置，该用户的所有会话已退出", "Password reset; all of the user's sessions ended"),
    ("account.title", "修改密码", "Change password"),
    ("account.current", "当前密码", "Current password"),
    ("account.new", "新密码", "New password"),
    ("account.done", "密码已修改", "Password changed"),
    ("account.must_change", "管理员已重置您的密码，请先设置新密码", "An administrator reset your password; please choose a new one"),
    ("audit.title", "审计日志", "Audit log"),
    ("audit.at", "时间", "Time"),
    ("audit.user", "用户", "User"),
    ("audit.action", "操作", "Action"),
    ("audit.entity", "对象", "Record"),
    ("audit.summary", "摘要", "Summary"),
    ("audit.ip", "来源地址", "From"),
    ("audit.from", "起始日期", "From date"),
    ("audit.to", "截止日期", "To date"),
    ("audit.kind", "对象类型", "Record type"),
    ("audit.changes", "变更内容", "Changes"),
    ("audit.before", "变更前", "Before"),
    ("audit.after", "变更后", "After"),
    ("audit.verify", "校验哈希链", "Verify hash chain"),
    ("audit.intact", "哈希链完整", "The hash chain is intact"),
    ("audit.broken", "哈希链断裂", "The hash chain is broken"),
    ("audit.entries", "条记录", "entries"),
    ("action.create", "新建", "Create"),
    ("action.update", "修改", "Update"),
    ("action.delete", "删除", "Delete"),
    ("action.login", "登录", "Sign in"),
    ("action.login_failed", "登录失败", "Failed sign-in"),
    ("action.logout", "退出", "Sign out"),
    ("action.role_change", "角色变更", "Role change"),
    ("action.password_change", "修改密码", "Password change"),
    ("action.password_reset", "重置密码", "Password reset"),
    ("action.disable", "停用账号", "Disable account"),
    ("action.enable", "启用账号", "Enable account"),
    ("action.restore", "恢复备份", "Restore"),
    ("action.import", "导入", "Import"),
    ("entity.org", "单位", "Organisation"),
    ("entity.user", "用户", "User"),
    ("entity.system", "系统", "System"),
    ("settings.title", "系统设置", "Settings"),
    ("settings.version", "版本", "Version"),
    ("settings.database", "数据库", "Database"),
    ("settings.data_dir", "数据目录", "Data directory"),
    ("settings.session_ttl", "会话空闲超时", "Session idle timeout"),
    ("settings.token_ttl", "API 令牌有效期", "API token lifetime"),
    ("settings.lockout", "登录失败锁定", "Login lockout"),
    ("settings.hint", "以上设置来自命令行参数、GONGJIANG_* 环境变量和配置文件（优先级依次降低），修改后重启生效。", "These come from command-line flags, GONGJIANG_* environment variables and the config file (in that order of precedence); restart to apply changes."),
    ("placeholder.title", "模块建设中", "Coming soon"),
    ("placeholder.roadmap", "本模块在产品路线图中，将在后续版本上线。", "This part is on the roadmap and will appear in a later release."),
    ("placeholder.now", "目前可用：", "Available now: "),
    ("placeholder.sep", "、", ", "),
    ("placeholder.end", "。", "."),
    ("error.title", "出错了", "Something went wrong"),
    ("error.404", "页面或记录不存在", "Page or record not found"),
    ("api.docs", "API 文档", "API docs"),
    ("pilots.new", "登记试点", "Register a pilot"),
    ("pilots.edit", "编辑试点", "Edit pilot"),
    ("pilots.level", "试点级别", "Pilot level"),
    ("pilots.type", "试点类型", "Pilot type"),
    ("pilots.type_auto", "按单位类型自动判断", "From the organisation's kind"),
    ("pilots.year", "立项年份", "Year"),
    ("pilots.feature", "特色", "Feature"),
    ("pilots.feature_help", "一企一特色 / 一园一品牌", "One feature per enterprise / one brand per park"),
    ("pilots.benchmark", "标杆", "Benchmark"),
    ("pilots.q", "单位名称或特色", "Name or feature"),
    ("pilots.org", "单位", "Organisation"),
    ("pilots.org_help", "统一社会信用代码或单位编号（可输入名称后从下拉中选择）", "Credit code or organisation id (type a name to pick from the list)"),
    ("pilots.tab", "试点", "Pilots"),
    ("designations.new", "登记认定与荣誉", "Record a title"),
    ("designations.edit", "编辑认定与荣誉", "Edit title"),
    ("designations.type", "类型", "Type"),
    ("designations.level", "级别", "Level"),
    ("designations.year", "年份", "Year"),
    ("designations.holder", "获得单位", "Holder"),
    ("designations.holder_name", "名称", "Name"),
    ("designations.holder_name_help", "如工作室名称“张三劳模创新工作室”", "For example a studio's own name"),
    ("designations.document_no", "文号", "Document number"),
    ("designations.q", "单位、名称或文号", "Holder, name or document"),
    ("designations.person", "授予个人", "held by a person"),
    ("designations.worker", "获得者身份证号", "Holder's ID number"),
    ("designations.worker_help", "授予个人的荣誉（产业教授、龙城工匠、劳动模范等）填写获得者身份证号，职工须已在职工库登记；获得单位自动取其所在单位", "For titles held by people (industry professor, craftsman, model worker …): the holder's ID number; the worker must be registered, and the holder organisation is the worker's employer"),
    ("designations.worker_col", "获得者", "Holder (person)"),
    ("dash.period", "报告期", "Period"),
    ("workers.new", "登记职工", "Register a worker"),
    ("workers.name", "姓名", "Name"),
    ("workers.id_number", "身份证号", "ID number"),
    ("workers.id_help", "18位，GB 11643 校验；加密存储，仅显示脱敏号码", "18 characters (GB 11643); stored encrypted and shown masked"),
    ("workers.id_search", "按身份证号精确查找", "Exact ID number"),
    ("workers.id_search_hint", "完整18位", "all 18 characters"),
    ("workers.phone", "手机号", "Phone"),
    ("workers.skill", "技能等级", "Skill level"),
    ("workers.high", "高技能", "High-skilled"),
    ("workers.occupation", "工种", "Occupation"),
    ("workers.employer", "所在单位", "Employer"),
    ("workers.frontline", "一线职工", "Frontline"),
    ("workers.gender", "性别", "Gender"),
    ("workers.birth_year", "出生年份", "Year of birth"),
    ("workers.certificate_no", "证书编号", "Certificate number"),
    ("workers.certified_on", "取证日期", "Certified on"),
    ("workers.certificates", "技能证书", "Certificates"),
    ("nav.cases", "申报与审核", "Applications & reviews"),
    ("policies.new", "添加文件", "Add a document"),
    ("policies.edit", "编辑文件", "Edit the document"),
    ("policies.owner", "发布单位", "Published by (office)"),
    ("policies.search", "全文检索", "Full-text search"),
    ("policies.search_hint", "如：技能人才 集体合同", "e.g. 技能人才 集体合同"),
    ("policies.category", "分类", "Category"),
    ("policies.level", "层级", "Level"),
    ("policies.none", "没有符合条件的文件。", "No documents match."),
    ("policies.download", "下载原文", "Download the original"),
    ("policies.confirm_delete", "确定删除这份文件？", "Delete this document?"),
    ("policies.doc_no", "文号", "Document number"),
    ("policies.issuer", "发文单位", "Issued by"),
    ("policies.issued_on", "发文日期", "Issued on"),
    ("policies.title", "标题", "Title"),
    ("policies.body", "正文", "Text"),
    ("policies.body_help", "正文用于全文检索；正文留空时自动读取上传的 PDF、Word(.docx)或文本文件中的文字（扫描件无法读取，请粘贴正文）", "The text is what search finds; left empty, the text of the uploaded PDF, Word (.docx) or text file is used (a scanned PDF has none: paste the text)"),
    ("policies.file", "原文文件", "Original file"),
    ("liuyou.year", "年度", "Year"),
    ("liuyou.status", "六有状态", "Status"),
    ("liuyou.q", "单位名称", "Unit name"),
    ("liuyou.f_complete", "六项全部通过", "All six accepted"),
    ("liuyou.f_submitted", "有待审核项", "Items awaiting review"),
    ("liuyou.f_returned", "有退回项", "Items returned"),
    ("liuyou.f_draft", "尚未提交", "Nothing submitted yet"),
    ("liuyou.rate", "六有完成率（%）", "Completion rate (%)"),
    ("liuyou.complete_units", "六有全部通过的单位", "Units with all six accepted"),
    ("liuyou.pilot_units", "试点单位", "Pilot units"),
    ("liuyou.by_area", "各区域六有完成率", "Completion by area"),
    ("liuyou.units", "试点单位六有情况", "Pilot units and their six items"),
    ("liuyou.unit", "单位", "Unit"),
    ("liuyou.accepted", "已通过", "Accepted"),
    ("liuyou.s_accepted", "已通过", "accepted"),
    ("liuyou.s_submitted", "待审核", "awaiting review"),
    ("liuyou.s_returned", "已退回", "returned"),
    ("liuyou.s_draft", "待提交", "not submitted"),
    ("liuyou.not_pilot", "该单位不是试点单位，无需填报六有。", "This organisation is not a pilot; it keeps no 六有 checklist."),
    ("liuyou.progress", "进度", "Progress"),
    ("liuyou.submit_year", "提交本年度六有材料", "Submit this year's evidence"),
    ("liuyou.submit_help", "六项均需有佐证材料；已通过的项不再提交", "Each of the six needs evidence; accepted items are not resubmitted"),
    ("liuyou.returned_because", "退回理由", "Returned because"),
    ("liuyou.reviewed_by", "审核人", "Reviewed by"),
    ("liuyou.text", "文字说明", "Text"),
    ("liuyou.link", "链接（如本系统的任务清单 /tasks/12）", "Link (e.g. a task list in this system, /tasks/12)"),
    ("liuyou.remove", "删除", "Remove"),
    ("liuyou.files", "佐证文件", "Evidence files"),
    ("liuyou.files_help", "PDF、JPG、PNG、Word、Excel、PowerPoint 或文本，每个不超过 20 MB", "PDF, JPG, PNG, Word, Excel, PowerPoint or text, up to 20 MB each"),
    ("liuyou.reason_hint", "退回时必须填写理由", "A reason is required to return"),
    ("liuyou.accept", "通过", "Accept"),
    ("liuyou.return", "退回", "Return"),
    ("nav.inbox", "我的待办", "My inbox"),
    ("nav.notifications", "消息通知", "Notifications"),
    ("cases.new", "新建", "New"),
    ("cases.elsewhere", "其他事项在各自的业务页面发起：", "Other processes start on their own page: "),
    ("cases.elsewhere_item", "{name}见", "{name} on "),
    ("cases.elsewhere_sep", "；", "; "),
    ("cases.elsewhere_end", "。", "."),
    ("cases.task_completion", "任务销号", "Task completion"),
    ("cases.process", "事项类型", "Process"),
    ("cases.status", "状态", "Status"),
    ("cases.title", "事项", "Case"),
    ("cases.waiting_for", "当前环节", "Waiting for"),
    ("cases.due", "办理时限", "Due"),
    ("cases.updated", "更新时间", "Updated"),
    ("cases.overdue", "已逾期", "overdue"),
    ("cases.applicant", "申报单位", "Applicant"),
    ("cases.applicant_hint", "统一社会信用代码或单位编号", "Credit code or organisation id"),
    ("cases.save_draft", "保存草稿", "Save draft"),
    ("cases.save_submit", "保存并提交", "Save and submit"),
    ("cases.result", "办理结果", "Result"),
    ("cases.pilot_created", "已列入试点名录", "Added to the pilot register"),
    ("cases.edit", "填写申报材料", "Fill in the form"),
    ("cases.withdraw", "撤回申报", "Withdraw"),
    ("cases.your_action", "审核意见", "Your review"),
    ("cases.may_correct", "审核时可修改", "may be corrected"),
    ("cases.comment", "意见", "Comment"),
    ("cases.comment_hint", "退回或不予通过时必须填写理由", "A reason is required to return or reject"),
    ("cases.nothing_to_do", "该事项当前不需要您办理。", "Nothing for you to do on this case now."),
    ("cases.history", "办理过程", "History"),
    ("cases.print", "打印", "Print"),
    ("cases.approval_form", "审批表", "Approval form"),
    ("cases.step", "环节", "Step"),
    ("cases.handled", "办理", "Action"),
    ("cases.handled_by", "办理人", "By"),
    ("cases.handled_at", "办理时间", "Date"),
    ("cases.items", "逐项审核", "Items"),
    ("cases.recorded_for", "代为登记：", "recorded for "),
    ("cases.experts", "专家评审", "Expert scoring"),
    ("cases.criteria", "评分标准", "Criteria"),
    ("cases.expert_score", "专家评审得分", "Expert score"),
    ("cases.expert", "专家", "Expert"),
    ("cases.score", "评分", "Score"),
    ("cases.outlier", "偏离较大", "Outlier"),
    ("cases.not_scored", "尚未评分", "Not scored yet"),
    ("cases.assign_expert", "指派评审专家（账号）", "Assign an expert (user name)"),
    ("cases.assign", "指派", "Assign"),
    ("cases.submit_score", "提交评分", "Submit score"),
    ("tasks.request_done", "申请销号", "Report completed"),
    ("tasks.done_summary", "完成情况", "What was done"),
    ("tasks.request_done_help", "对照目标写明完成情况；提交后由下达任务的层级审核，通过即销号，退回可修改后重新提交。佐证材料可在审核事项中上传。", "Describe what was done against the target; the level that set the task checks it — approval closes the task, a return lets you correct and resubmit. Material can be uploaded on the review case."),
    ("tasks.completion_case", "销号审核事项", "Completion review case"),
    ("cases.subject_hint", "本事项的内容在业务页面填写和查看。", "What this case is about is filled in and shown on its own page."),
    ("cases.open_record", "打开业务页面", "Open the record"),
    ("liuyou.case_link", "审核事项与办理过程", "Review case and history"),
    ("cases.items_hint", "佐证材料的填写与逐项审核在业务页面办理；全部项目都有结论后事项自动流转。", "Evidence and item-by-item review are on the item page; once every item is decided the case moves on by itself."),
    ("cases.open_subject", "打开六有页面", "Open the 六有 page"),
    ("cases.item", "项目", "Item"),
    ("cases.reason", "理由", "Reason"),
    ("cases.objections", "公示异议", "Objections"),
    ("cases.objections_none", "公示期间尚未收到异议。", "No objection has been lodged during the notice."),
    ("cases.objection_by", "提出人", "Raised by"),
    ("cases.objection_hidden", "（信息保密）", "(kept confidential)"),
    ("cases.objection_body", "异议内容及理由", "Objection and reasons"),
    ("cases.objection_raised_by", "代为登记（来信来电人，可选）", "Recorded on behalf of (letter or phone; optional)"),
    ("cases.objection_submit", "提出异议", "Lodge objection"),
    ("cases.objection_help", "公示期内可对公示对象提出异议，须写明事实和理由；提出人信息仅市产改办可见。", "While the notice runs anyone may object, stating facts and reasons; only the city office sees who objected."),
    ("cases.objection_response", "处理意见", "Response"),
    ("cases.objection_upheld", "异议成立", "Upheld"),
    ("cases.objection_dismissed", "异议不成立", "Dismissed"),
    ("cases.objection_answer", "提交处理意见", "Answer"),
    ("cases.notice_rule", "公示期满、异议全部处理且无成立的异议后，方可决定通过。", "Approval waits until the notice has run, every objection is answered and none is upheld."),
    ("cases.material", "申报材料", "Material"),
    ("cases.upload", "上传", "Upload"),
    ("cases.corrected", "审核修改", "Corrected"),
    ("cases.inbox_empty", "暂无待办事项。", "Nothing waits for you."),
    ("cases.bulk", "对选中的事项", "With the selected cases"),
    ("cases.bulk_accept", "批量通过", "Accept all"),
    ("cases.bulk_return", "批量退回", "Return all"),
    ("cases.bulk_progress", "批量办理进度", "Bulk action progress"),
    ("cases.bulk_ok", "已办理", "done"),
    ("cases.bulk_skipped", "已跳过（状态已变化或无权办理）", "skipped (moved on, or not yours)"),
    ("cases.bulk_done", "批量办理已完成。", "The bulk action has finished."),
    ("cases.mark_read", "全部标为已读", "Mark all read"),
    ("cases.no_notifications", "暂无未读消息。", "No unread notifications."),
    ("workers.issuer", "发证机构", "Issued by"),
    ("workers.current", "当前", "current"),
    ("workers.add_certificate", "添加证书", "Add certificate"),
    ("workers.political_status", "政治面貌", "Political status"),
    ("workers.reveal", "查看完整号码", "Show the full numbers"),
    ("workers.reveal_help", "查看完整身份证号和手机号会记入审计日志。", "Viewing the full ID number and phone is recorded in the audit log."),
    ("workers.revealed_note", "本次查看已记入审计日志。", "This view has been recorded in the audit log."),
    ("action.reveal", "查看完整个人信息", "Viewed personal data"),
    ("entity.worker", "职工", "Worker"),
    ("imports.upload", "上传导入", "Upload and import"),
    ("imports.kind", "数据类型", "Kind"),
    ("imports.period", "报告期（仅产改统计表，可选）", "Report period (statistics only; optional)"),
    ("imports.period_help", "填写后，没有报告期的行按此报告期导入，其他报告期的行被拒绝。", "Rows without a period take this one; rows of another period are rejected."),
    ("imports.file", "文件（.xlsx 或 .csv）", "File (.xlsx or .csv)"),
    ("imports.file_help", "第一行为表头，列名与模板一致；WPS、Excel、LibreOffice 保存的文件均可。", "First row is the header, as in the template; files from WPS, Excel and LibreOffice all work."),
    ("imports.dry_run", "仅校验，不写入", "Validate only, write nothing"),
    ("imports.skip_invalid", "跳过无效行，导入其余有效行（默认：有任何错误则全部不导入）", "Skip invalid rows and import the rest (default: any error writes nothing)"),
    ("imports.start", "开始校验并导入", "Validate and import"),
    ("imports.templates", "模板与导出", "Templates and exports"),
    ("imports.template", "下载模板", "Template"),
    ("imports.export_xlsx", "导出 Excel", "Export Excel"),
    ("imports.export_help", "导出内容为您管辖范围内的全部数据，列与导入模板一致，可修改后原样导入。", "Exports hold everything in your area, in the template's columns, and re-import as they are."),
    ("imports.running", "正在校验并导入……", "Validating and importing…"),
    ("imports.failed", "文件无法导入：", "The file could not be imported: "),
    ("imports.done", "导入完成。", "Import complete."),
    ("imports.dry_done", "校验通过（仅校验，未写入）。", "All rows are valid (validation only; nothing written)."),
    ("imports.nothing_written", "文件中有错误，未写入任何数据。请按下表修正后重新上传，或勾选“跳过无效行”。", "The file has errors and nothing was written. Correct the rows below and upload again, or choose to skip invalid rows."),
    ("imports.total", "总行数", "Rows"),
    ("imports.valid", "有效", "Valid"),
    ("cases.current_pilots", "本单位现有试点", "Your current pilots"),
    ("cases.held_levels_hidden", "已是试点的级别不再列出。", "Levels you already hold are not offered."),
    ("cases.open_existing", "打开该事项继续办理", "Open that case and continue"),
    ("imports.created", "新增", "Created"),
    ("imports.would_create", "如导入将新增（未写入）", "Would be created (not written)"),
    ("imports.would_update", "如导入将更新（未写入）", "Would update (not written)"),
    ("imports.updated", "更新", "Updated"),
    ("imports.unchanged", "未变化", "Unchanged"),
    ("imports.problems", "错误明细", "Problems"),
    ("imports.problems_capped", "此处列出前 1000 条；全部错误见被拒绝行文件。", "The first 1,000 are listed here; the rejected-rows file has them all."),
    ("imports.download_rejected", "下载被拒绝的行（含错误原因）", "Download the rejected rows (with reasons)"),
    ("imports.row", "行", "Row"),
    ("imports.column", "列", "Column"),
    ("imports.message", "说明", "Problem"),
    ("imports.history", "导入记录", "Import history"),
    ("imports.history_help_own", "您上传过的导入任务，最新的在前。", "The imports you uploaded, newest first."),
    ("imports.history_help_area", "您及您管辖范围内各账号上传的导入任务，最新的在前。", "Imports uploaded by you and by the accounts in your area, newest first."),
    ("imports.history_empty", "还没有导入记录。", "No imports yet."),
    ("imports.h_when", "上传时间", "Uploaded"),
    ("imports.h_file", "文件名", "File"),
    ("imports.h_who", "上传人", "By"),
    ("imports.h_status", "状态", "Status"),
    ("imports.h_counts", "写入结果", "Result"),
    ("imports.h_rejected", "被拒绝行", "Rejected rows"),
    ("imports.st_running", "进行中", "Running"),
    ("imports.st_failed", "失败", "Failed"),
    ("imports.st_interrupted", "已中断（未写入）", "Interrupted (nothing written)"),
    ("imports.st_written", "已写入", "Written"),
    ("imports.st_written_partly", "部分写入（已跳过无效行）", "Written, invalid rows skipped"),
    ("imports.st_not_written", "未写入", "Nothing written"),
    ("imports.would_create_short", "将新增", "would create"),
    ("imports.would_update_short", "将更新", "would update"),
    ("imports.rejected_skipped", "被拒绝（已跳过，未写入）", "Rejected (skipped, not written)"),
    ("imports.rejected_invalid", "无效行", "Invalid rows"),
    ("imports.written_all", "导入完成。文件中的 {valid} 行全部有效并已写入：新增 {created} 条，更新 {updated} 条，{unchanged} 条未变化。", "Import complete. All {valid} rows were valid and written: {created} created, {updated} updated, {unchanged} unchanged."),
    ("imports.written_partly", "导入完成，但有 {rejected} 行无效被跳过：其余 {valid} 行有效数据已写入（新增 {created} 条，更新 {updated} 条，{unchanged} 条未变化）；被拒绝的行未写入，见下表，可下载修改后重新导入。", "Import complete, but {rejected} invalid rows were skipped: the other {valid} valid rows were written ({created} created, {updated} updated, {unchanged} unchanged); the rejected rows were not written — see below, download them, correct and import them again."),
    ("imports.dry_done_counts", "校验通过（仅校验，未写入任何数据）：{valid} 行有效，如导入将新增 {would_create} 条、更新 {would_update} 条。", "All rows are valid (validation only; nothing was written): {valid} valid rows would create {would_create} and update {would_update} records."),
    ("imports.nothing_written_counts", "未写入任何数据：文件中有 {rejected} 行有错误（{valid} 行有效，也未写入）。请按下表修正后重新上传，或勾选“跳过无效行”只导入有效行。", "Nothing was written: {rejected} rows of the file have errors ({valid} valid rows were not written either). Correct the rows below and upload again, or choose to skip invalid rows to import only the valid ones."),
    ("imports.uploaded_at", "上传时间：", "Uploaded: "),
    ("imports.again", "继续导入", "Import another file"),
    ("imports.refresh", "刷新查看结果", "Refresh to see the result"),
    ("reports.new", "填报统计表", "Fill in a report"),
    ("reports.completeness", "填报进度", "Reporting completeness"),
    ("reports.workers", "职工总数", "Workers"),
    ("reports.high_skilled", "高技能人才数", "High-skilled"),
    ("reports.flow", "填报流程", "Reporting flow"),
    ("reports.returned_because", "已退回修改，原因：", "Returned for correction: "),
    ("reports.period_help", "年度如 2023,季度如 2023Q4,月度如 2023-06", "A year (2023), a quarter (2023Q4) or a month (2023-06)"),
    ("reports.save_draft", "保存草稿", "Save draft"),
    ("reports.save_submit", "保存并报送", "Save and submit"),
    ("reports.review", "审核", "Review"),
    ("reports.reason", "意见 / 退回原因", "Comment / reason for return"),
    ("reports.reason_help", "退回修改时必须填写原因", "Required when returning a report"),
    ("reports.history", "处理记录", "History"),
    ("reports.rules", "校验规则", "Validation rules"),
    ("reports.rules_text", "所有数据项为非负整数（金额以万元计，最多两位小数）；高技能人才数、一线职工数不能大于职工总数；当年新增高技能人才数不能大于高技能人才数。保存时即校验，报送后由上级审核，审核通过即计入指标。", "Every element is a non-negative whole number (money in 10k yuan, two decimals at most); high-skilled and frontline workers cannot exceed workers; new high-skilled cannot exceed high-skilled. Checked on save; once approved by the level above the figures count in the indicators at once."),
    ("reports.by_area", "各地区填报情况", "Reporting by area"),
    ("reports.expected", "应报", "Expected"),
    ("reports.submitted", "已报", "Submitted"),
    ("reports.approved", "已审核", "Approved"),
    ("reports.rate", "报送率", "Rate"),
    ("reports.missing", "未报送单位", "Not yet submitted"),
    ("reports.remind", "一键提醒未报送单位", "Remind everyone who has not submitted"),
    ("reports.remind_confirm", "向所有未报送单位发送提醒？", "Send a reminder to every organisation that has not submitted?"),
    ("reports.reminded", "已向 {n} 家单位发送提醒", "Reminded {n} organisations"),
    ("reports.not_started", "未填报", "Not started"),
    ("reports.all_in", "全部单位均已报送", "Everyone has submitted"),
    ("reports.reminder_inbox", "请填报 {p} 年产改统计表（提醒人：{who}）", "Please fill in the {p} reform statistics (reminded by {who})"),
    ("reports.returned_inbox", "{p} 年统计表被退回：{why}", "Your {p} report was returned: {why}"),
    ("reports.to_review", "待审核的统计表：{n} 份", "Reports waiting for review: {n}"),
    ("action.report_submit", "报送统计表", "Submit report"),
    ("action.report_approve", "审核通过", "Approve report"),
    ("action.report_return", "退回修改", "Return report"),
    ("action.report_lock", "锁定统计表", "Lock reports"),
    ("action.report_unlock", "解锁统计表", "Unlock report"),
    ("action.remind", "催报提醒", "Reminder"),
    ("entity.report", "统计表", "Report"),
    ("entity.pilot", "试点", "Pilot"),
    ("entity.designation", "认定与荣誉", "Title"),
    ("dash.up", "上一级", "Up one level"),
    ("dash.export", "导出图表数据", "Download the numbers"),
    ("dash.by_child", "下级对比：试点企业与创新工作室", "By subdivision: pilot enterprises and studios"),
    ("dash.trend", "试点累计趋势", "Pilots over the years (cumulative)"),
    ("dash.trend_enterprises", "试点企业", "Pilot enterprises"),
    ("dash.trend_parks", "试点园区", "Pilot parks"),
    ("dash.pending", "待相关模块上线后计算", "Computed once the part that feeds it is built"),
    ("dash.drill_hint", "点击柱形可逐级下钻", "Click a bar to drill down"),
    ("dash.skills", "在册职工技能等级分布", "Registered workers by skill level"),
    ("dash.treemap", "试点分布（按区域逐级）", "Pilots by area"),
    ("dash.treemap_hint", "方块大小为试点企业与试点园区之和；点击方块可逐级下钻", "Size is pilot enterprises plus parks; click a rectangle to drill down"),
    ("dash.by_child_none", "暂无数据：下一级没有含试点企业、试点园区或创新工作室的区域或单位。", "No data: no area or organisation one level down has pilot enterprises, pilot parks or innovation studios."),
    ("dash.trend_none", "暂无数据：还没有试点记录。", "No data: there are no pilots yet."),
    ("dash.treemap_none", "暂无数据：下一级没有试点企业或试点园区。", "No data: there are no pilot enterprises or parks one level down."),
    ("dash.skills_none", "暂无数据：没有在册职工的技能等级。", "No data: no registered worker has a skill level."),
    ("chart.other", "其他", "Others"),
    ("tasks.by_unit_none", "暂无数据：本年度没有牵头单位的任务。", "No data: no task has a lead unit this year."),
    ("tasks.by_status_none", "暂无数据：本年度没有任务。", "No data: there are no tasks this year."),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_both_languages_filled() {
        let mut seen = std::collections::HashSet::new();
        for (k, zh, en) in MESSAGES {
            assert!(seen.insert(*k), "duplicate key {k}");
            assert!(
                !zh.is_empty() || k.starts_with("home.unit"),
                "{k} has no Chinese"
            );
            let _ = en;
        }
    }

    /// Every key the templates and handlers look up exists (a missing one would show
    /// as a raw key such as `common.status` on the page).
    #[test]
    fn every_key_used_exists() {
        let keys: std::collections::HashSet<&str> = MESSAGES.iter().map(|(k, _, _)| *k).collect();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        let mut dirs = vec![root.join("templates"), root.join("src")];
        while let Some(d) = dirs.pop() {
            for e in std::fs::read_dir(&d).unwrap().flatten() {
                let p = e.path();
                if p.is_dir() {
                    dirs.push(p);
                } else if p.extension().is_some_and(|x| x == "html" || x == "rs") {
                    files.push(p);
                }
            }
        }
        let mut missing = Vec::new();
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            for (i, _) in text.match_indices(".s(\"") {
                let rest = &text[i + 4..];
                let Some(end) = rest.find('"') else { continue };
                let key = &rest[..end];
                let dynamic = key.is_empty() || key.ends_with('.') || key.contains('{');
                if !dynamic && key.contains('.') && !keys.contains(key) {
                    missing.push(format!("{}: {key}", f.display()));
                }
            }
        }
        assert!(missing.is_empty(), "keys without text: {missing:#?}");
    }

    /// Chinese text uses full-width punctuation: no ASCII , : ; ( ) ! ? right after a
    /// Chinese character in the Chinese column.
    #[test]
    fn chinese_text_uses_full_width_punctuation() {
        let bad: Vec<&str> = MESSAGES
            .iter()
            .filter(|(_, zh, _)| {
                let cs: Vec<char> = zh.chars().collect();
                cs.windows(2)
                    .any(|w| ('\u{4e00}'..='\u{9fff}').contains(&w[0]) && ",:;()!?".contains(w[1]))
            })
            .map(|(k, _, _)| *k)
            .collect();
        assert!(
            bad.is_empty(),
            "half-width punctuation after Chinese: {bad:?}"
        );
    }

    #[test]
    fn grouping() {
        assert_eq!(group(1020), "1,020");
        assert_eq!(group(520000), "520,000");
        assert_eq!(group(-5), "-5");
        assert_eq!(group(0), "0");
    }
}
