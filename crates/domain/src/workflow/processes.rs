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
    Field::required(
        "level",
        ("申报级别", "Level applied for"),
        FieldKind::Choice(PILOT_LEVELS),
    )
    .help("通常先申报市级试点"),
    Field::required("year", ("申报年度", "Year"), FieldKind::Year),
    Field::required(
        "feature",
        ("特色（一企一特色/一园一品牌）", "Feature"),
        FieldKind::Text(200),
    )
    .help("一句话概括本单位产改特色"),
    Field::required(
        "plan",
        ("试点工作方案", "Pilot plan"),
        FieldKind::LongText(5000),
    )
    .help("目标、举措、进度安排、保障措施"),
    Field::optional("contact", ("联系人及电话", "Contact"), FieldKind::Text(100)),
];

const REVIEW_STEPS: &[Step] = &[
    Step::new("town", Reviewer::Town, 7),
    Step::new("district", Reviewer::District, 10).may_edit(&["level"]),
    Step::new("city", Reviewer::City, 15).may_edit(&["level"]),
];

const CHECK_FIELDS: &[Field] = &[
    Field::required("year", ("年度", "Year"), FieldKind::Year),
    Field::required(
        "summary",
        ("工作总结", "Summary"),
        FieldKind::LongText(5000),
    )
    .help("年度目标完成情况、主要做法、成效与问题"),
];

const LIUYOU_STEPS: &[Step] = &[Step::new("area", Reviewer::Area, 15)];

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
    Field::required("worker_name", ("职工", "Worker"), FieldKind::Text(100)),
    Field::optional(
        "from_level",
        ("现有等级", "Current level"),
        FieldKind::Choice(LADDER),
    ),
    Field::required(
        "to_level",
        ("晋升等级", "Promoted to"),
        FieldKind::Choice(LADDER),
    ),
    Field::required(
        "certificate_no",
        ("证书编号", "Certificate number"),
        FieldKind::Text(64),
    )
    .help("职业技能等级证书编号"),
    Field::required(
        "source",
        ("晋升依据", "Grounds"),
        FieldKind::Choice(PROMOTION_SOURCES),
    ),
];

const PROMOTION_STEPS: &[Step] = &[Step::new("department", Reviewer::Department, 10)];

/// A contest's plan, filled in by the contests part from the plan itself.
const CONTEST_PLAN_FIELDS: &[Field] = &[
    Field::required("year", ("竞赛年度", "Year"), FieldKind::Year),
    Field::required(
        "plan",
        ("竞赛方案", "Contest plan"),
        FieldKind::LongText(5000),
    )
    .help("赛事名称、级别、工种、日期、奖项设置"),
];

const CONTEST_PLAN_STEPS: &[Step] = &[Step::new("area", Reviewer::Area, 10)];

/// A city- or district-level contest's plan goes to the city: the district that plans
/// one does not approve its own.
const CONTEST_PLAN_CITY_STEPS: &[Step] = &[Step::new("city", Reviewer::City, 10)];

/// A contest's results, published for 公示 from the locked ranking.
const CONTEST_RESULTS_FIELDS: &[Field] = &[
    Field::required("year", ("竞赛年度", "Year"), FieldKind::Year),
    Field::required(
        "results",
        ("拟获奖名单", "Proposed results"),
        FieldKind::LongText(20000),
    )
    .help("名次、姓名、单位、总分、奖项、荣誉、晋升等级"),
];

const TARGET_KINDS: &[(&str, &str, &str)] = &[
    ("district", "辖市区", "District"),
    ("member_unit", "成员单位", "Member unit"),
    ("pilot_unit", "试点单位", "Pilot unit"),
];

const SELF_REPORT_FIELDS: &[Field] = &[
    Field::required("year", ("考核年度", "Year"), FieldKind::Year),
    Field::required("round", ("考核轮次", "Round"), FieldKind::Text(200)),
    Field::required(
        "target_kind",
        ("考核对象类型", "Target kind"),
        FieldKind::Choice(TARGET_KINDS),
    ),
    Field::required("target_key", ("考核对象", "Target"), FieldKind::Text(20)),
];

const SELF_REPORT_STEPS: &[Step] = &[Step::new("city", Reviewer::City, 10)];

const COMPLETION_FIELDS: &[Field] = &[
    Field::required(
        "summary",
        ("完成情况", "What was done"),
        FieldKind::LongText(2000),
    )
    .help("对照目标说明完成情况，佐证材料可作为附件上传"),
    Field::optional(
        "achieved",
        ("完成值", "Value achieved"),
        FieldKind::Text(50),
    )
    .help("有量化目标的，填写实际完成值"),
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
    Field::required("year", ("评选年度", "Year"), FieldKind::Year),
    Field::required(
        "achievements",
        ("试点成效与可复制经验", "Results and transferable practice"),
        FieldKind::LongText(5000),
    )
    .help("对照试点方案写明主要成效、数据和可推广的做法"),
];

/// A craftsman nomination (工匠培育): who is nominated and why.
const CRAFTSMAN_FIELDS: &[Field] = &[
    Field::required("year", ("评选年度", "Year"), FieldKind::Year),
    Field::required(
        "nomination",
        ("推荐材料", "Nomination"),
        FieldKind::LongText(6000),
    )
    .help("被推荐人、称号与主要事迹"),
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
    names: (&'static str, &'static str),
    steps: &'static [Step],
    decider: Reviewer,
) -> Process {
    Process::new(code, names, CRAFTSMAN_FIELDS, steps)
        .subject(CRAFTSMAN_SUBJECT)
        .notice(5)
        .scoring(CRAFTSMAN_SCORING)
        .decided_by(decider)
}

/// A studio's yearly review: the year and its report.
const STUDIO_REVIEW_FIELDS: &[Field] = &[
    Field::required("year", ("评估年度", "Year"), FieldKind::Year),
    Field::required(
        "report",
        ("年度工作报告", "Yearly report"),
        FieldKind::LongText(6000),
    )
    .help("攻关项目、培训带徒、创新成果与效益"),
];

/// Checked by the studio's district (the city outside the districts).
const STUDIO_REVIEW_STEPS: &[Step] = &[Step::new("area", Reviewer::Area, 10)];

/// An innovation result as its enterprise's union certifies it.
const INNOVATION_FIELDS: &[Field] = &[
    Field::required("year", ("成果年度", "Year"), FieldKind::Year),
    Field::required(
        "summary",
        ("成果简介", "Summary"),
        FieldKind::LongText(4000),
    )
    .help("创新点、应用情况与经济效益；提交即表示本单位工会已认定"),
];

/// Reviewed by the enterprise's district (the city outside the districts).
const INNOVATION_STEPS: &[Step] = &[Step::new("area", Reviewer::Area, 10)];

const BENCHMARK_STEPS: &[Step] = &[
    Step::new("district", Reviewer::Area, 10),
    Step::new("city", Reviewer::City, 15),
];

/// Every process the engine runs.
pub static PROCESSES: &[Process] = &[
    Process::new(
        "benchmark_selection",
        ("标杆试点评选", "Benchmark pilot selection"),
        BENCHMARK_FIELDS,
        BENCHMARK_STEPS,
    )
    .notice(5)
    .scoring(Scoring {
        max: 100,
        min_experts: 3,
        days: 10,
        criteria_zh: "工作成效（40分）、创新做法（30分）、可复制推广价值（30分）",
        criteria_en: "results (40), innovation (30), transferability (30)",
    }),
    Process::new(
        "contest_plan",
        ("竞赛计划审批", "Contest plan approval"),
        CONTEST_PLAN_FIELDS,
        CONTEST_PLAN_STEPS,
    )
    .subject(CONTEST_SUBJECT),
    Process::new(
        "contest_plan_city",
        ("竞赛计划审批（市级）", "Contest plan approval (city)"),
        CONTEST_PLAN_FIELDS,
        CONTEST_PLAN_CITY_STEPS,
    )
    .subject(CONTEST_SUBJECT),
    craftsman_process(
        "craftsman_city",
        ("龙城工匠评选", "Longcheng craftsman selection"),
        CRAFTSMAN_CITY_STEPS,
        Reviewer::City,
    ),
    craftsman_process(
        "craftsman_district",
        ("区级工匠评选", "District craftsman selection"),
        CRAFTSMAN_DISTRICT_STEPS,
        Reviewer::District,
    ),
    craftsman_process(
        "craftsman_town",
        ("镇级工匠评选", "Town craftsman selection"),
        CRAFTSMAN_TOWN_STEPS,
        Reviewer::Town,
    ),
    craftsman_process(
        "craftsman_enterprise",
        ("企业工匠评选", "Enterprise craftsman selection"),
        &[],
        Reviewer::Area,
    ),
    Process::new(
        "studio_review",
        ("创新工作室年度评估", "Innovation studio yearly review"),
        STUDIO_REVIEW_FIELDS,
        STUDIO_REVIEW_STEPS,
    )
    .subject(STUDIO_SUBJECT)
    .scoring(Scoring {
        max: 100,
        min_experts: 3,
        days: 10,
        criteria_zh: "攻关成效（40分）、培训带徒（30分）、创新成果与效益（30分）",
        criteria_en:
            "problems solved (40), training and mentoring (30), innovations and benefit (30)",
    }),
    Process::new(
        "innovation_result",
        ("职工创新成果认定", "Innovation result review"),
        INNOVATION_FIELDS,
        INNOVATION_STEPS,
    )
    .subject(INNOVATION_SUBJECT),
    Process::new(
        "contest_results",
        ("竞赛结果公示", "Contest results on public notice"),
        CONTEST_RESULTS_FIELDS,
        &[],
    )
    .subject(CONTEST_SUBJECT)
    .notice(5),
    Process::new(
        "contest_promotion",
        ("以赛促评晋升", "Promotion from a contest result"),
        PROMOTION_FIELDS,
        PROMOTION_STEPS,
    )
    .subject(CONTEST_SUBJECT),
    Process::new(
        "skill_promotion",
        ("技能等级晋升", "Skill-level promotion"),
        PROMOTION_FIELDS,
        PROMOTION_STEPS,
    )
    .subject(PROMOTION_SUBJECT),
    Process::new(
        "task_completion_city",
        ("任务销号（市级任务）", "Task completion (city task)"),
        COMPLETION_FIELDS,
        COMPLETION_CITY,
    )
    .subject(TASK_COMPLETION_SUBJECT),
    Process::new(
        "task_completion_district",
        ("任务销号（区级任务）", "Task completion (district task)"),
        COMPLETION_FIELDS,
        COMPLETION_DISTRICT,
    )
    .subject(TASK_COMPLETION_SUBJECT),
    Process::new(
        "task_completion_town",
        ("任务销号（镇级任务）", "Task completion (town task)"),
        COMPLETION_FIELDS,
        COMPLETION_TOWN,
    )
    .subject(TASK_COMPLETION_SUBJECT),
    Process::new(
        "assessment_self_report",
        ("考核自评审核", "Assessment self-report"),
        SELF_REPORT_FIELDS,
        SELF_REPORT_STEPS,
    )
    .subject(SELF_REPORT_SUBJECT),
    Process::new(
        "liuyou",
        ("六有佐证审核", "六有 checklist review"),
        &[Field::required("year", ("年度", "Year"), FieldKind::Year)],
        LIUYOU_STEPS,
    )
    .subject(LIUYOU_SUBJECT)
    .items(&crate::liuyou::ITEMS),
    Process::new(
        "pilot_application",
        ("试点申报", "Pilot application"),
        APPLICATION_FIELDS,
        REVIEW_STEPS,
    )
    .notice(5),
    Process::new(
        "pilot_yearly_check",
        ("试点年度检查", "Pilot yearly check"),
        CHECK_FIELDS,
        REVIEW_STEPS,
    ),
    Process::new(
        "pilot_acceptance",
        ("试点验收", "Pilot final acceptance"),
        CHECK_FIELDS,
        REVIEW_STEPS,
    )
    .notice(5),
];
