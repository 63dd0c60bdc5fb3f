//! Daily automatic backups: the first sign-in of the site's day makes one,
//! checked, in the administrator's folder; the oldest beyond the number
//! kept are removed; a folder that fails never stops anyone signing in.

mod common;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use chrono::{DateTime, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use predicates::prelude::*;
use wardstock::i18n::Lang;
use wardstock::ops::backups::{self, DailyOutcome, SettingError};
use wardstock::store::Store;
use wardstock::store::backup;
use wardstock::tui::app::App;
use wardstock::tui::component::Level;
use wardstock::tui::keymap::Keymap;

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// A new site in Rome (UTC+1 in winter) with its administrator boss.
fn site(dir: &Path) -> Store {
    wardstock::ops::site::init(
        &dir.join("site.sqlite"),
        &wardstock::ops::site::NewSite {
            name: "Riverside".into(),
            timezone: "Europe/Rome".into(),
            pharmacy_code: "PHARM".into(),
            pharmacy_name: "Pharmacy".into(),
            admin: "boss".into(),
            admin_full_name: "The Boss".into(),
        },
        "1111",
        at("2026-12-01T08:00:00Z"),
    )
    .unwrap()
}

fn names(dir: &Path) -> Vec<String> {
    let mut n: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    n.sort();
    n
}

#[test]
fn the_first_sign_in_of_the_sites_day_makes_one_checked_backup_and_keeps_the_last_n() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = site(tmp.path());
    let boss = common::actor(&store, "boss");
    let folder = tmp.path().join("backups");
    let now = at("2026-12-05T23:30:00Z");

    // Off until the administrator sets it.
    assert!(backups::after_sign_in(&store, now).is_none());
    let set = backups::set_daily(&mut store, &boss, now, Some((&folder, 3)))
        .unwrap()
        .unwrap();
    assert_eq!((set.keep, set.set_by.as_deref()), (3, Some("boss")));
    assert!(set.dir.is_absolute());

    // 23:30 UTC is already the 6th in Rome: the site's day names the file.
    assert_eq!(
        backups::site_today(&store.conn, now),
        chrono::NaiveDate::from_ymd_opt(2026, 12, 6).unwrap()
    );
    let made = backups::after_sign_in(&store, now);
    let Some(DailyOutcome::Made { report, removed }) = made else {
        panic!("{made:?}");
    };
    assert_eq!(report.path, folder.join("wardstock-2026-12-06.sqlite"));
    assert!(removed.is_empty());
    backup::verify(&report.path).unwrap();

    // The second sign-in of the day makes no other.
    assert!(backups::after_sign_in(&store, now + chrono::Duration::hours(2)).is_none());
    assert_eq!(names(&folder), ["wardstock-2026-12-06.sqlite"]);

    // Older backups, and files wardstock did not name (never touched).
    for name in [
        "wardstock-2026-12-01.sqlite",
        "wardstock-2026-12-03.sqlite",
        "wardstock-2026-12-04.sqlite",
        "wardstock-monthly.sqlite",
        "notes.txt",
    ] {
        std::fs::write(folder.join(name), b"x").unwrap();
    }
    let next = at("2026-12-07T07:00:00Z");
    let made = backups::after_sign_in(&store, next);
    let Some(DailyOutcome::Made { removed, .. }) = made else {
        panic!("{made:?}");
    };
    assert_eq!(removed.len(), 2, "{removed:?}");
    assert_eq!(
        names(&folder),
        [
            "notes.txt",
            "wardstock-2026-12-04.sqlite",
            "wardstock-2026-12-06.sqlite",
            "wardstock-2026-12-07.sqlite",
            "wardstock-monthly.sqlite",
        ]
    );

    // Only the administrator sets them, and keeps at least one.
    wardstock::ops::refdata::add_user(
        &store.conn,
        "nina",
        "Nina",
        wardstock::domain::Role::Nurse,
        "x",
    )
    .unwrap();
    let nina = common::actor(&store, "nina");
    assert!(matches!(
        backups::set_daily(&mut store, &nina, now, None),
        Err(SettingError::NotAdmin { .. })
    ));
    assert!(matches!(
        backups::set_daily(&mut store, &boss, now, Some((&folder, 0))),
        Err(SettingError::Keep { given: 0 })
    ));
    // Off: nothing more is made, those made stay.
    assert!(
        backups::set_daily(&mut store, &boss, now, None)
            .unwrap()
            .is_none()
    );
    assert!(backups::after_sign_in(&store, at("2026-12-09T07:00:00Z")).is_none());
    assert_eq!(names(&folder).len(), 5);
}

#[test]
fn a_failing_folder_is_told_and_retried_but_never_stops_the_sign_in() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = site(tmp.path());
    let boss = common::actor(&store, "boss");
    let folder = tmp.path().join("usb");
    let now = at("2026-12-05T09:00:00Z");
    backups::set_daily(&mut store, &boss, now, Some((&folder, 7))).unwrap();
    // The disk is gone: a file where the folder was.
    std::fs::remove_dir(&folder).unwrap();
    std::fs::write(&folder, b"not a folder").unwrap();

    let failed = backups::after_sign_in(&store, now);
    assert!(
        matches!(&failed, Some(DailyOutcome::Failed { dir, .. }) if *dir == folder),
        "{failed:?}"
    );
    // Tried again at the next sign-in, and made once the folder is back.
    assert!(matches!(
        backups::after_sign_in(&store, now),
        Some(DailyOutcome::Failed { .. })
    ));
    std::fs::remove_file(&folder).unwrap();
    assert!(matches!(
        backups::after_sign_in(&store, now),
        Some(DailyOutcome::Made { .. })
    ));
    common::assert_clean(&store);
}

// --- the command line ------------------------------------------------------

fn ws(db: &Path) -> Command {
    let mut c = Command::cargo_bin("wardstock").unwrap();
    c.env_remove("WARDSTOCK_LANG")
        .env_remove("WARDSTOCK_USER")
        .env_remove("LC_ALL")
        .env("LANG", "C")
        .env("WARDSTOCK_DB", db)
        .env("WARDSTOCK_PIN", "1111");
    c
}

#[test]
fn the_administrator_sets_daily_backups_and_any_sign_in_makes_the_days() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("site.sqlite");
    drop(site(tmp.path()));
    let folder = tmp.path().join("daily");

    ws(&db)
        .arg("backup")
        .assert()
        .success()
        .stdout(predicate::str::contains("daily backups are off"));
    ws(&db)
        .args(["backup", "--daily"])
        .arg(&folder)
        .assert()
        .failure()
        .stderr(predicate::str::contains("--user ADMIN"));
    // Set: today's is made at once, showing the folder works.
    ws(&db)
        .args(["backup", "--daily"])
        .arg(&folder)
        .args(["--keep", "5", "--user", "boss"])
        .assert()
        .success()
        .stdout(predicate::str::contains("daily backups on"))
        .stdout(predicate::str::contains("the last 5 are kept"))
        .stderr(predicate::str::contains("daily backup made and checked"));
    assert_eq!(names(&folder).len(), 1);
    ws(&db)
        .arg("backup")
        .assert()
        .success()
        .stdout(predicate::str::contains("the last 5 kept (set by boss"))
        .stdout(predicate::str::contains("1 there"));
    // Signing in again today makes no other.
    ws(&db)
        .args([
            "supplier", "add", "ACME", "--user", "boss", "--name", "Acme",
        ])
        .assert()
        .success()
        .stderr(predicate::str::contains("daily backup").not());
    assert_eq!(names(&folder).len(), 1);

    // A failing folder: the command still works, the user is told in their language.
    let today = names(&folder).remove(0);
    std::fs::remove_file(folder.join(&today)).unwrap();
    std::fs::remove_dir(&folder).unwrap();
    std::fs::write(&folder, b"not a folder").unwrap();
    ws(&db)
        .args([
            "supplier", "add", "MEDI", "--user", "boss", "--name", "Medi",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("MEDI"))
        .stderr(predicate::str::contains("was not made"))
        .stderr(predicate::str::contains("tried again at the next sign-in"));
    ws(&db)
        .args([
            "supplier",
            "edit",
            "MEDI",
            "--user",
            "boss",
            "--lead-days",
            "4",
        ])
        .env("WARDSTOCK_LANG", "zh")
        .assert()
        .success()
        .stderr(predicate::str::contains("今日备份未能写入"));
    std::fs::remove_file(&folder).unwrap();
    ws(&db).args(["supplier", "list"]).assert().success();
    ws(&db)
        .args([
            "supplier",
            "edit",
            "MEDI",
            "--user",
            "boss",
            "--lead-days",
            "5",
        ])
        .assert()
        .success()
        .stderr(predicate::str::contains("daily backup made and checked"));
    assert_eq!(names(&folder), [today]);

    ws(&db)
        .args(["backup", "--no-daily", "--user", "boss"])
        .assert()
        .success()
        .stdout(predicate::str::contains("daily backups off"));
    ws(&db)
        .arg("backup")
        .assert()
        .success()
        .stdout(predicate::str::contains("daily backups are off"));
    // A copy to a file works as before.
    ws(&db)
        .arg("backup")
        .arg(tmp.path().join("copy.sqlite"))
        .assert()
        .success()
        .stdout(predicate::str::contains("backup written and checked"));
    ws(&db).arg("check").assert().success();
}

// --- the console -----------------------------------------------------------

fn console_with_daily(folder: &Path) -> (tempfile::TempDir, PathBuf, App) {
    let (dir, path) = common::demo_db();
    let mut store = Store::open(&path).unwrap();
    let admin = common::actor(&store, "admin");
    backups::set_daily(&mut store, &admin, common::anchor(), Some((folder, 7))).unwrap();
    let app = App::with_lang(
        store,
        Keymap::defaults(),
        common::anchor(),
        (100, 30),
        Some(Lang::En),
    );
    (dir, path, app)
}

fn sign_in(app: &mut App, user: &str) {
    for c in user.chars().chain(['\n']).chain("1234\n".chars()) {
        let code = if c == '\n' {
            KeyCode::Enter
        } else {
            KeyCode::Char(c)
        };
        app.on_key(KeyEvent::new(code, KeyModifiers::NONE));
    }
}

#[test]
fn the_console_makes_the_days_backup_in_the_background_and_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let folder = tmp.path().join("daily");
    let (_dir, _path, mut app) = console_with_daily(&folder);
    app.cx.jobs.background = true;
    sign_in(&mut app, "nurse");
    assert!(app.cx.actor.is_some(), "signed in at once");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        app.poll_jobs();
        if let Some((Level::Info, msg)) = &app.cx.status
            && msg.contains("daily backup made and checked")
        {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no backup: {:?}",
            app.cx.status
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let made = names(&folder);
    assert_eq!(made.len(), 1);
    backup::verify(&folder.join(&made[0])).unwrap();
}

#[test]
fn in_the_console_a_failing_folder_is_a_warning_and_the_user_is_signed_in() {
    let tmp = tempfile::tempdir().unwrap();
    let folder = tmp.path().join("daily");
    let (_dir, _path, mut app) = console_with_daily(&folder);
    std::fs::remove_dir(&folder).unwrap();
    std::fs::write(&folder, b"not a folder").unwrap();
    sign_in(&mut app, "nurse");
    assert!(app.cx.actor.is_some());
    assert!(
        matches!(&app.cx.status, Some((Level::Warn, msg)) if msg.contains("was not made")),
        "{:?}",
        app.cx.status
    );
}
