//! The processes as data: their form fields and review steps, gathered in
//! [`PROCESSES`].
use super::process::Process;
use super::rules::Scoring;
use super::{
    Field, FieldKind, Reviewer, Step, CONTEST_SUBJECT, CRAFTSMAN_SUBJECT, INNOVATION_SUBJECT,
    LIUYOU_SUBJECT, PROMOTION_SUBJECT, SELF_REPORT_SUBJECT, STUDIO_SUBJECT,
    TASK_COMPLETION_SUBJECT,
};

const PILOT_LEVELS: &[(&str, &str, &str)] = &[
    ("province", "省级", "Provincial"),
    ("city", "市级", "City"),
    ("county", "县级", "County"),
    ("town", "镇级", "Town"),
];

const APPLICATION_FIELDS: &[Field] = &[
    Field {
        key: "level",
        label_zh: "申报级别",
        label_en: "Level applied for",
        required: true,
        kind: FieldKind::Choice(PILOT_LEVELS),
        help_zh: "通常先申报市级试点",
    },
    Field {
        key: "year",
        label_zh: "申报年度",
        label_en: "Year",
        required: true,
        kind: FieldKind::Year,
        help_zh: "",
    },
    Field {
        key: "feature",
        label_zh: "特色（一企一特色/一园一品牌）",
        label_en: "Feature",
        required: true,
        kind: FieldKind::Text(200),
        help_zh: "一句话概括本单位产改特色",
    },
    Field {
        key: "plan",
        label_zh: "试点工作方案",
        label_en: "Pilot plan",
        required: true,
        kind: FieldKind::LongText(5000),
        help_zh: "目标、举措、进度安排、保障措施",
    },
    Field {
        key: "contact",
        label_zh: "联系人及电话",
        label_en: "Contact",
        required: false,
        kind: FieldKind::Text(100),
        help_zh: "",
    },
];

const REVIEW_STEPS: &[Step] = &[
    Step {
        code: "town",
        reviewer: Reviewer::Town,
        deadline_days: 7,
        may_edit: &[],
    },
    Step {
        code: "district",
        reviewer: Reviewer::District,
        deadline_days: 10,
        may_edit: &["level"],
    },
    Step {
        code: "city",
        reviewer: Reviewer::City,
        deadline_days: 15,
        may_edit: &["level"],
    },
];

const CHECK_FIELDS: &[Field] = &[
    Field {
        key: "year",
        label_zh: "年度",
        label_en: "Year",
        required: true,
        kind: FieldKind::Year,
        help_zh: "",
    },
    Field {
        key: "summary",
        label_zh: "工作总结",
        label_en: "Summary",
        required: true,
        kind: FieldKind::LongText(5000),
        help_zh: "年度目标完成情况、主要做法、成效与问题",
    },
];

const LIUYOU_STEPS: &[Step] = &[Step {
    code: "area",
    reviewer: Reviewer::Area,
    deadline_days: 15,
    may_edit: &[],
}];

/// The ladder's levels (新八级工) as choices.
const LADDER: &[(&str, &str, &str)] = &[
    ("apprentice", "学徒工", "Apprentice"),
    ("junior", "初级工", "Junior worker"),
    ("intermediate", "中级工", "Intermediate worker"),
    ("senior", "高级工", "Senior worker"),
    ("technician", "技师", "Technician"),
    ("senior_technician", "高级技师", "Senior technician"),
    ("principal", "特级技师", "Principal technician"),
    ("chief", "首席技师", "Chief technician"),
];

const PROMOTION_SOURCES: &[(&str, &str, &str)] = &[
    ("training", "培训结业取证", "Training and certificate"),
    ("contest", "以赛促评", "Contest result"),
    ("certificate", "技能等级认定", "Skill-level assessment"),
];

/// A promotion's form, filled in by the part that opens it (a class's completion).
const PROMOTION_FIELDS: &[Field] = &[
    Field {
        key: "worker_name",
        label_zh: "职工",
        label_en: "Worker",
        required: true,
        kind: FieldKind::Text(100),
        help_zh: "",
    },
    Field {
        key: "from_level",
        label_zh: "现有等级",
        label_en: "Current level",
        required: false,
        kind: FieldKind::Choice(LADDER),
        help_zh: "",
    },
    Field {
        key: "to_level",
        label_zh: "晋升等级",
        label_en: "Promoted to",
        required: true,
        kind: FieldKind::Choice(LADDER),
        help_zh: "",
    },
    Field {
        key: "certificate_no",
        label_zh: "证书编号",
        label_en: "Certificate number",
        required: true,
        kind: FieldKind::Text(64),
        help_zh: "职业技能等级证书编号",
    },
    Field {
        key: "source",
        label_zh: "晋升依据",
        label_en: "Grounds",
        required: true,
        kind: FieldKind::Choice(PROMOTION_SOURCES),
        help_zh: "",
    },
];

const PROMOTION_STEPS: &[Step] = &[Step {
    code: "department",
    reviewer: Reviewer::Department,
    deadline_days: 10,
    may_edit: &[],
}];

/// A contest's plan, filled in by the contests part from the plan itself.
const CONTEST_PLAN_FIELDS: &[Field] = &[
    Field {
        key: "year",
        label_zh: "竞赛年度",
        label_en: "Year",
        required: true,
        kind: FieldKind::Year,
        help_zh: "",
    },
    Field {
        key: "plan",
        label_zh: "竞赛方案",
        label_en: "Contest plan",
        required: true,
        kind: FieldKind::LongText(5000),
        help_zh: "赛事名称、级别、工种、日期、奖项设置",
    },
];

const CONTEST_PLAN_STEPS: &[Step] = &[Step {
    code: "area",
    reviewer: Reviewer::Area,
    deadline_days: 10,
    may_edit: &[],
}];

/// A city- or district-level contest's plan goes to the city: the district that plans
/// one does not approve its own.
const CONTEST_PLAN_CITY_STEPS: &[Step] = &[Step {
    code: "city",
    reviewer: Reviewer::City,
    deadline_days: 10,
    may_edit: &[],
}];

/// A contest's results, published for 公示 from the locked ranking.
const CONTEST_RESULTS_FIELDS: &[Field] = &[
    Field {
        key: "year",
        label_zh: "竞赛年度",
        label_en: "Year",
        required: true,
        kind: FieldKind::Year,
        help_zh: "",
    },
    Field {
        key: "results",
        label_zh: "拟获奖名单",
        label_en: "Proposed results",
        required: true,
        kind: FieldKind::LongText(20000),
        help_zh: "名次、姓名、单位、总分、奖项、荣誉、晋升等级",
    },
];

const TARGET_KINDS: &[(&str, &str, &str)] = &[
    ("district", "辖市区", "District"),
    ("member_unit", "成员单位", "Member unit"),
    ("pilot_unit", "试点单位", "Pilot unit"),
];

const SELF_REPORT_FIELDS: &[Field] = &[
    Field {
        key: "year",
        label_zh: "考核年度",
        label_en: "Year",
        required: true,
        kind: FieldKind::Year,
        help_zh: "",
    },
    Field {
        key: "round",
        label_zh: "考核轮次",
        label_en: "Round",
        required: true,
        kind: FieldKind::Text(200),
        help_zh: "",
    },
    Field {
        key: "target_kind",
        label_zh: "考核对象类型",
        label_en: "Target kind",
        required: true,
        kind: FieldKind::Choice(TARGET_KINDS),
        help_zh: "",
    },
    Field {
        key: "target_key",
        label_zh: "考核对象",
        label_en: "Target",
        required: true,
        kind: FieldKind::Text(20),
        help_zh: "",
    },
];

const SELF_REPORT_STEPS: &[Step] = &[Step {
    code: "city",
    reviewer: Reviewer::City,
    deadline_days: 10,
    may_edit: &[],
}];

const COMPLETION_FIELDS: &[Field] = &[
    Field {
        key: "summary",
        label_zh: "完成情况",
        label_en: "What was done",
        required: true,
        kind: FieldKind::LongText(2000),
        help_zh: "对照目标说明完成情况，佐证材料可作为附件上传",
    },
    Field {
        key: "achieved",
        label_zh: "完成值",
        label_en: "Value achieved",
        required: false,
        kind: FieldKind::Text(50),
        help_zh: "有量化目标的，填写实际完成值",
    },
];

const fn completion_step(reviewer: Reviewer) -> [Step; 1] {
    [Step {
        code: "creator",
        reviewer,
        deadline_days: 10,
        may_edit: &[],
    }]
}

const COMPLETION_CITY: &[Step] = &completion_step(Reviewer::City);

const COMPLETION_DISTRICT: &[Step] = &completion_step(Reviewer::Area);

const COMPLETION_TOWN: &[Step] = &completion_step(Reviewer::Town);

/// The completion process of a task created at `level` (city, district, town): the
/// level that set the task checks that it is done.
pub fn task_completion_process(level: &str) -> &'static str {
    match level {
        "town" => "task_completion_town",
        "district" => "task_completion_district",
        _ => "task_completion_city",
    }
}

const BENCHMARK_FIELDS: &[Field] = &[
    Field {
        key: "year",
        label_zh: "评选年度",
        label_en: "Year",
        required: true,
        kind: FieldKind::Year,
        help_zh: "",
    },
    Field {
        key: "achievements",
        label_zh: "试点成效与可复制经验",
        label_en: "Results and transferable practice",
        required: true,
        kind: FieldKind::LongText(5000),
        help_zh: "对照试点方案写明主要成效、数据和可推广的做法",
    },
];

/// A craftsman nomination (工匠培育): who is nominated and why.
const CRAFTSMAN_FIELDS: &[Field] = &[
    Field {
        key: "year",
        label_zh: "评选年度",
        label_en: "Year",
        required: true,
        kind: FieldKind::Year,
        help_zh: "",
    },
    Field {
        key: "nomination",
        label_zh: "推荐材料",
        label_en: "Nomination",
        required: true,
        kind: FieldKind::LongText(6000),
        help_zh: "被推荐人、称号与主要事迹",
    },
];

const fn craftsman_step(code: &'static str, reviewer: Reviewer) -> [Step; 1] {
    [Step {
        code,
        reviewer,
        deadline_days: 10,
        may_edit: &[],
    }]
}

/// A nomination is reviewed by the round's own level (an enterprise round's goes
/// straight to the experts).
const CRAFTSMAN_CITY_STEPS: &[Step] = &craftsman_step("city", Reviewer::City);
const CRAFTSMAN_DISTRICT_STEPS: &[Step] = &craftsman_step("district", Reviewer::District);
const CRAFTSMAN_TOWN_STEPS: &[Step] = &craftsman_step("town", Reviewer::Town);

const CRAFTSMAN_SCORING: Scoring = Scoring {
    max: 100,
    min_experts: 3,
    days: 10,
    criteria_zh: "技能水平（40分）、创新成果（30分）、传帮带与示范作用（30分）",
    criteria_en: "skill (40), innovations (30), mentoring and example (30)",
};

const fn craftsman_process(
    code: &'static str,
    name_zh: &'static str,
    name_en: &'static str,
    steps: &'static [Step],
    decider: Reviewer,
) -> Process {
    Process {
        code,
        name_zh,
        name_en,
        fields: CRAFTSMAN_FIELDS,
        steps,
        notice_days: Some(5),
        items: &[],
        subject: Some(CRAFTSMAN_SUBJECT),
        scoring: Some(CRAFTSMAN_SCORING),
        decider,
    }
}

/// A studio's yearly review: the year and its report.
const STUDIO_REVIEW_FIELDS: &[Field] = &[
    Field {
        key: "year",
        label_zh: "评估年度",
        label_en: "Year",
        required: true,
        kind: FieldKind::Year,
        help_zh: "",
    },
    Field {
        key: "report",
        label_zh: "年度工作报告",
        label_en: "Yearly report",
        required: true,
        kind: FieldKind::LongText(6000),
        help_zh: "攻关项目、培训带徒、创新成果与效益",
    },
];

/// Checked by the studio's district (the city outside the districts).
const STUDIO_REVIEW_STEPS: &[Step] = &[Step {
    code: "area",
    reviewer: Reviewer::Area,
    deadline_days: 10,
    may_edit: &[],
}];

/// An innovation result as its enterprise's union certifies it.
const INNOVATION_FIELDS: &[Field] = &[
    Field {
        key: "year",
        label_zh: "成果年度",
        label_en: "Year",
        required: true,
        kind: FieldKind::Year,
        help_zh: "",
    },
    Field {
        key: "summary",
        label_zh: "成果简介",
        label_en: "Summary",
        required: true,
        kind: FieldKind::LongText(4000),
        help_zh: "创新点、应用情况与经济效益；提交即表示本单位工会已认定",
    },
];

/// Reviewed by the enterprise's district (the city outside the districts).
const INNOVATION_STEPS: &[Step] = &[Step {
    code: "area",
    reviewer: Reviewer::Area,
    deadline_days: 10,
    may_edit: &[],
}];

const BENCHMARK_STEPS: &[Step] = &[
    Step {
        code: "district",
        reviewer: Reviewer::Area,
        deadline_days: 10,
        may_edit: &[],
    },
    Step {
        code: "city",
        reviewer: Reviewer::City,
        deadline_days: 15,
        may_edit: &[],
    },
];

/// Every process the engine runs.
pub static PROCESSES: &[Process] = &[
    Process {
        code: "benchmark_selection",
        name_zh: "标杆试点评选",
        name_en: "Benchmark pilot selection",
        fields: BENCHMARK_FIELDS,
        steps: BENCHMARK_STEPS,
        notice_days: Some(5),
        items: &[],
        subject: None,
        decider: Reviewer::City,
        scoring: Some(Scoring {
            max: 100,
            min_experts: 3,
            days: 10,
            criteria_zh: "工作成效（40分）、创新做法（30分）、可复制推广价值（30分）",
            criteria_en: "results (40), innovation (30), transferability (30)",
        }),
    },
    Process {
        code: "contest_plan",
        name_zh: "竞赛计划审批",
        name_en: "Contest plan approval",
        fields: CONTEST_PLAN_FIELDS,
        steps: CONTEST_PLAN_STEPS,
        notice_days: None,
        items: &[],
        subject: Some(CONTEST_SUBJECT),
        decider: Reviewer::City,
        scoring: None,
    },
    Process {
        code: "contest_plan_city",
        name_zh: "竞赛计划审批（市级）",
        name_en: "Contest plan approval (city)",
        fields: CONTEST_PLAN_FIELDS,
        steps: CONTEST_PLAN_CITY_STEPS,
        notice_days: None,
        items: &[],
        subject: Some(CONTEST_SUBJECT),
        decider: Reviewer::City,
        scoring: None,
    },
    craftsman_process(
        "craftsman_city",
        "龙城工匠评选",
        "Longcheng craftsman selection",
        CRAFTSMAN_CITY_STEPS,
        Reviewer::City,
    ),
    craftsman_process(
        "craftsman_district",
        "区级工匠评选",
        "District craftsman selection",
        CRAFTSMAN_DISTRICT_STEPS,
        Reviewer::District,
    ),
    craftsman_process(
        "craftsman_town",
        "镇级工匠评选",
        "Town craftsman selection",
        CRAFTSMAN_TOWN_STEPS,
        Reviewer::Town,
    ),
    craftsman_process(
        "craftsman_enterprise",
        "企业工匠评选",
        "Enterprise craftsman selection",
        &[],
        Reviewer::Area,
    ),
    Process {
        code: "studio_review",
        name_zh: "创新工作室年度评估",
        name_en: "Innovation studio yearly review",
        fields: STUDIO_REVIEW_FIELDS,
        steps: STUDIO_REVIEW_STEPS,
        notice_days: None,
        items: &[],
        subject: Some(STUDIO_SUBJECT),
        decider: Reviewer::City,
        scoring: Some(Scoring {
            max: 100,
            min_experts: 3,
            days: 10,
            criteria_zh: "攻关成效（40分）、培训带徒（30分）、创新成果与效益（30分）",
            criteria_en:
                "problems solved (40), training and mentoring (30), innovations and benefit (30)",
        }),
    },
    Process {
        code: "innovation_result",
        name_zh: "职工创新成果认定",
        name_en: "Innovation result review",
        fields: INNOVATION_FIELDS,
        steps: INNOVATION_STEPS,
        notice_days: None,
        items: &[],
        subject: Some(INNOVATION_SUBJECT),
        decider: Reviewer::City,
        scoring: None,
    },
    Process {
        code: "contest_results",
        name_zh: "竞赛结果公示",
        name_en: "Contest results on public notice",
        fields: CONTEST_RESULTS_FIELDS,
        steps: &[],
        notice_days: Some(5),
        items: &[],
        subject: Some(CONTEST_SUBJECT),
        decider: Reviewer::City,
        scoring: None,
    },
    Process {
        code: "contest_promotion",
        name_zh: "以赛促评晋升",
        name_en: "Promotion from a contest result",
        fields: PROMOTION_FIELDS,
        steps: PROMOTION_STEPS,
        notice_days: None,
        items: &[],
        subject: Some(CONTEST_SUBJECT),
        decider: Reviewer::City,
        scoring: None,
    },
    Process {
        code: "skill_promotion",
        name_zh: "技能等级晋升",
        name_en: "Skill-level promotion",
        fields: PROMOTION_FIELDS,
        steps: PROMOTION_STEPS,
        notice_days: None,
        items: &[],
        subject: Some(PROMOTION_SUBJECT),
        decider: Reviewer::City,
        scoring: None,
    },
    Process {
        code: "task_completion_city",
        name_zh: "任务销号（市级任务）",
        name_en: "Task completion (city task)",
        fields: COMPLETION_FIELDS,
        steps: COMPLETION_CITY,
        notice_days: None,
        items: &[],
        subject: Some(TASK_COMPLETION_SUBJECT),
        decider: Reviewer::City,
        scoring: None,
    },
    Process {
        code: "task_completion_district",
        name_zh: "任务销号（区级任务）",
        name_en: "Task completion (district task)",
        fields: COMPLETION_FIELDS,
        steps: COMPLETION_DISTRICT,
        notice_days: None,
        items: &[],
        subject: Some(TASK_COMPLETION_SUBJECT),
        decider: Reviewer::City,
        scoring: None,
    },
    Process {
        code: "task_completion_town",
        name_zh: "任务销号（镇级任务）",
        name_en: "Task completion (town task)",
        fields: COMPLETION_FIELDS,
        steps: COMPLETION_TOWN,
        notice_days: None,
        items: &[],
        subject: Some(TASK_COMPLETION_SUBJECT),
        decider: Reviewer::City,
        scoring: None,
    },
    Process {
        code: "assessment_self_report",
        name_zh: "考核自评审核",
        name_en: "Assessment self-report",
        fields: SELF_REPORT_FIELDS,
        steps: SELF_REPORT_STEPS,
        notice_days: None,
        items: &[],
        subject: Some(SELF_REPORT_SUBJECT),
        decider: Reviewer::City,
        scoring: None,
    },
    Process {
        code: "liuyou",
        name_zh: "六有佐证审核",
        name_en: "六有 checklist review",
        fields: &[Field {
            key: "year",
            label_zh: "年度",
            label_en: "Year",
            required: true,
            kind: FieldKind::Year,
            help_zh: "",
        }],
        steps: LIUYOU_STEPS,
        notice_days: None,
        items: &crate::liuyou::ITEMS,
        subject: Some(LIUYOU_SUBJECT),
        decider: Reviewer::City,
        scoring: None,
    },
    Process {
        code: "pilot_application",
        name_zh: "试点申报",
        name_en: "Pilot application",
        fields: APPLICATION_FIELDS,
        steps: REVIEW_STEPS,
        notice_days: Some(5),
        items: &[],
        subject: None,
        decider: Reviewer::City,
        scoring: None,
    },
    Process {
        code: "pilot_yearly_check",
        name_zh: "试点年度检查",
        name_en: "Pilot yearly check",
        fields: CHECK_FIELDS,
        steps: REVIEW_STEPS,
        notice_days: None,
        items: &[],
        subject: None,
        decider: Reviewer::City,
        scoring: None,
    },
    Process {
        code: "pilot_acceptance",
        name_zh: "试点验收",
        name_en: "Pilot final acceptance",
        fields: CHECK_FIELDS,
        steps: REVIEW_STEPS,
        notice_days: Some(5),
        items: &[],
        subject: None,
        decider: Reviewer::City,
        scoring: None,
    },
];
