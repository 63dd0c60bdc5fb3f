//! What the FHIR export reads from the database: one query per kind of
//! record, each row as it is stored.

use rusqlite::{Connection, Row, params};

use super::Scope;

pub struct PatientRow {
    pub id: i64,
    pub mrn: String,
    pub name: String,
    pub dob: String,
    pub sex: Option<String>,
    pub gsrn: Option<String>,
    pub discharged: bool,
    pub ward_id: Option<i64>,
    pub bed: Option<String>,
    pub admitted_at: Option<String>,
    pub discharged_at: Option<String>,
}

pub struct AllergyRow {
    pub id: i64,
    pub patient_id: i64,
    pub substance: String,
    pub atc_prefix: Option<String>,
    pub kind: String,
    pub reaction: Option<String>,
    pub removed: bool,
}

pub struct PlaceRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub closed: bool,
}

pub struct LocationRow {
    pub id: i64,
    pub place_id: i64,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub closed: bool,
}

pub struct ItemRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub atc: Option<String>,
    pub form: String,
    pub gtins: Vec<String>,
}

pub struct LotRow {
    pub id: i64,
    pub item_id: i64,
    pub lot_number: String,
    pub expiry: Option<String>,
}

pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub full_name: String,
    pub role: String,
    pub active: bool,
}

pub struct RxRow {
    pub id: i64,
    pub patient_id: i64,
    pub item_id: i64,
    pub dose_milli: i64,
    pub dose_unit: String,
    pub route: String,
    pub frequency: String,
    pub times: String,
    pub prn_max_per_day: Option<i64>,
    pub prn_min_interval_min: Option<i64>,
    pub start_at: String,
    pub end_at: Option<String>,
    pub indication: String,
    pub prescriber: String,
    pub status: String,
    pub supersedes_id: Option<i64>,
    pub created_by: i64,
    pub created_at: String,
    pub validated_by: Option<i64>,
    pub validated_at: Option<String>,
    pub generic_atc: Option<String>,
}

pub struct DoseRow {
    pub id: i64,
    pub rx_id: i64,
    pub patient_id: i64,
    pub item_id: i64,
    pub route: String,
    pub scheduled_at: Option<String>,
    pub recorded_at: String,
    pub user_id: i64,
    pub outcome: String,
    pub lot_id: Option<i64>,
    pub qty: Option<i64>,
    pub dose_milli: Option<i64>,
    pub dose_unit: String,
    pub reason: Option<String>,
    pub witness_id: Option<i64>,
    pub double_check_id: Option<i64>,
    pub unscanned_reason: Option<String>,
}

pub struct TransferLineRow {
    pub order_id: i64,
    pub line_id: i64,
    pub item_id: i64,
    pub qty: i64,
    pub from_place: i64,
    pub to_place: i64,
    pub status: String,
    pub created_at: String,
    pub created_by: i64,
    pub needed_at: Option<String>,
    pub urgent: bool,
    pub received_at: Option<String>,
    pub received_by: Option<i64>,
    /// Units the ward received of this line (its receipt movements).
    pub received_qty: i64,
}

pub struct ReceiptRow {
    pub id: i64,
    pub order_id: i64,
    pub item_id: i64,
    pub lot_id: i64,
    pub qty: i64,
    pub at: String,
    pub supplier_id: i64,
    pub place_id: i64,
    pub user_id: i64,
}

pub struct SupplierRow {
    pub id: i64,
    pub code: String,
    pub name: String,
}

/// Every row the bundle is made of.
pub struct Records {
    pub patients: Vec<PatientRow>,
    pub allergies: Vec<AllergyRow>,
    pub places: Vec<PlaceRow>,
    pub locations: Vec<LocationRow>,
    pub items: Vec<ItemRow>,
    pub lots: Vec<LotRow>,
    pub users: Vec<UserRow>,
    pub prescriptions: Vec<RxRow>,
    pub doses: Vec<DoseRow>,
    pub transfers: Vec<TransferLineRow>,
    pub receipts: Vec<ReceiptRow>,
    pub suppliers: Vec<SupplierRow>,
}

fn all<T>(
    conn: &Connection,
    sql: &str,
    p: impl rusqlite::Params,
    f: impl FnMut(&Row) -> rusqlite::Result<T>,
) -> rusqlite::Result<Vec<T>> {
    let mut st = conn.prepare(sql)?;
    st.query_map(p, f)?.collect()
}

/// Reads what the scope covers: one patient's records, or every record
/// (prescriptions, doses and supplies from `since` on).
pub fn records(conn: &Connection, scope: &Scope) -> rusqlite::Result<Records> {
    let mrn = scope.patient.as_deref();
    let since = scope.since_text();
    let patients = all(
        conn,
        "SELECT id, mrn, name, dob, sex, gsrn, discharged_at IS NOT NULL, ward_id, bed, admitted_at, discharged_at
         FROM patients
         WHERE ?1 IS NULL OR mrn = ?1 ORDER BY id",
        [mrn],
        |r| {
            Ok(PatientRow {
                id: r.get(0)?,
                mrn: r.get(1)?,
                name: r.get(2)?,
                dob: r.get(3)?,
                sex: r.get(4)?,
                gsrn: r.get(5)?,
                discharged: r.get(6)?,
                ward_id: r.get(7)?,
                bed: r.get(8)?,
                admitted_at: r.get(9)?,
                discharged_at: r.get(10)?,
            })
        },
    )?;
    let allergies = all(
        conn,
        "SELECT a.id, a.patient_id, a.substance, a.atc_prefix, a.kind, a.reaction, a.removed_at IS NOT NULL
         FROM patient_allergies a JOIN patients p ON p.id = a.patient_id
         WHERE ?1 IS NULL OR p.mrn = ?1 ORDER BY a.id",
        [mrn],
        |r| {
            Ok(AllergyRow {
                id: r.get(0)?,
                patient_id: r.get(1)?,
                substance: r.get(2)?,
                atc_prefix: r.get(3)?,
                kind: r.get(4)?,
                reaction: r.get(5)?,
                removed: r.get(6)?,
            })
        },
    )?;
    let places = all(
        conn,
        "SELECT id, code, name, kind, closed_at IS NOT NULL FROM places ORDER BY id",
        [],
        |r| {
            Ok(PlaceRow {
                id: r.get(0)?,
                code: r.get(1)?,
                name: r.get(2)?,
                kind: r.get(3)?,
                closed: r.get(4)?,
            })
        },
    )?;
    let locations = all(
        conn,
        "SELECT id, place_id, code, name, kind, closed_at IS NOT NULL FROM locations ORDER BY id",
        [],
        |r| {
            Ok(LocationRow {
                id: r.get(0)?,
                place_id: r.get(1)?,
                code: r.get(2)?,
                name: r.get(3)?,
                kind: r.get(4)?,
                closed: r.get(5)?,
            })
        },
    )?;
    let mut items = all(
        conn,
        "SELECT id, code, name, atc, form FROM items ORDER BY id",
        [],
        |r| {
            Ok(ItemRow {
                id: r.get(0)?,
                code: r.get(1)?,
                name: r.get(2)?,
                atc: r.get(3)?,
                form: r.get(4)?,
                gtins: Vec::new(),
            })
        },
    )?;
    let gtins = all(
        conn,
        "SELECT item_id, gtin FROM item_gtins ORDER BY item_id, gtin",
        [],
        |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)),
    )?;
    let at: std::collections::HashMap<i64, usize> =
        items.iter().enumerate().map(|(k, i)| (i.id, k)).collect();
    for (item, gtin) in gtins {
        if let Some(&k) = at.get(&item) {
            items[k].gtins.push(gtin);
        }
    }
    let lots = all(
        conn,
        "SELECT id, item_id, lot_number, expiry FROM lots ORDER BY id",
        [],
        |r| {
            Ok(LotRow {
                id: r.get(0)?,
                item_id: r.get(1)?,
                lot_number: r.get(2)?,
                expiry: r.get(3)?,
            })
        },
    )?;
    let users = all(
        conn,
        "SELECT id, username, full_name, role, active FROM users ORDER BY id",
        [],
        |r| {
            Ok(UserRow {
                id: r.get(0)?,
                username: r.get(1)?,
                full_name: r.get(2)?,
                role: r.get(3)?,
                active: r.get(4)?,
            })
        },
    )?;
    // A version from `since` on, or one still in force then.
    let prescriptions = all(
        conn,
        "SELECT r.id, r.patient_id, r.item_id, r.dose_milli, r.dose_unit, r.route, r.frequency, r.times,
                r.prn_max_per_day, r.prn_min_interval_min, r.start_at, r.end_at, r.indication, r.prescriber,
                r.status, r.supersedes_id, r.created_by, r.created_at, r.validated_by, r.validated_at, r.generic_atc
         FROM prescriptions r JOIN patients p ON p.id = r.patient_id
         WHERE (?1 IS NULL OR p.mrn = ?1)
           AND (?2 IS NULL OR r.created_at >= ?2 OR r.end_at IS NULL OR r.end_at >= ?2
                OR r.status IN ('active', 'awaiting_validation', 'suspended')
                OR r.id IN (SELECT prescription_id FROM administrations WHERE recorded_at >= ?2))
         ORDER BY r.id",
        params![mrn, since],
        |r| {
            Ok(RxRow {
                id: r.get(0)?,
                patient_id: r.get(1)?,
                item_id: r.get(2)?,
                dose_milli: r.get(3)?,
                dose_unit: r.get(4)?,
                route: r.get(5)?,
                frequency: r.get(6)?,
                times: r.get(7)?,
                prn_max_per_day: r.get(8)?,
                prn_min_interval_min: r.get(9)?,
                start_at: r.get(10)?,
                end_at: r.get(11)?,
                indication: r.get(12)?,
                prescriber: r.get(13)?,
                status: r.get(14)?,
                supersedes_id: r.get(15)?,
                created_by: r.get(16)?,
                created_at: r.get(17)?,
                validated_by: r.get(18)?,
                validated_at: r.get(19)?,
                generic_atc: r.get(20)?,
            })
        },
    )?;
    let doses = all(
        conn,
        "SELECT a.id, a.prescription_id, r.patient_id, COALESCE(l.item_id, r.item_id), r.route, a.scheduled_at,
                a.recorded_at, a.user_id, a.outcome, a.lot_id, a.qty, a.dose_milli, r.dose_unit, a.reason,
                a.witness_id, a.double_check_id, a.unscanned_reason
         FROM administrations a JOIN prescriptions r ON r.id = a.prescription_id
         JOIN patients p ON p.id = r.patient_id LEFT JOIN lots l ON l.id = a.lot_id
         WHERE (?1 IS NULL OR p.mrn = ?1) AND (?2 IS NULL OR a.recorded_at >= ?2)
         ORDER BY a.id",
        params![mrn, since],
        |r| {
            Ok(DoseRow {
                id: r.get(0)?,
                rx_id: r.get(1)?,
                patient_id: r.get(2)?,
                item_id: r.get(3)?,
                route: r.get(4)?,
                scheduled_at: r.get(5)?,
                recorded_at: r.get(6)?,
                user_id: r.get(7)?,
                outcome: r.get(8)?,
                lot_id: r.get(9)?,
                qty: r.get(10)?,
                dose_milli: r.get(11)?,
                dose_unit: r.get(12)?,
                reason: r.get(13)?,
                witness_id: r.get(14)?,
                double_check_id: r.get(15)?,
                unscanned_reason: r.get(16)?,
            })
        },
    )?;
    // Supplies are the wards' and the pharmacy's, not a patient's.
    let (transfers, receipts) = if mrn.is_some() {
        (Vec::new(), Vec::new())
    } else {
        let transfers = all(
            conn,
            &format!(
                "SELECT o.id, l.id, l.item_id, l.qty_requested, o.from_place_id, o.to_place_id, o.status,
                        o.created_at, o.created_by, o.needed_at, {},
                        o.received_at, o.received_by,
                        COALESCE((SELECT SUM(m.qty) FROM movements m
                                  WHERE m.kind = 'transfer' AND m.order_ref = 'TO-' || o.id
                                    AND m.item_id = l.item_id AND m.to_place_id = o.to_place_id), 0)
                 FROM transfer_lines l JOIN transfer_orders o ON o.id = l.order_id
                 WHERE ?1 IS NULL OR o.created_at >= ?1
                 ORDER BY o.id, l.id",
                crate::ops::stock::transfers::URGENT
            ),
            [since.as_deref()],
            |r| {
                Ok(TransferLineRow {
                    order_id: r.get(0)?,
                    line_id: r.get(1)?,
                    item_id: r.get(2)?,
                    qty: r.get(3)?,
                    from_place: r.get(4)?,
                    to_place: r.get(5)?,
                    status: r.get(6)?,
                    created_at: r.get(7)?,
                    created_by: r.get(8)?,
                    needed_at: r.get(9)?,
                    urgent: r.get(10)?,
                    received_at: r.get(11)?,
                    received_by: r.get(12)?,
                    received_qty: r.get(13)?,
                })
            },
        )?;
        let receipts = all(
            conn,
            "SELECT pr.id, pl.order_id, pl.item_id, m.lot_id, pr.qty, pr.at, po.supplier_id, m.to_place_id, m.user_id
             FROM purchase_receipts pr JOIN purchase_order_lines pl ON pl.id = pr.line_id
             JOIN purchase_orders po ON po.id = pl.order_id JOIN movements m ON m.id = pr.movement_id
             WHERE ?1 IS NULL OR pr.at >= ?1
             ORDER BY pr.id",
            [since.as_deref()],
            |r| {
                Ok(ReceiptRow {
                    id: r.get(0)?,
                    order_id: r.get(1)?,
                    item_id: r.get(2)?,
                    lot_id: r.get(3)?,
                    qty: r.get(4)?,
                    at: r.get(5)?,
                    supplier_id: r.get(6)?,
                    place_id: r.get(7)?,
                    user_id: r.get(8)?,
                })
            },
        )?;
        (transfers, receipts)
    };
    let suppliers = all(
        conn,
        "SELECT id, code, name FROM suppliers ORDER BY id",
        [],
        |r| {
            Ok(SupplierRow {
                id: r.get(0)?,
                code: r.get(1)?,
                name: r.get(2)?,
            })
        },
    )?;
    Ok(Records {
        patients,
        allergies,
        places,
        locations,
        items,
        lots,
        users,
        prescriptions,
        doses,
        transfers,
        receipts,
        suppliers,
    })
}
