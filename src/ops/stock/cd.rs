//! Controlled drugs: the second signature every movement of a controlled
//! drug needs, and the register page of a drug at a place (every movement
//! with its running balance, which always equals the ledger).

use super::*;
use crate::domain::seven_rights::{NotAllowed, SecondUser, second_user_problem};

/// Why a controlled-drug movement is refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "refused")]
pub enum CdRefusal {
    /// A controlled drug moved without a second signature.
    WitnessNeeded { item: String },
    /// The second user named may not sign.
    WitnessRefused {
        item: String,
        user: String,
        why: NotAllowed,
    },
    /// A controlled line of a delivery confirmed without counting it.
    CountNeeded { order: i64, items: Vec<CountDue> },
    /// What the ward counted is not what was sent.
    CountDiffers {
        order: i64,
        item: String,
        unit: String,
        sent: i64,
        counted: i64,
    },
    /// A count given for an item that is not on the delivery.
    CountNotOnOrder { order: i64, item: String },
    /// Each controlled-drug variance of a stocktake is explained before it
    /// is approved: (item code, lot number, variance).
    VarianceUnexplained {
        stocktake: i64,
        lines: Vec<(String, String, i64)>,
    },
    /// An explanation given for a line with no variance, or none counted.
    NothingToExplain {
        stocktake: i64,
        item: String,
        lot: String,
    },
    /// An explanation that says nothing.
    ExplanationEmpty,
    /// A controlled-drug check of a place that holds no controlled drug.
    NoControlledStock { place: String },
}

/// A controlled line of a delivery still to be counted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CountDue {
    pub code: String,
    pub name: String,
    pub unit: String,
    pub sent: i64,
}

impl From<CdRefusal> for StockError {
    fn from(e: CdRefusal) -> Self {
        StockError::Cd(e)
    }
}

/// Whether an item is a controlled drug.
pub fn is_controlled(conn: &Connection, item_id: i64) -> rusqlite::Result<bool> {
    Ok(conn
        .prepare_cached("SELECT controlled FROM items WHERE id = ?1")?
        .query_row([item_id], |r| r.get::<_, bool>(0))
        .optional()?
        .unwrap_or(false))
}

/// A second user as the records show them now (role, active, locked),
/// whatever the caller says of them.
pub fn second_user(
    conn: &Connection,
    a: &Actor,
    now: DateTime<Utc>,
) -> rusqlite::Result<SecondUser> {
    let row: Option<(String, String, bool, Option<String>)> = conn
        .prepare_cached("SELECT username, role, active, locked_until FROM users WHERE id = ?1")?
        .query_row([a.user_id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .optional()?;
    Ok(match row {
        Some((username, role, active, locked_until)) => SecondUser {
            id: a.user_id,
            username,
            role: role.parse().unwrap_or(a.role),
            active,
            locked: locked_until
                .as_deref()
                .and_then(crate::domain::instant_from_text)
                .is_some_and(|u| u > now),
        },
        None => SecondUser {
            id: a.user_id,
            username: a.username.clone(),
            role: a.role,
            active: false,
            locked: false,
        },
    })
}

/// The second signature a movement of `item` needs: none for an item that
/// is not controlled; for a controlled drug, a clinical user (nurse, nurse
/// manager, pharmacist) other than `actor`, active and not locked. Gives
/// the id of the one who signs.
pub fn cosign(
    conn: &Connection,
    actor: &Actor,
    witness: Option<&Actor>,
    item: &ItemRef,
    now: DateTime<Utc>,
) -> Result<Option<i64>> {
    if !is_controlled(conn, item.id)? {
        return Ok(None);
    }
    let Some(w) = witness else {
        return Err(CdRefusal::WitnessNeeded {
            item: item.name.clone(),
        }
        .into());
    };
    let second = second_user(conn, w, now)?;
    if let Some(why) = second_user_problem(&second, actor.user_id) {
        return Err(CdRefusal::WitnessRefused {
            item: item.name.clone(),
            user: second.username,
            why,
        }
        .into());
    }
    Ok(Some(second.id))
}

/// The last movement written so far: the movements an operation appends
/// after it are the ones it signs.
pub(super) fn last_movement(conn: &Connection) -> rusqlite::Result<i64> {
    conn.prepare_cached("SELECT COALESCE(MAX(id), 0) FROM movements")?
        .query_row([], |r| r.get(0))
}

/// Signs every movement of `item_id` written after `after` (a movement the
/// ledger split across storage locations is several rows).
pub(super) fn sign_since(
    conn: &Connection,
    after: i64,
    item_id: i64,
    witness_id: i64,
    now: DateTime<Utc>,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO movement_witnesses (movement_id, witness_id, signed_at)
         SELECT id, ?3, ?4 FROM movements WHERE id > ?1 AND item_id = ?2
         ON CONFLICT (movement_id) DO NOTHING",
    )?
    .execute(params![after, item_id, witness_id, instant_to_text(now)])?;
    Ok(())
}

/// Appends a movement and, for a controlled drug, its second signature.
pub(crate) fn append_signed(
    conn: &Connection,
    m: &NewMovement,
    witness_id: Option<i64>,
) -> rusqlite::Result<i64> {
    let after = match witness_id {
        Some(_) => last_movement(conn)?,
        None => 0,
    };
    let id = ledger::append(conn, m)?;
    if let Some(w) = witness_id {
        sign_since(conn, after, m.item_id, w, m.at)?;
    }
    Ok(id)
}

/// Signs the movements of controlled drugs on a transfer order that are not
/// signed yet (its picks and unpicks), when the order is dispatched.
pub(super) fn sign_order(
    conn: &Connection,
    order_id: i64,
    witness_id: i64,
    now: DateTime<Utc>,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO movement_witnesses (movement_id, witness_id, signed_at)
         SELECT m.id, ?2, ?3 FROM movements m JOIN items i ON i.id = m.item_id
         WHERE m.order_ref = 'TO-' || ?1 AND i.controlled = 1
           AND NOT EXISTS (SELECT 1 FROM movement_witnesses w WHERE w.movement_id = m.id)",
    )?
    .execute(params![order_id, witness_id, instant_to_text(now)])?;
    Ok(())
}

// ---------------------------------------------------------------- the register

/// One entry of a controlled-drug register page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegisterEntry {
    pub movement_id: i64,
    /// RFC 3339, UTC.
    pub at: String,
    pub kind: MovementKind,
    pub lot_number: String,
    /// Where the units came from or went: another place's code, the
    /// supplier or order, the patient (MRN and name), or why they left.
    pub counterpart: String,
    pub patient_mrn: Option<String>,
    pub order_ref: Option<String>,
    pub qty_in: i64,
    pub qty_out: i64,
    pub balance: i64,
    /// Who recorded it (username, full name).
    pub by: String,
    pub by_name: String,
    /// Who signed second; `None` only for entries written before the
    /// register was kept.
    pub witness: Option<String>,
    pub witness_name: Option<String>,
    pub reason: Option<String>,
    /// A dose: what the patient was given (thousandths of the strength
    /// unit), and what was left of the last ampoule and discarded, witnessed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub given_milli: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub discarded_milli: Option<i64>,
}

/// The register page of a controlled drug at a place over a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Register {
    pub place: String,
    pub item_code: String,
    pub item_name: String,
    pub unit: String,
    /// The unit of a dose's strength (mg), for what was given and discarded.
    pub strength_unit: String,
    pub controlled: bool,
    pub from: Option<String>,
    pub to: Option<String>,
    /// The balance before the first entry shown.
    pub opening: i64,
    pub entries: Vec<RegisterEntry>,
    /// The balance after the last entry shown.
    pub closing: i64,
    /// What the ledger's balances hold now at the place (all lots); equal to
    /// `closing` when the page runs to now.
    pub held_now: i64,
}

/// The register page of `item` at `place`, movements at or after `from` and
/// before `to` (instants, UTC).
pub fn register(
    conn: &Connection,
    place: &PlaceRef,
    item: &ItemRef,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
) -> Result<Register> {
    let from_text = from.map(instant_to_text);
    let to_text = to.map(instant_to_text);
    let opening: i64 = conn
        .prepare_cached(
            "SELECT COALESCE(SUM(CASE WHEN to_place_id = ?2 THEN qty ELSE -qty END), 0) FROM movements
             WHERE item_id = ?1 AND (from_place_id = ?2 OR to_place_id = ?2) AND ?3 IS NOT NULL AND at < ?3",
        )?
        .query_row(params![item.id, place.id, from_text], |r| r.get(0))?;
    let mut stmt = conn.prepare_cached(
        "SELECT m.id, m.at, m.kind, l.lot_number, COALESCE(m.from_place_id = ?2, 0),
                CASE WHEN fp.kind = 'transit' THEN NULL ELSE fp.code END,
                CASE WHEN tp.kind = 'transit' THEN NULL ELSE tp.code END, pt.mrn, pt.name,
                m.order_ref, m.qty, u.username, u.full_name, w.username, w.full_name, m.reason,
                a.dose_milli, CASE WHEN a.open_pack_id IS NULL THEN m.qty * i.strength_milli - a.dose_milli END
         FROM movements m
         JOIN items i ON i.id = m.item_id
         LEFT JOIN administrations a ON a.movement_id = m.id
         JOIN lots l ON l.id = m.lot_id
         JOIN users u ON u.id = m.user_id
         LEFT JOIN places fp ON fp.id = m.from_place_id
         LEFT JOIN places tp ON tp.id = m.to_place_id
         LEFT JOIN patients pt ON pt.id = m.patient_id
         LEFT JOIN movement_witnesses mw ON mw.movement_id = m.id
         LEFT JOIN users w ON w.id = mw.witness_id
         WHERE m.item_id = ?1 AND (m.from_place_id = ?2 OR m.to_place_id = ?2)
           AND (?3 IS NULL OR m.at >= ?3) AND (?4 IS NULL OR m.at < ?4)
         ORDER BY m.at, m.id",
    )?;
    let mut balance = opening;
    let entries = stmt
        .query_map(params![item.id, place.id, from_text, to_text], |r| {
            let out: bool = r.get(4)?;
            let kind: String = r.get(2)?;
            let from_code: Option<String> = r.get(5)?;
            let to_code: Option<String> = r.get(6)?;
            let mrn: Option<String> = r.get(7)?;
            let patient: Option<String> = r.get(8)?;
            let order_ref: Option<String> = r.get(9)?;
            let qty: i64 = r.get(10)?;
            let reason: Option<String> = r.get(15)?;
            let given: Option<i64> = r.get(16)?;
            let discarded: Option<i64> = r.get::<_, Option<i64>>(17)?.filter(|d| *d > 0);
            // Goods on their way show as their order ("TO-3"), a receipt as
            // its supplier.
            let counterpart = match (&mrn, out) {
                (Some(mrn), _) => Some(format!("{mrn} {}", patient.unwrap_or_default())),
                (None, true) => to_code
                    .or_else(|| order_ref.clone())
                    .or_else(|| reason.clone()),
                (None, false) => from_code
                    .or_else(|| reason.clone())
                    .or_else(|| order_ref.clone()),
            }
            .unwrap_or_default();
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                kind,
                r.get::<_, String>(3)?,
                out,
                counterpart,
                mrn,
                order_ref,
                qty,
                (r.get::<_, String>(11)?, r.get::<_, String>(12)?),
                (
                    r.get::<_, Option<String>>(13)?,
                    r.get::<_, Option<String>>(14)?,
                ),
                reason,
                (given, discarded),
            ))
        })?
        .map(|row| {
            let (
                movement_id,
                at,
                kind,
                lot_number,
                out,
                counterpart,
                patient_mrn,
                order_ref,
                qty,
                by,
                witness,
                reason,
                dose,
            ) = row?;
            balance += if out { -qty } else { qty };
            Ok(RegisterEntry {
                movement_id,
                at,
                kind: kind.parse().unwrap_or(MovementKind::Adjustment),
                lot_number,
                counterpart,
                patient_mrn,
                order_ref,
                qty_in: if out { 0 } else { qty },
                qty_out: if out { qty } else { 0 },
                balance,
                by: by.0,
                by_name: by.1,
                witness: witness.0,
                witness_name: witness.1,
                reason,
                given_milli: dose.0,
                discarded_milli: dose.1,
            })
        })
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let held_now: i64 = conn
        .prepare_cached(
            "SELECT COALESCE(SUM(qty), 0) FROM balances WHERE place_id = ?1 AND item_id = ?2",
        )?
        .query_row(params![place.id, item.id], |r| r.get(0))?;
    Ok(Register {
        place: place.code.clone(),
        item_code: item.code.clone(),
        item_name: item.name.clone(),
        unit: item.dose_unit.clone(),
        strength_unit: conn
            .prepare_cached("SELECT COALESCE(strength_unit, dose_unit) FROM items WHERE id = ?1")?
            .query_row([item.id], |r| r.get(0))?,
        controlled: is_controlled(conn, item.id)?,
        from: from_text,
        to: to_text,
        opening,
        closing: balance,
        entries,
        held_now,
    })
}
