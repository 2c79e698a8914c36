//! The five import templates of `contracts.md` ("Import templates"): their sheet names,
//! Chinese headers, English aliases, required columns, notes and drop-down lists.
//!
//! These tables are the single source for the template writer ([`crate::write`]), the
//! header matcher ([`crate::map`]) and the importers built on this crate.

/// What a column holds. Decides the cell format of the column in a template (codes are
/// text so that Excel keeps leading zeros and long digit strings) and tells importers
/// which cell helper ([`crate::cell`]) fits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Free text (names, descriptions). Read with [`crate::cell::text`].
    Text,
    /// A code: full-width characters folded, spaces removed ([`crate::cell::code`]).
    Code,
    /// A non-negative whole number ([`crate::cell::int`]).
    Integer,
    /// A non-negative decimal number ([`crate::cell::decimal`]).
    Decimal,
    /// A calendar date ([`crate::cell::date`]).
    Date,
    /// A four-digit year ([`crate::cell::year`]).
    Year,
    /// 是/否 ([`crate::cell::yes_no`]).
    YesNo,
    /// One of [`Column::choices`] ([`crate::cell::choice`]).
    Choice,
    /// A report period: `2023`, `2023Q4`, `2023-06` (read as a code; parsed by the domain).
    Period,
}

/// One column of an import template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    /// English alias, accepted as a header too (e.g. `uscc`).
    pub key: &'static str,
    /// The Chinese header (e.g. `统一社会信用代码`), written without the `*`.
    pub header: &'static str,
    /// Marked `*` in templates; an empty cell is an error.
    pub required: bool,
    /// Shown as a note (comment) on the header cell of templates.
    pub note: &'static str,
    /// Drop-down list values; empty means free input.
    pub choices: &'static [&'static str],
    /// What the column holds.
    pub kind: Kind,
}

/// One import/export template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spec {
    /// The KIND of `gongjiang import KIND` (`orgs`, `pilots`, ...).
    pub kind: &'static str,
    /// Worksheet name in templates and exports; preferred when importing.
    pub sheet: &'static str,
    /// Title of the template, shown on its 说明 sheet.
    pub title_zh: &'static str,
    /// English title.
    pub title_en: &'static str,
    /// Columns in template order.
    pub columns: &'static [Column],
}

impl Spec {
    /// The column with this English key.
    pub fn column(&self, key: &str) -> Option<&'static Column> {
        self.columns.iter().find(|c| c.key == key)
    }

    /// The header as written in templates and exports: the Chinese header, with `*`
    /// appended for required columns.
    pub fn display_headers(&self) -> Vec<String> {
        self.columns.iter().map(Column::display_header).collect()
    }
}

impl Column {
    /// `单位名称*` for required columns, `行业代码` otherwise.
    pub fn display_header(&self) -> String {
        if self.required {
            format!("{}*", self.header)
        } else {
            self.header.to_string()
        }
    }
}

const fn col(
    key: &'static str,
    header: &'static str,
    required: bool,
    kind: Kind,
    note: &'static str,
) -> Column {
    Column {
        key,
        header,
        required,
        note,
        choices: &[],
        kind,
    }
}

const fn pick(
    key: &'static str,
    header: &'static str,
    required: bool,
    choices: &'static [&'static str],
    note: &'static str,
) -> Column {
    Column {
        key,
        header,
        required,
        note,
        choices,
        kind: Kind::Choice,
    }
}

/// 是/否 drop-down.
pub const YES_NO: &[&str] = &["是", "否"];
/// 单位类型 (contracts.md: enterprise, park, member_unit, college, union).
pub const ORG_KINDS: &[&str] = &["企业", "园区", "成员单位", "院校", "工会"];
/// 院校类型 (contracts.md, the later parts).
pub const COLLEGE_TYPES: &[&str] = &["产业学院", "工匠学院", "职工学堂", "其他"];
/// 班级类型.
pub const CLASS_TYPES: &[&str] = &["新型学徒制", "现代学徒制", "技能提升"];
/// 竞赛级别.
pub const CONTEST_LEVELS: &[&str] = &["市级", "区级", "镇级", "企业级"];
/// 奖项.
pub const AWARDS: &[&str] = &["一等奖", "二等奖", "三等奖", "优秀奖"];
/// 授予荣誉 of a contest result.
pub const CONTEST_HONOURS: &[&str] = &["技术能手", "五一劳动奖章", "无"];
/// 成果类型.
pub const INNOVATION_TYPES: &[&str] = &["五小", "合理化建议", "技术革新", "专利", "其他"];
/// 经济类型.
pub const OWNERSHIPS: &[&str] = &["国有", "民营", "外资", "混合"];
/// 试点级别.
pub const PILOT_LEVELS: &[&str] = &["省级", "市级", "县级", "镇级"];
/// 试点类型.
pub const PILOT_TYPES: &[&str] = &["企业", "园区"];
/// The eight-level skill ladder (新八级工).
pub const SKILL_LEVELS: &[&str] = &[
    "学徒工",
    "初级工",
    "中级工",
    "高级工",
    "技师",
    "高级技师",
    "特级技师",
    "首席技师",
];
/// 政治面貌.
pub const POLITICAL_STATUSES: &[&str] =
    &["中共党员", "中共预备党员", "共青团员", "群众", "民主党派"];
/// 级别 of a title or honour.
pub const DESIGNATION_LEVELS: &[&str] = &["国家级", "省级", "市级", "区级", "镇级", "企业级"];
/// 类型 of a title or honour (one registry for every title).
pub const DESIGNATION_TYPES: &[&str] = &[
    "产教融合型试点企业",
    "现代学徒制试点单位",
    "产业教授",
    "龙城工匠",
    "劳动模范",
    "五一劳动奖章",
    "五一劳动奖状",
    "技术能手",
    "创新工作室",
    "十佳产改实践案例",
];

const USCC_NOTE: &str =
    "18位统一社会信用代码,GB 32100 校验(末位校验码);请按文本填写,全角字符和空格会自动去除";

/// `orgs`: 单位名录.
pub static ORGS: Spec = Spec {
    kind: "orgs",
    sheet: "单位",
    title_zh: "单位名录导入模板",
    title_en: "Organisations import template",
    columns: &[
        col(
            "name",
            "单位名称",
            true,
            Kind::Text,
            "单位全称,与营业执照或登记证书一致",
        ),
        col(
            "uscc",
            "统一社会信用代码",
            false,
            Kind::Code,
            "18位统一社会信用代码,GB 32100 校验;单位类型为企业、园区时必填,其他单位有则填写",
        ),
        pick(
            "kind",
            "单位类型",
            true,
            ORG_KINDS,
            "从下拉列表选择:企业、园区、成员单位、院校、工会",
        ),
        col(
            "region_code",
            "所属区划代码",
            true,
            Kind::Code,
            "单位所在地的行政区划代码,如 320402(天宁区)",
        ),
        col(
            "parent_uscc",
            "上级单位信用代码",
            false,
            Kind::Code,
            "上级单位(如所属园区、集团)的统一社会信用代码;没有上级单位的留空",
        ),
        col(
            "industry",
            "行业代码",
            false,
            Kind::Code,
            "国民经济行业分类(GB/T 4754)门类字母加大类代码,如 C38",
        ),
        pick(
            "ownership",
            "经济类型",
            false,
            OWNERSHIPS,
            "从下拉列表选择:国有、民营、外资、混合",
        ),
        pick(
            "chain_leader",
            "是否链主企业",
            false,
            YES_NO,
            "是或否;留空视为否",
        ),
        pick(
            "college_type",
            "院校类型",
            false,
            COLLEGE_TYPES,
            "仅院校填写:产业学院、工匠学院、职工学堂或其他",
        ),
    ],
};

/// `pilots`: 产改试点.
pub static PILOTS: Spec = Spec {
    kind: "pilots",
    sheet: "试点",
    title_zh: "产改试点导入模板",
    title_en: "Reform pilots import template",
    columns: &[
        col("uscc", "统一社会信用代码", true, Kind::Code, USCC_NOTE),
        pick(
            "level",
            "试点级别",
            true,
            PILOT_LEVELS,
            "从下拉列表选择:省级、市级、县级、镇级",
        ),
        pick(
            "type",
            "试点类型",
            true,
            PILOT_TYPES,
            "从下拉列表选择:企业、园区",
        ),
        col("year", "立项年份", true, Kind::Year, "四位年份,如 2023"),
        col(
            "feature",
            "特色",
            false,
            Kind::Text,
            "试点特色或主要做法,简要描述",
        ),
        pick("benchmark", "是否标杆", false, YES_NO, "是或否;留空视为否"),
    ],
};

/// `reports`: the yearly 产改统计表.
pub static REPORTS: Spec = Spec {
    kind: "reports",
    sheet: "产改统计表",
    title_zh: "产改统计表导入模板",
    title_en: "Reform statistics report import template",
    columns: &[
        col("uscc", "统一社会信用代码", true, Kind::Code, USCC_NOTE),
        col(
            "period",
            "报告期",
            true,
            Kind::Period,
            "年份(2023)、季度(2023Q4)或月份(2023-06),请按文本填写",
        ),
        col(
            "workers",
            "职工总数",
            false,
            Kind::Integer,
            "报告期末职工总数(人),非负整数",
        ),
        col(
            "frontline_workers",
            "一线职工数",
            false,
            Kind::Integer,
            "一线职工人数,非负整数,不得超过职工总数",
        ),
        col(
            "high_skilled",
            "高技能人才数",
            false,
            Kind::Integer,
            "高级工及以上技能等级人数,非负整数,不得超过职工总数",
        ),
        col(
            "high_skilled_new",
            "当年新增高技能人才数",
            false,
            Kind::Integer,
            "报告期内新增的高技能人才人数,非负整数",
        ),
        col(
            "training_person_times",
            "培训人次",
            false,
            Kind::Integer,
            "报告期内职工培训人次,非负整数",
        ),
        col(
            "training_spend_wan",
            "培训投入万元",
            false,
            Kind::Decimal,
            "报告期内培训经费投入,单位万元,可保留两位小数",
        ),
        col(
            "proposals",
            "合理化建议数",
            false,
            Kind::Integer,
            "报告期内职工提出的合理化建议条数,非负整数",
        ),
        col(
            "innovations",
            "创新成果数",
            false,
            Kind::Integer,
            "报告期内职工创新成果项数,非负整数",
        ),
        col(
            "innovation_benefit_wan",
            "创新经济效益万元",
            false,
            Kind::Decimal,
            "创新成果产生的经济效益,单位万元,可保留两位小数",
        ),
    ],
};

/// `workers`: 职工 (技能人才).
pub static WORKERS: Spec = Spec {
    kind: "workers",
    sheet: "职工",
    title_zh: "职工（技能人才）导入模板",
    title_en: "Workers import template",
    columns: &[
        col("name", "姓名", true, Kind::Text, "职工姓名"),
        col(
            "id_number",
            "身份证号",
            true,
            Kind::Code,
            "18位居民身份证号码,末位可为 X;请按文本填写,避免 Excel 转为科学计数法",
        ),
        col(
            "org_uscc",
            "单位信用代码",
            true,
            Kind::Code,
            "所在单位的18位统一社会信用代码,单位须已导入",
        ),
        col("phone", "手机号", false, Kind::Code, "11位手机号码"),
        col("occupation", "工种", false, Kind::Text, "职业(工种)名称,如 车工、电工、焊工"),
        pick(
            "skill_level",
            "技能等级",
            false,
            SKILL_LEVELS,
            "从下拉列表选择(新八级工):学徒工、初级工、中级工、高级工、技师、高级技师、特级技师、首席技师",
        ),
        col(
            "certificate_no",
            "证书编号",
            false,
            Kind::Code,
            "职业技能等级证书或职业资格证书编号",
        ),
        col(
            "certified_on",
            "取证日期",
            false,
            Kind::Date,
            "证书发证日期,如 2023-05-01(也可填 2023/5/1 或 2023年5月1日)",
        ),
        pick("frontline", "是否一线职工", false, YES_NO, "是或否;留空视为否"),
        pick(
            "political_status",
            "政治面貌",
            false,
            POLITICAL_STATUSES,
            "从下拉列表选择:中共党员、中共预备党员、共青团员、群众、民主党派",
        ),
    ],
};

/// `designations`: 认定与荣誉.
pub static DESIGNATIONS: Spec = Spec {
    kind: "designations",
    sheet: "认定与荣誉",
    title_zh: "认定与荣誉导入模板",
    title_en: "Titles and honours import template",
    columns: &[
        pick(
            "type",
            "类型",
            true,
            DESIGNATION_TYPES,
            "从下拉列表选择认定或荣誉的类型,如 龙城工匠、劳动模范、创新工作室",
        ),
        pick(
            "level",
            "级别",
            true,
            DESIGNATION_LEVELS,
            "从下拉列表选择:国家级、省级、市级、区级、镇级、企业级",
        ),
        col(
            "year",
            "年份",
            true,
            Kind::Year,
            "认定或表彰的年份,四位数字,如 2023",
        ),
        col(
            "uscc",
            "统一社会信用代码",
            false,
            Kind::Code,
            "授予单位的填单位的统一社会信用代码;与身份证号二选一,只填一个",
        ),
        col(
            "id_number",
            "身份证号",
            false,
            Kind::Code,
            "授予个人的填本人身份证号;与统一社会信用代码二选一,只填一个",
        ),
        col(
            "document_no",
            "文号",
            false,
            Kind::Text,
            "认定或表彰文件的文号,如 常人社发〔2023〕12号",
        ),
    ],
};

/// `classes`: training classes (技能形成; contracts.md, the later parts).
pub static CLASSES: Spec = Spec {
    kind: "classes",
    sheet: "培训班",
    title_zh: "培训班导入模板",
    title_en: "Training classes import template",
    columns: &[
        col(
            "code",
            "班级编号",
            true,
            Kind::Code,
            "培训班唯一编号,字母、数字、- 和 _,如 XT-2024-001;重复导入按编号更新",
        ),
        col("name", "班级名称", true, Kind::Text, "培训班全称"),
        pick(
            "type",
            "班级类型",
            true,
            CLASS_TYPES,
            "从下拉列表选择:新型学徒制、现代学徒制、技能提升",
        ),
        col(
            "provider_uscc",
            "培训机构信用代码",
            true,
            Kind::Code,
            "承办院校或企业的统一社会信用代码(须已在单位库中)",
        ),
        col(
            "enterprise_uscc",
            "企业信用代码",
            false,
            Kind::Code,
            "举办企业的统一社会信用代码;培训机构不在本辖区时必填",
        ),
        col("year", "开班年份", true, Kind::Year, "四位年份,如 2024"),
        col(
            "trainees",
            "学员数",
            true,
            Kind::Integer,
            "学员人数,非负整数",
        ),
        col(
            "completed",
            "结业数",
            false,
            Kind::Integer,
            "结业人数,非负整数,不得超过学员数",
        ),
    ],
};

/// `contests`: labour and skills contests held (劳动和技能竞赛).
pub static CONTESTS: Spec = Spec {
    kind: "contests",
    sheet: "竞赛",
    title_zh: "劳动和技能竞赛导入模板",
    title_en: "Contests import template",
    columns: &[
        col(
            "code",
            "赛事编号",
            true,
            Kind::Code,
            "竞赛唯一编号,字母、数字、- 和 _,如 JS-2024-001;重复导入按编号更新",
        ),
        col("name", "赛事名称", true, Kind::Text, "竞赛全称"),
        pick(
            "level",
            "级别",
            true,
            CONTEST_LEVELS,
            "从下拉列表选择:市级、区级、镇级、企业级",
        ),
        col(
            "year",
            "年份",
            true,
            Kind::Year,
            "举办年份,四位数字,如 2024",
        ),
        col(
            "occupation",
            "工种",
            true,
            Kind::Text,
            "竞赛工种,如 数控车工",
        ),
        col(
            "organiser_uscc",
            "主办单位信用代码",
            false,
            Kind::Code,
            "主办单位的统一社会信用代码(竞赛场次按主办单位统计;企业账号可留空,视为本单位)",
        ),
    ],
};

/// `contest_results`: the results of contests held.
pub static CONTEST_RESULTS: Spec = Spec {
    kind: "contest_results",
    sheet: "竞赛结果",
    title_zh: "竞赛结果导入模板",
    title_en: "Contest results import template",
    columns: &[
        col(
            "contest_code",
            "赛事编号",
            true,
            Kind::Code,
            "竞赛的赛事编号(须已导入);同一竞赛同一身份证号重复导入按此更新",
        ),
        col(
            "id_number",
            "身份证号",
            true,
            Kind::Code,
            "选手的身份证号(须已在职工库登记)",
        ),
        col(
            "rank",
            "名次",
            true,
            Kind::Integer,
            "正整数,并列名次填相同数字",
        ),
        pick(
            "award",
            "奖项",
            false,
            AWARDS,
            "从下拉列表选择:一等奖、二等奖、三等奖、优秀奖;未获奖留空",
        ),
        pick(
            "honour",
            "授予荣誉",
            false,
            CONTEST_HONOURS,
            "从下拉列表选择:技术能手、五一劳动奖章、无;写入认定与荣誉库",
        ),
        pick(
            "promoted_to",
            "晋升等级",
            false,
            SKILL_LEVELS,
            "以赛促评晋升到的等级,须高于选手现有等级;未晋升留空",
        ),
    ],
};

/// `innovations`: workers' innovation results already recognised (群众性技术创新).
pub static INNOVATIONS: Spec = Spec {
    kind: "innovations",
    sheet: "创新成果",
    title_zh: "职工创新成果导入模板",
    title_en: "Innovation results import template",
    columns: &[
        col(
            "code",
            "成果编号",
            true,
            Kind::Code,
            "成果唯一编号,字母、数字、- 和 _,如 CX-2024-001;重复导入按编号更新",
        ),
        col("title", "成果名称", true, Kind::Text, "成果全称"),
        pick(
            "type",
            "成果类型",
            true,
            INNOVATION_TYPES,
            "从下拉列表选择:五小、合理化建议、技术革新、专利、其他",
        ),
        col(
            "uscc",
            "单位信用代码",
            true,
            Kind::Code,
            "成果所属企业的统一社会信用代码(须已在单位库中)",
        ),
        col(
            "id_numbers",
            "完成人身份证号",
            false,
            Kind::Code,
            "完成人的身份证号(须已在职工库登记),多人用分号；分隔",
        ),
        col(
            "year",
            "年份",
            true,
            Kind::Year,
            "成果认定年份,四位数字,如 2024",
        ),
        col(
            "patent_no",
            "专利号",
            false,
            Kind::Code,
            "专利类成果必填,如 ZL200410018477.9(校验位按国家知识产权局规则核对)",
        ),
        col(
            "benefit_wan",
            "经济效益万元",
            false,
            Kind::Decimal,
            "成果产生的经济效益,单位万元,最多两位小数",
        ),
    ],
};

/// Every template, in the order of contracts.md.
pub static ALL: [&Spec; 9] = [
    &ORGS,
    &PILOTS,
    &REPORTS,
    &WORKERS,
    &DESIGNATIONS,
    &CLASSES,
    &CONTESTS,
    &CONTEST_RESULTS,
    &INNOVATIONS,
];

/// The template of a KIND (`orgs`, `pilots`, `reports`, `workers`, `designations`).
pub fn spec(kind: &str) -> Option<&'static Spec> {
    let kind = kind.trim();
    ALL.iter()
        .copied()
        .find(|s| s.kind.eq_ignore_ascii_case(kind))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn kinds_resolve() {
        for s in ALL {
            assert_eq!(spec(s.kind).map(|x| x.kind), Some(s.kind));
        }
        assert_eq!(spec(" Workers ").map(|s| s.sheet), Some("职工"));
        assert!(spec("people").is_none());
    }

    #[test]
    fn headers_and_keys_are_unique_and_consistent() {
        for s in ALL {
            let mut seen = HashSet::new();
            for c in s.columns {
                assert!(seen.insert(c.key), "{} duplicate key {}", s.kind, c.key);
                assert!(
                    seen.insert(c.header),
                    "{} duplicate header {}",
                    s.kind,
                    c.header
                );
                assert!(!c.note.is_empty(), "{}.{} has no note", s.kind, c.key);
                assert_eq!(
                    c.kind == Kind::Choice,
                    !c.choices.is_empty(),
                    "{}.{}",
                    s.kind,
                    c.key
                );
                // Excel limits a list validation to 255 characters.
                let joined: usize = c.choices.iter().map(|x| x.chars().count() + 1).sum();
                assert!(joined < 255);
            }
        }
    }

    #[test]
    fn contract_columns() {
        let keys = |s: &Spec| s.columns.iter().map(|c| c.key).collect::<Vec<_>>();
        assert_eq!(
            keys(&ORGS),
            [
                "name",
                "uscc",
                "kind",
                "region_code",
                "parent_uscc",
                "industry",
                "ownership",
                "chain_leader",
                "college_type"
            ]
        );
        assert_eq!(
            keys(&PILOTS),
            ["uscc", "level", "type", "year", "feature", "benchmark"]
        );
        assert_eq!(keys(&REPORTS).len(), 11);
        assert_eq!(
            keys(&WORKERS),
            [
                "name",
                "id_number",
                "org_uscc",
                "phone",
                "occupation",
                "skill_level",
                "certificate_no",
                "certified_on",
                "frontline",
                "political_status"
            ]
        );
        assert_eq!(
            keys(&DESIGNATIONS),
            ["type", "level", "year", "uscc", "id_number", "document_no"]
        );
        let required = |s: &Spec| {
            s.columns
                .iter()
                .filter(|c| c.required)
                .map(|c| c.header)
                .collect::<Vec<_>>()
        };
        assert_eq!(required(&ORGS), ["单位名称", "单位类型", "所属区划代码"]);
        assert_eq!(
            required(&PILOTS),
            ["统一社会信用代码", "试点级别", "试点类型", "立项年份"]
        );
        assert_eq!(required(&REPORTS), ["统一社会信用代码", "报告期"]);
        assert_eq!(required(&WORKERS), ["姓名", "身份证号", "单位信用代码"]);
        assert_eq!(required(&DESIGNATIONS), ["类型", "级别", "年份"]);
        assert_eq!(ORGS.display_headers()[0], "单位名称*");
    }
}
