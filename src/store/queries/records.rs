//! The site's reference data as the administrator keeps it: users, items,
//! places, suppliers and patients' admissions.

use super::*;

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
    /// The GS1 GSRN (AI 8018) on the patient's wristband, if it carries one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gsrn: Option<String>,
}

fn patients_adt_where(
    conn: &Connection,
    filter: &str,
    arg: &str,
) -> rusqlite::Result<Vec<PatientAdt>> {
    let sql = format!(
        "SELECT p.id, p.mrn, p.name, p.dob, p.sex, w.code, p.bed, p.admitted_at, p.discharged_at, p.gsrn
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
            gsrn: r.get(9)?,
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
