//! Opening stock from a spreadsheet: one row per place, item, lot and
//! storage location, booked as attributed opening-balance movements.

use super::*;

impl Ctx<'_> {
    // --- opening stock -----------------------------------------------------

    pub(in crate::ops::import) fn stock(&mut self, row: &mut Row) -> Step {
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
            (Some(None), Some(Some(p)), Some(it)) => {
                let max = crate::ops::items::MAX_UNITS;
                match p.checked_mul(it.1).filter(|q| *q <= max) {
                    Some(q) => Some(q),
                    None => {
                        row.bad(
                            "packs",
                            Problem::TooLarge {
                                value: p.saturating_mul(it.1),
                                max,
                            },
                        );
                        None
                    }
                }
            }
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
