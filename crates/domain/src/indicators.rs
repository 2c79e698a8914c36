//! The indicator catalogue (contracts.md): stable codes, names, units and how each is
//! computed from maintained measures. One engine computes every number the UI, the API,
//! exports and reports show.

/// How an indicator is computed from measures (see the storage crate's `indicators`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Formula {
    /// Sum of a measure over every year up to and including the period (cumulative).
    Cumulative(&'static str),
    /// Sum of several measures, cumulative.
    CumulativeAny(&'static [&'static str]),
    /// Sum of a measure in exactly the period.
    InPeriod(&'static str),
    /// Sum in the period of a measure kept ×100 (money in 万元 with two decimals).
    InPeriodCents(&'static str),
    /// numerator ÷ denominator × factor, both in the period.
    Ratio {
        numerator: &'static str,
        denominator: &'static str,
        factor: i64,
    },
    /// An in-period measure ÷ the sum of cumulative measures × factor (e.g. pilot units
    /// whose 六有 were all accepted this year ÷ every pilot unit so far).
    RatioToCumulative {
        numerator: &'static str,
        denominators: &'static [&'static str],
        factor: i64,
    },
    /// Not computable until the module that feeds it exists (named by its issue).
    Pending(u32),
}

#[derive(Debug, Clone, Copy)]
pub struct Indicator {
    pub code: &'static str,
    pub name_zh: &'static str,
    pub name_en: &'static str,
    pub unit_zh: &'static str,
    pub unit_en: &'static str,
    pub formula: Formula,
}

impl Indicator {
    pub fn name(&self, en: bool) -> &'static str {
        if en {
            self.name_en
        } else {
            self.name_zh
        }
    }
    pub fn unit(&self, en: bool) -> &'static str {
        if en {
            self.unit_en
        } else {
            self.unit_zh
        }
    }
}

/// Measure names: what the storage layer maintains per node and period.
pub mod measure {
    pub const PILOT_ENTERPRISE: &str = "pilot_enterprise";
    pub const PILOT_PARK: &str = "pilot_park";
    /// `designation:{type code}:{level code}`
    pub fn designation(t: &str, level: &str) -> String {
        format!("designation:{t}:{level}")
    }
    /// The period of a standing fact (a 院校 counts whatever year is asked).
    pub const STANDING: &str = "0000";
    /// `college:{college type code}`
    pub fn college(t: &str) -> String {
        format!("college:{t}")
    }
    /// `class:{class type code}`: classes opened in the year.
    pub fn class(t: &str) -> String {
        format!("class:{t}")
    }
    pub const CLASS_TRAINEES: &str = "class:trainees";
    pub const CLASS_COMPLETED: &str = "class:completed";
    /// Contests past their plan's approval, by the contest's year.
    pub const CONTESTS_HELD: &str = "contest:held";
    /// Studio reviews decided, and those not revoked, by the review's year and the
    /// studio's enterprise.
    pub const STUDIO_REVIEWS: &str = "studio:reviews";
    /// Innovation results approved or recorded, by the result's year and enterprise;
    /// those of type 专利; their economic benefit (万元 × 100).
    pub const INNOVATION_RESULTS: &str = "innovation:results";
    pub const INNOVATION_PATENTS: &str = "innovation:patents";
    pub const INNOVATION_BENEFIT: &str = "innovation:benefit";
    pub const STUDIO_PASSED: &str = "studio:passed";
    /// Final contest results, by the contest's year and the entrant's employer.
    pub const CONTEST_ENTRANTS: &str = "contest:entrants";
    pub const CONTEST_AWARDS: &str = "contest:awards";
    pub const CONTEST_PROMOTIONS: &str = "contest:promotions";
    /// `ladder:{level}`: workers reaching a level (+1) and leaving the one below (−1) in
    /// the year of their certificate, so that the cumulative sum is the ladder at the end
    /// of a year; workers without certificates stand at their level (period 0000).
    pub fn ladder(level: &str) -> String {
        format!("ladder:{level}")
    }
    /// New high-skilled workers (a certificate reaching 高级工 or above from below), by
    /// the certificate's year and how it came: `training`, `contest` or `certificate`.
    pub fn high_skilled_new(source: &str) -> String {
        format!("hs_new:{source}")
    }
    /// Promotions approved on the platform (training or contests), by year: all, and
    /// `promotion:{level}` by the level reached.
    pub const PROMOTIONS: &str = "promotion:all";
    pub fn promotion(level: &str) -> String {
        format!("promotion:{level}")
    }
}

const fn ind(
    code: &'static str,
    name_zh: &'static str,
    name_en: &'static str,
    unit_zh: &'static str,
    unit_en: &'static str,
    formula: Formula,
) -> Indicator {
    Indicator {
        code,
        name_zh,
        name_en,
        unit_zh,
        unit_en,
        formula,
    }
}

use Formula::*;

pub const CATALOGUE: &[Indicator] = &[
    ind(
        "pilot_enterprises",
        "试点企业数",
        "Pilot enterprises",
        "家",
        "",
        Cumulative("pilot_enterprise"),
    ),
    ind(
        "pilot_parks",
        "特色产业园区试点数",
        "Featured industrial-park pilots",
        "个",
        "",
        Cumulative("pilot_park"),
    ),
    ind(
        "pilot_workers_covered",
        "试点覆盖职工数",
        "Workers covered by pilots",
        "人",
        "",
        InPeriod("rep:pilot_workers"),
    ),
    ind(
        "workers_total",
        "职工总数",
        "Workers",
        "人",
        "",
        InPeriod("rep:workers"),
    ),
    ind(
        "high_skilled_total",
        "高技能人才数",
        "High-skilled talents",
        "人",
        "",
        InPeriod("rep:high_skilled"),
    ),
    ind(
        "high_skilled_per_10k",
        "每万名职工中高技能人才数",
        "High-skilled per 10,000 workers",
        "人",
        "",
        Ratio {
            numerator: "rep:high_skilled",
            denominator: "rep:workers",
            factor: 10_000,
        },
    ),
    ind(
        "high_skilled_new",
        "当年新增高技能人才数",
        "New high-skilled talents in the period",
        "人次",
        "",
        InPeriod("rep:high_skilled_new"),
    ),
    ind(
        "training_person_times",
        "培训人次",
        "Training (person-times)",
        "人次",
        "",
        InPeriod("rep:training_person_times"),
    ),
    ind(
        "innovation_benefit_wan",
        "创新经济效益（万元）",
        "Innovation benefit (10k yuan)",
        "万元",
        "10k yuan",
        InPeriodCents("rep:innovation_benefit_wan"),
    ),
    ind(
        "integration_enterprises",
        "产教融合型试点企业数",
        "Industry-education integration pilot enterprises",
        "家",
        "",
        CumulativeAny(&[
            "designation:integration_enterprise:national",
            "designation:integration_enterprise:province",
            "designation:integration_enterprise:city",
            "designation:integration_enterprise:district",
            "designation:integration_enterprise:town",
            "designation:integration_enterprise:enterprise",
        ]),
    ),
    ind(
        "industry_professors",
        "产业教授数",
        "Industry professors",
        "名",
        "",
        CumulativeAny(&[
            "designation:industry_professor:national",
            "designation:industry_professor:province",
            "designation:industry_professor:city",
            "designation:industry_professor:district",
            "designation:industry_professor:town",
            "designation:industry_professor:enterprise",
        ]),
    ),
    ind(
        "apprenticeship_pilots",
        "现代学徒制试点单位数",
        "Modern apprenticeship pilot units",
        "个",
        "",
        CumulativeAny(&[
            "designation:apprenticeship_pilot:national",
            "designation:apprenticeship_pilot:province",
            "designation:apprenticeship_pilot:city",
            "designation:apprenticeship_pilot:district",
            "designation:apprenticeship_pilot:town",
            "designation:apprenticeship_pilot:enterprise",
        ]),
    ),
    ind(
        "lc_craftsmen",
        "龙城工匠数",
        "Longcheng craftsmen",
        "名",
        "",
        Cumulative("designation:longcheng_craftsman:city"),
    ),
    ind(
        "innovation_studios",
        "劳模（工匠）创新工作室数（市级及以上）",
        "Innovation studios (city level and above)",
        "家",
        "",
        CumulativeAny(&[
            "designation:innovation_studio:national",
            "designation:innovation_studio:province",
            "designation:innovation_studio:city",
        ]),
    ),
    ind(
        "registered_workers",
        "在册职工数",
        "Registered workers",
        "人",
        "",
        Cumulative("reg:workers"),
    ),
    ind(
        "registered_high_skilled",
        "在册高技能人才数",
        "Registered high-skilled talents",
        "人",
        "",
        Cumulative("reg:high_skilled"),
    ),
    ind(
        "tasks_total",
        "年度任务数",
        "Tasks in the year's list",
        "项",
        "",
        InPeriod("task:total"),
    ),
    ind(
        "tasks_done",
        "已完成年度任务数",
        "Tasks done",
        "项",
        "",
        InPeriod("task:done"),
    ),
    ind(
        "task_completion_rate",
        "年度任务完成率",
        "Task completion rate",
        "%",
        "%",
        Ratio {
            numerator: "task:done",
            denominator: "task:total",
            factor: 100,
        },
    ),
    ind(
        "liuyou_complete_units",
        "六有全部通过的试点单位数",
        "Pilot units with all six 六有 accepted",
        "家",
        "",
        InPeriod("liuyou_complete"),
    ),
    ind(
        "liuyou_completion_rate",
        "六有完成率",
        "六有 completion rate",
        "%",
        "%",
        RatioToCumulative {
            numerator: "liuyou_complete",
            denominators: &["pilot_enterprise", "pilot_park"],
            factor: 100,
        },
    ),
    ind(
        "visits",
        "联系点走访次数",
        "Contact-point visits",
        "次",
        "",
        InPeriod("contact:visits"),
    ),
    ind(
        "problems_raised",
        "企业反映问题数",
        "Problems raised by enterprises",
        "个",
        "",
        InPeriod("contact:problems_raised"),
    ),
    ind(
        "problems_resolved",
        "问题解决数",
        "Problems resolved",
        "个",
        "",
        InPeriod("contact:problems_resolved"),
    ),
    ind(
        "problem_resolution_rate",
        "问题解决率",
        "Problem resolution rate",
        "%",
        "%",
        Ratio {
            numerator: "contact:problems_resolved",
            denominator: "contact:problems_raised",
            factor: 100,
        },
    ),
    ind(
        "avg_days_to_resolve",
        "问题平均解决天数",
        "Average days to resolve a problem",
        "天",
        "days",
        Ratio {
            numerator: "contact:resolve_days",
            denominator: "contact:problems_resolved",
            factor: 1,
        },
    ),
    // The published yearly assessment total of a target (a district's region node or a
    // member/pilot unit's organisation node), kept ×100 on that node only: it is a
    // score, not a count, so it is never summed up the tree (other nodes show 0).
    ind(
        "assessment_score",
        "产改评价考核得分",
        "Assessment score",
        "分",
        "points",
        InPeriodCents("asm:score"),
    ),
    // 技能形成 (issue #12): providers and classes.
    ind(
        "colleges_industry",
        "产业学院数",
        "Industry colleges",
        "所",
        "",
        Cumulative("college:industry"),
    ),
    ind(
        "colleges_craftsman",
        "工匠学院数",
        "Craftsman colleges",
        "所",
        "",
        Cumulative("college:craftsman"),
    ),
    ind(
        "colleges_worker",
        "职工学堂数",
        "Workers' schools",
        "所",
        "",
        Cumulative("college:worker"),
    ),
    ind(
        "apprentice_classes",
        "新型学徒制培训班数",
        "New-apprenticeship classes",
        "个",
        "",
        Cumulative("class:new_apprentice"),
    ),
    ind(
        "class_trainees",
        "培训班学员数",
        "Class trainees",
        "人",
        "",
        InPeriod("class:trainees"),
    ),
    ind(
        "class_completed",
        "培训班结业人数",
        "Class graduates",
        "人",
        "",
        InPeriod("class:completed"),
    ),
    ind(
        "contests_held",
        "竞赛场次",
        "Contests held",
        "场",
        "",
        InPeriod("contest:held"),
    ),
    ind(
        "contest_entrants",
        "参赛人数",
        "Contest entrants",
        "人",
        "",
        InPeriod("contest:entrants"),
    ),
    ind(
        "contest_awards",
        "获奖人数",
        "Contest award winners",
        "人",
        "",
        InPeriod("contest:awards"),
    ),
    ind(
        "contest_promotions",
        "以赛促评晋升人数",
        "Promotions from contests",
        "人",
        "",
        InPeriod("contest:promotions"),
    ),
    ind(
        "craftsmen_city",
        "市级工匠（龙城工匠）数",
        "City craftsmen (Longcheng)",
        "名",
        "",
        Cumulative("designation:longcheng_craftsman:city"),
    ),
    ind(
        "craftsmen_district",
        "区级工匠数",
        "District craftsmen",
        "名",
        "",
        Cumulative("designation:longcheng_craftsman:district"),
    ),
    ind(
        "craftsmen_town",
        "镇级工匠数",
        "Town craftsmen",
        "名",
        "",
        Cumulative("designation:longcheng_craftsman:town"),
    ),
    ind(
        "craftsmen_enterprise",
        "企业工匠数",
        "Enterprise craftsmen",
        "名",
        "",
        Cumulative("designation:longcheng_craftsman:enterprise"),
    ),
    ind(
        "ladder_apprentice",
        "技能等级分布·学徒工",
        "Ladder: apprentices",
        "人",
        "",
        Cumulative("ladder:apprentice"),
    ),
    ind(
        "ladder_junior",
        "技能等级分布·初级工",
        "Ladder: junior",
        "人",
        "",
        Cumulative("ladder:junior"),
    ),
    ind(
        "ladder_intermediate",
        "技能等级分布·中级工",
        "Ladder: intermediate",
        "人",
        "",
        Cumulative("ladder:intermediate"),
    ),
    ind(
        "ladder_senior",
        "技能等级分布·高级工",
        "Ladder: senior",
        "人",
        "",
        Cumulative("ladder:senior"),
    ),
    ind(
        "ladder_technician",
        "技能等级分布·技师",
        "Ladder: technician",
        "人",
        "",
        Cumulative("ladder:technician"),
    ),
    ind(
        "ladder_senior_technician",
        "技能等级分布·高级技师",
        "Ladder: senior technician",
        "人",
        "",
        Cumulative("ladder:senior_technician"),
    ),
    ind(
        "ladder_principal",
        "技能等级分布·特级技师",
        "Ladder: principal technician",
        "人",
        "",
        Cumulative("ladder:principal"),
    ),
    ind(
        "ladder_chief",
        "技能等级分布·首席技师",
        "Ladder: chief technician",
        "人",
        "",
        Cumulative("ladder:chief"),
    ),
    ind(
        "high_skilled_from_training",
        "新增高技能人才·培训晋升",
        "New high-skilled: training",
        "人",
        "",
        InPeriod("hs_new:training"),
    ),
    ind(
        "high_skilled_from_contests",
        "新增高技能人才·以赛促评",
        "New high-skilled: contests",
        "人",
        "",
        InPeriod("hs_new:contest"),
    ),
    ind(
        "high_skilled_from_certificates",
        "新增高技能人才·证书认定",
        "New high-skilled: certificates",
        "人",
        "",
        InPeriod("hs_new:certificate"),
    ),
    ind(
        "promotions_by_level",
        "平台晋升人数",
        "Promotions on the platform",
        "人",
        "",
        InPeriod("promotion:all"),
    ),
    ind(
        "promotions_to_intermediate",
        "晋升至中级工",
        "Promoted to intermediate",
        "人",
        "",
        InPeriod("promotion:intermediate"),
    ),
    ind(
        "promotions_to_senior",
        "晋升至高级工",
        "Promoted to senior",
        "人",
        "",
        InPeriod("promotion:senior"),
    ),
    ind(
        "promotions_to_technician",
        "晋升至技师",
        "Promoted to technician",
        "人",
        "",
        InPeriod("promotion:technician"),
    ),
    ind(
        "promotions_to_senior_technician",
        "晋升至高级技师",
        "Promoted to senior technician",
        "人",
        "",
        InPeriod("promotion:senior_technician"),
    ),
    ind(
        "promotions_to_principal",
        "晋升至特级技师",
        "Promoted to principal technician",
        "人",
        "",
        InPeriod("promotion:principal"),
    ),
    ind(
        "promotions_to_chief",
        "晋升至首席技师",
        "Promoted to chief technician",
        "人",
        "",
        InPeriod("promotion:chief"),
    ),
    ind(
        "innovation_results",
        "创新成果数",
        "Innovation results",
        "项",
        "",
        InPeriod(measure::INNOVATION_RESULTS),
    ),
    ind(
        "patents",
        "专利数",
        "Patents",
        "项",
        "",
        InPeriod(measure::INNOVATION_PATENTS),
    ),
    ind(
        "innovation_result_benefit_wan",
        "创新成果经济效益（万元）",
        "Benefit of innovation results (10k yuan)",
        "万元",
        "10k yuan",
        InPeriodCents(measure::INNOVATION_BENEFIT),
    ),
    ind(
        "studio_review_pass_rate",
        "创新工作室年度评估通过率",
        "Studio review pass rate",
        "%",
        "%",
        Ratio {
            numerator: measure::STUDIO_PASSED,
            denominator: measure::STUDIO_REVIEWS,
            factor: 100,
        },
    ),
];

pub fn find(code: &str) -> Option<&'static Indicator> {
    CATALOGUE.iter().find(|i| i.code == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_match_contracts() {
        let mut seen = std::collections::HashSet::new();
        for i in CATALOGUE {
            assert!(seen.insert(i.code), "{}", i.code);
        }
        // The 16 of contracts.md, then the indicators later issues add.
        assert!(CATALOGUE.len() >= 16);
        for code in ["tasks_total", "tasks_done", "task_completion_rate"] {
            assert!(find(code).is_some(), "{code}");
        }
        assert!(find("high_skilled_per_10k").is_some());
    }
}
