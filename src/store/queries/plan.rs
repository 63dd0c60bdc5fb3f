//! What replenishment planning and the simulation read: a ward's use of its
//! drugs over a period, what the wards used without prescriptions; and a
//! way to run a long read beside another one, on the machine's second core.

use super::*;

/// A read running beside the caller's own reads: on a second connection to
/// the same file, in a thread of `scope`. `None` when the database is not a
/// file (in memory), is opened read-only, is inside a transaction, or no
/// thread could be started; [`taken`] then reads on the caller's
/// connection. Each read sees the data committed when it starts, as every
/// read outside a transaction does.
pub fn beside<'scope, 'env, T, F>(
    scope: &'scope std::thread::Scope<'scope, 'env>,
    conn: &Connection,
    read: &'env F,
) -> Option<std::thread::ScopedJoinHandle<'scope, rusqlite::Result<T>>>
where
    T: Send + 'scope,
    F: Fn(&Connection) -> rusqlite::Result<T> + Sync,
{
    // A file opened read-only is read as the store opened it (perhaps as
    // immutable, with nothing made beside it): on its one connection.
    // Inside a transaction, what it has written counts: on it too.
    if conn.is_readonly(rusqlite::MAIN_DB).unwrap_or(true) || !conn.is_autocommit() {
        return None;
    }
    let path = conn.path().filter(|p| !p.is_empty())?.to_string();
    std::thread::Builder::new()
        .spawn_scoped(scope, move || {
            let other = Connection::open_with_flags(
                &path,
                rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY
                    | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )?;
            // A reader waits on another workstation's checkpoint at most: as the store does.
            other.busy_handler(Some(crate::store::busy::handler))?;
            ready_connection(&other)?;
            read(&other)
        })
        .ok()
}

/// The result of a read started with [`beside`]; when it could not start or
/// its connection failed, the same read on `conn`.
pub fn taken<T, F>(
    conn: &Connection,
    running: Option<std::thread::ScopedJoinHandle<'_, rusqlite::Result<T>>>,
    read: &F,
) -> rusqlite::Result<T>
where
    F: Fn(&Connection) -> rusqlite::Result<T>,
{
    match running.map(|h| h.join()) {
        Some(Ok(Ok(t))) => Ok(t),
        Some(Err(panic)) => std::panic::resume_unwind(panic),
        _ => read(conn),
    }
}

/// Units issued (used without a prescription) since `since` (an instant as
/// text), per (place, item). Item by item through the (item, time) index,
/// which holds every column read: only the recent part of the ledger is
/// read, and summed here rather than sorted by SQLite first.
pub fn issued_since(conn: &Connection, since: &str) -> rusqlite::Result<HashMap<(i64, i64), i64>> {
    let mut stmt = conn.prepare_cached(
        "SELECT m.from_place_id, m.item_id, m.qty FROM items i CROSS JOIN movements m
         WHERE m.item_id = i.id AND m.at >= ?1 AND m.kind = 'issue' AND m.from_place_id IS NOT NULL",
    )?;
    let mut issued: HashMap<(i64, i64), i64> = HashMap::new();
    let mut q = stmt.query([since])?;
    while let Some(r) = q.next()? {
        let qty: i64 = r.get(2)?;
        let total = issued.entry((r.get(0)?, r.get(1)?)).or_default();
        *total = total
            .checked_add(qty)
            .ok_or(rusqlite::Error::IntegralValueOutOfRange(2, qty))?;
    }
    Ok(issued)
}

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
    // The items are read in two halves, the lower beside the upper.
    let last: i64 = conn.query_row("SELECT COALESCE(MAX(id), 0) FROM items", [], |r| r.get(0))?;
    let half = last / 2;
    let read = |conn: &Connection, lo: i64, hi: i64| -> rusqlite::Result<Vec<(i64, i64, i64)>> {
        let mut stmt = conn.prepare_cached(
            "SELECT m.item_id, date(m.at), SUM(m.qty),
                    SUM(CASE WHEN m.kind = 'issue' OR m.id IN (SELECT a.movement_id FROM administrations a JOIN prescriptions r ON r.id = a.prescription_id
                                                               WHERE r.frequency = 'prn' AND a.movement_id IS NOT NULL) THEN m.qty ELSE 0 END)
             FROM items i CROSS JOIN movements m
             WHERE i.id BETWEEN ?3 AND ?4 AND m.item_id = i.id AND i.kind = 'drug'
               AND m.from_place_id = ?1 AND m.kind IN ('administration', 'issue') AND m.at >= ?2
             GROUP BY m.item_id, date(m.at)",
        )?;
        stmt.query_map(params![ward_id, since, lo, hi], |r| {
            Ok((r.get(0)?, r.get(2)?, r.get(3)?))
        })?
        .collect()
    };
    let lower = |c: &Connection| read(c, i64::MIN, half);
    let (low, high) = std::thread::scope(|scope| {
        let running = beside(scope, conn, &lower);
        let high = read(conn, half.saturating_add(1), i64::MAX)?;
        Ok::<_, rusqlite::Error>((taken(conn, running, &lower)?, high))
    })?;
    let mut per_item: HashMap<i64, (Vec<i64>, i64)> = HashMap::new();
    for (item, qty, unplanned) in low.into_iter().chain(high) {
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

/// Every item's name and its supplier's code (if any), by item code: how
/// the plan screen names the items its exceptions speak of.
pub fn item_names_and_suppliers(
    conn: &Connection,
) -> rusqlite::Result<HashMap<String, (String, Option<String>)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT i.code, i.name, s.code FROM items i LEFT JOIN suppliers s ON s.id = i.supplier_id",
    )?;
    stmt.query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))?
        .collect()
}
