//! Organisations and roles, in the words practitioners use.

use serde::{Deserialize, Serialize};

macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(&self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    other => Err(format!(
                        "unknown {} `{}`; expected one of: {}",
                        stringify!($name),
                        other,
                        [$($text),+].join(", ")
                    )),
                }
            }
        }
    };
}
pub(crate) use string_enum;

string_enum!(
    /// What kind of body an organisation is; visibility rules depend on it.
    OrgKind {
        Police => "police",
        BorderGuard => "border_guard",
        LabourInspectorate => "labour_inspectorate",
        Ngo => "ngo",
        Shelter => "shelter",
        ChildProtection => "child_protection",
        CompetentAuthority => "competent_authority",
        GuardianshipAuthority => "guardianship_authority",
        Health => "health",
        LegalAid => "legal_aid",
        Prosecutor => "prosecutor",
        ReceptionCentre => "reception_centre",
        NationalCoordinator => "national_coordinator",
        Other => "other",
    }
);

string_enum!(
    /// What a user does. A role grants actions; which cases they apply to is decided by the
    /// user's organisation's relationship to the case (need-to-know).
    Role {
        FirstResponder => "first_responder",
        DecisionMaker => "decision_maker",
        CaseWorker => "case_worker",
        ChildProtectionOfficer => "child_protection_officer",
        Guardian => "guardian",
        ServiceProvider => "service_provider",
        LawEnforcement => "law_enforcement",
        Coordinator => "coordinator",
        Auditor => "auditor",
        Admin => "admin",
    }
);

impl Role {
    /// Roles that may ever read a case file. Administrators manage users, coordinators see
    /// statistics, auditors see access logs: none of them reads a case.
    pub fn may_read_cases(&self) -> bool {
        matches!(
            self,
            Role::FirstResponder
                | Role::DecisionMaker
                | Role::CaseWorker
                | Role::ChildProtectionOfficer
                | Role::Guardian
                | Role::LawEnforcement
        )
    }

    /// Roles that may refer a person into the NRM or file an anonymous notification.
    pub fn may_refer(&self) -> bool {
        matches!(
            self,
            Role::FirstResponder
                | Role::CaseWorker
                | Role::ChildProtectionOfficer
                | Role::LawEnforcement
        )
    }
}
