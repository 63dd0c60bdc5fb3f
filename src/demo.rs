//! Demo databases: a small clinic to try the product, a hospital to
//! measure it. Deterministic for a seed and an anchor time: the same inputs
//! give the same places, items, lots, movements and records.
//!
//! The history is simulated day by day over the last 90 days: the pharmacy
//! receives lots from suppliers (a few short-dated, a few items on
//! back-order), wards are topped up twice a week first-expired-first-out,
//! nurses use stock every day, ward managers dispose of some expired stock,
//! and for the last two days prescriptions are given at their scheduled
//! times. Every unit moves through the same ledger writer as real work.

use std::collections::HashMap;
use std::time::Instant;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Poisson};
use rusqlite::params;
use thiserror::Error;

use crate::domain::fefo::{self, LotStock};
use crate::domain::schedule::{self, Frequency};
use crate::domain::{ItemKind, LotStatus, MovementKind, PlaceKind, Role, instant_to_text};
use crate::ops::auth::hash_pin;
use crate::ops::refdata::{self, NewItem, NewPatient, RefDataError};
use crate::store::Store;
use crate::store::ledger::{self, NewMovement};

pub mod cold;
pub mod early;
mod purchasing;
mod reservations;
mod sim;
mod substitutes;
mod tables;
mod users;

use purchasing::*;
use sim::*;
use tables::*;
use users::demo_user;

/// Why a pack could not be scanned, as the hospital list words it (the
/// demo's history records a few doses given this way).
const UNSCANNED_REASONS: [&str; 5] = [
    "DAMAGED: barcode damaged or unreadable",
    "NOBARCODE: no barcode on the pack",
    "SCANNER: scanner not working",
    "DAMAGED: barcode damaged or unreadable",
    "EMERGENCY: emergency: no time to scan",
];

/// The formulary shipped with the demo (about 150 real medicines and consumables).
pub const FORMULARY_CSV: &str = include_str!("../assets/formulary.csv");

/// Every demo user signs in with this PIN.
pub const DEMO_PIN: &str = "1234";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// The central pharmacy, 3 wards, ~150 items, ~40 patients.
    Clinic,
    /// 26 wards, 5,000 items, 100,000 lots, >1,000,000 movements, 700 patients.
    Hospital,
}

struct Spec {
    wards: usize,
    items: usize,
    ward_items: usize,
    patients: usize,
    days: i64,
    /// Days between supplier deliveries of an item.
    receipt_every: (i64, i64),
    /// Scales every ward's daily use.
    use_factor: f64,
}

impl Scale {
    fn spec(self, formulary_len: usize) -> Spec {
        match self {
            Scale::Clinic => Spec {
                wards: 3,
                items: formulary_len,
                ward_items: 60,
                patients: 40,
                days: 90,
                receipt_every: (14, 28),
                use_factor: 1.0,
            },
            Scale::Hospital => Spec {
                wards: 26,
                items: 5000,
                ward_items: 380,
                patients: 700,
                days: 90,
                receipt_every: (2, 5),
                use_factor: 1.0,
            },
        }
    }
}

#[derive(Debug, Clone)]
pub struct DemoOptions {
    pub scale: Scale,
    pub seed: u64,
    /// "Now" for the demo: history ends here, expiries are relative to it.
    pub anchor: DateTime<Utc>,
}

/// What the generator is doing, for whoever shows its progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Places, users, items and the formulary.
    Reference,
    /// The simulated days of history.
    History,
    /// Holds on a few lots, the open requests, the checks.
    Finishing,
}

/// How far the generator is: `done` of `total` steps (one a simulated day).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub stage: Stage,
    pub done: u64,
    pub total: u64,
}

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct DemoSummary {
    pub places: i64,
    pub items: i64,
    pub lots: i64,
    pub movements: i64,
    pub patients: i64,
    pub users: i64,
    pub prescriptions: i64,
    pub administrations: i64,
    pub seconds: f64,
}

#[derive(Debug, Error)]
pub enum DemoError {
    #[error("{}", crate::t!("demo.error.not_empty"))]
    NotEmpty,
    #[error("{}", formulary_error(*.line, .reason))]
    Formulary { line: u64, reason: String },
    #[error("{0}")]
    RefData(#[from] RefDataError),
    #[error("database error: {0}")]
    Store(#[from] rusqlite::Error),
    #[error("{0}")]
    Other(String),
    #[error("{0}")]
    Open(#[from] crate::store::StoreError),
}

fn formulary_error(line: u64, reason: &str) -> String {
    crate::t!("demo.error.formulary", line = line, reason = reason)
}

/// Reads the shipped formulary.
pub fn formulary() -> Result<Vec<NewItem>, DemoError> {
    let mut rdr = csv::Reader::from_reader(FORMULARY_CSV.as_bytes());
    rdr.deserialize()
        .map(|r| {
            r.map_err(|e| DemoError::Formulary {
                line: e.position().map_or(0, |p| p.line()),
                reason: e.to_string(),
            })
        })
        .collect()
}

/// Fills an empty database with demo data.
pub fn generate(store: &mut Store, opts: &DemoOptions) -> Result<DemoSummary, DemoError> {
    generate_reporting(store, opts, &mut |_| {})
}

/// [`generate`], telling `progress` how far it is after each step.
// The simulation indexes wards and lines because `sim` is borrowed mutably inside.
#[allow(clippy::needless_range_loop)]
pub fn generate_reporting(
    store: &mut Store,
    opts: &DemoOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<DemoSummary, DemoError> {
    let started = Instant::now();
    if !store.is_empty()? {
        return Err(DemoError::NotEmpty);
    }
    let base = formulary()?;
    if base.is_empty() {
        return Err(DemoError::Other(
            crate::t!("demo.error.empty_formulary").into(),
        ));
    }
    let spec = opts.scale.spec(base.len());
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
    // The site's zone: the one stored (by `wardstock demo --timezone`),
    // else the machine's; the demo stores it with the site.
    let zone = store.zone();
    let today = opts.anchor.with_timezone(&zone).date_naive();
    let first_day = today - Duration::days(spec.days);

    // A fresh demo file can be rebuilt at will: skip the per-commit flush
    // while generating, and restore clinical durability at the end.
    store.conn.pragma_update(None, "synchronous", "OFF")?;
    let journal: String = store
        .conn
        .pragma_query_value(None, "journal_mode", |r| r.get(0))?;
    store.conn.pragma_update(None, "journal_mode", "OFF")?;
    store.conn.pragma_update(None, "cache_size", -64_000)?;
    let total = spec.days as u64 + 2;
    let mut report = |stage: Stage, done: u64| {
        progress(Progress { stage, done, total });
    };
    report(Stage::Reference, 0);

    let tx = store
        .conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    tx.execute("INSERT INTO settings (key, value) VALUES ('demo_scale', ?1), ('demo_seed', ?2), ('demo_anchor', ?3)",
        params![format!("{:?}", opts.scale).to_lowercase(), opts.seed.to_string(), instant_to_text(opts.anchor)])?;
    tx.execute(
        "INSERT OR IGNORE INTO settings (key, value) VALUES ('timezone', ?1)",
        [zone.name()],
    )?;

    // Places and storage locations.
    let mut place_ids = vec![refdata::add_place(
        &tx,
        "PHARM",
        "Central pharmacy",
        PlaceKind::Pharmacy,
        0,
    )?];
    refdata::add_location(&tx, place_ids[0], "SHELF", "Main shelves", "shelf")?;
    refdata::add_location(
        &tx,
        place_ids[0],
        "FRIDGE",
        "Pharmacy fridge 2–8 °C",
        "fridge",
    )?;
    refdata::add_location(
        &tx,
        place_ids[0],
        "CDSAFE",
        "Controlled-drug safe",
        "cd_safe",
    )?;
    refdata::add_location(&tx, place_ids[0], "FREEZER", "Freezer −20 °C", "freezer")?;
    for w in 0..spec.wards {
        let (code, name, minutes) = match WARDS.get(w) {
            Some(&(c, n, m)) if spec.wards <= WARDS.len() => (c.to_string(), n.to_string(), m),
            _ => (
                format!("W{:02}", w + 1),
                format!("Ward {}", w + 1),
                15 + (w as i64 * 7) % 60,
            ),
        };
        let id = refdata::add_place(&tx, &code, &name, PlaceKind::Ward, minutes)?;
        refdata::add_location(&tx, id, "TROLLEY", "Medication trolley", "trolley")?;
        refdata::add_location(&tx, id, "FRIDGE", "Ward fridge 2–8 °C", "fridge")?;
        refdata::add_location(&tx, id, "CDSAFE", "Controlled-drug safe", "cd_safe")?;
        refdata::add_location(&tx, id, "FREEZER", "Ward freezer", "freezer")?;
        place_ids.push(id);
    }

    // Goods picked for a ward are "in transit" until the ward confirms receipt.
    refdata::add_place(&tx, "TRANSIT", "In transit to wards", PlaceKind::Transit, 0)?;

    // Users: one of every role, all with the demo PIN.
    let users: &[(&str, &str, Role)] = &[
        ("admin", "Site administrator", Role::Admin),
        ("pharm", "李伟 Li Wei, pharmacist", Role::Pharmacist),
        ("store", "Karl Berg, storekeeper", Role::Storekeeper),
        ("manager", "Helen Ortiz, nurse manager", Role::NurseManager),
        ("nurse", "Sam Okafor, nurse", Role::Nurse),
        ("nurse2", "Yuki Tanaka, nurse", Role::Nurse),
    ];
    let mut user_ids = HashMap::new();
    for (name, full, role) in users {
        let salt: [u8; 16] = rng.random();
        let hash = hash_pin(DEMO_PIN, Some(salt)).map_err(|e| DemoError::Other(e.to_string()))?;
        user_ids.insert(*name, refdata::add_user(&tx, name, full, *role, &hash)?);
    }
    let (u_store, u_manager, u_nurse, u_nurse2, u_pharm, u_admin) = (
        user_ids["store"],
        user_ids["manager"],
        user_ids["nurse"],
        user_ids["nurse2"],
        user_ids["pharm"],
        user_ids["admin"],
    );

    // Items: the formulary, and for the hospital synthetic variants of it.
    let mut items = Vec::with_capacity(spec.items);
    for i in 0..spec.items {
        let b = &base[i % base.len()];
        let mut it = b.clone();
        if i >= base.len() || spec.items > base.len() {
            it.code = format!("{}-{:04}", b.code.chars().take(7).collect::<String>(), i);
            it.name = format!("{} ({})", b.name, 1000 + i);
            it.gtin =
                crate::domain::gtin::with_check_digit(&format!("41{:010}", i)).unwrap_or_default();
        }
        let lead = rng.random_range(1..=3);
        let id = refdata::add_item(&tx, &it, lead)?;
        items.push(DemoItem {
            id,
            base_code: b.code.clone(),
            kind: it.kind,
            form: it.form.clone(),
            pack: it.units_per_pack,
            price: it.unit_price_cents,
            strength_milli: it.strength_milli,
            strength_unit: it.strength_unit.clone(),
            dose_unit: it.dose_unit.clone(),
        });
    }

    // Ward assortments and daily use.
    let mut ward_lines: Vec<Vec<WardLine>> = Vec::new();
    let mut total_rate = vec![0.0f64; items.len()];
    for _ in 0..spec.wards {
        let mut chosen: Vec<usize> = (0..items.len()).collect();
        for i in (1..chosen.len()).rev() {
            let j = rng.random_range(0..=i);
            chosen.swap(i, j);
        }
        // Every ward keeps the common regimens' drugs: half of its lines.
        let regimen = |i: &usize| REGIMENS.iter().any(|r| r.0 == items[*i].base_code);
        let (mut common, other): (Vec<usize>, Vec<usize>) = chosen.into_iter().partition(regimen);
        common.truncate(spec.ward_items / 2);
        let mut chosen = common;
        chosen.extend(
            other
                .into_iter()
                .take(spec.ward_items.saturating_sub(chosen.len())),
        );
        chosen.truncate(spec.ward_items.min(items.len()));
        chosen.sort_unstable();
        let lines = chosen
            .into_iter()
            .map(|item| {
                let it = &items[item];
                let base_rate: f64 = match (it.kind, it.price) {
                    (ItemKind::Consumable, _) => rng.random_range(4.0..30.0),
                    (_, p) if p >= 10_000 => rng.random_range(0.1..0.6),
                    (_, p) if p >= 1_000 => rng.random_range(0.5..3.0),
                    _ => rng.random_range(1.0..10.0),
                };
                let rate = base_rate * spec.use_factor;
                total_rate[item] += rate;
                let safety = (rate * 2.0).ceil() as i64;
                let max = (rate * 9.0).ceil() as i64 + it.pack;
                WardLine {
                    item,
                    rate,
                    safety,
                    max,
                }
            })
            .collect();
        ward_lines.push(lines);
    }
    // Patients, two identifiers each, some with allergies.
    let mut ward_patients: Vec<Vec<i64>> = vec![Vec::new(); spec.wards];
    let mut patient_allergy: HashMap<i64, Option<&str>> = HashMap::new();
    for p in 0..spec.patients {
        let w = p % spec.wards;
        let name = if p % 9 == 4 {
            CHINESE_NAMES[(p / 9) % CHINESE_NAMES.len()].to_string()
        } else {
            format!(
                "{} {}",
                GIVEN[rng.random_range(0..GIVEN.len())],
                FAMILY[rng.random_range(0..FAMILY.len())]
            )
        };
        let age_days = rng.random_range(18 * 365..95 * 365);
        let np = NewPatient {
            mrn: format!("MRN{:06}", 100_001 + p),
            name,
            dob: today - Duration::days(age_days),
            ward_id: Some(place_ids[w + 1]),
            bed: Some(format!(
                "{:02}{}",
                ward_patients[w].len() / 2 + 1,
                if ward_patients[w].len().is_multiple_of(2) {
                    'A'
                } else {
                    'B'
                }
            )),
        };
        let id = refdata::add_patient(&tx, &np)?;
        // The wristband carries the patient's GS1 GSRN (AI 8018) and the MRN.
        let gsrn = crate::domain::gtin::with_check_digit(&format!("95060001{:09}", 100_001 + p));
        tx.execute(
            "UPDATE patients SET gsrn = ?2 WHERE id = ?1",
            rusqlite::params![id, gsrn],
        )?;
        let mut atc = None;
        if rng.random_bool(0.35) {
            let (substance, prefix, kind, reaction) =
                ALLERGIES[rng.random_range(0..ALLERGIES.len())];
            refdata::add_allergy(&tx, id, substance, prefix, kind, Some(reaction))?;
            atc = prefix;
        }
        patient_allergy.insert(id, atc);
        ward_patients[w].push(id);
    }

    // Prescriptions for the patients, from drugs their ward stocks.
    let mut rx_list: Vec<Rx> = Vec::new();
    let atc_of: HashMap<i64, Option<String>> = base_atc(&tx)?;
    for (w, patients) in ward_patients.iter().enumerate() {
        // The regimens whose drug this ward stocks.
        let drugs: Vec<(usize, &Regimen)> = ward_lines[w]
            .iter()
            .filter_map(|l| {
                REGIMENS
                    .iter()
                    .find(|r| r.0 == items[l.item].base_code)
                    .map(|r| (l.item, r))
            })
            .collect();
        if drugs.is_empty() {
            continue;
        }
        for &patient in patients {
            let n = rng.random_range(2..=4);
            let mut given_to_patient: Vec<usize> = Vec::new();
            for _ in 0..n {
                let (item, &(_, units, freq, indication, time_critical)) =
                    drugs[rng.random_range(0..drugs.len())];
                // One prescription per drug and patient.
                if given_to_patient.contains(&item) {
                    continue;
                }
                given_to_patient.push(item);
                // Avoid prescribing against a recorded allergy.
                let atc = atc_of
                    .get(&items[item].id)
                    .cloned()
                    .flatten()
                    .unwrap_or_default();
                if patient_allergy
                    .get(&patient)
                    .copied()
                    .flatten()
                    .is_some_and(|a| atc.starts_with(a))
                {
                    continue;
                }
                let it = &items[item];
                let dose_milli = it.strength_milli.unwrap_or(1000) * units;
                let times = freq.default_times();
                let start = opts.anchor - Duration::hours(rng.random_range(6..24 * 6));
                let end = if rng.random_bool(0.4) {
                    Some(start + Duration::days(rng.random_range(5..12)))
                } else {
                    None
                };
                let roll: f64 = rng.random();
                let status = if roll < 0.08 {
                    "awaiting_validation"
                } else if roll < 0.13 {
                    "stopped"
                } else {
                    "active"
                };
                let status = if status == "active" && end.is_some_and(|e| e <= opts.anchor) {
                    "completed"
                } else {
                    status
                };
                // The demo's stopped prescriptions were stopped as soon as they
                // were entered (no dose fell due): they end where they start.
                let stopped_at = (status == "stopped").then_some(start);
                let end = stopped_at.or(end);
                let times_text = times
                    .iter()
                    .map(|t| t.format("%H:%M").to_string())
                    .collect::<Vec<_>>()
                    .join(",");
                let validated = status != "awaiting_validation";
                tx.execute(
                    "INSERT INTO prescriptions (patient_id, item_id, dose_milli, dose_unit, route, frequency, times, prn_max_per_day,
                         start_at, end_at, indication, prescriber, time_critical, status, created_by, created_at, validated_by, validated_at,
                         prn_min_interval_min)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
                    params![
                        patient,
                        it.id,
                        dose_milli,
                        it.strength_unit.clone().unwrap_or_else(|| it.dose_unit.clone()),
                        if it.dose_unit == "syringe" { "SC" } else { route_for(&it.form) },
                        freq.as_ref(),
                        times_text,
                        (freq == Frequency::Prn).then_some(4),
                        instant_to_text(start),
                        end.map(instant_to_text),
                        indication,
                        PRESCRIBERS[rng.random_range(0..PRESCRIBERS.len())],
                        time_critical,
                        status,
                        u_admin,
                        instant_to_text(start - Duration::minutes(30)),
                        validated.then_some(u_pharm),
                        validated.then(|| instant_to_text(start - Duration::minutes(10))),
                        // PRN: at most 4 doses a day, 4 h apart.
                        (freq == Frequency::Prn).then_some(240),
                    ],
                )?;
                let rx_id = tx.last_insert_rowid();
                // Its history: entered, validated, stopped — attributed.
                let mut history = vec![(
                    start - Duration::minutes(30),
                    u_admin,
                    "created",
                    "demo prescription",
                )];
                if validated {
                    history.push((
                        start - Duration::minutes(10),
                        u_pharm,
                        "validated",
                        "reviewed",
                    ));
                }
                if let Some(at) = stopped_at {
                    history.push((at, u_manager, "stopped", "no longer indicated"));
                }
                for (at, user, action, comment) in history {
                    tx.execute(
                        "INSERT INTO prescription_events (prescription_id, at, user_id, action, comment) VALUES (?1, ?2, ?3, ?4, ?5)",
                        params![rx_id, instant_to_text(at), user, action, comment],
                    )?;
                }
                if status == "active" || status == "completed" {
                    rx_list.push(Rx {
                        id: rx_id,
                        patient,
                        ward: w,
                        item,
                        units,
                        freq,
                        times,
                        start,
                        end,
                        time_critical,
                    });
                }
            }
        }
    }

    // Prescribed doses add to the wards' use of those items.
    for rx in &rx_list {
        let per_day = (rx.times.len() as f64 * rx.units as f64).max(0.5);
        if let Some(l) = ward_lines[rx.ward].iter_mut().find(|l| l.item == rx.item) {
            l.rate += per_day;
            l.safety = (l.rate * 2.0).ceil() as i64;
            l.max = (l.rate * 9.0).ceil() as i64 + items[rx.item].pack;
            total_rate[rx.item] += per_day;
        }
    }
    for (w, lines) in ward_lines.iter().enumerate() {
        for l in lines {
            refdata::set_policy(
                &tx,
                place_ids[w + 1],
                items[l.item].id,
                l.safety,
                l.max + items[l.item].pack,
            )?;
        }
    }
    for (i, rate) in total_rate.iter().enumerate() {
        if *rate > 0.0 {
            let ss = (rate * 5.0).ceil() as i64;
            refdata::set_policy(
                &tx,
                place_ids[0],
                items[i].id,
                ss,
                (rate * 60.0).ceil() as i64 + items[i].pack,
            )?;
        }
    }

    // The history, day by day.
    let mut sim = Sim {
        tx: &tx,
        lots: Vec::new(),
        held: HashMap::new(),
        place_ids,
        items,
        movements: 0,
        zone,
    };
    let backorder: Vec<bool> = (0..sim.items.len())
        .map(|_| rng.random_bool(0.04))
        .collect();
    let mut next_receipt: Vec<i64> = (0..sim.items.len()).map(|_| 0).collect();
    let mut po = 0u64;
    let mut administrations = 0i64;
    let nurses = [u_nurse, u_nurse2];
    for d in 0..=spec.days {
        report(Stage::History, d as u64);
        let day = first_day + Duration::days(d);
        let cutoff = |at: DateTime<Utc>| at <= opts.anchor;

        // 1. Supplier deliveries into the pharmacy.
        let at = local_at(&zone, day, 9, 0);
        if cutoff(at) {
            for item in 0..sim.items.len() {
                if total_rate[item] <= 0.0 || d < next_receipt[item] {
                    continue;
                }
                if backorder[item] && d > spec.days - 25 {
                    continue;
                }
                let every = rng.random_range(spec.receipt_every.0..=spec.receipt_every.1);
                next_receipt[item] = d + every;
                let roll: f64 = rng.random();
                let shelf_days = if roll < 0.05 {
                    rng.random_range(35..110)
                } else if roll < 0.15 {
                    rng.random_range(100..220)
                } else {
                    rng.random_range(365..1100)
                };
                let pack = sim.items[item].pack;
                let cover = if d == 0 { every + 10 } else { every + 2 };
                let want = (total_rate[item] * cover as f64).ceil() as i64;
                let qty = ((want + pack - 1) / pack).max(1) * pack;
                let seq = sim.lots.len() as i64;
                let lot_number = format!(
                    "{}{:02}{:05}",
                    (b'A' + (seq % 26) as u8) as char,
                    day.year() % 100,
                    seq
                );
                let expiry = day + Duration::days(shelf_days);
                po += 1;
                sim.receive(at, u_store, item, &lot_number, expiry, qty, None, po)?;
            }
        }

        // 1b. Forty days ago a few items came in short-dated and in excess:
        // some of it expires on the shelves before it can be used.
        if d == spec.days - 40 {
            let at = local_at(&zone, day, 9, 30);
            for k in 0..(sim.items.len() / 15).max(4) {
                let item = rng.random_range(0..sim.items.len());
                if total_rate[item] <= 0.0 {
                    continue;
                }
                let pack = sim.items[item].pack;
                let qty =
                    (((total_rate[item] * 70.0).ceil() as i64 + pack - 1) / pack).max(2) * pack;
                let seq = sim.lots.len() as i64;
                let lot_number = format!("S{:02}{:05}", day.year() % 100, seq);
                // The first two expire shortly before today: expired stock to dispose of.
                let expiry = match k {
                    0 => today - Duration::days(10),
                    1 => today - Duration::days(4),
                    _ => today + Duration::days(rng.random_range(-18..40) - (k as i64 % 3) * 5),
                };
                po += 1;
                sim.receive(
                    at,
                    u_store,
                    item,
                    &lot_number,
                    expiry,
                    qty,
                    Some("short-dated, accepted"),
                    po,
                )?;
            }
        }

        // 2. Ward top-ups, twice a week, first-expired-first-out from the pharmacy.
        for w in 0..spec.wards {
            if (d + w as i64) % 7 != 0 && (d + w as i64) % 7 != 3 && d != 0 {
                continue;
            }
            let at = local_at(&zone, day, 10, (w * 2) as u32 % 60);
            if !cutoff(at) {
                continue;
            }
            let order = format!("TO-{}-{:03}", sim.place_ids[w + 1], d);
            for li in 0..ward_lines[w].len() {
                let (item, max) = (ward_lines[w][li].item, ward_lines[w][li].max);
                let have = sim.usable(w + 1, item, day);
                let pack = sim.items[item].pack;
                // Top up to the maximum in whole packs, only below 70 % of it.
                let qty = if have * 10 < max * 7 {
                    ((max - have + pack - 1) / pack) * pack
                } else {
                    0
                };
                if qty > 0 {
                    sim.fefo_move(
                        at,
                        u_store,
                        MovementKind::Transfer,
                        item,
                        0,
                        Some(w + 1),
                        qty,
                        None,
                        Some(order.clone()),
                    )?;
                }
            }
        }

        // 3. Daily use on the wards.
        for w in 0..spec.wards {
            for li in 0..ward_lines[w].len() {
                let (item, rate) = (ward_lines[w][li].item, ward_lines[w][li].rate);
                let n = Poisson::new(rate)
                    .map(|p| p.sample(&mut rng) as i64)
                    .unwrap_or(0);
                if n == 0 {
                    continue;
                }
                let at = local_at(&zone, day, rng.random_range(6..22), rng.random_range(0..60));
                if !cutoff(at) {
                    continue;
                }
                let nurse = nurses[rng.random_range(0..2)];
                // Drugs given before the records of this database name no patient
                // (the day's total on the ward); consumables are issued.
                let kind = if sim.items[item].kind == ItemKind::Drug {
                    MovementKind::Administration
                } else {
                    MovementKind::Issue
                };
                sim.fefo_move(at, nurse, kind, item, w + 1, None, n, None, None)?;
            }
        }

        // 4. Doses given against prescriptions in the last two days.
        if d >= spec.days - 2 {
            let from = local_at(&zone, day, 0, 0);
            let to = local_at(&zone, day + Duration::days(1), 0, 0).min(opts.anchor);
            for rx in &rx_list {
                let times = schedule::expand(&zone, rx.freq, &rx.times, rx.start, rx.end, from, to);
                for sched in times {
                    let window = schedule::window(rx.freq, rx.time_critical);
                    if sched + window > opts.anchor {
                        continue; // still open: due or late now
                    }
                    let roll: f64 = rng.random();
                    if roll < 0.03 {
                        continue; // left unrecorded: shows as missed
                    }
                    let at = sched + Duration::minutes(rng.random_range(-20..40));
                    let nurse = nurses[rng.random_range(0..2)];
                    let (outcome, lot, qty, reason) = if roll < 0.06 {
                        ("refused", None, None, Some("patient refused"))
                    } else if roll < 0.08 {
                        ("held", None, None, Some("nil by mouth before surgery"))
                    } else {
                        let picks = sim.fefo_move(
                            at,
                            nurse,
                            MovementKind::Administration,
                            rx.item,
                            rx.ward + 1,
                            None,
                            rx.units,
                            Some(rx.patient),
                            Some(format!("RX-{}", rx.id)),
                        )?;
                        let got: i64 = picks.iter().map(|p| p.1).sum();
                        if got == 0 {
                            (
                                "not_given_supply",
                                None,
                                None,
                                Some("no usable stock on the ward"),
                            )
                        } else if got < rx.units {
                            (
                                "partially_given",
                                picks.first().map(|p| sim.lots[p.0].id),
                                Some(got),
                                Some("not enough stock"),
                            )
                        } else {
                            (
                                "given",
                                picks.first().map(|p| sim.lots[p.0].id),
                                Some(got),
                                None,
                            )
                        }
                    };
                    // A few packs (about 3 %) could not be scanned: the
                    // nurse said why, from the hospital list.
                    let unscanned = (lot.is_some() && roll < 0.11).then(|| {
                        UNSCANNED_REASONS
                            [(rx.id as usize + administrations as usize) % UNSCANNED_REASONS.len()]
                    });
                    tx.execute(
                        "INSERT INTO administrations (prescription_id, scheduled_at, recorded_at, user_id, outcome, lot_id, qty, reason, scanned, unscanned_reason)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                        params![rx.id, instant_to_text(sched), instant_to_text(at.min(opts.anchor)), nurse, outcome, lot, qty, reason, unscanned.is_none(), unscanned],
                    )?;
                    administrations += 1;
                }
            }
        }

        // 5. Every two weeks the ward managers dispose of most expired stock.
        if d % 14 == 13 {
            let at = local_at(&zone, day, 16, 0);
            if cutoff(at) {
                for w in 0..spec.wards {
                    for li in 0..ward_lines[w].len() {
                        let item = ward_lines[w][li].item;
                        let expired: Vec<(usize, i64)> = sim
                            .held
                            .get(&(w + 1, item))
                            .map(|v| {
                                v.iter()
                                    .copied()
                                    .filter(|(l, _)| sim.lots[*l].expiry < day)
                                    .collect()
                            })
                            .unwrap_or_default();
                        for (lot, qty) in expired {
                            if rng.random_bool(0.6) {
                                sim.record(
                                    at,
                                    u_manager,
                                    MovementKind::Waste,
                                    item,
                                    lot,
                                    Some(w + 1),
                                    None,
                                    qty,
                                    Some("expired"),
                                    None,
                                    None,
                                )?;
                            }
                        }
                    }
                }
            }
        }
    }
    let movements = sim.movements;
    // Today's requests from two wards, waiting in the pharmacy to be picked:
    // the three lines furthest below their maximum that the pharmacy can fill.
    let mut requests: Vec<(i64, Vec<(i64, i64)>)> = Vec::new();
    for w in 0..spec.wards.min(2) {
        let mut lines: Vec<(i64, i64, i64)> = ward_lines[w]
            .iter()
            .map(|l| {
                let have = sim.usable(w + 1, l.item, today);
                let pack = sim.items[l.item].pack;
                let want = ((l.max - have).max(pack) + pack - 1) / pack * pack;
                (
                    have * 100 / l.max.max(1),
                    sim.items[l.item].id,
                    want,
                    sim.usable(0, l.item, today) >= want,
                )
            })
            // Lines the pharmacy can fill, so there is something to pick.
            .filter(|x| x.3)
            .map(|(ratio, id, want, _)| (ratio, id, want))
            .collect();
        lines.sort_unstable();
        requests.push((
            sim.place_ids[w + 1],
            lines
                .into_iter()
                .take(3)
                .map(|(_, id, q)| (id, q))
                .collect(),
        ));
    }
    drop(sim);

    // A few lots with stock are held back: quarantined after a fridge
    // excursion, one recalled by its manufacturer.
    report(Stage::Finishing, total - 1);
    let mut with_stock: Vec<i64> = tx
        .prepare("SELECT DISTINCT lot_id FROM balances WHERE qty > 0 ORDER BY lot_id")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for k in 0..3.min(with_stock.len()) {
        let id = with_stock.swap_remove(rng.random_range(0..with_stock.len()));
        let status = if k == 0 {
            LotStatus::Recalled
        } else {
            LotStatus::Quarantined
        };
        tx.execute(
            "UPDATE lots SET status = ?2 WHERE id = ?1",
            params![id, status.as_ref()],
        )?;
    }
    tx.commit()?;
    store.conn.pragma_update(None, "cache_size", -2_000)?;
    store.conn.pragma_update(None, "journal_mode", &journal)?;
    store.conn.pragma_update(None, "synchronous", "FULL")?;
    report(Stage::Finishing, total);

    // The requests go through the one operation that creates transfer orders.
    let manager = crate::ops::Actor {
        user_id: u_manager,
        username: "manager".into(),
        full_name: "Helen Ortiz, nurse manager".into(),
        role: Role::NurseManager,
    };
    for (ward_id, lines) in requests {
        let conn = &store.conn;
        let ward = crate::ops::stock::place_by_code(
            conn,
            &conn.query_row("SELECT code FROM places WHERE id = ?1", [ward_id], |r| {
                r.get::<_, String>(0)
            })?,
        )
        .map_err(|e| DemoError::Other(e.to_string()))?;
        let lines = lines
            .into_iter()
            .map(|(id, q)| crate::ops::stock::item_by_id(conn, id).map(|i| (i, q)))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| DemoError::Other(e.to_string()))?;
        crate::ops::stock::request_transfer(
            store,
            &manager,
            opts.anchor - Duration::hours(1),
            &ward,
            &lines,
            Some("weekly top-up"),
        )
        .map_err(|e| DemoError::Other(e.to_string()))?;
    }

    purchasing(store, opts.anchor)?;
    cold::fridge_log(store, opts.anchor)?;
    reservations::scheduled_case(store, opts.anchor)?;
    substitutes::substitute_list(store, opts.anchor)?;
    early::early_warnings(store, opts.anchor)?;
    sign_controlled_history(&store.conn)?;

    let count = |table: &str| -> rusqlite::Result<i64> {
        store
            .conn
            .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
    };
    Ok(DemoSummary {
        places: count("places")?,
        items: count("items")?,
        lots: count("lots")?,
        movements,
        patients: count("patients")?,
        users: count("users")?,
        prescriptions: count("prescriptions")?,
        administrations,
        seconds: started.elapsed().as_secs_f64(),
    })
}
