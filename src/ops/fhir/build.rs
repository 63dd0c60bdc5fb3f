//! The FHIR R4 resources made from the rows read, with no database: each
//! record becomes one resource, named by a stable id.

use std::collections::{BTreeSet, HashMap};

use serde_json::{Map, Value, json};

use super::read::*;

/// Where the bundle's relative references resolve (each entry's `fullUrl`).
pub const BASE: &str = "urn:wardstock:fhir:";
/// The WHO ATC classification.
pub const ATC: &str = "http://www.whocc.no/atc";
/// GS1 trade item numbers.
pub const GTIN: &str = "https://www.gs1.org/gtin";
/// The site's medical record numbers.
pub const MRN: &str = "urn:wardstock:mrn";
/// The GS1 service relation number on a patient's wristband.
const GSRN: &str = "https://www.gs1.org/gsrn";
/// wardstock's own codes (item codes, place codes, dose outcomes).
const OWN: &str = "urn:wardstock";
const SNOMED: &str = "http://snomed.info/sct";
const UCUM: &str = "http://unitsofmeasure.org";
const VALIDATION: &str = "urn:wardstock:fhir:extension:pharmacist-validation";

/// The SNOMED CT route of administration for a route as prescribed, where
/// known.
pub fn route_code(route: &str) -> Option<(&'static str, &'static str)> {
    let r = route.trim().to_ascii_uppercase();
    Some(match r.as_str() {
        "PO" | "ORAL" => ("26643006", "Oral route"),
        "IV" | "IV INFUSION" | "IV BOLUS" => ("47625008", "Intravenous route"),
        "IM" => ("78421000", "Intramuscular route"),
        "SC" | "SUBCUT" => ("34206005", "Subcutaneous route"),
        "SL" => ("37839007", "Sublingual route"),
        "PR" => ("37161004", "Rectal route"),
        "TOP" | "TOPICAL" => ("6064005", "Topical route"),
        "TD" => ("45890007", "Transdermal route"),
        "INH" | "NEB" => ("447694001", "Respiratory tract route"),
        "NG" => ("127492001", "Nasogastric route"),
        "PV" => ("16857009", "Vaginal route"),
        "OPH" | "EYE" => ("54485002", "Ophthalmic route"),
        _ => return None,
    })
}

fn id(kind: &str, n: i64) -> String {
    format!("{kind}-{n}")
}

fn reference(kind: &str, prefix: &str, n: i64) -> Value {
    json!({ "reference": format!("{kind}/{}", id(prefix, n)) })
}

fn patient_ref(n: i64) -> Value {
    reference("Patient", "patient", n)
}

fn practitioner_ref(n: i64) -> Value {
    reference("Practitioner", "user", n)
}

fn medication_ref(item: i64, lot: Option<i64>) -> Value {
    match lot {
        Some(l) => reference("Medication", "lot", l),
        None => reference("Medication", "item", item),
    }
}

fn location_ref(place: i64) -> Value {
    reference("Location", "place", place)
}

/// Drops the keys whose value is null or empty, so the resource has no
/// empty elements (FHIR allows none).
fn clean(v: Value) -> Value {
    let empty = |v: &Value| match v {
        Value::Null => true,
        Value::Object(m) => m.is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    };
    match v {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .map(|(k, v)| (k, clean(v)))
                .filter(|(_, v)| !empty(v))
                .collect::<Map<_, _>>(),
        ),
        Value::Array(a) => Value::Array(a.into_iter().map(clean).collect()),
        v => v,
    }
}

/// A number of milli-units as a decimal number.
fn milli(n: i64) -> Value {
    if n % 1000 == 0 {
        json!(n / 1000)
    } else {
        json!(n as f64 / 1000.0)
    }
}

fn quantity(value: Value, unit: &str) -> Value {
    let ucum = matches!(
        unit,
        "mg" | "g" | "ug" | "mcg" | "ml" | "mL" | "l" | "L" | "mmol" | "[iU]"
    );
    let code = match unit {
        "mcg" => "ug",
        "ml" => "mL",
        u => u,
    };
    if ucum {
        json!({ "value": value, "unit": unit, "system": UCUM, "code": code })
    } else {
        json!({ "value": value, "unit": unit })
    }
}

fn route(route: &str) -> Value {
    match route_code(route) {
        Some((code, display)) => json!({
            "coding": [{ "system": SNOMED, "code": code, "display": display }],
            "text": route,
        }),
        None => json!({ "text": route }),
    }
}

/// The patient's name as given, with the last word as the family name.
fn human_name(name: &str) -> Value {
    let words: Vec<&str> = name.split_whitespace().collect();
    match words.split_last() {
        Some((family, given)) if !given.is_empty() => json!({
            "use": "official", "text": name, "family": family, "given": given,
        }),
        _ => json!({ "use": "official", "text": name }),
    }
}

fn patient(p: &PatientRow) -> Value {
    let mut identifier = vec![json!({ "use": "usual", "system": MRN, "value": p.mrn })];
    if let Some(g) = &p.gsrn {
        identifier.push(json!({ "system": GSRN, "value": g }));
    }
    clean(json!({
        "resourceType": "Patient",
        "id": id("patient", p.id),
        "identifier": identifier,
        "active": !p.discharged,
        "name": [human_name(&p.name)],
        "gender": p.sex.as_deref().filter(|s| matches!(*s, "female" | "male" | "other" | "unknown")),
        "birthDate": p.dob,
    }))
}

/// The patient's stay: the ward and bed they are in (or were, when
/// discharged), as an inpatient `Encounter`.
fn encounter(p: &PatientRow) -> Option<Value> {
    let ward = p.ward_id?;
    let physical = |code: &str, display: &str| {
        json!({ "coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/location-physical-type",
            "code": code, "display": display,
        }]})
    };
    let mut location = vec![json!({
        "location": location_ref(ward),
        "status": if p.discharged { "completed" } else { "active" },
        "physicalType": physical("wa", "Ward"),
    })];
    if let Some(bed) = p.bed.as_ref().filter(|b| !b.trim().is_empty()) {
        location.push(json!({
            "location": { "display": bed },
            "status": if p.discharged { "completed" } else { "active" },
            "physicalType": physical("bd", "Bed"),
        }));
    }
    Some(clean(json!({
        "resourceType": "Encounter",
        "id": id("stay", p.id),
        "status": if p.discharged { "finished" } else { "in-progress" },
        "class": {
            "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
            "code": "IMP", "display": "inpatient encounter",
        },
        "subject": patient_ref(p.id),
        "period": { "start": p.admitted_at, "end": p.discharged_at },
        "location": location,
    })))
}

fn allergy(a: &AllergyRow) -> Value {
    let mut code = json!({ "text": a.substance });
    if let Some(atc) = &a.atc_prefix {
        code["coding"] = json!([{ "system": ATC, "code": atc }]);
    }
    let status = if a.removed { "inactive" } else { "active" };
    clean(json!({
        "resourceType": "AllergyIntolerance",
        "id": id("allergy", a.id),
        "clinicalStatus": { "coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical",
            "code": status,
        }]},
        "verificationStatus": { "coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification",
            "code": "confirmed",
        }]},
        // A contraindication recorded with the allergies is neither type.
        "type": match a.kind.as_str() {
            "allergy" => Some("allergy"),
            "intolerance" => Some("intolerance"),
            _ => None,
        },
        "category": ["medication"],
        "code": code,
        "patient": patient_ref(a.patient_id),
        "reaction": a.reaction.as_ref().filter(|r| !r.trim().is_empty()).map(|r| json!([{
            "manifestation": [{ "text": r }],
        }])),
        "note": (a.kind == "contraindication").then(|| json!([{ "text": "contraindication" }])),
    }))
}

fn place(p: &PlaceRow) -> Value {
    let (code, display) = match p.kind.as_str() {
        "ward" => ("wa", "Ward"),
        "pharmacy" => ("ro", "Room"),
        _ => ("ve", "Vehicle"),
    };
    clean(json!({
        "resourceType": "Location",
        "id": id("place", p.id),
        "identifier": [{ "system": format!("{OWN}:place"), "value": p.code }],
        "status": if p.closed { "inactive" } else { "active" },
        "name": p.name,
        "alias": [p.code],
        "mode": "instance",
        "type": [{ "coding": [{ "system": format!("{OWN}:place-kind"), "code": p.kind }] }],
        "physicalType": { "coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/location-physical-type",
            "code": code, "display": display,
        }]},
    }))
}

fn location(l: &LocationRow, places: &HashMap<i64, &PlaceRow>) -> Value {
    let within = places
        .get(&l.place_id)
        .map(|p| p.code.as_str())
        .unwrap_or("");
    clean(json!({
        "resourceType": "Location",
        "id": id("location", l.id),
        "identifier": [{ "system": format!("{OWN}:location"), "value": format!("{within}/{}", l.code) }],
        "status": if l.closed { "inactive" } else { "active" },
        "name": l.name,
        "alias": [l.code],
        "mode": "instance",
        "type": [{ "coding": [{ "system": format!("{OWN}:location-kind"), "code": l.kind }] }],
        "physicalType": { "coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/location-physical-type",
            "code": "area", "display": "Area",
        }]},
        "partOf": location_ref(l.place_id),
    }))
}

fn item_code(i: &ItemRow) -> Value {
    let mut coding = Vec::new();
    if let Some(atc) = i.atc.as_ref().filter(|a| !a.is_empty()) {
        coding.push(json!({ "system": ATC, "code": atc }));
    }
    for g in &i.gtins {
        coding.push(json!({ "system": GTIN, "code": g }));
    }
    coding.push(json!({ "system": format!("{OWN}:item"), "code": i.code, "display": i.name }));
    json!({ "coding": coding, "text": i.name })
}

fn medication(i: &ItemRow, lot: Option<&LotRow>) -> Value {
    let batch = lot.map(|l| {
        json!({
            "lotNumber": l.lot_number,
            "expirationDate": l.expiry,
        })
    });
    clean(json!({
        "resourceType": "Medication",
        "id": match lot { Some(l) => id("lot", l.id), None => id("item", i.id) },
        "identifier": [{ "system": format!("{OWN}:item"), "value": i.code }],
        "code": item_code(i),
        "status": "active",
        "form": { "text": i.form },
        "batch": batch,
    }))
}

fn practitioner(u: &UserRow) -> Value {
    clean(json!({
        "resourceType": "Practitioner",
        "id": id("user", u.id),
        "identifier": [{ "system": format!("{OWN}:user"), "value": u.username }],
        "active": u.active,
        "name": [{ "text": u.full_name }],
        "qualification": [{ "code": { "coding": [{ "system": format!("{OWN}:role"), "code": u.role }] } }],
    }))
}

fn organization(s: &SupplierRow) -> Value {
    json!({
        "resourceType": "Organization",
        "id": id("supplier", s.id),
        "identifier": [{ "system": format!("{OWN}:supplier"), "value": s.code }],
        "active": true,
        "type": [{ "coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/organization-type",
            "code": "bus", "display": "Non-Healthcare Business or Corporation",
        }]}],
        "name": s.name,
    })
}

/// A prescription's status as FHIR says it: a replaced version is stopped
/// (the new version names it as `priorPrescription`); one a pharmacist has
/// not validated yet is a draft; one rejected is cancelled.
pub fn request_status(status: &str) -> &'static str {
    match status {
        "active" => "active",
        "awaiting_validation" => "draft",
        "suspended" => "on-hold",
        "stopped" | "superseded" => "stopped",
        "completed" => "completed",
        "rejected" => "cancelled",
        _ => "unknown",
    }
}

/// The repeat of a frequency: (times per period, period, unit).
fn repeat(freq: &str) -> Option<(i64, i64, &'static str)> {
    Some(match freq {
        "qd" => (1, 1, "d"),
        "bid" => (2, 1, "d"),
        "tid" => (3, 1, "d"),
        "qid" => (4, 1, "d"),
        "q4h" => (1, 4, "h"),
        "q6h" => (1, 6, "h"),
        "q8h" => (1, 8, "h"),
        "q12h" => (1, 12, "h"),
        "weekly" => (1, 1, "wk"),
        "once" | "stat" => (1, 1, "d"),
        _ => return None,
    })
}

fn dosage(rx: &RxRow) -> Value {
    let prn = rx.frequency == "prn";
    let mut rep = Map::new();
    let mut bounds = json!({ "start": rx.start_at });
    if let Some(e) = &rx.end_at {
        bounds["end"] = json!(e);
    }
    rep.insert("boundsPeriod".into(), bounds);
    if matches!(rx.frequency.as_str(), "once" | "stat") {
        rep.insert("count".into(), json!(1));
    }
    if let Some((n, period, unit)) = repeat(&rx.frequency) {
        rep.insert("frequency".into(), json!(n));
        rep.insert("period".into(), json!(period));
        rep.insert("periodUnit".into(), json!(unit));
    }
    let times: Vec<String> = rx
        .times
        .split(',')
        .map(str::trim)
        .filter(|t| t.len() == 5)
        .map(|t| format!("{t}:00"))
        .collect();
    if !times.is_empty() {
        rep.insert("timeOfDay".into(), json!(times));
    }
    if let (true, Some(min)) = (prn, rx.prn_min_interval_min) {
        // At most one dose in each minimum interval.
        rep.insert("frequencyMax".into(), json!(1));
        rep.insert("period".into(), json!(min));
        rep.insert("periodUnit".into(), json!("min"));
        rep.insert("frequency".into(), json!(1));
    }
    let mut d = json!({
        "text": format!("{} {} {} {}", milli_text(rx.dose_milli), rx.dose_unit, rx.route, rx.frequency),
        "timing": { "repeat": Value::Object(rep), "code": { "text": rx.frequency } },
        "asNeededBoolean": prn,
        "route": route(&rx.route),
        "doseAndRate": [{ "doseQuantity": quantity(milli(rx.dose_milli), &rx.dose_unit) }],
    });
    if prn {
        d["additionalInstruction"] = json!([{ "text": rx.indication }]);
        if let Some(max) = rx.prn_max_per_day {
            d["maxDosePerPeriod"] = json!({
                "numerator": quantity(milli(rx.dose_milli * max), &rx.dose_unit),
                "denominator": { "value": 24, "unit": "h", "system": UCUM, "code": "h" },
            });
        }
    }
    d
}

fn milli_text(n: i64) -> String {
    match milli(n) {
        Value::Number(x) => x.to_string(),
        _ => n.to_string(),
    }
}

fn request(rx: &RxRow, items: &HashMap<i64, &ItemRow>, exported: &BTreeSet<i64>) -> Value {
    // A generic prescription names the substance by its ATC code.
    let medication = match (&rx.generic_atc, items.get(&rx.item_id)) {
        (Some(atc), _) => json!({ "medicationCodeableConcept": {
            "coding": [{ "system": ATC, "code": atc }], "text": atc,
        }}),
        _ => json!({ "medicationReference": medication_ref(rx.item_id, None) }),
    };
    let validation = rx.validated_by.map(|by| {
        json!([{
            "url": VALIDATION,
            "extension": [
                { "url": "by", "valueReference": practitioner_ref(by) },
                { "url": "at", "valueDateTime": rx.validated_at },
            ],
        }])
    });
    let mut r = json!({
        "resourceType": "MedicationRequest",
        "id": id("rx", rx.id),
        "identifier": [{ "system": format!("{OWN}:prescription"), "value": rx.id.to_string() }],
        "extension": validation,
        "status": request_status(&rx.status),
        "statusReason": (rx.status == "superseded").then(|| json!({ "text": "replaced by a new version" })),
        "intent": "order",
        "subject": patient_ref(rx.patient_id),
        "authoredOn": rx.created_at,
        "requester": { "display": rx.prescriber },
        "recorder": practitioner_ref(rx.created_by),
        "reasonCode": [{ "text": rx.indication }],
        "dosageInstruction": [dosage(rx)],
        "priorPrescription": rx
            .supersedes_id
            .filter(|p| exported.contains(p))
            .map(|p| reference("MedicationRequest", "rx", p)),
    });
    if let (Value::Object(r), Value::Object(m)) = (&mut r, medication) {
        r.extend(m);
    }
    clean(r)
}

/// A dose documented: given (completed) or not (not-done, with the reason).
fn administration(d: &DoseRow) -> Value {
    let given = matches!(d.outcome.as_str(), "given" | "partially_given");
    let mut performer = vec![json!({
        "function": { "coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/med-admin-perform-function",
            "code": "performer", "display": "Performer",
        }]},
        "actor": practitioner_ref(d.user_id),
    })];
    if let Some(w) = d.witness_id {
        performer.push(json!({
            "function": { "coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/med-admin-perform-function",
                "code": "witness", "display": "Witness",
            }]},
            "actor": practitioner_ref(w),
        }));
    }
    if let Some(v) = d.double_check_id {
        performer.push(json!({
            "function": { "coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/med-admin-perform-function",
                "code": "verifier", "display": "Verifier",
            }]},
            "actor": practitioner_ref(v),
        }));
    }
    let outcome = json!({
        "coding": [{ "system": format!("{OWN}:dose-outcome"), "code": d.outcome }],
        "text": d.reason.clone().unwrap_or_else(|| d.outcome.replace('_', " ")),
    });
    let mut notes = Vec::new();
    if d.outcome == "partially_given" {
        let why = d.reason.as_deref().unwrap_or_default();
        notes.push(json!({ "text": format!("partially given {why}").trim().to_string() }));
    }
    if let Some(r) = &d.unscanned_reason {
        notes.push(json!({ "text": format!("pack not scanned: {r}") }));
    }
    if let Some(at) = &d.scheduled_at {
        notes.push(json!({ "text": format!("scheduled for {at}") }));
    }
    let dose = match (d.dose_milli, d.qty) {
        (Some(m), _) => Some(quantity(milli(m), &d.dose_unit)),
        (None, Some(q)) => Some(json!({ "value": q, "unit": "unit" })),
        _ => None,
    };
    clean(json!({
        "resourceType": "MedicationAdministration",
        "id": id("dose", d.id),
        "status": if given { "completed" } else { "not-done" },
        "statusReason": (!given).then(|| json!([outcome])),
        "medicationReference": medication_ref(d.item_id, d.lot_id.filter(|_| given)),
        "subject": patient_ref(d.patient_id),
        "effectiveDateTime": d.recorded_at,
        "performer": performer,
        "request": reference("MedicationRequest", "rx", d.rx_id),
        "note": (!notes.is_empty()).then_some(notes),
        "dosage": given.then(|| json!({
            "route": route(&d.route),
            "dose": dose,
        })),
    }))
}

fn supply_request(t: &TransferLineRow) -> Value {
    let status = match t.status.as_str() {
        "open" | "in_transit" => "active",
        "received" => "completed",
        "cancelled" => "cancelled",
        _ => "unknown",
    };
    clean(json!({
        "resourceType": "SupplyRequest",
        "id": format!("transfer-{}-{}", t.order_id, t.line_id),
        "identifier": [{ "system": format!("{OWN}:transfer-order"), "value": format!("TO-{}", t.order_id) }],
        "status": status,
        "priority": if t.urgent { "urgent" } else { "routine" },
        "itemReference": medication_ref(t.item_id, None),
        "quantity": { "value": t.qty, "unit": "unit" },
        "occurrenceDateTime": t.needed_at,
        "authoredOn": t.created_at,
        "requester": practitioner_ref(t.created_by),
        "deliverFrom": location_ref(t.from_place),
        "deliverTo": location_ref(t.to_place),
    }))
}

fn transfer_delivery(t: &TransferLineRow) -> Value {
    clean(json!({
        "resourceType": "SupplyDelivery",
        "id": format!("transfer-{}-{}", t.order_id, t.line_id),
        "basedOn": [{ "reference": format!("SupplyRequest/transfer-{}-{}", t.order_id, t.line_id) }],
        "status": "completed",
        "suppliedItem": {
            "quantity": { "value": t.received_qty, "unit": "unit" },
            "itemReference": medication_ref(t.item_id, None),
        },
        "occurrenceDateTime": t.received_at,
        "receiver": t.received_by.map(|u| json!([practitioner_ref(u)])),
        "destination": location_ref(t.to_place),
    }))
}

fn receipt(r: &ReceiptRow) -> Value {
    json!({
        "resourceType": "SupplyDelivery",
        "id": format!("receipt-{}", r.id),
        "identifier": [{ "system": format!("{OWN}:purchase-order"), "value": format!("PO-{}", r.order_id) }],
        "status": "completed",
        "suppliedItem": {
            "quantity": { "value": r.qty, "unit": "unit" },
            "itemReference": medication_ref(r.item_id, Some(r.lot_id)),
        },
        "occurrenceDateTime": r.at,
        "supplier": reference("Organization", "supplier", r.supplier_id),
        "destination": location_ref(r.place_id),
        "receiver": [practitioner_ref(r.user_id)],
    })
}

/// Every resource of the records, those referred to first: locations,
/// staff, suppliers and medicines, then patients, their allergies,
/// prescriptions and doses, then supplies. Staff, suppliers, medicines and
/// lots are only those something refers to.
pub fn resources(r: &Records) -> Vec<Value> {
    let places: HashMap<i64, &PlaceRow> = r.places.iter().map(|p| (p.id, p)).collect();
    let items: HashMap<i64, &ItemRow> = r.items.iter().map(|i| (i.id, i)).collect();
    let lots: HashMap<i64, &LotRow> = r.lots.iter().map(|l| (l.id, l)).collect();
    let mut users = BTreeSet::new();
    let mut meds = BTreeSet::new();
    let mut lots_used = BTreeSet::new();
    let mut suppliers = BTreeSet::new();
    for rx in &r.prescriptions {
        users.insert(rx.created_by);
        users.extend(rx.validated_by);
        if rx.generic_atc.is_none() {
            meds.insert(rx.item_id);
        }
    }
    for d in &r.doses {
        users.insert(d.user_id);
        users.extend(d.witness_id);
        users.extend(d.double_check_id);
        match d.lot_id {
            Some(l) if matches!(d.outcome.as_str(), "given" | "partially_given") => {
                lots_used.insert(l);
            }
            _ => {
                meds.insert(d.item_id);
            }
        }
    }
    for t in &r.transfers {
        users.insert(t.created_by);
        users.extend(t.received_by);
        meds.insert(t.item_id);
    }
    for rc in &r.receipts {
        users.insert(rc.user_id);
        suppliers.insert(rc.supplier_id);
        lots_used.insert(rc.lot_id);
    }
    let mut out = Vec::new();
    out.extend(r.places.iter().map(place));
    out.extend(r.locations.iter().map(|l| location(l, &places)));
    out.extend(
        r.users
            .iter()
            .filter(|u| users.contains(&u.id))
            .map(practitioner),
    );
    out.extend(
        r.suppliers
            .iter()
            .filter(|s| suppliers.contains(&s.id))
            .map(organization),
    );
    out.extend(
        r.items
            .iter()
            .filter(|i| meds.contains(&i.id))
            .map(|i| medication(i, None)),
    );
    for l in &lots_used {
        if let Some(lot) = lots.get(l)
            && let Some(item) = items.get(&lot.item_id)
        {
            out.push(medication(item, Some(lot)));
        }
    }
    out.extend(r.patients.iter().map(patient));
    out.extend(r.patients.iter().filter_map(encounter));
    out.extend(r.allergies.iter().map(allergy));
    let exported: BTreeSet<i64> = r.prescriptions.iter().map(|rx| rx.id).collect();
    out.extend(
        r.prescriptions
            .iter()
            .map(|rx| request(rx, &items, &exported)),
    );
    out.extend(r.doses.iter().map(administration));
    for t in &r.transfers {
        out.push(supply_request(t));
        if t.status == "received" && t.received_at.is_some() {
            out.push(transfer_delivery(t));
        }
    }
    out.extend(r.receipts.iter().map(receipt));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_have_snomed_codes_where_known() {
        assert_eq!(route_code("po").map(|r| r.0), Some("26643006"));
        assert_eq!(route_code("IV infusion").map(|r| r.0), Some("47625008"));
        assert_eq!(route_code("intrathecal"), None);
    }

    #[test]
    fn statuses_are_fhir_codes() {
        for (ours, fhir) in [
            ("awaiting_validation", "draft"),
            ("superseded", "stopped"),
            ("rejected", "cancelled"),
            ("suspended", "on-hold"),
        ] {
            assert_eq!(request_status(ours), fhir);
        }
    }

    #[test]
    fn doses_in_milli_units_are_decimals() {
        assert_eq!(milli(1_000_000), json!(1000));
        assert_eq!(milli(2_500), json!(2.5));
    }
}
