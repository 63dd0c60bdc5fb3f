//! Items (the formulary) from a spreadsheet: checked, matched by code,
//! added or changed through the reference-data functions.

use super::*;

impl Ctx<'_> {
    // --- items -------------------------------------------------------------

    pub(in crate::ops::import) fn item(&mut self, row: &mut Row) -> Step {
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
}
