//! What a ward sets for itself: the reason lists nurses pick from when a
//! dose is held, refused, missed, partly given or given outside its window,
//! or given without its pack scanned, and the ward's administration times
//! per frequency.
//!
//! The hospital list (rows without a ward) applies everywhere; a ward adds
//! its own codes, relabels a hospital code, or withdraws one for itself.

use super::Actor;
use super::items::{Forbidden, allow};
use crate::domain::roles::Operation;
use crate::domain::schedule::Frequency;
use crate::store::Store;
use chrono::{DateTime, NaiveTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use strum::{AsRefStr, Display, EnumIter, EnumString, IntoEnumIterator};

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Display, EnumString, AsRefStr, EnumIter,
)]
#[strum(serialize_all = "snake_case", ascii_case_insensitive)]
#[serde(rename_all = "snake_case")]
pub enum ReasonKind {
    Held,
    Refused,
    Missed,
    Partial,
    Timing,
    /// Why the pack of a given dose could not be scanned.
    UnableToScan,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReasonCode {
    pub kind: ReasonKind,
    pub code: String,
    pub label: String,
    /// `false` for the hospital list, `true` for the ward's own code or label.
    pub ward_own: bool,
}

/// Why a ward setting or a reason is refused, with its facts.
#[derive(Debug)]
pub enum WardError {
    Forbidden(Forbidden),
    UnknownWard(String),
    /// "other:" with nothing after it.
    OtherTooShort(ReasonKind),
    /// No reason given; `codes` are the ward's list.
    ReasonRequired {
        kind: ReasonKind,
        codes: Vec<String>,
    },
    /// A reason not on the ward's list.
    NotOnList {
        input: String,
        kind: ReasonKind,
        codes: Vec<String>,
    },
    BadCode(String),
    /// OTHER is kept for free text.
    OtherReserved,
    LabelTooShort,
    NotListed {
        code: String,
        kind: ReasonKind,
    },
    LastReason {
        code: String,
        kind: ReasonKind,
    },
    Times(TimesError),
    Store(rusqlite::Error),
}

/// Times of day that do not fit a frequency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TimesError {
    /// PRN and STAT doses have no set times.
    NoSetTimes(Frequency),
    Count {
        freq: Frequency,
        count: usize,
        given: usize,
    },
    Spacing {
        freq: Frequency,
        hours: u32,
    },
}

impl std::error::Error for TimesError {}

impl std::error::Error for WardError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            WardError::Forbidden(e) => Some(e),
            WardError::Times(e) => Some(e),
            WardError::Store(e) => Some(e),
            _ => None,
        }
    }
}

impl From<rusqlite::Error> for WardError {
    fn from(e: rusqlite::Error) -> Self {
        WardError::Store(e)
    }
}

impl From<Forbidden> for WardError {
    fn from(e: Forbidden) -> Self {
        WardError::Forbidden(e)
    }
}

/// The ward id for a ward code (not the pharmacy or transit).
pub fn ward_id(conn: &Connection, code: &str) -> Result<i64, WardError> {
    conn.query_row(
        "SELECT id FROM places WHERE code = ?1 COLLATE NOCASE AND kind = 'ward'",
        [code.trim()],
        |r| r.get(0),
    )
    .optional()?
    .ok_or_else(|| WardError::UnknownWard(code.trim().to_string()))
}

/// The active reasons of one kind on a ward: the hospital list with the
/// ward's changes, ordered by code.
pub fn reasons(
    conn: &Connection,
    ward_id: i64,
    kind: ReasonKind,
) -> rusqlite::Result<Vec<ReasonCode>> {
    let mut stmt = conn.prepare_cached(
        "SELECT code, label, ward_id IS NOT NULL, active FROM reason_codes r
         WHERE kind = ?2 AND (ward_id = ?1 OR (ward_id IS NULL AND NOT EXISTS (
             SELECT 1 FROM reason_codes w WHERE w.ward_id = ?1 AND w.kind = r.kind AND w.code = r.code)))
         ORDER BY code",
    )?;
    let rows = stmt.query_map(params![ward_id, kind.as_ref()], |r| {
        Ok((
            ReasonCode {
                kind,
                code: r.get(0)?,
                label: r.get(1)?,
                ward_own: r.get(2)?,
            },
            r.get::<_, bool>(3)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (code, active) = row?;
        if active {
            out.push(code);
        }
    }
    Ok(out)
}

/// Every active reason of a ward, all kinds.
pub fn all_reasons(conn: &Connection, ward_id: i64) -> rusqlite::Result<Vec<ReasonCode>> {
    let mut out = Vec::new();
    for kind in ReasonKind::iter() {
        out.extend(reasons(conn, ward_id, kind)?);
    }
    Ok(out)
}

/// The text recorded for a reason the nurse gave: a code of the ward's list
/// (any case) becomes "CODE: label"; `other: …` records free text; anything
/// else is refused with the list to choose from.
pub fn resolve_reason(
    conn: &Connection,
    ward_id: i64,
    kind: ReasonKind,
    input: &str,
) -> Result<String, WardError> {
    let input = input.trim();
    if let Some(free) = input
        .strip_prefix("other:")
        .or_else(|| input.strip_prefix("OTHER:"))
        .or_else(|| input.strip_prefix("Other:"))
    {
        let free = free.trim();
        if free.len() < 3 {
            return Err(WardError::OtherTooShort(kind));
        }
        return Ok(format!("OTHER: {free}"));
    }
    let list = reasons(conn, ward_id, kind)?;
    if let Some(r) = list.iter().find(|r| r.code.eq_ignore_ascii_case(input)) {
        return Ok(format!("{}: {}", r.code, r.label));
    }
    // A reason already resolved (the console passes "CODE: label" back).
    if let Some(r) = list
        .iter()
        .find(|r| input.eq_ignore_ascii_case(&format!("{}: {}", r.code, r.label)))
    {
        return Ok(format!("{}: {}", r.code, r.label));
    }
    let codes = list.iter().map(|r| r.code.clone()).collect();
    Err(if input.is_empty() {
        WardError::ReasonRequired { kind, codes }
    } else {
        WardError::NotOnList {
            input: input.to_string(),
            kind,
            codes,
        }
    })
}

fn may_change(actor: &Actor) -> Result<(), WardError> {
    Ok(allow(actor, Operation::WardSettings)?)
}

fn clean_code(code: &str) -> Result<String, WardError> {
    let code = code.trim().to_ascii_uppercase();
    if code.is_empty()
        || code.len() > 16
        || !code
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
    {
        return Err(WardError::BadCode(code));
    }
    if code == "OTHER" {
        return Err(WardError::OtherReserved);
    }
    Ok(code)
}

/// Adds a code to a ward's list, or relabels one (its own or the hospital's) for the ward.
pub fn add_reason(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    ward_code: &str,
    kind: ReasonKind,
    code: &str,
    label: &str,
) -> Result<ReasonCode, WardError> {
    may_change(actor)?;
    let code = clean_code(code)?;
    let label = label.trim();
    if label.len() < 3 {
        return Err(WardError::LabelTooShort);
    }
    store.write(|tx| {
        let ward = ward_id(tx, ward_code)?;
        tx.execute(
            "INSERT INTO reason_codes (ward_id, kind, code, label, active, changed_by, changed_at) VALUES (?1, ?2, ?3, ?4, 1, ?5, ?6)
             ON CONFLICT (COALESCE(ward_id, 0), kind, code) DO UPDATE SET label = excluded.label, active = 1,
                 changed_by = excluded.changed_by, changed_at = excluded.changed_at",
            params![ward, kind.as_ref(), code, label, actor.user_id, crate::domain::instant_to_text(now)],
        )?;
        Ok(ReasonCode {
            kind,
            code,
            label: label.to_string(),
            ward_own: true,
        })
    })
}

/// Withdraws a code from a ward's list (the hospital list elsewhere is untouched).
pub fn remove_reason(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    ward_code: &str,
    kind: ReasonKind,
    code: &str,
) -> Result<(), WardError> {
    may_change(actor)?;
    let code = code.trim().to_ascii_uppercase();
    store.write(|tx| {
        let ward = ward_id(tx, ward_code)?;
        let list = reasons(tx, ward, kind)?;
        let Some(found) = list.iter().find(|r| r.code == code) else {
            return Err(WardError::NotListed { code, kind });
        };
        if list.len() == 1 {
            return Err(WardError::LastReason { code, kind });
        }
        tx.execute(
            "INSERT INTO reason_codes (ward_id, kind, code, label, active, changed_by, changed_at) VALUES (?1, ?2, ?3, ?4, 0, ?5, ?6)
             ON CONFLICT (COALESCE(ward_id, 0), kind, code) DO UPDATE SET active = 0,
                 changed_by = excluded.changed_by, changed_at = excluded.changed_at",
            params![ward, kind.as_ref(), code, found.label, actor.user_id, crate::domain::instant_to_text(now)],
        )?;
        Ok(())
    })
}

/// How many times a day a frequency has, and their spacing in hours when fixed.
fn shape(freq: Frequency) -> Option<(usize, Option<u32>)> {
    match freq {
        Frequency::Once | Frequency::Qd | Frequency::Weekly => Some((1, None)),
        Frequency::Bid => Some((2, None)),
        Frequency::Tid => Some((3, None)),
        Frequency::Qid => Some((4, None)),
        Frequency::Q4h => Some((6, Some(4))),
        Frequency::Q6h => Some((4, Some(6))),
        Frequency::Q8h => Some((3, Some(8))),
        Frequency::Q12h => Some((2, Some(12))),
        Frequency::Stat | Frequency::Prn => None,
    }
}

/// Checks a list of times for a frequency: the right count, no repeats,
/// and an exact spacing for the "every N hours" frequencies.
pub fn check_times(freq: Frequency, times: &[NaiveTime]) -> Result<Vec<NaiveTime>, TimesError> {
    let Some((count, every)) = shape(freq) else {
        return Err(TimesError::NoSetTimes(freq));
    };
    let mut t = times.to_vec();
    t.sort();
    t.dedup();
    if t.len() != count || times.len() != count {
        return Err(TimesError::Count {
            freq,
            count,
            given: times.len(),
        });
    }
    if let Some(h) = every {
        let step = chrono::Duration::hours(i64::from(h));
        for pair in t.windows(2) {
            if pair[1] - pair[0] != step {
                return Err(TimesError::Spacing { freq, hours: h });
            }
        }
    }
    Ok(t)
}

/// A ward's times for a frequency: its own, else the hospital defaults.
pub fn ward_times(
    conn: &Connection,
    ward_id: i64,
    freq: Frequency,
) -> rusqlite::Result<Vec<NaiveTime>> {
    let own: Option<String> = conn
        .query_row(
            "SELECT times FROM ward_times WHERE ward_id = ?1 AND frequency = ?2",
            params![ward_id, freq.as_ref()],
            |r| r.get(0),
        )
        .optional()?;
    let parsed = own.map(|s| {
        s.split(',')
            .filter_map(|t| NaiveTime::parse_from_str(t.trim(), "%H:%M").ok())
            .collect::<Vec<_>>()
    });
    Ok(parsed
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| freq.default_times()))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WardTimes {
    pub frequency: Frequency,
    pub times: Vec<String>,
    /// `true` when the ward set them, `false` for the hospital default.
    pub ward_own: bool,
}

/// Every frequency's times on a ward.
pub fn all_ward_times(conn: &Connection, ward_id: i64) -> rusqlite::Result<Vec<WardTimes>> {
    let mut out = Vec::new();
    for freq in Frequency::iter().filter(|f| shape(*f).is_some()) {
        let own: bool = conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM ward_times WHERE ward_id = ?1 AND frequency = ?2)",
            params![ward_id, freq.as_ref()],
            |r| r.get(0),
        )?;
        out.push(WardTimes {
            frequency: freq,
            times: ward_times(conn, ward_id, freq)?
                .iter()
                .map(|t| t.format("%H:%M").to_string())
                .collect(),
            ward_own: own,
        });
    }
    Ok(out)
}

/// Sets a ward's times for a frequency; prescriptions entered afterwards
/// take them (prescriptions already entered keep theirs).
pub fn set_times(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    ward_code: &str,
    freq: Frequency,
    times: &[NaiveTime],
) -> Result<Vec<NaiveTime>, WardError> {
    may_change(actor)?;
    let times = check_times(freq, times).map_err(WardError::Times)?;
    let text = times
        .iter()
        .map(|t| t.format("%H:%M").to_string())
        .collect::<Vec<_>>()
        .join(",");
    store.write(|tx| {
        let ward = ward_id(tx, ward_code)?;
        tx.execute(
            "INSERT INTO ward_times (ward_id, frequency, times, changed_by, changed_at) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (ward_id, frequency) DO UPDATE SET times = excluded.times,
                 changed_by = excluded.changed_by, changed_at = excluded.changed_at",
            params![ward, freq.as_ref(), text, actor.user_id, crate::domain::instant_to_text(now)],
        )?;
        Ok(times)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> NaiveTime {
        NaiveTime::parse_from_str(s, "%H:%M").unwrap()
    }

    #[test]
    fn times_are_checked_against_the_frequency() {
        assert_eq!(
            check_times(Frequency::Bid, &[t("21:00"), t("09:00")]).unwrap(),
            vec![t("09:00"), t("21:00")]
        );
        assert_eq!(
            check_times(Frequency::Bid, &[t("09:00")]),
            Err(TimesError::Count {
                freq: Frequency::Bid,
                count: 2,
                given: 1
            })
        );
        assert!(matches!(
            check_times(Frequency::Bid, &[t("09:00"), t("09:00")]),
            Err(TimesError::Count { given: 2, .. })
        ));
        assert!(check_times(Frequency::Q8h, &[t("06:00"), t("14:00"), t("22:00")]).is_ok());
        assert_eq!(
            check_times(Frequency::Q8h, &[t("06:00"), t("14:00"), t("21:00")]),
            Err(TimesError::Spacing {
                freq: Frequency::Q8h,
                hours: 8
            })
        );
        assert_eq!(
            check_times(Frequency::Prn, &[t("06:00")]),
            Err(TimesError::NoSetTimes(Frequency::Prn))
        );
    }
}
