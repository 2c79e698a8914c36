//! 群众性技术创新: innovation results.

/// key, 中文, English
pub(super) const MESSAGES: &[(&str, &str, &str)] = &[
    ("innovations.new", "申报创新成果", "File an innovation result"),
    ("innovations.correct", "更正成果", "Correct the result"),
    ("innovations.submit", "提交认定", "Submit for review"),
    ("innovations.export", "按模板导出", "Export (template)"),
    ("innovations.empty", "暂无符合条件的创新成果", "No innovation results match"),
    ("innovations.code", "成果编号", "Code"),
    (
        "innovations.code_help",
        "字母、数字、- 和 _，如 CX-2025-001",
        "Letters, digits, - and _, e.g. CX-2025-001",
    ),
    ("innovations.title", "成果名称", "Title"),
    ("innovations.type", "成果类型", "Type"),
    ("innovations.org", "所属企业", "Enterprise"),
    ("innovations.studio", "所属创新工作室", "Studio"),
    ("innovations.no_studio", "（不属于工作室）", "(none)"),
    ("innovations.authors", "完成人", "Made by"),
    (
        "innovations.authors_help",
        "在册职工的职工库编号或身份证号，多人用分号；分隔",
        "Registered workers by registry id or 身份证号, separated by ;",
    ),
    ("innovations.year", "年份", "Year"),
    ("innovations.patent_no", "专利号", "Patent number"),
    (
        "innovations.patent_help",
        "专利类成果必填，如 ZL200410018477.9；按校验位核对",
        "Required for a patent, e.g. ZL200410018477.9; its check digit is verified",
    ),
    ("innovations.benefit", "经济效益", "Economic benefit"),
    ("innovations.summary", "成果简介", "Summary"),
    (
        "innovations.summary_help",
        "创新点、应用情况与经济效益（万元）",
        "What is new, where it is used and what it brought (10k yuan)",
    ),
    (
        "innovations.certify_note",
        "由本单位工会认定后申报：提交即进入属地（区产改办）审核，审核通过后计入创新成果。",
        "Filed once the enterprise's union has certified it: submitting sends it to the district for review; once approved it counts.",
    ),
    ("innovations.status", "状态", "Status"),
    ("innovations.counted", "已认定", "Recognised"),
    ("innovations.pending", "审核中或被退回", "In review or returned"),
    ("innovations.featured", "展示成果", "Showcased"),
    ("innovations.q", "名称/编号/专利号/企业", "Title, code, patent or enterprise"),
    ("innovations.case", "认定流程", "Review case"),
    (
        "innovations.showcase_help",
        "入选后在职工科技创新周成果展示中列出。",
        "Showcased results are listed in the workers' innovation week showcase.",
    ),
    ("innovations.feature", "入选展示", "Showcase it"),
    ("innovations.unfeature", "撤下展示", "Take off the showcase"),
];
