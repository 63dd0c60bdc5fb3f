//! Bedside compliance per ward (or per ward and nurse): scheduled doses
//! given on time, early or late against the eMAR's own window
//! ([`schedule::window`]: the half-width around the scheduled time, both
//! ends included, as [`schedule::dose_status`] counts a dose due), doses
//! missed, doses whose pack or wristband was not scanned (the pack counts
//! are the scanning report's, [`crate::ops::mar::scanning_report`]), and
//! every override with its reason.
//!
//! Doses given and documented are counted by when they were recorded (as
//! the scanning report counts them); a dose wardstock marked missed and no
//! nurse documented since, by its scheduled time.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use rusqlite::{Connection, params};
use serde::Serialize;

use crate::domain::schedule::{self, Frequency};
use crate::domain::types::{instant_from_text, instant_to_text};

/// When a scheduled dose was given against its window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Timing {
    Early,
    OnTime,
    Late,
}

/// A dose given at `given` for `scheduled` with the window's half-width
/// `half`: on time inside `scheduled ± half` (both ends included, the span
/// in which the eMAR shows it due), early before, late after.
pub fn timing(scheduled: DateTime<Utc>, given: DateTime<Utc>, half: Duration) -> Timing {
    if given < scheduled - half {
        Timing::Early
    } else if given > scheduled + half {
        Timing::Late
    } else {
        Timing::OnTime
    }
}

/// What the nurse overrode at the bedside, with a reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OverrideKind {
    /// Given outside its window.
    Timing,
    /// The pack given without being scanned ("unable to scan").
    PackNotScanned,
    /// The patient identified by name and date of birth, no wristband scan.
    NoWristband,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Override {
    pub at: DateTime<Utc>,
    pub ward: String,
    pub nurse: String,
    pub patient: String,
    pub item: String,
    pub kind: OverrideKind,
    /// The reason recorded (`None`: recorded before a reason was asked).
    pub reason: Option<String>,
    pub scheduled: Option<DateTime<Utc>>,
    /// Minutes from the scheduled time (negative: early).
    pub minutes_off: Option<i64>,
}

/// One ward's (or one nurse's on a ward) doses over the period.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ComplianceRow {
    pub ward: String,
    /// The nurse's user name with `--by nurse`; `None` on a ward's row or
    /// for doses marked missed by wardstock and not documented.
    pub nurse: Option<String>,
    /// Doses given (fully or partly), scheduled and PRN.
    pub given: i64,
    pub on_time: i64,
    pub early: i64,
    pub late: i64,
    /// Given as needed: no scheduled time to be on time for.
    pub prn: i64,
    pub missed: i64,
    /// Held, refused or not given for lack of supply (documented).
    pub not_given: i64,
    /// Given with the pack not scanned (the scanning report's count).
    pub pack_not_scanned: i64,
    /// Given with the patient identified without a wristband scan.
    pub wristband_not_scanned: i64,
    pub overrides: i64,
    /// On time of the scheduled doses due (on time, early, late, missed).
    pub on_time_share: Option<f64>,
}

impl ComplianceRow {
    fn new(ward: &str, nurse: Option<&str>) -> Self {
        ComplianceRow {
            ward: ward.to_string(),
            nurse: nurse.map(str::to_string),
            ..Self::default()
        }
    }

    fn add(&mut self, o: &ComplianceRow) {
        self.given += o.given;
        self.on_time += o.on_time;
        self.early += o.early;
        self.late += o.late;
        self.prn += o.prn;
        self.missed += o.missed;
        self.not_given += o.not_given;
        self.pack_not_scanned += o.pack_not_scanned;
        self.wristband_not_scanned += o.wristband_not_scanned;
        self.overrides += o.overrides;
    }

    fn finish(&mut self) {
        let due = self.on_time + self.early + self.late + self.missed;
        self.on_time_share = (due > 0).then(|| self.on_time as f64 / due as f64);
    }
}

/// The compliance report.
#[derive(Debug, Clone, Serialize)]
pub struct ComplianceReport {
    /// The ward asked for (`None`: every ward).
    pub ward: Option<String>,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub by_nurse: bool,
    pub rows: Vec<ComplianceRow>,
    pub total: ComplianceRow,
    pub overrides: Vec<Override>,
}

/// How `ops::mar::administer` writes the notes of a dose: the timing
/// reason after "timing ", and this when the patient was identified by
/// name and date of birth.
const TIMING_NOTE: &str = "timing ";
const NO_WRISTBAND_NOTE: &str = "(no wristband scan)";

/// The timing reason and whether the wristband was not scanned, read from
/// a dose's note.
fn read_note(note: Option<&str>) -> (Option<String>, bool) {
    let Some(note) = note else {
        return (None, false);
    };
    let mut timing = None;
    let mut no_wristband = false;
    for part in note.split("; ") {
        if let Some(t) = part.strip_prefix(TIMING_NOTE) {
            timing = Some(t.to_string());
        } else if part.contains(NO_WRISTBAND_NOTE) {
            no_wristband = true;
        }
    }
    (timing, no_wristband)
}

/// Bedside compliance from `from` (included) to `to` (excluded), on one
/// ward (by id) or all, per ward or per ward and nurse.
pub fn compliance_report(
    conn: &Connection,
    ward: Option<i64>,
    by_nurse: bool,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> rusqlite::Result<ComplianceReport> {
    let (from_t, to_t) = (instant_to_text(from), instant_to_text(to));
    let mut rows: BTreeMap<(String, Option<String>), ComplianceRow> = BTreeMap::new();
    let key = |w: &str, nurse: Option<&str>| {
        (
            w.to_string(),
            if by_nurse {
                nurse.map(str::to_string)
            } else {
                None
            },
        )
    };
    let mut overrides = Vec::new();

    // Every dose recorded in the period; a given dose on the ward its stock
    // left (as the scanning report places it), the others on the patient's.
    let mut st = conn.prepare(
        "SELECT w.code, u.username, a.outcome, a.scheduled_at, a.recorded_at, r.frequency, r.time_critical,
                a.reason, a.scanned, a.unscanned_reason, p.mrn, i.code
         FROM administrations a
         JOIN users u ON u.id = a.user_id
         JOIN prescriptions r ON r.id = a.prescription_id
         JOIN patients p ON p.id = r.patient_id
         LEFT JOIN movements m ON m.id = a.movement_id
         LEFT JOIN open_packs o ON o.id = a.open_pack_id
         JOIN items i ON i.id = COALESCE(m.item_id, o.item_id, r.item_id)
         JOIN places w ON w.id = COALESCE(m.from_place_id, o.place_id, p.ward_id)
         WHERE a.recorded_at >= ?1 AND a.recorded_at < ?2 AND (?3 IS NULL OR w.id = ?3)
         ORDER BY a.recorded_at, a.id",
    )?;
    let doses = st.query_map(params![from_t, to_t, ward], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, Option<String>>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, String>(5)?,
            r.get::<_, bool>(6)?,
            r.get::<_, Option<String>>(7)?,
            r.get::<_, bool>(8)?,
            r.get::<_, Option<String>>(9)?,
            r.get::<_, String>(10)?,
            r.get::<_, String>(11)?,
        ))
    })?;
    for d in doses {
        let (
            w,
            nurse,
            outcome,
            scheduled,
            recorded,
            freq,
            critical,
            note,
            scanned,
            unscanned,
            mrn,
            item,
        ) = d?;
        let row = rows
            .entry(key(&w, Some(&nurse)))
            .or_insert_with_key(|k| ComplianceRow::new(&k.0, k.1.as_deref()));
        let Some(at) = instant_from_text(&recorded) else {
            continue;
        };
        let scheduled = scheduled.as_deref().and_then(instant_from_text);
        match outcome.as_str() {
            "given" | "partially_given" => {}
            "missed" => {
                row.missed += 1;
                continue;
            }
            _ => {
                row.not_given += 1;
                continue;
            }
        }
        row.given += 1;
        let freq = freq.parse::<Frequency>().ok();
        let mut minutes_off = None;
        match (scheduled, freq) {
            (Some(s), Some(f)) if f != Frequency::Prn => {
                minutes_off = Some((at - s).num_minutes());
                match timing(s, at, schedule::window(f, critical)) {
                    Timing::Early => row.early += 1,
                    Timing::OnTime => row.on_time += 1,
                    Timing::Late => row.late += 1,
                }
            }
            _ => row.prn += 1,
        }
        let (timing_reason, no_wristband) = read_note(note.as_deref());
        let mut push = |kind, reason: Option<String>| {
            row.overrides += 1;
            overrides.push(Override {
                at,
                ward: w.clone(),
                nurse: nurse.clone(),
                patient: mrn.clone(),
                item: item.clone(),
                kind,
                reason,
                scheduled,
                minutes_off,
            });
        };
        if let Some(t) = timing_reason {
            push(OverrideKind::Timing, Some(t));
        }
        if !scanned {
            push(OverrideKind::PackNotScanned, unscanned);
        }
        if no_wristband {
            row.wristband_not_scanned += 1;
            push(OverrideKind::NoWristband, None);
        }
    }

    // Doses wardstock marked missed that no nurse has documented since.
    let mut st = conn.prepare(
        "SELECT w.code FROM missed_doses d
         JOIN prescriptions r ON r.id = d.prescription_id
         JOIN patients p ON p.id = r.patient_id JOIN places w ON w.id = p.ward_id
         WHERE d.scheduled_at >= ?1 AND d.scheduled_at < ?2 AND (?3 IS NULL OR w.id = ?3)
           AND NOT EXISTS (SELECT 1 FROM administrations a
                           WHERE a.prescription_id = d.prescription_id AND a.scheduled_at = d.scheduled_at)",
    )?;
    for w in st.query_map(params![from_t, to_t, ward], |r| r.get::<_, String>(0))? {
        let w = w?;
        rows.entry(key(&w, None))
            .or_insert_with_key(|k| ComplianceRow::new(&k.0, k.1.as_deref()))
            .missed += 1;
    }

    // Unscanned packs: the scanning report's own counts.
    let scanning = crate::ops::mar::scanning_report(conn, ward, from, to)?;
    let lines = if by_nurse {
        &scanning.lines
    } else {
        &scanning.wards
    };
    for l in lines {
        rows.entry(key(&l.ward, l.nurse.as_deref()))
            .or_insert_with_key(|k| ComplianceRow::new(&k.0, k.1.as_deref()))
            .pack_not_scanned = l.unscanned;
    }

    let mut rows: Vec<ComplianceRow> = rows.into_values().collect();
    let mut total = ComplianceRow::default();
    for r in &mut rows {
        r.finish();
        total.add(r);
    }
    total.finish();
    let ward = match ward {
        Some(id) => {
            Some(conn.query_row("SELECT code FROM places WHERE id = ?1", [id], |r| r.get(0))?)
        }
        None => None,
    };
    Ok(ComplianceReport {
        ward,
        from,
        to,
        by_nurse,
        rows,
        total,
        overrides,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_edges_are_on_time_and_a_minute_beyond_is_not() {
        let s = DateTime::parse_from_rfc3339("2026-12-01T08:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let w = schedule::window(Frequency::Bid, false);
        assert_eq!(timing(s, s + w, w), Timing::OnTime);
        assert_eq!(timing(s, s - w, w), Timing::OnTime);
        assert_eq!(timing(s, s + w + Duration::minutes(1), w), Timing::Late);
        assert_eq!(timing(s, s - w - Duration::minutes(1), w), Timing::Early);
        // The eMAR shows the dose due at the same edges.
        assert_eq!(
            schedule::dose_status(s, w, false, s + w),
            schedule::DoseStatus::Due
        );
        assert_eq!(
            schedule::dose_status(s, w, false, s + w + Duration::minutes(1)),
            schedule::DoseStatus::Late
        );
    }

    #[test]
    fn the_note_of_a_dose_gives_its_timing_reason_and_the_wristband() {
        assert_eq!(read_note(None), (None, false));
        assert_eq!(
            read_note(Some("timing MEAL: timed with a meal")),
            (Some("MEAL: timed with a meal".into()), false)
        );
        assert_eq!(
            read_note(Some(
                "VOMITED: vomited part of the dose; timing OTHER: late round; patient identified by name and date of birth (no wristband scan)"
            )),
            (Some("OTHER: late round".into()), true)
        );
    }
}
