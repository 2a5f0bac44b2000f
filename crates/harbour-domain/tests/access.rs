//! Access rules: throttling, TOTP steps, sessions and break-glass, property-tested.

use harbour_domain::access::*;
use harbour_domain::Role;
use proptest::prelude::*;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

const T0: OffsetDateTime = datetime!(2026-11-23 09:00 UTC);

proptest! {
    /// Refused exactly when the window holds at least the limit; and whoever waits the
    /// `Retry-After` they were given (making no new attempt) is let in.
    #[test]
    fn throttling_refuses_at_the_limit_and_waiting_is_enough(
        offsets in proptest::collection::vec(0i64..3600, 0..40),
        now_offset in 0i64..3600,
    ) {
        let p = AccessPolicy::default();
        let now = T0 + Duration::seconds(now_offset);
        // Failures happen before the attempt being judged.
        let fails: Vec<_> = offsets.iter().map(|s| T0 + Duration::seconds(*s.min(&now_offset))).collect();
        let in_window = fails.iter().filter(|t| **t > now - p.throttle_window && **t <= now).count();
        match p.login_retry_after(&fails, &[], now) {
            None => prop_assert!(in_window < p.failures_per_account),
            Some(wait) => {
                prop_assert!(in_window >= p.failures_per_account);
                prop_assert!(wait >= Duration::seconds(1) && wait <= p.throttle_window);
                prop_assert_eq!(p.login_retry_after(&fails, &[], now + wait), None);
            }
        }
    }

    #[test]
    fn an_address_is_throttled_independently_of_accounts(n in 0usize..40) {
        let p = AccessPolicy::default();
        let fails = vec![T0; n];
        let refused = p.login_retry_after(&[], &fails, T0 + Duration::seconds(1)).is_some();
        prop_assert_eq!(refused, n >= p.failures_per_address);
    }

    /// A code is only ever tried for steps after the last one used, within one step of now.
    #[test]
    fn totp_candidates_are_near_now_and_never_reused(secs in 0i64..4_000_000_000, back in 0u64..5) {
        let now = OffsetDateTime::from_unix_timestamp(secs).unwrap();
        let step = totp_step(now);
        let last = step.saturating_sub(back);
        for s in totp_candidate_steps(now, last) {
            prop_assert!(s > last);
            prop_assert!(s + 1 >= step && s <= step + 1);
        }
    }

    /// A session ends at its absolute limit however busy, and after the idle time however young.
    #[test]
    fn sessions_end_idle_or_at_the_absolute_limit(busy in 0i64..(10 * 3600), idle in 0i64..7200) {
        let p = AccessPolicy::default();
        let last_seen = T0 + Duration::seconds(busy);
        let now = last_seen + Duration::seconds(idle);
        let live = p.session_live(T0, last_seen, now);
        let expected = now < T0 + p.session_absolute && Duration::seconds(idle) < p.session_idle;
        prop_assert_eq!(live, expected);
    }
}

#[test]
fn case_readers_admins_and_auditors_need_a_second_factor_and_only_case_readers_break_the_glass() {
    for role in Role::ALL {
        assert_eq!(
            second_factor_required(*role),
            role.may_read_cases() || matches!(role, Role::Admin | Role::Auditor)
        );
        assert_eq!(may_break_glass(*role), role.may_read_cases());
    }
    assert!(second_factor_required(Role::Admin));
    assert!(second_factor_required(Role::Auditor));
    assert!(!may_break_glass(Role::Auditor));
    assert!(!may_break_glass(Role::Admin));
}

#[test]
fn a_break_glass_reason_is_required_and_bounded() {
    assert!(break_glass_reason("   ").is_err());
    assert!(break_glass_reason("because").is_err());
    assert_eq!(
        break_glass_reason("  Police emergency call, child at risk  ").unwrap(),
        "Police emergency call, child at risk"
    );
    assert!(break_glass_reason(&"x".repeat(501)).is_err());
}
