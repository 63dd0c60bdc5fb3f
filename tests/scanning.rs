//! "Unable to scan" at the bedside: a deliberate choice with a reason from
//! the ward's list, recorded on the dose, and counted in the scanning
//! compliance report per ward and nurse.

mod common;

use std::collections::BTreeMap;

use assert_cmd::Command;
use predicates::prelude::*;
use wardstock::ops::mar::{self, DoseInput, Outcome};
use wardstock::store::Store;

use common::actor;

fn ws() -> Command {
    let mut c = Command::cargo_bin("wardstock").unwrap();
    c.env_remove("WARDSTOCK_DB")
        .env_remove("WARDSTOCK_LANG")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "C")
        .env("NO_COLOR", "1");
    c
}

/// Active scheduled prescriptions a nurse can give now from the ward's
/// stock: (rx, mrn, item, lot, units per dose).
fn prescriptions(store: &Store) -> Vec<(i64, String, i64, String, i64)> {
    let mut stmt = store
        .conn
        .prepare(
            "SELECT r.id, p.mrn, i.id,
                    (SELECT l.lot_number FROM balances b JOIN lots l ON l.id = b.lot_id
                     WHERE b.place_id = p.ward_id AND b.item_id = i.id AND b.status = 'ok' AND b.expiry > '2027-01-01' AND b.qty >= 10
                     ORDER BY b.expiry LIMIT 1),
                    r.dose_milli / i.strength_milli
             FROM prescriptions r JOIN patients p ON p.id = r.patient_id JOIN items i ON i.id = r.item_id
             WHERE r.status = 'active' AND r.frequency <> 'prn' AND i.controlled = 0 AND i.high_alert = 0
               AND i.in_use_days IS NULL AND r.dose_milli % i.strength_milli = 0
               AND EXISTS (SELECT 1 FROM balances b WHERE b.place_id = p.ward_id AND b.item_id = i.id AND b.status = 'ok'
                           AND b.expiry > '2027-01-01' AND b.qty >= 10)
               AND NOT EXISTS (SELECT 1 FROM patient_allergies a WHERE a.patient_id = p.id)
             ORDER BY r.id",
        )
        .unwrap();
    stmt.query_map([], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
    })
    .unwrap()
    .collect::<rusqlite::Result<_>>()
    .unwrap()
}

fn ward_of(store: &Store, rx: i64) -> String {
    store
        .conn
        .query_row(
            "SELECT w.code FROM prescriptions r JOIN patients p ON p.id = r.patient_id JOIN places w ON w.id = p.ward_id WHERE r.id = ?1",
            [rx],
            |r| r.get(0),
        )
        .unwrap()
}

#[test]
fn the_scanning_report_counts_what_was_recorded_per_ward_and_nurse() {
    let (_dir, mut store) = common::open_demo();
    let after = common::anchor() + chrono::Duration::minutes(1);
    // (ward, nurse) → (given, scanned, reasons of the unscanned)
    let mut want: BTreeMap<(String, String), (i64, i64, Vec<String>)> = BTreeMap::new();
    let reasons = [
        "",
        "DAMAGED",
        "",
        "other: pack from the emergency cupboard",
        "SCANNER",
        "",
    ];
    let mut given = 0;
    for (k, (rx, mrn, item, lot, units)) in prescriptions(&store).into_iter().take(12).enumerate() {
        let Some(at) = common::due(&store, rx, 3).into_iter().find(|t| *t > after) else {
            continue;
        };
        let nurse = if k % 2 == 0 { "nurse" } else { "nurse2" };
        let why = reasons[k % reasons.len()];
        let d = DoseInput {
            rx_id: rx,
            scheduled_at: Some(at),
            outcome: Outcome::Given,
            patient_mrn: Some(mrn),
            patient_dob: None,
            pack: why.is_empty().then(|| (item, lot.clone())),
            pack_expiry: None,
            unable_to_scan: (!why.is_empty()).then(|| why.to_string()),
            units,
            route_confirmed: true,
            timing_reason: None,
            reason: None,
            witness: None,
            double_check: None,
        };
        let by = actor(&store, nurse);
        let Ok(r) = mar::administer(&mut store, &by, at, &d) else {
            continue; // another right fails for this one (e.g. given too soon)
        };
        assert_eq!(r.scanned, why.is_empty());
        given += 1;
        let e = want
            .entry((ward_of(&store, rx), nurse.to_string()))
            .or_default();
        e.0 += 1;
        if why.is_empty() {
            e.1 += 1;
        } else {
            let code = why.split(':').next().unwrap().trim().to_ascii_uppercase();
            e.2.push(code);
        }
    }
    assert!(given >= 6, "only {given} doses given");
    let report =
        mar::scanning_report(&store.conn, None, after, after + chrono::Duration::days(4)).unwrap();
    let mut got: BTreeMap<(String, String), (i64, i64, Vec<String>)> = BTreeMap::new();
    for l in &report.lines {
        assert_eq!(l.given, l.scanned + l.unscanned);
        let mut codes = Vec::new();
        for r in &l.unscanned_by_reason {
            for _ in 0..r.doses {
                codes.push(r.code.clone().expect("a reason recorded"));
            }
        }
        got.insert(
            (l.ward.clone(), l.nurse.clone().unwrap()),
            (l.given, l.scanned, codes),
        );
    }
    for v in want.values_mut().chain(got.values_mut()) {
        v.2.sort();
    }
    assert_eq!(got, want);
    assert_eq!(report.total.given, given);
    let unscanned: i64 = want.values().map(|v| v.2.len() as i64).sum();
    assert_eq!(report.total.unscanned, unscanned);
    // Half the doses unscanned: well below the 95 % target.
    assert!(report.total.below_target);
    let ward_sum: i64 = report.wards.iter().map(|w| w.given).sum();
    assert_eq!(ward_sum, given);
    // One ward only.
    let (one, _) = want.keys().next().unwrap().clone();
    let id = wardstock::ops::ward::ward_id(&store.conn, &one).unwrap();
    let only = mar::scanning_report(
        &store.conn,
        Some(id),
        after,
        after + chrono::Duration::days(4),
    )
    .unwrap();
    assert!(only.lines.iter().all(|l| l.ward == one));
    assert_eq!(
        only.total.given,
        want.iter()
            .filter(|((w, _), _)| *w == one)
            .map(|(_, v)| v.0)
            .sum::<i64>()
    );
}

/// A PRN prescription a nurse can give now from the ward's stock, with a
/// GTIN of its item and a usable lot: (rx, mrn, gtin, lot).
fn prn_to_give(db: &std::path::Path) -> (i64, String, String, String) {
    let conn = rusqlite::Connection::open(db).unwrap();
    let now = wardstock::domain::instant_to_text(chrono::Utc::now());
    conn.query_row(
        "SELECT r.id, p.mrn, g.gtin, l.lot_number FROM prescriptions r JOIN patients p ON p.id = r.patient_id
         JOIN items i ON i.id = r.item_id JOIN item_gtins g ON g.item_id = i.id
         JOIN balances b ON b.item_id = i.id AND b.place_id = p.ward_id JOIN lots l ON l.id = b.lot_id
         WHERE r.status = 'active' AND r.frequency = 'prn' AND i.controlled = 0 AND i.high_alert = 0 AND i.in_use_days IS NULL
           AND b.status = 'ok' AND b.expiry > '2027-06-01' AND b.qty >= 10 AND r.dose_milli % i.strength_milli = 0
           AND r.start_at <= ?1 AND (r.end_at IS NULL OR r.end_at > ?1) AND p.discharged_at IS NULL
           AND NOT EXISTS (SELECT 1 FROM patient_allergies a WHERE a.patient_id = p.id)
         ORDER BY r.id LIMIT 1",
        [now],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )
    .unwrap()
}

#[test]
fn on_the_command_line_a_dose_without_a_pack_scan_needs_a_reason_from_the_list() {
    let (_dir, db) = common::demo_db();
    let (rx, mrn, gtin, lot) = prn_to_give(&db);
    let give = |extra: &[&str]| {
        let mut c = ws();
        c.arg("--db").arg(&db).env("WARDSTOCK_PIN", "1234").args([
            "administer",
            &rx.to_string(),
            "--user",
            "nurse",
            "--wristband",
            &mrn,
            "--route-confirmed",
        ]);
        c.args(extra);
        c
    };
    // Neither a scan nor a reason: refused, naming the ward's reasons.
    give(&[]).assert().code(1).stderr(
        predicate::str::contains("the pack is not scanned")
            .and(predicate::str::contains("DAMAGED"))
            .and(predicate::str::contains("NOBARCODE")),
    );
    let mut zh = give(&[]);
    zh.args(["--lang", "zh-CN"]);
    zh.assert()
        .code(1)
        .stderr(predicate::str::contains("药品包装未扫码"));
    // A code not on the list: refused with the list.
    give(&["--unable-to-scan", "LAZY"]).assert().code(1).stderr(
        predicate::str::contains("LAZY")
            .and(predicate::str::contains("SCANNER"))
            .and(predicate::str::contains("EMERGENCY")),
    );
    // A scan and a reason together: refused.
    let pack = format!("(01){gtin}(10){lot}");
    give(&["--scan", &pack, "--unable-to-scan", "DAMAGED"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "only for a pack that cannot be scanned",
        ));
    // With a reason: given from the first-expired lot, recorded "not scanned" with why.
    let out = give(&["--unable-to-scan", "nobarcode", "--json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["scanned"], false);
    assert_eq!(v["unscanned_reason"], "NOBARCODE: no barcode on the pack");
    // The patient record says why.
    ws().arg("--db")
        .arg(&db)
        .args(["patient", &mrn])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "(not scanned: NOBARCODE: no barcode on the pack)",
        ));
    // The report counts it, under the nurse, by its reason.
    let today = chrono::Utc::now().date_naive();
    let from = (today - chrono::Duration::days(1)).to_string();
    let to = (today + chrono::Duration::days(1)).to_string();
    let out = ws()
        .arg("--db")
        .arg(&db)
        .args(["report", "scanning", "--from", &from, "--to", &to, "--json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let total = &v["report"]["total"];
    assert_eq!(total["given"], 1, "{v}");
    assert_eq!(total["unscanned"], 1);
    assert_eq!(total["below_target"], true);
    assert_eq!(v["report"]["lines"][0]["nurse"], "nurse");
    assert_eq!(
        v["report"]["lines"][0]["unscanned_by_reason"][0]["code"],
        "NOBARCODE"
    );
    ws().arg("--db")
        .arg(&db)
        .args(["report", "scanning", "--from", &from, "--to", &to])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("NOBARCODE 1")
                .and(predicate::str::contains("below 95 %"))
                .and(predicate::str::contains("0.0 %")),
        );
    ws().arg("--db").arg(&db).arg("check").assert().success();
}

#[test]
fn the_demo_history_records_a_few_unscanned_doses_with_their_reasons() {
    let (_dir, db) = common::demo_db();
    let out = ws()
        .arg("--db")
        .arg(&db)
        .args([
            "report",
            "scanning",
            "--from",
            "2020-01-01",
            "--to",
            "2026-11-22",
            "--json",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let total = &v["report"]["total"];
    let (given, unscanned) = (
        total["given"].as_i64().unwrap(),
        total["unscanned"].as_i64().unwrap(),
    );
    assert!(given > 100, "{total}");
    assert!(
        unscanned > 0 && unscanned * 100 < given * 6,
        "a realistic few %: {unscanned} of {given}"
    );
    // Every unscanned dose of the demo has its reason.
    for r in total["unscanned_by_reason"].as_array().unwrap() {
        assert!(r["code"].is_string(), "{r}");
    }
    // The same count, straight from the records.
    let conn = rusqlite::Connection::open(&db).unwrap();
    let recorded: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM administrations WHERE outcome IN ('given', 'partially_given') AND scanned = 0",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(recorded, unscanned);
}

#[test]
fn a_dose_recorded_unscanned_before_reasons_were_asked_shows_no_reason_recorded() {
    let (_dir, db) = common::demo_db();
    let conn = rusqlite::Connection::open(&db).unwrap();
    // As recorded before the reason was asked: not scanned, no reason.
    let (id, mrn): (i64, String) = conn
        .query_row(
            "SELECT a.id, p.mrn FROM administrations a JOIN prescriptions r ON r.id = a.prescription_id
             JOIN patients p ON p.id = r.patient_id WHERE a.scanned = 0 ORDER BY a.id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    conn.execute(
        "UPDATE administrations SET unscanned_reason = NULL WHERE id = ?1",
        [id],
    )
    .unwrap();
    drop(conn);
    ws().arg("--db")
        .arg(&db)
        .args(["patient", &mrn])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "(not scanned, no reason recorded)",
        ));
    ws().arg("--db")
        .arg(&db)
        .args([
            "--lang",
            "zh-CN",
            "report",
            "scanning",
            "--from",
            "2020-01-01",
            "--to",
            "2026-11-22",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("未记录原因 1"));
}

#[test]
fn a_nurse_manager_edits_the_wards_unable_to_scan_list() {
    use wardstock::ops::ward::{self, ReasonKind};
    let (_dir, mut store) = common::open_demo();
    let manager = actor(&store, "manager");
    let (rx, mrn, _item, _lot, units) = prescriptions(&store).remove(0);
    let ward_code = ward_of(&store, rx);
    let now = common::anchor();
    ward::add_reason(
        &mut store,
        &manager,
        now,
        &ward_code,
        ReasonKind::UnableToScan,
        "blister",
        "blister cut, barcode lost",
    )
    .unwrap();
    ward::remove_reason(
        &mut store,
        &manager,
        now,
        &ward_code,
        ReasonKind::UnableToScan,
        "EMERGENCY",
    )
    .unwrap();
    let id = ward::ward_id(&store.conn, &ward_code).unwrap();
    let codes: Vec<String> = ward::reasons(&store.conn, id, ReasonKind::UnableToScan)
        .unwrap()
        .into_iter()
        .map(|r| r.code)
        .collect();
    assert!(codes.contains(&"BLISTER".to_string()) && !codes.contains(&"EMERGENCY".to_string()));
    // Another ward keeps the hospital list.
    let other: i64 = store
        .conn
        .query_row(
            "SELECT id FROM places WHERE kind = 'ward' AND id <> ?1 LIMIT 1",
            [id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        ward::reasons(&store.conn, other, ReasonKind::UnableToScan)
            .unwrap()
            .len(),
        5
    );
    let at = common::due(&store, rx, 1)[0];
    let d = |why: &str| DoseInput {
        rx_id: rx,
        scheduled_at: Some(at),
        outcome: Outcome::Given,
        patient_mrn: Some(mrn.clone()),
        patient_dob: None,
        pack: None,
        pack_expiry: None,
        unable_to_scan: Some(why.into()),
        units,
        route_confirmed: true,
        timing_reason: None,
        reason: None,
        witness: None,
        double_check: None,
    };
    let nurse = actor(&store, "nurse");
    assert!(mar::administer(&mut store, &nurse, at, &d("emergency")).is_err());
    let r = mar::administer(&mut store, &nurse, at, &d("BLISTER")).unwrap();
    assert_eq!(
        r.unscanned_reason.as_deref(),
        Some("BLISTER: blister cut, barcode lost")
    );
}
