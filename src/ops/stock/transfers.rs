//! Transfers between places: request, pick (FEFO), unpick, dispatch and
//! confirm receipt, and the list of transfer orders.

use super::*;

// ---------------------------------------------------------------- transfers

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suggestion {
    pub lot_id: i64,
    pub lot_number: String,
    pub expiry: Option<NaiveDate>,
    /// Where to find it: the storage location in the sending place.
    pub location: String,
    pub qty: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PickLine {
    pub line_id: i64,
    pub item: ItemRef,
    pub requested: i64,
    pub picked: i64,
    /// Units still to pick (the shortfall once dispatched).
    pub open: i64,
    /// FEFO lots for the open quantity, by expiry; a lot kept at two
    /// locations is one suggestion per location.
    pub suggestions: Vec<Suggestion>,
    /// Units no usable lot can cover.
    pub shortfall: i64,
    /// Units of the item held at the sending place for scheduled cases
    /// (never picked).
    pub reserved: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TransferOrder {
    pub id: i64,
    pub from: String,
    pub to: String,
    pub status: String,
    pub created_at: String,
    /// Raised urgently (a dose not given for lack of supply, a past-due
    /// delivery): picked first.
    pub urgent: bool,
    pub lines: Vec<PickLine>,
    /// On dispatch: the new order that carries what could not be picked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backorder: Option<i64>,
}

/// Day the goods will be used: arrival on the ward after transport, on the
/// site's clock.
fn arrival_day(
    conn: &Connection,
    now: DateTime<Utc>,
    to: &PlaceRef,
) -> rusqlite::Result<NaiveDate> {
    let zone = crate::store::queries::site_zone(conn)?;
    // A transport time beyond reckoning (mistyped) counts as none.
    let arrival = Duration::try_minutes(to.transport_minutes)
        .and_then(|d| now.checked_add_signed(d))
        .unwrap_or(now);
    Ok(arrival.with_timezone(&zone).date_naive())
}

/// Creates a transfer order from the pharmacy to a ward.
pub fn request_transfer(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    ward: &PlaceRef,
    lines: &[(ItemRef, i64)],
    note: Option<&str>,
) -> Result<i64> {
    allow(actor, Operation::RequestTransfer)?;
    if ward.kind != PlaceKind::Ward {
        return Err(StockError::TransferNotToWard(ward.code.clone()));
    }
    if lines.is_empty() {
        return Err(StockError::EmptyTransfer);
    }
    for (_, q) in lines {
        qty_ok(*q)?;
    }
    store.write(|tx| insert_transfer(tx, actor, now, ward.id, lines, note))
}

/// Writes a transfer order pharmacy → ward within the caller's transaction.
pub(crate) fn insert_transfer(
    tx: &Connection,
    actor: &Actor,
    now: DateTime<Utc>,
    ward_id: i64,
    lines: &[(ItemRef, i64)],
    note: Option<&str>,
) -> Result<i64> {
    insert_transfer_from(tx, actor, now, None, ward_id, lines, note)
}

/// Writes a transfer order to a ward from `from` (the pharmacy when `None`)
/// within the caller's transaction.
pub(crate) fn insert_transfer_from(
    tx: &Connection,
    actor: &Actor,
    now: DateTime<Utc>,
    from: Option<i64>,
    ward_id: i64,
    lines: &[(ItemRef, i64)],
    note: Option<&str>,
) -> Result<i64> {
    let (code, closed): (String, Option<String>) = tx.query_row(
        "SELECT code, closed_at FROM places WHERE id = ?1",
        [ward_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    if closed.is_some() {
        return Err(StockError::PlaceClosed(code));
    }
    let from = match from {
        Some(id) => id,
        None => place_of_kind(tx, PlaceKind::Pharmacy)?.id,
    };
    tx.execute(
        "INSERT INTO transfer_orders (created_at, created_by, from_place_id, to_place_id, status, note) VALUES (?1, ?2, ?3, ?4, 'open', ?5)",
        params![instant_to_text(now), actor.user_id, from, ward_id, note],
    )?;
    let id = tx.last_insert_rowid();
    for (item, q) in lines {
        tx.execute(
            "INSERT INTO transfer_lines (order_id, item_id, qty_requested) VALUES (?1, ?2, ?3)
             ON CONFLICT (order_id, item_id) DO UPDATE SET qty_requested = qty_requested + excluded.qty_requested",
            params![id, item.id, q],
        )?;
    }
    Ok(id)
}

/// The order with its pick list: per line, the FEFO lots to pick for what is still open.
pub fn transfer_order(
    conn: &Connection,
    order_id: i64,
    now: DateTime<Utc>,
) -> Result<TransferOrder> {
    let head = conn
        .query_row(
            &format!("SELECT o.from_place_id, o.to_place_id, o.status, o.created_at, {URGENT} FROM transfer_orders o WHERE o.id = ?1"),
            [order_id],
            |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?, r.get::<_, bool>(4)?)),
        )
        .optional()?
        .ok_or(StockError::UnknownTransfer(order_id))?;
    let from = place_by_id(conn, head.0)?;
    let to = place_by_id(conn, head.1)?;
    let day = arrival_day(conn, now, &to)?;
    let mut stmt = conn.prepare_cached(
        "SELECT l.id, l.item_id, l.qty_requested, COALESCE((SELECT SUM(qty) FROM picks p WHERE p.line_id = l.id), 0)
         FROM transfer_lines l WHERE l.order_id = ?1 ORDER BY l.id",
    )?;
    let raw: Vec<(i64, i64, i64, i64)> = stmt
        .query_map([order_id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut lines = Vec::new();
    for (line_id, item_id, requested, picked) in raw {
        let item = item_by_id(conn, item_id)?;
        let open = (requested - picked).max(0);
        // Units held for the sending place's scheduled cases are not picked.
        let held = crate::ops::reservations::held(conn, from.id, item_id, None)?;
        let lots = crate::domain::reservations::hold_back(
            lot_stock(conn, from.id, item_id)?,
            held.qty,
            day,
        );
        let plan = fefo::pick(&lots, open, day);
        let mut suggestions = Vec::new();
        for p in &plan.picks {
            let l = lot_by_id(conn, p.lot_id)?;
            // Units are taken location by location in this order (the ledger's).
            let mut left = p.qty;
            for (_, location, held) in ledger::lot_locations(conn, from.id, l.id)? {
                if left == 0 {
                    break;
                }
                let qty = held.min(left);
                left -= qty;
                suggestions.push(Suggestion {
                    lot_id: l.id,
                    lot_number: l.lot_number.clone(),
                    expiry: l.expiry,
                    location,
                    qty,
                });
            }
        }
        lines.push(PickLine {
            line_id,
            item,
            requested,
            picked,
            open,
            suggestions,
            shortfall: plan.shortfall,
            reserved: held.qty,
        });
    }
    // The pick list walks the store: lines in the order of the locations of
    // their first lot; lines with nothing to pick last.
    lines.sort_by(|a, b| {
        let at = |l: &PickLine| l.suggestions.first().map(|s| s.location.clone());
        (at(a).is_none(), at(a), a.line_id).cmp(&(at(b).is_none(), at(b), b.line_id))
    });
    Ok(TransferOrder {
        id: order_id,
        from: from.code,
        to: to.code,
        status: head.2,
        created_at: head.3,
        urgent: head.4,
        lines,
        backorder: None,
    })
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Picked {
    pub lot_number: String,
    pub qty: i64,
    /// The FEFO suggestion, when another lot was picked.
    pub deviation_from: Option<String>,
    pub line_open: i64,
}

/// Picks units of a lot for an order line (by scanning a pack, or typed).
/// Another lot than the FEFO suggestion is accepted only if usable, and the
/// deviation is recorded. The units move to "in transit".
pub fn pick(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    order_id: i64,
    item: &ItemRef,
    lot: &str,
    qty: Option<i64>,
    scanned: bool,
) -> Result<Picked> {
    pick_pack(store, actor, now, order_id, item, lot, None, qty, scanned)
}

/// [`pick`], with the expiry printed on the scanned pack: a pack whose
/// expiry is not its lot's recorded one is refused with both dates (a
/// different expiry is a different lot).
pub fn pick_pack(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    order_id: i64,
    item: &ItemRef,
    lot: &str,
    pack_expiry: Option<NaiveDate>,
    qty: Option<i64>,
    scanned: bool,
) -> Result<Picked> {
    store.write(|tx| {
        allow_sending(tx, actor, order_id, Operation::Pick)?;
        if let Some(label) = pack_expiry
            && let Ok(l) = lot_by_number(tx, item, lot)
            && l.expiry != Some(label)
        {
            return Err(StockError::ExpiryMismatch {
                item: item.name.clone(),
                lot: lot.to_string(),
                recorded: l.expiry,
                given: Some(label),
            });
        }
        let order = transfer_order(tx, order_id, now)?;
        if order.status != "open" {
            return Err(StockError::PickNotOpen { order: order_id, status: order.status });
        }
        let Some(line) = order.lines.iter().find(|l| l.item.id == item.id) else {
            return Err(StockError::NotOnTransfer { item: item.name.clone(), order: order_id });
        };
        if line.open == 0 {
            return Err(StockError::FullyPicked { item: item.name.clone(), order: order_id, picked: line.picked, requested: line.requested });
        }
        // A lot that may not go to the ward is refused first, whatever the quantity.
        let to = place_by_code(tx, &order.to)?;
        let l = lot_by_number(tx, item, lot)?;
        usable(&l, item, arrival_day(tx, now, &to)?, LotUse::SentToWard)?;
        // One scan is one whole pack, unless a quantity is given; never more than is open.
        let qty = match qty {
            Some(q) => q.min(line.open),
            None if item.units_per_pack > line.open => {
                return Err(StockError::PackLargerThanOpen {
                    item: item.name.clone(),
                    unit: item.dose_unit.clone(),
                    open: line.open,
                    pack: item.units_per_pack,
                });
            }
            None => item.units_per_pack,
        };
        qty_ok(qty)?;
        let from = place_by_code(tx, &order.from)?;
        let transit = transit_place(tx)?;
        take_from_lot(tx, &from, item, &l, qty)?;
        let day = arrival_day(tx, now, &to)?;
        crate::ops::reservations::guard(tx, &from, item, qty, day, None)?;
        let suggested = line.suggestions.first();
        let deviation = suggested.is_some_and(|s| s.lot_id != l.id);
        let mut m = movement(actor, now, MovementKind::Transfer, item, l.id);
        m.from_place = Some(from.id);
        m.to_place = Some(transit.id);
        m.qty = qty;
        m.order_ref = Some(format!("TO-{order_id}"));
        m.reason = deviation.then(|| format!("picked instead of FEFO lot {}", suggested.map(|s| s.lot_number.as_str()).unwrap_or("")));
        let movement_id = ledger::append(tx, &m)?;
        tx.execute(
            "INSERT INTO picks (line_id, lot_id, qty, suggested_lot_id, deviation, scanned, at, user_id, movement_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![line.line_id, l.id, qty, suggested.map(|s| s.lot_id), deviation, scanned, instant_to_text(now), actor.user_id, movement_id],
        )?;
        Ok(Picked {
            lot_number: l.lot_number,
            qty,
            deviation_from: if deviation { suggested.map(|s| s.lot_number.clone()) } else { None },
            line_open: line.open - qty,
        })
    })
}

/// (item, lot, units) picked on an order.
fn picked_lots(conn: &Connection, order_id: i64) -> rusqlite::Result<Vec<(i64, i64, i64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT l.item_id, p.lot_id, SUM(p.qty) FROM picks p JOIN transfer_lines l ON l.id = p.line_id
         WHERE l.order_id = ?1 GROUP BY l.item_id, p.lot_id ORDER BY l.item_id, p.lot_id",
    )?;
    stmt.query_map([order_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect()
}

/// Takes a lot off an open order: its picked units go back from transit to
/// the pharmacy shelf and the line is open again.
pub fn unpick(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    order_id: i64,
    item: &ItemRef,
    lot: &str,
) -> Result<Taken> {
    store.write(|tx| {
        allow_sending(tx, actor, order_id, Operation::Pick)?;
        let order = transfer_order(tx, order_id, now)?;
        if order.status != "open" {
            return Err(StockError::UnpickNotOpen { order: order_id });
        }
        let l = lot_by_number(tx, item, lot)?;
        let Some(&(_, _, qty)) = picked_lots(tx, order_id)?.iter().find(|(i, lt, _)| *i == item.id && *lt == l.id) else {
            return Err(StockError::NotPicked { lot: lot.to_string(), item: item.name.clone(), order: order_id });
        };
        let from = place_by_code(tx, &order.from)?;
        let transit = transit_place(tx)?;
        // Back to the location it was picked from, if that is still open.
        let back: Option<i64> = tx
            .query_row(
                "SELECT m.from_location_id FROM picks p JOIN transfer_lines tl ON tl.id = p.line_id
                 JOIN movements m ON m.id = p.movement_id JOIN locations loc ON loc.id = m.from_location_id
                 WHERE tl.order_id = ?1 AND tl.item_id = ?2 AND p.lot_id = ?3 AND loc.closed_at IS NULL
                 ORDER BY p.id LIMIT 1",
                params![order_id, item.id, l.id],
                |r| r.get(0),
            )
            .optional()?
            .flatten();
        let mut m = movement(actor, now, MovementKind::Transfer, item, l.id);
        m.from_place = Some(transit.id);
        m.to_place = Some(from.id);
        m.to_location = back;
        m.qty = qty;
        m.order_ref = Some(format!("TO-{order_id}"));
        m.reason = Some("taken off the order".into());
        let movement_id = ledger::append(tx, &m)?;
        // The ledger keeps both movements; the order forgets the pick.
        tx.execute(
            "DELETE FROM picks WHERE lot_id = ?2 AND line_id IN (SELECT id FROM transfer_lines WHERE order_id = ?1 AND item_id = ?3)",
            params![order_id, l.id, item.id],
        )?;
        Ok(Taken { lot_id: l.id, lot_number: l.lot_number, qty, movement_id, warning: None, location: None })
    })
}

/// Who may pick and send an order: the pharmacy's storekeepers and
/// pharmacists (`op`); for an emergency transfer another ward lends, that
/// ward's nurses too.
fn allow_sending(tx: &Connection, actor: &Actor, order_id: i64, op: Operation) -> Result<()> {
    let from_ward: bool = tx
        .query_row(
            "SELECT p.kind = 'ward' FROM transfer_orders o JOIN places p ON p.id = o.from_place_id WHERE o.id = ?1",
            [order_id],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or(false);
    Ok(allow(actor, if from_ward { Operation::Lend } else { op })?)
}

/// Sends the picked goods; what was not picked stays open on the order as its shortfall.
pub fn dispatch(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    order_id: i64,
    witness: Option<&Actor>,
) -> Result<TransferOrder> {
    store.write(|tx| {
        allow_sending(tx, actor, order_id, Operation::Dispatch)?;
        let order = transfer_order(tx, order_id, now)?;
        if order.status != "open" {
            return Err(StockError::DispatchNotOpen {
                order: order_id,
                status: order.status,
            });
        }
        if order.lines.iter().all(|l| l.picked == 0) {
            return Err(StockError::NothingPicked { order: order_id });
        }
        // Controlled drugs leave the pharmacy signed by two: the second
        // signature covers every pick and unpick of them on this order.
        let mut signer = None;
        for line in order.lines.iter().filter(|l| l.picked > 0) {
            if let Some(w) = cosign(tx, actor, witness, &line.item, now)? {
                signer = Some(w);
            }
        }
        if let Some(w) = signer {
            sign_order(tx, order_id, w, now)?;
        }
        // A lot held or expired since it was picked does not leave.
        let to = place_by_code(tx, &order.to)?;
        for (item_id, lot_id, _) in picked_lots(tx, order_id)? {
            let item = item_by_id(tx, item_id)?;
            let lot = lot_by_id(tx, lot_id)?;
            if let Err(e) = usable(&lot, &item, arrival_day(tx, now, &to)?, LotUse::SentToWard) {
                return Err(StockError::PickedLotUnusable {
                    order: order_id,
                    item_code: item.code,
                    lot: lot.lot_number,
                    cause: Box::new(e),
                });
            }
        }
        tx.execute(
            "UPDATE transfer_orders SET status = 'in_transit', dispatched_at = ?2 WHERE id = ?1",
            params![order_id, instant_to_text(now)],
        )?;
        // What could not be picked goes on a back-order, open for picking.
        let rest: Vec<(ItemRef, i64)> = order
            .lines
            .iter()
            .filter(|l| l.open > 0)
            .map(|l| (l.item.clone(), l.open))
            .collect();
        let backorder = if rest.is_empty() {
            None
        } else {
            Some(insert_transfer(
                tx,
                actor,
                now,
                to.id,
                &rest,
                // What an urgent order could not send is as urgent.
                Some(&if order.urgent {
                    format!("URGENT: back-order of TO-{order_id}")
                } else {
                    format!("back-order of TO-{order_id}")
                }),
            )?)
        };
        let mut sent = transfer_order(tx, order_id, now)?;
        sent.backorder = backorder;
        Ok(sent)
    })
}

/// The ward confirms the delivery: the picked units move from transit into ward stock.
pub fn confirm_receipt(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    order_id: i64,
    check: &WardCount,
) -> Result<Vec<Taken>> {
    allow(actor, Operation::ConfirmReceipt)?;
    store.write(|tx| {
        let order = transfer_order(tx, order_id, now)?;
        if order.status != "in_transit" {
            return Err(StockError::NotDispatched { order: order_id, status: order.status });
        }
        let signed = count_controlled(tx, actor, now, &order, check)?;
        let to = place_by_code(tx, &order.to)?;
        let transit = place_of_kind(tx, PlaceKind::Transit)?;
        let day = arrival_day(tx, now, &to)?;
        let mut out = Vec::new();
        for (item_id, lot_id, qty) in picked_lots(tx, order_id)? {
            let item = item_by_id(tx, item_id)?;
            let lot = lot_by_id(tx, lot_id)?;
            // The goods are here whatever happened on the way; a lot held since
            // is received blocked, and the ward is told what to do with it.
            let warning = fefo::lot_problem(lot.status, lot.expiry, day);
            let at = arrival_location(tx, &to, &item, None)?;
            let mut m = movement(actor, now, MovementKind::Transfer, &item, lot_id);
            m.from_place = Some(transit.id);
            m.to_place = Some(to.id);
            m.to_location = Some(at.id);
            m.qty = qty;
            m.order_ref = Some(format!("TO-{order_id}"));
            let movement_id = append_signed(tx, &m, signed.iter().find(|(i, _)| *i == item_id).map(|(_, w)| *w))?;
            out.push(Taken { lot_id, lot_number: lot.lot_number, qty, movement_id, warning, location: Some(at.code) });
        }
        tx.execute(
            "UPDATE transfer_orders SET status = 'received', received_at = ?2, received_by = ?3 WHERE id = ?1",
            params![order_id, instant_to_text(now), actor.user_id],
        )?;
        Ok(out)
    })
}

/// What the ward checked of a delivery before confirming it: the second
/// user who counted the controlled drugs with the one confirming, and the
/// units of each item counted (by item code). Only controlled lines must be
/// counted.
#[derive(Debug, Clone, Default)]
pub struct WardCount {
    pub witness: Option<Actor>,
    pub counted: Vec<(String, i64)>,
}

/// The ward's count of the controlled lines of a delivery: every one
/// counted, each count equal to what was sent, signed by a second user.
/// Gives (item id, witness id) of the controlled items.
fn count_controlled(
    tx: &Connection,
    actor: &Actor,
    now: DateTime<Utc>,
    order: &TransferOrder,
    check: &WardCount,
) -> Result<Vec<(i64, i64)>> {
    for (code, _) in &check.counted {
        if !order
            .lines
            .iter()
            .any(|l| l.item.code.eq_ignore_ascii_case(code))
        {
            return Err(CdRefusal::CountNotOnOrder {
                order: order.id,
                item: code.clone(),
            }
            .into());
        }
    }
    let mut due = Vec::new();
    let mut signed = Vec::new();
    for line in order.lines.iter().filter(|l| l.picked > 0) {
        if !is_controlled(tx, line.item.id)? {
            continue;
        }
        let counted: Option<i64> = check
            .counted
            .iter()
            .rev()
            .find(|(c, _)| c.eq_ignore_ascii_case(&line.item.code))
            .map(|(_, q)| *q);
        match counted {
            None => due.push(CountDue {
                code: line.item.code.clone(),
                name: line.item.name.clone(),
                unit: line.item.dose_unit.clone(),
                sent: line.picked,
            }),
            Some(c) if c != line.picked => {
                return Err(CdRefusal::CountDiffers {
                    order: order.id,
                    item: line.item.name.clone(),
                    unit: line.item.dose_unit.clone(),
                    sent: line.picked,
                    counted: c,
                }
                .into());
            }
            Some(c) => {
                if let Some(w) = cosign(tx, actor, check.witness.as_ref(), &line.item, now)? {
                    signed.push((line.item.id, w));
                }
                tx.execute(
                    "UPDATE transfer_lines SET received_count = ?2 WHERE id = ?1",
                    params![line.line_id, c],
                )?;
            }
        }
    }
    if !due.is_empty() {
        return Err(CdRefusal::CountNeeded {
            order: order.id,
            items: due,
        }
        .into());
    }
    Ok(signed)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TransferSummary {
    pub id: i64,
    pub from: String,
    pub to: String,
    pub status: String,
    pub created_at: String,
    /// Raised urgently (its note starts with URGENT): listed first while open.
    pub urgent: bool,
}

/// An order raised urgently: a dose not given for lack of supply, or a
/// past-due delivery of the plan (their notes start with URGENT).
pub(crate) const URGENT: &str = "COALESCE(o.note LIKE 'URGENT%', 0)";

/// Transfer orders, urgent ones still to pick or on their way first, then
/// newest first; optionally only those to one ward or with one status.
pub fn transfer_orders(
    conn: &Connection,
    to_place: Option<i64>,
    status: Option<&str>,
) -> rusqlite::Result<Vec<TransferSummary>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT o.id, f.code, t.code, o.status, o.created_at, {URGENT} FROM transfer_orders o
             JOIN places f ON f.id = o.from_place_id JOIN places t ON t.id = o.to_place_id
             WHERE (?1 IS NULL OR o.to_place_id = ?1) AND (?2 IS NULL OR o.status = ?2)
             ORDER BY ({URGENT} AND o.status IN ('open', 'in_transit')) DESC, o.id DESC"
    ))?;
    stmt.query_map(params![to_place, status], |r| {
        Ok(TransferSummary {
            id: r.get(0)?,
            from: r.get(1)?,
            to: r.get(2)?,
            status: r.get(3)?,
            created_at: r.get(4)?,
            urgent: r.get(5)?,
        })
    })?
    .collect()
}
