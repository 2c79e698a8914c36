//! 六有工作法: every pilot unit shows six things each year, each a checklist item with
//! evidence that the unit submits and a reviewer accepts or returns (domain.md, "Work
//! system"; the seed: 有产改组织机构、有产改实施方案、有年度任务清单、有思想引领举措、
//! 有技能提升体系、有维权服务制度).

/// A checklist item of the workflow engine (reviewed one by one).
pub use crate::workflow::CheckItem as Item;
/// Where an item stands: the engine's item status.
pub use crate::workflow::ItemStatus;

/// The 六有 item with this code.
pub fn find_item(code: &str) -> Option<&'static Item> {
    ITEMS.iter().find(|i| i.code == code)
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
        guidance_zh: "本年度产改任务清单（可链接系统中的任务清单）及完成情况",
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn six_distinct_items() {
        let mut codes: Vec<&str> = ITEMS.iter().map(|i| i.code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), 6);
        assert!(find_item("rights").is_some());
        assert_eq!(ItemStatus::parse("returned"), Some(ItemStatus::Returned));
    }
}
