//! Read queries: what the screens and the CLI show. Nothing here writes.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use std::collections::HashMap;

mod locations;
pub use locations::*;

use crate::domain::alerts::{self, Alert, AlertConfig, LevelPolicy, LotBalance};
use crate::domain::{LotStatus, PlaceKind, Role, date_from_text, instant_from_text};

fn parse_enum<T: std::str::FromStr>(idx: usize, s: String) -> rusqlite::Result<T> {
    s.parse().map_err(|_| {
        rusqlite::Error::FromSqlConversionFailure(
            idx,
            rusqlite::types::Type::Text,
            format!("unknown value {s:?}").into(),
        )
    })
}

fn opt_date(s: Option<String>) -> Option<NaiveDate> {
    s.as_deref().and_then(date_from_text)
}

fn date_text(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Place {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub kind: PlaceKind,
    pub transport_minutes: i64,
}

pub fn places(conn: &Connection) -> rusqlite::Result<Vec<Place>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, code, name, kind, transport_minutes FROM places
         ORDER BY CASE kind WHEN 'pharmacy' THEN 0 WHEN 'ward' THEN 1 ELSE 2 END, code",
    )?;
    stmt.query_map([], |r| {
        Ok(Place {
            id: r.get(0)?,
            code: r.get(1)?,
            name: r.get(2)?,
            kind: parse_enum(3, r.get(3)?)?,
            transport_minutes: r.get(4)?,
        })
    })?
    .collect()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub full_name: String,
    pub role: Role,
    pub pin_hash: String,
    pub failed_pins: u32,
    pub locked_until: Option<DateTime<Utc>>,
    pub active: bool,
}

pub fn user_by_name(conn: &Connection, username: &str) -> rusqlite::Result<Option<UserRow>> {
    conn.prepare_cached("SELECT id, username, full_name, role, pin_hash, failed_pins, locked_until, active FROM users WHERE username = ?1 COLLATE NOCASE")?
        .query_row([username], |r| {
            Ok(UserRow {
                id: r.get(0)?,
                username: r.get(1)?,
                full_name: r.get(2)?,
                role: parse_enum(3, r.get(3)?)?,
                pin_hash: r.get(4)?,
                failed_pins: r.get(5)?,
                locked_until: r.get::<_, Option<String>>(6)?.as_deref().and_then(instant_from_text),
                active: r.get(7)?,
            })
        })
        .optional()
}

/// The site's name and IANA time zone, as `wardstock init` stored them
/// (`None` for a database made before sites were started with `init`).
pub fn site(conn: &Connection) -> rusqlite::Result<Option<(String, String)>> {
    let get = |k: &str| -> rusqlite::Result<Option<String>> {
        conn.prepare_cached("SELECT value FROM settings WHERE key = ?1")?
            .query_row([k], |r| r.get(0))
            .optional()
    };
    Ok(match (get("site_name")?, get("timezone")?) {
        (Some(n), Some(tz)) => Some((n, tz)),
        _ => None,
    })
}

/// The site's settings as `wardstock site show` tells them.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SiteSettings {
    pub name: Option<String>,
    /// The IANA name stored with the site (`None`: a database made before
    /// sites stored one).
    pub timezone: Option<String>,
    /// The zone every local time is on: the stored one, else the machine's.
    pub zone_in_use: String,
    /// Who last changed the time zone, and when (RFC 3339).
    pub timezone_set_by: Option<String>,
    pub timezone_set_at: Option<String>,
}

pub fn site_settings(conn: &Connection) -> rusqlite::Result<SiteSettings> {
    Ok(SiteSettings {
        name: setting(conn, "site_name")?,
        timezone: setting(conn, "timezone")?,
        zone_in_use: site_zone(conn)?.name().to_string(),
        timezone_set_by: setting(conn, "timezone_set_by")?,
        timezone_set_at: setting(conn, "timezone_set_at")?,
    })
}

/// The site's time zone: the IANA name stored with the site, else (a
/// database made before sites stored one, or a name this build does not
/// know) the machine's zone, else UTC.
pub fn site_zone(conn: &Connection) -> rusqlite::Result<chrono_tz::Tz> {
    Ok(setting(conn, "timezone")?
        .and_then(|z| z.trim().parse().ok())
        .unwrap_or_else(super::machine_zone))
}

/// A user's own language setting (`None`: not set, the system's is used).
pub fn user_language(
    conn: &Connection,
    user_id: i64,
) -> rusqlite::Result<Option<crate::i18n::Lang>> {
    let code: Option<String> = conn
        .prepare_cached("SELECT lang FROM users WHERE id = ?1")?
        .query_row([user_id], |r| r.get(0))
        .optional()?
        .flatten();
    Ok(code.as_deref().and_then(crate::i18n::Lang::parse))
}

/// One item's stock at a place, for the stock lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StockLine {
    pub item_id: i64,
    pub code: String,
    pub name: String,
    pub generic_name: String,
    pub atc: Option<String>,
    pub dose_unit: String,
    pub units_per_pack: i64,
    pub unit_price_cents: i64,
    /// Every unit on hand, usable or not.
    pub on_hand: i64,
    /// Units that may be used today (status ok, not expired).
    pub usable: i64,
    /// Earliest expiry among lots with stock.
    pub earliest_expiry: Option<NaiveDate>,
    pub lots: i64,
    pub safety_stock: i64,
    pub controlled: bool,
    pub high_alert: bool,
    pub storage: String,
}

/// Items stocked at a place (with a balance or a stock policy there), by name.
pub fn stock_lines(
    conn: &Connection,
    place_id: i64,
    today: NaiveDate,
) -> rusqlite::Result<Vec<StockLine>> {
    let mut stmt = conn.prepare_cached(
        "WITH here AS (
             SELECT b.item_id,
                    SUM(b.qty) AS on_hand,
                    SUM(CASE WHEN b.status = 'ok' AND (b.expiry IS NULL OR b.expiry >= ?2) THEN b.qty ELSE 0 END) AS usable,
                    MIN(b.expiry) AS earliest,
                    COUNT(*) AS lots
             FROM balances b
             WHERE b.place_id = ?1 GROUP BY b.item_id),
         ids AS (SELECT item_id FROM here UNION SELECT item_id FROM stock_policies WHERE place_id = ?1)
         SELECT i.id, i.code, i.name, i.generic_name, i.atc, i.dose_unit, i.units_per_pack, i.unit_price_cents,
                COALESCE(h.on_hand, 0), COALESCE(h.usable, 0), h.earliest, COALESCE(h.lots, 0),
                COALESCE(sp.safety_stock, 0), i.controlled, i.high_alert, i.storage
         FROM ids JOIN items i ON i.id = ids.item_id
         LEFT JOIN here h ON h.item_id = i.id
         LEFT JOIN stock_policies sp ON sp.place_id = ?1 AND sp.item_id = i.id
         ORDER BY i.name COLLATE NOCASE, i.code",
    )?;
    stmt.query_map(params![place_id, date_text(today)], |r| {
        Ok(StockLine {
            item_id: r.get(0)?,
            code: r.get(1)?,
            name: r.get(2)?,
            generic_name: r.get(3)?,
            atc: r.get(4)?,
            dose_unit: r.get(5)?,
            units_per_pack: r.get(6)?,
            unit_price_cents: r.get(7)?,
            on_hand: r.get(8)?,
            usable: r.get(9)?,
            earliest_expiry: opt_date(r.get(10)?),
            lots: r.get(11)?,
            safety_stock: r.get(12)?,
            controlled: r.get(13)?,
            high_alert: r.get(14)?,
            storage: r.get(15)?,
        })
    })?
    .collect()
}

/// A row of (place, item, lot, expiry, status, qty, unit price) as a balance.
fn lot_balance_row(r: &rusqlite::Row) -> rusqlite::Result<LotBalance> {
    Ok(LotBalance {
        place_id: r.get(0)?,
        item_id: r.get(1)?,
        lot_id: r.get(2)?,
        expiry: opt_date(r.get(3)?),
        status: parse_enum(4, r.get(4)?)?,
        qty: r.get(5)?,
        unit_price_cents: r.get(6)?,
    })
}

/// Lot balances with stock, for one place or all; what the warnings read.
pub fn lot_balances(conn: &Connection, place_id: Option<i64>) -> rusqlite::Result<Vec<LotBalance>> {
    let mut stmt = conn.prepare_cached(
        "SELECT b.place_id, b.item_id, b.lot_id, b.expiry, b.status, b.qty, i.unit_price_cents
         FROM balances b JOIN items i ON i.id = b.item_id
         WHERE b.qty > 0 AND (?1 IS NULL OR b.place_id = ?1)",
    )?;
    stmt.query_map([place_id], lot_balance_row)?.collect()
}

/// Lots at a place (or all) that may raise a warning today: not ok, or
/// expiring by `horizon`. Everything else is quiet and is not read.
pub fn alert_candidates(
    conn: &Connection,
    place_id: Option<i64>,
    horizon: NaiveDate,
) -> rusqlite::Result<Vec<LotBalance>> {
    let mut stmt = conn.prepare_cached(
        "SELECT b.place_id, b.item_id, b.lot_id, b.expiry, b.status, b.qty, i.unit_price_cents
         FROM balances b JOIN items i ON i.id = b.item_id
         WHERE b.expiry <= ?2 AND b.status = 'ok' AND (?1 IS NULL OR b.place_id = ?1)
         UNION ALL
         SELECT b.place_id, b.item_id, b.lot_id, b.expiry, b.status, b.qty, i.unit_price_cents
         FROM balances b JOIN items i ON i.id = b.item_id
         WHERE b.status <> 'ok' AND (?1 IS NULL OR b.place_id = ?1)",
    )?;
    stmt.query_map(params![place_id, date_text(horizon)], lot_balance_row)?
        .collect()
}

/// Usable units (status ok, not expired on `today`) per (place, item).
pub fn usable_totals(
    conn: &Connection,
    place_id: Option<i64>,
    today: NaiveDate,
) -> rusqlite::Result<HashMap<(i64, i64), i64>> {
    let mut stmt = conn.prepare_cached(
        "SELECT place_id, item_id, SUM(qty) FROM balances
         WHERE status = 'ok' AND (expiry IS NULL OR expiry >= ?2) AND (?1 IS NULL OR place_id = ?1)
         GROUP BY place_id, item_id",
    )?;
    stmt.query_map(params![place_id, date_text(today)], |r| {
        Ok(((r.get(0)?, r.get(1)?), r.get(2)?))
    })?
    .collect()
}

/// A row of (lot, expiry, received at, status, qty) as FEFO sees it.
fn lot_stock_row(r: &rusqlite::Row, at: usize) -> rusqlite::Result<crate::domain::fefo::LotStock> {
    let received: String = r.get(at + 2)?;
    Ok(crate::domain::fefo::LotStock {
        lot_id: r.get(at)?,
        expiry: opt_date(r.get(at + 1)?),
        // Received time in seconds: the earlier received sorts first.
        received_seq: instant_from_text(&received).map_or(0, |t| t.timestamp()),
        status: parse_enum(at + 3, r.get(at + 3)?)?,
        qty: r.get(at + 4)?,
    })
}

/// The lots of an item at a place, as FEFO sees them.
pub fn lot_stock(
    conn: &Connection,
    place_id: i64,
    item_id: i64,
) -> rusqlite::Result<Vec<crate::domain::fefo::LotStock>> {
    let mut stmt = conn.prepare_cached(
        "SELECT b.lot_id, b.expiry, l.received_at, b.status, b.qty FROM balances b JOIN lots l ON l.id = b.lot_id
         WHERE b.place_id = ?1 AND b.item_id = ?2",
    )?;
    stmt.query_map(params![place_id, item_id], |r| lot_stock_row(r, 0))?
        .collect()
}

/// The lots of the given items at every place, as FEFO sees them, by (place, item).
pub fn lot_stocks(
    conn: &Connection,
    place_id: Option<i64>,
    items: &[i64],
) -> rusqlite::Result<HashMap<(i64, i64), Vec<crate::domain::fefo::LotStock>>> {
    let list = serde_json::to_string(items).unwrap_or_else(|_| "[]".into());
    let mut stmt = conn.prepare_cached(
        "SELECT b.place_id, b.item_id, b.lot_id, b.expiry, l.received_at, b.status, b.qty
         FROM balances b JOIN lots l ON l.id = b.lot_id
         WHERE b.item_id IN (SELECT value FROM json_each(?1)) AND (?2 IS NULL OR b.place_id = ?2)",
    )?;
    let mut out: HashMap<(i64, i64), Vec<crate::domain::fefo::LotStock>> = HashMap::new();
    let rows = stmt.query_map(params![list, place_id], |r| {
        Ok(((r.get(0)?, r.get(1)?), lot_stock_row(r, 2)?))
    })?;

    for row in rows {
        let (key, lot) = row?;
        out.entry(key).or_default().push(lot);
    }
    Ok(out)
}

/// Units used per day (in thousandths) over the last `days` days, per
/// (place, item), for the given items: what left each place for patients,
/// for non-patient use or for another place.
pub fn daily_use(
    conn: &Connection,
    items: &[i64],
    now: DateTime<Utc>,
    days: i64,
) -> rusqlite::Result<HashMap<(i64, i64), i64>> {
    let since = crate::domain::instant_to_text(now - chrono::Duration::days(days.max(1)));
    let list = serde_json::to_string(items).unwrap_or_else(|_| "[]".into());
    let mut stmt = conn.prepare_cached(
        "SELECT m.from_place_id, m.item_id, SUM(m.qty) FROM movements m
         WHERE m.item_id IN (SELECT value FROM json_each(?1)) AND m.at >= ?2
           AND m.from_place_id IS NOT NULL AND m.kind IN ('administration', 'issue', 'transfer')
         GROUP BY m.from_place_id, m.item_id",
    )?;
    stmt.query_map(params![list, since], |r| {
        let total: i64 = r.get(2)?;
        Ok(((r.get(0)?, r.get(1)?), total * 1000 / days.max(1)))
    })?
    .collect()
}

/// Every stock warning of a place (or all places) today, worst first.
pub fn alerts(
    conn: &Connection,
    place_id: Option<i64>,
    today: NaiveDate,
    cfg: &AlertConfig,
) -> rusqlite::Result<Vec<Alert>> {
    let candidates = alert_candidates(conn, place_id, alerts::expiry_horizon(today, cfg))?;
    let usable = usable_totals(conn, place_id, today)?;
    let policies = level_policies(conn, place_id)?;
    let mut list = alerts::build_with_usable(&candidates, &policies, &usable, today, cfg);
    // Projected waste, for the items with usable lots expiring within the horizon.
    let mut pairs: Vec<(i64, i64, i64)> = candidates
        .iter()
        .filter(|b| {
            b.status == crate::domain::LotStatus::Ok && b.expiry.is_some_and(|e| e >= today)
        })
        // Waste matters where an expiry warning would: within the tiers, or the
        // longer horizon of high-value stock.
        .filter(|b| {
            let days = b.expiry.map_or(i64::MAX, |e| (e - today).num_days());
            days <= cfg.expiry_tiers.iter().copied().max().unwrap_or(0)
                || (b.unit_price_cents >= cfg.high_value_cents
                    && days <= cfg.high_value_horizon_days)
        })
        .map(|b| (b.place_id, b.item_id, b.unit_price_cents))
        .collect();
    pairs.sort_unstable();
    pairs.dedup();
    let items: Vec<i64> = pairs.iter().map(|p| p.1).collect();
    // Midday of the site's day: the usage window ends there.
    let now = crate::domain::schedule::local_instant(
        &site_zone(conn)?,
        today,
        chrono::NaiveTime::from_hms_opt(12, 0, 0).unwrap_or_default(),
    )
    .unwrap_or_else(Utc::now);
    let rates = daily_use(conn, &items, now, cfg.usage_window_days)?;
    let horizon = (alerts::expiry_horizon(today, cfg) - today).num_days();
    let mut lots = lot_stocks(conn, place_id, &items)?;
    for (place, item, price) in pairs {
        let rate = rates.get(&(place, item)).copied().unwrap_or(0);
        let here = lots.remove(&(place, item)).unwrap_or_default();
        list.extend(alerts::waste_alerts(
            place, item, &here, price, rate, today, horizon,
        ));
    }
    alerts::sort_worst_first(&mut list);
    Ok(list)
}

pub fn level_policies(
    conn: &Connection,
    place_id: Option<i64>,
) -> rusqlite::Result<Vec<LevelPolicy>> {
    let mut stmt = conn.prepare_cached("SELECT place_id, item_id, safety_stock, max_stock FROM stock_policies WHERE ?1 IS NULL OR place_id = ?1")?;
    stmt.query_map([place_id], |r| {
        Ok(LevelPolicy {
            place_id: r.get(0)?,
            item_id: r.get(1)?,
            safety_stock: r.get(2)?,
            max_stock: r.get(3)?,
        })
    })?
    .collect()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LotLine {
    pub lot_id: i64,
    pub lot_number: String,
    pub expiry: Option<NaiveDate>,
    pub qty: i64,
    pub status: LotStatus,
    pub received_at: Option<DateTime<Utc>>,
    /// Where it is kept at the place: its storage locations' codes.
    pub locations: Vec<String>,
}

/// The lots of an item at a place that hold stock, earliest expiry first.
pub fn item_lots(conn: &Connection, place_id: i64, item_id: i64) -> rusqlite::Result<Vec<LotLine>> {
    let mut stmt = conn.prepare_cached(
        "SELECT l.id, l.lot_number, l.expiry, b.qty, l.status, l.received_at,
                (SELECT group_concat(code, ' ') FROM (
                     SELECT loc.code FROM location_balances lb JOIN locations loc ON loc.id = lb.location_id
                     WHERE lb.place_id = b.place_id AND lb.lot_id = b.lot_id AND lb.qty > 0 ORDER BY loc.code))
         FROM balances b JOIN lots l ON l.id = b.lot_id
         WHERE b.place_id = ?1 AND b.item_id = ?2 AND b.qty > 0
         ORDER BY l.expiry IS NULL, l.expiry, l.received_at, l.id",
    )?;
    stmt.query_map(params![place_id, item_id], |r| {
        Ok(LotLine {
            lot_id: r.get(0)?,
            lot_number: r.get(1)?,
            expiry: opt_date(r.get(2)?),
            qty: r.get(3)?,
            status: parse_enum(4, r.get(4)?)?,
            received_at: r
                .get::<_, String>(5)
                .ok()
                .as_deref()
                .and_then(instant_from_text),
            locations: r
                .get::<_, Option<String>>(6)?
                .map(|s| s.split(' ').map(str::to_string).collect())
                .unwrap_or_default(),
        })
    })?
    .collect()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MovementLine {
    /// The movement's id; a move between locations has its id negated.
    pub id: i64,
    pub at: Option<DateTime<Utc>>,
    pub kind: String,
    pub lot_number: String,
    /// Positive when units arrived at the place, negative when they left.
    pub delta: i64,
    pub from: Option<String>,
    pub to: Option<String>,
    pub user: String,
    pub reason: Option<String>,
    pub patient_mrn: Option<String>,
}

/// The latest movements of an item in or out of a place, newest first.
pub fn item_movements(
    conn: &Connection,
    place_id: i64,
    item_id: i64,
    limit: i64,
) -> rusqlite::Result<Vec<MovementLine>> {
    // Moves between the place's locations are listed too ("relocation",
    // from and to are locations; negative ids keep them apart).
    let mut stmt = conn.prepare_cached(
        "SELECT * FROM (
             SELECT m.id, m.at, m.kind, l.lot_number,
                    CASE WHEN m.to_place_id = ?1 THEN m.qty ELSE -m.qty END,
                    pf.code, pt.code, u.username, m.reason, pa.mrn
             FROM movements m
             JOIN lots l ON l.id = m.lot_id
             JOIN users u ON u.id = m.user_id
             LEFT JOIN places pf ON pf.id = m.from_place_id
             LEFT JOIN places pt ON pt.id = m.to_place_id
             LEFT JOIN patients pa ON pa.id = m.patient_id
             WHERE m.item_id = ?2 AND (m.from_place_id = ?1 OR m.to_place_id = ?1)
             ORDER BY m.at DESC, m.id DESC LIMIT ?3)
         UNION ALL
         SELECT * FROM (
             SELECT -mv.id, mv.at, 'relocation', l.lot_number, mv.qty, lf.code, lt.code, u.username,
                    mv.reason, NULL
             FROM location_moves mv
             JOIN lots l ON l.id = mv.lot_id
             JOIN users u ON u.id = mv.user_id
             JOIN locations lf ON lf.id = mv.from_location_id
             JOIN locations lt ON lt.id = mv.to_location_id
             WHERE mv.place_id = ?1 AND mv.item_id = ?2
             ORDER BY mv.at DESC, mv.id DESC LIMIT ?3)
         ORDER BY 2 DESC, 1 DESC LIMIT ?3",
    )?;
    stmt.query_map(params![place_id, item_id, limit], |r| {
        Ok(MovementLine {
            id: r.get(0)?,
            at: instant_from_text(&r.get::<_, String>(1)?),
            kind: r.get(2)?,
            lot_number: r.get(3)?,
            delta: r.get(4)?,
            from: r.get(5)?,
            to: r.get(6)?,
            user: r.get(7)?,
            reason: r.get(8)?,
            patient_mrn: r.get(9)?,
        })
    })?
    .collect()
}

/// One (place, lot) balance for `wardstock stock`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BalanceRow {
    pub place: String,
    /// The storage location inside the place.
    pub location: String,
    pub item: String,
    pub item_name: String,
    pub lot: String,
    pub expiry: Option<String>,
    pub qty: i64,
    pub dose_unit: String,
    /// The lot's status: ok, quarantined or recalled.
    pub status: String,
    /// Days from today to the expiry date (negative once expired).
    pub days_to_expiry: Option<i64>,
    /// May be used today: status ok and not expired.
    pub usable: bool,
}

/// Balances with stock by place, item, lot and storage location; one place or all.
pub fn balance_rows(
    conn: &Connection,
    place_id: Option<i64>,
    today: NaiveDate,
) -> rusqlite::Result<Vec<BalanceRow>> {
    let mut stmt = conn.prepare(
        "SELECT p.code, i.code, i.name, l.lot_number, l.expiry, b.qty, i.dose_unit, l.status, loc.code
         FROM location_balances b JOIN places p ON p.id = b.place_id JOIN lots l ON l.id = b.lot_id JOIN items i ON i.id = b.item_id
         JOIN locations loc ON loc.id = b.location_id
         WHERE b.qty > 0 AND (?1 IS NULL OR b.place_id = ?1)
         ORDER BY p.kind = 'ward', p.code, i.name COLLATE NOCASE, i.code, l.expiry IS NULL, l.expiry, l.lot_number, loc.code",
    )?;
    stmt.query_map([place_id], |r| {
        let expiry: Option<String> = r.get(4)?;
        let status: String = r.get(7)?;
        let days = expiry
            .as_deref()
            .and_then(date_from_text)
            .map(|e| (e - today).num_days());
        Ok(BalanceRow {
            place: r.get(0)?,
            location: r.get(8)?,
            item: r.get(1)?,
            item_name: r.get(2)?,
            lot: r.get(3)?,
            expiry,
            qty: r.get(5)?,
            dose_unit: r.get(6)?,
            usable: status == "ok" && days.is_none_or(|d| d >= 0),
            status,
            days_to_expiry: days,
        })
    })?
    .collect()
}

pub fn place_by_code(conn: &Connection, code: &str) -> rusqlite::Result<Option<Place>> {
    Ok(places(conn)?
        .into_iter()
        .find(|p| p.code.eq_ignore_ascii_case(code)))
}

/// A warning with the names a person reads: place, item, unit, lot, and a sentence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AlertRow {
    #[serde(flatten)]
    pub alert: Alert,
    pub place: String,
    pub item: String,
    pub item_name: String,
    pub dose_unit: String,
    pub lot: Option<String>,
    pub expiry: Option<NaiveDate>,
    pub message: String,
}

/// Every warning of a place (or all places) today with its names, worst first.
pub fn alert_rows(
    conn: &Connection,
    place_id: Option<i64>,
    today: NaiveDate,
    cfg: &AlertConfig,
) -> rusqlite::Result<Vec<AlertRow>> {
    let list = alerts(conn, place_id, today, cfg)?;
    let mut stmt = conn.prepare_cached("SELECT id, code, name, dose_unit FROM items")?;
    let items: HashMap<i64, (String, String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?, r.get(3)?))))?
        .collect::<rusqlite::Result<_>>()?;
    let places: HashMap<i64, String> = places(conn)?.into_iter().map(|p| (p.id, p.code)).collect();
    let lot_ids: Vec<i64> = list.iter().filter_map(|a| a.lot_id).collect();
    let lots = lot_numbers(conn, &lot_ids)?;
    Ok(list
        .into_iter()
        .map(|a| {
            let (item, item_name, dose_unit) = items.get(&a.item_id).cloned().unwrap_or_default();
            let (lot, expiry) = match a.lot_id.and_then(|l| lots.get(&l)) {
                Some((n, e)) => (Some(n.clone()), *e),
                None => (None, None),
            };
            AlertRow {
                message: a.message(&dose_unit, lot.as_deref(), expiry),
                place: places.get(&a.place_id).cloned().unwrap_or_default(),
                item,
                item_name,
                dose_unit,
                lot,
                expiry,
                alert: a,
            }
        })
        .collect())
}

pub fn lot_numbers(
    conn: &Connection,
    ids: &[i64],
) -> rusqlite::Result<HashMap<i64, (String, Option<NaiveDate>)>> {
    let list = serde_json::to_string(ids).unwrap_or_else(|_| "[]".into());
    let mut stmt = conn.prepare_cached(
        "SELECT id, lot_number, expiry FROM lots WHERE id IN (SELECT value FROM json_each(?1))",
    )?;
    stmt.query_map([list], |r| {
        Ok((r.get(0)?, (r.get::<_, String>(1)?, opt_date(r.get(2)?))))
    })?
    .collect()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrescriptionLine {
    pub id: i64,
    pub patient_id: i64,
    pub mrn: String,
    pub patient: String,
    pub bed: Option<String>,
    pub item_id: i64,
    pub item: String,
    pub dose_milli: i64,
    pub dose_unit: String,
    pub route: String,
    pub frequency: String,
    pub times: String,
    pub start_at: Option<DateTime<Utc>>,
    pub end_at: Option<DateTime<Utc>>,
    pub indication: String,
    pub prescriber: String,
    pub time_critical: bool,
    pub status: String,
    pub high_alert: bool,
    pub controlled: bool,
}

impl PrescriptionLine {
    /// The dose as written: "500 mg".
    pub fn dose_text(&self) -> String {
        format!(
            "{} {}",
            crate::domain::milli_text(self.dose_milli),
            self.dose_unit
        )
    }
}

/// Current prescriptions of the patients of a ward (not superseded).
pub fn prescriptions_for_ward(
    conn: &Connection,
    ward_id: i64,
) -> rusqlite::Result<Vec<PrescriptionLine>> {
    prescription_lines(conn, Some(ward_id), None, false)
}

/// The prescriptions of a ward's patients, or of one patient wherever they
/// are (a discharged patient has no ward); with `superseded`, also the
/// versions that were replaced (their doses before the change stay on the
/// schedule).
fn prescription_lines(
    conn: &Connection,
    ward_id: Option<i64>,
    patient_id: Option<i64>,
    superseded: bool,
) -> rusqlite::Result<Vec<PrescriptionLine>> {
    let mut stmt = conn.prepare_cached(
        "SELECT r.id, pa.id, pa.mrn, pa.name, pa.bed, i.id, i.name, r.dose_milli, r.dose_unit, r.route, r.frequency, r.times,
                r.start_at, r.end_at, r.indication, r.prescriber, r.time_critical, r.status, i.high_alert, i.controlled
         FROM prescriptions r JOIN patients pa ON pa.id = r.patient_id JOIN items i ON i.id = r.item_id
         WHERE (?1 IS NULL OR pa.ward_id = ?1) AND (?3 IS NULL OR pa.id = ?3) AND (?2 OR r.status <> 'superseded')
         ORDER BY pa.bed, pa.name, r.status <> 'awaiting_validation', r.status <> 'active', i.name",
    )?;
    stmt.query_map(params![ward_id, superseded, patient_id], |r| {
        Ok(PrescriptionLine {
            id: r.get(0)?,
            patient_id: r.get(1)?,
            mrn: r.get(2)?,
            patient: r.get(3)?,
            bed: r.get(4)?,
            item_id: r.get(5)?,
            item: r.get(6)?,
            dose_milli: r.get(7)?,
            dose_unit: r.get(8)?,
            route: r.get(9)?,
            frequency: r.get(10)?,
            times: r.get(11)?,
            start_at: instant_from_text(&r.get::<_, String>(12)?),
            end_at: r
                .get::<_, Option<String>>(13)?
                .as_deref()
                .and_then(instant_from_text),
            indication: r.get(14)?,
            prescriber: r.get(15)?,
            time_critical: r.get(16)?,
            status: r.get(17)?,
            high_alert: r.get(18)?,
            controlled: r.get(19)?,
        })
    })?
    .collect()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordedDose {
    pub prescription_id: i64,
    pub scheduled_at: Option<DateTime<Utc>>,
    pub recorded_at: Option<DateTime<Utc>>,
    pub outcome: String,
    pub user: String,
    pub lot_number: Option<String>,
}

/// Doses recorded on a ward with a scheduled time in `[from, to)`, or recorded then (PRN).
pub fn recorded_doses(
    conn: &Connection,
    ward_id: i64,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> rusqlite::Result<Vec<RecordedDose>> {
    let (f, t) = (
        crate::domain::instant_to_text(from),
        crate::domain::instant_to_text(to),
    );
    let mut stmt = conn.prepare_cached(
        "SELECT a.prescription_id, a.scheduled_at, a.recorded_at, a.outcome, u.username, l.lot_number
         FROM administrations a JOIN prescriptions r ON r.id = a.prescription_id JOIN patients pa ON pa.id = r.patient_id
         JOIN users u ON u.id = a.user_id LEFT JOIN lots l ON l.id = a.lot_id
         WHERE pa.ward_id = ?1 AND COALESCE(a.scheduled_at, a.recorded_at) >= ?2 AND COALESCE(a.scheduled_at, a.recorded_at) < ?3",
    )?;
    stmt.query_map(params![ward_id, f, t], |r| {
        Ok(RecordedDose {
            prescription_id: r.get(0)?,
            scheduled_at: r
                .get::<_, Option<String>>(1)?
                .as_deref()
                .and_then(instant_from_text),
            recorded_at: instant_from_text(&r.get::<_, String>(2)?),
            outcome: r.get(3)?,
            user: r.get(4)?,
            lot_number: r.get(5)?,
        })
    })?
    .collect()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PatientLine {
    pub id: i64,
    pub mrn: String,
    pub name: String,
    pub dob: String,
    pub bed: Option<String>,
    pub allergies: String,
}

pub fn patients_for_ward(conn: &Connection, ward_id: i64) -> rusqlite::Result<Vec<PatientLine>> {
    let mut stmt = conn.prepare_cached(
        "SELECT p.id, p.mrn, p.name, p.dob, p.bed,
                COALESCE((SELECT group_concat(a.substance, ', ') FROM patient_allergies a WHERE a.patient_id = p.id AND a.removed_at IS NULL), '')
         FROM patients p WHERE p.ward_id = ?1 ORDER BY p.bed, p.name",
    )?;
    stmt.query_map([ward_id], |r| {
        Ok(PatientLine {
            id: r.get(0)?,
            mrn: r.get(1)?,
            name: r.get(2)?,
            dob: r.get(3)?,
            bed: r.get(4)?,
            allergies: r.get(5)?,
        })
    })?
    .collect()
}

/// A setting stored in the database, if set.
pub fn setting(conn: &Connection, key: &str) -> rusqlite::Result<Option<String>> {
    conn.prepare_cached("SELECT value FROM settings WHERE key = ?1")?
        .query_row([key], |r| r.get(0))
        .optional()
}

/// Items kept at a place: with stock there or a stock policy (as the stock list shows them).
pub fn item_count(conn: &Connection, place_id: i64) -> rusqlite::Result<i64> {
    conn.prepare_cached(
        "SELECT count(*) FROM (SELECT item_id FROM balances WHERE place_id = ?1
                               UNION SELECT item_id FROM stock_policies WHERE place_id = ?1)",
    )?
    .query_row([place_id], |r| r.get(0))
}

/// One scheduled dose of a ward's administration schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DoseRow {
    pub prescription_id: i64,
    pub at: DateTime<Utc>,
    /// Half-width of the timing window (ISMP), in minutes.
    pub window_minutes: i64,
    pub recorded: bool,
    pub outcome: Option<String>,
    pub bed: String,
    pub mrn: String,
    pub patient: String,
    pub item: String,
    pub dose: String,
    pub route: String,
    pub by: Option<String>,
    /// CD (controlled: witness), HA (high-alert: double check), TC (time-critical).
    pub flags: String,
    /// wardstock marked the dose missed when its window closed; a nurse has
    /// not yet documented the reason.
    pub auto_missed: bool,
}

impl DoseRow {
    pub fn window(&self) -> chrono::Duration {
        chrono::Duration::minutes(self.window_minutes)
    }

    /// Where the dose stands at `now`: the schedule turns due, late and
    /// missed as the clock runs.
    pub fn status(&self, now: DateTime<Utc>) -> crate::domain::schedule::DoseStatus {
        crate::domain::schedule::dose_status(self.at, self.window(), self.recorded, now)
    }
}

/// The scheduled doses of a ward's active (and completed) prescriptions in
/// `[from, to)`, with what is recorded of them, by time; and the PRN
/// prescriptions that may be given when needed.
pub fn schedule(
    conn: &Connection,
    ward_id: i64,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> rusqlite::Result<(Vec<DoseRow>, Vec<PrescriptionLine>)> {
    use crate::domain::schedule::{self as sched, Frequency};
    let zone = site_zone(conn)?;
    let lines = prescription_lines(conn, Some(ward_id), None, true)?;
    let recorded = recorded_doses(conn, ward_id, from, to)?;
    let recorded: HashMap<(i64, DateTime<Utc>), &RecordedDose> = recorded
        .iter()
        .filter_map(|r| Some(((r.prescription_id, r.scheduled_at?), r)))
        .collect();
    // Which version each changed prescription replaced: a dose recorded
    // under an earlier version counts for the later one.
    let mut stmt = conn.prepare_cached(
        "SELECT r.id, r.supersedes_id FROM prescriptions r JOIN patients p ON p.id = r.patient_id
         WHERE p.ward_id = ?1 AND r.supersedes_id IS NOT NULL",
    )?;
    let replaced: HashMap<i64, i64> = stmt
        .query_map([ward_id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let find = |id: i64, at: DateTime<Utc>| -> Option<&RecordedDose> {
        let mut id = Some(id);
        for _ in 0..64 {
            let here = id?;
            if let Some(r) = recorded.get(&(here, at)) {
                return Some(*r);
            }
            id = replaced.get(&here).copied();
        }
        None
    };
    // Suspended spells: no dose is due while a prescription is suspended.
    let mut stmt = conn.prepare_cached(
        "SELECT e.prescription_id, e.at, e.action FROM prescription_events e JOIN prescriptions r ON r.id = e.prescription_id
         JOIN patients p ON p.id = r.patient_id
         WHERE p.ward_id = ?1 AND e.action IN ('suspended', 'resumed') ORDER BY e.prescription_id, e.at, e.id",
    )?;
    // From, and until (None: still suspended).
    type Spell = (DateTime<Utc>, Option<DateTime<Utc>>);
    let mut suspended: HashMap<i64, Vec<Spell>> = HashMap::new();
    let events = stmt.query_map([ward_id], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
        ))
    })?;
    for e in events {
        let (rx, at, action) = e?;
        let Some(at) = instant_from_text(&at) else {
            continue;
        };
        let spells = suspended.entry(rx).or_default();
        if action == "suspended" {
            spells.push((at, None));
        } else if let Some(last) = spells.last_mut().filter(|s| s.1.is_none()) {
            last.1 = Some(at);
        }
    }
    let in_spell = |rx: i64, at: DateTime<Utc>| {
        suspended
            .get(&rx)
            .is_some_and(|v| v.iter().any(|(a, b)| at >= *a && b.is_none_or(|b| at < b)))
    };
    let mut stmt = conn.prepare_cached(
        "SELECT m.prescription_id, m.scheduled_at FROM missed_doses m JOIN prescriptions r ON r.id = m.prescription_id
         JOIN patients p ON p.id = r.patient_id WHERE p.ward_id = ?1 AND m.scheduled_at >= ?2 AND m.scheduled_at < ?3",
    )?;
    let auto_missed: std::collections::HashSet<(i64, DateTime<Utc>)> = stmt
        .query_map(
            params![
                ward_id,
                crate::domain::instant_to_text(from),
                crate::domain::instant_to_text(to)
            ],
            |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)),
        )?
        .filter_map(|r| {
            r.ok()
                .and_then(|(id, t)| Some((id, instant_from_text(&t)?)))
        })
        .collect();
    let mut rows = Vec::new();
    let mut prn = Vec::new();
    for l in &lines {
        // Doses are due while a prescription runs; those of a stopped,
        // suspended or replaced one stay up to when it ended.
        if !matches!(
            l.status.as_str(),
            "active" | "completed" | "stopped" | "suspended" | "superseded"
        ) {
            continue;
        }
        let Ok(freq) = l.frequency.parse::<Frequency>() else {
            continue;
        };
        let Some(start) = l.start_at else { continue };
        if freq == Frequency::Prn {
            if l.status == "active" && start < to && l.end_at.is_none_or(|e| e > from) {
                prn.push(l.clone());
            }
            continue;
        }
        let times: Vec<chrono::NaiveTime> = l
            .times
            .split(',')
            .filter_map(|t| chrono::NaiveTime::parse_from_str(t.trim(), "%H:%M").ok())
            .collect();
        let times = if times.is_empty() {
            freq.default_times()
        } else {
            times
        };
        let half = sched::window(freq, l.time_critical);
        for at in sched::expand(&zone, freq, &times, start, l.end_at, from, to) {
            let rec = find(l.id, at);
            // Not due while suspended; a stopped prescription with no
            // recorded end shows only what was recorded.
            if rec.is_none()
                && (in_spell(l.id, at) || (l.status == "stopped" && l.end_at.is_none()))
            {
                continue;
            }
            // Controlled first: it needs a witness, the most to prepare.
            let flags = [
                (l.controlled, "CD"),
                (l.high_alert, "HA"),
                (l.time_critical, "TC"),
            ]
            .iter()
            .filter(|(on, _)| *on)
            .map(|(_, f)| *f)
            .collect::<Vec<_>>()
            .join(" ");
            rows.push(DoseRow {
                prescription_id: l.id,
                at,
                window_minutes: half.num_minutes(),
                recorded: rec.is_some(),
                outcome: rec.map(|r| r.outcome.replace('_', " ")),
                bed: l.bed.clone().unwrap_or_default(),
                mrn: l.mrn.clone(),
                patient: l.patient.clone(),
                item: l.item.clone(),
                dose: l.dose_text(),
                route: l.route.clone(),
                by: rec.map(|r| r.user.clone()),
                flags,
                auto_missed: rec.is_none() && auto_missed.contains(&(l.id, at)),
            });
        }
    }
    rows.sort_by(|a, b| (a.at, &a.bed, &a.item).cmp(&(b.at, &b.bed, &b.item)));
    Ok((rows, prn))
}

/// A dose recorded for a patient, with its lot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PatientDose {
    pub prescription_id: i64,
    pub scheduled_at: Option<String>,
    pub recorded_at: String,
    pub item: String,
    pub outcome: String,
    pub lot: Option<String>,
    pub expiry: Option<String>,
    pub qty: Option<i64>,
    pub by: String,
    pub witness: Option<String>,
    pub double_check: Option<String>,
    pub scanned: bool,
    pub reason: Option<String>,
}

/// An allergy removed from a patient's record, kept as history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RemovedAllergy {
    pub substance: String,
    pub kind: String,
    /// When it was removed (UTC, as stored).
    pub removed_at: String,
    /// Who removed it (user name).
    pub removed_by: String,
    pub reason: Option<String>,
}

/// The allergies a patient no longer has recorded, newest removal first.
pub fn removed_allergies(
    conn: &Connection,
    patient_id: i64,
) -> rusqlite::Result<Vec<RemovedAllergy>> {
    conn.prepare_cached(
        "SELECT a.substance, a.kind, a.removed_at, COALESCE(u.username, ''), a.removed_reason
         FROM patient_allergies a LEFT JOIN users u ON u.id = a.removed_by
         WHERE a.patient_id = ?1 AND a.removed_at IS NOT NULL ORDER BY a.removed_at DESC, a.id DESC",
    )?
    .query_map([patient_id], |r| {
        Ok(RemovedAllergy {
            substance: r.get(0)?,
            kind: r.get(1)?,
            removed_at: r.get(2)?,
            removed_by: r.get(3)?,
            reason: r.get(4)?,
        })
    })?
    .collect()
}

/// The patient's record: who, allergies, prescriptions, and every dose with its lot, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PatientRecord {
    pub mrn: String,
    pub name: String,
    pub dob: String,
    pub ward: Option<String>,
    pub bed: Option<String>,
    /// The current allergies, as `substance (kind), …`.
    pub allergies: String,
    /// Allergies removed from the record, as history.
    pub removed_allergies: Vec<RemovedAllergy>,
    pub prescriptions: Vec<PrescriptionLine>,
    pub doses: Vec<PatientDose>,
}

pub fn patient_record(conn: &Connection, mrn: &str) -> rusqlite::Result<Option<PatientRecord>> {
    let head = conn
        .query_row(
            "SELECT p.id, p.mrn, p.name, p.dob, w.code, p.bed, p.ward_id,
                    COALESCE((SELECT group_concat(a.substance || ' (' || a.kind || ')', ', ') FROM patient_allergies a WHERE a.patient_id = p.id AND a.removed_at IS NULL), '')
             FROM patients p LEFT JOIN places w ON w.id = p.ward_id WHERE p.mrn = ?1",
            [mrn.trim()],
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, Option<String>>(5)?,
                    r.get::<_, Option<i64>>(6)?,
                    r.get::<_, String>(7)?,
                ))
            },
        )
        .optional()?;
    let Some((id, mrn, name, dob, ward, bed, _, allergies)) = head else {
        return Ok(None);
    };
    // By patient, not by ward: a discharged patient's stopped
    // prescriptions stay on their record.
    let prescriptions = prescription_lines(conn, None, Some(id), false)?;
    let mut stmt = conn.prepare(
        "SELECT a.prescription_id, a.scheduled_at, a.recorded_at, i.name, a.outcome, l.lot_number, l.expiry, a.qty,
                u.username, wu.username, du.username, a.scanned, a.reason
         FROM administrations a JOIN prescriptions r ON r.id = a.prescription_id JOIN items i ON i.id = r.item_id
         JOIN users u ON u.id = a.user_id LEFT JOIN users wu ON wu.id = a.witness_id LEFT JOIN users du ON du.id = a.double_check_id
         LEFT JOIN lots l ON l.id = a.lot_id
         WHERE r.patient_id = ?1 ORDER BY a.recorded_at DESC, a.id DESC",
    )?;
    let doses = stmt
        .query_map([id], |r| {
            Ok(PatientDose {
                prescription_id: r.get(0)?,
                scheduled_at: r.get(1)?,
                recorded_at: r.get(2)?,
                item: r.get(3)?,
                outcome: r.get(4)?,
                lot: r.get(5)?,
                expiry: r.get(6)?,
                qty: r.get(7)?,
                by: r.get(8)?,
                witness: r.get(9)?,
                double_check: r.get(10)?,
                scanned: r.get(11)?,
                reason: r.get(12)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Some(PatientRecord {
        mrn,
        name,
        dob,
        ward,
        bed,
        allergies,
        removed_allergies: removed_allergies(conn, id)?,
        prescriptions,
        doses,
    }))
}

/// The default preferred product of a generic prescription: of the ATC
/// code, a form that suits the route, held on the patient's ward if one is,
/// then by code.
pub fn first_item_of_atc(
    conn: &Connection,
    atc: &str,
    route: &str,
    mrn: &str,
) -> rusqlite::Result<Option<String>> {
    let mut stmt = conn.prepare(
        "SELECT i.code, i.form FROM items i WHERE i.atc = ?1
         ORDER BY NOT EXISTS (SELECT 1 FROM balances b JOIN patients p ON p.ward_id = b.place_id
                              WHERE p.mrn = ?2 AND b.item_id = i.id AND b.status = 'ok'), i.code",
    )?;
    let rows = stmt.query_map(params![atc.trim().to_ascii_uppercase(), mrn], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
    })?;
    for row in rows {
        let (code, form) = row?;
        if crate::domain::form_fits_route(&form, route) {
            return Ok(Some(code));
        }
    }
    Ok(None)
}

/// Where a PRN prescription stands: doses given in the last 24 h against
/// its maximum, and the earliest time the next may be given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrnState {
    pub given_24h: i64,
    pub max_24h: Option<i64>,
    pub last_given: Option<DateTime<Utc>>,
    /// `None`: may be given now.
    pub next_allowed: Option<DateTime<Utc>>,
}

/// A prescription and the versions it replaced, as SQL: `… IN (SELECT id FROM chain)`.
/// Doses given under an earlier version count for the current one.
pub const RX_CHAIN: &str = "WITH RECURSIVE chain(id) AS (
        SELECT ?1 UNION SELECT p.supersedes_id FROM prescriptions p JOIN chain c ON p.id = c.id WHERE p.supersedes_id IS NOT NULL)";

pub fn prn_state(conn: &Connection, rx_id: i64, now: DateTime<Utc>) -> rusqlite::Result<PrnState> {
    let (max, interval): (Option<i64>, Option<i64>) = conn.query_row(
        "SELECT prn_max_per_day, prn_min_interval_min FROM prescriptions WHERE id = ?1",
        [rx_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let mut stmt = conn.prepare_cached(&format!(
        "{RX_CHAIN} SELECT recorded_at FROM administrations WHERE prescription_id IN (SELECT id FROM chain)
         AND outcome IN ('given', 'partially_given') AND recorded_at > ?2 ORDER BY recorded_at"
    ))?;
    let given: Vec<DateTime<Utc>> = stmt
        .query_map(
            params![
                rx_id,
                crate::domain::instant_to_text(now - chrono::Duration::hours(24))
            ],
            |r| r.get::<_, String>(0),
        )?
        .filter_map(|t| t.ok().as_deref().and_then(instant_from_text))
        .collect();
    let mut next = None;
    if let (Some(m), Some(first)) = (max, given.first())
        && given.len() as i64 >= m
    {
        next = Some(*first + chrono::Duration::hours(24));
    }
    if let (Some(i), Some(last)) = (interval, given.last()) {
        let t = *last + chrono::Duration::minutes(i);
        if t > now {
            next = Some(next.map_or(t, |n: DateTime<Utc>| n.max(t)));
        }
    }
    Ok(PrnState {
        given_24h: given.len() as i64,
        max_24h: max,
        last_given: given.last().copied(),
        next_allowed: next,
    })
}

/// A multi-dose pack opened on a ward and not yet closed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OpenPack {
    pub id: i64,
    pub item: String,
    pub lot: String,
    pub opened_at: DateTime<Utc>,
    pub opened_by: String,
    /// The patient a per-patient pack (pen, eye drops) is kept for.
    pub patient: Option<String>,
    pub remaining_milli: i64,
    pub unit: String,
    pub discard_at: DateTime<Utc>,
    /// In use, or why it must be discarded now.
    pub state: PackState,
}

pub fn open_packs(
    conn: &Connection,
    ward_id: i64,
    now: DateTime<Utc>,
) -> rusqlite::Result<Vec<OpenPack>> {
    let mut stmt = conn.prepare_cached(
        "SELECT o.id, i.name, l.lot_number, o.opened_at, u.username,
                pl.remaining_milli,
                COALESCE(i.strength_unit, i.dose_unit), o.discard_at, l.status, pa.name || ' (' || pa.mrn || ')'
         FROM open_packs o JOIN open_pack_left pl ON pl.open_pack_id = o.id JOIN items i ON i.id = o.item_id
         JOIN lots l ON l.id = o.lot_id JOIN users u ON u.id = o.opened_by
         LEFT JOIN patients pa ON pa.id = o.patient_id
         WHERE o.place_id = ?1 AND o.closed_at IS NULL ORDER BY i.name, o.opened_at",
    )?;
    stmt.query_map([ward_id], |r| {
        let discard_at = instant_from_text(&r.get::<_, String>(7)?).unwrap_or(now);
        let status: String = r.get(8)?;
        Ok(OpenPack {
            id: r.get(0)?,
            item: r.get(1)?,
            lot: r.get(2)?,
            opened_at: instant_from_text(&r.get::<_, String>(3)?).unwrap_or(now),
            opened_by: r.get(4)?,
            patient: r.get(9)?,
            remaining_milli: r.get(5)?,
            unit: r.get(6)?,
            discard_at,
            state: if discard_at <= now {
                PackState::PeriodOver
            } else if status != "ok" {
                PackState::LotHeld(status)
            } else {
                PackState::InUse
            },
        })
    })?
    .collect()
}

/// Whether an open multi-dose pack may still be used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PackState {
    InUse,
    /// Its in-use period is over: discard what is left.
    PeriodOver,
    /// Its lot is held (the lot's status): discard what is left.
    LotHeld(String),
}

/// Stock units of `item` that make one dose of a prescription (rounded up);
/// `Some(0)` for a multi-dose pack, whose dose is drawn from the open pack.
pub fn units_for_dose(conn: &Connection, rx_id: i64, item: i64) -> Option<i64> {
    conn.query_row(
        "SELECT r.dose_milli, COALESCE(i.strength_milli, 0), i.in_use_days IS NOT NULL
         FROM prescriptions r, items i WHERE r.id = ?1 AND i.id = ?2",
        params![rx_id, item],
        |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, bool>(2)?,
            ))
        },
    )
    .ok()
    .map(|(dose, strength, multi)| {
        if multi {
            0
        } else {
            crate::domain::units_for(dose, strength)
        }
    })
}

/// One drug's use on a ward over a period: what a simulation scenario needs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WardDrugUse {
    pub code: String,
    pub name: String,
    pub mean_daily: f64,
    /// Coefficient of variation of the daily use (days without use count).
    pub cv: f64,
    pub pack: i64,
    pub price_cents: i64,
    /// Units given on PRN prescriptions or issued without one.
    pub unplanned: i64,
    pub total: i64,
}

/// The ward's `top` drugs by value used over the last `days` days (doses
/// given and issues), with their daily mean and variability.
pub fn ward_drug_use(
    conn: &Connection,
    ward_id: i64,
    now: DateTime<Utc>,
    days: i64,
    top: usize,
) -> rusqlite::Result<Vec<WardDrugUse>> {
    let days = days.max(1);
    let since = crate::domain::instant_to_text(now - chrono::Duration::days(days));
    let mut stmt = conn.prepare(
        "SELECT m.item_id, date(m.at), SUM(m.qty),
                SUM(CASE WHEN m.kind = 'issue' OR EXISTS (SELECT 1 FROM administrations a JOIN prescriptions r ON r.id = a.prescription_id
                                                          WHERE a.movement_id = m.id AND r.frequency = 'prn') THEN m.qty ELSE 0 END)
         FROM movements m JOIN items i ON i.id = m.item_id
         WHERE m.from_place_id = ?1 AND m.kind IN ('administration', 'issue') AND m.at >= ?2 AND i.kind = 'drug'
         GROUP BY m.item_id, date(m.at)",
    )?;
    let mut per_item: HashMap<i64, (Vec<i64>, i64)> = HashMap::new();
    let rows = stmt.query_map(params![ward_id, since], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(2)?,
            r.get::<_, i64>(3)?,
        ))
    })?;
    for row in rows {
        let (item, qty, unplanned) = row?;
        let e = per_item.entry(item).or_default();
        e.0.push(qty);
        e.1 += unplanned;
    }
    let mut out = Vec::new();
    for (item, (daily, unplanned)) in per_item {
        let (code, name, pack, price): (String, String, i64, i64) = conn.query_row(
            "SELECT code, name, units_per_pack, unit_price_cents FROM items WHERE id = ?1",
            [item],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )?;
        let total: i64 = daily.iter().sum();
        let mean = total as f64 / days as f64;
        // Days without use are zeros of the series.
        let zeros = (days - daily.len() as i64).max(0) as f64;
        let var = (daily
            .iter()
            .map(|q| (*q as f64 - mean).powi(2))
            .sum::<f64>()
            + zeros * mean * mean)
            / (days as f64 - 1.0).max(1.0);
        out.push(WardDrugUse {
            code,
            name,
            mean_daily: mean,
            cv: if mean > 0.0 { var.sqrt() / mean } else { 0.0 },
            pack,
            price_cents: price,
            unplanned,
            total,
        });
    }
    out.sort_by(|a, b| {
        let va = a.total as f64 * a.price_cents as f64;
        let vb = b.total as f64 * b.price_cents as f64;
        vb.total_cmp(&va).then_with(|| a.code.cmp(&b.code))
    });
    out.truncate(top);
    Ok(out)
}

// ---- Reads for the console --------------------------------------------------

/// The item a prescription is written for.
pub fn prescription_item(conn: &Connection, rx_id: i64) -> rusqlite::Result<Option<i64>> {
    conn.prepare_cached("SELECT item_id FROM prescriptions WHERE id = ?1")?
        .query_row([rx_id], |r| r.get(0))
        .optional()
}

/// A number that changes whenever another connection commits to the
/// database (`PRAGMA data_version`): a screen reloads when it changed.
pub fn data_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.pragma_query_value(None, "data_version", |r| r.get(0))
}

// ---- Reads for the console's bedside checks ---------------------------------

/// The name of the patient with this MRN (case as stored), if any: the
/// wrong-patient refusal names both patients.
pub fn patient_name(conn: &Connection, mrn: &str) -> rusqlite::Result<Option<String>> {
    conn.prepare_cached("SELECT name FROM patients WHERE mrn = ?1 COLLATE NOCASE")?
        .query_row([mrn.trim()], |r| r.get(0))
        .optional()
}

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
            "SELECT p.mrn, p.name, p.dob, w.code, p.bed, p.sex FROM patients p LEFT JOIN places w ON w.id = p.ward_id ORDER BY p.mrn",
            &|r| Ok(vec![text(r, 0)?, text(r, 1)?, text(r, 2)?, text(r, 3)?, text(r, 4)?, text(r, 5)?]),
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

// ---------------------------------------------------------------------------
// The site's reference data as the administrator keeps it (`wardstock user
// list`, `item list`, `place list`, `supplier list`, `patient list`).

/// A user as the administrator sees them (never the PIN hash).
#[derive(Debug, Clone, Serialize)]
pub struct UserListRow {
    pub name: String,
    pub full_name: String,
    pub role: String,
    pub active: bool,
    pub must_change_pin: bool,
    pub locked_until: Option<String>,
}

pub fn user_list(conn: &Connection) -> rusqlite::Result<Vec<UserListRow>> {
    let mut stmt = conn.prepare(
        "SELECT username, full_name, role, active, must_change_pin, locked_until FROM users ORDER BY active DESC, username",
    )?;
    stmt.query_map([], |r| {
        Ok(UserListRow {
            name: r.get(0)?,
            full_name: r.get(1)?,
            role: r.get(2)?,
            active: r.get(3)?,
            must_change_pin: r.get(4)?,
            locked_until: r.get(5)?,
        })
    })?
    .collect()
}

/// An item of the formulary with its GTINs (GTIN-14 form), supplier and
/// whether it is retired.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemRecord {
    #[serde(skip)]
    pub id: i64,
    pub code: String,
    pub name: String,
    pub generic_name: String,
    pub atc: Option<String>,
    pub form: String,
    pub strength_milli: Option<i64>,
    pub strength_unit: Option<String>,
    pub dose_unit: String,
    pub units_per_pack: i64,
    pub gtins: Vec<String>,
    pub unit_price_cents: i64,
    pub storage: String,
    pub controlled: bool,
    pub high_alert: bool,
    pub supplier: Option<String>,
    pub max_daily_milli: Option<i64>,
    pub in_use_days: Option<i64>,
    pub per_patient: bool,
    pub kind: String,
    pub retired_at: Option<String>,
}

impl ItemRecord {
    /// The fields an update writes.
    pub fn as_new_item(&self) -> crate::ops::refdata::NewItem {
        crate::ops::refdata::NewItem {
            code: self.code.clone(),
            name: self.name.clone(),
            generic_name: self.generic_name.clone(),
            atc: self.atc.clone(),
            form: self.form.clone(),
            strength_milli: self.strength_milli,
            strength_unit: self.strength_unit.clone(),
            dose_unit: self.dose_unit.clone(),
            units_per_pack: self.units_per_pack,
            gtin: self.gtins.first().cloned().unwrap_or_default(),
            unit_price_cents: self.unit_price_cents,
            storage: self
                .storage
                .parse()
                .unwrap_or(crate::domain::StorageClass::Room),
            controlled: self.controlled,
            high_alert: self.high_alert,
            kind: self.kind.parse().unwrap_or(crate::domain::ItemKind::Drug),
            max_daily_milli: self.max_daily_milli,
            in_use_days: self.in_use_days,
            per_patient: self.per_patient,
        }
    }
}

fn item_records_where(
    conn: &Connection,
    filter: &str,
    arg: &str,
) -> rusqlite::Result<Vec<ItemRecord>> {
    let sql = format!(
        "SELECT i.id, i.code, i.name, i.generic_name, i.atc, i.form, i.strength_milli, i.strength_unit, i.dose_unit,
                i.units_per_pack, i.unit_price_cents, i.storage, i.controlled, i.high_alert, s.code,
                i.max_daily_milli, i.in_use_days, i.per_patient, i.kind, i.retired_at,
                COALESCE((SELECT group_concat(g.gtin, '|') FROM (SELECT gtin FROM item_gtins WHERE item_id = i.id ORDER BY gtin) g), '')
         FROM items i LEFT JOIN suppliers s ON s.id = i.supplier_id
         WHERE {filter} ORDER BY i.retired_at IS NOT NULL, i.code"
    );
    let mut stmt = conn.prepare(&sql)?;
    stmt.query_map([arg], |r| {
        let gtins: String = r.get(20)?;
        Ok(ItemRecord {
            id: r.get(0)?,
            code: r.get(1)?,
            name: r.get(2)?,
            generic_name: r.get(3)?,
            atc: r.get(4)?,
            form: r.get(5)?,
            strength_milli: r.get(6)?,
            strength_unit: r.get(7)?,
            dose_unit: r.get(8)?,
            units_per_pack: r.get(9)?,
            unit_price_cents: r.get(10)?,
            storage: r.get(11)?,
            controlled: r.get(12)?,
            high_alert: r.get(13)?,
            supplier: r.get(14)?,
            max_daily_milli: r.get(15)?,
            in_use_days: r.get(16)?,
            per_patient: r.get(17)?,
            kind: r.get(18)?,
            retired_at: r.get(19)?,
            gtins: gtins
                .split('|')
                .filter(|g| !g.is_empty())
                .map(str::to_string)
                .collect(),
        })
    })?
    .collect()
}

/// One item by its code (any case).
pub fn item_record(conn: &Connection, code: &str) -> rusqlite::Result<Option<ItemRecord>> {
    Ok(
        item_records_where(conn, "i.code = ?1 COLLATE NOCASE", code)?
            .into_iter()
            .next(),
    )
}

/// The formulary, items in use first; `filter` matches code, name, generic
/// name or ATC code.
pub fn item_records(conn: &Connection, filter: &str) -> rusqlite::Result<Vec<ItemRecord>> {
    item_records_where(
        conn,
        "(?1 = '' OR i.code LIKE '%' || ?1 || '%' OR i.name LIKE '%' || ?1 || '%' OR i.generic_name LIKE '%' || ?1 || '%' OR i.atc LIKE ?1 || '%')",
        filter.trim(),
    )
}

/// A place as the administrator keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlaceRecord {
    #[serde(skip)]
    pub id: i64,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub transport_minutes: i64,
    pub closed_at: Option<String>,
}

fn place_records_where(
    conn: &Connection,
    filter: &str,
    arg: &str,
) -> rusqlite::Result<Vec<PlaceRecord>> {
    let sql = format!(
        "SELECT id, code, name, kind, transport_minutes, closed_at FROM places WHERE {filter}
         ORDER BY closed_at IS NOT NULL, CASE kind WHEN 'pharmacy' THEN 0 WHEN 'ward' THEN 1 ELSE 2 END, code"
    );
    let mut stmt = conn.prepare(&sql)?;
    stmt.query_map([arg], |r| {
        Ok(PlaceRecord {
            id: r.get(0)?,
            code: r.get(1)?,
            name: r.get(2)?,
            kind: r.get(3)?,
            transport_minutes: r.get(4)?,
            closed_at: r.get(5)?,
        })
    })?
    .collect()
}

/// Every place, open ones first.
pub fn place_records(conn: &Connection) -> rusqlite::Result<Vec<PlaceRecord>> {
    place_records_where(conn, "?1 = ?1", "")
}

pub fn place_record(conn: &Connection, code: &str) -> rusqlite::Result<Option<PlaceRecord>> {
    Ok(place_records_where(conn, "code = ?1 COLLATE NOCASE", code)?
        .into_iter()
        .next())
}

/// A supplier with its lead time and whom to call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SupplierRecord {
    #[serde(skip)]
    pub id: i64,
    pub code: String,
    pub name: String,
    pub lead_days: i64,
    /// Phone, e-mail, the person to ask: free text.
    pub contact: Option<String>,
}

pub fn supplier_records(conn: &Connection) -> rusqlite::Result<Vec<SupplierRecord>> {
    let mut stmt =
        conn.prepare("SELECT id, code, name, lead_days, contact FROM suppliers ORDER BY code")?;
    stmt.query_map([], |r| {
        Ok(SupplierRecord {
            id: r.get(0)?,
            code: r.get(1)?,
            name: r.get(2)?,
            lead_days: r.get(3)?,
            contact: r.get(4)?,
        })
    })?
    .collect()
}

/// The codes of the items ordered from a supplier (its preferred items).
pub fn supplier_items(conn: &Connection, supplier_id: i64) -> rusqlite::Result<Vec<String>> {
    conn.prepare_cached("SELECT code FROM items WHERE supplier_id = ?1 ORDER BY code")?
        .query_map([supplier_id], |r| r.get(0))?
        .collect()
}

/// A patient's admission: where they are, or when they left.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PatientAdt {
    #[serde(skip)]
    pub id: i64,
    pub mrn: String,
    pub name: String,
    pub date_of_birth: String,
    pub sex: Option<String>,
    pub ward: Option<String>,
    pub bed: Option<String>,
    pub admitted_at: Option<String>,
    pub discharged_at: Option<String>,
}

fn patients_adt_where(
    conn: &Connection,
    filter: &str,
    arg: &str,
) -> rusqlite::Result<Vec<PatientAdt>> {
    let sql = format!(
        "SELECT p.id, p.mrn, p.name, p.dob, p.sex, w.code, p.bed, p.admitted_at, p.discharged_at
         FROM patients p LEFT JOIN places w ON w.id = p.ward_id WHERE {filter}
         ORDER BY p.discharged_at IS NOT NULL, w.code, p.bed, p.mrn"
    );
    let mut stmt = conn.prepare(&sql)?;
    stmt.query_map([arg], |r| {
        Ok(PatientAdt {
            id: r.get(0)?,
            mrn: r.get(1)?,
            name: r.get(2)?,
            date_of_birth: r.get(3)?,
            sex: r.get(4)?,
            ward: r.get(5)?,
            bed: r.get(6)?,
            admitted_at: r.get(7)?,
            discharged_at: r.get(8)?,
        })
    })?
    .collect()
}

pub fn patient_adt(conn: &Connection, mrn: &str) -> rusqlite::Result<Option<PatientAdt>> {
    Ok(patients_adt_where(conn, "p.mrn = ?1", mrn)?
        .into_iter()
        .next())
}

/// The patients on a ward (`ward` empty: every ward), with the discharged
/// ones too when `all`.
pub fn patients_adt(conn: &Connection, ward: &str, all: bool) -> rusqlite::Result<Vec<PatientAdt>> {
    let filter = if all {
        "(?1 = '' OR w.code = ?1 COLLATE NOCASE)"
    } else {
        "p.discharged_at IS NULL AND (?1 = '' OR w.code = ?1 COLLATE NOCASE)"
    };
    patients_adt_where(conn, filter, ward.trim())
}

// ---- A new site's set-up ----------------------------------------------------

/// How far a site is set up: what a new site's console guides through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SetupCounts {
    pub wards: i64,
    pub items: i64,
    /// Active users other than administrators.
    pub staff: i64,
    pub patients: i64,
    pub movements: i64,
    pub suppliers: i64,
    /// Storage locations beyond one per place.
    pub more_locations: i64,
    pub allergies: i64,
}

impl SetupCounts {
    /// Whether the site still lacks what every screen needs: wards and items.
    pub fn incomplete(&self) -> bool {
        self.wards == 0 || self.items == 0
    }
}

pub fn setup_counts(conn: &Connection) -> rusqlite::Result<SetupCounts> {
    conn.query_row(
        "SELECT (SELECT count(*) FROM places WHERE kind = 'ward'),
                (SELECT count(*) FROM items),
                (SELECT count(*) FROM users WHERE active AND role <> 'admin'),
                (SELECT count(*) FROM patients),
                (SELECT count(*) FROM movements),
                (SELECT count(*) FROM suppliers),
                (SELECT count(*) FROM locations) - (SELECT count(*) FROM places WHERE kind <> 'transit'),
                (SELECT count(*) FROM patient_allergies)",
        [],
        |r| {
            Ok(SetupCounts {
                wards: r.get(0)?,
                items: r.get(1)?,
                staff: r.get(2)?,
                patients: r.get(3)?,
                movements: r.get(4)?,
                suppliers: r.get(5)?,
                more_locations: r.get(6)?,
                allergies: r.get(7)?,
            })
        },
    )
}
