//! Dates, numbers and text widths as the reader's language writes them.

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::{Lang, lang};

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A day in a list: `03 Dec` in English, `12-03` in Chinese.
pub fn day_short(d: NaiveDate) -> String {
    match lang() {
        Lang::En => format!("{:02} {}", d.day(), MONTHS[d.month0() as usize]),
        Lang::ZhCn => format!("{:02}-{:02}", d.month(), d.day()),
    }
}

/// A local time in a list: `03 Dec 08:00` in English, `12-03 08:00` in Chinese.
pub fn datetime_short(t: NaiveDateTime) -> String {
    format!("{} {:02}:{:02}", day_short(t.date()), t.hour(), t.minute())
}

/// A full local time: `2026-12-03 08:00` in both languages.
pub fn datetime(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%d %H:%M").to_string()
}

/// A full day: `2026-12-03` in both languages.
pub fn date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// A whole number with thousands separators (`1,234,567` in both languages,
/// as Chinese hospital documents write it).
pub fn num(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// Money in cents as `1,234.50`.
pub fn money(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let c = cents.unsigned_abs();
    format!("{sign}{}.{:02}", num((c / 100) as i64), c % 100)
}

/// A dose unit of the formulary (`tablet`, `ampoule` …) as the reader
/// counts it (片, 支 …); a unit the catalogue does not know (mg, mL, a
/// site's own) is shown as stored.
pub fn unit(u: &str) -> &str {
    use crate::t;
    match u {
        "tablet" => t!("unit.tablet"),
        "capsule" => t!("unit.capsule"),
        "ampoule" => t!("unit.ampoule"),
        "vial" => t!("unit.vial"),
        "bottle" => t!("unit.bottle"),
        "bag" => t!("unit.bag"),
        "syringe" => t!("unit.syringe"),
        "pen" => t!("unit.pen"),
        "inhaler" => t!("unit.inhaler"),
        "tube" => t!("unit.tube"),
        "suppository" => t!("unit.suppository"),
        "pair" => t!("unit.pair"),
        "patch" => t!("unit.patch"),
        "piece" => t!("unit.piece"),
        "sachet" => t!("unit.sachet"),
        "box" => t!("unit.box"),
        "pack" => t!("unit.pack"),
        other => other,
    }
}

/// The columns `s` takes on a terminal (a Chinese character takes two).
pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// `s` cut to at most `w` columns, ending in `…` when cut.
pub fn fit(s: &str, w: usize) -> String {
    if width(s) <= w {
        return s.to_string();
    }
    if w == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let cw = c.width().unwrap_or(0);
        if used + cw > w - 1 {
            break;
        }
        out.push(c);
        used += cw;
    }
    out.push('…');
    out
}

/// `s` fitted to `w` columns and padded with spaces on the right to exactly `w`.
pub fn pad(s: &str, w: usize) -> String {
    let mut out = fit(s, w);
    let used = width(&out);
    out.extend(std::iter::repeat_n(' ', w.saturating_sub(used)));
    out
}

/// `s` fitted to `w` columns and padded on the left to exactly `w` (numbers).
pub fn pad_left(s: &str, w: usize) -> String {
    let body = fit(s, w);
    let used = width(&body);
    let mut out: String = std::iter::repeat_n(' ', w.saturating_sub(used)).collect();
    out.push_str(&body);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::set_thread_lang;

    #[test]
    fn dates_follow_the_language() {
        let t = NaiveDate::from_ymd_opt(2026, 12, 3)
            .unwrap()
            .and_hms_opt(8, 0, 0)
            .unwrap();
        set_thread_lang(Lang::En);
        assert_eq!(datetime_short(t), "03 Dec 08:00");
        set_thread_lang(Lang::ZhCn);
        assert_eq!(datetime_short(t), "12-03 08:00");
        assert_eq!(datetime(t), "2026-12-03 08:00");
    }

    #[test]
    fn numbers_and_money_are_grouped() {
        assert_eq!(num(0), "0");
        assert_eq!(num(999), "999");
        assert_eq!(num(1000), "1,000");
        assert_eq!(num(-1234567), "-1,234,567");
        assert_eq!(money(123456), "1,234.56");
        assert_eq!(money(-5), "-0.05");
    }

    #[test]
    fn units_are_counted_as_the_reader_counts() {
        set_thread_lang(Lang::ZhCn);
        assert_eq!(unit("tablet"), "片");
        assert_eq!(unit("mL"), "mL");
        set_thread_lang(Lang::En);
        assert_eq!(unit("tablet"), "tablet");
    }

    #[test]
    fn chinese_text_is_measured_in_columns() {
        assert_eq!(width("批号"), 4);
        assert_eq!(fit("对乙酰氨基酚片", 7), "对乙酰…");
        assert_eq!(width(&pad("批号", 6)), 6);
        assert_eq!(pad_left("12", 4), "  12");
        assert_eq!(fit("abc", 0), "");
    }
}
