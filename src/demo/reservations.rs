//! The demo's scheduled case: a hip replacement on the surgical ward in two
//! days, with its kit held there (some of it short, for the plan to bring).

use chrono::{DateTime, Duration, Utc};

use super::DemoError;
use crate::store::Store;

/// The ward of the demo's case (at clinic scale; the first ward elsewhere).
pub const WARD: &str = "W-SUR";

/// The kit of a total hip replacement: antibiotic prophylaxis, anticoagulant,
/// analgesia (a controlled drug), sterile gloves.
const KIT: &[(&str, i64)] = &[
    ("CEFAZ2GIV", 2),
    ("ENOX40S", 2),
    ("MORPH10I", 2),
    ("PARA1GIV", 3),
    ("SGLOVE-75", 4),
];

/// Books the case through the one operation that books cases.
pub(super) fn scheduled_case(store: &mut Store, anchor: DateTime<Utc>) -> Result<(), DemoError> {
    let other = |e: &dyn std::fmt::Display| DemoError::Other(e.to_string());
    let manager = super::demo_user(&store.conn, "manager")?;
    let (ward, mrn): (String, String) = store.conn.query_row(
        "SELECT w.code, p.mrn FROM patients p JOIN places w ON w.id = p.ward_id
         WHERE w.kind = 'ward' ORDER BY w.code = ?1 DESC, w.id, p.id LIMIT 1",
        [WARD],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let place = crate::ops::stock::place_by_code(&store.conn, &ward).map_err(|e| other(&e))?;
    let mut kit = Vec::new();
    for (code, qty) in KIT {
        if let Ok(item) = crate::ops::stock::item_by_code(&store.conn, code) {
            kit.push((item, *qty));
        }
    }
    // The hospital-scale demo's catalogue has none of the kit's items.
    if kit.is_empty() {
        return Ok(());
    }
    // Two days from now, at eight in the morning on the hospital's clock.
    let day = store.today(anchor) + Duration::days(2);
    let at = day
        .and_hms_opt(8, 0, 0)
        .and_then(|t| t.and_local_timezone(store.zone()).earliest())
        .map_or(anchor + Duration::days(2), |t| t.with_timezone(&Utc));
    crate::ops::reservations::book(
        store,
        &manager,
        anchor - Duration::hours(2),
        &place,
        at,
        &mrn,
        &kit,
        Some("Total hip replacement, left · 全髋关节置换术（左）"),
    )
    .map_err(|e| other(&e))?;
    Ok(())
}
