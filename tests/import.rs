//! A site set up from its own spreadsheets: `wardstock import` and
//! `wardstock export` on a new database (`wardstock init`) and on the demo.

mod common;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;

const KINDS: [&str; 8] = [
    "suppliers",
    "places",
    "locations",
    "items",
    "users",
    "patients",
    "allergies",
    "stock",
];

fn ws(db: &Path) -> Command {
    let mut c = Command::cargo_bin("wardstock").unwrap();
    c.env_remove("WARDSTOCK_DB")
        .env_remove("WARDSTOCK_LANG")
        .env_remove("WARDSTOCK_USER")
        .env_remove("LC_ALL")
        .env("LANG", "C")
        .arg("--db")
        .arg(db);
    c
}

/// A new site: its pharmacy RX and its administrator amina (PIN 4321).
fn new_site() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("riverside.sqlite");
    ws(&db)
        .env("WARDSTOCK_PIN", "4321")
        .args([
            "init",
            "--site",
            "Riverside Clinic",
            "--timezone",
            "Asia/Shanghai",
            "--pharmacy",
            "RX",
            "--admin",
            "amina",
        ])
        .assert()
        .success();
    (dir, db)
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// Imports as `user` with `pin`; returns the command's output.
fn import(db: &Path, user: &str, pin: &str, kind: &str, file: &Path) -> std::process::Output {
    ws(db)
        .env("WARDSTOCK_PIN", pin)
        .args(["import", kind])
        .arg(file)
        .args(["--user", user])
        .output()
        .unwrap()
}

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn counts(o: &std::process::Output) -> (usize, usize, usize) {
    let text = stdout(o);
    let line = text
        .lines()
        .find(|l| l.contains(" added, "))
        .unwrap_or_else(|| {
            panic!(
                "no summary in {text:?} / {}",
                String::from_utf8_lossy(&o.stderr)
            )
        });
    let n: Vec<usize> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap())
        .collect();
    (n[0], n[1], n[2])
}

fn check_clean(db: &Path) {
    ws(db).arg("check").assert().success();
}

fn export(db: &Path, kind: &str) -> String {
    let o = ws(db).args(["export", kind]).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}

const SUPPLIERS: &str = "code,name,lead_days\nACME,Acme Pharma Ltd,3\nMEDI,Medi Supplies,5\n";
const PLACES: &str =
    "code,name,kind,transport_minutes\nMED1,Medical ward 1,ward,10\nSUR1,Surgical ward 1,ward,15\n";
const LOCATIONS: &str = "place,code,name,kind\nRX,SHELF-A,Shelf A,shelf\nRX,FRIDGE,Pharmacy fridge,fridge\nMED1,SAFE,Controlled drugs safe,safe\nRX,CDSAFE,Pharmacy controlled-drug safe,safe\n";
const ITEMS: &str = "code,name,generic_name,atc,form,strength,strength_unit,dose_unit,units_per_pack,gtin,unit_price,storage,controlled,high_alert,supplier,max_daily_dose,in_use_days,per_patient,kind\n\
PARA500T,Paracetamol 500 mg tablet,paracetamol,N02BE01,tablet,500,mg,tablet,20,4031847000072,0.03,room,no,no,ACME,4000,,no,drug\n\
MORPH10I,Morphine 10 mg/mL injection,morphine,N02AA01,injection,10,mg,ampoule,10,05012345678900|4006381333931,2.67,room,yes,yes,MEDI,,,no,drug\n\
INSGLAR,Insulin glargine 100 IU/mL pen,insulin glargine,A10AE04,injection,300,IU,pen,5,96385074,24.5,cold,no,yes,,,28,yes,drug\n\
GLOVEM,Examination gloves M,gloves,,consumable,,,pair,100,4012345678901,0.05,room,0,0,,,,,consumable\n";
const USERS: &str = "name,full_name,role,pin\nlwang,Li Wang,nurse,2468\nmrossi,Maria Rossi,pharmacist,1357\nzchen,Zhou Chen,nurse_manager,\n";
const PATIENTS: &str = "mrn,name,date_of_birth,ward,bed,sex\nMRN0001,Giulia Bianchi,1948-03-14,MED1,12,female\nMRN0002,王芳,1990-07-01,SUR1,3,female\n";
const ALLERGIES: &str = "mrn,substance,kind,atc,reaction\nMRN0001,penicillin,allergy,J01C,rash\nMRN0002,codeine,intolerance,,nausea\n";
const STOCK: &str = "place,item,lot,expiry,qty,packs,location\nRX,PARA500T,P2301,2029-06-30,400,,SHELF-A\nRX,MORPH10I,M77,2029-01-31,,3,\nMED1,PARA500T,P2301,2029-06-30,40,,\nMED1,GLOVEM,G1,,200,,\n";

fn files(dir: &Path) -> Vec<(&'static str, PathBuf)> {
    [
        ("suppliers", SUPPLIERS),
        ("places", PLACES),
        ("locations", LOCATIONS),
        ("items", ITEMS),
        ("users", USERS),
        ("patients", PATIENTS),
        ("allergies", ALLERGIES),
        ("stock", STOCK),
    ]
    .into_iter()
    .map(|(k, text)| (k, write(dir, &format!("{k}.csv"), text)))
    .collect()
}

#[test]
fn a_clinic_sets_itself_up_from_its_spreadsheets_and_a_second_import_changes_nothing() {
    let (dir, db) = new_site();
    let expected_rows = [2, 2, 4, 4, 3, 2, 2, 4];
    let files = files(dir.path());
    for ((kind, file), n) in files.iter().zip(expected_rows) {
        let user = if *kind == "stock" { "mrossi" } else { "amina" };
        let pin = if *kind == "stock" { "1357" } else { "4321" };
        let o = import(&db, user, pin, kind, file);
        assert!(
            o.status.success(),
            "{kind}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert_eq!(counts(&o), (n, 0, 0), "{kind}: {}", stdout(&o));
        if *kind == "users" {
            // Only the user without a PIN gets a one-time PIN.
            let text = stdout(&o);
            assert!(text.contains("one-time PIN for zchen"), "{text}");
            assert!(!text.contains("one-time PIN for lwang"), "{text}");
        }
        check_clean(&db);
    }
    // Again: nothing changes, nothing is booked twice.
    for (kind, file) in &files {
        let o = import(&db, "amina", "4321", kind, file);
        assert!(
            o.status.success(),
            "{kind}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let (added, changed, unchanged) = counts(&o);
        assert_eq!((added, changed), (0, 0), "{kind}: {}", stdout(&o));
        assert!(unchanged > 0);
    }
    check_clean(&db);

    // A patient's sex is kept and exported with the import's columns.
    let patients = export(&db, "patients");
    assert!(
        patients.contains("MRN0002,王芳,1990-07-01,SUR1,3,female"),
        "{patients}"
    );

    // The opening balances: packs counted in units, at each place.
    let stock = export(&db, "stock");
    assert!(stock.contains("RX,MORPH10I,M77,2029-01-31,30"), "{stock}");
    assert!(
        stock.contains("MED1,PARA500T,P2301,2029-06-30,40"),
        "{stock}"
    );
    assert!(
        stock.contains("RX,PARA500T,P2301,2029-06-30,400"),
        "{stock}"
    );
    let movements = export(&db, "movements");
    assert_eq!(movements.lines().count(), 1 + 4, "{movements}");
    assert!(movements.contains("opening balance"));
    assert!(
        movements.contains(",mrossi,"),
        "attributed to who booked it: {movements}"
    );

    // Decimals exact, several GTINs, a GTIN-8 and a supplier kept.
    let items = export(&db, "items");
    assert!(items.contains("MORPH10I,Morphine 10 mg/mL injection,morphine,N02AA01,injection,10,mg,ampoule,10,4006381333931|5012345678900,2.67,room,yes,yes,MEDI"), "{items}");
    assert!(items.contains("INSGLAR,Insulin glargine 100 IU/mL pen,insulin glargine,A10AE04,injection,300,IU,pen,5,96385074,24.50,cold,no,yes,,,28,yes,drug"), "{items}");
    assert!(items.contains("PARA500T,Paracetamol 500 mg tablet,paracetamol,N02BE01,tablet,500,mg,tablet,20,4031847000072,0.03,room,no,no,ACME,4000,,no,drug"), "{items}");

    // The site's own nurse signs in with the PIN from the file.
    ws(&db)
        .env("WARDSTOCK_PIN", "2468")
        .args(["user", "language", "--user", "lwang", "en"])
        .assert()
        .success();
}

#[test]
fn a_changed_row_is_updated_and_attributed() {
    let (dir, db) = new_site();
    for (kind, file) in files(dir.path()).iter().take(4) {
        assert!(import(&db, "amina", "4321", kind, file).status.success());
    }
    let changed = ITEMS.replace(
        "Paracetamol 500 mg tablet,paracetamol,N02BE01,tablet,500,mg,tablet,20,4031847000072,0.03",
        "Paracetamol 500 mg tablet,paracetamol,N02BE01,tablet,500,mg,tablet,20,4031847000072,0.04",
    );
    let file = write(dir.path(), "items2.csv", &changed);
    let o = import(&db, "amina", "4321", "items", &file);
    assert_eq!(counts(&o), (0, 1, 3), "{}", stdout(&o));
    assert!(export(&db, "items").contains("4031847000072,0.04,"));
    let conn = rusqlite::Connection::open(&db).unwrap();
    let (who, before, after): (String, String, String) = conn
        .query_row(
            "SELECT u.username, h.before, h.after FROM reference_history h JOIN users u ON u.id = h.user_id
             WHERE h.kind = 'item' AND h.code = 'PARA500T' AND h.action = 'changed'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(who, "amina");
    assert!(before.contains("\"unit_price_cents\":3"), "{before}");
    assert!(after.contains("\"unit_price_cents\":4"), "{after}");
    check_clean(&db);
}

/// Imports `text` as `kind` and returns the lines printed (none written).
fn refused(db: &Path, dir: &Path, kind: &str, text: &str) -> String {
    let file = write(dir, &format!("bad-{kind}.csv"), text);
    let o = import(db, "amina", "4321", kind, &file);
    assert!(!o.status.success(), "{kind} accepted: {}", stdout(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("nothing was written"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    stdout(&o)
}

#[test]
fn every_kind_of_bad_row_is_named_by_its_line_and_column() {
    let (dir, db) = new_site();
    let d = dir.path();
    for (kind, file) in files(d).iter().take(3) {
        assert!(import(&db, "amina", "4321", kind, file).status.success());
    }

    let out = refused(
        &db,
        d,
        "places",
        "code,name,kind,transport_minutes\nICU,Intensive care,ward,5\nOPD,,clinic,-3\nICU,Again,ward,x\nRX,Pharmacy,ward,0\n",
    );
    assert!(out.contains("line 3, name: is empty"), "{out}");
    assert!(
        out.contains("line 3, kind: clinic is not known: use one of pharmacy | ward"),
        "{out}"
    );
    assert!(
        out.contains("line 3, transport_minutes: -3 is too small: at least 0"),
        "{out}"
    );
    assert!(
        out.contains("line 4, transport_minutes: x is not a whole number"),
        "{out}"
    );
    assert!(
        out.contains("line 5, kind: the place is a pharmacy"),
        "{out}"
    );

    let out = refused(
        &db,
        d,
        "places",
        "code,name,kind,transport_minutes\nICU,Intensive care,ward,5\nICU,Again,ward,5\n",
    );
    assert!(
        out.contains("line 3, code: ICU is already on line 2: keep one of the two rows"),
        "{out}"
    );

    let out = refused(
        &db,
        d,
        "locations",
        "place,code,name,kind\nNOPE,S1,Shelf,shelf\nRX,S2,Shelf,cupboard\n",
    );
    assert!(out.contains("line 2, place: no place NOPE"), "{out}");
    assert!(out.contains("line 3, kind: cupboard is not known"), "{out}");

    let out = refused(
        &db,
        d,
        "suppliers",
        "code,name,lead_days\nX,,2\nY,Y Ltd,soon\n",
    );
    assert!(out.contains("line 2, name: is empty"), "{out}");
    assert!(
        out.contains("line 3, lead_days: soon is not a whole number"),
        "{out}"
    );

    let out = refused(
        &db,
        d,
        "items",
        &format!(
            "{}\nA1,A,a,N02BE01,tablet,0.5,mg,tablet,10,4031847000073,2.67,room,yes,no\n\
             A2,B,b,XX,pill,1.2345,mg,tablet,0,123,2.675,warm,maybe,no\n\
             A3,C,c,N02BE01,tablet,1,mg,tablet,10,,1,room,no,no\n",
            ITEMS
                .lines()
                .next()
                .unwrap()
                .split(",supplier")
                .next()
                .unwrap()
        ),
    );
    assert!(
        out.contains("line 2, gtin: check digit should be 2"),
        "{out}"
    );
    assert!(out.contains("line 3, atc: XX is not an ATC code"), "{out}");
    assert!(out.contains("line 3, form: pill is not known"), "{out}");
    assert!(
        out.contains("line 3, strength: 1.2345 is not a number with at most 3 decimals"),
        "{out}"
    );
    assert!(
        out.contains("line 3, units_per_pack: 0 is too small"),
        "{out}"
    );
    assert!(out.contains("line 3, gtin: 123 is not a GTIN"), "{out}");
    assert!(
        out.contains("line 3, unit_price: 2.675 is not a number with at most 2 decimals"),
        "{out}"
    );
    assert!(
        out.contains("line 3, storage: warm is not known: use one of room | cold | frozen"),
        "{out}"
    );
    assert!(
        out.contains("line 3, controlled: maybe is not yes or no"),
        "{out}"
    );
    assert!(out.contains("line 4, gtin: is empty"), "{out}");
    let out = refused(
        &db,
        d,
        "items",
        "Code,Name,Generic Name,ATC,Form,Strength,Strength Unit,Dose Unit,Units per Pack,GTIN,Unit Price,Storage,Controlled,High Alert\n\
         A5,E,e,N02BE01,tablet,500,mg,tablet,10,4.03185E+12,1,room,否,是\n",
    );
    assert!(
        out.contains("line 2, gtin: 4.03185E+12 is a barcode the spreadsheet turned into a number"),
        "{out}"
    );
    assert_eq!(
        out.lines().count(),
        1,
        "headers with spaces and 是/否 are read: {out}"
    );
    let out = refused(
        &db,
        d,
        "items",
        "code,name,generic_name,atc,form,strength,strength_unit,dose_unit,units_per_pack,gtin,unit_price,storage,controlled,high_alert\n\
         A4,D,d,N02BE01,tablet,500,,tablet,10,4031847000140,1,room,no,no\n",
    );
    assert!(out.contains("line 2, strength_unit: is empty"), "{out}");

    // A GTIN already linked to another item is refused, naming it.
    assert!(
        import(&db, "amina", "4321", "items", &files(d)[3].1)
            .status
            .success()
    );
    let out = refused(
        &db,
        d,
        "items",
        "code,name,generic_name,atc,form,strength,strength_unit,dose_unit,units_per_pack,gtin,unit_price,storage,controlled,high_alert,supplier\n\
         PARA1G,Paracetamol 1 g,paracetamol,N02BE01,tablet,1000,mg,tablet,10,4031847000072,0.06,room,no,no,NOSUCH\n",
    );
    assert!(
        out.contains("line 2, gtin: GTIN 4031847000072 is already linked to item PARA500T"),
        "{out}"
    );
    assert!(
        out.contains("line 2, supplier: no supplier NOSUCH"),
        "{out}"
    );

    let out = refused(
        &db,
        d,
        "users",
        "name,full_name,role,pin\nl wang,Li,nurse,12\nx,X,doctor,\n",
    );
    assert!(out.contains("line 2, name: l wang has spaces"), "{out}");
    assert!(out.contains("line 2, pin: a PIN is 4 to 8 digits"), "{out}");
    assert!(out.contains("line 3, role: doctor is not known"), "{out}");
    let out = refused(&db, d, "users", "name,full_name,role\namina,Amina,nurse\n");
    assert!(out.contains("line 2, role: this is your own user"), "{out}");

    let out = refused(
        &db,
        d,
        "patients",
        "mrn,name,date_of_birth,ward,bed\nM1,A,14/03/1948,MED1,1\nM2,B,1950-01-01,RX,2\nM3,C,1950-01-01,ICU,3\n",
    );
    assert!(
        out.contains("line 2, date_of_birth: 14/03/1948 is not a date as the import reads it: write it as 1948-03-14"),
        "{out}"
    );
    assert!(out.contains("line 3, ward: RX is not a ward"), "{out}");
    assert!(out.contains("line 4, ward: no place ICU"), "{out}");

    let out = refused(
        &db,
        d,
        "allergies",
        "mrn,substance,kind,atc\nNOBODY,penicillin,allergy,J01C\nNOBODY,latex,rash,penicillin\n",
    );
    assert!(
        out.contains("line 2, mrn: no patient with MRN NOBODY"),
        "{out}"
    );
    assert!(out.contains("line 3, kind: rash is not known"), "{out}");
    assert!(
        out.contains("line 3, atc: penicillin is not an ATC code"),
        "{out}"
    );

    let out = refused(
        &db,
        d,
        "stock",
        "place,item,lot,expiry,qty,packs,location\n\
         RX,NOSUCH,L1,2029-01-01,5,,\n\
         RX,PARA500T,L2,2020-01-01,5,,\n\
         RX,PARA500T,L3,2029-01-01,,,\n\
         RX,PARA500T,L4,2029-01-01,5,1,\n\
         RX,PARA500T,L5,2029-01-01,0,,\n\
         RX,PARA500T,L6,2029-13-01,5,,\n\
         RX,PARA500T,L7,2029-01-01,5,,NOWHERE\n",
    );
    assert!(out.contains("line 2, item: no item NOSUCH"), "{out}");
    assert!(
        out.contains("line 3, expiry: expired on 2020-01-01"),
        "{out}"
    );
    assert!(
        out.contains("line 4, qty: give either qty (units) or packs"),
        "{out}"
    );
    assert!(
        out.contains("line 5, qty: give either qty (units) or packs"),
        "{out}"
    );
    assert!(
        out.contains("line 6, qty: 0 is too small: at least 1"),
        "{out}"
    );
    assert!(
        out.contains("line 7, expiry: 2029-13-01 is not a date"),
        "{out}"
    );
    assert!(
        out.contains("line 8, location: no location NOWHERE at RX"),
        "{out}"
    );
    check_clean(&db);
}

#[test]
fn one_bad_row_writes_nothing_and_a_dry_run_writes_nothing() {
    let (dir, db) = new_site();
    let d = dir.path();
    let bad = write(
        d,
        "places.csv",
        "code,name,kind,transport_minutes\nMED1,Medical 1,ward,10\nMED2,Medical 2,ward,10\nMED3,Medical 3,hospice,10\n",
    );
    let o = import(&db, "amina", "4321", "places", &bad);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("line 4, kind"));
    assert_eq!(export(&db, "places").lines().count(), 2, "only RX");

    let good = write(d, "places-ok.csv", PLACES);
    let o = ws(&db)
        .env("WARDSTOCK_PIN", "4321")
        .args(["import", "places"])
        .arg(&good)
        .args(["--user", "amina", "--dry-run"])
        .output()
        .unwrap();
    assert!(o.status.success());
    assert_eq!(counts(&o), (2, 0, 0));
    assert!(stdout(&o).contains("dry run"));
    assert_eq!(
        export(&db, "places").lines().count(),
        2,
        "a dry run writes nothing"
    );

    // A stock file with one bad row books no movement at all.
    for (kind, file) in files(d).iter().take(4) {
        assert!(import(&db, "amina", "4321", kind, file).status.success());
    }
    let stock = write(
        d,
        "stock-bad.csv",
        &format!("{STOCK}RX,PARA500T,P9,2029-01-01,-4,,\n"),
    );
    let o = import(&db, "amina", "4321", "stock", &stock);
    assert!(stdout(&o).contains("line 6, qty"), "{}", stdout(&o));
    assert_eq!(export(&db, "movements").lines().count(), 1);
    check_clean(&db);
}

#[test]
fn a_spreadsheets_bom_semicolons_and_decimal_commas_are_read() {
    let (dir, db) = new_site();
    let d = dir.path();
    assert!(
        import(&db, "amina", "4321", "suppliers", &files(d)[0].1)
            .status
            .success()
    );
    let text = "\u{feff}Code;Name;Generic_Name;ATC;Form;Strength;Strength_Unit;Dose_Unit;Units_per_Pack;GTIN;Unit_Price;Storage;Controlled;High_Alert;Colour\r\n\
                AMOX500C;Amoxicilline 500 mg;amoxicillin;J01CA04;capsule;500;mg;capsule;16;4031847000072;0,35;room;nee;no;red\r\n";
    let file = write(d, "items-nl.csv", text);
    let o = import(&db, "amina", "4321", "items", &file);
    assert!(
        o.status.success() || stdout(&o).contains("nee"),
        "{}",
        stdout(&o)
    );
    // "nee" is not a boolean the import knows: refused, named.
    assert!(
        stdout(&o).contains("line 2, controlled: nee is not yes or no"),
        "{}",
        stdout(&o)
    );
    let file = write(d, "items-nl.csv", &text.replace(";nee;", ";no;"));
    let o = import(&db, "amina", "4321", "items", &file);
    assert!(o.status.success(), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("note: columns not read: colour"),
        "{}",
        stdout(&o)
    );
    assert_eq!(counts(&o), (1, 0, 0));
    assert!(export(&db, "items").contains("AMOX500C,Amoxicilline 500 mg,amoxicillin,J01CA04,capsule,500,mg,capsule,16,4031847000072,0.35,"));
    let o = import(&db, "amina", "4321", "items", &file);
    assert_eq!(counts(&o), (0, 0, 1));

    // Missing columns are refused by name.
    let file = write(d, "short.csv", "code;name\nX;Y\n");
    ws(&db)
        .env("WARDSTOCK_PIN", "4321")
        .args(["import", "items"])
        .arg(&file)
        .args(["--user", "amina"])
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "lacks the columns generic_name, atc, form",
        ));
}

#[test]
fn who_may_import() {
    let (dir, db) = new_site();
    let d = dir.path();
    for (kind, file) in files(d).iter().take(5) {
        assert!(import(&db, "amina", "4321", kind, file).status.success());
    }
    let o = import(&db, "lwang", "2468", "items", &files(d)[3].1);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("may not import"));
    let o = import(&db, "mrossi", "1357", "places", &files(d)[1].1);
    assert!(!o.status.success());
    let o = import(&db, "lwang", "2468", "stock", &files(d)[7].1);
    assert!(!o.status.success());
    let o = import(&db, "mrossi", "1357", "stock", &files(d)[7].1);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn the_demo_exports_and_imports_back_unchanged() {
    let (dir, db) = common::demo_db();
    for kind in KINDS {
        let out = dir.path().join(format!("{kind}.csv"));
        ws(&db)
            .args(["export", kind, "--out"])
            .arg(&out)
            .assert()
            .success()
            .stdout(predicate::str::contains("rows written"));
        let bytes = std::fs::read(&out).unwrap();
        assert!(
            bytes.starts_with(b"\xEF\xBB\xBF"),
            "{kind}: a spreadsheet sees UTF-8"
        );
        let user = if kind == "stock" { "pharm" } else { "admin" };
        let o = import(&db, user, "1234", kind, &out);
        assert!(
            o.status.success(),
            "{kind}: {}\n{}",
            stdout(&o),
            String::from_utf8_lossy(&o.stderr)
        );
        let (added, changed, unchanged) = counts(&o);
        assert_eq!((added, changed), (0, 0), "{kind}: {}", stdout(&o));
        assert!(unchanged > 0, "{kind}");
    }
    check_clean(&db);
    // Export → import → export gives the same file.
    for kind in KINDS {
        let again = export(&db, kind);
        let first = std::fs::read_to_string(dir.path().join(format!("{kind}.csv"))).unwrap();
        assert_eq!(again, first, "{kind}");
    }
}

#[test]
fn movements_export_by_period_streams_the_ledger() {
    let (_dir, db) = common::demo_db();
    let all = export(&db, "movements");
    assert!(all.starts_with(
        "\u{feff}id,at,kind,item,lot,expiry,from,to,qty,user,patient,reason,order_ref,from_location,to_location\n"
    ));
    let total = all.lines().count() - 1;
    let conn = rusqlite::Connection::open(&db).unwrap();
    let n: i64 = conn
        .query_row("SELECT count(*) FROM movements", [], |r| r.get(0))
        .unwrap();
    assert_eq!(total as i64, n);
    let period = |from: &str, to: &str| -> Vec<String> {
        let o = ws(&db)
            .args(["export", "movements", "--from", from, "--to", to])
            .output()
            .unwrap();
        assert!(o.status.success());
        String::from_utf8(o.stdout)
            .unwrap()
            .lines()
            .skip(1)
            .map(str::to_string)
            .collect()
    };
    // The site's days partition the ledger: two days are the first, then the second.
    let first = period("2026-11-01", "2026-11-01");
    let second = period("2026-11-02", "2026-11-02");
    let both = period("2026-11-01", "2026-11-02");
    assert!(!first.is_empty() && !second.is_empty());
    assert_eq!(both, [first.clone(), second].concat());
    assert!(first.iter().all(|l| all.contains(l.as_str())));
    assert!(first.len() < total);
    ws(&db)
        .args(["export", "movements", "--from", "1 Nov"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("--from: 1 Nov is not a date"));
}

#[test]
fn templates_print_and_import_as_they_are() {
    let (dir, db) = new_site();
    for kind in KINDS {
        let o = ws(&db)
            .args(["import", "--template", kind])
            .output()
            .unwrap();
        assert!(o.status.success());
        let text = String::from_utf8(o.stdout).unwrap();
        // The header and one example; items also show a consumable.
        let examples = if kind == "items" { 2 } else { 1 };
        assert_eq!(text.lines().count(), 1 + examples, "{kind}: {text}");
        let file = write(dir.path(), &format!("t-{kind}.csv"), &text);
        let o = import(&db, "amina", "4321", kind, &file);
        assert!(o.status.success(), "{kind}: {}", stdout(&o));
        assert_eq!(counts(&o), (examples, 0, 0), "{kind}");
        check_clean(&db);
    }
}

#[test]
fn a_bad_row_in_chinese() {
    let (dir, db) = new_site();
    let file = write(
        dir.path(),
        "sup.csv",
        "code,name,lead_days\nACME,Acme,soon\n",
    );
    let o = ws(&db)
        .env("WARDSTOCK_PIN", "4321")
        .args(["--lang", "zh-CN", "import", "suppliers"])
        .arg(&file)
        .args(["--user", "amina"])
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(
        stdout(&o).contains("第 2 行，lead_days：soon 不是整数"),
        "{}",
        stdout(&o)
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("未写入任何数据"));
}

#[test]
fn json_for_scripts() {
    let (dir, db) = new_site();
    let file = write(dir.path(), "sup.csv", SUPPLIERS);
    let o = ws(&db)
        .env("WARDSTOCK_PIN", "4321")
        .args(["import", "suppliers"])
        .arg(&file)
        .args(["--user", "amina", "--json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["added"], 2);
    assert_eq!(v["kind"], "suppliers");
    let bad = write(dir.path(), "bad.csv", "code,name,lead_days\nX,X,-1\n");
    let o = ws(&db)
        .env("WARDSTOCK_PIN", "4321")
        .args(["import", "suppliers"])
        .arg(&bad)
        .args(["--user", "amina", "--json"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["written"], false);
    assert_eq!(v["problems"][0]["line"], 2);
    assert_eq!(v["problems"][0]["column"], "lead_days");
    assert_eq!(v["problems"][0]["problem"], "too_small");
}

/// The site's files in a folder, as `import site` reads them.
fn site_folder(dir: &Path, files: &[(&str, &str)]) -> PathBuf {
    let folder = dir.join("site");
    std::fs::create_dir_all(&folder).unwrap();
    for (name, text) in files {
        write(&folder, name, text);
    }
    folder
}

fn import_site(db: &Path, folder: &Path, dry_run: bool) -> std::process::Output {
    let mut c = ws(db);
    c.env("WARDSTOCK_PIN", "4321")
        .args(["import", "site"])
        .arg(folder)
        .args(["--user", "amina"]);
    if dry_run {
        c.arg("--dry-run");
    }
    c.output().unwrap()
}

/// The summary line of one file of a site: (added, changed, unchanged).
fn file_counts(out: &str, file: &str) -> (usize, usize, usize) {
    let line = out
        .lines()
        .find(|l| l.starts_with(&format!("{file} (")) && l.contains(" added, "))
        .unwrap_or_else(|| panic!("no summary of {file} in {out}"));
    let n: Vec<usize> = line
        .rsplit(':')
        .next()
        .unwrap()
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap())
        .collect();
    (n[0], n[1], n[2])
}

const ALL_FILES: [(&str, &str); 8] = [
    ("suppliers.csv", SUPPLIERS),
    ("places.csv", PLACES),
    ("locations.csv", LOCATIONS),
    ("items.csv", ITEMS),
    ("users.csv", USERS),
    ("patients.csv", PATIENTS),
    ("allergies.csv", ALLERGIES),
    ("stock.csv", STOCK),
];

#[test]
fn stock_moved_between_two_locations_exports_and_imports_back_unchanged() {
    let (dir, db) = new_site();
    let d = dir.path();
    for (kind, file) in files(d).iter().take(5) {
        assert!(import(&db, "amina", "4321", kind, file).status.success());
    }
    let shelf_b = write(
        d,
        "shelf-b.csv",
        "place,code,name,kind\nRX,SHELF-B,Shelf B,shelf\n",
    );
    assert!(
        import(&db, "amina", "4321", "locations", &shelf_b)
            .status
            .success()
    );
    let o = import(&db, "mrossi", "1357", "stock", &files(d)[7].1);
    assert!(o.status.success(), "{}", stdout(&o));
    // 4 tablets of the lot go to another shelf of the pharmacy.
    let o = ws(&db)
        .env("WARDSTOCK_PIN", "1357")
        .args([
            "location", "move", "--place", "RX", "--item", "PARA500T", "--lot", "P2301", "--from",
            "SHELF-A", "--to", "SHELF-B", "--qty", "4", "--user", "mrossi",
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stock = export(&db, "stock");
    assert!(
        stock.contains("RX,PARA500T,P2301,2029-06-30,396,SHELF-A"),
        "{stock}"
    );
    assert!(
        stock.contains("RX,PARA500T,P2301,2029-06-30,4,SHELF-B"),
        "{stock}"
    );
    let movements = export(&db, "movements").lines().count();

    // The export imported back changes nothing: each row is compared with
    // the lot at its own location.
    let file = write(d, "stock-export.csv", &stock);
    let o = import(&db, "mrossi", "1357", "stock", &file);
    assert!(
        o.status.success(),
        "{}\n{}",
        stdout(&o),
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(counts(&o), (0, 0, 5), "{}", stdout(&o));
    assert_eq!(export(&db, "movements").lines().count(), movements);
    assert_eq!(export(&db, "stock"), stock);
    check_clean(&db);

    // Another count at one location is refused, naming the location; the
    // same row twice names its key.
    let changed = stock.replace(",4,SHELF-B", ",5,SHELF-B");
    let twice = format!("{changed}RX,PARA500T,P2301,2029-06-30,396,SHELF-A\n");
    let out = refused(&db, d, "stock", &twice);
    assert!(
        out.contains("qty: this lot already holds 4 at SHELF-B"),
        "{out}"
    );
    assert!(
        out.contains("line 7, lot: RX / PARA500T / P2301 / SHELF-A is already on line"),
        "{out}"
    );

    // A row without a location is the lot where the item arrives. Moved
    // from there (or the place's default location changed), the lot is not
    // booked a second time by the same file.
    let arrives = stock
        .lines()
        .find_map(|l| l.strip_prefix("MED1,PARA500T,P2301,2029-06-30,40,"))
        .unwrap()
        .to_string();
    let shelf_2 = write(
        d,
        "shelf-2.csv",
        "place,code,name,kind\nMED1,SHELF-2,Ward shelf 2,shelf\n",
    );
    assert!(
        import(&db, "amina", "4321", "locations", &shelf_2)
            .status
            .success()
    );
    assert_ne!(arrives, "SHELF-2");
    let o = ws(&db)
        .env("WARDSTOCK_PIN", "1357")
        .args([
            "location", "move", "--place", "MED1", "--item", "PARA500T", "--lot", "P2301",
            "--from", &arrives, "--to", "SHELF-2", "--user", "mrossi",
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // (The move is a line of the movements export.)
    let movements = export(&db, "movements").lines().count();
    // A new shelf on the ward may also change where its items arrive.
    let ward_rows: String = STOCK
        .lines()
        .filter(|l| !l.starts_with("RX,"))
        .map(|l| format!("{l}\n"))
        .collect();
    // Where the item already lies is where it arrives: the rows find the
    // lot on SHELF-2 and change nothing.
    let file = write(d, "ward-rows.csv", &ward_rows);
    let o = import(&db, "mrossi", "1357", "stock", &file);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(counts(&o), (0, 0, 2), "{}", stdout(&o));
    assert_eq!(export(&db, "movements").lines().count(), movements);
    check_clean(&db);
}

#[test]
fn a_whole_site_is_checked_from_its_folder_then_imported_in_one_go() {
    let (dir, db) = new_site();
    let d = dir.path();
    let mut files: Vec<(&str, &str)> = ALL_FILES.to_vec();
    files.push(("notes.txt", "call the supplier on Monday\n"));
    let folder = site_folder(d, &files);

    // A dry run checks every file against the ones before it (the items see
    // the suppliers of the folder, the stock its items) and writes nothing.
    let o = import_site(&db, &folder, true);
    let out = stdout(&o);
    assert!(
        o.status.success(),
        "{out}\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(file_counts(&out, "suppliers.csv"), (2, 0, 0), "{out}");
    assert_eq!(file_counts(&out, "items.csv"), (4, 0, 0), "{out}");
    assert_eq!(file_counts(&out, "stock.csv"), (4, 0, 0), "{out}");
    assert!(out.contains("dry run"), "{out}");
    assert!(out.contains("note: not read: notes.txt"), "{out}");
    assert!(!out.contains("one-time PIN"), "{out}");
    assert_eq!(export(&db, "suppliers").lines().count(), 1);
    assert_eq!(export(&db, "movements").lines().count(), 1);

    // One bad row in one file: every file is checked, every bad row named
    // with its file, and nothing of any file is written.
    let bad_items = ITEMS.replace("4031847000072,0.03", "4031847000073,0.03");
    let bad_stock = format!("{STOCK}RX,MORPH10I,M78,31/12/2029,5,,\n");
    let mut bad: Vec<(&str, &str)> = ALL_FILES.to_vec();
    bad[3].1 = &bad_items;
    bad[7].1 = &bad_stock;
    let folder_bad = d.join("bad");
    std::fs::create_dir_all(&folder_bad).unwrap();
    for (name, text) in &bad {
        write(&folder_bad, name, text);
    }
    write(&folder_bad, "users.csv", "name,role\nx,nurse\n");
    let o = import_site(&db, &folder_bad, false);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("items.csv, line 2, gtin: check digit should be 2"),
        "{out}"
    );
    assert!(
        out.contains("stock.csv, line 6, expiry: 31/12/2029 is not a date as the import reads it: write it as 2029-12-31"),
        "{out}"
    );
    assert!(
        out.contains("users.csv: the file lacks the columns full_name"),
        "{out}"
    );
    // The good rows of a file are seen by the next: only PARA500T is unknown to the stock.
    assert!(
        out.contains("stock.csv, line 2, item: no item PARA500T"),
        "{out}"
    );
    assert!(!out.contains("no item MORPH10I"), "{out}");
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("nothing was written from any file"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(export(&db, "suppliers").lines().count(), 1);
    assert_eq!(export(&db, "places").lines().count(), 2, "only RX");

    // Written in one go; the one-time PIN printed once.
    let o = import_site(&db, &folder, false);
    let out = stdout(&o);
    assert!(o.status.success(), "{out}");
    assert_eq!(file_counts(&out, "stock.csv"), (4, 0, 0), "{out}");
    assert!(out.contains("all written in one go: 8 files"), "{out}");
    assert!(out.contains("one-time PIN for zchen"), "{out}");
    check_clean(&db);
    assert_eq!(export(&db, "movements").lines().count(), 1 + 4);

    // Again: nothing changes.
    let o = import_site(&db, &folder, false);
    let out = stdout(&o);
    assert!(o.status.success(), "{out}");
    for (name, _) in ALL_FILES {
        let (added, changed, unchanged) = file_counts(&out, name);
        assert_eq!((added, changed), (0, 0), "{name}: {out}");
        assert!(unchanged > 0, "{name}");
    }
    check_clean(&db);

    // Files not in the folder are skipped, and said so.
    let some = site_folder(&d.join("some"), &ALL_FILES[..2]);
    let o = import_site(&db, &some, true);
    let out = stdout(&o);
    assert!(o.status.success(), "{out}");
    assert!(
        out.contains("not in the folder, skipped: locations.csv, items.csv"),
        "{out}"
    );
    // A folder without any of them is refused.
    let empty = d.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let o = import_site(&db, &empty, true);
    assert!(!o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("suppliers.csv, places.csv"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

const ITEM_HEADER: &str = "code,name,generic_name,atc,form,strength,strength_unit,dose_unit,units_per_pack,gtin,unit_price,storage,controlled,high_alert,kind\n";

#[test]
fn a_consumable_needs_no_generic_name_nor_form() {
    let (dir, db) = new_site();
    let file = write(
        dir.path(),
        "items.csv",
        &format!(
            "{ITEM_HEADER}GLOVEL,Examination gloves L,,,,,,pair,100,4012345678918,0.05,room,,,consumable\n\
             SYR5,Syringe 5 mL,,,consumable,,,piece,100,4012345678925,0.08,room,no,no,\n"
        ),
    );
    let o = import(&db, "amina", "4321", "items", &file);
    assert!(o.status.success(), "{}", stdout(&o));
    assert_eq!(counts(&o), (2, 0, 0));
    let items = export(&db, "items");
    assert!(
        items.contains("GLOVEL,Examination gloves L,Examination gloves L,,consumable,,,pair,100"),
        "{items}"
    );
    assert!(
        items.contains("SYR5,Syringe 5 mL,Syringe 5 mL,,consumable,"),
        "{items}"
    );
    // The export imports back unchanged.
    let back = write(dir.path(), "items-back.csv", &items);
    assert_eq!(
        counts(&import(&db, "amina", "4321", "items", &back)),
        (0, 0, 2)
    );

    // A medicine still needs them, and is told what to write.
    let out = refused(
        &db,
        dir.path(),
        "items",
        &format!(
            "{ITEM_HEADER}AMOX500,Amoxicillin 500 mg capsule,,J01CA04,,500,mg,capsule,21,4012345678932,0.12,room,no,no,drug\n"
        ),
    );
    assert!(
        out.contains("line 2, generic_name: is empty: write the active substance"),
        "{out}"
    );
    assert!(
        out.contains("line 2, form: is empty: write one of tablet | capsule"),
        "{out}"
    );
}

#[test]
fn everyday_units_and_their_other_spellings() {
    let (dir, db) = new_site();
    let file = write(
        dir.path(),
        "items.csv",
        &format!(
            "{ITEM_HEADER}SALB100,Salbutamol 100 µg inhaler,salbutamol,R03AC02,inhaler,100,µg,puff,200,4012345678918,3.50,room,no,no,drug\n\
             FENT25,Fentanyl 25 mcg/h patch,fentanyl,N02AB03,patch,25,mcg,patch,5,4012345678925,9.00,room,yes,yes,drug\n\
             HEP5,Heparin 5000 units/mL,heparin,B01AB01,injection,5000,units,units,10,4012345678932,1.20,room,no,yes,drug\n\
             ORS1,Oral rehydration salts,oral rehydration salts,A07CA,granules,,,pack,10,4012345678949,0.40,room,no,no,drug\n\
             VITD,Colecalciferol drops,colecalciferol,A11CC05,oral solution,10,μg,ml,1,4012345678956,2.00,room,no,no,drug\n"
        ),
    );
    let o = import(&db, "amina", "4321", "items", &file);
    // A07CA is a group, not a code: only that row is refused.
    let out = stdout(&o);
    assert!(
        out.contains("line 5, atc: A07CA is not an ATC code"),
        "{out}"
    );
    assert_eq!(out.lines().count(), 1, "{out}");
    let file = write(
        dir.path(),
        "items2.csv",
        &std::fs::read_to_string(&file)
            .unwrap()
            .replace(",A07CA,", ",A07CA01,"),
    );
    let o = import(&db, "amina", "4321", "items", &file);
    assert!(o.status.success(), "{}", stdout(&o));
    assert_eq!(counts(&o), (5, 0, 0));
    let items = export(&db, "items");
    assert!(
        items.contains(",inhaler,100,microgram,puff,200,"),
        "{items}"
    );
    assert!(items.contains(",patch,25,microgram,patch,5,"), "{items}");
    assert!(items.contains(",injection,5000,unit,unit,10,"), "{items}");
    assert!(items.contains(",granules,,,pack,10,"), "{items}");
    assert!(
        items.contains(",oral solution,10,microgram,ml,1,"),
        "{items}"
    );
    // Again: the other spellings are the same items.
    assert_eq!(
        counts(&import(&db, "amina", "4321", "items", &file)),
        (0, 0, 5)
    );
}

#[test]
fn dates_written_another_way_say_how_to_write_them() {
    let (dir, db) = new_site();
    let d = dir.path();
    for (kind, file) in files(d).iter().take(4) {
        assert!(import(&db, "amina", "4321", kind, file).status.success());
    }
    let out = refused(
        &db,
        d,
        "stock",
        "place,item,lot,expiry,qty\n\
         RX,PARA500T,L1,31/12/2027,5\n\
         RX,PARA500T,L2,2027/12/31,5\n\
         RX,PARA500T,L3,03/04/2027,5\n\
         RX,PARA500T,L4,2020-01-01,5\n\
         RX,PARA500T,L5,soon,5\n",
    );
    assert!(
        out.contains("line 2, expiry: 31/12/2027 is not a date as the import reads it: write it as 2027-12-31"),
        "{out}"
    );
    assert!(
        out.contains("line 3, expiry: 2027/12/31 is not a date as the import reads it: write it as 2027-12-31"),
        "{out}"
    );
    assert!(
        out.contains(
            "line 4, expiry: 03/04/2027 could be 2027-04-03 (day first) or 2027-03-04 (month first)"
        ),
        "{out}"
    );
    // Stock never booked cannot be disposed of in wardstock: left out.
    assert!(
        out.contains("line 5, expiry: expired on 2020-01-01: expired stock cannot be opening stock, and wardstock cannot dispose of stock it never held: delete this row"),
        "{out}"
    );
    assert!(
        out.contains("line 6, expiry: soon is not a date: write it as YYYY-MM-DD"),
        "{out}"
    );

    // In Chinese too.
    let file = write(
        d,
        "stock-zh.csv",
        "place,item,lot,expiry,qty\nRX,PARA500T,L1,31/12/2027,5\nRX,PARA500T,L2,2029-01-01,5\nRX,PARA500T,L2,2029-01-01,5\n",
    );
    let o = ws(&db)
        .env("WARDSTOCK_PIN", "4321")
        .args(["--lang", "zh-CN", "import", "stock"])
        .arg(&file)
        .args(["--user", "amina"])
        .output()
        .unwrap();
    let out = stdout(&o);
    assert!(
        out.contains("第 2 行，expiry：31/12/2027 不是可读取的日期写法：请写成 2027-12-31"),
        "{out}"
    );
    assert!(out.contains("第 4 行，lot：RX / PARA500T / L2 / "), "{out}");
    assert!(out.contains("已出现在第 3 行"), "{out}");
}
