//! Tracing a lot: where its units went, and to which patients.

use super::*;

// ---------------------------------------------------------------- trace

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GivenUnits {
    pub at: String,
    pub mrn: String,
    pub patient: String,
    pub ward: Option<String>,
    pub qty: i64,
    pub by: String,
    /// The prescription, when the dose was given against one.
    pub order_ref: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LotTrace {
    pub item: String,
    pub item_name: String,
    pub lot: String,
    pub expiry: Option<NaiveDate>,
    pub status: LotStatus,
    /// Every patient who received units of the lot, oldest first.
    pub given: Vec<GivenUnits>,
    /// Where the rest of the lot is now.
    pub holdings: Vec<Holding>,
    /// Every unit of the lot accounted for.
    pub account: LotAccount,
}

/// Every unit of a lot, from where it came in to where it went: what
/// entered stock equals what left it plus what is still held.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct LotAccount {
    /// Received from suppliers (and opening stock).
    pub received: i64,
    /// Found at a stocktake.
    pub found: i64,
    /// Given to patients (doses recorded against a prescription).
    pub to_patients: i64,
    /// Left a ward as doses with no patient recorded, or issued for use on
    /// the ward: (place, units).
    pub without_patient: Vec<(String, i64)>,
    /// Disposed of, by reason (expired, damaged, recalled …): (reason, units).
    pub wasted: Vec<(String, i64)>,
    /// Missing at a stocktake.
    pub lost: i64,
    /// Held now, anywhere (including on its way to a ward).
    pub held: i64,
}

impl LotAccount {
    /// Units that came in and units that went out or are held: equal when
    /// every unit is accounted for.
    pub fn balances(&self) -> (i64, i64) {
        let left: i64 = self.without_patient.iter().map(|(_, q)| q).sum::<i64>()
            + self.wasted.iter().map(|(_, q)| q).sum::<i64>();
        (
            self.received + self.found,
            self.to_patients + left + self.lost + self.held,
        )
    }
}

/// Where every unit of a lot went.
fn account(conn: &Connection, lot_id: i64) -> rusqlite::Result<LotAccount> {
    let mut a = LotAccount::default();
    let mut stmt = conn.prepare_cached(
        "SELECT m.kind, m.from_place_id IS NULL, m.to_place_id IS NULL, m.patient_id IS NOT NULL,
                COALESCE(p.code, ''), COALESCE(m.reason, ''), SUM(m.qty)
         FROM movements m LEFT JOIN places p ON p.id = m.from_place_id
         WHERE m.lot_id = ?1 AND (m.from_place_id IS NULL OR m.to_place_id IS NULL)
         GROUP BY 1, 2, 3, 4, 5, 6",
    )?;
    let rows = stmt.query_map([lot_id], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, bool>(1)?,
            r.get::<_, bool>(2)?,
            r.get::<_, bool>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, String>(5)?,
            r.get::<_, i64>(6)?,
        ))
    })?;
    let add = |list: &mut Vec<(String, i64)>, key: String, q: i64| match list
        .iter_mut()
        .find(|(k, _)| *k == key)
    {
        Some((_, n)) => *n += q,
        None => list.push((key, q)),
    };
    for row in rows {
        let (kind, came_in, went_out, patient, place, reason, qty) = row?;
        match kind.as_str() {
            "receipt" => a.received += qty,
            "adjustment" if came_in => a.found += qty,
            "adjustment" if went_out => a.lost += qty,
            "administration" if patient => a.to_patients += qty,
            "administration" | "issue" => add(&mut a.without_patient, place, qty),
            "waste" => {
                // The reason as recorded: "expired", "damaged: dropped" …
                let why = reason.split(':').next().unwrap_or("").trim().to_string();
                add(&mut a.wasted, why, qty)
            }
            _ if came_in => a.received += qty,
            _ => add(&mut a.without_patient, place, qty),
        }
    }
    a.held = conn
        .prepare_cached("SELECT COALESCE(SUM(qty), 0) FROM balances WHERE lot_id = ?1")?
        .query_row([lot_id], |r| r.get(0))?;
    a.without_patient.sort();
    a.wasted.sort();
    Ok(a)
}

/// Which patients received units of a lot, and where the remaining units
/// are: the answer a recall needs. A lot number used by several items gives
/// one trace each unless `item` narrows it.
pub fn trace(conn: &Connection, lot_number: &str, item: Option<&ItemRef>) -> Result<Vec<LotTrace>> {
    let mut stmt = conn.prepare(
        "SELECT l.id, i.code, i.name, l.lot_number FROM lots l JOIN items i ON i.id = l.item_id
         WHERE l.lot_number = ?1 AND (?2 IS NULL OR l.item_id = ?2) ORDER BY i.code",
    )?;
    let lots: Vec<(i64, String, String, String)> = stmt
        .query_map(params![lot_number.trim(), item.map(|i| i.id)], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    if lots.is_empty() {
        return Err(StockError::UnknownLotNumber(lot_number.trim().to_string()));
    }
    let mut out = Vec::new();
    for (lot_id, code, name, number) in lots {
        let lot = lot_by_id(conn, lot_id)?;
        let mut stmt = conn.prepare_cached(
            "SELECT m.at, p.mrn, p.name, w.code, m.qty, u.username, m.order_ref
             FROM movements m JOIN patients p ON p.id = m.patient_id JOIN users u ON u.id = m.user_id
             LEFT JOIN places w ON w.id = m.from_place_id
             WHERE m.lot_id = ?1 AND m.kind = 'administration'
             UNION ALL
             -- Doses drawn from an opened multi-dose pack of the lot (the pack left stock when opened).
             SELECT a.recorded_at, p.mrn, p.name, w.code, 0, u.username, 'RX-' || a.prescription_id || ' (open pack ' || a.open_pack_id || ')'
             FROM administrations a JOIN prescriptions r ON r.id = a.prescription_id JOIN patients p ON p.id = r.patient_id
             JOIN users u ON u.id = a.user_id JOIN open_packs o ON o.id = a.open_pack_id LEFT JOIN places w ON w.id = o.place_id
             WHERE a.lot_id = ?1 AND a.movement_id IS NULL
             ORDER BY 1",
        )?;
        let given = stmt
            .query_map([lot_id], |r| {
                Ok(GivenUnits {
                    at: r.get(0)?,
                    mrn: r.get(1)?,
                    patient: r.get(2)?,
                    ward: r.get(3)?,
                    qty: r.get(4)?,
                    by: r.get(5)?,
                    order_ref: r.get(6)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        out.push(LotTrace {
            item: code,
            item_name: name,
            lot: number,
            expiry: lot.expiry,
            status: lot.status,
            given,
            holdings: holdings(conn, lot_id)?,
            account: account(conn, lot_id)?,
        });
    }
    Ok(out)
}
