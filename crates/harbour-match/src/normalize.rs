//! Name normalisation: the forms kept for every name and the keys derived
//! from them.

use crate::translit::{detect_script, nfc, ru_icao, uk_national, Script};

/// Every form of one name that the matcher keeps.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct NameForms {
    /// As written, NFC-normalised and trimmed.
    pub original: String,
    /// Ukrainian national romanisation (Latin input is kept as written).
    pub uk_national: String,
    /// ICAO Doc 9303 form (Latin input is kept as written).
    pub ru_icao: String,
    /// Slavic skeleton key of the name.
    pub skeleton: String,
}

impl NameForms {
    pub fn new(raw: &str) -> Self {
        let original = nfc(raw.trim());
        let (uk, ru) = match detect_script(&original) {
            Script::Ukrainian | Script::Russian | Script::Cyrillic => {
                (uk_national(&original), ru_icao(&original))
            }
            _ => (original.clone(), original.clone()),
        };
        let skeleton = skeleton(&original);
        NameForms {
            original,
            uk_national: uk,
            ru_icao: ru,
            skeleton,
        }
    }
}

/// Fold any script to lowercase ASCII: Cyrillic by the Ukrainian national
/// scheme (its letters are a superset of Russian ones), Polish and German
/// letters by their sound rather than by dropping the accent, and every other
/// script through `deunicode`.
pub fn fold_ascii(s: &str) -> String {
    let s = nfc(s);
    let mut out = String::with_capacity(s.len());
    let mut pending = String::new();
    let flush = |pending: &mut String, out: &mut String| {
        if !pending.is_empty() {
            out.push_str(&uk_national(pending));
            pending.clear();
        }
    };
    for c in s.chars() {
        let l = c.to_lowercase().next().unwrap_or(c);
        if matches!(l, '\u{0400}'..='\u{04FF}') || (!pending.is_empty() && is_apos(l)) {
            pending.push(l);
            continue;
        }
        flush(&mut pending, &mut out);
        match l {
            'ż' | 'ź' => out.push_str("zh"),
            'ł' => out.push('l'),
            'ß' => out.push_str("ss"),
            'ä' => out.push('a'),
            'ö' => out.push('o'),
            'ü' => out.push('u'),
            c if c.is_ascii() => out.push(c),
            c => out.push_str(deunicode::deunicode_char(c).unwrap_or("")),
        }
    }
    flush(&mut pending, &mut out);
    out.to_lowercase()
}

fn is_apos(c: char) -> bool {
    matches!(c, '\'' | '’' | 'ʼ' | '`' | '´' | 'ʹ' | '‘')
}

/// One skeleton token: the rules measured in tracing.md plus the Polish and
/// German digraphs, applied until nothing changes so the key is idempotent.
fn skeleton_token(tok: &str) -> String {
    // Replace only when present: most rules do not apply to most names, and
    // this runs for every name of every record.
    fn rep(s: &mut String, from: &str, to: &str) {
        if s.contains(from) {
            *s = s.replace(from, to);
        }
    }
    let mut s: String = tok.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    for _ in 0..6 {
        let before = s.clone();
        // German and Polish digraphs first, longest first.
        for (a, b) in [
            ("tsch", "ch"),
            ("sch", "sh"),
            ("sz", "sh"),
            ("cz", "ch"),
            ("w", "v"),
            ("x", "ks"),
            ("q", "k"),
        ] {
            rep(&mut s, a, b);
        }
        for (a, b) in [("zgh", "zg"), ("kh", "h"), ("h", "g")] {
            rep(&mut s, a, b);
        }
        // "sh"/"ch"/"zh" were turned into sg/cg/zg by h->g; keep them distinct
        // from g by mapping them to one marker letter per sound for now.
        for (a, b) in [
            ("sg", "w"),
            ("cg", "q"),
            ("zg", "x"),
            ("y", "i"),
            ("j", "i"),
        ] {
            rep(&mut s, a, b);
        }
        if let Some(rest) = s.strip_prefix("ie") {
            s = format!("e{rest}");
        }
        for suf in ["ii", "ei", "ie"] {
            if s.len() > 2 && s.ends_with(suf) {
                s.truncate(s.len() - 2);
                s.push('i');
                break;
            }
        }
        // Collapse doubled letters.
        let mut c2 = String::with_capacity(s.len());
        let mut last = None;
        for c in s.chars() {
            if Some(c) != last {
                c2.push(c);
            }
            last = Some(c);
        }
        s = c2;
        // Undo the markers so the next round sees the same letters again.
        for (a, b) in [("w", "sh"), ("q", "ch"), ("x", "zh")] {
            rep(&mut s, a, b);
        }
        if s == before {
            break;
        }
    }
    s
}

/// The Slavic skeleton key of a name: tokens folded and joined by one space.
pub fn skeleton(s: &str) -> String {
    let folded = fold_ascii(s);
    let mut toks = Vec::new();
    for t in folded.split(|c: char| !c.is_ascii_alphanumeric() && !is_apos(c)) {
        let k = skeleton_token(t);
        if !k.is_empty() {
            toks.push(k);
        }
    }
    toks.join(" ")
}

/// A coarse phonetic code of a skeleton: first sound class, then consonant
/// classes with vowels dropped and repeats collapsed, at most `len` symbols.
/// It runs on the transliterated skeleton, so it works for any input script.
pub fn phonetic(skel: &str, len: usize) -> String {
    let b: Vec<u8> = skel.bytes().filter(|c| c.is_ascii_alphabetic()).collect();
    let mut out = String::new();
    let mut last = 0u8;
    let mut i = 0;
    while i < b.len() && out.len() < len {
        let c = b[i];
        let next = b.get(i + 1).copied();
        let (class, step) = match (c, next) {
            (b's' | b'c' | b'z', Some(b'h')) => (b'S', 2),
            // ц is ts (KMU), c (Polish) or z (German).
            (b't', Some(b's' | b'z')) => (b'S', 2),
            (b'a' | b'e' | b'i' | b'o' | b'u' | b'y', _) => (b'A', 1),
            (b'b' | b'p', _) => (b'P', 1),
            (b'f' | b'v' | b'w', _) => (b'F', 1),
            (b'd' | b't', _) => (b'T', 1),
            (b'g' | b'k' | b'q' | b'h', _) => (b'K', 1),
            (b's' | b'z' | b'c' | b'x', _) => (b'S', 1),
            (b'l', _) => (b'L', 1),
            (b'r', _) => (b'R', 1),
            (b'm' | b'n', _) => (b'N', 1),
            _ => (0, 1),
        };
        if class != 0 && (out.is_empty() || class != b'A') && class != last {
            out.push(class as char);
        }
        if class != 0 {
            last = class;
        }
        i += step;
    }
    out
}

/// Surname stem with the sex form removed (kovalska/kovalskii -> kovalski,
/// ivanova -> ivanov), computed on the skeleton.
pub fn surname_stem(skel: &str) -> String {
    let s = skel;
    let n = s.len();
    let rep = |cut: usize, add: &str| format!("{}{}", &s[..n - cut], add);
    if n > 5 && s.ends_with("aia") {
        return rep(3, "i");
    }
    if n > 4 && (s.ends_with("ova") || s.ends_with("eva") || s.ends_with("ina")) {
        return rep(1, "");
    }
    if n > 4
        && (s.ends_with("ska") || s.ends_with("zka") || s.ends_with("tska") || s.ends_with("cka"))
    {
        return rep(1, "i");
    }
    if n > 4 && (s.ends_with("ka") || s.ends_with("cha")) {
        return rep(1, "i");
    }
    if n > 5 && s.ends_with("na") {
        // Adjectival -nyi/-na (Chervonyi/Chervona).
        return rep(1, "i");
    }
    s.to_string()
}

/// Father's given name from a patronymic (Олександрович -> Олександр), on the
/// skeleton; None when the word does not look like a patronymic.
pub fn patronymic_to_father(skel: &str) -> Option<String> {
    for suf in [
        "ovich", "evich", "ovych", "evych", "ovna", "ivna", "evna", "ich", "ych",
    ] {
        let suf_skel = skeleton_token(suf);
        if skel.len() > suf_skel.len() + 2 && skel.ends_with(&suf_skel) {
            return Some(skel[..skel.len() - suf_skel.len()].to_string());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn skeleton_merges_the_variants_from_tracing_md() {
        let groups: &[&[&str]] = &[
            &["Kovalenko", "Коваленко", "Kowalenko", "KOVALENKO"],
            &["Serhii", "Сергій", "Serhiy", "Sergii"],
            &["Andrii", "Andrei", "Andriy", "Andrey", "Андрій", "Андрей"],
            &["Iuliia", "Yuliya", "Юлія", "Юлия", "Julija"],
            &["Yevheniia", "Evgeniya", "Євгенія", "Евгения"],
            &["Shevchenko", "Schewtschenko", "Szewczenko", "Шевченко"],
            &["Kharkiv", "Харків", "Kharkiw"],
        ];
        for g in groups {
            let k0 = skeleton(g[0]);
            for v in *g {
                assert_eq!(skeleton(v), k0, "{v} vs {}", g[0]);
            }
        }
        assert_ne!(skeleton("Oleksandr"), skeleton("Olha"));
    }

    #[test]
    fn forms_of_kovalenko() {
        let f = NameForms::new("Сашко Коваленко");
        assert_eq!(f.uk_national, "Sashko Kovalenko");
        assert_eq!(f.ru_icao, "Sashko Kovalenko");
        assert_eq!(f.skeleton, "sashko kovalenko");
        let g = NameForms::new("Aleksandr Kowalenko");
        assert_eq!(g.uk_national, "Aleksandr Kowalenko");
        assert_eq!(g.skeleton, "aleksandr kovalenko");
    }

    #[test]
    fn surname_sex_forms() {
        let pairs = [
            ("Ковальський", "Ковальська"),
            ("Kovalskyi", "Kowalska"),
            ("Иванов", "Иванова"),
            ("Ковальский", "Ковальская"),
            ("Коваленко", "Коваленко"),
            ("Ільїн", "Ільїна"),
        ];
        for (m, f) in pairs {
            assert_eq!(
                surname_stem(&skeleton(m)),
                surname_stem(&skeleton(f)),
                "{m}/{f}"
            );
        }
    }

    #[test]
    fn phonetic_codes() {
        assert_eq!(
            phonetic(&skeleton("Kovalenko"), 6),
            phonetic(&skeleton("Kowalenko"), 6)
        );
        assert_eq!(
            phonetic(&skeleton("Oleksandr"), 6),
            phonetic(&skeleton("Aleksandr"), 6)
        );
        assert_ne!(phonetic("kovalenko", 6), phonetic("bondarenko", 6));
        assert_eq!(
            phonetic(&skeleton("Humenets"), 5),
            phonetic(&skeleton("Humenec"), 5)
        );
        assert_eq!(
            phonetic(&skeleton("Швецик"), 5),
            phonetic(&skeleton("Schwezyk"), 5)
        );
    }

    #[test]
    fn patronymics() {
        assert_eq!(
            patronymic_to_father(&skeleton("Олександрович")).as_deref(),
            Some("oleksandr")
        );
        assert_eq!(
            patronymic_to_father(&skeleton("Петрівна")).as_deref(),
            Some("petr")
        );
        assert_eq!(patronymic_to_father(&skeleton("Ivan")), None);
    }

    proptest! {
        #[test]
        fn skeleton_is_idempotent(s in "\\PC{0,24}") {
            let k = skeleton(&s);
            prop_assert_eq!(skeleton(&k), k.clone());
        }

        #[test]
        fn never_panics_on_any_unicode(s in any::<String>()) {
            let f = NameForms::new(&s);
            let _ = phonetic(&f.skeleton, 6);
            let _ = surname_stem(&f.skeleton);
            let _ = patronymic_to_father(&f.skeleton);
        }

        #[test]
        fn latin_input_keeps_its_forms(s in "[A-Za-z][a-z]{0,12}") {
            let f = NameForms::new(&s);
            prop_assert_eq!(&f.uk_national, &s);
            prop_assert_eq!(&f.ru_icao, &s);
            prop_assert_eq!(crate::translit::uk_national(&s), s.clone());
        }
    }
}
