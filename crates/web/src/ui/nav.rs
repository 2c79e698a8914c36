//! The left navigation: every part of the programme, shown to the roles that may use it.
use crate::i18n::T;
use gongjiang_storage::access::{may, Permission};
use gongjiang_storage::scope::Actor;

/// Where a part stands.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Built,
    /// Not built yet: on the roadmap (the page says so).
    Roadmap,
}

pub struct Item {
    pub key: &'static str,
    pub path: &'static str,
    pub status: Status,
    pub roles: fn(&Actor) -> bool,
}

pub struct Group {
    pub key: &'static str,
    pub items: &'static [Item],
}

fn all(_: &Actor) -> bool {
    true
}
/// The programme's staff: every role that reads the organisation registers (the guard of
/// their pages), i.e. everyone but experts and workers.
fn staff(a: &Actor) -> bool {
    may(a, Permission::ReadRegisters)
}
fn region_staff(a: &Actor) -> bool {
    may(a, Permission::Coordinate)
}
fn admin(a: &Actor) -> bool {
    may(a, Permission::ManageAccounts)
}
fn audit(a: &Actor) -> bool {
    may(a, Permission::ReadAudit)
}
fn assessors(a: &Actor) -> bool {
    may(a, Permission::SeeAssessment)
}

use Status::{Built, Roadmap};

pub const NAV: &[Group] = &[
    Group {
        key: "nav.g.work",
        items: &[
            Item {
                key: "nav.inbox",
                path: "/inbox",
                status: Built,
                roles: staff,
            },
            Item {
                key: "nav.orgs",
                path: "/orgs",
                status: Built,
                roles: staff,
            },
            Item {
                key: "nav.meetings",
                path: "/meetings",
                status: Built,
                roles: staff,
            },
            Item {
                key: "nav.tasks",
                path: "/tasks",
                status: Built,
                roles: staff,
            },
            Item {
                key: "nav.contacts",
                path: "/contacts",
                status: Built,
                roles: staff,
            },
            Item {
                key: "nav.policies",
                path: "/policies",
                status: Built,
                roles: all,
            },
        ],
    },
    Group {
        key: "nav.g.pilots",
        items: &[
            Item {
                key: "nav.pilots",
                path: "/pilots",
                status: Built,
                roles: staff,
            },
            Item {
                key: "nav.cases",
                path: "/cases",
                status: Built,
                roles: staff,
            },
            Item {
                key: "nav.liuyou",
                path: "/liuyou",
                status: Built,
                roles: staff,
            },
            Item {
                key: "nav.pairs",
                path: "/pairs",
                status: Built,
                roles: staff,
            },
        ],
    },
    Group {
        key: "nav.g.assessment",
        items: &[
            Item {
                key: "nav.schemes",
                path: "/assessment/schemes",
                status: Built,
                roles: region_staff,
            },
            Item {
                key: "nav.selfreport",
                path: "/assessment/self",
                status: Built,
                roles: staff,
            },
            Item {
                key: "nav.scoring",
                path: "/assessment/scoring",
                status: Built,
                roles: assessors,
            },
            Item {
                key: "nav.results",
                path: "/assessment/results",
                status: Built,
                roles: all,
            },
        ],
    },
    Group {
        key: "nav.g.skills",
        items: &[
            Item {
                key: "nav.workers",
                path: "/workers",
                status: Built,
                roles: staff,
            },
            Item {
                key: "nav.training",
                path: "/training",
                status: Built,
                roles: staff,
            },
            Item {
                key: "nav.professors",
                path: "/professors",
                status: Built,
                roles: staff,
            },
            Item {
                key: "nav.designations",
                path: "/designations",
                status: Built,
                roles: staff,
            },
        ],
    },
    Group {
        key: "nav.g.contribution",
        items: &[
            Item {
                key: "nav.contests",
                path: "/contests",
                status: Built,
                roles: all,
            },
            Item {
                key: "nav.challenges",
                path: "/challenges",
                status: Roadmap,
                roles: all,
            },
            Item {
                key: "nav.innovations",
                path: "/innovations",
                status: Built,
                roles: all,
            },
            Item {
                key: "nav.craftsmen",
                path: "/craftsmen",
                status: Built,
                roles: all,
            },
            Item {
                key: "nav.studios",
                path: "/studios",
                status: Built,
                roles: all,
            },
            Item {
                key: "nav.serviceteams",
                path: "/service-teams",
                status: Roadmap,
                roles: staff,
            },
        ],
    },
    Group {
        key: "nav.g.rights",
        items: &[
            Item {
                key: "nav.contracts",
                path: "/contracts",
                status: Roadmap,
                roles: staff,
            },
            Item {
                key: "nav.subsidies",
                path: "/subsidies",
                status: Roadmap,
                roles: all,
            },
            Item {
                key: "nav.projects",
                path: "/projects",
                status: Roadmap,
                roles: staff,
            },
            Item {
                key: "nav.delegates",
                path: "/delegates",
                status: Roadmap,
                roles: staff,
            },
        ],
    },
    Group {
        key: "nav.g.data",
        items: &[
            Item {
                key: "nav.reports",
                path: "/reports",
                status: Built,
                roles: staff,
            },
            Item {
                key: "nav.dashboard",
                path: "/dashboard",
                status: Built,
                roles: staff,
            },
            Item {
                key: "nav.imports",
                path: "/imports",
                status: Built,
                roles: staff,
            },
            Item {
                key: "nav.annual",
                path: "/annual-report",
                status: Roadmap,
                roles: region_staff,
            },
        ],
    },
    Group {
        key: "nav.g.system",
        items: &[
            Item {
                key: "nav.users",
                path: "/admin/users",
                status: Built,
                roles: admin,
            },
            Item {
                key: "nav.audit",
                path: "/admin/audit",
                status: Built,
                roles: audit,
            },
            Item {
                key: "nav.settings",
                path: "/admin/settings",
                status: Built,
                roles: audit,
            },
        ],
    },
];

pub struct ItemView {
    pub label: String,
    pub href: &'static str,
    pub active: bool,
    pub soon: bool,
}

pub struct GroupView {
    pub title: String,
    pub items: Vec<ItemView>,
}

pub fn view(t: T, actor: &Actor, path: &str) -> Vec<GroupView> {
    NAV.iter()
        .filter_map(|g| {
            let items: Vec<ItemView> = g
                .items
                .iter()
                .filter(|i| (i.roles)(actor))
                .map(|i| ItemView {
                    label: t.s(i.key),
                    href: i.path,
                    active: path == i.path || path.starts_with(&format!("{}/", i.path)),
                    soon: i.status != Status::Built,
                })
                .collect();
            (!items.is_empty()).then(|| GroupView {
                title: t.s(g.key),
                items,
            })
        })
        .collect()
}

/// The part a placeholder path belongs to.
pub fn find(path: &str) -> Option<&'static Item> {
    NAV.iter()
        .flat_map(|g| g.items.iter())
        .find(|i| i.path == path && i.status != Status::Built)
}
