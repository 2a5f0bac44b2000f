//! String similarity on the hot path. Skeletons are ASCII and short, so
//! Jaro–Winkler and optimal-string-alignment distance run on bytes with
//! bit flags and stack rows; anything else falls back to `strsim`, whose
//! results these match exactly (see the property tests).

const MAX: usize = 64;

/// Jaro–Winkler similarity (prefix scale 0.1, prefix up to 4, boost above 0.7).
pub fn jaro_winkler(a: &str, b: &str) -> f64 {
    if !a.is_ascii() || !b.is_ascii() || a.len() > MAX || b.len() > MAX {
        return strsim::jaro_winkler(a, b);
    }
    jaro_winkler_ascii(a.as_bytes(), b.as_bytes())
}

/// Jaro–Winkler of two ASCII strings of at most 64 bytes (the caller
/// knows: skeletons are ASCII by construction).
pub fn jaro_winkler_ascii(x: &[u8], y: &[u8]) -> f64 {
    if x.len() > MAX || y.len() > MAX {
        return match (std::str::from_utf8(x), std::str::from_utf8(y)) {
            (Ok(a), Ok(b)) => strsim::jaro_winkler(a, b),
            _ => 0.0,
        };
    }
    let j = jaro_bytes(x, y);
    // The Winkler boost applies only above 0.7, as in the original and strsim.
    if j <= 0.7 {
        return j;
    }
    let prefix = x.iter().zip(y).take(4).take_while(|(p, q)| p == q).count();
    j + 0.1 * prefix as f64 * (1.0 - j)
}

fn jaro_bytes(a: &[u8], b: &[u8]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let range = (a.len().max(b.len()) / 2).saturating_sub(1);
    let (mut af, mut bf) = (0u64, 0u64);
    let mut m = 0usize;
    for (i, &c) in a.iter().enumerate() {
        let lo = i.saturating_sub(range);
        let hi = (i + range + 1).min(b.len());
        for (j, &d) in b.iter().enumerate().take(hi).skip(lo) {
            if bf >> j & 1 == 0 && c == d {
                af |= 1 << i;
                bf |= 1 << j;
                m += 1;
                break;
            }
        }
    }
    if m == 0 {
        return 0.0;
    }
    let mut t = 0usize;
    let mut k = 0usize;
    for (i, &c) in a.iter().enumerate() {
        if af >> i & 1 == 1 {
            while bf >> k & 1 == 0 {
                k += 1;
            }
            if c != b[k] {
                t += 1;
            }
            k += 1;
        }
    }
    let m = m as f64;
    (m / a.len() as f64 + m / b.len() as f64 + (m - (t / 2) as f64) / m) / 3.0
}

/// Optimal string alignment distance (Damerau–Levenshtein where no
/// substring is edited twice).
pub fn osa_distance(a: &str, b: &str) -> usize {
    let (x, y) = (a.as_bytes(), b.as_bytes());
    if !a.is_ascii() || !b.is_ascii() || x.len() >= MAX || y.len() >= MAX {
        return strsim::osa_distance(a, b);
    }
    if x.is_empty() {
        return y.len();
    }
    if y.is_empty() {
        return x.len();
    }
    let n = y.len();
    // Rows of u8: both strings are shorter than 64 bytes, so is the distance.
    let mut prev2 = [0u8; MAX];
    let mut prev = [0u8; MAX];
    let mut cur = [0u8; MAX];
    for (j, p) in prev.iter_mut().enumerate().take(n + 1) {
        *p = j as u8;
    }
    for i in 1..=x.len() {
        cur[0] = i as u8;
        for j in 1..=n {
            let cost = u8::from(x[i - 1] != y[j - 1]);
            let mut v = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && x[i - 1] == y[j - 2] && x[i - 2] == y[j - 1] {
                v = v.min(prev2[j - 2] + 1);
            }
            cur[j] = v;
        }
        prev2[..=n].copy_from_slice(&prev[..=n]);
        prev[..=n].copy_from_slice(&cur[..=n]);
    }
    prev[n] as usize
}

/// `min(osa_distance(a, b), cap + 1)`, skipping the full table when a cheap
/// bound already exceeds `cap`: a length difference counts one edit per
/// character, and for equal lengths each edit mends at most two mismatched
/// positions (a transposition).
pub fn osa_capped(a: &str, b: &str, cap: usize) -> usize {
    let (x, y) = (a.as_bytes(), b.as_bytes());
    if x.len().abs_diff(y.len()) > cap {
        return cap + 1;
    }
    if x.len() == y.len() {
        let ham = x.iter().zip(y).filter(|(p, q)| p != q).count();
        if ham == 0 {
            return 0;
        }
        if ham.div_ceil(2) > cap {
            return cap + 1;
        }
    }
    osa_distance(a, b).min(cap + 1)
}

/// An upper bound of Jaro–Winkler from the lengths alone: with at most
/// min(la, lb) matching characters and no transpositions. Lets callers that
/// only need "at least t" skip the full computation.
pub fn jaro_winkler_bound(a: &str, b: &str) -> f64 {
    let (la, lb) = (a.len() as f64, b.len() as f64);
    if la == 0.0 || lb == 0.0 {
        return if la == lb { 1.0 } else { 0.0 };
    }
    let m = la.min(lb);
    let j = (m / la + m / lb + 1.0) / 3.0;
    j + 0.4 * (1.0 - j)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn same_as_strsim(a in "[a-e]{0,12}", b in "[a-e]{0,12}") {
            prop_assert!((jaro_winkler(&a, &b) - strsim::jaro_winkler(&a, &b)).abs() < 1e-12, "{} {}", a, b);
            prop_assert_eq!(osa_distance(&a, &b), strsim::osa_distance(&a, &b));
            prop_assert_eq!(osa_capped(&a, &b, 2), strsim::osa_distance(&a, &b).min(3));
            prop_assert!(jaro_winkler_bound(&a, &b) + 1e-12 >= jaro_winkler(&a, &b));
        }

        #[test]
        fn same_as_strsim_any(a in "\\PC{0,20}", b in "\\PC{0,20}") {
            prop_assert!((jaro_winkler(&a, &b) - strsim::jaro_winkler(&a, &b)).abs() < 1e-12);
            prop_assert_eq!(osa_distance(&a, &b), strsim::osa_distance(&a, &b));
        }
    }
}
