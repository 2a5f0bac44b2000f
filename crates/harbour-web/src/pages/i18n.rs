//! Every user-facing string of the pages goes through Fluent (`locales/{en,uk,ru}/main.ftl`,
//! compiled into the binary). Dates are written in the user's language.

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use std::sync::OnceLock;
use time::{Date, OffsetDateTime};

/// The languages the pages speak.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    Uk,
    Ru,
    En,
}

pub const SOURCES: [(Lang, &str); 3] = [
    (Lang::Uk, include_str!("../../../../locales/uk/main.ftl")),
    (Lang::Ru, include_str!("../../../../locales/ru/main.ftl")),
    (Lang::En, include_str!("../../../../locales/en/main.ftl")),
];

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::Uk, Lang::Ru, Lang::En];

    pub fn code(self) -> &'static str {
        match self {
            Lang::Uk => "uk",
            Lang::Ru => "ru",
            Lang::En => "en",
        }
    }

    pub fn parse(s: &str) -> Option<Lang> {
        match s.trim().to_ascii_lowercase().get(..2)? {
            "uk" => Some(Lang::Uk),
            "ru" => Some(Lang::Ru),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The language's own name, shown in the switch.
    pub fn endonym(self) -> &'static str {
        match self {
            Lang::Uk => "Українська",
            Lang::Ru => "Русский",
            Lang::En => "English",
        }
    }

    pub fn indicators(self) -> harbour_indicators::Lang {
        match self {
            Lang::Uk => harbour_indicators::Lang::Uk,
            Lang::Ru => harbour_indicators::Lang::Ru,
            Lang::En => harbour_indicators::Lang::En,
        }
    }

    fn index(self) -> usize {
        match self {
            Lang::Uk => 0,
            Lang::Ru => 1,
            Lang::En => 2,
        }
    }
}

/// The first supported language of an `Accept-Language` header.
pub fn from_accept_language(header: &str) -> Option<Lang> {
    header
        .split(',')
        .filter_map(|part| Lang::parse(part.split(';').next().unwrap_or("")))
        .next()
}

type Bundle = FluentBundle<FluentResource>;

fn bundles() -> &'static [Bundle; 3] {
    static BUNDLES: OnceLock<[Bundle; 3]> = OnceLock::new();
    BUNDLES.get_or_init(|| {
        SOURCES.map(|(lang, src)| {
            let id: unic_langid::LanguageIdentifier = lang.code().parse().unwrap_or_default();
            let mut b = FluentBundle::new_concurrent(vec![id]);
            b.set_use_isolating(false);
            // A syntax error in a shipped file is caught by the locale tests; keep what parsed.
            let res = FluentResource::try_new(src.to_string()).unwrap_or_else(|(res, _)| res);
            let _ = b.add_resource(res);
            b
        })
    })
}

/// Translate `key`, with arguments. A missing key shows as the key (and fails the locale test).
pub fn tr(lang: Lang, key: &str, args: Option<&FluentArgs>) -> String {
    let b = &bundles()[lang.index()];
    let Some(pattern) = b.get_message(key).and_then(|m| m.value()) else {
        return key.to_string();
    };
    let mut errors = vec![];
    b.format_pattern(pattern, args, &mut errors).into_owned()
}

pub fn t(lang: Lang, key: &str) -> String {
    tr(lang, key, None)
}

pub fn t_str(lang: Lang, key: &str, name: &str, value: &str) -> String {
    let mut a = FluentArgs::new();
    a.set(name, FluentValue::from(value.to_string()));
    tr(lang, key, Some(&a))
}

pub fn t_num(lang: Lang, key: &str, name: &str, n: i64) -> String {
    let mut a = FluentArgs::new();
    a.set(name, FluentValue::from(n));
    tr(lang, key, Some(&a))
}

/// "23 листопада 2026" / "23 ноября 2026" / "23 November 2026".
pub fn date(lang: Lang, d: Date) -> String {
    let month = t(lang, &format!("month-{}", d.month() as u8));
    format!("{} {} {}", d.day(), month, d.year())
}

/// A moment, in UTC: the date and the time of day.
pub fn datetime(lang: Lang, at: OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    format!(
        "{}, {:02}:{:02} UTC",
        date(lang, at.date()),
        at.hour(),
        at.minute()
    )
}
