//! The numbers behind the console's charts, read from the ledger: what a
//! place used each day, the stock of an item at the close of each day, and
//! the cost of each item largest first (Pareto). Days are the site's days.
//! Each series is the same count as its report: the daily bars add up to
//! the consumption report's total, and the stock line ends at the stock
//! held.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;
use rusqlite::{Connection, params};
use serde::Serialize;

use super::{By, Prices, place_id};
use crate::domain::types::{instant_from_text, instant_to_text};
use crate::ops::stock::{self, StockError};

/// The period of the site's days `[first, last]` as instants: from the
/// start of the first day to the start of the day after the last.
pub fn period(
    zone: &Tz,
    first: NaiveDate,
    last: NaiveDate,
) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let at = |d: NaiveDate| crate::domain::schedule::local_instant(zone, d, NaiveTime::MIN);
    if last < first {
        return None;
    }
    Some((at(first)?, at(last.succ_opt()?)?))
}

/// The site's days of the period `[from, to)`, in order.
fn days(zone: &Tz, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<NaiveDate> {
    let first = from.with_timezone(zone).date_naive();
    let last = (to - chrono::Duration::seconds(1))
        .with_timezone(zone)
        .date_naive();
    first
        .iter_days()
        .take_while(|d| *d <= last)
        .take(3660)
        .collect()
}

/// What was used on one day: units and their money at the price of the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DayUse {
    pub day: NaiveDate,
    pub units: i64,
    pub cents: i64,
}

/// What left the wards (or one place) each day of `[from, to)`: given to
/// patients, used without a patient and wasted (returns are not use), as
/// the consumption report counts it. Every day of the period has its bar,
/// an empty day too.
pub fn daily_use(
    conn: &Connection,
    place: Option<&str>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<DayUse>, StockError> {
    let place_id = place_id(conn, place)?;
    let zone = crate::store::queries::site_zone(conn)?;
    let prices = Prices::load(conn)?;
    let mut out: Vec<DayUse> = days(&zone, from, to)
        .into_iter()
        .map(|day| DayUse {
            day,
            units: 0,
            cents: 0,
        })
        .collect();
    let Some(first) = out.first().map(|d| d.day) else {
        return Ok(out);
    };
    let mut st = conn.prepare(
        "SELECT m.item_id, m.at, m.qty
         FROM movements m JOIN places w ON w.id = m.from_place_id
         WHERE m.at >= ?1 AND m.at < ?2
           AND m.kind IN ('administration', 'issue', 'waste')
           AND (?3 IS NULL AND w.kind = 'ward' OR m.from_place_id = ?3)",
    )?;
    let rows = st.query_map(
        params![instant_to_text(from), instant_to_text(to), place_id],
        |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
            ))
        },
    )?;
    for row in rows {
        let (item, at, qty) = row?;
        let Some(t) = instant_from_text(&at) else {
            continue;
        };
        let day = t.with_timezone(&zone).date_naive();
        let k = (day - first).num_days();
        if let Some(d) = usize::try_from(k).ok().and_then(|k| out.get_mut(k)) {
            d.units += qty;
            d.cents += qty * prices.at(item, &at);
        }
    }
    Ok(out)
}

/// The stock of an item at a place at the close of one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct StockDay {
    pub day: NaiveDate,
    pub closing: i64,
}

/// An item's stock at a place day by day, with the place's levels for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StockSeries {
    pub item: String,
    pub item_name: String,
    pub unit: String,
    pub place: String,
    /// The balance before the first day.
    pub opening: i64,
    pub days: Vec<StockDay>,
    /// The safety stock and maximum set for the item at the place, if any.
    pub safety_stock: Option<i64>,
    pub max_stock: Option<i64>,
}

/// The stock of `item` at `place` (codes) at the close of each day of
/// `[from, to)`: the stock card's running balance, day by day.
pub fn stock_over_time(
    conn: &Connection,
    item: &str,
    place: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<StockSeries, StockError> {
    let card = super::stock_card(conn, item, place, None, from, to)?;
    let zone = crate::store::queries::site_zone(conn)?;
    let mut balance = card.opening;
    let mut lines = card.lines.iter().peekable();
    let mut out = Vec::new();
    for day in days(&zone, from, to) {
        while let Some(l) = lines.next_if(|l| l.at.with_timezone(&zone).date_naive() <= day) {
            balance = l.balance;
        }
        out.push(StockDay {
            day,
            closing: balance,
        });
    }
    let pl = stock::place_by_code(conn, place)?;
    let it = stock::item_by_code(conn, item)?;
    let level = crate::store::queries::level_policies(conn, Some(pl.id))?
        .into_iter()
        .find(|p| p.item_id == it.id);
    let set = |v: i64| (v > 0).then_some(v);
    Ok(StockSeries {
        item: card.item,
        item_name: card.item_name,
        unit: card.unit,
        place: card.place,
        opening: card.opening,
        days: out,
        safety_stock: level.as_ref().and_then(|l| set(l.safety_stock)),
        max_stock: level.as_ref().and_then(|l| set(l.max_stock)),
    })
}

/// One item's cost in a Pareto chart.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParetoBar {
    pub item: String,
    pub name: String,
    pub cents: i64,
    /// Its share of the whole cost (0.25 is 25 %).
    pub share: f64,
    /// The share of the items up to and including it.
    pub cumulative: f64,
    /// Among the items that make the first 80 % of the cost.
    pub top: bool,
}

/// The cost of each item used at the place (or the wards) over `[from,
/// to)`, largest first, with the cumulative share: the consumption
/// report by item, as bars.
pub fn pareto(
    conn: &Connection,
    place: Option<&str>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<ParetoBar>, StockError> {
    let r = super::consumption(conn, place, By::Item, from, to)?;
    let whole = r.total.used.cents.max(1) as f64;
    Ok(r.rows
        .into_iter()
        .filter(|u| u.used.cents > 0)
        .map(|u| ParetoBar {
            item: u.key,
            name: u.name,
            cents: u.used.cents,
            share: u.used.cents as f64 / whole,
            cumulative: u.cumulative_share,
            top: u.top,
        })
        .collect())
}

/// An item a chart or a stock card may be drawn for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemName {
    pub code: String,
    pub name: String,
}

/// Every item of the formulary by code, for choosing one by typing.
pub fn item_names(conn: &Connection) -> rusqlite::Result<Vec<ItemName>> {
    let mut st = conn.prepare("SELECT code, name FROM items ORDER BY code")?;
    st.query_map([], |r| {
        Ok(ItemName {
            code: r.get(0)?,
            name: r.get(1)?,
        })
    })?
    .collect()
}
