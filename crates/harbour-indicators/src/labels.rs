//! Labels in the three languages Harbour ships: English, Ukrainian, Russian.

use serde::{Deserialize, Serialize};

/// A language Harbour ships labels for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    En,
    Uk,
    Ru,
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::En, Lang::Uk, Lang::Ru];

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Uk => "uk",
            Lang::Ru => "ru",
        }
    }
}

/// One text in every shipped language. Loading rejects a list where any of them is missing or blank.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Labels {
    pub en: String,
    pub uk: String,
    pub ru: String,
}

impl Labels {
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Uk => &self.uk,
            Lang::Ru => &self.ru,
        }
    }
}

/// Fixed texts compiled into the binary (the notice that a screening is not a decision).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StaticLabels {
    pub en: &'static str,
    pub uk: &'static str,
    pub ru: &'static str,
}

impl StaticLabels {
    pub fn get(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => self.en,
            Lang::Uk => self.uk,
            Lang::Ru => self.ru,
        }
    }

    pub fn to_labels(&self) -> Labels {
        Labels {
            en: self.en.to_owned(),
            uk: self.uk.to_owned(),
            ru: self.ru.to_owned(),
        }
    }
}
