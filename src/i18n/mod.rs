//! Every word the product shows, in English and Simplified Chinese.
//!
//! The catalogue is a set of small TOML files under `assets/i18n/`, one per
//! part of the product, embedded at build time. Each entry holds both
//! languages side by side, so a missing translation is seen where it is
//! written (and a test fails on it):
//!
//! ```toml
//! [tab]
//! stock = { en = "Ward stock", zh = "病区库存" }
//! ```
//!
//! Texts are looked up with [`t!`](crate::t): `t!("tab.stock")` gives a
//! `&'static str`, `t!("stock.only", n = 4, asked = 10)` fills the `{n}` and
//! `{asked}` placeholders and gives a `String`.
//!
//! Why a small embedded catalogue and not fluent or rust-i18n: two languages
//! with named placeholders is all the product needs; fluent wraps every
//! argument in Unicode isolation marks that a terminal draws as extra columns,
//! and rust-i18n keeps one locale for the whole process, while the console's
//! tests run both languages side by side on parallel threads. Here the
//! language is per thread, defaulting to the process's.

pub mod cd;
pub mod cold;
pub mod cold_report;
pub mod domain;
pub mod early;
pub mod errors;
pub mod fhir;
pub mod format;
pub mod import;
pub mod refusals;
pub mod reports;
pub mod reservations;
pub mod results;
pub mod sheet;
pub mod sheet_files;
pub mod substitutes;
pub mod supply_reports;
pub mod wristband;

use std::cell::Cell;
use std::collections::HashMap;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU8, Ordering};

pub use format::*;

/// The languages the product speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    En,
    ZhCn,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::ZhCn];

    /// `en`, `en-GB`, `en_US.UTF-8`, `zh-CN`, `zh_CN.UTF-8`, `zh-Hans`, `zh`:
    /// the language named, or `None` for one the product does not speak.
    pub fn parse(s: &str) -> Option<Lang> {
        let s = s.trim();
        let base = s
            .split(['.', '@'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase()
            .replace('_', "-");
        if base == "c" || base == "posix" || base == "en" || base.starts_with("en-") {
            return Some(Lang::En);
        }
        if base == "zh"
            || base == "zh-cn"
            || base == "zh-hans"
            || base == "zh-sg"
            || base.starts_with("zh-hans-")
        {
            return Some(Lang::ZhCn);
        }
        None
    }

    /// The code stored with a user and given to `--lang`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::ZhCn => "zh-CN",
        }
    }

    /// The language's own name, for the language setting.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::ZhCn => "简体中文",
        }
    }

    fn index(self) -> u8 {
        match self {
            Lang::En => 0,
            Lang::ZhCn => 1,
        }
    }

    fn from_index(i: u8) -> Lang {
        if i == 1 { Lang::ZhCn } else { Lang::En }
    }
}

static PROCESS: AtomicU8 = AtomicU8::new(0);

thread_local! {
    static THREAD: Cell<Option<Lang>> = const { Cell::new(None) };
}

/// The language texts are produced in on this thread.
pub fn lang() -> Lang {
    THREAD
        .with(|c| c.get())
        .unwrap_or_else(|| Lang::from_index(PROCESS.load(Ordering::Relaxed)))
}

/// Speak `l` from now on, on every thread that has not chosen its own.
pub fn set_lang(l: Lang) {
    PROCESS.store(l.index(), Ordering::Relaxed);
    THREAD.with(|c| c.set(None));
}

/// Speak `l` on this thread only (a console drives its own thread; tests run
/// both languages side by side).
pub fn set_thread_lang(l: Lang) {
    THREAD.with(|c| c.set(Some(l)));
}

// The site's time zone, for showing instants: held like the language, a
// process default and a per-thread choice (a console's thread shows its own
// database's site; tests run sites in different zones side by side).
static PROCESS_ZONE: std::sync::RwLock<chrono_tz::Tz> = std::sync::RwLock::new(chrono_tz::Tz::UTC);

thread_local! {
    static THREAD_ZONE: Cell<Option<chrono_tz::Tz>> = const { Cell::new(None) };
}

/// The site's time zone instants are shown in on this thread (UTC until a
/// store's zone is set).
pub fn zone() -> chrono_tz::Tz {
    THREAD_ZONE.with(|c| c.get()).unwrap_or_else(|| {
        PROCESS_ZONE
            .read()
            .map(|z| *z)
            .unwrap_or_else(|e| *e.into_inner())
    })
}

/// Show instants in `z` from now on, on every thread that has not chosen
/// its own.
pub fn set_zone(z: chrono_tz::Tz) {
    match PROCESS_ZONE.write() {
        Ok(mut g) => *g = z,
        Err(e) => *e.into_inner() = z,
    }
    THREAD_ZONE.with(|c| c.set(None));
}

/// Show instants in `z` on this thread only.
pub fn set_thread_zone(z: chrono_tz::Tz) {
    THREAD_ZONE.with(|c| c.set(Some(z)));
}

/// An instant as the site's local date and time (the zone of [`zone`]).
pub fn local(t: chrono::DateTime<chrono::Utc>) -> chrono::NaiveDateTime {
    t.with_timezone(&zone()).naive_local()
}

/// The language asked for explicitly: `--lang`, else `WARDSTOCK_LANG`.
/// An unknown name is an error naming the languages there are.
pub fn explicit(flag: Option<&str>) -> Result<Option<Lang>, String> {
    let from_env = std::env::var("WARDSTOCK_LANG")
        .ok()
        .filter(|v| !v.trim().is_empty());
    match flag.map(str::to_string).or(from_env) {
        None => Ok(None),
        Some(v) => Lang::parse(&v)
            .map(Some)
            .ok_or_else(|| crate::t!("lang.unknown", name = v)),
    }
}

/// The system's language from `LC_ALL`, `LC_MESSAGES` or `LANG`, when it is
/// one the product speaks.
pub fn system() -> Option<Lang> {
    for var in ["LC_ALL", "LC_MESSAGES", "LANG"] {
        if let Ok(v) = std::env::var(var)
            && !v.trim().is_empty()
        {
            return Lang::parse(&v);
        }
    }
    None
}

/// The language to speak: the explicit choice, else the user's own setting,
/// else the system's, else English.
pub fn choose(explicit: Option<Lang>, user: Option<Lang>) -> Lang {
    explicit.or(user).or_else(system).unwrap_or_default()
}

/// One catalogue entry, both languages.
#[derive(Debug)]
pub struct Entry {
    pub en: &'static str,
    pub zh: &'static str,
}

/// The catalogues (`assets/i18n/*.toml`), read when the program is built
/// (`build.rs`).
mod built {
    include!(concat!(env!("OUT_DIR"), "/catalogue.rs"));
}

/// Every entry of every catalogue file, by key (made once from the built
/// table). The files are checked by the test suite (both languages present,
/// the same placeholders, every key used), and a file that does not read
/// stops the build.
pub fn catalogue() -> &'static HashMap<&'static str, Entry> {
    static CAT: OnceLock<HashMap<&'static str, Entry>> = OnceLock::new();
    CAT.get_or_init(|| {
        built::ENTRIES
            .iter()
            .map(|&(key, en, zh)| (key, Entry { en, zh }))
            .collect()
    })
}

/// The text of `key` in the current language (the key itself if the
/// catalogue lacks it, which the tests forbid).
pub fn text(key: &str) -> &'static str {
    text_in(lang(), key)
}

/// The text of `key` in `l`.
pub fn text_in(l: Lang, key: &str) -> &'static str {
    match catalogue().get(key) {
        Some(e) => match l {
            Lang::En => e.en,
            Lang::ZhCn if e.zh.is_empty() => e.en,
            Lang::ZhCn => e.zh,
        },
        None => Box::leak(key.to_string().into_boxed_str()),
    }
}

/// `template` with each `{name}` replaced by its argument; `{{` and `}}` are
/// literal braces. A placeholder without an argument is left as written.
pub fn fill(template: &str, args: &[(&str, &dyn std::fmt::Display)]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(i) = rest.find(['{', '}']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if let Some(after) = tail.strip_prefix("{{") {
            out.push('{');
            rest = after;
        } else if let Some(after) = tail.strip_prefix("}}") {
            out.push('}');
            rest = after;
        } else if tail.starts_with('{')
            && let Some(end) = tail.find('}')
        {
            let name = &tail[1..end];
            match args.iter().find(|(n, _)| *n == name) {
                Some((_, v)) => {
                    use std::fmt::Write;
                    let _ = write!(out, "{v}");
                }
                None => out.push_str(&tail[..=end]),
            }
            rest = &tail[end + 1..];
        } else {
            out.push_str(&tail[..1]);
            rest = &tail[1..];
        }
    }
    out.push_str(rest);
    out
}

/// The placeholders a template names, sorted (for the catalogue's tests).
pub fn placeholders(template: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = template.replace("{{", "").replace("}}", "");
    while let Some(i) = rest.find('{') {
        let tail = rest[i + 1..].to_string();
        match tail.find('}') {
            Some(end) => {
                names.push(tail[..end].to_string());
                rest = tail[end + 1..].to_string();
            }
            None => break,
        }
    }
    names.sort();
    names.dedup();
    names
}

/// A text from the catalogue in the current language.
///
/// `t!("key")` is a `&'static str`; `t!("key", name = value, …)` fills the
/// named placeholders and is a `String`.
#[macro_export]
macro_rules! t {
    ($key:literal) => {
        $crate::i18n::text($key)
    };
    ($key:literal, $($name:ident = $value:expr),+ $(,)?) => {
        $crate::i18n::fill(
            $crate::i18n::text($key),
            &[$((stringify!($name), &$value as &dyn ::std::fmt::Display)),+],
        )
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_are_read_from_locale_names() {
        assert_eq!(Lang::parse("zh_CN.UTF-8"), Some(Lang::ZhCn));
        assert_eq!(Lang::parse("zh-CN"), Some(Lang::ZhCn));
        assert_eq!(Lang::parse("zh-Hans"), Some(Lang::ZhCn));
        assert_eq!(Lang::parse("en_GB.UTF-8"), Some(Lang::En));
        assert_eq!(Lang::parse("C.UTF-8"), Some(Lang::En));
        assert_eq!(Lang::parse("fr_FR.UTF-8"), None);
        assert_eq!(Lang::parse("zh_TW.UTF-8"), None);
    }

    #[test]
    fn placeholders_are_filled_by_name() {
        let n = 4;
        assert_eq!(
            fill("only {n} of {asked}", &[("n", &n), ("asked", &10)]),
            "only 4 of 10"
        );
        assert_eq!(fill("{{literal}} {x}", &[]), "{literal} {x}");
        assert_eq!(placeholders("仅 {n} / {asked}，{n}"), vec!["asked", "n"]);
    }

    #[test]
    fn each_thread_speaks_its_own_language() {
        set_thread_lang(Lang::ZhCn);
        let other = std::thread::spawn(|| {
            set_thread_lang(Lang::En);
            lang()
        })
        .join()
        .unwrap();
        assert_eq!(lang(), Lang::ZhCn);
        assert_eq!(other, Lang::En);
    }

    #[test]
    fn instants_are_shown_on_the_clock_of_this_thread_s_site() {
        let t = chrono::DateTime::parse_from_rfc3339("2026-12-03T00:00:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        set_thread_zone(chrono_tz::Tz::Asia__Shanghai);
        let rome = std::thread::spawn(move || {
            set_thread_zone(chrono_tz::Tz::Europe__Rome);
            datetime(local(t))
        })
        .join()
        .unwrap();
        assert_eq!(datetime(local(t)), "2026-12-03 08:00");
        assert_eq!(zone(), chrono_tz::Tz::Asia__Shanghai);
        assert_eq!(rome, "2026-12-03 01:00");
    }
}
