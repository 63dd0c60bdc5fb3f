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
        });
    }
    Ok(out)
}
