//! The demo's substitute list: the pharmacist's approved substitutes
//! (paracetamol 500 mg tablets for the 1 g tablet, two 500 ml bags of
//! saline for the litre bag, and insulin aspart as an approved alternative
//! to regular insulin, with its note), and the internal medicine ward out
//! of paracetamol 1 g with a new prescription of it awaiting validation, so
//! that the validation offers the 500 mg tablets.

use chrono::{DateTime, Duration, Utc};

use super::DemoError;
use crate::domain::schedule::Frequency;
use crate::store::Store;

/// The ward that runs out of paracetamol 1 g (at clinic scale).
pub const WARD: &str = "W-MED";

/// The substitutes: item, substitute, approved alternative's note.
const LIST: [(&str, &str, Option<&str>); 3] = [
    ("PARA1GT", "PARA500T", None),
    ("NACL1000", "NACL500", None),
    (
        "INSREG10V",
        "INSASP3P",
        Some("unit for unit; give within 10 minutes of the meal, it acts faster"),
    ),
];

fn other(e: impl ToString) -> DemoError {
    DemoError::Other(e.to_string())
}

/// Approves the list, empties the ward's shelf of paracetamol 1 g (its
/// last packs sent back to the pharmacy, a damaged carton) and enters a
/// new prescription of it there, awaiting validation.
pub(super) fn substitute_list(store: &mut Store, anchor: DateTime<Utc>) -> Result<(), DemoError> {
    let pharm = super::demo_user(&store.conn, "pharm")?;
    let nurse = super::demo_user(&store.conn, "nurse")?;
    let at = anchor - Duration::hours(2);
    for (item, sub, note) in LIST {
        let (Ok(i), Ok(s)) = (
            crate::ops::stock::item_by_code(&store.conn, item),
            crate::ops::stock::item_by_code(&store.conn, sub),
        ) else {
            continue;
        };
        crate::ops::substitutes::add_substitute(store, &pharm, at, &i, &s, note.is_some(), note)
            .map_err(other)?;
    }
    let Ok(item) = crate::ops::stock::item_by_code(&store.conn, "PARA1GT") else {
        return Ok(());
    };
    let ward: Option<String> = store
        .conn
        .query_row(
            "SELECT code FROM places WHERE kind = 'ward' AND closed_at IS NULL
             ORDER BY code = ?1 DESC, id LIMIT 1",
            [WARD],
            |r| r.get(0),
        )
        .ok();
    let Some(ward) = ward else {
        return Ok(());
    };
    let place = crate::ops::stock::place_by_code(&store.conn, &ward).map_err(other)?;
    let lots: Vec<(String, i64)> = store
        .conn
        .prepare(
            "SELECT l.lot_number, b.qty FROM balances b JOIN lots l ON l.id = b.lot_id
             WHERE b.place_id = ?1 AND l.item_id = ?2 AND b.qty > 0",
        )?
        .query_map([place.id, item.id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (lot, qty) in lots {
        crate::ops::stock::return_to_pharmacy(
            store,
            &nurse,
            at,
            &place,
            &item,
            &lot,
            qty,
            "damaged carton: sent back",
            None,
        )
        .map_err(other)?;
    }
    let mrn: Option<String> = store
        .conn
        .query_row(
            "SELECT mrn FROM patients WHERE ward_id = ?1 ORDER BY id LIMIT 1",
            [place.id],
            |r| r.get(0),
        )
        .ok();
    let Some(mrn) = mrn else {
        return Ok(());
    };
    let rx = crate::ops::rx::NewRx {
        mrn,
        item_code: item.code.clone(),
        dose_milli: 1_000_000,
        route: "PO".into(),
        frequency: Frequency::Q6h,
        times: Vec::new(),
        prn_max_per_day: None,
        prn_min_interval_min: None,
        generic_atc: None,
        alternatives: Vec::new(),
        start: anchor,
        end: None,
        indication: "pain after a fall".into(),
        prescriber: "Dr. Wang".into(),
        time_critical: false,
    };
    let manager = super::demo_user(&store.conn, "manager")?;
    crate::ops::rx::prescribe(store, &manager, anchor - Duration::minutes(40), &rx)
        .map_err(other)?;
    Ok(())
}
