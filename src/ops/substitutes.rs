//! Therapeutic substitutes: the pharmacist's list of what may replace an
//! item when it is short, and the approval that lets one prescription be
//! given with a substitute (counted at its own strength at the bedside).

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use super::Actor;
use super::items::{Forbidden, allow};
use super::stock::{ItemRef, StockError};
use crate::domain::instant_to_text;
use crate::domain::roles::Operation;
use crate::store::Store;

mod offer;
pub use offer::*;

/// Why a substitute was not approved.
#[derive(Debug)]
pub enum SubstituteError {
    Forbidden(Forbidden),
    Stock(StockError),
    /// An item is not its own substitute.
    Same(String),
    /// Not the same substance (ATC level 5): only as an approved alternative.
    OtherSubstance {
        item: String,
        item_atc: Option<String>,
        substitute: String,
        substitute_atc: Option<String>,
    },
    /// An alternative is approved with a note saying why.
    NoteNeeded,
    /// The strengths are not in one unit: the dose cannot be converted.
    NoConversion {
        item: String,
        substitute: String,
    },
    NotListed {
        item: String,
        substitute: String,
    },
    UnknownRx(i64),
    /// Only a prescription in force is given with a substitute.
    RxNotInForce {
        id: i64,
        status: String,
    },
    /// The substitute's form cannot be given by the prescription's route.
    WrongRoute {
        substitute: String,
        form: String,
        route: String,
    },
    AlreadyAllowed {
        id: i64,
        substitute: String,
    },
    ReasonNeeded,
    Db(rusqlite::Error),
}

impl std::error::Error for SubstituteError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SubstituteError::Forbidden(f) => Some(f),
            SubstituteError::Stock(e) => Some(e),
            SubstituteError::Db(e) => Some(e),
            _ => None,
        }
    }
}

impl From<rusqlite::Error> for SubstituteError {
    fn from(e: rusqlite::Error) -> Self {
        SubstituteError::Db(e)
    }
}

impl From<Forbidden> for SubstituteError {
    fn from(e: Forbidden) -> Self {
        SubstituteError::Forbidden(e)
    }
}

impl From<StockError> for SubstituteError {
    fn from(e: StockError) -> Self {
        SubstituteError::Stock(e)
    }
}

type Result<T> = std::result::Result<T, SubstituteError>;

/// An item's strength and form, as the conversion needs them.
struct Product {
    atc: Option<String>,
    strength_milli: Option<i64>,
    strength_unit: Option<String>,
    form: String,
}

fn product(conn: &Connection, id: i64) -> rusqlite::Result<Product> {
    conn.query_row(
        "SELECT atc, strength_milli, strength_unit, form FROM items WHERE id = ?1",
        [id],
        |r| {
            Ok(Product {
                atc: r.get(0)?,
                strength_milli: r.get(1)?,
                strength_unit: r.get(2)?,
                form: r.get(3)?,
            })
        },
    )
}

/// Whether `pack_id` is on the approved list of `item_id`: a pack the
/// bedside refuses until a pharmacist allows it for the prescription.
pub fn listed_for(conn: &Connection, item_id: i64, pack_id: i64) -> rusqlite::Result<bool> {
    conn.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM substitutes WHERE item_id = ?1 AND substitute_id = ?2)",
    )?
    .query_row(params![item_id, pack_id], |r| r.get(0))
}

/// One approved substitute of an item.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Substitute {
    pub item: String,
    pub item_name: String,
    pub substitute: String,
    pub substitute_name: String,
    /// Substitute units that make one unit of the item (2.0: 2 × 500 mg
    /// for 1 g); `None` where a strength is not recorded.
    pub per_unit: Option<f64>,
    pub alternative: bool,
    pub note: Option<String>,
    pub approved_by: String,
    pub approved_at: String,
}

/// Puts `substitute` on `item`'s list (a pharmacist): the same substance at
/// another strength or form, or — with `alternative` and a note — another
/// substance the pharmacist approves. The strengths must share a unit, so
/// that a dose converts.
pub fn add_substitute(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    item: &ItemRef,
    substitute: &ItemRef,
    alternative: bool,
    note: Option<&str>,
) -> Result<()> {
    allow(actor, Operation::ValidatePrescription)?;
    if item.id == substitute.id {
        return Err(SubstituteError::Same(item.code.clone()));
    }
    let note = note.map(str::trim).filter(|n| !n.is_empty());
    let (a, b) = (
        product(&store.conn, item.id)?,
        product(&store.conn, substitute.id)?,
    );
    let same_substance =
        a.atc.is_some() && a.atc == b.atc && a.atc.as_ref().is_some_and(|c| c.len() >= 7);
    if !same_substance && !alternative {
        return Err(SubstituteError::OtherSubstance {
            item: item.code.clone(),
            item_atc: a.atc,
            substitute: substitute.code.clone(),
            substitute_atc: b.atc,
        });
    }
    if alternative && !same_substance && note.is_none() {
        return Err(SubstituteError::NoteNeeded);
    }
    let converts = match (
        &a.strength_unit,
        &b.strength_unit,
        a.strength_milli,
        b.strength_milli,
    ) {
        (Some(x), Some(y), Some(p), Some(q)) => x.eq_ignore_ascii_case(y) && p > 0 && q > 0,
        _ => false,
    };
    if !converts {
        return Err(SubstituteError::NoConversion {
            item: item.code.clone(),
            substitute: substitute.code.clone(),
        });
    }
    store.write(|tx| {
        tx.execute(
            "INSERT INTO substitutes (item_id, substitute_id, alternative, note, approved_by, approved_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (item_id, substitute_id) DO UPDATE SET alternative = excluded.alternative,
                 note = excluded.note, approved_by = excluded.approved_by, approved_at = excluded.approved_at",
            params![item.id, substitute.id, alternative && !same_substance, note, actor.user_id, instant_to_text(now)],
        )?;
        Ok(())
    })
}

/// Takes `substitute` off `item`'s list (a pharmacist). Prescriptions
/// already allowed to use it keep their approval.
pub fn remove_substitute(
    store: &mut Store,
    actor: &Actor,
    item: &ItemRef,
    substitute: &ItemRef,
) -> Result<()> {
    allow(actor, Operation::ValidatePrescription)?;
    store.write(|tx| {
        let n = tx.execute(
            "DELETE FROM substitutes WHERE item_id = ?1 AND substitute_id = ?2",
            params![item.id, substitute.id],
        )?;
        if n == 0 {
            return Err(SubstituteError::NotListed {
                item: item.code.clone(),
                substitute: substitute.code.clone(),
            });
        }
        Ok(())
    })
}

/// The approved substitutes of one item, or of every item.
pub fn substitutes(conn: &Connection, item: Option<&ItemRef>) -> rusqlite::Result<Vec<Substitute>> {
    let mut st = conn.prepare_cached(
        "SELECT i.code, i.name, x.code, x.name, i.strength_milli, x.strength_milli, s.alternative, s.note, u.username, s.approved_at
         FROM substitutes s JOIN items i ON i.id = s.item_id JOIN items x ON x.id = s.substitute_id
         JOIN users u ON u.id = s.approved_by
         WHERE ?1 IS NULL OR s.item_id = ?1 ORDER BY i.code, x.code",
    )?;
    st.query_map([item.map(|i| i.id)], |r| {
        let (a, b): (Option<i64>, Option<i64>) = (r.get(4)?, r.get(5)?);
        Ok(Substitute {
            item: r.get(0)?,
            item_name: r.get(1)?,
            substitute: r.get(2)?,
            substitute_name: r.get(3)?,
            per_unit: match (a, b) {
                (Some(a), Some(b)) if b > 0 => Some(a as f64 / b as f64),
                _ => None,
            },
            alternative: r.get(6)?,
            note: r.get(7)?,
            approved_by: r.get(8)?,
            approved_at: r.get(9)?,
        })
    })?
    .collect()
}

/// Lets prescription `rx_id` be given with `substitute` (a pharmacist, when
/// its item is short): the substitute must be on the item's approved list
/// and its form fit the prescription's route. The bedside then accepts its
/// packs and counts the dose at the substitute's own strength; the
/// approval is recorded with its reason.
pub fn allow_for_prescription(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    rx_id: i64,
    substitute: &ItemRef,
    reason: &str,
) -> Result<()> {
    allow(actor, Operation::ValidatePrescription)?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(SubstituteError::ReasonNeeded);
    }
    store.write(|tx| {
        let (item_id, item_code, status, route): (i64, String, String, String) = tx
            .query_row(
                "SELECT r.item_id, i.code, r.status, r.route FROM prescriptions r JOIN items i ON i.id = r.item_id WHERE r.id = ?1",
                [rx_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?
            .ok_or(SubstituteError::UnknownRx(rx_id))?;
        if !matches!(status.as_str(), "active" | "awaiting_validation" | "suspended") {
            return Err(SubstituteError::RxNotInForce { id: rx_id, status });
        }
        let listed: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM substitutes WHERE item_id = ?1 AND substitute_id = ?2)",
            params![item_id, substitute.id],
            |r| r.get(0),
        )?;
        if !listed {
            return Err(SubstituteError::NotListed {
                item: item_code,
                substitute: substitute.code.clone(),
            });
        }
        let form = product(tx, substitute.id)?.form;
        if !crate::domain::types::form_fits_route(&form, &route) {
            return Err(SubstituteError::WrongRoute {
                substitute: substitute.code.clone(),
                form,
                route,
            });
        }
        let allowed = super::rx::allowed_products(tx, rx_id)?;
        if allowed.contains(&substitute.id) {
            return Err(SubstituteError::AlreadyAllowed {
                id: rx_id,
                substitute: substitute.code.clone(),
            });
        }
        // The allowed products are the prescribed one (and a generic
        // prescription's others) and now the substitute.
        for id in allowed.iter().chain(std::iter::once(&substitute.id)) {
            tx.execute(
                "INSERT OR IGNORE INTO prescription_products (prescription_id, item_id) VALUES (?1, ?2)",
                params![rx_id, id],
            )?;
        }
        tx.execute(
            "INSERT INTO prescription_substitutions (prescription_id, item_id, approved_by, approved_at, reason)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![rx_id, substitute.id, actor.user_id, instant_to_text(now), reason],
        )?;
        Ok(())
    })
}
