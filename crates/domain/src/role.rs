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

impl Role {
    /// Staff who administer a region of the tree.
    pub fn is_region_staff(self) -> bool {
        matches!(
            self,
            Role::Sysadmin | Role::City | Role::District | Role::Town
        )
    }

    /// May create and edit organisations within their scope.
    pub fn may_edit_orgs(self) -> bool {
        self.is_region_staff()
    }

    /// May browse the organisation directory.
    pub fn may_read_orgs(self) -> bool {
        !matches!(self, Role::Expert | Role::Worker)
    }

    /// May read the audit log.
    pub fn may_read_audit(self) -> bool {
        matches!(self, Role::Sysadmin | Role::City)
    }

    pub fn may_manage_users(self) -> bool {
        matches!(self, Role::Sysadmin)
    }
}
