//! The pharmacist's side of a prescription: the facts validation reads, the
//! queue, the decision, what changed since the last acceptance, the site's
//! duplicate classes, and the patient's other prescriptions.

use super::*;

/// A prescription awaiting validation, with what the pharmacist should look at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QueueEntry {
    pub id: i64,
    pub ward: String,
    pub bed: Option<String>,
    pub patient: String,
    pub mrn: String,
    pub item: String,
    pub dose: String,
    pub route: String,
    pub frequency: String,
    pub indication: String,
    pub prescriber: String,
    pub created_at: String,
    /// How long it has waited for a pharmacist, in minutes (from its
    /// prescribing to `now`); the queue is ordered by it, longest first.
    pub waited_minutes: i64,
    pub findings: Vec<Finding>,
}

/// Gathers what the validation rules look at for one prescription.
pub fn facts(conn: &Connection, rx_id: i64, now: DateTime<Utc>) -> Result<RxFacts, RxError> {
    let row = conn
        .query_row(
            "SELECT r.patient_id, r.item_id, r.dose_milli, r.frequency, r.times, r.prn_max_per_day,
                    i.name, i.generic_name, i.atc, i.max_daily_milli, COALESCE(i.strength_unit, i.dose_unit),
                    COALESCE(i.strength_milli, 0), p.ward_id
             FROM prescriptions r JOIN items i ON i.id = r.item_id JOIN patients p ON p.id = r.patient_id
             WHERE r.id = ?1",
            [rx_id],
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, Option<i64>>(5)?,
                    r.get::<_, String>(6)?,
                    r.get::<_, String>(7)?,
                    r.get::<_, Option<String>>(8)?,
                    r.get::<_, Option<i64>>(9)?,
                    r.get::<_, String>(10)?,
                    r.get::<_, i64>(11)?,
                    r.get::<_, Option<i64>>(12)?,
                ))
            },
        )
        .optional()?
        .ok_or(RxError::Unknown(rx_id))?;
    let (
        patient,
        item_id,
        dose_milli,
        freq,
        times,
        prn_max,
        item,
        generic,
        atc,
        max_daily,
        unit,
        strength,
        ward,
    ) = row;
    let freq: Frequency = freq.parse().unwrap_or(Frequency::Qd);
    let doses_per_day = match freq {
        Frequency::Prn => prn_max.unwrap_or(1),
        Frequency::Once | Frequency::Stat | Frequency::Weekly => 1,
        f => {
            let listed = times.split(',').filter(|t| !t.trim().is_empty()).count();
            if listed > 0 {
                listed as i64
            } else {
                f.default_times().len() as i64
            }
        }
    };
    let mut stmt = conn.prepare_cached(
        "SELECT substance, atc_prefix, kind FROM patient_allergies
         WHERE patient_id = ?1 AND removed_at IS NULL",
    )?;
    let allergies = stmt
        .query_map([patient], |r| {
            Ok(Allergy {
                substance: r.get(0)?,
                atc_prefix: r.get(1)?,
                kind: r.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut stmt = conn.prepare_cached(
        "SELECT r.id, i.name, i.atc FROM prescriptions r JOIN items i ON i.id = r.item_id
         WHERE r.patient_id = ?1 AND r.id <> ?2 AND r.status IN ('active', 'suspended')",
    )?;
    let other_active = stmt
        .query_map(params![patient, rx_id], |r| {
            Ok(OtherRx {
                id: r.get(0)?,
                item: r.get(1)?,
                atc: r.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    // Units one dose takes, rounded up (a 750 mg dose of 500 mg tablets is 2).
    let units_per_dose = crate::domain::units_for(dose_milli, strength);
    let today = now
        .with_timezone(&crate::store::queries::site_zone(conn)?)
        .date_naive();
    let soon = today + Duration::days(7);
    let (usable, expiring, held) = match ward {
        Some(w) => conn.query_row(
            "SELECT COALESCE(SUM(CASE WHEN status = 'ok' AND (expiry IS NULL OR expiry >= ?3) THEN qty END), 0),
                    COALESCE(SUM(CASE WHEN status = 'ok' AND expiry >= ?3 AND expiry <= ?4 THEN qty END), 0),
                    COALESCE(SUM(CASE WHEN status <> 'ok' OR expiry < ?3 THEN qty END), 0)
             FROM balances WHERE place_id = ?1
               AND item_id IN (SELECT item_id FROM prescription_products WHERE prescription_id = ?5 UNION SELECT ?2)",
            params![w, item_id, today.to_string(), soon.to_string(), rx_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?,
        None => (0, 0, 0),
    };
    Ok(RxFacts {
        item,
        generic_name: generic,
        atc,
        dose_milli,
        doses_per_day,
        max_daily_milli: max_daily,
        strength_unit: unit,
        allergies,
        other_active,
        units_per_dose,
        usable_on_ward: usable,
        expiring_soon_on_ward: expiring,
        held_on_ward: held,
        duplicate_classes: crate::store::queries::duplicate_classes(conn)?,
    })
}

/// Whether `actor` entered this prescription (or this version of it): they
/// do not accept it themselves ([`RxError::OwnPrescription`]).
pub fn entered_by(conn: &Connection, rx_id: i64, actor: &Actor) -> rusqlite::Result<bool> {
    Ok(conn
        .query_row(
            "SELECT created_by FROM prescriptions WHERE id = ?1",
            [rx_id],
            |r| r.get::<_, i64>(0),
        )
        .optional()?
        == Some(actor.user_id))
}

/// The prescription's findings now (what the validation form shows).
pub fn findings_now(
    conn: &Connection,
    rx_id: i64,
    now: DateTime<Utc>,
) -> Result<Vec<Finding>, RxError> {
    Ok(validation::findings(&facts(conn, rx_id, now)?))
}

/// Prescriptions awaiting validation (of one ward, or all), oldest first, with their findings;
/// with them, active prescriptions with an allergy recorded since their validation.
pub fn queue(
    conn: &Connection,
    ward_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Vec<QueueEntry>, RxError> {
    let mut stmt = conn.prepare(
        "SELECT r.id, w.code, p.bed, p.name, p.mrn, i.name, r.dose_milli, r.dose_unit, r.route, r.frequency,
                r.indication, r.prescriber, r.created_at
         FROM prescriptions r JOIN patients p ON p.id = r.patient_id JOIN items i ON i.id = r.item_id
         LEFT JOIN places w ON w.id = p.ward_id
         WHERE (r.status = 'awaiting_validation'
                OR (r.status = 'active' AND EXISTS (SELECT 1 FROM patient_allergies a
                                                    WHERE a.patient_id = r.patient_id AND a.removed_at IS NULL)))
           AND (?1 IS NULL OR p.ward_id = ?1)
         ORDER BY r.created_at, r.id",
    )?;
    let rows: Vec<(i64, QueueEntry)> = stmt
        .query_map([ward_id], |r| {
            let id: i64 = r.get(0)?;
            Ok((
                id,
                QueueEntry {
                    id,
                    ward: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                    bed: r.get(2)?,
                    patient: r.get(3)?,
                    mrn: r.get(4)?,
                    item: r.get(5)?,
                    dose: format!(
                        "{} {}",
                        crate::domain::milli_text(r.get(6)?),
                        r.get::<_, String>(7)?
                    ),
                    route: r.get(8)?,
                    frequency: r.get(9)?,
                    indication: r.get(10)?,
                    prescriber: r.get(11)?,
                    created_at: r.get(12)?,
                    waited_minutes: 0,
                    findings: vec![],
                },
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    // An active prescription is back in the queue while an allergy recorded
    // since its validation waits for a pharmacist.
    let mut out = Vec::with_capacity(rows.len());
    for (id, mut e) in rows {
        e.waited_minutes = crate::domain::types::instant_from_text(&e.created_at)
            .map(|at| (now - at).num_minutes().max(0))
            .unwrap_or(0);
        e.findings = validation::findings(&facts(conn, id, now)?);
        let active: bool = conn.query_row(
            "SELECT status = 'active' FROM prescriptions WHERE id = ?1",
            [id],
            |r| r.get(0),
        )?;
        if !active || !unreviewed_allergies(conn, id, &e.findings)?.is_empty() {
            out.push(e);
        }
    }
    // Longest wait first; the same wait by prescription number.
    out.sort_by_key(|e| (std::cmp::Reverse(e.waited_minutes), e.id));
    Ok(out)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Accept; the comment is required when there are findings.
    Accept {
        comment: Option<String>,
    },
    Reject {
        reason: String,
    },
}

/// The pharmacist's decision on a prescription awaiting validation.
pub fn validate(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    rx_id: i64,
    decision: &Decision,
) -> Result<Vec<Finding>, RxError> {
    allow(actor, Operation::ValidatePrescription).map_err(RxError::Forbidden)?;
    store.write(|tx| {
        let (status, entered_by): (String, i64) = tx
            .query_row(
                "SELECT status, created_by FROM prescriptions WHERE id = ?1",
                [rx_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?
            .ok_or(RxError::Unknown(rx_id))?;
        // Validation is a second check: the one who entered the prescription
        // (or this version of it) does not accept it. Rejecting or stopping
        // one's own prescription stays open.
        if entered_by == actor.user_id && matches!(decision, Decision::Accept { .. }) {
            return Err(RxError::OwnPrescription { id: rx_id });
        }
        let found = validation::findings(&facts(tx, rx_id, now)?);
        // An active prescription is validated again when an allergy was
        // recorded since its last validation: its dose is blocked until then.
        let review = status == "active" && !unreviewed_allergies(tx, rx_id, &found)?.is_empty();
        if status != "awaiting_validation" && !review {
            return Err(RxError::NotAwaiting { id: rx_id, status });
        }
        if review && matches!(decision, Decision::Reject { .. }) {
            // An active prescription is stopped, not rejected.
            return Err(RxError::NotAwaiting { id: rx_id, status });
        }
        let (new_status, action, comment) = match decision {
            Decision::Accept { comment } => {
                let comment = comment.as_deref().map(str::trim).filter(|c| !c.is_empty());
                if !found.is_empty() && comment.is_none() {
                    return Err(RxError::CommentRequired(rx_id, found));
                }
                ("active", "validated", comment.map(str::to_string))
            }
            Decision::Reject { reason } => {
                let reason = reason.trim();
                if reason.is_empty() {
                    return Err(RxError::ReasonRequired);
                }
                ("rejected", "rejected", Some(reason.to_string()))
            }
        };
        tx.execute(
            "UPDATE prescriptions SET status = ?2, validated_by = ?3, validated_at = ?4 WHERE id = ?1",
            params![rx_id, new_status, actor.user_id, instant_to_text(now)],
        )?;
        tx.execute(
            "INSERT INTO prescription_events (prescription_id, at, user_id, action, comment, findings) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![rx_id, instant_to_text(now), actor.user_id, action, comment, serde_json::to_string(&found).ok()],
        )?;
        Ok(found)
    })
}

/// The findings the pharmacist accepted at the prescription's last
/// validation (`None`: never validated with its findings recorded).
fn last_accepted(
    conn: &Connection,
    rx_id: i64,
) -> rusqlite::Result<Option<Vec<serde_json::Value>>> {
    let text: Option<String> = conn
        .query_row(
            "SELECT findings FROM prescription_events WHERE prescription_id = ?1 AND action = 'validated' ORDER BY id DESC LIMIT 1",
            [rx_id],
            |r| r.get(0),
        )
        .optional()?
        .flatten();
    Ok(text.and_then(|t| serde_json::from_str::<Vec<serde_json::Value>>(&t).ok()))
}

/// The substances whose allergy finding the pharmacist accepted at the
/// prescription's last validation: an override covers only these.
pub fn reviewed_allergies(conn: &Connection, rx_id: i64) -> rusqlite::Result<Vec<String>> {
    Ok(last_accepted(conn, rx_id)?
        .unwrap_or_default()
        .iter()
        .filter(|f| f.get("finding").and_then(|v| v.as_str()) == Some("allergy"))
        .filter_map(|f| {
            f.get("substance")
                .and_then(|v| v.as_str())
                .map(str::to_string)
        })
        .collect())
}

/// The allergies among `found` that no pharmacist has accepted for this
/// prescription (recorded after its validation, or never accepted).
pub fn unreviewed_allergies(
    conn: &Connection,
    rx_id: i64,
    found: &[Finding],
) -> rusqlite::Result<Vec<String>> {
    let reviewed = reviewed_allergies(conn, rx_id)?;
    Ok(found
        .iter()
        .filter_map(|f| match f {
            Finding::Allergy { substance, .. } => Some(substance.clone()),
            _ => None,
        })
        .filter(|s| {
            !reviewed
                .iter()
                .any(|r| r.trim().eq_ignore_ascii_case(s.trim()))
        })
        .collect())
}

/// The prescription's findings now that its last validation did not show
/// (all of them for a prescription never validated): what a pharmacist
/// re-validating must look at.
pub fn new_findings(
    conn: &Connection,
    rx_id: i64,
    now: DateTime<Utc>,
) -> Result<Vec<Finding>, RxError> {
    let found = validation::findings(&facts(conn, rx_id, now)?);
    let before = last_accepted(conn, rx_id)?.unwrap_or_default();
    Ok(found
        .into_iter()
        .filter(|f| serde_json::to_value(f).map_or(true, |v| !before.contains(&v)))
        .collect())
}

/// Why the site's duplicate classes were not changed.
#[derive(Debug)]
pub enum ClassesError {
    Forbidden(Forbidden),
    List(validation::ClassListError),
    Store(rusqlite::Error),
}

impl std::error::Error for ClassesError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ClassesError::Forbidden(e) => Some(e),
            ClassesError::Store(e) => Some(e),
            ClassesError::List(_) => None,
        }
    }
}

impl From<rusqlite::Error> for ClassesError {
    fn from(e: rusqlite::Error) -> Self {
        ClassesError::Store(e)
    }
}

/// `wardstock site set --duplicate-classes LIST`: the classes where two
/// drugs at once for one patient is a duplication, as the site decides
/// (`None`: back to the shipped default, which then follows the product's).
/// The administrator or a pharmacist; attributed with the setting. Findings
/// are computed with the new list from now on (a prescription already
/// validated keeps its recorded findings).
pub fn set_duplicate_classes(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    list: Option<&str>,
) -> Result<validation::DuplicateClasses, ClassesError> {
    allow(actor, Operation::ValidationSettings).map_err(ClassesError::Forbidden)?;
    let classes = match list {
        Some(text) => validation::DuplicateClasses::parse(text).map_err(ClassesError::List)?,
        None => validation::DuplicateClasses::default(),
    };
    let text = list.map(|_| classes.text());
    store.write(|tx| -> Result<(), ClassesError> {
        match &text {
            Some(t) => tx.execute(
                "INSERT INTO settings (key, value) VALUES ('duplicate_classes', ?1)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [t],
            )?,
            None => tx.execute("DELETE FROM settings WHERE key = 'duplicate_classes'", [])?,
        };
        tx.execute(
            "INSERT INTO settings (key, value) VALUES ('duplicate_classes_set_by', ?1), ('duplicate_classes_set_at', ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![actor.username, instant_to_text(now)],
        )?;
        Ok(())
    })?;
    Ok(classes)
}

/// Another prescription of the patient, active or suspended, as the
/// validation form lists it (to stop or suspend it while validating).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OtherActive {
    pub id: i64,
    pub item: String,
    pub dose: String,
    pub route: String,
    pub frequency: String,
    pub status: String,
}

/// The patient's other active and suspended prescriptions, beside `rx_id`.
pub fn other_active(conn: &Connection, rx_id: i64) -> rusqlite::Result<Vec<OtherActive>> {
    let mut stmt = conn.prepare_cached(
        "SELECT o.id, i.name, o.dose_milli, o.dose_unit, o.route, o.frequency, o.status
         FROM prescriptions r JOIN prescriptions o ON o.patient_id = r.patient_id AND o.id <> r.id
         JOIN items i ON i.id = o.item_id
         WHERE r.id = ?1 AND o.status IN ('active', 'suspended')
         ORDER BY o.id",
    )?;
    stmt.query_map([rx_id], |r| {
        Ok(OtherActive {
            id: r.get(0)?,
            item: r.get(1)?,
            dose: format!(
                "{} {}",
                crate::domain::milli_text(r.get(2)?),
                r.get::<_, String>(3)?
            ),
            route: r.get(4)?,
            frequency: r.get(5)?,
            status: r.get(6)?,
        })
    })?
    .collect()
}
