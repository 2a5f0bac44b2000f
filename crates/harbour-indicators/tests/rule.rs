//! The decision rule: boundary tables, and property tests against an independent formulation.

use harbour_indicators::{
    dimension_positive, evaluate, screen, Catalogue, DimensionId, IndicatorList, PersonMinority,
    Population, PositiveDimensions, Strength, StrengthCounts,
};
use proptest::prelude::*;
use std::sync::OnceLock;
use Strength::{Medium as M, Strong as S, Weak as W};

/// Independent formulation, read straight off the reference: a dimension is positive when some
/// two or three of its observed indicators form one of the listed combinations. Brute force over
/// every pair and triple of observations.
fn positive_by_combinations(obs: &[Strength]) -> bool {
    let rank = |s: &Strength| match s {
        S => 0,
        M => 1,
        W => 2,
    };
    let combos: [&[Strength]; 5] = [&[S, S], &[S, M], &[S, W], &[M, M, M], &[M, M, W]];
    let matches = |picked: &mut Vec<Strength>| {
        picked.sort_by_key(rank);
        combos.contains(&picked.as_slice())
    };
    let n = obs.len();
    for i in 0..n {
        for j in i + 1..n {
            if matches(&mut vec![obs[i], obs[j]]) {
                return true;
            }
            for k in j + 1..n {
                if matches(&mut vec![obs[i], obs[j], obs[k]]) {
                    return true;
                }
            }
        }
    }
    false
}

/// Independent formulation of the person-level rule: some positive recruitment dimension, the
/// exploitation dimension, and (adults only) some positive dimension at destination.
fn indicated_by_elements(positive: &[bool; 6], population: Population) -> bool {
    let recruitment = positive[0] || positive[1] || positive[2];
    let exploitation = positive[3];
    let destination = positive[4] || positive[5];
    match population {
        Population::Adult => recruitment && exploitation && destination,
        Population::Child => recruitment && exploitation,
    }
}

#[test]
fn dimension_boundaries() {
    let table: &[(&[Strength], bool, &str)] = &[
        (&[], false, "nothing observed"),
        (&[S], false, "one strong alone"),
        (&[M], false, "one medium alone"),
        (&[W], false, "one weak alone"),
        (&[S, S], true, "two strong"),
        (&[S, M], true, "strong + medium"),
        (&[S, W], true, "strong + weak"),
        (&[M, M], false, "two medium alone"),
        (&[M, W], false, "medium + weak"),
        (&[M, W, W], false, "one medium + two weak"),
        (&[W, W, W], false, "three weak"),
        (&[W, W, W, W, W, W], false, "six weak"),
        (&[M, M, M], true, "three medium"),
        (&[M, M, W], true, "two medium + weak"),
        (&[M, M, W, W], true, "two medium + two weak"),
        (&[M, W, W, W, W], false, "one medium + four weak"),
        (&[S, S, S], true, "three strong"),
        (&[S, M, W], true, "one of each"),
    ];
    for (obs, expected, name) in table {
        assert_eq!(dimension_positive(obs.iter().copied()), *expected, "{name}");
        assert_eq!(positive_by_combinations(obs), *expected, "oracle: {name}");
    }
}

#[test]
fn person_level_boundaries() {
    use DimensionId::*;
    let with = |dims: &[DimensionId]| {
        let mut p = PositiveDimensions::default();
        for d in dims {
            p.set(*d, true);
        }
        p
    };
    let table: &[(&[DimensionId], bool, bool, &str)] = &[
        // (positive dimensions, adult indicated, child indicated, name)
        (&[], false, false, "nothing"),
        (
            &[DeceptiveRecruitment, Exploitation],
            false,
            true,
            "act + purpose",
        ),
        (
            &[CoerciveRecruitment, Exploitation, CoercionAtDestination],
            true,
            true,
            "coercive + coercion",
        ),
        (
            &[
                RecruitmentAbuseOfVulnerability,
                Exploitation,
                AbuseOfVulnerabilityAtDestination,
            ],
            true,
            true,
            "vulnerability throughout",
        ),
        (
            &[
                Exploitation,
                CoercionAtDestination,
                AbuseOfVulnerabilityAtDestination,
            ],
            false,
            false,
            "no recruitment",
        ),
        (
            &[
                DeceptiveRecruitment,
                CoerciveRecruitment,
                CoercionAtDestination,
            ],
            false,
            false,
            "no exploitation",
        ),
        (
            &[
                DeceptiveRecruitment,
                CoercionAtDestination,
                AbuseOfVulnerabilityAtDestination,
            ],
            false,
            false,
            "no exploitation (dest)",
        ),
        (
            &[CoercionAtDestination, AbuseOfVulnerabilityAtDestination],
            false,
            false,
            "means only",
        ),
    ];
    for (dims, adult, child, name) in table {
        let p = with(dims);
        assert_eq!(p.indicated(Population::Adult), *adult, "adult: {name}");
        assert_eq!(p.indicated(Population::Child), *child, "child: {name}");
    }
}

/// Screening the real adult labour list at the boundaries, end to end through ids.
#[test]
fn screening_boundaries_on_adult_labour() {
    let cat = Catalogue::builtin().unwrap();
    let l = cat.get("adult_labour").unwrap();
    let run = |ids: &[&str]| screen(l, ids, PersonMinority::Adult).unwrap();
    // Strong deception alone: recruitment negative.
    let r = run(&["rec_deceit_job_employer_location"]);
    assert!(!r.dimensions[0].positive);
    // Strong + weak: positive.
    let r = run(&["rec_deceit_job_employer_location", "rec_deceit_education"]);
    assert!(r.dimensions[0].positive);
    // Two medium alone negative; adding a weak makes it positive.
    let two_m = [
        "rec_vulnerability_economic_reasons",
        "rec_vulnerability_family_situation",
    ];
    assert!(!run(&two_m).dimensions[2].positive);
    let r = run(&[two_m[0], two_m[1], "rec_vulnerability_general_context"]);
    assert!(r.dimensions[2].positive);
    // Medium + two weak: negative.
    let r = run(&[
        "rec_vulnerability_economic_reasons",
        "rec_vulnerability_general_context",
        "rec_vulnerability_beliefs",
    ]);
    assert!(!r.dimensions[2].positive);
    // Full adult indication, then drop the means at destination.
    let full = [
        "rec_deceit_job_employer_location",
        "rec_deceit_wages",
        "exploitation_excessive_hours",
        "exploitation_low_or_no_pay",
        "dest_coercion_confiscation_of_documents",
        "dest_coercion_debt_bondage",
    ];
    let r = run(&full);
    assert!(r.indicated);
    assert!(!run(&full[..4]).indicated);
    // The same facts for a child are indicated without the means element.
    let cl = cat.get("child_labour").unwrap();
    let r = screen(cl, &full[..4], PersonMinority::PresumedChild).unwrap();
    assert!(r.indicated);
}

#[test]
fn counts_exhaustively_match_the_combinations() {
    for s in 0..5u32 {
        for m in 0..5u32 {
            for w in 0..5u32 {
                let mut obs = vec![S; s as usize];
                obs.extend(vec![M; m as usize]);
                obs.extend(vec![W; w as usize]);
                let c = StrengthCounts {
                    strong: s,
                    medium: m,
                    weak: w,
                };
                assert_eq!(c.is_positive(), positive_by_combinations(&obs), "{c:?}");
            }
        }
    }
}

/// Parsed once: TOML parsing in a debug build would dominate thousands of cases.
fn catalogue() -> &'static Catalogue {
    static CAT: OnceLock<Catalogue> = OnceLock::new();
    CAT.get_or_init(|| Catalogue::builtin().unwrap())
}

fn strength() -> impl Strategy<Value = Strength> {
    prop_oneof![Just(S), Just(M), Just(W)]
}

/// A random observation set for one of the shipped lists, in random order: small sets half the
/// time, since that is where the boundaries are.
fn observation() -> impl Strategy<Value = (usize, Vec<String>)> {
    prop_oneof![observation_up_to(8), observation_up_to(usize::MAX)]
}

fn observation_up_to(max: usize) -> impl Strategy<Value = (usize, Vec<String>)> {
    let lists: Vec<Vec<String>> = catalogue()
        .lists()
        .iter()
        .map(|l| l.indicators().iter().map(|i| i.id.clone()).collect())
        .collect();
    (0..lists.len()).prop_flat_map(move |n| {
        let ids = lists[n].clone();
        let len = ids.len().min(max);
        (
            Just(n),
            proptest::sample::subsequence(ids, 0..=len).prop_shuffle(),
        )
    })
}

/// The oracle for a whole screening: look every id up by linear scan, group by dimension,
/// brute-force each dimension, then apply the element rule.
fn oracle(list: &IndicatorList, observed: &[String]) -> (bool, [bool; 6]) {
    let mut per_dim: [Vec<Strength>; 6] = Default::default();
    for id in observed {
        let ind = list.indicators().iter().find(|i| &i.id == id).unwrap();
        let d = DimensionId::ALL
            .iter()
            .position(|d| *d == ind.dimension)
            .unwrap();
        per_dim[d].push(ind.strength);
    }
    let positive: [bool; 6] = std::array::from_fn(|d| positive_by_combinations(&per_dim[d]));
    (
        indicated_by_elements(&positive, list.population()),
        positive,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn dimension_rule_matches_brute_force(obs in proptest::collection::vec(strength(), 0..9)) {
        prop_assert_eq!(dimension_positive(obs.iter().copied()), positive_by_combinations(&obs));
    }

    #[test]
    fn person_rule_matches_elements(bits in proptest::array::uniform6(any::<bool>())) {
        let p = PositiveDimensions(bits);
        prop_assert_eq!(p.indicated(Population::Adult), indicated_by_elements(&bits, Population::Adult));
        prop_assert_eq!(p.indicated(Population::Child), indicated_by_elements(&bits, Population::Child));
        // Children never need more than adults.
        prop_assert!(!p.indicated(Population::Adult) || p.indicated(Population::Child));
    }

    #[test]
    fn screening_matches_oracle((n, observed) in observation()) {
        let list = &catalogue().lists()[n];
        let minority = match list.population() {
            Population::Adult => PersonMinority::Adult,
            Population::Child => PersonMinority::PresumedChild,
        };
        let r = screen(list, &observed, minority).unwrap();
        let (indicated, positive) = oracle(list, &observed);
        prop_assert_eq!(r.indicated, indicated);
        for (d, p) in r.dimensions.iter().zip(positive) {
            prop_assert_eq!(d.positive, p, "{}", d.dimension);
        }
        // The explanation accounts for every observation exactly once, in its own dimension.
        let explained: usize = r.dimensions.iter().map(|d| d.observed.len()).sum();
        prop_assert_eq!(explained, observed.len());
        for d in &r.dimensions {
            for id in &d.observed {
                prop_assert_eq!(list.indicator(id).unwrap().dimension, d.dimension);
            }
        }
        prop_assert_eq!(&r.list_version, list.version());
        // The allocation-free verdict agrees with the full screening.
        let e = evaluate(list, &observed, minority).unwrap();
        prop_assert_eq!(e.indicated, r.indicated);
        for d in &r.dimensions {
            prop_assert_eq!(e.positive.is_positive(d.dimension), d.positive);
            prop_assert_eq!(e.counts[d.dimension.index()], d.counts);
        }
    }

    #[test]
    fn more_observations_never_withdraw_an_indication((n, observed) in observation(), cut in 0usize..70) {
        let list = &catalogue().lists()[n];
        let minority = if list.population() == Population::Adult { PersonMinority::Adult } else { PersonMinority::Child };
        let cut = cut.min(observed.len());
        let fewer = screen(list, &observed[..cut], minority).unwrap();
        let more = screen(list, &observed, minority).unwrap();
        prop_assert!(!fewer.indicated || more.indicated);
    }
}
