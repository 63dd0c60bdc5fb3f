//! Patients: who is on a ward, and a patient's record (allergies, also
//! removed ones, prescriptions and every dose given with its lot).

use super::*;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PatientLine {
    pub id: i64,
    pub mrn: String,
    pub name: String,
    pub dob: String,
    pub bed: Option<String>,
    pub allergies: String,
}

pub fn patients_for_ward(conn: &Connection, ward_id: i64) -> rusqlite::Result<Vec<PatientLine>> {
    let mut stmt = conn.prepare_cached(
        "SELECT p.id, p.mrn, p.name, p.dob, p.bed,
                COALESCE((SELECT group_concat(a.substance, ', ') FROM patient_allergies a WHERE a.patient_id = p.id AND a.removed_at IS NULL), '')
         FROM patients p WHERE p.ward_id = ?1 ORDER BY p.bed, p.name",
    )?;
    stmt.query_map([ward_id], |r| {
        Ok(PatientLine {
            id: r.get(0)?,
            mrn: r.get(1)?,
            name: r.get(2)?,
            dob: r.get(3)?,
            bed: r.get(4)?,
            allergies: r.get(5)?,
        })
    })?
    .collect()
}

/// A dose recorded for a patient, with its lot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PatientDose {
    pub prescription_id: i64,
    pub scheduled_at: Option<String>,
    pub recorded_at: String,
    pub item: String,
    pub outcome: String,
    pub lot: Option<String>,
    pub expiry: Option<String>,
    pub qty: Option<i64>,
    pub by: String,
    pub witness: Option<String>,
    pub double_check: Option<String>,
    pub scanned: bool,
    pub reason: Option<String>,
    /// Why the pack was not scanned (`None` on a scanned dose, and on an
    /// unscanned one recorded before a reason was asked).
    pub unscanned_reason: Option<String>,
}

/// An allergy removed from a patient's record, kept as history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RemovedAllergy {
    pub substance: String,
    pub kind: String,
    /// When it was removed (UTC, as stored).
    pub removed_at: String,
    /// Who removed it (user name).
    pub removed_by: String,
    pub reason: Option<String>,
}

/// The allergies a patient no longer has recorded, newest removal first.
pub fn removed_allergies(
    conn: &Connection,
    patient_id: i64,
) -> rusqlite::Result<Vec<RemovedAllergy>> {
    conn.prepare_cached(
        "SELECT a.substance, a.kind, a.removed_at, COALESCE(u.username, ''), a.removed_reason
         FROM patient_allergies a LEFT JOIN users u ON u.id = a.removed_by
         WHERE a.patient_id = ?1 AND a.removed_at IS NOT NULL ORDER BY a.removed_at DESC, a.id DESC",
    )?
    .query_map([patient_id], |r| {
        Ok(RemovedAllergy {
            substance: r.get(0)?,
            kind: r.get(1)?,
            removed_at: r.get(2)?,
            removed_by: r.get(3)?,
            reason: r.get(4)?,
        })
    })?
    .collect()
}

/// The patient's record: who, allergies, prescriptions, and every dose with its lot, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PatientRecord {
    pub mrn: String,
    pub name: String,
    pub dob: String,
    pub ward: Option<String>,
    pub bed: Option<String>,
    /// The current allergies, as `substance (kind), …`.
    pub allergies: String,
    /// Allergies removed from the record, as history.
    pub removed_allergies: Vec<RemovedAllergy>,
    pub prescriptions: Vec<PrescriptionLine>,
    pub doses: Vec<PatientDose>,
}

pub fn patient_record(conn: &Connection, mrn: &str) -> rusqlite::Result<Option<PatientRecord>> {
    let head = conn
        .query_row(
            "SELECT p.id, p.mrn, p.name, p.dob, w.code, p.bed, p.ward_id,
                    COALESCE((SELECT group_concat(a.substance || ' (' || a.kind || ')', ', ') FROM patient_allergies a WHERE a.patient_id = p.id AND a.removed_at IS NULL), '')
             FROM patients p LEFT JOIN places w ON w.id = p.ward_id WHERE p.mrn = ?1",
            [mrn.trim()],
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, Option<String>>(5)?,
                    r.get::<_, Option<i64>>(6)?,
                    r.get::<_, String>(7)?,
                ))
            },
        )
        .optional()?;
    let Some((id, mrn, name, dob, ward, bed, _, allergies)) = head else {
        return Ok(None);
    };
    // By patient, not by ward: a discharged patient's stopped
    // prescriptions stay on their record.
    let prescriptions = prescription_lines(conn, None, Some(id), false)?;
    let mut stmt = conn.prepare(
        "SELECT a.prescription_id, a.scheduled_at, a.recorded_at, i.name, a.outcome, l.lot_number, l.expiry, a.qty,
                u.username, wu.username, du.username, a.scanned, a.reason, a.unscanned_reason
         FROM administrations a JOIN prescriptions r ON r.id = a.prescription_id JOIN items i ON i.id = r.item_id
         JOIN users u ON u.id = a.user_id LEFT JOIN users wu ON wu.id = a.witness_id LEFT JOIN users du ON du.id = a.double_check_id
         LEFT JOIN lots l ON l.id = a.lot_id
         WHERE r.patient_id = ?1 ORDER BY a.recorded_at DESC, a.id DESC",
    )?;
    let doses = stmt
        .query_map([id], |r| {
            Ok(PatientDose {
                prescription_id: r.get(0)?,
                scheduled_at: r.get(1)?,
                recorded_at: r.get(2)?,
                item: r.get(3)?,
                outcome: r.get(4)?,
                lot: r.get(5)?,
                expiry: r.get(6)?,
                qty: r.get(7)?,
                by: r.get(8)?,
                witness: r.get(9)?,
                double_check: r.get(10)?,
                scanned: r.get(11)?,
                reason: r.get(12)?,
                unscanned_reason: r.get(13)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Some(PatientRecord {
        mrn,
        name,
        dob,
        ward,
        bed,
        allergies,
        removed_allergies: removed_allergies(conn, id)?,
        prescriptions,
        doses,
    }))
}

// ---- Reads for the console's bedside checks ---------------------------------

/// The name of the patient with this MRN (case as stored), if any: the
/// wrong-patient refusal names both patients.
pub fn patient_name(conn: &Connection, mrn: &str) -> rusqlite::Result<Option<String>> {
    conn.prepare_cached("SELECT name FROM patients WHERE mrn = ?1 COLLATE NOCASE")?
        .query_row([mrn.trim()], |r| r.get(0))
        .optional()
}
