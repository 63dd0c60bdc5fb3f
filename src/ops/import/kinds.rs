//! Each kind of file, row by row: checked, matched by its code, MRN or user
//! name, and added or changed through the reference-data functions.

use super::*;

impl Ctx<'_> {
    // --- items -------------------------------------------------------------

    pub(super) fn item(&mut self, row: &mut Row) -> Step {
        let code = row.req("code");
        let name = row.req("name");
        // A consumable (gloves, syringes) says so in `kind` or `form`; it
        // has no active substance nor a pharmaceutical form of its own.
        let consumable = if row.text("kind").is_empty() {
            row.text("form").eq_ignore_ascii_case("consumable")
        } else {
            row.text("kind").eq_ignore_ascii_case("consumable")
        };
        let generic = match (row.opt("generic_name"), &name) {
            (Some(g), _) => Some(g),
            (None, Some(n)) if consumable => Some(n.clone()),
            (None, None) if consumable => None,
            (None, _) => row.req("generic_name"),
        };
        let atc = row.opt("atc");
        if let Some(a) = &atc
            && !atc_ok(a)
        {
            row.bad("atc", Problem::Atc { value: a.clone() });
        }
        let form = if consumable && row.text("form").is_empty() {
            Some("consumable")
        } else {
            row.one_of("form", FORMS)
        };
        let strength = row.dec_opt("strength", 3);
        let strength_unit = if row.text("strength_unit").is_empty() {
            Some(None)
        } else {
            row.unit("strength_unit", STRENGTH_UNITS).map(Some)
        };
        let dose_unit = row.unit("dose_unit", DOSE_UNITS);
        let per_pack = row.int("units_per_pack", 1);
        let price = match row.dec_opt("unit_price", 2) {
            Some(Some(v)) => Some(v),
            Some(None) => {
                row.bad("unit_price", Problem::Required);
                None
            }
            None => None,
        };
        let storage = row.one_of("storage", STORAGE);
        // A consumable is neither controlled nor high-alert unless it says so.
        let flag = |row: &mut Row, col: &str| {
            if consumable && row.text(col).is_empty() {
                Some(false)
            } else {
                row.boolean(col)
            }
        };
        let controlled = flag(row, "controlled");
        let high_alert = flag(row, "high_alert");
        let mut gtins = Vec::new();
        let written = row.text("gtin").to_string();
        for g in written.split('|').map(str::trim).filter(|g| !g.is_empty()) {
            // A spreadsheet that took the barcode for a number: 4.03185E+12.
            if g.contains(['E', 'e', '.', ',']) {
                row.bad(
                    "gtin",
                    Problem::GtinAsNumber {
                        value: g.to_string(),
                    },
                );
                continue;
            }
            match gtin::normalize(g) {
                Ok(g14) => {
                    if !gtins.contains(&g14) {
                        gtins.push(g14)
                    }
                }
                Err(e) => row.bad("gtin", gtin_problem(e)),
            }
        }
        if row.text("gtin").is_empty() {
            row.bad("gtin", Problem::Required);
        }
        gtins.sort();
        let max_daily = row.dec_opt("max_daily_dose", 3);
        let in_use = row.int_opt("in_use_days", 1);
        let per_patient = if row.text("per_patient").is_empty() {
            Some(false)
        } else {
            row.boolean("per_patient")
        };
        let kind = if row.text("kind").is_empty() {
            Some(if form == Some("consumable") {
                "consumable"
            } else {
                "drug"
            })
        } else {
            row.one_of("kind", ITEM_KINDS)
        };
        let supplier = match row.opt("supplier") {
            None => Some(None),
            Some(s) => {
                let found: Option<(i64, i64, String)> = self
                    .conn
                    .query_row(
                        "SELECT id, lead_days, code FROM suppliers WHERE code = ?1 COLLATE NOCASE",
                        [&s],
                        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                    )
                    .optional()?;
                if found.is_none() {
                    row.bad("supplier", Problem::UnknownSupplier { code: s });
                }
                // Go on to check the GTINs; the row is not written.
                Some(found)
            }
        };
        let (
            Some(code),
            Some(name),
            Some(generic),
            Some(form),
            Some(strength),
            Some(strength_unit),
            Some(dose_unit),
            Some(per_pack),
            Some(price),
            Some(storage),
            Some(controlled),
            Some(high_alert),
            Some(max_daily),
            Some(in_use),
            Some(per_patient),
            Some(kind),
            Some(supplier),
        ) = (
            code,
            name,
            generic,
            form,
            strength,
            strength_unit,
            dose_unit,
            per_pack,
            price,
            storage,
            controlled,
            high_alert,
            max_daily,
            in_use,
            per_patient,
            kind,
            supplier,
        )
        else {
            return Ok(None);
        };
        if !self.first_time(
            row,
            "code",
            format!("item:{}", code.to_lowercase()),
            code.clone(),
        ) {
            return Ok(None);
        }
        if strength.is_some() && strength_unit.is_none() {
            row.bad("strength_unit", Problem::Required);
        }
        if in_use.is_some() && strength.is_none_or(|s| s <= 0) {
            row.bad("in_use_days", Problem::MultiDosePack);
        }
        let existing = self.item_row(&code)?;
        let id = existing.as_ref().map(|(id, _)| *id);
        // A GTIN linked to another item is refused, naming it.
        for g in &gtins {
            let other: Option<(i64, String)> = self
                .conn
                .query_row(
                    "SELECT i.id, i.code FROM item_gtins g JOIN items i ON i.id = g.item_id WHERE g.gtin = ?1",
                    [g],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            if let Some((oid, ocode)) = other
                && Some(oid) != id
            {
                row.bad(
                    "gtin",
                    Problem::GtinElsewhere {
                        gtin: gtin_text(g).to_string(),
                        item: ocode,
                    },
                );
            }
        }
        if !row.problems.is_empty() {
            return Ok(None);
        }
        let old = existing.as_ref().map(|(_, r)| r);
        let new = ItemRow {
            code: old.map_or(code.clone(), |o| o.code.clone()),
            name,
            generic_name: generic,
            atc,
            form: form.to_string(),
            strength_milli: strength,
            strength_unit: strength_unit.map(str::to_string),
            dose_unit: dose_unit.to_string(),
            units_per_pack: per_pack,
            gtins: gtins.clone(),
            unit_price_cents: price,
            storage: storage.to_string(),
            controlled,
            high_alert,
            // Optional columns left out keep what is stored.
            supplier: if row.has("supplier") {
                supplier.as_ref().map(|s| s.2.clone())
            } else {
                old.and_then(|o| o.supplier.clone())
            },
            max_daily_milli: if row.has("max_daily_dose") {
                max_daily
            } else {
                old.and_then(|o| o.max_daily_milli)
            },
            in_use_days: if row.has("in_use_days") {
                in_use
            } else {
                old.and_then(|o| o.in_use_days)
            },
            per_patient: if row.has("per_patient") {
                per_patient
            } else {
                old.is_some_and(|o| o.per_patient)
            },
            kind: if row.has("kind") {
                kind.to_string()
            } else {
                old.map_or(kind.to_string(), |o| o.kind.clone())
            },
        };
        if old == Some(&new) {
            return Ok(Some(Outcome::Unchanged));
        }
        let item = NewItem {
            code: new.code.clone(),
            name: new.name.clone(),
            generic_name: new.generic_name.clone(),
            atc: new.atc.clone(),
            form: new.form.clone(),
            strength_milli: new.strength_milli,
            strength_unit: new.strength_unit.clone(),
            dose_unit: new.dose_unit.clone(),
            units_per_pack: new.units_per_pack,
            gtin: new.gtins[0].clone(),
            unit_price_cents: new.unit_price_cents,
            storage: new
                .storage
                .parse::<StorageClass>()
                .unwrap_or(StorageClass::Room),
            controlled: new.controlled,
            high_alert: new.high_alert,
            kind: new.kind.parse::<ItemKind>().unwrap_or(ItemKind::Drug),
            max_daily_milli: new.max_daily_milli,
            in_use_days: new.in_use_days,
            per_patient: new.per_patient,
        };
        let supplier_ids = if row.has("supplier") {
            supplier.map(|s| (s.0, s.1))
        } else {
            None
        };
        let item_id = match id {
            Some(id) => {
                refdata::update_item(self.conn, id, &item).map_err(store_err)?;
                id
            }
            None => refdata::add_item(self.conn, &item, supplier_ids.map_or(1, |s| s.1))
                .map_err(store_err)?,
        };
        if row.has("supplier") {
            refdata::set_item_supplier(self.conn, item_id, supplier_ids).map_err(store_err)?;
        }
        let linked = old.map_or_else(|| vec![new.gtins[0].clone()], |o| o.gtins.clone());
        for g in &new.gtins {
            if !linked.contains(g) {
                refdata::link_gtin(self.conn, item_id, &new.code, g).map_err(store_err)?;
            }
        }
        for g in &linked {
            if !new.gtins.contains(g) {
                refdata::unlink_gtin(self.conn, item_id, g).map_err(store_err)?;
            }
        }
        self.keep("item", &new.code, old, &new)
    }

    fn item_row(&self, code: &str) -> Result<Option<(i64, ItemRow)>, ImportError> {
        let found = self
            .conn
            .query_row(
                "SELECT i.id, i.code, i.name, i.generic_name, i.atc, i.form, i.strength_milli, i.strength_unit,
                        i.dose_unit, i.units_per_pack, i.unit_price_cents, i.storage, i.controlled, i.high_alert,
                        s.code, i.max_daily_milli, i.in_use_days, i.per_patient, i.kind
                 FROM items i LEFT JOIN suppliers s ON s.id = i.supplier_id WHERE i.code = ?1 COLLATE NOCASE",
                [code],
                |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        ItemRow {
                            code: r.get(1)?,
                            name: r.get(2)?,
                            generic_name: r.get(3)?,
                            atc: r.get(4)?,
                            form: r.get(5)?,
                            strength_milli: r.get(6)?,
                            strength_unit: r.get(7)?,
                            dose_unit: r.get(8)?,
                            units_per_pack: r.get(9)?,
                            gtins: Vec::new(),
                            unit_price_cents: r.get(10)?,
                            storage: r.get(11)?,
                            controlled: r.get(12)?,
                            high_alert: r.get(13)?,
                            supplier: r.get(14)?,
                            max_daily_milli: r.get(15)?,
                            in_use_days: r.get(16)?,
                            per_patient: r.get(17)?,
                            kind: r.get(18)?,
                        },
                    ))
                },
            )
            .optional()?;
        let Some((id, mut row)) = found else {
            return Ok(None);
        };
        let mut stmt = self
            .conn
            .prepare_cached("SELECT gtin FROM item_gtins WHERE item_id = ?1 ORDER BY gtin")?;
        row.gtins = stmt
            .query_map([id], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(Some((id, row)))
    }

    // --- places and locations ----------------------------------------------

    pub(super) fn place(&mut self, row: &mut Row) -> Step {
        let code = row.req("code");
        let name = row.req("name");
        let kind = row.one_of("kind", PLACE_KINDS);
        let minutes = row.int("transport_minutes", 0);
        let (Some(code), Some(name), Some(kind), Some(minutes)) = (code, name, kind, minutes)
        else {
            return Ok(None);
        };
        if !self.first_time(
            row,
            "code",
            format!("place:{}", code.to_lowercase()),
            code.clone(),
        ) {
            return Ok(None);
        }
        let existing: Option<(i64, PlaceRow)> = self
            .conn
            .query_row(
                "SELECT id, code, name, kind, transport_minutes FROM places WHERE code = ?1 COLLATE NOCASE",
                [&code],
                |r| {
                    Ok((
                        r.get(0)?,
                        PlaceRow {
                            code: r.get(1)?,
                            name: r.get(2)?,
                            kind: r.get(3)?,
                            transport_minutes: r.get(4)?,
                        },
                    ))
                },
            )
            .optional()?;
        let new = PlaceRow {
            code: existing.as_ref().map_or(code.clone(), |e| e.1.code.clone()),
            name,
            kind: kind.to_string(),
            transport_minutes: minutes,
        };
        match &existing {
            Some((_, old)) if old.kind != new.kind => {
                row.bad(
                    "kind",
                    Problem::PlaceKindFixed {
                        was: old.kind.clone(),
                    },
                );
                return Ok(None);
            }
            Some((id, old)) if *old != new => {
                refdata::update_place(self.conn, *id, &new.name, new.transport_minutes)
                    .map_err(store_err)?;
            }
            Some(_) => {}
            None => {
                let k = if kind == "pharmacy" {
                    PlaceKind::Pharmacy
                } else {
                    PlaceKind::Ward
                };
                refdata::add_place(self.conn, &new.code, &new.name, k, minutes)
                    .map_err(store_err)?;
            }
        }
        self.keep("place", &new.code, existing.as_ref().map(|e| &e.1), &new)
    }

    pub(super) fn location(&mut self, row: &mut Row) -> Step {
        let place = row.req("place");
        let code = row.req("code");
        let name = row.req("name");
        let kind = row.one_of("kind", LOCATION_KINDS);
        let place = match place {
            Some(p) => self.place_id(row, "place", &p)?,
            None => None,
        };
        let (Some((place_id, _)), Some(code), Some(name), Some(kind)) = (place, code, name, kind)
        else {
            return Ok(None);
        };
        let kind = if kind == "safe" { "cd_safe" } else { kind };
        let place_code: String =
            self.conn
                .query_row("SELECT code FROM places WHERE id = ?1", [place_id], |r| {
                    r.get(0)
                })?;
        if !self.first_time(
            row,
            "code",
            format!("location:{place_id}:{}", code.to_lowercase()),
            format!("{place_code} / {code}"),
        ) {
            return Ok(None);
        }
        let existing: Option<(i64, LocationRow)> = self
            .conn
            .query_row(
                "SELECT id, code, name, kind FROM locations WHERE place_id = ?1 AND code = ?2 COLLATE NOCASE",
                params![place_id, code],
                |r| {
                    Ok((
                        r.get(0)?,
                        LocationRow {
                            place: place_code.clone(),
                            code: r.get(1)?,
                            name: r.get(2)?,
                            kind: r.get(3)?,
                        },
                    ))
                },
            )
            .optional()?;
        let new = LocationRow {
            place: place_code.clone(),
            code: existing.as_ref().map_or(code.clone(), |e| e.1.code.clone()),
            name,
            kind: kind.to_string(),
        };
        match &existing {
            Some((id, old)) if *old != new => {
                refdata::update_location(self.conn, *id, &new.name, &new.kind).map_err(store_err)?
            }
            Some(_) => {}
            None => {
                refdata::add_location(self.conn, place_id, &new.code, &new.name, &new.kind)
                    .map_err(store_err)?;
            }
        }
        let key = format!("{}/{}", new.place, new.code);
        self.keep("location", &key, existing.as_ref().map(|e| &e.1), &new)
    }

    // --- suppliers ---------------------------------------------------------

    pub(super) fn supplier(&mut self, row: &mut Row) -> Step {
        let code = row.req("code");
        let name = row.req("name");
        let lead = row.int("lead_days", 0);
        let (Some(code), Some(name), Some(lead)) = (code, name, lead) else {
            return Ok(None);
        };
        if !self.first_time(
            row,
            "code",
            format!("supplier:{}", code.to_lowercase()),
            code.clone(),
        ) {
            return Ok(None);
        }
        let existing: Option<(i64, SupplierRow)> = self
            .conn
            .query_row(
                "SELECT id, code, name, lead_days, contact FROM suppliers WHERE code = ?1 COLLATE NOCASE",
                [&code],
                |r| {
                    Ok((
                        r.get(0)?,
                        SupplierRow {
                            code: r.get(1)?,
                            name: r.get(2)?,
                            lead_days: r.get(3)?,
                            contact: r.get(4)?,
                        },
                    ))
                },
            )
            .optional()?;
        let new = SupplierRow {
            code: existing.as_ref().map_or(code.clone(), |e| e.1.code.clone()),
            name,
            lead_days: lead,
            // Without the column, the contact on record is kept.
            contact: if row.has("contact") {
                refdata::supplier_contact(Some(row.text("contact")))
            } else {
                existing.as_ref().and_then(|e| e.1.contact.clone())
            },
        };
        match &existing {
            Some((id, old)) if *old != new => refdata::update_supplier(
                self.conn,
                *id,
                &new.name,
                new.lead_days,
                new.contact.as_deref(),
            )
            .map_err(store_err)?,
            Some(_) => {}
            None => {
                refdata::add_supplier(
                    self.conn,
                    &new.code,
                    &new.name,
                    new.lead_days,
                    new.contact.as_deref(),
                )
                .map_err(store_err)?;
            }
        }
        self.keep("supplier", &new.code, existing.as_ref().map(|e| &e.1), &new)
    }

    // --- users -------------------------------------------------------------

    pub(super) fn user(&mut self, row: &mut Row) -> Step {
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

    pub(super) fn patient(&mut self, row: &mut Row) -> Step {
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
        let (Some(mrn), Some(name), Some(dob), Some(ward_id), Some(sex)) =
            (mrn, name, dob, ward, sex)
        else {
            return Ok(None);
        };
        if !self.first_time(row, "mrn", format!("patient:{mrn}"), mrn.clone()) {
            return Ok(None);
        }
        let existing: Option<(i64, PatientRow)> = self
            .conn
            .query_row(
                "SELECT p.id, p.mrn, p.name, p.dob, w.code, p.bed, p.sex FROM patients p LEFT JOIN places w ON w.id = p.ward_id WHERE p.mrn = ?1",
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
        self.keep("patient", &new.mrn, existing.as_ref().map(|e| &e.1), &new)
    }

    pub(super) fn allergy(&mut self, row: &mut Row) -> Step {
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

    // --- opening stock -----------------------------------------------------

    pub(super) fn stock(&mut self, row: &mut Row) -> Step {
        let place = match row.req("place") {
            Some(p) => match self.place_id(row, "place", &p)? {
                Some((_, kind)) if kind == "transit" => {
                    row.bad(
                        "place",
                        Problem::OneOf {
                            value: p,
                            allowed: PLACE_KINDS.join(" | "),
                        },
                    );
                    None
                }
                found => found.map(|f| (f.0, p)),
            },
            None => None,
        };
        let item = match row.req("item") {
            Some(code) => {
                let found: Option<(i64, i64, String)> = self
                    .conn
                    .query_row(
                        "SELECT id, units_per_pack, code FROM items WHERE code = ?1 COLLATE NOCASE",
                        [&code],
                        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                    )
                    .optional()?;
                if found.is_none() {
                    row.bad("item", Problem::UnknownItem { code });
                }
                found
            }
            None => None,
        };
        let lot = row.req("lot");
        let expiry = row.date_opt("expiry");
        let qty = row.int_opt("qty", 1);
        let packs = row.int_opt("packs", 1);
        // The location as written; empty is where the item arrives at the
        // place (resolved below, once the item is known).
        let mut location = None;
        if let (Some(p), Some(l)) = (&place, row.opt("location")) {
            let found: Option<(i64, String)> = self
                .conn
                .query_row(
                    "SELECT id, code FROM locations WHERE place_id = ?1 AND code = ?2 COLLATE NOCASE AND closed_at IS NULL",
                    params![p.0, l],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            location = found.clone();
            if found.is_none() {
                row.bad(
                    "location",
                    Problem::UnknownLocation {
                        place: p.1.clone(),
                        code: l,
                    },
                );
            }
        }
        let qty = match (qty, packs, &item) {
            (Some(Some(q)), Some(None), _) => Some(q),
            (Some(None), Some(Some(p)), Some(it)) => p.checked_mul(it.1),
            (Some(None), Some(None), _) | (Some(Some(_)), Some(Some(_)), _) => {
                row.bad(
                    if row.has("qty") { "qty" } else { "packs" },
                    Problem::QtyOrPacks,
                );
                None
            }
            _ => None,
        };
        let (
            Some((place_id, place_code)),
            Some((item_id, _, item_code)),
            Some(lot),
            Some(expiry),
            Some(qty),
        ) = (place, item, lot, expiry, qty)
        else {
            return Ok(None);
        };
        if row.has("location") && !row.text("location").is_empty() && location.is_none() {
            return Ok(None);
        }
        // A row is one lot at one location of a place, as the export writes
        // it; no location is where the item arrives at the place.
        let location_written = location.is_some();
        let (location_id, location_code) = match location {
            Some(found) => found,
            None => {
                let id = ledger::default_location(self.conn, place_id, item_id)?;
                let code: String =
                    self.conn
                        .query_row("SELECT code FROM locations WHERE id = ?1", [id], |r| {
                            r.get(0)
                        })?;
                (id, code)
            }
        };
        // A cold item only in a fridge, a controlled drug only in the safe.
        let (storage, controlled, kind): (String, bool, String) = self.conn.query_row(
            "SELECT i.storage, i.controlled, l.kind FROM items i, locations l WHERE i.id = ?1 AND l.id = ?2",
            params![item_id, location_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        let storage = storage.parse().unwrap_or(crate::domain::StorageClass::Room);
        if let Err(needs) = crate::domain::storage::fits(storage, controlled, &kind) {
            row.bad(
                "location",
                Problem::WrongStorage {
                    location: format!("{place_code}/{location_code}"),
                    needs,
                },
            );
            return Ok(None);
        }
        if !self.first_time(
            row,
            "lot",
            format!("stock:{place_id}:{item_id}:{lot}:{location_id}"),
            format!("{place_code} / {item_code} / {lot} / {location_code}"),
        ) {
            return Ok(None);
        }
        let known: Option<(i64, Option<String>)> = self
            .conn
            .query_row(
                "SELECT id, expiry FROM lots WHERE item_id = ?1 AND lot_number = ?2",
                params![item_id, lot],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let expiry_text = expiry.map(|d| d.format("%Y-%m-%d").to_string());
        if let Some((lot_id, stored)) = &known {
            if *stored != expiry_text {
                row.bad(
                    "expiry",
                    Problem::LotExpiry {
                        lot: lot.clone(),
                        expiry: stored.clone().unwrap_or_default(),
                    },
                );
                return Ok(None);
            }
            let held: Option<i64> = self
                .conn
                .query_row(
                    "SELECT qty FROM location_balances WHERE place_id = ?1 AND lot_id = ?2 AND location_id = ?3",
                    params![place_id, lot_id, location_id],
                    |r| r.get(0),
                )
                .optional()?;
            match held {
                Some(h) if h == qty => return Ok(Some(Outcome::Unchanged)),
                Some(h) if h > 0 => {
                    row.bad(
                        "qty",
                        Problem::AlreadyHeld {
                            held: h,
                            location: location_code,
                        },
                    );
                    return Ok(None);
                }
                // No location written, none held where the item arrives, but
                // some elsewhere at the place (moved there, or the item's
                // location changed since): booking it again would count the
                // lot twice.
                _ if !location_written => {
                    let elsewhere = self.held_elsewhere(place_id, item_id, *lot_id, &lot)?;
                    if !elsewhere.is_empty() {
                        row.bad("location", Problem::HeldElsewhere { at: elsewhere });
                        return Ok(None);
                    }
                }
                _ => {}
            }
        }
        // Stock already held is left alone above; an expired lot is not
        // opened as new stock.
        if let Some(d) = expiry
            && d < self.today
        {
            row.bad("expiry", Problem::Expired { date: d });
        }
        if !row.problems.is_empty() {
            return Ok(None);
        }
        let lot_id = ledger::lot_id_or_create(self.conn, item_id, &lot, expiry, self.now)?;
        ledger::append(
            self.conn,
            &NewMovement {
                at: self.now,
                user_id: self.actor.user_id,
                kind: MovementKind::Adjustment,
                item_id,
                lot_id,
                from_place: None,
                to_place: Some(place_id),
                from_location: None,
                to_location: Some(location_id),
                qty,
                reason: Some(OPENING_BALANCE.into()),
                patient_id: None,
                order_ref: Some(format!("import {item_code}")),
            },
        )?;
        Ok(Some(Outcome::Added))
    }
}

impl Ctx<'_> {
    /// Where a lot is held at a place (`SHELF-B 4, FRIDGE 2`), leaving out
    /// the locations this file has booked it at.
    fn held_elsewhere(
        &self,
        place_id: i64,
        item_id: i64,
        lot_id: i64,
        lot: &str,
    ) -> Result<String, ImportError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT lb.location_id, loc.code, lb.qty FROM location_balances lb
             JOIN locations loc ON loc.id = lb.location_id
             WHERE lb.place_id = ?1 AND lb.lot_id = ?2 AND lb.qty > 0 ORDER BY loc.code",
        )?;
        let rows = stmt
            .query_map(params![place_id, lot_id], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows
            .into_iter()
            .filter(|(loc, _, _)| {
                !self
                    .seen
                    .contains_key(&format!("stock:{place_id}:{item_id}:{lot}:{loc}"))
            })
            .map(|(_, code, qty)| format!("{code} {}", crate::i18n::num(qty)))
            .collect::<Vec<_>>()
            .join(", "))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(super) struct ItemRow {
    code: String,
    name: String,
    generic_name: String,
    atc: Option<String>,
    form: String,
    strength_milli: Option<i64>,
    strength_unit: Option<String>,
    dose_unit: String,
    units_per_pack: i64,
    gtins: Vec<String>,
    unit_price_cents: i64,
    storage: String,
    controlled: bool,
    high_alert: bool,
    supplier: Option<String>,
    max_daily_milli: Option<i64>,
    in_use_days: Option<i64>,
    per_patient: bool,
    kind: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(super) struct PlaceRow {
    code: String,
    name: String,
    kind: String,
    transport_minutes: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(super) struct LocationRow {
    place: String,
    code: String,
    name: String,
    kind: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(super) struct SupplierRow {
    code: String,
    name: String,
    lead_days: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    contact: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(super) struct UserRow {
    name: String,
    full_name: String,
    role: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(super) struct PatientRow {
    mrn: String,
    name: String,
    date_of_birth: String,
    ward: Option<String>,
    bed: Option<String>,
    sex: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(super) struct AllergyRow {
    mrn: String,
    substance: String,
    kind: String,
    atc: Option<String>,
    reaction: Option<String>,
}
