//! Users, patients and allergies from a spreadsheet.

use super::*;

impl Ctx<'_> {
    // --- users -------------------------------------------------------------

    pub(in crate::ops::import) fn user(&mut self, row: &mut Row) -> Step {
        let name = row.req("name");
        if let Some(n) = &name
            && n.contains(char::is_whitespace)
        {
            row.bad("name", Problem::UserName { value: n.clone() });
        }
        let full_name = row.req("full_name");
        let role = row.one_of("role", ROLES);
        let pin = row.opt("pin");
        if let Some(p) = &pin
            && !pin_ok(p)
        {
            row.bad("pin", Problem::Pin);
        }
        let (Some(name), Some(full_name), Some(role)) = (name, full_name, role) else {
            return Ok(None);
        };
        if !self.first_time(
            row,
            "name",
            format!("user:{}", name.to_lowercase()),
            name.clone(),
        ) {
            return Ok(None);
        }
        if !row.problems.is_empty() {
            return Ok(None);
        }
        let role: Role = role.parse().unwrap_or(Role::Nurse);
        let existing: Option<(i64, UserRow)> = self
            .conn
            .query_row(
                "SELECT id, username, full_name, role FROM users WHERE username = ?1",
                [&name],
                |r| {
                    Ok((
                        r.get(0)?,
                        UserRow {
                            name: r.get(1)?,
                            full_name: r.get(2)?,
                            role: r.get(3)?,
                        },
                    ))
                },
            )
            .optional()?;
        let new = UserRow {
            name: name.clone(),
            full_name,
            role: role.as_ref().to_string(),
        };
        match &existing {
            Some((id, old)) if *id == self.actor.user_id && old.role != new.role => {
                row.bad("role", Problem::OwnRole);
                return Ok(None);
            }
            Some((id, old)) if *old != new => {
                refdata::update_user(self.conn, *id, &new.full_name, role).map_err(store_err)?
            }
            Some(_) => {}
            None => {
                let (hash, one_time) = match self.pins.remove(&name) {
                    Some(h) => h,
                    // Added by another workstation's import meanwhile: hashed here.
                    None => hash_for(&name, pin)?,
                };
                let id = refdata::add_user(self.conn, &name, &new.full_name, role, &hash)
                    .map_err(store_err)?;
                if let Some(p) = one_time {
                    self.summary.new_pins.push(NewPin {
                        user: name.clone(),
                        pin: p,
                    });
                    // A generated PIN is one-time: changed at the first sign-in.
                    self.conn
                        .execute("UPDATE users SET must_change_pin = 1 WHERE id = ?1", [id])?;
                }
            }
        }
        self.keep("user", &new.name, existing.as_ref().map(|e| &e.1), &new)
    }

    // --- patients and allergies --------------------------------------------

    pub(in crate::ops::import) fn patient(&mut self, row: &mut Row) -> Step {
        let mrn = row.req("mrn");
        let name = row.req("name");
        let dob = match row.date_opt("date_of_birth") {
            Some(Some(d)) => Some(d),
            Some(None) => {
                row.bad("date_of_birth", Problem::Required);
                None
            }
            None => None,
        };
        let ward = match row.opt("ward") {
            None => Some(None),
            Some(w) => match self.place_id(row, "ward", &w)? {
                Some((id, kind)) if kind == "ward" => Some(Some(id)),
                Some(_) => {
                    row.bad("ward", Problem::NotAWard { code: w });
                    None
                }
                None => None,
            },
        };
        let bed = row.opt("bed");
        let sex = if row.text("sex").is_empty() {
            Some(None)
        } else {
            row.one_of("sex", SEXES).map(Some)
        };
        // The GSRN on the wristband (optional; "(8018)…" as printed is read too).
        let gsrn = match row.opt("gsrn") {
            Some(g) => {
                let raw = g.strip_prefix("(8018)").unwrap_or(&g).trim();
                match crate::gs1::check_gsrn(raw) {
                    Ok(g) => Some(Some(g)),
                    Err(detail) => {
                        row.bad(
                            "gsrn",
                            Problem::Gsrn {
                                value: raw.to_string(),
                                detail,
                            },
                        );
                        None
                    }
                }
            }
            None => Some(None),
        };
        let (Some(mrn), Some(name), Some(dob), Some(ward_id), Some(sex), Some(gsrn)) =
            (mrn, name, dob, ward, sex, gsrn)
        else {
            return Ok(None);
        };
        if !self.first_time(row, "mrn", format!("patient:{mrn}"), mrn.clone()) {
            return Ok(None);
        }
        if let Some(g) = &gsrn {
            if !self.first_time(row, "gsrn", format!("gsrn:{g}"), g.clone()) {
                return Ok(None);
            }
            if let Some(other) = crate::ops::scan::patient_by_gsrn(self.conn, g)?
                && other.mrn != mrn
            {
                row.bad(
                    "gsrn",
                    Problem::GsrnElsewhere {
                        gsrn: g.clone(),
                        mrn: other.mrn,
                    },
                );
                return Ok(None);
            }
        }
        let existing: Option<(i64, PatientRow)> = self
            .conn
            .query_row(
                "SELECT p.id, p.mrn, p.name, p.dob, w.code, p.bed, p.sex, p.gsrn FROM patients p LEFT JOIN places w ON w.id = p.ward_id WHERE p.mrn = ?1",
                [&mrn],
                |r| {
                    Ok((
                        r.get(0)?,
                        PatientRow {
                            mrn: r.get(1)?,
                            name: r.get(2)?,
                            date_of_birth: r.get(3)?,
                            ward: r.get(4)?,
                            bed: r.get(5)?,
                            sex: r.get(6)?,
                            gsrn: r.get(7)?,
                        },
                    ))
                },
            )
            .optional()?;
        let ward_code: Option<String> = match ward_id {
            Some(id) => Some(self.conn.query_row(
                "SELECT code FROM places WHERE id = ?1",
                [id],
                |r| r.get(0),
            )?),
            None => None,
        };
        let new = PatientRow {
            mrn: mrn.clone(),
            name: name.clone(),
            date_of_birth: dob.format("%Y-%m-%d").to_string(),
            ward: ward_code,
            bed: bed.clone(),
            sex: sex.map(|x| x.to_lowercase()),
            // A blank GSRN keeps the one recorded: an import never clears it.
            gsrn: gsrn.or_else(|| existing.as_ref().and_then(|(_, e)| e.gsrn.clone())),
        };
        let p = NewPatient {
            mrn,
            name,
            dob,
            ward_id,
            bed,
        };
        match &existing {
            Some((id, old)) if *old != new => {
                refdata::update_patient(self.conn, *id, &p).map_err(store_err)?
            }
            Some(_) => {}
            None => {
                refdata::add_patient(self.conn, &p).map_err(store_err)?;
            }
        }
        if existing.as_ref().is_none_or(|(_, old)| old.sex != new.sex) {
            self.conn.execute(
                "UPDATE patients SET sex = ?2 WHERE mrn = ?1",
                params![new.mrn, new.sex],
            )?;
        }
        if existing
            .as_ref()
            .is_none_or(|(_, old)| old.gsrn != new.gsrn)
        {
            self.conn.execute(
                "UPDATE patients SET gsrn = ?2 WHERE mrn = ?1",
                params![new.mrn, new.gsrn],
            )?;
        }
        self.keep("patient", &new.mrn, existing.as_ref().map(|e| &e.1), &new)
    }

    pub(in crate::ops::import) fn allergy(&mut self, row: &mut Row) -> Step {
        let mrn = row.req("mrn");
        let substance = row.req("substance");
        let kind = row.one_of("kind", ALLERGY_KINDS);
        let atc = row.opt("atc");
        if let Some(a) = &atc
            && !atc_prefix_ok(a)
        {
            row.bad("atc", Problem::Atc { value: a.clone() });
        }
        let reaction = row.opt("reaction");
        let patient = match &mrn {
            Some(m) => {
                let id: Option<i64> = self
                    .conn
                    .query_row("SELECT id FROM patients WHERE mrn = ?1", [m], |r| r.get(0))
                    .optional()?;
                if id.is_none() {
                    row.bad("mrn", Problem::UnknownPatient { mrn: m.clone() });
                }
                id
            }
            None => None,
        };
        let (Some(mrn), Some(patient_id), Some(substance), Some(kind)) =
            (mrn, patient, substance, kind)
        else {
            return Ok(None);
        };
        if !self.first_time(
            row,
            "substance",
            format!("allergy:{mrn}:{}", substance.to_lowercase()),
            format!("{mrn} / {substance}"),
        ) || !row.problems.is_empty()
        {
            return Ok(None);
        }
        let existing: Option<(i64, AllergyRow)> =
            refdata::allergy_state(self.conn, patient_id, &mrn, &substance)?.map(|(id, a)| {
                (
                    id,
                    AllergyRow {
                        mrn: mrn.clone(),
                        substance: a.substance,
                        kind: a.kind,
                        atc: a.atc,
                        reaction: a.reaction,
                    },
                )
            });
        let new = AllergyRow {
            mrn: mrn.clone(),
            substance: existing
                .as_ref()
                .map_or(substance.clone(), |e| e.1.substance.clone()),
            kind: kind.to_string(),
            atc,
            reaction,
        };
        match &existing {
            Some((id, old)) if *old != new => refdata::update_allergy(
                self.conn,
                *id,
                new.atc.as_deref(),
                &new.kind,
                new.reaction.as_deref(),
            )
            .map_err(store_err)?,
            Some(_) => {}
            None => {
                refdata::add_allergy(
                    self.conn,
                    patient_id,
                    &new.substance,
                    new.atc.as_deref(),
                    &new.kind,
                    new.reaction.as_deref(),
                )
                .map_err(store_err)?;
            }
        }
        let key = format!("{}/{}", new.mrn, new.substance);
        self.keep("allergy", &key, existing.as_ref().map(|e| &e.1), &new)
    }
}
