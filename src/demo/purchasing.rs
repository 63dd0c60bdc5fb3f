//! The demo's suppliers and purchase orders.

use super::*;

/// Wholesalers of the demo: code, name, lead time in days.
pub(super) const SUPPLIERS: &[(&str, &str, i64)] = &[
    ("ALLIANCE", "Alliance Healthcare", 1),
    ("PHOENIX", "Phoenix Pharma", 2),
    ("DIRECT", "Manufacturer direct", 3),
];

/// Suppliers for every item, and purchase orders through the operations:
/// one delivered late and short (so the supplier's performance shows), one
/// still open (a scheduled receipt for the plan).
pub(super) fn purchasing(store: &mut Store, anchor: DateTime<Utc>) -> Result<(), DemoError> {
    let err = |e: crate::ops::stock::StockError| DemoError::Other(e.to_string());
    {
        let tx = store.conn.transaction()?;
        for (code, name, lead) in SUPPLIERS {
            tx.execute(
                "INSERT INTO suppliers (code, name, lead_days) VALUES (?1, ?2, ?3)",
                params![code, name, lead],
            )?;
        }
        tx.execute(
            "UPDATE items SET supplier_id = (SELECT s.id FROM suppliers s
                 WHERE s.code = CASE WHEN items.kind = 'consumable' THEN 'PHOENIX'
                                     WHEN items.unit_price_cents >= 10000 THEN 'DIRECT' ELSE 'ALLIANCE' END)",
            [],
        )?;
        tx.commit()?;
    }
    let user = |name: &str| super::demo_user(&store.conn, name);
    let keeper = user("store")?;
    // The pharmacist checks controlled drugs in with the storekeeper.
    let pharmacist = user("pharm").ok();
    let items: Vec<crate::ops::stock::ItemRef> = {
        let mut stmt = store.conn.prepare(
            "SELECT i.code FROM items i JOIN suppliers s ON s.id = i.supplier_id
             WHERE s.code = 'ALLIANCE' AND i.kind = 'drug' ORDER BY i.code LIMIT 5",
        )?;
        let codes: Vec<String> = stmt
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        codes
            .iter()
            .map(|c| crate::ops::stock::item_by_code(&store.conn, c))
            .collect::<Result<_, _>>()
            .map_err(err)?
    };
    if items.len() < 5 {
        return Ok(());
    }
    let pack = |i: &crate::ops::stock::ItemRef, n: i64| i.units_per_pack * n;
    // Ordered four days ago for two days ago; came yesterday, one line short.
    let late = crate::ops::purchasing::create_po(
        store,
        &keeper,
        anchor - Duration::days(4),
        "ALLIANCE",
        &[
            (items[0].clone(), pack(&items[0], 10)),
            (items[1].clone(), pack(&items[1], 10)),
        ],
        Some(anchor - Duration::days(2)),
    )
    .map_err(|e| DemoError::Other(e.to_string()))?
    .id;
    let expiry = (anchor + Duration::days(540))
        .with_timezone(&store.zone())
        .date_naive();
    for (i, packs) in [(0usize, 10), (1, 6)] {
        crate::ops::stock::receive(
            store,
            &keeper,
            anchor - Duration::days(1),
            &crate::ops::stock::ReceiveLine {
                item: items[i].clone(),
                lot_number: format!("A{late}{i}7"),
                expiry: Some(expiry),
                qty: pack(&items[i], packs),
                supplier: Some("Alliance Healthcare".into()),
                order_ref: Some(format!("PO-{late}")),
                location: None,
            },
            90,
            pharmacist.as_ref(),
        )
        .map_err(err)?;
    }
    // Ordered yesterday for tomorrow: on its way.
    crate::ops::purchasing::create_po(
        store,
        &keeper,
        anchor - Duration::days(1),
        "ALLIANCE",
        &[
            (items[2].clone(), pack(&items[2], 20)),
            (items[3].clone(), pack(&items[3], 5)),
            (items[4].clone(), pack(&items[4], 5)),
        ],
        Some(anchor + Duration::days(1)),
    )
    .map_err(|e| DemoError::Other(e.to_string()))?;
    Ok(())
}

pub(super) fn base_atc(
    conn: &rusqlite::Connection,
) -> rusqlite::Result<HashMap<i64, Option<String>>> {
    let mut stmt = conn.prepare("SELECT id, atc FROM items")?;
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect()
}
