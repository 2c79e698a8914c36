//! Roles (domain.md "Who uses it").
use crate::org::labelled_enum;

labelled_enum!(
    Role {
        Sysadmin = "sysadmin", "系统管理员", "System administrator";
        City = "city", "市产改办", "City reform office";
        District = "district", "区产改办", "District reform office";
        Town = "town", "镇（街道）", "Town / street office";
        Department = "department", "成员单位", "Member unit";
        Unit = "unit", "试点单位联系人", "Unit contact";
        Expert = "expert", "评审专家", "Expert";
        Worker = "worker", "职工", "Worker";
    }
);
