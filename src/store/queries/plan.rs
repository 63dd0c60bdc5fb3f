//! What replenishment planning and the simulation read: a ward's use of its
//! drugs over a period.

use super::*;

/// One drug's use on a ward over a period: what a simulation scenario needs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WardDrugUse {
    pub code: String,
    pub name: String,
    pub mean_daily: f64,
    /// Coefficient of variation of the daily use (days without use count).
    pub cv: f64,
    pub pack: i64,
    pub price_cents: i64,
    /// Units given on PRN prescriptions or issued without one.
    pub unplanned: i64,
    pub total: i64,
}

/// The ward's `top` drugs by value used over the last `days` days (doses
/// given and issues), with their daily mean and variability.
pub fn ward_drug_use(
    conn: &Connection,
    ward_id: i64,
    now: DateTime<Utc>,
    days: i64,
    top: usize,
) -> rusqlite::Result<Vec<WardDrugUse>> {
    let days = days.max(1);
    let since = crate::domain::instant_to_text(now - chrono::Duration::days(days));
    // Item by item through the (item, time) index, which holds every column
    // read, so only the period is read. The movements of PRN doses are
    // listed once (a list SQLite keeps while it reads), not looked up per
    // movement.
    let mut stmt = conn.prepare_cached(
        "SELECT m.item_id, date(m.at), SUM(m.qty),
                SUM(CASE WHEN m.kind = 'issue' OR m.id IN (SELECT a.movement_id FROM administrations a JOIN prescriptions r ON r.id = a.prescription_id
                                                           WHERE r.frequency = 'prn' AND a.movement_id IS NOT NULL) THEN m.qty ELSE 0 END)
         FROM items i CROSS JOIN movements m
         WHERE m.item_id = i.id AND i.kind = 'drug' AND m.from_place_id = ?1 AND m.kind IN ('administration', 'issue') AND m.at >= ?2
         GROUP BY m.item_id, date(m.at)",
    )?;
    let mut per_item: HashMap<i64, (Vec<i64>, i64)> = HashMap::new();
    let rows = stmt.query_map(params![ward_id, since], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(2)?,
            r.get::<_, i64>(3)?,
        ))
    })?;
    for row in rows {
        let (item, qty, unplanned) = row?;
        let e = per_item.entry(item).or_default();
        e.0.push(qty);
        e.1 += unplanned;
    }
    let mut out = Vec::new();
    let mut stmt = conn.prepare_cached(
        "SELECT code, name, units_per_pack, unit_price_cents FROM items WHERE id = ?1",
    )?;
    for (item, (daily, unplanned)) in per_item {
        let (code, name, pack, price): (String, String, i64, i64) =
            stmt.query_row([item], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
        let total: i64 = daily.iter().sum();
        let mean = total as f64 / days as f64;
        // Days without use are zeros of the series.
        let zeros = (days - daily.len() as i64).max(0) as f64;
        let var = (daily
            .iter()
            .map(|q| (*q as f64 - mean).powi(2))
            .sum::<f64>()
            + zeros * mean * mean)
            / (days as f64 - 1.0).max(1.0);
        out.push(WardDrugUse {
            code,
            name,
            mean_daily: mean,
            cv: if mean > 0.0 { var.sqrt() / mean } else { 0.0 },
            pack,
            price_cents: price,
            unplanned,
            total,
        });
    }
    out.sort_by(|a, b| {
        let va = a.total as f64 * a.price_cents as f64;
        let vb = b.total as f64 * b.price_cents as f64;
        vb.total_cmp(&va).then_with(|| a.code.cmp(&b.code))
    });
    out.truncate(top);
    Ok(out)
}
