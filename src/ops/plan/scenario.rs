//! A simulation scenario made from a ward's own use of its drugs.

use super::*;

/// A simulation scenario for one ward from its own use: each drug's daily
/// mean and variability over the last 90 days, its pack and price; the
/// share of use on PRN prescriptions or issued without one is the unplanned
/// share; the transport time is the ward's. Costs and timing come from the
/// paper scenario file.
pub fn scenario_from_db(
    conn: &Connection,
    ward: &str,
    now: DateTime<Utc>,
) -> Result<crate::planning::sim::Scenario> {
    use crate::planning::sim;
    let place = crate::ops::stock::place_by_code(conn, ward)?;
    if place.kind != crate::domain::PlaceKind::Ward {
        return Err(PlanError::NotAWard(place.code));
    }
    let days = 90;
    let uses = crate::store::queries::ward_drug_use(conn, place.id, now, days, 10)?;
    if uses.is_empty() {
        return Err(PlanError::NoUse {
            ward: place.code,
            days,
        });
    }
    let mut s = sim::Scenario::paper().map_err(PlanError::PaperScenario)?;
    s.name = format!("{}-from-db", place.code.to_ascii_lowercase());
    s.description = format!(
        "Ward {} ({}): its {} most expensive drugs by use over the last {days} days, with the paper's costs and timing",
        place.code,
        place.name,
        uses.len()
    );
    let total: i64 = uses.iter().map(|u| u.total).sum();
    let unplanned: i64 = uses.iter().map(|u| u.unplanned).sum();
    if total > 0 {
        s.demand.unplanned_share = (unplanned as f64 / total as f64).clamp(0.0, 1.0);
    }
    s.timing.transport_hours = u32::try_from((place.transport_minutes.max(0) + 59) / 60)
        .unwrap_or(1)
        .max(1);
    s.drugs = uses
        .iter()
        .map(|u| sim::Drug {
            code: u.code.clone(),
            name: u.name.clone(),
            mean_daily: u.mean_daily,
            cv: u.cv.min(sim::MAX_CV),
            pack: u32::try_from(u.pack.max(1)).unwrap_or(1),
            price: u.price_cents as f64 / 100.0,
        })
        .collect();
    s.validate().map_err(|cause| PlanError::BadScenario {
        ward: place.code.clone(),
        cause: Box::new(cause),
    })?;
    Ok(s)
}
