//! The substitutes offered for one prescription when its item is short on
//! the patient's ward: the validation rules' own supply findings decide
//! "short" (no new figure), and each approved substitute comes with its
//! usable units on the ward and elsewhere.

use super::*;
use crate::domain::validation::Finding;
use crate::ops::stock::{SubstituteStock, find_stock, item_by_id, place_by_code};

/// An approved substitute offered, with its stock and the pharmacist's note.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Offered {
    #[serde(flatten)]
    pub stock: SubstituteStock,
    pub alternative: bool,
    pub note: Option<String>,
    /// The prescription may already be given with it.
    pub allowed: bool,
}

/// The offer for a prescription whose item is short on its ward.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Offer {
    pub rx_id: i64,
    pub item: String,
    pub ward: String,
    /// Units the next day's doses take, and usable on the ward now (from
    /// the validation finding).
    pub needed: i64,
    pub usable: i64,
    pub substitutes: Vec<Offered>,
}

/// The approved substitutes offered for `rx_id`, when its item is short
/// on the patient's ward (`findings`: the prescription's findings, read
/// by the validation); `None` when it is not short or none is approved.
pub fn offer_for_prescription(
    conn: &Connection,
    rx_id: i64,
    findings: &[Finding],
    now: DateTime<Utc>,
) -> Result<Option<Offer>> {
    let short = findings.iter().find_map(|f| match f {
        Finding::NotInStock { needed, usable } => Some((*needed, *usable)),
        Finding::OnlyHeldOrExpiringStock { .. } => Some((0, 0)),
        _ => None,
    });
    let Some((needed, usable)) = short else {
        return Ok(None);
    };
    let row: Option<(i64, Option<String>)> = conn
        .query_row(
            "SELECT r.item_id, w.code FROM prescriptions r JOIN patients p ON p.id = r.patient_id
             LEFT JOIN places w ON w.id = p.ward_id WHERE r.id = ?1",
            [rx_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((item_id, Some(ward))) = row else {
        return Ok(None);
    };
    let item = item_by_id(conn, item_id)?;
    let listed = substitutes(conn, Some(&item))?;
    if listed.is_empty() {
        return Ok(None);
    }
    let ward = place_by_code(conn, &ward)?;
    let found = find_stock(conn, &item, Some(&ward), now)?;
    let allowed = crate::ops::rx::allowed_products(conn, rx_id)?;
    let mut out = Vec::new();
    for s in found.substitutes {
        let Some(l) = listed.iter().find(|l| l.substitute == s.item) else {
            continue;
        };
        let id = crate::ops::stock::item_by_code(conn, &s.item)?.id;
        out.push(Offered {
            alternative: l.alternative,
            note: l.note.clone(),
            allowed: allowed.contains(&id),
            stock: s,
        });
    }
    Ok(Some(Offer {
        rx_id,
        item: item.code,
        ward: ward.code,
        needed,
        usable,
        substitutes: out,
    }))
}

/// At the bedside: the prescription's item has no usable unit on the ward
/// and approved substitutes have some there.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BedsideOffer {
    pub item: String,
    pub item_name: String,
    pub substitutes: Vec<BedsideSubstitute>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BedsideSubstitute {
    pub code: String,
    pub name: String,
    /// Usable units on the ward.
    pub on_ward: i64,
    /// The prescription already allows it (else a pharmacist must).
    pub allowed: bool,
}

/// What the bedside offers for `rx_id` on `ward_id` today: `None` while the
/// prescribed item has usable units there, or no approved substitute has.
pub fn bedside_offer(
    conn: &Connection,
    rx_id: i64,
    ward_id: i64,
    today: chrono::NaiveDate,
) -> Result<Option<BedsideOffer>> {
    let Some(item_id) = crate::store::queries::prescription_item(conn, rx_id)? else {
        return Ok(None);
    };
    let usable = crate::store::queries::usable_totals(conn, Some(ward_id), today)?;
    let here = |id: i64| usable.get(&(ward_id, id)).copied().unwrap_or(0);
    if here(item_id) > 0 {
        return Ok(None);
    }
    let item = item_by_id(conn, item_id)?;
    let allowed = crate::ops::rx::allowed_products(conn, rx_id)?;
    let mut out = Vec::new();
    for l in substitutes(conn, Some(&item))? {
        let s = crate::ops::stock::item_by_code(conn, &l.substitute)?;
        if here(s.id) > 0 {
            out.push(BedsideSubstitute {
                on_ward: here(s.id),
                allowed: allowed.contains(&s.id),
                code: s.code,
                name: s.name,
            });
        }
    }
    Ok((!out.is_empty()).then_some(BedsideOffer {
        item: item.code,
        item_name: item.name,
        substitutes: out,
    }))
}
