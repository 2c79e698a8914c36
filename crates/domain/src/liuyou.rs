//! 六有工作法: every pilot unit shows six things each year, each a checklist item with
//! evidence that the unit submits and a reviewer accepts or returns (domain.md, "Work
//! system"; the seed: 有产改组织机构、有产改实施方案、有年度任务清单、有思想引领举措、
//! 有技能提升体系、有维权服务制度).
use serde::Serialize;

#[derive(Debug, Clone, Copy, Serialize)]
pub struct Item {
    pub code: &'static str,
    pub name_zh: &'static str,
    pub name_en: &'static str,
    /// What counts as evidence, shown on the form.
    pub guidance_zh: &'static str,
}

impl Item {
    pub fn name(&self, en: bool) -> &'static str {
        if en {
            self.name_en
        } else {
            self.name_zh
        }
    }

    pub fn find(code: &str) -> Option<&'static Item> {
        ITEMS.iter().find(|i| i.code == code)
    }
}

pub const ITEMS: [Item; 6] = [
    Item {
        code: "organisation",
        name_zh: "有产改组织机构",
        name_en: "A reform organisation",
        guidance_zh: "成立产改工作领导小组的文件、成员名单及分工",
    },
    Item {
        code: "plan",
        name_zh: "有产改实施方案",
        name_en: "An implementation plan",
        guidance_zh: "经职代会或党政联席会审议通过的产改实施方案",
    },
    Item {
        code: "tasks",
        name_zh: "有年度任务清单",
        name_en: "An annual task list",
        guidance_zh: "本年度产改任务清单(可链接系统中的任务清单)及完成情况",
    },
    Item {
        code: "guidance",
        name_zh: "有思想引领举措",
        name_en: "Ideological guidance",
        guidance_zh: "思想政治引领活动记录、劳模工匠宣讲、照片等",
    },
    Item {
        code: "skills",
        name_zh: "有技能提升体系",
        name_en: "A skills system",
        guidance_zh: "技能培训计划、技能等级认定、师带徒、技能竞赛等制度与记录",
    },
    Item {
        code: "rights",
        name_zh: "有维权服务制度",
        name_en: "Rights and services",
        guidance_zh: "集体协商、职代会、劳动争议调解、职工服务等制度文件",
    },
];

/// Where an item stands in a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    /// Nothing yet, or being written.
    Draft,
    Submitted,
    Accepted,
    Returned,
}

impl ItemStatus {
    pub fn code(self) -> &'static str {
        match self {
            ItemStatus::Draft => "draft",
            ItemStatus::Submitted => "submitted",
            ItemStatus::Accepted => "accepted",
            ItemStatus::Returned => "returned",
        }
    }

    pub fn parse(s: &str) -> Option<ItemStatus> {
        [
            ItemStatus::Draft,
            ItemStatus::Submitted,
            ItemStatus::Accepted,
            ItemStatus::Returned,
        ]
        .into_iter()
        .find(|x| x.code() == s)
    }

    pub fn label(self, en: bool) -> &'static str {
        match (self, en) {
            (ItemStatus::Draft, false) => "待提交",
            (ItemStatus::Submitted, false) => "待审核",
            (ItemStatus::Accepted, false) => "已通过",
            (ItemStatus::Returned, false) => "已退回",
            (ItemStatus::Draft, true) => "Not submitted",
            (ItemStatus::Submitted, true) => "Awaiting review",
            (ItemStatus::Accepted, true) => "Accepted",
            (ItemStatus::Returned, true) => "Returned",
        }
    }

    /// The unit may edit its evidence.
    pub fn editable(self) -> bool {
        matches!(self, ItemStatus::Draft | ItemStatus::Returned)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn six_distinct_items() {
        let mut codes: Vec<&str> = ITEMS.iter().map(|i| i.code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), 6);
        assert!(Item::find("rights").is_some());
        assert_eq!(ItemStatus::parse("returned"), Some(ItemStatus::Returned));
    }
}
