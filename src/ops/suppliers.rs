//! Several suppliers per item: each with its lead time, price and pack, one
//! of them preferred. `items.supplier_id` keeps naming the preferred one
//! (the purchase orders and the plan read it); a database trigger keeps the
//! two in step when the item's supplier is set the old way.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use super::Actor;
use super::items::{Forbidden, allow};
use super::stock::{ItemRef, StockError};
use crate::domain::Role;
use crate::domain::instant_to_text;
use crate::domain::roles::Operation;
use crate::store::Store;

/// Why a supplier link was not changed. The words are in `i18n::early`.
#[derive(Debug)]
pub enum LinkError {
    Forbidden(Forbidden),
    Stock(StockError),
    UnknownSupplier(String),
    /// A lead time, price or pack out of range.
    OutOfRange {
        field: &'static str,
        least: i64,
        most: i64,
    },
    NotLinked {
        item: String,
        supplier: String,
    },
    /// The preferred supplier is unlinked last: another is made preferred first.
    PreferredWithOthers {
        item: String,
        supplier: String,
    },
    Db(rusqlite::Error),
}

impl std::error::Error for LinkError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            LinkError::Forbidden(f) => Some(f),
            LinkError::Stock(e) => Some(e),
            LinkError::Db(e) => Some(e),
            _ => None,
        }
    }
}

impl From<rusqlite::Error> for LinkError {
    fn from(e: rusqlite::Error) -> Self {
        LinkError::Db(e)
    }
}

impl From<StockError> for LinkError {
    fn from(e: StockError) -> Self {
        LinkError::Stock(e)
    }
}

type Result<T> = std::result::Result<T, LinkError>;

/// Largest price of a dose unit accepted (a million in money).
pub const MAX_PRICE_CENTS: i64 = 100_000_000;
/// Largest pack accepted.
pub const MAX_PACK: i64 = 1_000_000;

/// One supplier of one item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemSupplier {
    pub item: String,
    pub item_name: String,
    pub supplier: String,
    pub supplier_name: String,
    /// Days from order to delivery (the link's, else the supplier's).
    pub lead_days: i64,
    /// The link's own lead time (`None`: the supplier's).
    pub own_lead_days: Option<i64>,
    /// Price of a dose unit, in cents (the link's, else the item's).
    pub price_cents: i64,
    /// Dose units in the supplier's pack (the link's, else the item's).
    pub units_per_pack: i64,
    pub preferred: bool,
}

/// What `supplier link` is told; `None` keeps what the link has (or the
/// supplier's and the item's own values for a new link).
#[derive(Debug, Clone, Default)]
pub struct LinkTerms {
    pub lead_days: Option<i64>,
    pub price_cents: Option<i64>,
    pub units_per_pack: Option<i64>,
    pub preferred: bool,
}

fn may_link(actor: &Actor) -> std::result::Result<(), Forbidden> {
    if actor.role == Role::Admin {
        return Ok(());
    }
    allow(actor, Operation::Order)
}

fn supplier_by_code(conn: &Connection, code: &str) -> Result<(i64, String)> {
    conn.query_row(
        "SELECT id, code FROM suppliers WHERE code = ?1 COLLATE NOCASE",
        [code.trim()],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()?
    .ok_or_else(|| LinkError::UnknownSupplier(code.trim().to_string()))
}

fn check_terms(t: &LinkTerms) -> Result<()> {
    let bad = |field, v: Option<i64>, least: i64, most: i64| {
        if v.is_some_and(|v| v < least || v > most) {
            Err(LinkError::OutOfRange { field, least, most })
        } else {
            Ok(())
        }
    };
    bad("lead-days", t.lead_days, 0, super::items::MAX_DAYS)?;
    bad("price", t.price_cents, 0, MAX_PRICE_CENTS)?;
    bad("pack", t.units_per_pack, 1, MAX_PACK)
}

/// Links a supplier to an item (or changes the link's terms). The first
/// supplier of an item, or one linked `preferred`, becomes the preferred
/// one; the item's supplier then names it.
pub fn link(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    item: &ItemRef,
    supplier: &str,
    terms: &LinkTerms,
) -> Result<ItemSupplier> {
    may_link(actor).map_err(LinkError::Forbidden)?;
    check_terms(terms)?;
    store.write(|tx| {
        let (sid, _) = supplier_by_code(tx, supplier)?;
        let others: i64 = tx.query_row(
            "SELECT count(*) FROM item_suppliers WHERE item_id = ?1 AND supplier_id <> ?2",
            params![item.id, sid],
            |r| r.get(0),
        )?;
        let at = instant_to_text(now);
        tx.execute(
            "INSERT INTO item_suppliers (item_id, supplier_id, lead_days, price_cents, units_per_pack, preferred, changed_by, changed_at)
             VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6, ?7)
             ON CONFLICT (item_id, supplier_id) DO UPDATE SET
                lead_days = COALESCE(excluded.lead_days, lead_days),
                price_cents = COALESCE(excluded.price_cents, price_cents),
                units_per_pack = COALESCE(excluded.units_per_pack, units_per_pack),
                changed_by = excluded.changed_by, changed_at = excluded.changed_at",
            params![
                item.id,
                sid,
                terms.lead_days,
                terms.price_cents,
                terms.units_per_pack,
                actor.user_id,
                at
            ],
        )?;
        if terms.preferred || others == 0 {
            make_preferred(tx, item.id, sid)?;
        }
        sync_lead_days(tx, item.id)?;
        item_suppliers(tx, Some(item.id), None)?
            .into_iter()
            .find(|s| s.supplier.eq_ignore_ascii_case(supplier.trim()))
            .ok_or_else(|| LinkError::UnknownSupplier(supplier.trim().to_string()))
    })
}

/// `sid` becomes the item's preferred supplier, and the item's supplier.
fn make_preferred(tx: &Connection, item: i64, sid: i64) -> Result<()> {
    tx.execute(
        "UPDATE item_suppliers SET preferred = 0 WHERE item_id = ?1 AND supplier_id <> ?2 AND preferred = 1",
        params![item, sid],
    )?;
    tx.execute(
        "UPDATE item_suppliers SET preferred = 1 WHERE item_id = ?1 AND supplier_id = ?2",
        params![item, sid],
    )?;
    tx.execute(
        "UPDATE items SET supplier_id = ?2 WHERE id = ?1",
        params![item, sid],
    )?;
    Ok(())
}

/// The item's own lead time follows its preferred supplier's.
fn sync_lead_days(tx: &Connection, item: i64) -> Result<()> {
    tx.execute(
        "UPDATE items SET supplier_lead_days = COALESCE(
            (SELECT COALESCE(x.lead_days, s.lead_days) FROM item_suppliers x JOIN suppliers s ON s.id = x.supplier_id
             WHERE x.item_id = ?1 AND x.preferred = 1), supplier_lead_days)
         WHERE id = ?1",
        [item],
    )?;
    Ok(())
}

/// Takes a supplier off an item. The preferred supplier goes last (make
/// another preferred first); the last one leaves the item with none.
pub fn unlink(store: &mut Store, actor: &Actor, item: &ItemRef, supplier: &str) -> Result<()> {
    may_link(actor).map_err(LinkError::Forbidden)?;
    store.write(|tx| {
        let (sid, code) = supplier_by_code(tx, supplier)?;
        let preferred: Option<bool> = tx
            .query_row(
                "SELECT preferred FROM item_suppliers WHERE item_id = ?1 AND supplier_id = ?2",
                params![item.id, sid],
                |r| r.get(0),
            )
            .optional()?;
        let Some(preferred) = preferred else {
            return Err(LinkError::NotLinked {
                item: item.code.clone(),
                supplier: code,
            });
        };
        let others: i64 = tx.query_row(
            "SELECT count(*) FROM item_suppliers WHERE item_id = ?1 AND supplier_id <> ?2",
            params![item.id, sid],
            |r| r.get(0),
        )?;
        if preferred && others > 0 {
            return Err(LinkError::PreferredWithOthers {
                item: item.code.clone(),
                supplier: code,
            });
        }
        if preferred {
            // The trigger takes the link away with the item's supplier.
            tx.execute(
                "UPDATE items SET supplier_id = NULL WHERE id = ?1",
                [item.id],
            )?;
        }
        tx.execute(
            "DELETE FROM item_suppliers WHERE item_id = ?1 AND supplier_id = ?2",
            params![item.id, sid],
        )?;
        Ok(())
    })
}

/// The suppliers of one item, or the items of one supplier, or every link:
/// by item, the preferred first, then by lead time.
pub fn item_suppliers(
    conn: &Connection,
    item: Option<i64>,
    supplier: Option<i64>,
) -> rusqlite::Result<Vec<ItemSupplier>> {
    let mut stmt = conn.prepare_cached(
        "SELECT i.code, i.name, s.code, s.name, COALESCE(x.lead_days, s.lead_days), x.lead_days,
                COALESCE(x.price_cents, i.unit_price_cents), COALESCE(x.units_per_pack, i.units_per_pack), x.preferred
         FROM item_suppliers x JOIN items i ON i.id = x.item_id JOIN suppliers s ON s.id = x.supplier_id
         WHERE (?1 IS NULL OR x.item_id = ?1) AND (?2 IS NULL OR x.supplier_id = ?2)
         ORDER BY i.code, x.preferred DESC, COALESCE(x.lead_days, s.lead_days), s.code",
    )?;
    stmt.query_map(params![item, supplier], |r| {
        Ok(ItemSupplier {
            item: r.get(0)?,
            item_name: r.get(1)?,
            supplier: r.get(2)?,
            supplier_name: r.get(3)?,
            lead_days: r.get(4)?,
            own_lead_days: r.get(5)?,
            price_cents: r.get(6)?,
            units_per_pack: r.get(7)?,
            preferred: r.get(8)?,
        })
    })?
    .collect()
}

/// The items of a supplier (by code).
pub fn supplier_items(conn: &Connection, supplier: &str) -> Result<Vec<ItemSupplier>> {
    let (sid, _) = supplier_by_code(conn, supplier)?;
    Ok(item_suppliers(conn, None, Some(sid))?)
}

/// The preferred supplier and the alternative (the next one) of each
/// item that has one, by item code.
pub fn preferred_and_alternative(
    conn: &Connection,
) -> rusqlite::Result<std::collections::HashMap<String, (ItemSupplier, Option<ItemSupplier>)>> {
    let mut out: std::collections::HashMap<String, (ItemSupplier, Option<ItemSupplier>)> =
        std::collections::HashMap::new();
    for s in item_suppliers(conn, None, None)? {
        match out.get_mut(&s.item) {
            None if s.preferred => {
                out.insert(s.item.clone(), (s, None));
            }
            Some((_, alt @ None)) => *alt = Some(s),
            _ => {}
        }
    }
    Ok(out)
}

/// The pack an item is ordered in from a supplier: the supplier's own, else
/// the item's.
pub fn supplier_pack(conn: &Connection, item: i64, supplier: i64) -> rusqlite::Result<Option<i64>> {
    conn.query_row(
        "SELECT units_per_pack FROM item_suppliers WHERE item_id = ?1 AND supplier_id = ?2",
        params![item, supplier],
        |r| r.get(0),
    )
    .optional()
    .map(Option::flatten)
}

/// Marks an item critical (or not): the wards must never be without it.
pub fn set_critical(
    store: &mut Store,
    actor: &Actor,
    item: &ItemRef,
    critical: bool,
) -> Result<()> {
    may_link(actor).map_err(LinkError::Forbidden)?;
    store.write(|tx| {
        tx.execute(
            "UPDATE items SET critical = ?2 WHERE id = ?1",
            params![item.id, critical],
        )?;
        Ok(())
    })
}

/// The suppliers of a purchase suggestion: the preferred one (the order
/// goes to it, in its packs) and the next, with their lead times.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SupplierChoice {
    pub preferred: String,
    pub lead_days: i64,
    pub units_per_pack: i64,
    pub alternative: Option<String>,
    pub alternative_lead_days: Option<i64>,
}

impl SupplierChoice {
    pub fn of(pref: &ItemSupplier, alt: Option<&ItemSupplier>) -> SupplierChoice {
        SupplierChoice {
            preferred: pref.supplier.clone(),
            lead_days: pref.lead_days,
            units_per_pack: pref.units_per_pack,
            alternative: alt.map(|a| a.supplier.clone()),
            alternative_lead_days: alt.map(|a| a.lead_days),
        }
    }
}

/// Each item's [`SupplierChoice`], by item code.
pub fn supplier_choices(
    conn: &Connection,
) -> rusqlite::Result<std::collections::HashMap<String, SupplierChoice>> {
    Ok(preferred_and_alternative(conn)?
        .into_iter()
        .map(|(item, (p, a))| (item, SupplierChoice::of(&p, a.as_ref())))
        .collect())
}
