//! Transliteration of Cyrillic names into Latin renderings.
//!
//! The national Ukrainian form (KMU resolution 55 of 2010) and the ICAO Doc 9303
//! form are what the matcher keeps for every name. The older passport, MVD-310,
//! Polish and German renderings exist so that the synthetic UA-trace generator
//! can produce the spellings officials actually write; the matcher never needs
//! to know which scheme produced a Latin name, because the skeleton folds them.

use unicode_normalization::UnicodeNormalization;

/// Which writing system dominates a string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Script {
    /// Cyrillic with letters only Ukrainian has (і ї є ґ).
    Ukrainian,
    /// Cyrillic with letters only Russian has (ы э ё ъ).
    Russian,
    /// Cyrillic shared by both (e.g. "Олег").
    Cyrillic,
    /// Latin letters, possibly with diacritics.
    Latin,
    /// Anything else, or no letters at all.
    Other,
}

/// Unicode NFC so that precomposed and combining forms of й/ї compare equal.
pub fn nfc(s: &str) -> String {
    s.nfc().collect()
}

fn is_cyr(c: char) -> bool {
    matches!(c, '\u{0400}'..='\u{04FF}')
}

/// Guess the script of a name.
pub fn detect_script(s: &str) -> Script {
    let (mut cyr, mut lat, mut other) = (0usize, 0usize, 0usize);
    let (mut uk, mut ru) = (false, false);
    for c in s.chars() {
        let l = c.to_lowercase().next().unwrap_or(c);
        if is_cyr(l) {
            cyr += 1;
            match l {
                'і' | 'ї' | 'є' | 'ґ' => uk = true,
                'ы' | 'э' | 'ё' | 'ъ' => ru = true,
                _ => {}
            }
        } else if l.is_alphabetic() {
            if l.is_ascii() || matches!(l, '\u{00C0}'..='\u{024F}') {
                lat += 1;
            } else {
                other += 1;
            }
        }
    }
    if cyr > 0 && cyr >= lat && cyr >= other {
        match (uk, ru) {
            (true, false) => Script::Ukrainian,
            (false, true) => Script::Russian,
            _ => Script::Cyrillic,
        }
    } else if lat > 0 && lat >= other {
        Script::Latin
    } else {
        Script::Other
    }
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '’' | 'ʼ' | '`' | '´' | 'ʹ' | '‘')
}

/// Shared driver: walks the string lowercase, tracks word starts, and asks
/// `map` for the Latin rendering of each Cyrillic letter. Case of the first
/// letter of every word is restored so "олександр" and "Олександр" differ
/// only in case.
fn drive(
    s: &str,
    map: &dyn Fn(char, bool, Option<char>, Option<char>) -> Option<String>,
) -> String {
    let s = nfc(s);
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len() + 8);
    let mut word_start = true;
    for (i, &c) in chars.iter().enumerate() {
        let upper = c.is_uppercase();
        let l = c.to_lowercase().next().unwrap_or(c);
        let prev = if i > 0 {
            chars[i - 1].to_lowercase().next()
        } else {
            None
        };
        let next = chars.get(i + 1).and_then(|n| n.to_lowercase().next());
        if is_cyr(l) {
            // In an all-caps word a digraph is all caps too (КРАВЧУК -> KRAVCHUK).
            let neighbour_upper = |j: Option<usize>| {
                j.and_then(|j| chars.get(j))
                    .is_some_and(|c| c.is_uppercase())
            };
            let all_caps =
                upper && (neighbour_upper(i.checked_sub(1)) || neighbour_upper(Some(i + 1)));
            if let Some(rep) = map(l, word_start, prev, next) {
                if all_caps {
                    out.push_str(&rep.to_uppercase());
                } else if upper && !rep.is_empty() {
                    let mut it = rep.chars();
                    if let Some(f) = it.next() {
                        out.extend(f.to_uppercase());
                        out.push_str(it.as_str());
                    }
                } else {
                    out.push_str(&rep);
                }
            }
            word_start = false;
        } else if is_apostrophe(c) {
            // Apostrophes inside a word do not start a new word (Мар'яна -> Mariana).
        } else {
            out.push(c);
            word_start = !c.is_alphabetic();
        }
    }
    out
}

/// Ukrainian national romanisation, KMU resolution 55 of 2010.
pub fn uk_national(s: &str) -> String {
    drive(s, &|c, start, prev, _next| {
        let r = match c {
            'а' => "a",
            'б' => "b",
            'в' => "v",
            // зг is written zgh so it is not read as the digraph zh.
            'г' => {
                if prev == Some('з') {
                    "gh"
                } else {
                    "h"
                }
            }
            'ґ' => "g",
            'д' => "d",
            'е' => "e",
            'є' => {
                if start {
                    "ye"
                } else {
                    "ie"
                }
            }
            'ж' => "zh",
            'з' => "z",
            'и' => "y",
            'і' => "i",
            'ї' => {
                if start {
                    "yi"
                } else {
                    "i"
                }
            }
            'й' => {
                if start {
                    "y"
                } else {
                    "i"
                }
            }
            'к' => "k",
            'л' => "l",
            'м' => "m",
            'н' => "n",
            'о' => "o",
            'п' => "p",
            'р' => "r",
            'с' => "s",
            'т' => "t",
            'у' => "u",
            'ф' => "f",
            'х' => "kh",
            'ц' => "ts",
            'ч' => "ch",
            'ш' => "sh",
            'щ' => "shch",
            'ь' | 'ъ' => "",
            'ю' => {
                if start {
                    "yu"
                } else {
                    "iu"
                }
            }
            'я' => {
                if start {
                    "ya"
                } else {
                    "ia"
                }
            }
            // Russian-only letters inside otherwise Ukrainian text.
            'ы' => "y",
            'э' => "e",
            'ё' => {
                if start {
                    "yo"
                } else {
                    "io"
                }
            }
            _ => return Some(deunicode::deunicode_char(c).unwrap_or("").to_string()),
        };
        Some(r.to_string())
    })
}

/// ICAO Doc 9303 transliteration (Russian passports since 2014).
pub fn ru_icao(s: &str) -> String {
    drive(s, &|c, _start, _prev, _next| {
        let r = match c {
            'а' => "a",
            'б' => "b",
            'в' => "v",
            'г' | 'ґ' => "g",
            'д' => "d",
            'е' | 'ё' | 'э' => "e",
            'є' => "ie",
            'ж' => "zh",
            'з' => "z",
            'и' | 'і' | 'ї' | 'й' => "i",
            'к' => "k",
            'л' => "l",
            'м' => "m",
            'н' => "n",
            'о' => "o",
            'п' => "p",
            'р' => "r",
            'с' => "s",
            'т' => "t",
            'у' => "u",
            'ф' => "f",
            'х' => "kh",
            'ц' => "ts",
            'ч' => "ch",
            'ш' => "sh",
            'щ' => "shch",
            'ъ' => "ie",
            'ы' => "y",
            'ь' => "",
            'ю' => "iu",
            'я' => "ia",
            _ => return Some(deunicode::deunicode_char(c).unwrap_or("").to_string()),
        };
        Some(r.to_string())
    })
}

fn after_vowel_or_start(start: bool, prev: Option<char>) -> bool {
    start
        || matches!(
            prev,
            Some(
                'а' | 'е'
                    | 'є'
                    | 'и'
                    | 'і'
                    | 'ї'
                    | 'о'
                    | 'у'
                    | 'ю'
                    | 'я'
                    | 'ь'
                    | 'ъ'
                    | 'ы'
                    | 'э'
            )
        )
}

/// MVD-310 style used in Russian passports before 2010 (Yuliya, Sergey).
pub fn ru_mvd(s: &str) -> String {
    drive(s, &|c, start, prev, _next| {
        let r = match c {
            'е' => {
                if after_vowel_or_start(start, prev) {
                    "ye"
                } else {
                    "e"
                }
            }
            'ё' => "yo",
            'й' => "y",
            'ю' => "yu",
            'я' => "ya",
            'и' | 'і' => "i",
            'ы' | 'ї' => "y",
            'є' => "ye",
            'х' => "kh",
            'ь' | 'ъ' => "",
            _ => return Some(ru_icao(&c.to_string())),
        };
        Some(r.to_string())
    })
}

/// Ukrainian passport spellings before 2010 (Serhiy, Yuliya, Andriy).
pub fn uk_old_passport(s: &str) -> String {
    drive(s, &|c, _start, _prev, _next| {
        let r = match c {
            'й' => "y",
            'ю' => "yu",
            'я' => "ya",
            'є' => "ye",
            'ї' => "yi",
            'ь' => "'",
            _ => return Some(uk_national(&c.to_string())),
        };
        Some(r.to_string())
    })
}

/// A Polish official's rendering (Kowalenko, Ołeksandr is simplified to l).
pub fn polish(s: &str) -> String {
    drive(s, &|c, start, prev, _next| {
        let r = match c {
            'в' => "w",
            'г' => "h",
            'е' => {
                if start {
                    "je"
                } else {
                    "e"
                }
            }
            'є' => "je",
            'ж' => "ż",
            'и' => "y",
            'ї' => "ji",
            'й' => "j",
            'х' => "ch",
            'ц' => "c",
            'ч' => "cz",
            'ш' => "sz",
            'щ' => "szcz",
            'ь' | 'ъ' => "",
            'ю' => {
                if after_vowel_or_start(start, prev) {
                    "ju"
                } else {
                    "iu"
                }
            }
            'я' => {
                if after_vowel_or_start(start, prev) {
                    "ja"
                } else {
                    "ia"
                }
            }
            _ => return Some(uk_national(&c.to_string())),
        };
        Some(r.to_string())
    })
}

/// A German official's rendering (Kowalenko, Schewtschenko).
pub fn german(s: &str) -> String {
    drive(s, &|c, start, _prev, _next| {
        let r = match c {
            'в' => "w",
            'е' => {
                if start {
                    "je"
                } else {
                    "e"
                }
            }
            'є' => "je",
            'ж' => "sch",
            'з' => "s",
            'и' => "y",
            'ї' => "ji",
            'й' => "j",
            'х' => "ch",
            'ц' => "z",
            'ч' => "tsch",
            'ш' => "sch",
            'щ' => "schtsch",
            'ь' | 'ъ' => "",
            'ю' => "ju",
            'я' => "ja",
            _ => return Some(uk_national(&c.to_string())),
        };
        Some(r.to_string())
    })
}

/// How a Russian-speaking official would spell a Ukrainian Cyrillic name
/// (Ковальський -> Ковальский, Сергій -> Сергий). Used by the generator only;
/// the matcher relies on the lexicon for real name equivalences.
pub fn uk_to_ru_spelling(s: &str) -> String {
    let mut out = String::new();
    for c in nfc(s).chars() {
        let lower = c.to_lowercase().next().unwrap_or(c);
        let rep: &str = match lower {
            'и' => "ы",
            'і' => "и",
            'ї' => "йи",
            'є' => "е",
            'ґ' => "г",
            '\'' | '’' | 'ʼ' => "ь",
            _ => {
                out.push(c);
                continue;
            }
        };
        if c.is_uppercase() {
            let mut it = rep.chars();
            if let Some(f) = it.next() {
                out.extend(f.to_uppercase());
                out.push_str(it.as_str());
            }
        } else {
            out.push_str(rep);
        }
    }
    // Russian adjectival endings: -ський -> -ский, -цький -> -цкий; after
    // velars and hushing consonants Russian writes и, not ы.
    let mut r = out
        .replace("ськый", "ский")
        .replace("цькый", "цкий")
        .replace("зькый", "зкий");
    for (a, b) in [
        ("кый", "кий"),
        ("гый", "гий"),
        ("хый", "хий"),
        ("чый", "чий"),
        ("щый", "щий"),
        ("жый", "жий"),
        ("шый", "ший"),
        ("шы", "ши"),
        ("жы", "жи"),
        ("чы", "чи"),
        ("щы", "щи"),
    ] {
        r = r.replace(a, b);
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kmu_examples() {
        // Examples from the resolution's own table.
        assert_eq!(uk_national("Згорани"), "Zghorany");
        assert_eq!(uk_national("Розгон"), "Rozghon");
        assert_eq!(uk_national("Єнакієве"), "Yenakiieve");
        assert_eq!(uk_national("Гаївка"), "Haivka");
        assert_eq!(uk_national("Їжакевич"), "Yizhakevych");
        assert_eq!(uk_national("Йосипівка"), "Yosypivka");
        assert_eq!(uk_national("Стрий"), "Stryi");
        assert_eq!(uk_national("Юрій"), "Yurii");
        assert_eq!(uk_national("Костянтин"), "Kostiantyn");
        assert_eq!(uk_national("Знам'янка"), "Znamianka");
        assert_eq!(uk_national("Щербухи"), "Shcherbukhy");
        assert_eq!(uk_national("Олександр Коваленко"), "Oleksandr Kovalenko");
        assert_eq!(uk_national("Харків"), "Kharkiv");
        assert_eq!(uk_national("КРАВЧУК Щука"), "KRAVCHUK Shchuka");
    }

    #[test]
    fn icao_examples() {
        assert_eq!(ru_icao("Юлия"), "Iuliia");
        assert_eq!(ru_icao("Дмитрий"), "Dmitrii");
        assert_eq!(ru_icao("Андрей"), "Andrei");
        assert_eq!(ru_icao("Александр"), "Aleksandr");
        assert_eq!(ru_icao("Щукин"), "Shchukin");
    }

    #[test]
    fn older_and_foreign_renderings() {
        assert_eq!(ru_mvd("Юлия"), "Yuliya");
        assert_eq!(ru_mvd("Сергей"), "Sergey");
        assert_eq!(polish("Коваленко"), "Kowalenko");
        assert_eq!(german("Шевченко"), "Schewtschenko");
        assert_eq!(uk_old_passport("Сергій"), "Serhiy");
        assert_eq!(uk_to_ru_spelling("Ковальський"), "Ковальский");
    }

    #[test]
    fn scripts() {
        assert_eq!(detect_script("Сашко"), Script::Cyrillic);
        assert_eq!(detect_script("Олексій"), Script::Ukrainian);
        assert_eq!(detect_script("Алёна"), Script::Russian);
        assert_eq!(detect_script("Kowalczyk"), Script::Latin);
        assert_eq!(detect_script("محمد"), Script::Other);
    }
}
