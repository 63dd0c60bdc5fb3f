//! Early warnings, computed apart from the stock warnings (their list has a
//! 50 ms budget; these build the MRP problem, a few hundred milliseconds at
//! hospital scale):
//! - **demand surge**: a ward's requirement over the next days, from the
//!   MRP problem's requirements (prescriptions, and whatever else the plan
//!   counts as a requirement), well above its recent rate of use; it names
//!   the requirements' sources;
//! - **supplier risk**: the preferred supplier of a key item (one it
//!   delivered late or short lately, or a critical one) whose last order lines came on
//!   time or in full below the site's threshold (the supplier report's
//!   OTIF over those lines);
//! - a critical item with one supplier only.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use rusqlite::{Connection, params};
use serde::Serialize;

use crate::domain::alerts::{Alert, AlertKind, Severity};
use crate::domain::early::{self, Delivery, EarlySettings};
use crate::ops::plan::{PlanError, PlanOptions};
use crate::ops::suppliers::ItemSupplier;
use crate::store::queries::AlertRow;

/// The sources named in a warning's sentence; the rest are counted.
pub const NAMED_SOURCES: usize = 4;

/// An early warning: a warning row (the Alerts list shows it with the
/// others) and what is behind it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EarlyWarning {
    #[serde(flatten)]
    pub row: AlertRow,
    /// The prescriptions or cases behind a surge; the late or short
    /// orders behind a supplier risk.
    pub sources: Vec<String>,
    /// The supplier concerned (the preferred one).
    pub supplier: Option<String>,
    /// The item's next supplier, if it has one.
    pub alternative: Option<String>,
}

struct Names {
    items: HashMap<i64, (String, String, String)>,
    item_ids: HashMap<String, i64>,
    places: HashMap<i64, String>,
    place_ids: HashMap<String, i64>,
    pharmacy: Option<i64>,
}

fn names(conn: &Connection) -> rusqlite::Result<Names> {
    let mut items = HashMap::new();
    let mut item_ids = HashMap::new();
    let mut stmt = conn.prepare_cached("SELECT id, code, name, dose_unit FROM items")?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
        ))
    })?;
    for row in rows {
        let (id, code, name, unit) = row?;
        item_ids.insert(code.clone(), id);
        items.insert(id, (code, name, unit));
    }
    let mut places = HashMap::new();
    let mut place_ids = HashMap::new();
    let mut pharmacy = None;
    for p in crate::store::queries::places(conn)? {
        if p.kind == crate::domain::PlaceKind::Pharmacy && pharmacy.is_none() {
            pharmacy = Some(p.id);
        }
        place_ids.insert(p.code.clone(), p.id);
        places.insert(p.id, p.code);
    }
    Ok(Names {
        items,
        item_ids,
        places,
        place_ids,
        pharmacy,
    })
}

fn alert(severity: Severity, kind: AlertKind, place_id: i64, item_id: i64, qty: i64) -> Alert {
    Alert {
        severity,
        kind,
        place_id,
        item_id,
        lot_id: None,
        qty,
        value_cents: 0,
        safety_stock: 0,
        max_stock: 0,
    }
}

impl Names {
    fn row(&self, a: Alert, message: String) -> AlertRow {
        let (item, item_name, dose_unit) = self.items.get(&a.item_id).cloned().unwrap_or_default();
        AlertRow {
            place: self.places.get(&a.place_id).cloned().unwrap_or_default(),
            item,
            item_name,
            dose_unit,
            lot: None,
            expiry: None,
            message,
            alert: a,
        }
    }
}

/// Every early warning of a place (or all places) at `now`, worst first.
pub fn early_warnings(
    conn: &Connection,
    now: DateTime<Utc>,
    s: &EarlySettings,
    place_id: Option<i64>,
) -> Result<Vec<EarlyWarning>, PlanError> {
    let n = names(conn)?;
    let mut out = surges(conn, now, s, &n)?;
    out.extend(supplier_risks(conn, now, s, &n)?);
    out.retain(|w| place_id.is_none_or(|p| w.row.alert.place_id == p));
    out.sort_by(|a, b| {
        (a.row.alert.severity, &a.row.place, &a.row.item).cmp(&(
            b.row.alert.severity,
            &b.row.place,
            &b.row.item,
        ))
    });
    Ok(out)
}

/// Demand surges: the wards' requirements over the window against their
/// recent rate of use.
fn surges(
    conn: &Connection,
    now: DateTime<Utc>,
    s: &EarlySettings,
    n: &Names,
) -> Result<Vec<EarlyWarning>, PlanError> {
    let opt = PlanOptions {
        buckets: s.surge_days.max(1),
        bucket_hours: 24,
        ..PlanOptions::default()
    };
    let problem = match crate::ops::plan::build_problem(conn, now, opt) {
        Ok(p) => p,
        // A site without a pharmacy yet plans nothing.
        Err(PlanError::NoPharmacy) => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    // Need and sources per (ward, item); the forecast is the recent use
    // itself, not a demand.
    let mut need: BTreeMap<(i64, i64), (i64, Vec<String>)> = BTreeMap::new();
    for r in &problem.requirements {
        if r.bucket >= s.surge_days || r.source.as_deref() == Some("forecast") {
            continue;
        }
        let (Some(&place), Some(&item)) = (n.place_ids.get(&r.place), n.item_ids.get(&r.item))
        else {
            continue;
        };
        if Some(place) == n.pharmacy {
            continue;
        }
        let e = need.entry((place, item)).or_default();
        e.0 += r.qty;
        if let Some(src) = &r.source
            && !e.1.contains(src)
        {
            e.1.push(src.clone());
        }
    }
    let pairs: Vec<(i64, i64)> = need
        .iter()
        .filter(|(_, (q, _))| *q >= s.surge_min_units)
        .map(|(k, _)| *k)
        .collect();
    if pairs.is_empty() {
        return Ok(Vec::new());
    }
    let window = crate::domain::alerts::AlertConfig::default().usage_window_days;
    let rates = crate::store::queries::pair_use(conn, &pairs, now, window)?;
    let mut out = Vec::new();
    for key in pairs {
        let Some((qty, sources)) = need.get(&key) else {
            continue;
        };
        let rate = rates.get(&key).copied().unwrap_or(0);
        let Some(up) = early::surge(*qty, rate, s) else {
            continue;
        };
        let kind = AlertKind::DemandSurge {
            usual: up.usual,
            days: s.surge_days,
            percent: up.percent,
        };
        let a = alert(Severity::Medium, kind, key.0, key.1, up.need);
        let unit = n.items.get(&key.1).map(|i| i.2.as_str()).unwrap_or("");
        let message = crate::i18n::early::surge_message(&up, s.surge_days, unit, sources);
        out.push(EarlyWarning {
            row: n.row(a, message),
            sources: sources.clone(),
            supplier: None,
            alternative: None,
        });
    }
    Ok(out)
}

/// The instant from which a supplier's last `lines` order lines due by
/// `now` are due (`None`: none due yet).
fn last_lines_from(
    conn: &Connection,
    supplier: i64,
    now: DateTime<Utc>,
    lines: i64,
) -> rusqlite::Result<Option<DateTime<Utc>>> {
    let at: Option<String> = conn.query_row(
        "SELECT min(e) FROM (SELECT o.expected_at AS e FROM purchase_order_lines l
             JOIN purchase_orders o ON o.id = l.order_id
             WHERE o.supplier_id = ?1 AND o.expected_at < ?2 AND NOT (o.status = 'cancelled' AND l.received = 0)
             ORDER BY o.expected_at DESC LIMIT ?3)",
        params![supplier, crate::domain::instant_to_text(now), lines],
        |r| r.get(0),
    )?;
    Ok(at.and_then(|t| crate::domain::types::instant_from_text(&t)))
}

/// What makes each item critical, by item id.
fn critical_items(conn: &Connection) -> rusqlite::Result<HashMap<i64, early::Critical>> {
    // A high-alert drug counts while it is prescribed (the formulary holds
    // many that no ward uses now).
    let mut stmt = conn.prepare_cached(
        "SELECT i.id, i.critical,
                i.high_alert AND EXISTS (SELECT 1 FROM prescriptions p WHERE p.item_id = i.id AND p.status = 'active'),
                EXISTS (SELECT 1 FROM prescriptions p WHERE p.item_id = i.id AND p.time_critical = 1 AND p.status = 'active')
         FROM items i WHERE i.retired_at IS NULL
           AND (i.critical = 1 OR EXISTS (SELECT 1 FROM prescriptions p WHERE p.item_id = i.id AND p.status = 'active'
                                          AND (p.time_critical = 1 OR i.high_alert = 1)))",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, bool>(1)?,
            r.get::<_, bool>(2)?,
            r.get::<_, bool>(3)?,
        ))
    })?;
    let mut out = HashMap::new();
    for row in rows {
        let (id, flag, high, time) = row?;
        if let Some(c) = early::critical(flag, high, time) {
            out.insert(id, c);
        }
    }
    Ok(out)
}

/// Suppliers delivering late or short, for the key items they are the
/// preferred supplier of; and critical items with one supplier only.
fn supplier_risks(
    conn: &Connection,
    now: DateTime<Utc>,
    s: &EarlySettings,
    n: &Names,
) -> Result<Vec<EarlyWarning>, PlanError> {
    let Some(pharmacy) = n.pharmacy else {
        return Ok(Vec::new());
    };
    let zone = crate::store::queries::site_zone(conn)?;
    let today = now.with_timezone(&zone).date_naive();
    let critical = critical_items(conn)?;
    // Every link, by item: the preferred first.
    let mut by_item: BTreeMap<String, Vec<ItemSupplier>> = BTreeMap::new();
    for l in crate::ops::suppliers::item_suppliers(conn, None, None)? {
        by_item.entry(l.item.clone()).or_default().push(l);
    }
    let mut out = Vec::new();
    let suppliers: Vec<(i64, String)> = {
        let mut stmt = conn.prepare_cached(
            "SELECT DISTINCT s.id, s.code FROM suppliers s JOIN purchase_orders o ON o.supplier_id = s.id ORDER BY s.code",
        )?;
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?
    };
    for (sid, code) in suppliers {
        let Some(from) = last_lines_from(conn, sid, now, s.supplier_lines)? else {
            continue;
        };
        let report = crate::ops::reports::suppliers::supplier_report(
            conn,
            Some(&code),
            from,
            now,
            today,
            zone,
        )?;
        let d = Delivery {
            lines: report.total.lines,
            on_time: report.total.on_time,
            in_full: report.total.in_full,
        };
        if !early::supplier_at_risk(&d, s) {
            continue;
        }
        // What is behind it: the orders late or short.
        let mut sources: Vec<String> = report.late.iter().map(|l| l.order.clone()).collect();
        sources.sort();
        sources.dedup();
        // Key items: the ones it failed on (late or short), and the critical ones.
        let failed: Vec<&str> = report
            .items
            .iter()
            .filter(|p| p.on_time < p.lines || p.in_full < p.lines)
            .filter_map(|p| p.item.as_deref())
            .collect();
        for (item, links) in &by_item {
            let Some(pref) = links.first().filter(|l| l.preferred && l.supplier == code) else {
                continue;
            };
            let Some(&item_id) = n.item_ids.get(item) else {
                continue;
            };
            let key = critical.contains_key(&item_id) || failed.contains(&item.as_str());
            if !key {
                continue;
            }
            let alternative = links.get(1).map(|l| l.supplier.clone());
            let kind = AlertKind::SupplierRisk {
                lines: d.lines,
                on_time_percent: d.on_time_percent(),
                in_full_percent: d.in_full_percent(),
            };
            let severity = if critical.contains_key(&item_id) {
                Severity::High
            } else {
                Severity::Medium
            };
            let a = alert(severity, kind, pharmacy, item_id, d.lines);
            let message = crate::i18n::early::supplier_message(
                &pref.supplier,
                &d,
                &sources,
                alternative.as_deref(),
            );
            out.push(EarlyWarning {
                row: n.row(a, message),
                sources: sources.clone(),
                supplier: Some(pref.supplier.clone()),
                alternative,
            });
        }
    }
    // Critical items with one supplier only.
    for (item, links) in &by_item {
        let Some(&item_id) = n.item_ids.get(item) else {
            continue;
        };
        let why = critical.get(&item_id).copied();
        if !early::single_supplier(why, links.len() as i64) {
            continue;
        }
        let (Some(why), Some(only)) = (why, links.first()) else {
            continue;
        };
        // Flagged by the site: as it asked; otherwise a lesser warning.
        let severity = if why == early::Critical::Flagged {
            Severity::Medium
        } else {
            Severity::Low
        };
        let a = alert(severity, AlertKind::SingleSupplier, pharmacy, item_id, 0);
        let message = crate::i18n::early::single_message(&only.supplier, why);
        out.push(EarlyWarning {
            row: n.row(a, message),
            sources: Vec::new(),
            supplier: Some(only.supplier.clone()),
            alternative: None,
        });
    }
    Ok(out)
}
