//! 工匠培育: craftsman selection rounds and nominations.

/// key, 中文, English
pub(super) const MESSAGES: &[(&str, &str, &str)] = &[
    ("craftsmen.new", "新建评选批次", "New selection round"),
    (
        "craftsmen.intro",
        "市、区、镇、企业四级工匠培育：每级评选由下一级在本辖区内按名额推荐，经本级审核、专家评审、公示后授予称号并写入认定与荣誉。",
        "Four levels of craftsman selection: the level below nominates within its area and quota; review at the round's level, expert scoring and 公示 follow, and the title is written into the registry.",
    ),
    ("craftsmen.name", "批次名称", "Round"),
    ("craftsmen.level", "评选级别", "Level"),
    (
        "craftsmen.level_help",
        "市级授予龙城工匠；由下一级推荐：市级由各区、区级由各镇（街道）、镇级由辖区企业推荐",
        "The city confers 龙城工匠; the level below nominates: districts for the city, towns for a district, enterprises for a town",
    ),
    ("craftsmen.year", "年度", "Year"),
    ("craftsmen.titles", "评选名额", "Titles"),
    ("craftsmen.quota", "每个推荐单位名额", "Quota per nominator"),
    (
        "craftsmen.quota_help",
        "每个推荐单位最多可推荐的人数，不超过评选名额",
        "How many each nominator may put forward, at most the titles",
    ),
    ("craftsmen.closes_on", "推荐截止日期", "Nominations close"),
    ("craftsmen.held_by", "组织单位", "Held by"),
    ("craftsmen.nominations", "推荐人选", "Nominations"),
    ("craftsmen.approved", "已授予", "Conferred"),
    (
        "craftsmen.flow",
        "流程：推荐 → 本级审核 → 专家评审（三位专家评分）→ 公示（可提出异议）→ 授予称号。",
        "Nomination → review at this level → expert scoring (three experts) → public notice (objections) → title.",
    ),
    ("craftsmen.quota_use", "推荐名额使用", "Quota used"),
    ("craftsmen.nominator", "推荐单位", "Nominator"),
    ("craftsmen.used", "已推荐 / 名额", "Used / quota"),
    ("craftsmen.no_nominations", "暂无推荐人选", "No nominations yet"),
    ("craftsmen.nominee", "被推荐人", "Nominee"),
    ("craftsmen.nominee_org", "所在单位", "Employer"),
    ("craftsmen.occupation", "工种", "Occupation"),
    ("craftsmen.status", "评选进度", "Progress"),
    ("craftsmen.in_registry", "已授予称号", "Title conferred"),
    ("craftsmen.nominate", "推荐人选", "Nominate"),
    (
        "craftsmen.worker_help",
        "职工库编号或身份证号；须为本辖区职工，已获本级称号者不能推荐",
        "Registry id or 身份证号; a worker of your area not holding this level's title",
    ),
    ("craftsmen.reason", "主要事迹", "Reasons"),
];
