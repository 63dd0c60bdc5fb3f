//! Places, their storage locations, and suppliers from a spreadsheet.

use super::*;

impl Ctx<'_> {
    // --- places and locations ----------------------------------------------

    pub(in crate::ops::import) fn place(&mut self, row: &mut Row) -> Step {
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

    pub(in crate::ops::import) fn location(&mut self, row: &mut Row) -> Step {
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

    pub(in crate::ops::import) fn supplier(&mut self, row: &mut Row) -> Step {
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
}
