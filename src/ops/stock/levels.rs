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

/// What setting levels from use does (or would do) to one item: its
/// levels before and after, and whether levels set by hand were kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LevelChange {
    pub item: String,
    pub item_name: String,
    /// Before: (safety stock, maximum), if the item had levels.
    pub old_safety: Option<i64>,
    pub old_max: Option<i64>,
    /// After (the same as before when kept).
    pub safety_stock: i64,
    pub max_stock: i64,
    /// The rate of use, thousandths of a unit a day.
    pub daily_use_milli: i64,
    /// Levels set by hand, kept (not replaced).
    pub kept_manual: bool,
}

impl LevelChange {
    pub fn changed(&self) -> bool {
        !self.kept_manual
            && (self.old_safety, self.old_max) != (Some(self.safety_stock), Some(self.max_stock))
    }
}

/// How levels from use are set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FromUse {
    pub safety_days: i64,
    pub max_days: i64,
    pub window_days: i64,
    /// Write them (else only show what would change).
    pub apply: bool,
    /// Replace levels a manager set by hand too.
    pub replace_manual: bool,
}

/// Records who set an item's levels and how.
fn mark(
    tx: &Connection,
    place: i64,
    item: i64,
    source: &str,
    actor: &Actor,
    now: DateTime<Utc>,
) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE stock_policies SET source = ?3, set_by = ?4, set_at = ?5 WHERE place_id = ?1 AND item_id = ?2",
        params![place, item, source, actor.user_id, instant_to_text(now)],
    )?;
    Ok(())
}

/// Sets the safety stock and maximum of an item at a place, by hand: kept
/// when levels are later set from use, unless replaced on purpose.
pub fn set_levels(
    store: &mut Store,
    actor: &Actor,
    place: &PlaceRef,
    item: &ItemRef,
    safety: i64,
    max: i64,
) -> Result<Levels> {
    set_levels_at(store, actor, Utc::now(), place, item, safety, max)
}

/// [`set_levels`] at a given moment (the console's clock).
pub fn set_levels_at(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    place: &PlaceRef,
    item: &ItemRef,
    safety: i64,
    max: i64,
) -> Result<Levels> {
    allow(actor, Operation::SetLevels)?;
    store.write(|tx| {
        crate::ops::refdata::set_policy(tx, place.id, item.id, safety, max)
            .map_err(StockError::Levels)?;
        mark(tx, place.id, item.id, "manual", actor, now)?;
        Ok(Levels {
            item: item.code.clone(),
            safety_stock: safety,
            max_stock: max,
            daily_use_milli: None,
        })
    })
}

/// Every item's levels at a place from its use over the last
/// `window_days`: `safety_days` and `max_days` of cover. Items unused in
/// the window keep their levels, and so do levels a manager set by hand
/// unless `replace_manual`. Writes only with `apply`; either way it says,
/// item by item, old → new.
pub fn levels_from_use(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    place: &PlaceRef,
    how: FromUse,
) -> Result<Vec<LevelChange>> {
    allow(actor, Operation::SetLevels)?;
    let most = crate::ops::items::MAX_DAYS;
    if how.safety_days < 0
        || how.max_days < how.safety_days
        || how.window_days < 1
        || how.max_days > most
        || how.window_days > most
    {
        return Err(StockError::CoverDays);
    }
    store.write(|tx| {
        let items: Vec<i64> = tx
            .prepare("SELECT item_id FROM balances WHERE place_id = ?1 UNION SELECT item_id FROM stock_policies WHERE place_id = ?1")?
            .query_map([place.id], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let rates = crate::store::queries::daily_use(tx, &items, now, how.window_days)?;
        let mut out = Vec::new();
        for item_id in items {
            let Some(&rate) = rates.get(&(place.id, item_id)) else { continue };
            let old: Option<(i64, i64, Option<String>)> = tx
                .prepare_cached("SELECT safety_stock, max_stock, source FROM stock_policies WHERE place_id = ?1 AND item_id = ?2")?
                .query_row(params![place.id, item_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .optional()?;
            let manual = old.as_ref().is_some_and(|o| o.2.as_deref() == Some("manual"));
            let kept = manual && !how.replace_manual;
            let (safety, max) = match (&old, kept) {
                (Some(o), true) => (o.0, o.1),
                _ => crate::domain::alerts::levels_from_use(rate, how.safety_days, how.max_days),
            };
            if how.apply && !kept {
                crate::ops::refdata::set_policy(tx, place.id, item_id, safety, max).map_err(StockError::Levels)?;
                mark(tx, place.id, item_id, "use", actor, now)?;
            }
            let item = item_by_id(tx, item_id)?;
            out.push(LevelChange {
                item: item.code,
                item_name: item.name,
                old_safety: old.as_ref().map(|o| o.0),
                old_max: old.as_ref().map(|o| o.1),
                safety_stock: safety,
                max_stock: max,
                daily_use_milli: rate,
                kept_manual: kept,
            });
        }
        out.sort_by(|a, b| a.item.cmp(&b.item));
        Ok(out)
    })
}

/// An item's levels at a place as the levels screen lists them: what is on
/// hand, the levels, and how they were set (by hand or from use, by whom, when).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LevelRow {
    pub item: ItemRef,
    /// Units on the shelf that may be used (not held, recalled or expired).
    pub on_hand: i64,
    /// `None`: the item has no levels here.
    pub safety_stock: Option<i64>,
    pub max_stock: Option<i64>,
    /// `manual` (by hand) or `use` (from use); `None`: set before this was recorded.
    pub source: Option<String>,
    pub set_by: Option<String>,
    pub set_at: Option<DateTime<Utc>>,
}

/// Every item held or with levels at a place, by name.
pub fn levels_at(conn: &Connection, place: i64, now: DateTime<Utc>) -> Result<Vec<LevelRow>> {
    let today = now.date_naive().to_string();
    let mut stmt = conn.prepare_cached(
        "WITH ids AS (SELECT item_id FROM balances WHERE place_id = ?1
                      UNION SELECT item_id FROM stock_policies WHERE place_id = ?1)
         SELECT i.id,
                COALESCE((SELECT sum(b.qty) FROM balances b
                          WHERE b.place_id = ?1 AND b.item_id = i.id AND b.status = 'ok'
                            AND (b.expiry IS NULL OR b.expiry >= ?2)), 0),
                p.safety_stock, p.max_stock, p.source, u.username, p.set_at
         FROM ids JOIN items i ON i.id = ids.item_id
         LEFT JOIN stock_policies p ON p.place_id = ?1 AND p.item_id = i.id
         LEFT JOIN users u ON u.id = p.set_by
         ORDER BY i.name, i.code",
    )?;
    let rows = stmt
        .query_map(params![place, today], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, Option<i64>>(2)?,
                r.get::<_, Option<i64>>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, Option<String>>(6)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter()
        .map(|(id, on_hand, safety, max, source, by, at)| {
            Ok(LevelRow {
                item: item_by_id(conn, id)?,
                on_hand,
                safety_stock: safety,
                max_stock: max,
                source,
                set_by: by,
                set_at: at.as_deref().and_then(crate::domain::instant_from_text),
            })
        })
        .collect()
}
