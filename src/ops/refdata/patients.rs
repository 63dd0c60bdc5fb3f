//! Patients' admission, transfer and discharge, and their allergies.

use super::*;

// --- patients: admission, transfer, discharge; allergies ------------------

/// The reason every active prescription is stopped with at discharge.
pub const DISCHARGED: &str = "discharged";

/// Allergy kinds and the sexes recorded at admission.
pub const ALLERGY_KINDS: &[&str] = &["allergy", "intolerance", "contraindication"];
pub const SEXES: &[&str] = &["female", "male", "other", "unknown"];

/// Whether `actor` may admit, move and discharge patients (the refusal if not).
pub fn may_admit(actor: &Actor) -> Result<(), AdminError> {
    if matches!(actor.role, Role::Admin | Role::NurseManager) {
        Ok(())
    } else {
        Err(AdminError::PatientsNotAllowed { role: actor.role })
    }
}

/// Whether `actor` may record and remove allergies (the refusal if not).
pub fn may_record_allergy(actor: &Actor) -> Result<(), AdminError> {
    if matches!(
        actor.role,
        Role::Admin | Role::NurseManager | Role::Pharmacist
    ) {
        Ok(())
    } else {
        Err(AdminError::AllergiesNotAllowed { role: actor.role })
    }
}

fn patient_state(
    conn: &Connection,
    mrn: &str,
) -> Result<crate::store::queries::PatientAdt, AdminError> {
    crate::store::queries::patient_adt(conn, mrn.trim())?
        .ok_or_else(|| AdminError::UnknownPatient(mrn.trim().to_string()))
}

/// An open ward, by code.
fn open_ward(conn: &Connection, code: &str) -> Result<i64, AdminError> {
    let p = crate::store::queries::place_record(conn, code.trim())?
        .ok_or_else(|| AdminError::UnknownPlace(code.trim().to_string()))?;
    if p.kind != "ward" {
        return Err(AdminError::NotAWard { place: p.code });
    }
    if p.closed_at.is_some() {
        return Err(AdminError::Closed { place: p.code });
    }
    Ok(p.id)
}

/// Who is admitted.
#[derive(Debug, Clone)]
pub struct Admission {
    pub mrn: String,
    pub name: String,
    pub dob: chrono::NaiveDate,
    pub sex: Option<String>,
    pub ward: String,
    pub bed: Option<String>,
    /// The GS1 GSRN (AI 8018) printed on their wristband, if it carries one.
    pub gsrn: Option<String>,
}

/// Admits a patient to a ward: a new patient, or one discharged before
/// (admitted again, their record and allergies kept).
pub fn patient_admit(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    a: &Admission,
) -> Result<crate::store::queries::PatientAdt, AdminError> {
    may_admit(actor)?;
    if let Some(sex) = &a.sex {
        one_of("sex", sex, SEXES)?;
    }
    store.write(|tx| {
        let ward_id = open_ward(tx, &a.ward)?;
        let before = crate::store::queries::patient_adt(tx, a.mrn.trim())?;
        let p = NewPatient {
            mrn: a.mrn.trim().to_string(),
            name: a.name.trim().to_string(),
            dob: a.dob,
            ward_id: Some(ward_id),
            bed: a.bed.clone(),
        };
        match &before {
            Some(b) if b.discharged_at.is_none() && b.ward.is_some() => {
                return Err(AdminError::AlreadyAdmitted {
                    mrn: b.mrn.clone(),
                    ward: b.ward.clone().unwrap_or_default(),
                });
            }
            Some(b) => update_patient(tx, b.id, &p)?,
            None => {
                add_patient(tx, &p)?;
            }
        }
        if let Some(g) = a.gsrn.as_deref().filter(|g| !g.trim().is_empty()) {
            let id = crate::store::queries::patient_adt(tx, &p.mrn)?.map(|p| p.id);
            write_gsrn(tx, &p.mrn, id, Some(g))?;
        }
        tx.execute(
            "UPDATE patients SET sex = ?2, admitted_at = ?3, discharged_at = NULL WHERE mrn = ?1",
            params![
                p.mrn,
                a.sex.as_deref().map(str::to_lowercase),
                crate::domain::instant_to_text(now)
            ],
        )?;
        let after = patient_state(tx, &p.mrn)?;
        history(
            tx,
            actor,
            now,
            "patient",
            &after.mrn,
            before.as_ref(),
            &after,
        )?;
        Ok(after)
    })
}

/// Sets (or with `None`, clears) the GSRN of a patient's wristband, checked
/// (18 digits, the check digit) and refused when another patient has it.
fn write_gsrn(
    tx: &Connection,
    mrn: &str,
    patient_id: Option<i64>,
    gsrn: Option<&str>,
) -> Result<Option<String>, AdminError> {
    let gsrn = match gsrn.map(str::trim).filter(|g| !g.is_empty()) {
        Some(g) => Some(
            crate::ops::scan::check_patient_gsrn(tx, g, patient_id)
                .map_err(AdminError::Wristband)?,
        ),
        None => None,
    };
    tx.execute(
        "UPDATE patients SET gsrn = ?2 WHERE mrn = ?1",
        params![mrn, gsrn],
    )?;
    Ok(gsrn)
}

/// `patient edit MRN --gsrn G` (or `--no-gsrn`): the GSRN (AI 8018) printed
/// on a patient's wristband, checked and unique, the change kept in history.
pub fn patient_set_gsrn(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    mrn: &str,
    gsrn: Option<&str>,
) -> Result<crate::store::queries::PatientAdt, AdminError> {
    may_admit(actor)?;
    store.write(|tx| {
        let before = patient_state(tx, mrn)?;
        write_gsrn(tx, &before.mrn, Some(before.id), gsrn)?;
        let after = patient_state(tx, mrn)?;
        if after != before {
            history(tx, actor, now, "patient", &after.mrn, Some(&before), &after)?;
        }
        Ok(after)
    })
}

/// Moves an admitted patient to another ward or bed.
pub fn patient_move(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    mrn: &str,
    ward: Option<&str>,
    bed: Option<&str>,
) -> Result<crate::store::queries::PatientAdt, AdminError> {
    may_admit(actor)?;
    store.write(|tx| {
        let before = patient_state(tx, mrn)?;
        if before.discharged_at.is_some() {
            return Err(AdminError::Discharged { mrn: before.mrn });
        }
        let ward_id = match ward {
            Some(w) => Some(open_ward(tx, w)?),
            None => tx.query_row(
                "SELECT ward_id FROM patients WHERE id = ?1",
                [before.id],
                |r| r.get(0),
            )?,
        };
        let bed = match (bed, ward) {
            (Some(b), _) => Some(b.trim().to_string()).filter(|b| !b.is_empty()),
            // A new ward without a bed: the old bed is not theirs there.
            (None, Some(_)) => None,
            (None, None) => before.bed.clone(),
        };
        tx.execute(
            "UPDATE patients SET ward_id = ?2, bed = ?3 WHERE id = ?1",
            params![before.id, ward_id, bed],
        )?;
        let after = patient_state(tx, mrn)?;
        if after != before {
            history(tx, actor, now, "patient", &after.mrn, Some(&before), &after)?;
        }
        Ok(after)
    })
}

/// Discharges a patient: every prescription not yet ended is stopped with
/// the reason "discharged" (attributed, in the prescription's history), the
/// patient leaves the ward's lists and no dose is recorded for them any
/// more. Returns the patient and the prescriptions stopped.
pub fn patient_discharge(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    mrn: &str,
) -> Result<(crate::store::queries::PatientAdt, Vec<i64>), AdminError> {
    may_admit(actor)?;
    store.write(|tx| {
        let before = patient_state(tx, mrn)?;
        if before.discharged_at.is_some() {
            return Err(AdminError::Discharged { mrn: before.mrn });
        }
        let open: Vec<i64> = tx
            .prepare(
                "SELECT id FROM prescriptions WHERE patient_id = ?1
                 AND status IN ('active', 'suspended', 'awaiting_validation') ORDER BY id",
            )?
            .query_map([before.id], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        for id in &open {
            crate::ops::rx::change_status_in(
                tx,
                actor,
                now,
                *id,
                crate::ops::rx::StatusChange::Stop,
                DISCHARGED,
            )
            .map_err(AdminError::Rx)?;
        }
        tx.execute(
            "UPDATE patients SET discharged_at = ?2, ward_id = NULL, bed = NULL WHERE id = ?1",
            params![before.id, crate::domain::instant_to_text(now)],
        )?;
        let after = patient_state(tx, mrn)?;
        history(tx, actor, now, "patient", &after.mrn, Some(&before), &after)?;
        Ok((after, open))
    })
}

fn atc_prefix_ok(p: &str) -> bool {
    const FULL: &str = "N02BE01";
    [1, 3, 4, 5, 7].contains(&p.len())
        && p.bytes().zip(FULL.bytes()).all(|(c, f)| {
            if f.is_ascii_digit() {
                c.is_ascii_digit()
            } else {
                c.is_ascii_uppercase()
            }
        })
}

/// An allergy as kept in history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AllergyState {
    pub mrn: String,
    pub substance: String,
    pub kind: String,
    pub atc: Option<String>,
    pub reaction: Option<String>,
    /// Set when the allergy was removed (the row is kept, marked removed).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub removed: bool,
    /// Why it was removed, if said.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub removed_reason: Option<String>,
}

/// The allergy recorded for a patient's substance (any case), with its id:
/// the current one, never one removed. One lookup for the reference-data
/// commands and the import.
pub(crate) fn allergy_state(
    conn: &Connection,
    patient_id: i64,
    mrn: &str,
    substance: &str,
) -> rusqlite::Result<Option<(i64, AllergyState)>> {
    conn.query_row(
        "SELECT id, substance, kind, atc_prefix, reaction FROM patient_allergies
             WHERE patient_id = ?1 AND substance = ?2 COLLATE NOCASE AND removed_at IS NULL
             ORDER BY id LIMIT 1",
        params![patient_id, substance.trim()],
        |r| {
            Ok((
                r.get(0)?,
                AllergyState {
                    mrn: mrn.to_string(),
                    substance: r.get(1)?,
                    kind: r.get(2)?,
                    atc: r.get(3)?,
                    reaction: r.get(4)?,
                    removed: false,
                    removed_reason: None,
                },
            ))
        },
    )
    .optional()
}

/// Records an allergy, intolerance or contraindication (or changes the one
/// recorded for the same substance).
#[allow(clippy::too_many_arguments)]
pub fn allergy_add(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    mrn: &str,
    substance: &str,
    kind: &str,
    atc: Option<&str>,
    reaction: Option<&str>,
) -> Result<AllergyState, AdminError> {
    may_record_allergy(actor)?;
    let kind = kind.trim().to_ascii_lowercase();
    one_of("kind", &kind, ALLERGY_KINDS)?;
    let atc = atc
        .map(|a| a.trim().to_ascii_uppercase())
        .filter(|a| !a.is_empty());
    if let Some(a) = &atc
        && !atc_prefix_ok(a)
    {
        return Err(AdminError::Data(RefDataError::BadAtc {
            item: substance.trim().to_string(),
            atc: a.clone(),
        }));
    }
    if substance.trim().is_empty() {
        return Err(AdminError::NoAllergy {
            mrn: mrn.trim().to_string(),
            substance: String::new(),
        });
    }
    let reaction = reaction.map(str::trim).filter(|r| !r.is_empty());
    store.write(|tx| {
        let p = patient_state(tx, mrn)?;
        let before = allergy_state(tx, p.id, &p.mrn, substance)?;
        match &before {
            Some((id, _)) => update_allergy(tx, *id, atc.as_deref(), &kind, reaction)?,
            None => {
                add_allergy(tx, p.id, substance.trim(), atc.as_deref(), &kind, reaction)?;
            }
        }
        let (_, after) =
            allergy_state(tx, p.id, &p.mrn, substance)?.ok_or_else(|| AdminError::NoAllergy {
                mrn: p.mrn.clone(),
                substance: substance.trim().to_string(),
            })?;
        let key = format!("{}/{}", after.mrn, after.substance);
        let before = before.map(|b| b.1);
        if before.as_ref() != Some(&after) {
            history(tx, actor, now, "allergy", &key, before.as_ref(), &after)?;
        }
        Ok(after)
    })
}

/// Removes a recorded allergy (recorded in error, or no longer true): the
/// row is kept, marked removed with who, when and why, and no longer counts
/// as a current allergy. Recording the substance again makes a new one.
pub fn allergy_remove(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    mrn: &str,
    substance: &str,
    reason: Option<&str>,
) -> Result<AllergyState, AdminError> {
    may_record_allergy(actor)?;
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    store.write(|tx| {
        let p = patient_state(tx, mrn)?;
        let (id, before) =
            allergy_state(tx, p.id, &p.mrn, substance)?.ok_or_else(|| AdminError::NoAllergy {
                mrn: p.mrn.clone(),
                substance: substance.trim().to_string(),
            })?;
        tx.execute(
            "UPDATE patient_allergies SET removed_at = ?2, removed_by = ?3, removed_reason = ?4
             WHERE id = ?1",
            params![
                id,
                crate::domain::instant_to_text(now),
                actor.user_id,
                reason
            ],
        )?;
        let after = AllergyState {
            removed: true,
            removed_reason: reason.map(str::to_string),
            ..before.clone()
        };
        let key = format!("{}/{}", before.mrn, before.substance);
        history(tx, actor, now, "allergy", &key, Some(&before), &after)?;
        Ok(after)
    })
}
