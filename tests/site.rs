//! A site's database file: the command line never turns an empty or
//! missing file into a database except by creating one on purpose.

use assert_cmd::Command;
use predicates::prelude::*;

fn ws() -> Command {
    let mut c = Command::cargo_bin("wardstock").unwrap();
    c.env_remove("WARDSTOCK_DB")
        .env_remove("WARDSTOCK_LANG")
        .env_remove("LC_ALL")
        .env("LANG", "C");
    c
}

#[test]
fn check_on_an_empty_file_refuses_and_leaves_it_empty() {
    let dir = tempfile::tempdir().unwrap();
    let blank = dir.path().join("clinic.sqlite");
    std::fs::write(&blank, b"").unwrap();
    ws().arg("--db")
        .arg(&blank)
        .arg("check")
        .assert()
        .failure()
        .stderr(
            predicate::str::contains("empty file").and(predicate::str::contains("wardstock init")),
        );
    assert_eq!(std::fs::metadata(&blank).unwrap().len(), 0);
    ws().arg("--db")
        .arg(&blank)
        .args(["--lang", "zh-CN", "stock"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("空文件"));
    // A demo may be built over it, on purpose.
    ws().arg("--db")
        .arg(&blank)
        .args(["demo", "--at", "2026-11-22T12:00:00Z"])
        .assert()
        .success();
    ws().arg("--db").arg(&blank).arg("check").assert().success();
}

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use wardstock::ops::stock::{self, ReceiveLine};
use wardstock::store::Store;
use wardstock::store::backup::{self, BackupError};

/// Receives one lot at the pharmacy through the operations, as a storekeeper.
fn receive_one(store: &mut Store, n: usize) {
    let keeper = common::actor(store, "store");
    let item = stock::item_by_code(&store.conn, "PARA500T").unwrap();
    let line = ReceiveLine {
        item,
        lot_number: format!("BK{n}"),
        expiry: chrono::NaiveDate::from_ymd_opt(2029, 1, 31),
        qty: 10,
        supplier: None,
        order_ref: None,
        location: None,
    };
    stock::receive(store, &keeper, chrono::Utc::now(), &line, 90, None).unwrap();
}

#[test]
fn a_backup_is_consistent_while_another_workstation_writes() {
    let (dir, db) = common::demo_db();
    let writing = Arc::new(AtomicBool::new(true));
    let writer = {
        let (db, writing) = (db.clone(), writing.clone());
        std::thread::spawn(move || {
            let mut store = Store::open(&db).unwrap();
            let mut n = 0;
            while writing.load(Ordering::Relaxed) {
                receive_one(&mut store, n);
                n += 1;
            }
            n
        })
    };
    let store = Store::open(&db).unwrap();
    let mut reports = Vec::new();
    for k in 0..3 {
        let to = dir.path().join(format!("backup-{k}.sqlite"));
        reports.push(backup::backup(&store, &to, false).unwrap());
    }
    writing.store(false, Ordering::Relaxed);
    let written = writer.join().unwrap();
    assert!(written > 0, "the other workstation kept writing");
    // Each copy checked itself (integrity, ledger == balances); each is one
    // file, with no write-ahead log beside it.
    for r in &reports {
        assert!(r.movements > 0);
        let mut wal = r.path.as_os_str().to_owned();
        wal.push("-wal");
        assert!(!std::path::Path::new(&wal).exists());
        backup::verify(&r.path).unwrap();
    }
    assert!(reports.windows(2).all(|w| w[0].movements <= w[1].movements));
}

#[test]
fn a_backup_never_overwrites_and_a_restore_never_loses_newer_movements() {
    let (dir, db) = common::demo_db();
    let to = dir.path().join("monday.sqlite");
    let mut store = Store::open(&db).unwrap();
    let monday = backup::backup(&store, &to, false).unwrap();
    assert!(matches!(
        backup::backup(&store, &to, false),
        Err(BackupError::Exists { .. })
    ));
    assert!(matches!(
        backup::backup(&store, &db, true),
        Err(BackupError::SameFile { .. })
    ));
    // Tuesday's work is not in Monday's backup.
    receive_one(&mut store, 1);
    let after: i64 = store
        .conn
        .query_row("SELECT count(*) FROM movements", [], |r| r.get(0))
        .unwrap();
    drop(store);
    let e = backup::restore(&to, &db, false).unwrap_err();
    assert!(matches!(e, BackupError::Newer { .. }), "{e}");
    let store = Store::open(&db).unwrap();
    let still: i64 = store
        .conn
        .query_row("SELECT count(*) FROM movements", [], |r| r.get(0))
        .unwrap();
    assert_eq!(still, after, "nothing was replaced");
    drop(store);
    // On purpose, with --force.
    let r = backup::restore(&to, &db, true).unwrap();
    assert_eq!(r.movements, monday.movements);
    // Into a new file, for a second workstation.
    let fresh = dir.path().join("fresh.sqlite");
    assert_eq!(
        backup::restore(&to, &fresh, false).unwrap().movements,
        monday.movements
    );
    // A damaged backup is refused before anything is touched.
    let broken = dir.path().join("broken.sqlite");
    std::fs::write(&broken, b"not a database at all").unwrap();
    assert!(backup::restore(&broken, &fresh, true).is_err());
    assert_eq!(
        Store::open(&fresh)
            .unwrap()
            .conn
            .query_row("SELECT count(*) FROM movements", [], |r| r.get::<_, i64>(0))
            .unwrap(),
        monday.movements
    );
}

#[test]
fn a_restore_never_loses_an_allergy_or_a_prescription_recorded_after_the_backup() {
    let (dir, db) = common::demo_db();
    let to = dir.path().join("before.sqlite");
    let mut store = Store::open(&db).unwrap();
    backup::backup(&store, &to, false).unwrap();
    // No stock moved since: only an allergy recorded.
    let pharm = common::actor(&store, "pharm");
    let mrn = common::patient_on(&store, "W-MED");
    wardstock::ops::refdata::allergy_add(
        &mut store,
        &pharm,
        common::anchor(),
        &mrn,
        "chlorhexidine",
        "allergy",
        None,
        None,
    )
    .unwrap();
    drop(store);
    let e = backup::restore(&to, &db, false).unwrap_err();
    let BackupError::Newer { records, .. } = &e else {
        panic!("{e}")
    };
    assert!(
        records
            .iter()
            .any(|(t, n)| *t == "patient_allergies" && *n == 1),
        "{records:?}"
    );
    wardstock::i18n::set_thread_lang(wardstock::i18n::Lang::En);
    assert!(e.to_string().contains("1 allerg"), "{e}");
    // The allergy is still there; with --force the backup wins.
    let count = |db: &std::path::Path| -> i64 {
        Store::open(db)
            .unwrap()
            .conn
            .query_row(
                "SELECT count(*) FROM patient_allergies WHERE substance = 'chlorhexidine'",
                [],
                |r| r.get(0),
            )
            .unwrap()
    };
    assert_eq!(count(&db), 1);
    backup::restore(&to, &db, true).unwrap();
    assert_eq!(count(&db), 0);
}

#[test]
fn backup_and_restore_from_the_command_line() {
    let (dir, db) = common::demo_db();
    let to = dir.path().join("b.sqlite");
    ws().arg("--db")
        .arg(&db)
        .arg("backup")
        .arg(&to)
        .assert()
        .success()
        .stdout(predicate::str::contains("checked"));
    ws().arg("--db")
        .arg(&db)
        .args(["--lang", "zh-CN", "backup"])
        .arg(&to)
        .assert()
        .failure()
        .stderr(predicate::str::contains("已存在"));
    let other = dir.path().join("other.sqlite");
    ws().arg("--db")
        .arg(&other)
        .arg("restore")
        .arg(&to)
        .assert()
        .success();
    ws().arg("--db").arg(&other).arg("check").assert().success();
}

fn init_args(db: &std::path::Path) -> Command {
    let mut c = ws();
    c.env("WARDSTOCK_PIN", "4321").arg("--db").arg(db).args([
        "init",
        "--site",
        "Riverside Clinic",
        "--timezone",
        "Asia/Shanghai",
        "--pharmacy",
        "RX",
        "--pharmacy-name",
        "Clinic pharmacy",
        "--admin",
        "amina",
    ]);
    c
}

#[test]
fn a_site_starts_from_nothing_with_its_time_zone_pharmacy_and_administrator() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("riverside.sqlite");
    init_args(&db).assert().success().stdout(
        predicate::str::contains("Riverside Clinic").and(predicate::str::contains("amina")),
    );
    let store = Store::open(&db).unwrap();
    assert_eq!(
        wardstock::store::queries::site(&store.conn).unwrap(),
        Some(("Riverside Clinic".to_string(), "Asia/Shanghai".to_string()))
    );
    let places: Vec<(String, String)> = store
        .conn
        .prepare("SELECT code, kind FROM places ORDER BY code")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        places,
        [
            ("RX".into(), "pharmacy".into()),
            ("TRANSIT".into(), "transit".into())
        ]
    );
    drop(store);
    ws().arg("--db").arg(&db).arg("check").assert().success();
    // The administrator signs in with the PIN given.
    ws().env("WARDSTOCK_PIN", "4321")
        .arg("--db")
        .arg(&db)
        .args(["user", "language", "--user", "amina", "en"])
        .assert()
        .success();
    // A file that holds anything is never written over.
    init_args(&db)
        .assert()
        .failure()
        .stderr(predicate::str::contains("already holds data"));
    ws().arg("--db").arg(&db).arg("check").assert().success();
}

#[test]
fn a_site_is_not_started_on_bad_input_and_nothing_is_left_behind() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.sqlite");
    ws().env("WARDSTOCK_PIN", "1234")
        .arg("--db")
        .arg(&db)
        .args([
            "init",
            "--site",
            "X",
            "--timezone",
            "Mars/Olympus",
            "--pharmacy",
            "P",
            "--admin",
            "a",
        ])
        .assert()
        .failure()
        .stderr(
            predicate::str::contains("not a time zone")
                .and(predicate::str::contains("Asia/Shanghai")),
        );
    assert!(!db.exists());
    // A PIN that is not 4 to 8 digits.
    ws().env("WARDSTOCK_PIN", "12")
        .arg("--db")
        .arg(&db)
        .args([
            "init",
            "--site",
            "X",
            "--timezone",
            "Europe/Rome",
            "--pharmacy",
            "P",
            "--admin",
            "a",
        ])
        .assert()
        .failure();
    assert!(!db.exists(), "no half-made database");
    // A user name with a space: refused inside the transaction; the empty
    // file given stays empty.
    std::fs::write(&db, b"").unwrap();
    ws().env("WARDSTOCK_PIN", "1234")
        .arg("--db")
        .arg(&db)
        .args([
            "init",
            "--site",
            "X",
            "--timezone",
            "Europe/Rome",
            "--pharmacy",
            "P",
            "--admin",
            "a b",
        ])
        .assert()
        .failure();
    assert_eq!(std::fs::metadata(&db).unwrap().len(), 0);
    // In Chinese.
    ws().env("WARDSTOCK_PIN", "1234")
        .arg("--db")
        .arg(&db)
        .args([
            "--lang",
            "zh-CN",
            "init",
            "--site",
            "X",
            "--timezone",
            "Nowhere",
            "--pharmacy",
            "P",
            "--admin",
            "a",
        ])
        .assert()
        .failure()
        .stderr(predicate::str::contains("不是时区"));
}

#[test]
fn the_console_opens_on_a_new_site() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use ratatui::{Terminal, backend::TestBackend};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("new.sqlite");
    init_args(&db).assert().success();
    let store = Store::open(&db).unwrap();
    let mut app = wardstock::tui::app::App::with_lang(
        store,
        wardstock::tui::keymap::Keymap::defaults(),
        chrono::Utc::now(),
        (80, 24),
        Some(wardstock::i18n::Lang::En),
    );
    for c in "amina"
        .chars()
        .chain(['\n'])
        .chain("4321".chars())
        .chain(['\n'])
    {
        let code = if c == '\n' {
            KeyCode::Enter
        } else {
            KeyCode::Char(c)
        };
        app.on_key(KeyEvent::new(code, KeyModifiers::NONE));
    }
    assert!(app.cx.actor.is_some(), "the administrator is signed in");
    let mut term = Terminal::new(TestBackend::new(80, 24)).unwrap();
    let theme = wardstock::tui::theme::Theme { color: false };
    let mut screen = |app: &wardstock::tui::app::App| -> String {
        term.draw(|f| wardstock::tui::ui::draw(f, app, &theme))
            .unwrap();
        let buf = term.backend().buffer().clone();
        buf.content().iter().map(|c| c.symbol()).collect()
    };
    // Every tab says what to set up next and how, not an empty list.
    for tab in ['1', '2', '3', '4', '5'] {
        app.on_key(KeyEvent::new(KeyCode::Char(tab), KeyModifiers::NONE));
        let s = screen(&app);
        assert!(s.contains("This site is new"), "{s}");
        assert!(s.contains("import places FILE --user amina"), "{s}");
    }
    // Once it has a ward and an item, the screens open.
    let dir2 = tempfile::tempdir().unwrap();
    let places = dir2.path().join("places.csv");
    std::fs::write(
        &places,
        "code,name,kind,transport_minutes\nMED1,Medicine,ward,10\n",
    )
    .unwrap();
    let items = dir2.path().join("items.csv");
    std::fs::write(
        &items,
        "code,name,generic_name,atc,form,strength,strength_unit,dose_unit,units_per_pack,gtin,unit_price,storage,controlled,high_alert\n\
         PARA500T,Paracetamol 500 mg tablet,paracetamol,N02BE01,tablet,500,mg,tablet,20,4031847000072,0.03,room,no,no\n",
    )
    .unwrap();
    for (kind, file) in [("places", &places), ("items", &items)] {
        ws().env("WARDSTOCK_PIN", "4321")
            .arg("--db")
            .arg(&db)
            .args(["import", kind])
            .arg(file)
            .args(["--user", "amina"])
            .assert()
            .success();
    }
    app.on_key(KeyEvent::new(KeyCode::F(5), KeyModifiers::NONE));
    app.on_key(KeyEvent::new(KeyCode::Char('3'), KeyModifiers::NONE));
    let s = screen(&app);
    assert!(!s.contains("This site is new"), "{s}");
}

#[test]
fn the_administrator_is_not_a_clinician() {
    let (_dir, db) = common::demo_db();
    let out = ws()
        .arg("--db")
        .arg(&db)
        .args(["validate", "list", "--json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let id = v.as_array().unwrap()[0]["id"]
        .as_i64()
        .expect("a prescription to validate");
    ws().env("WARDSTOCK_PIN", "1234")
        .arg("--db")
        .arg(&db)
        .args(["validate", "accept", &id.to_string(), "--user", "admin"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("admin"));
    ws().env("WARDSTOCK_PIN", "1234")
        .arg("--db")
        .arg(&db)
        .args([
            "issue", "--user", "admin", "--place", "W-MED", "--item", "PARA500T", "--qty", "1",
        ])
        .assert()
        .failure();
    // The pharmacist may.
    ws().env("WARDSTOCK_PIN", "1234")
        .arg("--db")
        .arg(&db)
        .args([
            "validate",
            "accept",
            &id.to_string(),
            "--user",
            "pharm",
            "--comment",
            "reviewed",
        ])
        .assert()
        .success();
}
