//! The site's time zone: every local time (dose times, schedules, windows,
//! expiry days, "today") is on the site's clock, stored in the database,
//! never the computer's or the terminal session's `TZ`. Terminals with
//! different `TZ` see one schedule.
//!
//! The sites here are in Asia/Shanghai and Europe/Rome while the tests run
//! under other zones (the process's own, and America/New_York and
//! Asia/Tokyo for the command line), so anything reading the machine's zone
//! fails them.

mod common;

use std::path::Path;

use assert_cmd::Command;
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;
use wardstock::domain::schedule::{DoseStatus, Frequency};
use wardstock::ops::rx::{self, Decision};
use wardstock::ops::site::{self, SiteError};
use wardstock::store::{Store, queries};

fn at(s: &str) -> DateTime<Utc> {
    wardstock::domain::instant_from_text(s).unwrap()
}

fn ws(tz: &str) -> Command {
    let mut c = Command::cargo_bin("wardstock").unwrap();
    c.env_remove("WARDSTOCK_DB")
        .env_remove("WARDSTOCK_LANG")
        .env_remove("WARDSTOCK_USER")
        .env_remove("LC_ALL")
        .env("LANG", "C")
        .env("TZ", tz);
    c
}

fn run(tz: &str, db: &Path, args: &[&str]) -> String {
    let out = ws(tz).arg("--db").arg(db).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "wardstock {args:?} under TZ={tz}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A demo clinic (built under `TZ=tz`) whose site is in `zone`.
fn cli_demo(dir: &Path, name: &str, tz: &str, zone: &str) -> std::path::PathBuf {
    let db = dir.join(name);
    run(
        tz,
        &db,
        &["demo", "--timezone", zone, "--at", "2026-12-05T10:00:00Z"],
    );
    db
}

const MAR: &[&str] = &[
    "mar",
    "--ward",
    "W-MED",
    "--from",
    "2026-12-04T16:00:00Z",
    "--to",
    "2026-12-05T16:00:00Z",
];

#[test]
fn two_terminals_with_different_tz_see_the_same_schedule() {
    let dir = tempfile::tempdir().unwrap();
    let db = cli_demo(
        dir.path(),
        "clinic.sqlite",
        "Europe/London",
        "Asia/Shanghai",
    );
    let new_york = run("America/New_York", &db, MAR);
    let tokyo = run("Asia/Tokyo", &db, MAR);
    assert_eq!(new_york, tokyo, "one schedule whatever the terminal's TZ");
    // The times are Shanghai's: the 08:00 round of the day (00:00Z) is shown
    // at 08:00 on 5 December, not at New York's 19:00 the day before.
    assert!(new_york.contains("05 Dec 08:00"), "{new_york}");
    assert!(!new_york.contains("04 Dec 19:00"), "{new_york}");
    // The same in JSON, and in Chinese.
    let mut json = MAR.to_vec();
    json.push("--json");
    assert_eq!(
        run("America/New_York", &db, &json),
        run("Asia/Tokyo", &db, &json)
    );
    let mut zh = vec!["--lang", "zh-CN"];
    zh.extend_from_slice(MAR);
    let zh_ny = run("America/New_York", &db, &zh);
    assert_eq!(zh_ny, run("Asia/Tokyo", &db, &zh));
    assert!(zh_ny.contains("12-05 08:00"), "{zh_ny}");
    // The stock list, its expiry marks and the warnings ("today") too.
    for args in [&["stock", "--place", "W-MED"][..], &["alerts"][..]] {
        assert_eq!(
            run("America/New_York", &db, args),
            run("Asia/Tokyo", &db, args),
            "wardstock {args:?}"
        );
    }
}

#[test]
fn the_demo_is_built_on_the_site_clock_whatever_the_tz_it_is_built_under() {
    let dir = tempfile::tempdir().unwrap();
    let a = cli_demo(dir.path(), "a.sqlite", "America/New_York", "Asia/Shanghai");
    let b = cli_demo(dir.path(), "b.sqlite", "Asia/Tokyo", "Asia/Shanghai");
    let mut json = MAR.to_vec();
    json.push("--json");
    assert_eq!(run("UTC", &a, &json), run("UTC", &b, &json));
    let show = run("America/New_York", &a, &["site", "show"]);
    assert!(show.contains("time zone: Asia/Shanghai"), "{show}");
    // The demo's scheduled doses are at the site's wall-clock times: its
    // 08:00 round is at midnight UTC.
    let store = Store::open(&a).unwrap();
    assert_eq!(store.zone(), Tz::Asia__Shanghai);
    let ward = queries::place_by_code(&store.conn, "W-MED")
        .unwrap()
        .unwrap();
    let (rows, _) = queries::schedule(
        &store.conn,
        ward.id,
        at("2026-12-04T16:00:00Z"),
        at("2026-12-05T16:00:00Z"),
    )
    .unwrap();
    assert!(rows.iter().any(|r| r.at == at("2026-12-05T00:00:00Z")));
    assert!(
        store
            .conn
            .query_row("SELECT count(*) FROM administrations", [], |r| r
                .get::<_, i64>(0))
            .unwrap()
            > 0
    );
}

/// A copy of the demo clinic whose administrator moved the site to `zone`.
fn site_in(zone: &str) -> (tempfile::TempDir, Store) {
    let (dir, mut store) = common::open_demo();
    let admin = common::actor(&store, "admin");
    let tz = site::set_timezone(&mut store, &admin, zone, common::anchor()).unwrap();
    assert_eq!(tz.name(), zone);
    assert_eq!(store.zone(), tz);
    // Opened again (another terminal), the zone is the stored one.
    assert_eq!(Store::open(store.path()).unwrap().zone(), tz);
    (dir, store)
}

/// A daily dose at 08:00 of one tablet of paracetamol for a patient of
/// W-MED, from `start`, validated.
fn daily_at_eight(store: &mut Store, start: DateTime<Utc>, now: DateTime<Utc>) -> (i64, i64) {
    let manager = common::actor(store, "manager");
    let pharm = common::actor(store, "pharm");
    let mrn = common::patient_on(store, "W-MED");
    let strength: i64 = store
        .conn
        .query_row(
            "SELECT strength_milli FROM items WHERE code = 'PARA500T'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let new = rx::NewRx {
        times: vec![NaiveTime::from_hms_opt(8, 0, 0).unwrap()],
        ..common::base_rx(&mrn, "PARA500T", strength, Frequency::Qd, start)
    };
    let id = rx::prescribe(store, &manager, now, &new).unwrap();
    rx::validate(
        store,
        &pharm,
        now,
        id,
        &Decision::Accept {
            comment: Some("checked".into()),
        },
    )
    .unwrap();
    let ward = queries::place_by_code(&store.conn, "W-MED")
        .unwrap()
        .unwrap();
    (id, ward.id)
}

fn doses(store: &Store, ward: i64, rx: i64, from: &str, to: &str) -> Vec<queries::DoseRow> {
    let (rows, _) = queries::schedule(&store.conn, ward, at(from), at(to)).unwrap();
    rows.into_iter()
        .filter(|r| r.prescription_id == rx)
        .collect()
}

#[test]
fn a_shanghai_site_gives_its_eight_o_clock_dose_at_midnight_utc_and_keeps_shanghai_days() {
    let (_dir, mut store) = site_in("Asia/Shanghai");
    let now = common::anchor();
    let (rx, ward) = daily_at_eight(&mut store, at("2026-11-21T00:00:00Z"), now);
    let rows = doses(
        &store,
        ward,
        rx,
        "2026-11-22T00:00:00Z",
        "2026-11-25T00:00:00Z",
    );
    let times: Vec<_> = rows.iter().map(|r| r.at).collect();
    assert_eq!(
        times,
        [
            at("2026-11-22T00:00:00Z"),
            at("2026-11-23T00:00:00Z"),
            at("2026-11-24T00:00:00Z")
        ],
        "08:00 in Shanghai is 00:00 UTC"
    );
    // Due from 06:00 Shanghai until its window closes at 10:00, late until
    // 12:00, missed after (a daily dose's window is two hours either side).
    let first = &rows[0];
    assert_eq!(first.status(at("2026-11-21T22:10:00Z")), DoseStatus::Due);
    assert_eq!(first.status(at("2026-11-22T00:30:00Z")), DoseStatus::Due);
    assert_eq!(first.status(at("2026-11-22T02:30:00Z")), DoseStatus::Late);
    assert_eq!(first.status(at("2026-11-22T04:30:00Z")), DoseStatus::Missed);
    assert_eq!(
        rows[1].status(at("2026-11-22T21:00:00Z")),
        DoseStatus::Upcoming
    );
    // "Today" is Shanghai's: at 17:00 UTC on the 22nd it is already the 23rd.
    let late_evening_utc = at("2026-11-22T17:00:00Z");
    assert_eq!(
        store.today(late_evening_utc),
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    );
    // So a lot whose last day is the 22nd is expired there and then, and is
    // refused at receipt.
    let keeper = common::actor(&store, "store");
    let line = wardstock::ops::stock::ReceiveLine {
        item: wardstock::ops::stock::item_by_code(&store.conn, "PARA500T").unwrap(),
        lot_number: "TZ-22NOV".into(),
        expiry: NaiveDate::from_ymd_opt(2026, 11, 22),
        qty: 10,
        supplier: None,
        order_ref: None,
        location: None,
    };
    let refused =
        wardstock::ops::stock::receive(&mut store, &keeper, late_evening_utc, &line, 0, None)
            .unwrap_err();
    assert!(
        matches!(refused, wardstock::ops::stock::StockError::Expired { .. }),
        "{refused:?}"
    );
    // Shown on Shanghai's clock, whatever this process's TZ.
    wardstock::i18n::set_thread_zone(store.zone());
    assert_eq!(
        wardstock::i18n::datetime(wardstock::i18n::local(first.at)),
        "2026-11-22 08:00"
    );
    common::assert_clean(&store);
}

#[test]
fn across_the_change_to_summer_time_in_rome_the_dose_stays_at_eight() {
    // The site moves from Shanghai to Rome: stored instants stay, the
    // schedule's wall-clock 08:00 is Rome's from then on.
    let (_dir, mut store) = site_in("Asia/Shanghai");
    let admin = common::actor(&store, "admin");
    site::set_timezone(&mut store, &admin, "Europe/Rome", common::anchor()).unwrap();
    assert_eq!(store.zone(), Tz::Europe__Rome);
    let now = common::anchor();
    // Summer time starts in Rome on Sunday 28 March 2027 (02:00 → 03:00).
    let (rx, ward) = daily_at_eight(&mut store, at("2027-03-26T00:00:00Z"), now);
    let rows = doses(
        &store,
        ward,
        rx,
        "2027-03-26T00:00:00Z",
        "2027-03-30T00:00:00Z",
    );
    let times: Vec<_> = rows.iter().map(|r| r.at).collect();
    assert_eq!(
        times,
        [
            at("2027-03-26T07:00:00Z"),
            at("2027-03-27T07:00:00Z"),
            at("2027-03-28T06:00:00Z"),
            at("2027-03-29T06:00:00Z"),
        ],
        "08:00 in Rome: UTC+1 in winter, UTC+2 in summer"
    );
    let tz = store.zone();
    for r in &rows {
        assert_eq!(
            r.at.with_timezone(&tz).time(),
            NaiveTime::from_hms_opt(8, 0, 0).unwrap()
        );
    }
    // And back to winter time on 31 October 2027.
    let rows = doses(
        &store,
        ward,
        rx,
        "2027-10-30T00:00:00Z",
        "2027-11-01T00:00:00Z",
    );
    let times: Vec<_> = rows.iter().map(|r| r.at).collect();
    assert_eq!(
        times,
        [at("2027-10-30T06:00:00Z"), at("2027-10-31T07:00:00Z")]
    );
}

#[test]
fn only_an_administrator_changes_the_zone_and_an_unknown_zone_is_refused_in_both_languages() {
    let (_dir, mut store) = common::open_demo();
    let before = store.zone();
    let nurse = common::actor(&store, "nurse");
    let e = site::set_timezone(&mut store, &nurse, "Europe/Rome", Utc::now()).unwrap_err();
    assert!(matches!(e, SiteError::NotAdmin { .. }), "{e:?}");
    let admin = common::actor(&store, "admin");
    let e = site::set_timezone(&mut store, &admin, "Mars/Olympus", Utc::now()).unwrap_err();
    assert!(matches!(e, SiteError::Timezone { .. }));
    wardstock::i18n::set_thread_lang(wardstock::i18n::Lang::En);
    assert!(
        e.to_string()
            .contains("\"Mars/Olympus\" is not a time zone"),
        "{e}"
    );
    wardstock::i18n::set_thread_lang(wardstock::i18n::Lang::ZhCn);
    assert!(e.to_string().contains("不是时区"), "{e}");
    wardstock::i18n::set_thread_lang(wardstock::i18n::Lang::En);
    assert_eq!(store.zone(), before, "nothing changed");
}

#[test]
fn the_administrator_sees_and_changes_the_zone_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = cli_demo(dir.path(), "clinic.sqlite", "UTC", "Asia/Shanghai");
    let set = |args: &[&str], pin: &str| {
        ws("America/New_York")
            .arg("--db")
            .arg(&db)
            .env("WARDSTOCK_PIN", pin)
            .args(args)
            .output()
            .unwrap()
    };
    let out = set(
        &[
            "site",
            "set",
            "--timezone",
            "Europe/Rome",
            "--user",
            "admin",
        ],
        "1234",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("Europe/Rome") && said.contains("Asia/Shanghai"),
        "{said}"
    );
    let show = run("Asia/Tokyo", &db, &["site", "show"]);
    assert!(
        show.contains("time zone: Europe/Rome (set by admin on"),
        "{show}"
    );
    let json = run("Asia/Tokyo", &db, &["site", "show", "--json"]);
    assert!(json.contains("\"timezone\": \"Europe/Rome\""), "{json}");
    // A nurse may not; an unknown zone is refused, in both languages.
    let out = set(
        &[
            "site",
            "set",
            "--timezone",
            "Europe/Paris",
            "--user",
            "nurse",
        ],
        "1234",
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("only an administrator"));
    let out = set(
        &[
            "site",
            "set",
            "--timezone",
            "Mars/Olympus",
            "--user",
            "admin",
        ],
        "1234",
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not a time zone"));
    let out = set(
        &[
            "--lang",
            "zh-CN",
            "site",
            "set",
            "--timezone",
            "Mars/Olympus",
            "--user",
            "admin",
        ],
        "1234",
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("不是时区"));
    assert!(run("UTC", &db, &["site", "show"]).contains("time zone: Europe/Rome"));
}

#[test]
fn a_database_without_a_stored_zone_still_opens_and_checks() {
    let (_dir, db) = common::demo_db();
    {
        let store = Store::open(&db).unwrap();
        store
            .conn
            .execute("DELETE FROM settings WHERE key = 'timezone'", [])
            .unwrap();
    }
    // The computer's zone (else UTC) until an administrator sets one.
    let store = Store::open(&db).unwrap();
    assert_eq!(store.zone(), wardstock::store::machine_zone());
    drop(store);
    run("Asia/Tokyo", &db, &["check"]);
    let show = run("Asia/Tokyo", &db, &["site", "show"]);
    assert!(show.contains("not stored with the site"), "{show}");
    assert!(show.contains("wardstock site set --timezone"), "{show}");
}

#[test]
fn the_console_keeps_the_site_day_and_clock() {
    use wardstock::tui::app::App;
    use wardstock::tui::keymap::Keymap;
    let (_dir, store) = site_in("Asia/Shanghai");
    let late_evening_utc = at("2026-11-22T17:00:00Z");
    let app = App::with_lang(
        store,
        Keymap::defaults(),
        late_evening_utc,
        (100, 30),
        Some(wardstock::i18n::Lang::En),
    );
    assert_eq!(
        app.cx.today(),
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    );
    // This console's thread shows Shanghai's time.
    assert_eq!(
        wardstock::i18n::datetime(wardstock::i18n::local(late_evening_utc)),
        "2026-11-23 01:00"
    );
}

/// Nothing in the program reads the computer's zone for a local time: the
/// site's zone is the only clock.
#[test]
fn no_code_reads_the_computer_s_clock_zone() {
    fn walk(dir: &Path, found: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                for (n, line) in text.lines().enumerate() {
                    let code = line.split("//").next().unwrap_or("");
                    if code.contains("chrono::Local")
                        || code.contains("Local::now")
                        || code.contains("&Local")
                        || code.contains(" Local,")
                        || code.contains("{Local")
                    {
                        found.push(format!("{}:{}: {}", path.display(), n + 1, line.trim()));
                    }
                }
            }
        }
    }
    let mut found = Vec::new();
    walk(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut found,
    );
    assert!(
        found.is_empty(),
        "the machine's zone is read at:\n{}",
        found.join("\n")
    );
}
