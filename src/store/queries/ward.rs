//! A ward's prescriptions and administration schedule: doses due and
//! recorded, PRN limits, open multi-dose packs, units that make a dose.

use super::*;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrescriptionLine {
    pub id: i64,
    pub patient_id: i64,
    pub mrn: String,
    pub patient: String,
    pub bed: Option<String>,
    pub item_id: i64,
    pub item: String,
    pub dose_milli: i64,
    pub dose_unit: String,
    pub route: String,
    pub frequency: String,
    pub times: String,
    pub start_at: Option<DateTime<Utc>>,
    pub end_at: Option<DateTime<Utc>>,
    pub indication: String,
    pub prescriber: String,
    pub time_critical: bool,
    pub status: String,
    pub high_alert: bool,
    pub controlled: bool,
}

impl PrescriptionLine {
    /// The dose as written: "500 mg".
    pub fn dose_text(&self) -> String {
        format!(
            "{} {}",
            crate::domain::milli_text(self.dose_milli),
            self.dose_unit
        )
    }
}

/// Current prescriptions of the patients of a ward (not superseded).
pub fn prescriptions_for_ward(
    conn: &Connection,
    ward_id: i64,
) -> rusqlite::Result<Vec<PrescriptionLine>> {
    prescription_lines(conn, Some(ward_id), None, false)
}

/// The prescriptions of a ward's patients, or of one patient wherever they
/// are (a discharged patient has no ward); with `superseded`, also the
/// versions that were replaced (their doses before the change stay on the
/// schedule).
pub(super) fn prescription_lines(
    conn: &Connection,
    ward_id: Option<i64>,
    patient_id: Option<i64>,
    superseded: bool,
) -> rusqlite::Result<Vec<PrescriptionLine>> {
    let mut stmt = conn.prepare_cached(
        "SELECT r.id, pa.id, pa.mrn, pa.name, pa.bed, i.id, i.name, r.dose_milli, r.dose_unit, r.route, r.frequency, r.times,
                r.start_at, r.end_at, r.indication, r.prescriber, r.time_critical, r.status, i.high_alert, i.controlled
         FROM prescriptions r JOIN patients pa ON pa.id = r.patient_id JOIN items i ON i.id = r.item_id
         WHERE (?1 IS NULL OR pa.ward_id = ?1) AND (?3 IS NULL OR pa.id = ?3) AND (?2 OR r.status <> 'superseded')
         ORDER BY pa.bed, pa.name, r.status <> 'awaiting_validation', r.status <> 'active', i.name",
    )?;
    stmt.query_map(params![ward_id, superseded, patient_id], |r| {
        Ok(PrescriptionLine {
            id: r.get(0)?,
            patient_id: r.get(1)?,
            mrn: r.get(2)?,
            patient: r.get(3)?,
            bed: r.get(4)?,
            item_id: r.get(5)?,
            item: r.get(6)?,
            dose_milli: r.get(7)?,
            dose_unit: r.get(8)?,
            route: r.get(9)?,
            frequency: r.get(10)?,
            times: r.get(11)?,
            start_at: instant_from_text(&r.get::<_, String>(12)?),
            end_at: r
                .get::<_, Option<String>>(13)?
                .as_deref()
                .and_then(instant_from_text),
            indication: r.get(14)?,
            prescriber: r.get(15)?,
            time_critical: r.get(16)?,
            status: r.get(17)?,
            high_alert: r.get(18)?,
            controlled: r.get(19)?,
        })
    })?
    .collect()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordedDose {
    pub prescription_id: i64,
    pub scheduled_at: Option<DateTime<Utc>>,
    pub recorded_at: Option<DateTime<Utc>>,
    pub outcome: String,
    pub user: String,
    pub lot_number: Option<String>,
}

/// Doses recorded on a ward with a scheduled time in `[from, to)`, or recorded then (PRN).
pub fn recorded_doses(
    conn: &Connection,
    ward_id: i64,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> rusqlite::Result<Vec<RecordedDose>> {
    let (f, t) = (
        crate::domain::instant_to_text(from),
        crate::domain::instant_to_text(to),
    );
    let mut stmt = conn.prepare_cached(
        "SELECT a.prescription_id, a.scheduled_at, a.recorded_at, a.outcome, u.username, l.lot_number
         FROM administrations a JOIN prescriptions r ON r.id = a.prescription_id JOIN patients pa ON pa.id = r.patient_id
         JOIN users u ON u.id = a.user_id LEFT JOIN lots l ON l.id = a.lot_id
         WHERE pa.ward_id = ?1 AND COALESCE(a.scheduled_at, a.recorded_at) >= ?2 AND COALESCE(a.scheduled_at, a.recorded_at) < ?3",
    )?;
    stmt.query_map(params![ward_id, f, t], |r| {
        Ok(RecordedDose {
            prescription_id: r.get(0)?,
            scheduled_at: r
                .get::<_, Option<String>>(1)?
                .as_deref()
                .and_then(instant_from_text),
            recorded_at: instant_from_text(&r.get::<_, String>(2)?),
            outcome: r.get(3)?,
            user: r.get(4)?,
            lot_number: r.get(5)?,
        })
    })?
    .collect()
}

/// One scheduled dose of a ward's administration schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DoseRow {
    pub prescription_id: i64,
    pub at: DateTime<Utc>,
    /// Half-width of the timing window (ISMP), in minutes.
    pub window_minutes: i64,
    pub recorded: bool,
    pub outcome: Option<String>,
    pub bed: String,
    pub mrn: String,
    pub patient: String,
    pub item: String,
    pub dose: String,
    pub route: String,
    pub by: Option<String>,
    /// CD (controlled: witness), HA (high-alert: double check), TC (time-critical).
    pub flags: String,
    /// wardstock marked the dose missed when its window closed; a nurse has
    /// not yet documented the reason.
    pub auto_missed: bool,
}

impl DoseRow {
    pub fn window(&self) -> chrono::Duration {
        chrono::Duration::minutes(self.window_minutes)
    }

    /// Where the dose stands at `now`: the schedule turns due, late and
    /// missed as the clock runs.
    pub fn status(&self, now: DateTime<Utc>) -> crate::domain::schedule::DoseStatus {
        crate::domain::schedule::dose_status(self.at, self.window(), self.recorded, now)
    }
}

/// The scheduled doses of a ward's active (and completed) prescriptions in
/// `[from, to)`, with what is recorded of them, by time; and the PRN
/// prescriptions that may be given when needed.
pub fn schedule(
    conn: &Connection,
    ward_id: i64,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> rusqlite::Result<(Vec<DoseRow>, Vec<PrescriptionLine>)> {
    use crate::domain::schedule::{self as sched, Frequency};
    let zone = site_zone(conn)?;
    let lines = prescription_lines(conn, Some(ward_id), None, true)?;
    let recorded = recorded_doses(conn, ward_id, from, to)?;
    let recorded: HashMap<(i64, DateTime<Utc>), &RecordedDose> = recorded
        .iter()
        .filter_map(|r| Some(((r.prescription_id, r.scheduled_at?), r)))
        .collect();
    // Which version each changed prescription replaced: a dose recorded
    // under an earlier version counts for the later one.
    let mut stmt = conn.prepare_cached(
        "SELECT r.id, r.supersedes_id FROM prescriptions r JOIN patients p ON p.id = r.patient_id
         WHERE p.ward_id = ?1 AND r.supersedes_id IS NOT NULL",
    )?;
    let replaced: HashMap<i64, i64> = stmt
        .query_map([ward_id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let find = |id: i64, at: DateTime<Utc>| -> Option<&RecordedDose> {
        let mut id = Some(id);
        for _ in 0..64 {
            let here = id?;
            if let Some(r) = recorded.get(&(here, at)) {
                return Some(*r);
            }
            id = replaced.get(&here).copied();
        }
        None
    };
    // Suspended spells: no dose is due while a prescription is suspended.
    let mut stmt = conn.prepare_cached(
        "SELECT e.prescription_id, e.at, e.action FROM prescription_events e JOIN prescriptions r ON r.id = e.prescription_id
         JOIN patients p ON p.id = r.patient_id
         WHERE p.ward_id = ?1 AND e.action IN ('suspended', 'resumed') ORDER BY e.prescription_id, e.at, e.id",
    )?;
    // From, and until (None: still suspended).
    type Spell = (DateTime<Utc>, Option<DateTime<Utc>>);
    let mut suspended: HashMap<i64, Vec<Spell>> = HashMap::new();
    let events = stmt.query_map([ward_id], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
        ))
    })?;
    for e in events {
        let (rx, at, action) = e?;
        let Some(at) = instant_from_text(&at) else {
            continue;
        };
        let spells = suspended.entry(rx).or_default();
        if action == "suspended" {
            spells.push((at, None));
        } else if let Some(last) = spells.last_mut().filter(|s| s.1.is_none()) {
            last.1 = Some(at);
        }
    }
    let in_spell = |rx: i64, at: DateTime<Utc>| {
        suspended
            .get(&rx)
            .is_some_and(|v| v.iter().any(|(a, b)| at >= *a && b.is_none_or(|b| at < b)))
    };
    let mut stmt = conn.prepare_cached(
        "SELECT m.prescription_id, m.scheduled_at FROM missed_doses m JOIN prescriptions r ON r.id = m.prescription_id
         JOIN patients p ON p.id = r.patient_id WHERE p.ward_id = ?1 AND m.scheduled_at >= ?2 AND m.scheduled_at < ?3",
    )?;
    let auto_missed: std::collections::HashSet<(i64, DateTime<Utc>)> = stmt
        .query_map(
            params![
                ward_id,
                crate::domain::instant_to_text(from),
                crate::domain::instant_to_text(to)
            ],
            |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)),
        )?
        .filter_map(|r| {
            r.ok()
                .and_then(|(id, t)| Some((id, instant_from_text(&t)?)))
        })
        .collect();
    let mut rows = Vec::new();
    let mut prn = Vec::new();
    for l in &lines {
        // Doses are due while a prescription runs; those of a stopped,
        // suspended or replaced one stay up to when it ended.
        if !matches!(
            l.status.as_str(),
            "active" | "completed" | "stopped" | "suspended" | "superseded"
        ) {
            continue;
        }
        let Ok(freq) = l.frequency.parse::<Frequency>() else {
            continue;
        };
        let Some(start) = l.start_at else { continue };
        if freq == Frequency::Prn {
            if l.status == "active" && start < to && l.end_at.is_none_or(|e| e > from) {
                prn.push(l.clone());
            }
            continue;
        }
        let times: Vec<chrono::NaiveTime> = l
            .times
            .split(',')
            .filter_map(|t| chrono::NaiveTime::parse_from_str(t.trim(), "%H:%M").ok())
            .collect();
        let times = if times.is_empty() {
            freq.default_times()
        } else {
            times
        };
        let half = sched::window(freq, l.time_critical);
        for at in sched::expand(&zone, freq, &times, start, l.end_at, from, to) {
            let rec = find(l.id, at);
            // Not due while suspended; a stopped prescription with no
            // recorded end shows only what was recorded.
            if rec.is_none()
                && (in_spell(l.id, at) || (l.status == "stopped" && l.end_at.is_none()))
            {
                continue;
            }
            // Controlled first: it needs a witness, the most to prepare.
            let flags = [
                (l.controlled, "CD"),
                (l.high_alert, "HA"),
                (l.time_critical, "TC"),
            ]
            .iter()
            .filter(|(on, _)| *on)
            .map(|(_, f)| *f)
            .collect::<Vec<_>>()
            .join(" ");
            rows.push(DoseRow {
                prescription_id: l.id,
                at,
                window_minutes: half.num_minutes(),
                recorded: rec.is_some(),
                outcome: rec.map(|r| r.outcome.replace('_', " ")),
                bed: l.bed.clone().unwrap_or_default(),
                mrn: l.mrn.clone(),
                patient: l.patient.clone(),
                item: l.item.clone(),
                dose: l.dose_text(),
                route: l.route.clone(),
                by: rec.map(|r| r.user.clone()),
                flags,
                auto_missed: rec.is_none() && auto_missed.contains(&(l.id, at)),
            });
        }
    }
    rows.sort_by(|a, b| (a.at, &a.bed, &a.item).cmp(&(b.at, &b.bed, &b.item)));
    Ok((rows, prn))
}

/// The default preferred product of a generic prescription: of the ATC
/// code, a form that suits the route, held on the patient's ward if one is,
/// then by code.
pub fn first_item_of_atc(
    conn: &Connection,
    atc: &str,
    route: &str,
    mrn: &str,
) -> rusqlite::Result<Option<String>> {
    let mut stmt = conn.prepare(
        "SELECT i.code, i.form FROM items i WHERE i.atc = ?1
         ORDER BY NOT EXISTS (SELECT 1 FROM balances b JOIN patients p ON p.ward_id = b.place_id
                              WHERE p.mrn = ?2 AND b.item_id = i.id AND b.status = 'ok'), i.code",
    )?;
    let rows = stmt.query_map(params![atc.trim().to_ascii_uppercase(), mrn], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
    })?;
    for row in rows {
        let (code, form) = row?;
        if crate::domain::form_fits_route(&form, route) {
            return Ok(Some(code));
        }
    }
    Ok(None)
}

/// Where a PRN prescription stands: doses given in the last 24 h against
/// its maximum, and the earliest time the next may be given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrnState {
    pub given_24h: i64,
    pub max_24h: Option<i64>,
    pub last_given: Option<DateTime<Utc>>,
    /// `None`: may be given now.
    pub next_allowed: Option<DateTime<Utc>>,
}

/// A prescription and the versions it replaced, as SQL: `… IN (SELECT id FROM chain)`.
/// Doses given under an earlier version count for the current one.
pub const RX_CHAIN: &str = "WITH RECURSIVE chain(id) AS (
        SELECT ?1 UNION SELECT p.supersedes_id FROM prescriptions p JOIN chain c ON p.id = c.id WHERE p.supersedes_id IS NOT NULL)";

pub fn prn_state(conn: &Connection, rx_id: i64, now: DateTime<Utc>) -> rusqlite::Result<PrnState> {
    let (max, interval): (Option<i64>, Option<i64>) = conn.query_row(
        "SELECT prn_max_per_day, prn_min_interval_min FROM prescriptions WHERE id = ?1",
        [rx_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let mut stmt = conn.prepare_cached(&format!(
        "{RX_CHAIN} SELECT recorded_at FROM administrations WHERE prescription_id IN (SELECT id FROM chain)
         AND outcome IN ('given', 'partially_given') AND recorded_at > ?2 ORDER BY recorded_at"
    ))?;
    let given: Vec<DateTime<Utc>> = stmt
        .query_map(
            params![
                rx_id,
                crate::domain::instant_to_text(now - chrono::Duration::hours(24))
            ],
            |r| r.get::<_, String>(0),
        )?
        .filter_map(|t| t.ok().as_deref().and_then(instant_from_text))
        .collect();
    let mut next = None;
    if let (Some(m), Some(first)) = (max, given.first())
        && given.len() as i64 >= m
    {
        next = Some(*first + chrono::Duration::hours(24));
    }
    if let (Some(i), Some(last)) = (interval, given.last()) {
        let t = *last + chrono::Duration::minutes(i);
        if t > now {
            next = Some(next.map_or(t, |n: DateTime<Utc>| n.max(t)));
        }
    }
    Ok(PrnState {
        given_24h: given.len() as i64,
        max_24h: max,
        last_given: given.last().copied(),
        next_allowed: next,
    })
}

/// A multi-dose pack opened on a ward and not yet closed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OpenPack {
    pub id: i64,
    pub item: String,
    pub lot: String,
    pub opened_at: DateTime<Utc>,
    pub opened_by: String,
    /// The patient a per-patient pack (pen, eye drops) is kept for.
    pub patient: Option<String>,
    pub remaining_milli: i64,
    pub unit: String,
    pub discard_at: DateTime<Utc>,
    /// In use, or why it must be discarded now.
    pub state: PackState,
}

pub fn open_packs(
    conn: &Connection,
    ward_id: i64,
    now: DateTime<Utc>,
) -> rusqlite::Result<Vec<OpenPack>> {
    let mut stmt = conn.prepare_cached(
        "SELECT o.id, i.name, l.lot_number, o.opened_at, u.username,
                pl.remaining_milli,
                COALESCE(i.strength_unit, i.dose_unit), o.discard_at, l.status, pa.name || ' (' || pa.mrn || ')'
         FROM open_packs o JOIN open_pack_left pl ON pl.open_pack_id = o.id JOIN items i ON i.id = o.item_id
         JOIN lots l ON l.id = o.lot_id JOIN users u ON u.id = o.opened_by
         LEFT JOIN patients pa ON pa.id = o.patient_id
         WHERE o.place_id = ?1 AND o.closed_at IS NULL ORDER BY i.name, o.opened_at",
    )?;
    stmt.query_map([ward_id], |r| {
        let discard_at = instant_from_text(&r.get::<_, String>(7)?).unwrap_or(now);
        let status: String = r.get(8)?;
        Ok(OpenPack {
            id: r.get(0)?,
            item: r.get(1)?,
            lot: r.get(2)?,
            opened_at: instant_from_text(&r.get::<_, String>(3)?).unwrap_or(now),
            opened_by: r.get(4)?,
            patient: r.get(9)?,
            remaining_milli: r.get(5)?,
            unit: r.get(6)?,
            discard_at,
            state: if discard_at <= now {
                PackState::PeriodOver
            } else if status != "ok" {
                PackState::LotHeld(status)
            } else {
                PackState::InUse
            },
        })
    })?
    .collect()
}

/// Whether an open multi-dose pack may still be used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PackState {
    InUse,
    /// Its in-use period is over: discard what is left.
    PeriodOver,
    /// Its lot is held (the lot's status): discard what is left.
    LotHeld(String),
}

/// Stock units of `item` that make one dose of a prescription (rounded up);
/// `Some(0)` for a multi-dose pack, whose dose is drawn from the open pack.
pub fn units_for_dose(conn: &Connection, rx_id: i64, item: i64) -> Option<i64> {
    conn.query_row(
        "SELECT r.dose_milli, COALESCE(i.strength_milli, 0), i.in_use_days IS NOT NULL
         FROM prescriptions r, items i WHERE r.id = ?1 AND i.id = ?2",
        params![rx_id, item],
        |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, bool>(2)?,
            ))
        },
    )
    .ok()
    .map(|(dose, strength, multi)| {
        if multi {
            0
        } else {
            crate::domain::units_for(dose, strength)
        }
    })
}

// ---- Reads for the console --------------------------------------------------

/// The item a prescription is written for.
pub fn prescription_item(conn: &Connection, rx_id: i64) -> rusqlite::Result<Option<i64>> {
    conn.prepare_cached("SELECT item_id FROM prescriptions WHERE id = ?1")?
        .query_row([rx_id], |r| r.get(0))
        .optional()
}
