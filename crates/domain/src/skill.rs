//! The eight-level skill ladder (新八级工, 人社部发〔2022〕14号).
use crate::org::labelled_enum;

labelled_enum!(
    SkillLevel {
        Apprentice = "apprentice", "学徒工", "Apprentice";
        Junior = "junior", "初级工", "Junior worker (level 5)";
        Intermediate = "intermediate", "中级工", "Intermediate worker (level 4)";
        Senior = "senior", "高级工", "Senior worker (level 3)";
        Technician = "technician", "技师", "Technician (level 2)";
        SeniorTechnician = "senior_technician", "高级技师", "Senior technician (level 1)";
        Principal = "principal", "特级技师", "Principal technician";
        Chief = "chief", "首席技师", "Chief technician";
    }
);

impl SkillLevel {
    /// Position on the ladder, 0 = 学徒工.
    pub fn rank(self) -> usize {
        SkillLevel::ALL.iter().position(|l| *l == self).unwrap_or(0)
    }

    /// 高技能人才 = 高级工 and above.
    pub fn is_high_skilled(self) -> bool {
        self.rank() >= SkillLevel::Senior.rank()
    }

    /// Also accepts the labels with their level in brackets: 初级工(五级), 高级技师(一级).
    pub fn parse(s: &str) -> Option<SkillLevel> {
        let base = s.split(['(', '(']).next().unwrap_or(s);
        SkillLevel::from_any(base)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ladder_order_and_high_skilled() {
        assert!(SkillLevel::Apprentice.rank() < SkillLevel::Chief.rank());
        assert!(!SkillLevel::Intermediate.is_high_skilled());
        assert!(SkillLevel::Senior.is_high_skilled());
        assert!(SkillLevel::Chief.is_high_skilled());
        assert_eq!(
            SkillLevel::parse("高级技师(一级)"),
            Some(SkillLevel::SeniorTechnician)
        );
        assert_eq!(SkillLevel::parse("初级工(五级)"), Some(SkillLevel::Junior));
    }
}
