//! The demo's cold chain: the geriatric ward's fridge (the first ward's at
//! hospital scale) with a day of data logger readings, in which the door was
//! left ajar for two hours — an excursion that holds the fridge's stock,
//! awaiting a pharmacist.

use chrono::{DateTime, Duration, Utc};

use super::DemoError;
use crate::domain::instant_to_text;
use crate::store::Store;

/// The ward whose fridge went warm (at clinic scale).
pub const WARD: &str = "W-GER";

/// Imports a day of the fridge's logger readings (every 30 minutes up to
/// `anchor`), through the one operation that records them.
pub(super) fn fridge_log(store: &mut Store, anchor: DateTime<Utc>) -> Result<(), DemoError> {
    let nurse = super::demo_user(&store.conn, "nurse")?;
    let ward: String = store.conn.query_row(
        "SELECT p.code FROM places p JOIN locations l ON l.place_id = p.id
         WHERE p.kind = 'ward' AND l.code = 'FRIDGE' ORDER BY p.code = ?1 DESC, p.id LIMIT 1",
        [WARD],
        |r| r.get(0),
    )?;
    let mut csv = String::from("time,temperature_c\n");
    let start = anchor - Duration::hours(24);
    for k in 0..48 {
        let at = start + Duration::minutes(30 * k);
        // Three hours into the log the door was left ajar.
        let tenths = match k {
            6 => 96,
            7 => 118,
            8 => 124,
            9 => 101,
            _ => 38 + ((k * 7) % 13) as i32,
        };
        csv.push_str(&format!(
            "{},{}\n",
            instant_to_text(at),
            crate::domain::cold::celsius_text(tenths)
        ));
    }
    crate::ops::cold::import_logger(
        store,
        &nurse,
        anchor,
        &format!("{ward}/FRIDGE"),
        "fridge-logger.csv",
        &csv,
    )
    .map_err(|e| DemoError::Other(e.to_string()))?;
    Ok(())
}
