//! Stock at the places: the stock lists, lots as FEFO sees them, units used
//! per day, an item's lots and movements, and balances by lot and location.

use super::*;

/// One item's stock at a place, for the stock lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StockLine {
    pub item_id: i64,
    pub code: String,
    pub name: String,
    pub generic_name: String,
    pub atc: Option<String>,
    pub dose_unit: String,
    pub units_per_pack: i64,
    pub unit_price_cents: i64,
    /// Every unit on hand, usable or not.
    pub on_hand: i64,
    /// Units that may be used today (status ok, not expired).
    pub usable: i64,
    /// Units held for scheduled cases at the place (booked, not yet used).
    pub reserved: i64,
    /// Usable units not held for a case: what may be taken for anything else.
    pub available: i64,
    /// Earliest expiry among lots with stock.
    pub earliest_expiry: Option<NaiveDate>,
    pub lots: i64,
    pub safety_stock: i64,
    pub controlled: bool,
    pub high_alert: bool,
    pub storage: String,
}

/// Items stocked at a place (with a balance or a stock policy there), by name.
pub fn stock_lines(
    conn: &Connection,
    place_id: i64,
    today: NaiveDate,
) -> rusqlite::Result<Vec<StockLine>> {
    let mut stmt = conn.prepare_cached(
        "WITH here AS (
             SELECT b.item_id,
                    SUM(b.qty) AS on_hand,
                    SUM(CASE WHEN b.status = 'ok' AND (b.expiry IS NULL OR b.expiry >= ?2) THEN b.qty ELSE 0 END) AS usable,
                    MIN(b.expiry) AS earliest,
                    COUNT(*) AS lots
             FROM balances b
             WHERE b.place_id = ?1 GROUP BY b.item_id),
         -- Usable units held at a cold location after an excursion are not usable.
         held AS (
             SELECT lb.item_id, SUM(lb.qty) AS qty
             FROM cold_holds h JOIN location_balances lb ON lb.location_id = h.location_id AND lb.lot_id = h.lot_id
             JOIN lots l ON l.id = h.lot_id
             WHERE h.decision IS NULL AND lb.place_id = ?1 AND l.status = 'ok' AND (l.expiry IS NULL OR l.expiry >= ?2)
             GROUP BY lb.item_id),
         -- Units held for the place's scheduled cases.
         resv AS (
             SELECT l.item_id, SUM(l.qty - l.used - l.released) AS qty
             FROM reservations r JOIN reservation_lines l ON l.reservation_id = r.id
             WHERE r.status = 'booked' AND r.place_id = ?1 GROUP BY l.item_id),
         ids AS (SELECT item_id FROM here UNION SELECT item_id FROM stock_policies WHERE place_id = ?1
                 UNION SELECT item_id FROM resv)
         SELECT i.id, i.code, i.name, i.generic_name, i.atc, i.dose_unit, i.units_per_pack, i.unit_price_cents,
                COALESCE(h.on_hand, 0), MAX(COALESCE(h.usable, 0) - COALESCE(hd.qty, 0), 0), h.earliest, COALESCE(h.lots, 0),
                COALESCE(sp.safety_stock, 0), i.controlled, i.high_alert, i.storage, COALESCE(rv.qty, 0)
         FROM ids JOIN items i ON i.id = ids.item_id
         LEFT JOIN here h ON h.item_id = i.id
         LEFT JOIN resv rv ON rv.item_id = i.id
         LEFT JOIN held hd ON hd.item_id = i.id
         LEFT JOIN stock_policies sp ON sp.place_id = ?1 AND sp.item_id = i.id
         ORDER BY i.name COLLATE NOCASE, i.code",
    )?;
    stmt.query_map(params![place_id, date_text(today)], |r| {
        let usable: i64 = r.get(9)?;
        let reserved: i64 = r.get(16)?;
        Ok(StockLine {
            item_id: r.get(0)?,
            code: r.get(1)?,
            name: r.get(2)?,
            generic_name: r.get(3)?,
            atc: r.get(4)?,
            dose_unit: r.get(5)?,
            units_per_pack: r.get(6)?,
            unit_price_cents: r.get(7)?,
            on_hand: r.get(8)?,
            usable,
            reserved,
            available: crate::domain::reservations::free(usable, reserved),
            earliest_expiry: opt_date(r.get(10)?),
            lots: r.get(11)?,
            safety_stock: r.get(12)?,
            controlled: r.get(13)?,
            high_alert: r.get(14)?,
            storage: r.get(15)?,
        })
    })?
    .collect()
}

/// A row of (lot, expiry, received at, status, qty) as FEFO sees it.
/// A lot's received time as FEFO orders lots expiring on the same day: in
/// seconds, the earlier received first.
pub(crate) fn received_seq(received_at: &str) -> i64 {
    instant_from_text(received_at).map_or(0, |t| t.timestamp())
}

fn lot_stock_row(r: &rusqlite::Row, at: usize) -> rusqlite::Result<crate::domain::fefo::LotStock> {
    let received: String = r.get(at + 2)?;
    Ok(crate::domain::fefo::LotStock {
        lot_id: r.get(at)?,
        expiry: opt_date(r.get(at + 1)?),
        received_seq: received_seq(&received),
        status: parse_enum(at + 3, r.get(at + 3)?)?,
        qty: r.get(at + 4)?,
    })
}

/// The lots of an item at a place, as FEFO sees them.
pub fn lot_stock(
    conn: &Connection,
    place_id: i64,
    item_id: i64,
) -> rusqlite::Result<Vec<crate::domain::fefo::LotStock>> {
    let mut stmt = conn.prepare_cached(
        "SELECT b.lot_id, b.expiry, l.received_at, b.status, b.qty FROM balances b JOIN lots l ON l.id = b.lot_id
         WHERE b.place_id = ?1 AND b.item_id = ?2",
    )?;
    let mut lots: Vec<crate::domain::fefo::LotStock> = stmt
        .query_map(params![place_id, item_id], |r| lot_stock_row(r, 0))?
        .collect::<rusqlite::Result<_>>()?;
    let held = cold_held(conn)?;
    if !held.is_empty() {
        lots = split_held(place_id, lots, &held);
    }
    Ok(lots)
}

/// Units held at cold locations after an excursion, awaiting a pharmacist:
/// per (place, lot). Few or none: read whole.
fn cold_held(conn: &Connection) -> rusqlite::Result<HashMap<(i64, i64), i64>> {
    let mut stmt = conn.prepare_cached(
        "SELECT b.place_id, b.lot_id, SUM(b.qty) FROM cold_holds h
         JOIN location_balances b ON b.location_id = h.location_id AND b.lot_id = h.lot_id
         WHERE h.decision IS NULL GROUP BY b.place_id, b.lot_id",
    )?;
    stmt.query_map([], |r| Ok(((r.get(0)?, r.get(1)?), r.get(2)?)))?
        .collect()
}

/// The lots of a place with their held units apart, as a held (quarantined)
/// part FEFO never picks: held units are not usable, yet still on hand.
pub(crate) fn split_held(
    place_id: i64,
    lots: Vec<crate::domain::fefo::LotStock>,
    held: &HashMap<(i64, i64), i64>,
) -> Vec<crate::domain::fefo::LotStock> {
    let mut out = Vec::with_capacity(lots.len());
    for mut l in lots {
        let h = held
            .get(&(place_id, l.lot_id))
            .copied()
            .unwrap_or(0)
            .min(l.qty);
        if h > 0 {
            let mut part = l.clone();
            part.qty = h;
            part.status = crate::domain::LotStatus::Quarantined;
            l.qty -= h;
            if l.qty > 0 {
                out.push(l);
            }
            out.push(part);
        } else {
            out.push(l);
        }
    }
    out
}

/// The lots of the given items at every place, as FEFO sees them, by (place, item).
pub fn lot_stocks(
    conn: &Connection,
    place_id: Option<i64>,
    items: &[i64],
) -> rusqlite::Result<HashMap<(i64, i64), Vec<crate::domain::fefo::LotStock>>> {
    let mut stmt = conn.prepare_cached(
        "SELECT b.place_id, b.item_id, b.lot_id, b.expiry, l.received_at, b.status, b.qty
         FROM balances b JOIN lots l ON l.id = b.lot_id
         WHERE b.item_id IN (SELECT value FROM rarray(?1)) AND (?2 IS NULL OR b.place_id = ?2)",
    )?;
    let mut out: HashMap<(i64, i64), Vec<crate::domain::fefo::LotStock>> = HashMap::new();
    let rows = stmt.query_map(params![id_list(items), place_id], |r| {
        Ok(((r.get(0)?, r.get(1)?), lot_stock_row(r, 2)?))
    })?;

    for row in rows {
        let (key, lot) = row?;
        out.entry(key).or_default().push(lot);
    }
    let held = cold_held(conn)?;
    if !held.is_empty() {
        for ((place, _), lots) in out.iter_mut() {
            *lots = split_held(*place, std::mem::take(lots), &held);
        }
    }
    Ok(out)
}

/// The window of a rate of use read at `now` over `days` days: the days
/// (UTC, as the ledger dates its movements) from the first to the day of
/// `now`, both whole, and their number (1 to ten years).
pub fn use_days(now: DateTime<Utc>, days: i64) -> (NaiveDate, NaiveDate, i64) {
    let days = days.clamp(1, 3660);
    let last = now.date_naive();
    let first = last
        .checked_sub_days(chrono::Days::new(days.unsigned_abs() - 1))
        .unwrap_or(NaiveDate::MIN);
    (first, last, days)
}

/// Units used per day (in thousandths) over the window of [`use_days`], per
/// (place, item), for the given items: what left each place for patients,
/// for non-patient use or for another place. Summed from the ledger.
pub fn daily_use(
    conn: &Connection,
    items: &[i64],
    now: DateTime<Utc>,
    days: i64,
) -> rusqlite::Result<HashMap<(i64, i64), i64>> {
    let (first, last, days) = use_days(now, days);
    let next = last.succ_opt().unwrap_or(last);
    let mut stmt = conn.prepare_cached(
        "SELECT m.from_place_id, m.item_id, SUM(m.qty) FROM movements m
         WHERE m.item_id IN (SELECT value FROM rarray(?1)) AND m.at >= ?2 AND m.at < ?3
           AND m.from_place_id IS NOT NULL AND m.kind IN ('administration', 'issue', 'transfer')
         GROUP BY m.from_place_id, m.item_id",
    )?;
    stmt.query_map(
        params![id_list(items), date_text(first), date_text(next)],
        |r| {
            let total: i64 = r.get(2)?;
            Ok(((r.get(0)?, r.get(1)?), total * 1000 / days))
        },
    )?
    .collect()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LotLine {
    pub lot_id: i64,
    pub lot_number: String,
    pub expiry: Option<NaiveDate>,
    pub qty: i64,
    pub status: LotStatus,
    pub received_at: Option<DateTime<Utc>>,
    /// Where it is kept at the place: its storage locations' codes.
    pub locations: Vec<String>,
    /// Units held at a cold location after an excursion, awaiting a pharmacist.
    pub cold_held: i64,
}

/// The lots of an item at a place that hold stock, earliest expiry first.
pub fn item_lots(conn: &Connection, place_id: i64, item_id: i64) -> rusqlite::Result<Vec<LotLine>> {
    let mut stmt = conn.prepare_cached(
        "SELECT l.id, l.lot_number, l.expiry, b.qty, l.status, l.received_at,
                (SELECT group_concat(code, ' ') FROM (
                     SELECT loc.code FROM location_balances lb JOIN locations loc ON loc.id = lb.location_id
                     WHERE lb.place_id = b.place_id AND lb.lot_id = b.lot_id AND lb.qty > 0 ORDER BY loc.code)),
                (SELECT COALESCE(SUM(lb.qty), 0) FROM cold_holds h JOIN location_balances lb
                     ON lb.location_id = h.location_id AND lb.lot_id = h.lot_id
                 WHERE h.decision IS NULL AND lb.place_id = b.place_id AND lb.lot_id = b.lot_id)
         FROM balances b JOIN lots l ON l.id = b.lot_id
         WHERE b.place_id = ?1 AND b.item_id = ?2 AND b.qty > 0
         ORDER BY l.expiry IS NULL, l.expiry, l.received_at, l.id",
    )?;
    stmt.query_map(params![place_id, item_id], |r| {
        Ok(LotLine {
            lot_id: r.get(0)?,
            lot_number: r.get(1)?,
            expiry: opt_date(r.get(2)?),
            qty: r.get(3)?,
            status: parse_enum(4, r.get(4)?)?,
            received_at: r
                .get::<_, String>(5)
                .ok()
                .as_deref()
                .and_then(instant_from_text),
            locations: r
                .get::<_, Option<String>>(6)?
                .map(|s| s.split(' ').map(str::to_string).collect())
                .unwrap_or_default(),
            cold_held: r.get(7)?,
        })
    })?
    .collect()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MovementLine {
    /// The movement's id; a move between locations has its id negated.
    pub id: i64,
    pub at: Option<DateTime<Utc>>,
    pub kind: String,
    pub lot_number: String,
    /// Positive when units arrived at the place, negative when they left.
    pub delta: i64,
    pub from: Option<String>,
    pub to: Option<String>,
    pub user: String,
    pub reason: Option<String>,
    pub patient_mrn: Option<String>,
}

/// The latest movements of an item in or out of a place, newest first.
pub fn item_movements(
    conn: &Connection,
    place_id: i64,
    item_id: i64,
    limit: i64,
) -> rusqlite::Result<Vec<MovementLine>> {
    // Moves between the place's locations are listed too ("relocation",
    // from and to are locations; negative ids keep them apart).
    let mut stmt = conn.prepare_cached(
        "SELECT * FROM (
             SELECT m.id, m.at, m.kind, l.lot_number,
                    CASE WHEN m.to_place_id = ?1 THEN m.qty ELSE -m.qty END,
                    pf.code, pt.code, u.username, m.reason, pa.mrn
             FROM movements m
             JOIN lots l ON l.id = m.lot_id
             JOIN users u ON u.id = m.user_id
             LEFT JOIN places pf ON pf.id = m.from_place_id
             LEFT JOIN places pt ON pt.id = m.to_place_id
             LEFT JOIN patients pa ON pa.id = m.patient_id
             WHERE m.item_id = ?2 AND (m.from_place_id = ?1 OR m.to_place_id = ?1)
             ORDER BY m.at DESC, m.id DESC LIMIT ?3)
         UNION ALL
         SELECT * FROM (
             SELECT -mv.id, mv.at, 'relocation', l.lot_number, mv.qty, lf.code, lt.code, u.username,
                    mv.reason, NULL
             FROM location_moves mv
             JOIN lots l ON l.id = mv.lot_id
             JOIN users u ON u.id = mv.user_id
             JOIN locations lf ON lf.id = mv.from_location_id
             JOIN locations lt ON lt.id = mv.to_location_id
             WHERE mv.place_id = ?1 AND mv.item_id = ?2
             ORDER BY mv.at DESC, mv.id DESC LIMIT ?3)
         ORDER BY 2 DESC, 1 DESC LIMIT ?3",
    )?;
    stmt.query_map(params![place_id, item_id, limit], |r| {
        Ok(MovementLine {
            id: r.get(0)?,
            at: instant_from_text(&r.get::<_, String>(1)?),
            kind: r.get(2)?,
            lot_number: r.get(3)?,
            delta: r.get(4)?,
            from: r.get(5)?,
            to: r.get(6)?,
            user: r.get(7)?,
            reason: r.get(8)?,
            patient_mrn: r.get(9)?,
        })
    })?
    .collect()
}

/// One (place, lot) balance for `wardstock stock`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BalanceRow {
    pub place: String,
    /// The storage location inside the place.
    pub location: String,
    pub item: String,
    pub item_name: String,
    pub lot: String,
    pub expiry: Option<String>,
    pub qty: i64,
    pub dose_unit: String,
    /// The lot's status: ok, quarantined or recalled.
    pub status: String,
    /// Days from today to the expiry date (negative once expired).
    pub days_to_expiry: Option<i64>,
    /// May be used today: status ok and not expired.
    pub usable: bool,
    /// Units of the item held at the place for scheduled cases (the same
    /// on every row of the item at the place).
    pub item_reserved: i64,
    /// Usable units of the item at the place not held for a case.
    pub item_available: i64,
}

/// Balances with stock by place, item, lot and storage location; one place or all.
pub fn balance_rows(
    conn: &Connection,
    place_id: Option<i64>,
    today: NaiveDate,
) -> rusqlite::Result<Vec<BalanceRow>> {
    let mut stmt = conn.prepare(
        "SELECT p.code, i.code, i.name, l.lot_number, l.expiry, b.qty, i.dose_unit, l.status, loc.code
         FROM location_balances b JOIN places p ON p.id = b.place_id JOIN lots l ON l.id = b.lot_id JOIN items i ON i.id = b.item_id
         JOIN locations loc ON loc.id = b.location_id
         WHERE b.qty > 0 AND (?1 IS NULL OR b.place_id = ?1)
         ORDER BY p.kind = 'ward', p.code, i.name COLLATE NOCASE, i.code, l.expiry IS NULL, l.expiry, l.lot_number, loc.code",
    )?;
    stmt.query_map([place_id], |r| {
        let expiry: Option<String> = r.get(4)?;
        let status: String = r.get(7)?;
        let days = expiry
            .as_deref()
            .and_then(date_from_text)
            .map(|e| (e - today).num_days());
        Ok(BalanceRow {
            place: r.get(0)?,
            location: r.get(8)?,
            item: r.get(1)?,
            item_name: r.get(2)?,
            lot: r.get(3)?,
            expiry,
            qty: r.get(5)?,
            dose_unit: r.get(6)?,
            usable: status == "ok" && days.is_none_or(|d| d >= 0),
            status,
            days_to_expiry: days,
            item_reserved: 0,
            item_available: 0,
        })
    })?
    .collect()
}

/// Items kept at a place: with stock there or a stock policy (as the stock list shows them).
pub fn item_count(conn: &Connection, place_id: i64) -> rusqlite::Result<i64> {
    conn.prepare_cached(
        "SELECT count(*) FROM (SELECT item_id FROM balances WHERE place_id = ?1
                               UNION SELECT item_id FROM stock_policies WHERE place_id = ?1)",
    )?
    .query_row([place_id], |r| r.get(0))
}

/// The lot last picked for a transfer line that still has units picked
/// (the one a "take back" undoes first).
pub fn last_picked_lot(conn: &Connection, line_id: i64) -> rusqlite::Result<Option<String>> {
    conn.prepare_cached(
        "SELECT l.lot_number FROM picks p JOIN lots l ON l.id = p.lot_id
         WHERE p.line_id = ?1 GROUP BY p.lot_id HAVING SUM(p.qty) > 0
         ORDER BY MAX(p.id) DESC LIMIT 1",
    )?
    .query_row([line_id], |r| r.get(0))
    .optional()
}
