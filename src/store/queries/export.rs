//! Reference data, stock and movements as spreadsheet rows, for export.

use super::*;

// ---- Reads for export (spreadsheets) ----------------------------------------

/// Thousandths written as a decimal: `500` is `0.5`.
fn milli_text(v: i64) -> String {
    let (w, f) = (v / 1000, (v % 1000).abs());
    if f == 0 {
        w.to_string()
    } else {
        format!("{w}.{}", format!("{f:03}").trim_end_matches('0'))
    }
}

fn yes_no(b: bool) -> String {
    if b { "yes" } else { "no" }.to_string()
}

/// A GTIN-14 as people write it: the shortest of GTIN-8, -12 or -13 it
/// pads to (the same number once read back).
fn gtin_as_written(g: &str) -> &str {
    [8, 12, 13]
        .into_iter()
        .find(|l| g.len() == 14 && g.bytes().take(14 - l).all(|b| b == b'0'))
        .map_or(g, |l| &g[14 - l..])
}

/// How one exported row's cells are read.
type Cells<'a> = dyn Fn(&rusqlite::Row) -> rusqlite::Result<Vec<String>> + 'a;

/// Every row of a kind of reference data (`items`, `places`, `locations`,
/// `suppliers`, `users`, `patients`, `allergies`) or `stock` (balances),
/// as the cells of the import's columns, passed to `each` as they are read.
pub fn export_rows<E: From<rusqlite::Error>>(
    conn: &Connection,
    kind: &str,
    each: &mut dyn FnMut(&[String]) -> Result<(), E>,
) -> Result<u64, E> {
    let text = |r: &rusqlite::Row, i: usize| -> rusqlite::Result<String> {
        Ok(r.get::<_, Option<String>>(i)?.unwrap_or_default())
    };
    let num = |r: &rusqlite::Row, i: usize| -> rusqlite::Result<String> {
        Ok(r.get::<_, Option<i64>>(i)?
            .map(|v| v.to_string())
            .unwrap_or_default())
    };
    let (sql, cells): (&str, &Cells) = match kind {
        "items" => (
            "SELECT i.code, i.name, i.generic_name, i.atc, i.form, i.strength_milli, i.strength_unit, i.dose_unit,
                    i.units_per_pack,
                    (SELECT group_concat(gtin, '|') FROM (SELECT gtin FROM item_gtins g WHERE g.item_id = i.id ORDER BY gtin)),
                    i.unit_price_cents, i.storage, i.controlled, i.high_alert, s.code, i.max_daily_milli,
                    i.in_use_days, i.per_patient, i.kind
             FROM items i LEFT JOIN suppliers s ON s.id = i.supplier_id ORDER BY i.code",
            &|r| {
                let gtins = text(r, 9)?
                    .split('|')
                    .filter(|g| !g.is_empty())
                    .map(|g| gtin_as_written(g).to_string())
                    .collect::<Vec<_>>()
                    .join("|");
                Ok(vec![
                    text(r, 0)?,
                    text(r, 1)?,
                    text(r, 2)?,
                    text(r, 3)?,
                    text(r, 4)?,
                    r.get::<_, Option<i64>>(5)?.map(milli_text).unwrap_or_default(),
                    text(r, 6)?,
                    text(r, 7)?,
                    num(r, 8)?,
                    gtins,
                    crate::domain::cents_text(r.get(10)?),
                    text(r, 11)?,
                    yes_no(r.get(12)?),
                    yes_no(r.get(13)?),
                    text(r, 14)?,
                    r.get::<_, Option<i64>>(15)?.map(milli_text).unwrap_or_default(),
                    num(r, 16)?,
                    yes_no(r.get(17)?),
                    text(r, 18)?,
                ])
            },
        ),
        "places" => (
            "SELECT code, name, kind, transport_minutes FROM places WHERE kind <> 'transit' ORDER BY code",
            &|r| Ok(vec![text(r, 0)?, text(r, 1)?, text(r, 2)?, num(r, 3)?]),
        ),
        "locations" => (
            "SELECT p.code, l.code, l.name, l.kind FROM locations l JOIN places p ON p.id = l.place_id ORDER BY p.code, l.code",
            &|r| Ok(vec![text(r, 0)?, text(r, 1)?, text(r, 2)?, text(r, 3)?]),
        ),
        "suppliers" => (
            "SELECT code, name, lead_days, contact FROM suppliers ORDER BY code",
            &|r| Ok(vec![text(r, 0)?, text(r, 1)?, num(r, 2)?, text(r, 3)?]),
        ),
        "users" => (
            "SELECT username, full_name, role FROM users ORDER BY username",
            &|r| Ok(vec![text(r, 0)?, text(r, 1)?, text(r, 2)?]),
        ),
        "patients" => (
            "SELECT p.mrn, p.name, p.dob, w.code, p.bed, p.sex, p.gsrn FROM patients p LEFT JOIN places w ON w.id = p.ward_id ORDER BY p.mrn",
            &|r| Ok(vec![text(r, 0)?, text(r, 1)?, text(r, 2)?, text(r, 3)?, text(r, 4)?, text(r, 5)?, text(r, 6)?]),
        ),
        "allergies" => (
            "SELECT p.mrn, a.substance, a.kind, a.atc_prefix, a.reaction
             FROM patient_allergies a JOIN patients p ON p.id = a.patient_id
             WHERE a.removed_at IS NULL ORDER BY p.mrn, a.id",
            &|r| Ok(vec![text(r, 0)?, text(r, 1)?, text(r, 2)?, text(r, 3)?, text(r, 4)?]),
        ),
        _ => (
            "SELECT p.code, i.code, l.lot_number, l.expiry, b.qty, loc.code
             FROM location_balances b JOIN places p ON p.id = b.place_id JOIN items i ON i.id = b.item_id
             JOIN lots l ON l.id = b.lot_id JOIN locations loc ON loc.id = b.location_id
             WHERE p.kind <> 'transit' AND b.qty > 0 ORDER BY p.code, i.code, l.lot_number, loc.code",
            &|r| Ok(vec![text(r, 0)?, text(r, 1)?, text(r, 2)?, text(r, 3)?, num(r, 4)?, text(r, 5)?]),
        ),
    };
    let mut stmt = conn.prepare(sql)?;
    let mut rows = stmt.query([])?;
    let mut n = 0;
    while let Some(r) = rows.next()? {
        each(&cells(r)?)?;
        n += 1;
    }
    Ok(n)
}

/// The movements from one instant (inclusive) to another (exclusive), as
/// RFC 3339 text, oldest
/// first, passed to `each` one by one as they are read: never the whole
/// ledger in memory.
pub fn export_movement_rows<E: From<rusqlite::Error>>(
    conn: &Connection,
    from: Option<&str>,
    to: Option<&str>,
    each: &mut dyn FnMut(&[String]) -> Result<(), E>,
) -> Result<u64, E> {
    // The ledger's movements and the moves between locations, each read in
    // its own order and merged by time as they stream.
    let mut moved = conn.prepare(
        "SELECT m.id, m.at, m.kind, i.code, l.lot_number, l.expiry, fp.code, tp.code, m.qty, u.username,
                pt.mrn, m.reason, m.order_ref,
                COALESCE(fl.code, fpl.code), COALESCE(tl.code, tpl.code)
         FROM movements m JOIN items i ON i.id = m.item_id JOIN lots l ON l.id = m.lot_id
         JOIN users u ON u.id = m.user_id
         LEFT JOIN places fp ON fp.id = m.from_place_id LEFT JOIN places tp ON tp.id = m.to_place_id
         LEFT JOIN locations fl ON fl.id = m.from_location_id LEFT JOIN locations tl ON tl.id = m.to_location_id
         LEFT JOIN locations fpl ON fpl.id = fp.legacy_location_id AND m.from_location_id IS NULL
         LEFT JOIN locations tpl ON tpl.id = tp.legacy_location_id AND m.to_location_id IS NULL
         LEFT JOIN patients pt ON pt.id = m.patient_id
         WHERE (?1 IS NULL OR m.at >= ?1) AND (?2 IS NULL OR m.at < ?2)
         ORDER BY m.id",
    )?;
    let mut relocated = conn.prepare(
        "SELECT 'R' || mv.id, mv.at, 'relocation', i.code, l.lot_number, l.expiry, p.code, p.code, mv.qty,
                u.username, NULL, mv.reason, NULL, lf.code, lt.code
         FROM location_moves mv JOIN items i ON i.id = mv.item_id JOIN lots l ON l.id = mv.lot_id
         JOIN users u ON u.id = mv.user_id JOIN places p ON p.id = mv.place_id
         JOIN locations lf ON lf.id = mv.from_location_id JOIN locations lt ON lt.id = mv.to_location_id
         WHERE (?1 IS NULL OR mv.at >= ?1) AND (?2 IS NULL OR mv.at < ?2)
         ORDER BY mv.id",
    )?;
    let mut a = moved.query(params![from, to])?;
    let mut b = relocated.query(params![from, to])?;
    let read = |r: &rusqlite::Row| -> rusqlite::Result<Vec<String>> {
        (0..15)
            .map(|i| {
                Ok(match r.get_ref(i)? {
                    rusqlite::types::ValueRef::Integer(v) => v.to_string(),
                    rusqlite::types::ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
                    _ => String::new(),
                })
            })
            .collect()
    };
    let mut next_a = a.next()?.map(read).transpose()?;
    let mut next_b = b.next()?.map(read).transpose()?;
    let mut n = 0;
    loop {
        let take_a = match (&next_a, &next_b) {
            (None, None) => break,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (Some(x), Some(y)) => x[1] <= y[1],
        };
        if take_a {
            each(next_a.as_deref().unwrap_or_default())?;
            next_a = a.next()?.map(read).transpose()?;
        } else {
            each(next_b.as_deref().unwrap_or_default())?;
            next_b = b.next()?.map(read).transpose()?;
        }
        n += 1;
    }
    Ok(n)
}
