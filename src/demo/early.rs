//! The demo's early warnings: a supplier that has started to deliver late
//! and short, an item with a preferred and an alternative supplier, a
//! critical item with one supplier only, and a ward whose prescriptions
//! surge well above its usual use.

use super::*;
use rusqlite::OptionalExtension;

/// The supplier that started to fail, and the one that can stand in.
pub const LATE_SUPPLIER: &str = "DIRECT";
pub const ALTERNATIVE_SUPPLIER: &str = "PHOENIX";
/// The ward whose demand surges.
pub const SURGE_WARD: &str = "W-MED";

fn other<E: std::fmt::Display>(e: E) -> DemoError {
    DemoError::Other(e.to_string())
}

/// Adds the early warnings' story to a demo made up to `anchor`.
pub(super) fn early_warnings(store: &mut Store, anchor: DateTime<Utc>) -> Result<(), DemoError> {
    let keeper = super::demo_user(&store.conn, "store")?;
    let pharmacist = super::demo_user(&store.conn, "pharm").ok();
    let admin = super::demo_user(&store.conn, "admin")?;
    // The late supplier's two items ordered most, ordered every few days.
    let items: Vec<crate::ops::stock::ItemRef> = {
        let mut stmt = store.conn.prepare(
            "SELECT i.code FROM items i JOIN suppliers s ON s.id = i.supplier_id
             WHERE s.code = ?1 AND i.kind = 'drug' AND i.controlled = 0 ORDER BY i.code LIMIT 2",
        )?;
        let codes: Vec<String> = stmt
            .query_map([LATE_SUPPLIER], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        codes
            .iter()
            .map(|c| crate::ops::stock::item_by_code(&store.conn, c))
            .collect::<Result<_, _>>()
            .map_err(other)?
    };
    if items.len() < 2 {
        return Ok(());
    }
    let expiry = (anchor + Duration::days(600))
        .with_timezone(&store.zone())
        .date_naive();
    // Six orders over five weeks: the first three came on time and in full,
    // the last three days late, the very last one short too.
    for (k, due_days_ago) in [34i64, 28, 22, 15, 9, 4].into_iter().enumerate() {
        let late = k >= 3;
        let due = anchor - Duration::days(due_days_ago);
        let lines: Vec<(crate::ops::stock::ItemRef, i64)> = items
            .iter()
            .map(|i| (i.clone(), i.units_per_pack * 4))
            .collect();
        let po = crate::ops::purchasing::create_po(
            store,
            &keeper,
            due - Duration::days(3),
            LATE_SUPPLIER,
            &lines,
            Some(due),
        )
        .map_err(other)?;
        let came = if late {
            due + Duration::days(2 + k as i64 - 3)
        } else {
            due - Duration::hours(6)
        };
        if came > anchor {
            continue;
        }
        for (n, (item, qty)) in lines.iter().enumerate() {
            let qty = if k == 5 { qty / 2 } else { *qty };
            if qty <= 0 {
                continue;
            }
            crate::ops::stock::receive(
                store,
                &keeper,
                came,
                &crate::ops::stock::ReceiveLine {
                    item: item.clone(),
                    lot_number: format!("D{}{n}", po.id),
                    expiry: Some(expiry),
                    qty,
                    supplier: Some("Manufacturer direct".into()),
                    order_ref: Some(format!("PO-{}", po.id)),
                    location: None,
                },
                90,
                pharmacist.as_ref(),
            )
            .map_err(other)?;
        }
    }
    // The first item may also come from a wholesaler, a day slower and
    // in smaller packs.
    let terms = crate::ops::suppliers::LinkTerms {
        lead_days: Some(4),
        price_cents: None,
        units_per_pack: Some(1),
        preferred: false,
    };
    crate::ops::suppliers::link(
        store,
        &admin,
        anchor,
        &items[0],
        ALTERNATIVE_SUPPLIER,
        &terms,
    )
    .map_err(other)?;
    // A critical item with one supplier only: the site's flag on an
    // injection the wards must never be without.
    let critical: Option<String> = store
        .conn
        .query_row(
            "SELECT i.code FROM items i JOIN suppliers s ON s.id = i.supplier_id
             WHERE i.kind = 'drug' AND i.high_alert = 0 AND s.code = 'ALLIANCE' AND i.form = 'injection'
             ORDER BY i.code LIMIT 1",
            [],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(code) = critical {
        let it = crate::ops::stock::item_by_code(&store.conn, &code).map_err(other)?;
        crate::ops::suppliers::set_critical(store, &admin, &it, true).map_err(other)?;
    }
    surge(store, anchor)
}

/// Five patients of one ward put on the same tablet from today, four times
/// a day: far more than the ward used before.
fn surge(store: &mut Store, anchor: DateTime<Utc>) -> Result<(), DemoError> {
    let tx = store.conn.transaction()?;
    let ward: Option<i64> = tx
        .query_row("SELECT id FROM places WHERE code = ?1", [SURGE_WARD], |r| {
            r.get(0)
        })
        .optional()?;
    let Some(ward) = ward else {
        return Ok(());
    };
    // A plain tablet the ward has not prescribed, without allergies in play.
    let item: Option<(i64, i64, String)> = tx
        .query_row(
            "SELECT i.id, COALESCE(i.strength_milli, 1000), COALESCE(i.strength_unit, i.dose_unit) FROM items i
             WHERE i.form = 'tablet' AND i.high_alert = 0 AND i.controlled = 0 AND i.retired_at IS NULL
               AND NOT EXISTS (SELECT 1 FROM prescriptions p JOIN patients pa ON pa.id = p.patient_id
                               WHERE p.item_id = i.id AND pa.ward_id = ?1)
             ORDER BY i.code LIMIT 1",
            [ward],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let Some((item, strength, unit)) = item else {
        return Ok(());
    };
    let patients: Vec<i64> = {
        let mut stmt = tx.prepare(
            "SELECT pa.id FROM patients pa WHERE pa.ward_id = ?1
               AND NOT EXISTS (SELECT 1 FROM patient_allergies a WHERE a.patient_id = pa.id AND a.removed_at IS NULL)
             ORDER BY pa.id LIMIT 5",
        )?;
        stmt.query_map([ward], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?
    };
    let users = |name: &str| -> rusqlite::Result<i64> {
        tx.query_row("SELECT id FROM users WHERE username = ?1", [name], |r| {
            r.get(0)
        })
    };
    let (admin, pharm) = (users("admin")?, users("pharm")?);
    // From the next round on: no dose is due yet.
    let start = anchor + Duration::hours(1);
    for patient in patients {
        tx.execute(
            "INSERT INTO prescriptions (patient_id, item_id, dose_milli, dose_unit, route, frequency, times,
                 start_at, indication, prescriber, time_critical, status, created_by, created_at, validated_by, validated_at)
             VALUES (?1, ?2, ?3, ?4, 'PO', 'qid', '08:00,12:00,18:00,22:00', ?5, 'outbreak on the ward', 'Dr Lin', 0, 'active', ?6, ?7, ?8, ?9)",
            params![
                patient,
                item,
                strength * 2,
                unit,
                instant_to_text(start),
                admin,
                instant_to_text(start - Duration::minutes(30)),
                pharm,
                instant_to_text(start - Duration::minutes(10)),
            ],
        )?;
        let rx = tx.last_insert_rowid();
        for (at, user, action, comment) in [
            (
                start - Duration::minutes(30),
                admin,
                "created",
                "demo prescription",
            ),
            (
                start - Duration::minutes(10),
                pharm,
                "validated",
                "reviewed",
            ),
        ] {
            tx.execute(
                "INSERT INTO prescription_events (prescription_id, at, user_id, action, comment) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![rx, instant_to_text(at), user, action, comment],
            )?;
        }
    }
    tx.commit()?;
    Ok(())
}
