//! Access rules as pure functions: login throttling, TOTP time steps and replay, break-glass,
//! session lifetimes. Time is an argument; storage and clocks live elsewhere.

use crate::{DomainError, Role};
use time::{Duration, OffsetDateTime};

/// How access is limited. One value for the deployment; the defaults follow OWASP ASVS 5.0 L2
/// (L3 for the second factor).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessPolicy {
    /// Failed logins for one account within `throttle_window` before refusing more.
    pub failures_per_account: usize,
    /// Failed logins from one address within `throttle_window` before refusing more.
    pub failures_per_address: usize,
    pub throttle_window: Duration,
    /// Emergency access to an unrelated case lasts this long.
    pub break_glass: Duration,
    /// A session unused this long is over.
    pub session_idle: Duration,
    /// A session is over this long after login, however busy.
    pub session_absolute: Duration,
    /// Between password and second factor.
    pub mfa_challenge: Duration,
}

impl Default for AccessPolicy {
    fn default() -> Self {
        AccessPolicy {
            failures_per_account: 5,
            failures_per_address: 20,
            throttle_window: Duration::minutes(15),
            break_glass: Duration::hours(4),
            session_idle: Duration::minutes(30),
            session_absolute: Duration::hours(8),
            mfa_challenge: Duration::minutes(5),
        }
    }
}

impl AccessPolicy {
    /// Whether another login attempt may be tried now, given the recent failures (any order).
    /// `Some(wait)` means refuse, and try again after `wait` (at least one second).
    pub fn login_retry_after(
        &self,
        account_failures: &[OffsetDateTime],
        address_failures: &[OffsetDateTime],
        now: OffsetDateTime,
    ) -> Option<Duration> {
        let wait = |failures: &[OffsetDateTime], limit: usize| -> Option<Duration> {
            let mut recent: Vec<OffsetDateTime> = failures
                .iter()
                .copied()
                .filter(|t| *t > now - self.throttle_window && *t <= now)
                .collect();
            if recent.len() < limit || limit == 0 {
                return None;
            }
            // Allowed again once enough failures have left the window: the one at position
            // len - limit (oldest first) is the last that must leave.
            recent.sort();
            let leaving = recent[recent.len() - limit];
            Some((leaving + self.throttle_window - now).max(Duration::seconds(1)))
        };
        match (
            wait(account_failures, self.failures_per_account),
            wait(address_failures, self.failures_per_address),
        ) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        }
    }

    /// Whether a session that started at `created` and was last used at `last_seen` is live at `now`.
    pub fn session_live(
        &self,
        created: OffsetDateTime,
        last_seen: OffsetDateTime,
        now: OffsetDateTime,
    ) -> bool {
        now < created + self.session_absolute && now < last_seen + self.session_idle
    }
}

/// Who must use a second factor: everyone who can ever read a case file, and administrators
/// and auditors, whose accounts hand out access and read who opened which case.
pub fn second_factor_required(role: Role) -> bool {
    role.may_read_cases() || matches!(role, Role::Admin | Role::Auditor)
}

/// Who may break the glass: only roles that read cases (an auditor or administrator never
/// reads a case, in an emergency or not).
pub fn may_break_glass(role: Role) -> bool {
    role.may_read_cases()
}

/// A break-glass reason: required, trimmed, at most 500 characters.
pub fn break_glass_reason(reason: &str) -> Result<String, DomainError> {
    let r = reason.trim();
    if r.chars().count() < 10 {
        return Err(DomainError::field(
            "/reason",
            "say why you need this case now, in at least 10 characters; the reason is reviewed by auditors",
        ));
    }
    if r.chars().count() > 500 {
        return Err(DomainError::field(
            "/reason",
            "the reason may be at most 500 characters",
        ));
    }
    Ok(r.to_string())
}

/// TOTP time steps of 30 seconds from the Unix epoch (RFC 6238 defaults).
pub const TOTP_PERIOD: i64 = 30;

pub fn totp_step(at: OffsetDateTime) -> u64 {
    u64::try_from(at.unix_timestamp().div_euclid(TOTP_PERIOD)).unwrap_or(0)
}

/// The steps a code may come from at `now`: one before and one after, for clocks that drift
/// (RFC 6238 §5.2), and only steps after the last one used, so a code works once.
pub fn totp_candidate_steps(now: OffsetDateTime, last_used: u64) -> Vec<u64> {
    let s = totp_step(now);
    [s.saturating_sub(1), s, s + 1]
        .into_iter()
        .filter(|step| *step > last_used)
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn five_failures_in_fifteen_minutes_lock_the_account_until_the_first_leaves() {
        let p = AccessPolicy::default();
        let t0 = datetime!(2026-11-23 09:00 UTC);
        let fails: Vec<_> = (0..5).map(|i| t0 + Duration::minutes(i)).collect();
        assert_eq!(
            p.login_retry_after(&fails[..4], &[], t0 + Duration::minutes(5)),
            None
        );
        let now = t0 + Duration::minutes(5);
        assert_eq!(
            p.login_retry_after(&fails, &[], now),
            Some(Duration::minutes(10))
        );
        assert_eq!(
            p.login_retry_after(&fails, &[], t0 + Duration::minutes(15)),
            None
        );
    }

    #[test]
    fn totp_steps_never_include_a_used_one() {
        let now = datetime!(2026-11-23 09:00:10 UTC);
        let s = totp_step(now);
        assert_eq!(totp_candidate_steps(now, 0), vec![s - 1, s, s + 1]);
        assert_eq!(totp_candidate_steps(now, s), vec![s + 1]);
        assert!(totp_candidate_steps(now, s + 1).is_empty());
    }
}
