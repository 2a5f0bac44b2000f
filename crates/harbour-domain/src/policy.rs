//! National policy as data: every clock of the NRM is a number a country sets in a TOML file.

use serde::{Deserialize, Serialize};
use time::{Date, Duration, Weekday};

/// The Convention's floor for the recovery and reflection period (Art. 13).
pub const MINIMUM_RECOVERY_PERIOD_DAYS: u32 = 30;

/// The policy shipped with Harbour.
pub const DEFAULT_POLICY_TOML: &str = include_str!("../../../data/policy/default.toml");

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    pub name: String,
    pub identification: Identification,
    pub children: Children,
    pub calendar: Calendar,
    /// How long closed cases are kept before erasure; the defaults apply if the section is absent.
    #[serde(default)]
    pub retention: crate::retention::Retention,
    /// Disclosure control and timeliness targets of published statistics.
    #[serde(default)]
    pub statistics: Statistics,
    /// Sign-in requirements; the defaults apply if the section is absent.
    #[serde(default)]
    pub access: Access,
}

/// How users who read cases must sign in.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Access {
    /// Users whose role reads cases must complete the second factor with a security key
    /// (WebAuthn, phishing-resistant: ASVS 6.3.3 at L3). One without a key is sent to add one
    /// after a TOTP sign-in and reads no case until they have. Off by default so a new
    /// deployment works with TOTP alone.
    #[serde(default)]
    pub require_security_key: bool,
}

/// What published statistics may show (statistics.md): no count below `threshold`, every count
/// rounded down to a multiple of `resolution`; and the targets timeliness is measured against.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Statistics {
    #[serde(default = "default_threshold")]
    pub threshold: u32,
    #[serde(default = "default_threshold")]
    pub resolution: u32,
    /// Days from referral within which a conclusive decision counts as timely.
    #[serde(default = "default_conclusive_target")]
    pub conclusive_grounds_target_days: u32,
}

fn default_threshold() -> u32 {
    10
}

fn default_conclusive_target() -> u32 {
    90
}

impl Default for Statistics {
    fn default() -> Self {
        Statistics {
            threshold: default_threshold(),
            resolution: default_threshold(),
            conclusive_grounds_target_days: default_conclusive_target(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Identification {
    pub reasonable_grounds_working_days: u32,
    pub recovery_period_days: u32,
    pub conclusive_not_before_recovery_end: bool,
    pub move_on_period_days: u32,
    #[serde(default = "default_warning_days")]
    pub recovery_period_warning_days: u32,
}

fn default_warning_days() -> u32 {
    7
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Children {
    pub guardian_appointment_hours: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Calendar {
    #[serde(with = "weekdays")]
    pub weekend: Vec<Weekday>,
    #[serde(default, with = "dates")]
    pub public_holidays: Vec<Date>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PolicyError {
    #[error("policy file is not valid: {0}")]
    Parse(String),
    #[error("recovery_period_days is {0}, but the Convention (Art. 13) requires at least {MINIMUM_RECOVERY_PERIOD_DAYS}")]
    RecoveryPeriodTooShort(u32),
    #[error("reasonable_grounds_working_days must be at least 1")]
    NoReasonableGroundsTarget,
    #[error("every day of the week is a weekend day; no working day would ever come")]
    NoWorkingDays,
    #[error("retention.{0} is {1} days; retention periods are from {min} to {max} days", min = crate::retention::MINIMUM_RETENTION_DAYS, max = crate::retention::MAXIMUM_RETENTION_DAYS)]
    RetentionOutOfRange(&'static str, u32),
    #[error("statistics threshold and resolution must be at least 1 (threshold {threshold}, resolution {resolution})")]
    StatisticsControl { threshold: u32, resolution: u32 },
}

impl Policy {
    pub fn from_toml(text: &str) -> Result<Policy, PolicyError> {
        let policy: Policy = toml::from_str(text).map_err(|e| PolicyError::Parse(e.to_string()))?;
        policy.check()?;
        Ok(policy)
    }

    pub fn shipped_default() -> Policy {
        // The shipped file is tested to parse; fall back to the same numbers in code if not.
        Policy::from_toml(DEFAULT_POLICY_TOML).unwrap_or_else(|_| Policy {
            name: "built-in".into(),
            identification: Identification {
                reasonable_grounds_working_days: 5,
                recovery_period_days: 30,
                conclusive_not_before_recovery_end: true,
                move_on_period_days: 45,
                recovery_period_warning_days: 7,
            },
            children: Children {
                guardian_appointment_hours: 24,
            },
            calendar: Calendar {
                weekend: vec![Weekday::Saturday, Weekday::Sunday],
                public_holidays: vec![],
            },
            retention: crate::retention::Retention::default(),
            statistics: Statistics::default(),
            access: Access::default(),
        })
    }

    pub fn check(&self) -> Result<(), PolicyError> {
        if self.identification.recovery_period_days < MINIMUM_RECOVERY_PERIOD_DAYS {
            return Err(PolicyError::RecoveryPeriodTooShort(
                self.identification.recovery_period_days,
            ));
        }
        if self.identification.reasonable_grounds_working_days == 0 {
            return Err(PolicyError::NoReasonableGroundsTarget);
        }
        let mut weekend = self.calendar.weekend.clone();
        weekend.sort_by_key(|d| d.number_days_from_monday());
        weekend.dedup();
        if weekend.len() >= 7 {
            return Err(PolicyError::NoWorkingDays);
        }
        if let Some((field, days)) = self.retention.out_of_range() {
            return Err(PolicyError::RetentionOutOfRange(field, days));
        }
        if self.statistics.threshold == 0 || self.statistics.resolution == 0 {
            return Err(PolicyError::StatisticsControl {
                threshold: self.statistics.threshold,
                resolution: self.statistics.resolution,
            });
        }
        Ok(())
    }

    pub fn is_working_day(&self, day: Date) -> bool {
        !self.calendar.weekend.contains(&day.weekday())
            && !self.calendar.public_holidays.contains(&day)
    }

    /// The day `n` working days after `from` (the day itself does not count).
    pub fn add_working_days(&self, from: Date, n: u32) -> Date {
        let mut day = from;
        let mut left = n;
        while left > 0 {
            day = day.next_day().unwrap_or(Date::MAX);
            if day == Date::MAX {
                break;
            }
            if self.is_working_day(day) {
                left -= 1;
            }
        }
        day
    }

    pub fn reasonable_grounds_due(&self, referred_on: Date) -> Date {
        self.add_working_days(
            referred_on,
            self.identification.reasonable_grounds_working_days,
        )
    }

    pub fn recovery_period_end(&self, starts: Date) -> Date {
        starts.saturating_add(Duration::days(i64::from(
            self.identification.recovery_period_days,
        )))
    }

    pub fn move_on_end(&self, starts: Date) -> Date {
        starts.saturating_add(Duration::days(i64::from(
            self.identification.move_on_period_days,
        )))
    }
}

mod weekdays {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::Weekday;

    pub fn serialize<S: Serializer>(days: &[Weekday], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(days.iter().map(|d| d.to_string().to_lowercase()))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Weekday>, D::Error> {
        let names = Vec::<String>::deserialize(d)?;
        names
            .iter()
            .map(|n| match n.to_lowercase().as_str() {
                "monday" => Ok(Weekday::Monday),
                "tuesday" => Ok(Weekday::Tuesday),
                "wednesday" => Ok(Weekday::Wednesday),
                "thursday" => Ok(Weekday::Thursday),
                "friday" => Ok(Weekday::Friday),
                "saturday" => Ok(Weekday::Saturday),
                "sunday" => Ok(Weekday::Sunday),
                other => Err(serde::de::Error::custom(format!(
                    "`{other}` is not a day of the week"
                ))),
            })
            .collect()
    }
}

mod dates {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::Date;

    pub fn serialize<S: Serializer>(days: &[Date], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(days.iter().map(|d| crate::person::format_date(*d)))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Date>, D::Error> {
        let texts = Vec::<String>::deserialize(d)?;
        texts
            .iter()
            .map(|t| crate::person::parse_date(t).map_err(serde::de::Error::custom))
            .collect()
    }
}
