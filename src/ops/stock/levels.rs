//! Stock levels of an item at a place: set by hand or from its use.

use super::*;

// ---------------------------------------------------------------- levels

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Levels {
    pub item: String,
    pub safety_stock: i64,
    pub max_stock: i64,
    /// The rate of use they came from, in thousandths of a unit a day.
    pub daily_use_milli: Option<i64>,
}

/// Sets the safety stock and maximum of an item at a place.
pub fn set_levels(
    store: &mut Store,
    actor: &Actor,
    place: &PlaceRef,
    item: &ItemRef,
    safety: i64,
    max: i64,
) -> Result<Levels> {
    allow(actor, Operation::SetLevels)?;
    store.write(|tx| {
        crate::ops::refdata::set_policy(tx, place.id, item.id, safety, max)
            .map_err(StockError::Levels)?;
        Ok(Levels {
            item: item.code.clone(),
            safety_stock: safety,
            max_stock: max,
            daily_use_milli: None,
        })
    })
}

/// Sets every item's levels at a place from its use over the last
/// `window_days`: `safety_days` and `max_days` of cover. Items unused in
/// the window keep their levels.
pub fn levels_from_use(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    place: &PlaceRef,
    safety_days: i64,
    max_days: i64,
    window_days: i64,
) -> Result<Vec<Levels>> {
    allow(actor, Operation::SetLevels)?;
    let most = crate::ops::items::MAX_DAYS;
    if safety_days < 0
        || max_days < safety_days
        || window_days < 1
        || max_days > most
        || window_days > most
    {
        return Err(StockError::CoverDays);
    }
    store.write(|tx| {
        let items: Vec<i64> = tx
            .prepare("SELECT item_id FROM balances WHERE place_id = ?1 UNION SELECT item_id FROM stock_policies WHERE place_id = ?1")?
            .query_map([place.id], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let rates = crate::store::queries::daily_use(tx, &items, now, window_days)?;
        let mut out = Vec::new();
        for item_id in items {
            let Some(&rate) = rates.get(&(place.id, item_id)) else { continue };
            let (safety, max) = crate::domain::alerts::levels_from_use(rate, safety_days, max_days);
            crate::ops::refdata::set_policy(tx, place.id, item_id, safety, max).map_err(StockError::Levels)?;
            out.push(Levels { item: item_by_id(tx, item_id)?.code, safety_stock: safety, max_stock: max, daily_use_milli: Some(rate) });
        }
        Ok(out)
    })
}
