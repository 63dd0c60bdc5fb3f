//! Stock held at storage locations: where goods arrive, the pick list's
//! walk through the store, moves between locations, a count of one
//! location, the administrator's locations, and the migration of a
//! database made before locations held stock.

mod common;

use rusqlite::Connection;
use wardstock::ops::refdata::{self, AdminError};
use wardstock::ops::stock::{self, ReceiveLine, Relocation, StockError};
use wardstock::store::{Store, check, queries};

use common::actor;

fn sound(store: &Store) {
    let report = check::run(&store.conn).unwrap();
    assert!(report.ok(), "{:?}", report.problems);
}

/// Units of `item` at `place`/`location` (all lots).
fn at(store: &Store, place: &str, location: &str, item: &str) -> i64 {
    store
        .conn
        .query_row(
            "SELECT COALESCE(sum(b.qty), 0) FROM location_balances b JOIN places p ON p.id = b.place_id
             JOIN locations l ON l.id = b.location_id JOIN items i ON i.id = b.item_id
             WHERE p.code = ?1 AND l.code = ?2 AND i.code = ?3",
            [place, location, item],
            |r| r.get(0),
        )
        .unwrap()
}

fn receive(
    store: &mut Store,
    item: &str,
    lot: &str,
    qty: i64,
    location: Option<&str>,
) -> stock::Received {
    let a = actor(store, "store");
    let line = ReceiveLine {
        item: stock::item_by_code(&store.conn, item).unwrap(),
        lot_number: lot.into(),
        expiry: Some(common::anchor().date_naive() + chrono::Duration::days(400)),
        qty,
        supplier: None,
        order_ref: None,
        location: location.map(str::to_string),
    };
    // Controlled drugs are checked in by a second user.
    let pharmacist = actor(store, "pharm");
    stock::receive(store, &a, common::anchor(), &line, 90, Some(&pharmacist)).unwrap()
}

#[test]
fn goods_arrive_where_the_item_is_kept() {
    let (_d, mut store) = common::open_demo();
    // A cold item goes to the pharmacy's fridge, a controlled drug to the
    // safe, everything else to the default shelf.
    let cold = receive(&mut store, "INSREG10V", "COLD-1", 10, None);
    let cd = receive(&mut store, "MORPH10I", "CD-1", 10, None);
    let room = receive(&mut store, "PARA500T", "ROOM-1", 100, None);
    assert_eq!(
        (
            cold.location.as_str(),
            cd.location.as_str(),
            room.location.as_str()
        ),
        ("FRIDGE", "CDSAFE", "SHELF")
    );
    // A location given by the storekeeper wins; an unknown one is refused
    // and nothing is written.
    let given = receive(&mut store, "PARA500T", "ROOM-2", 100, Some("fridge"));
    assert_eq!(given.location, "FRIDGE");
    let a = actor(&store, "store");
    let line = ReceiveLine {
        item: stock::item_by_code(&store.conn, "PARA500T").unwrap(),
        lot_number: "ROOM-3".into(),
        expiry: Some(common::anchor().date_naive() + chrono::Duration::days(400)),
        qty: 10,
        supplier: None,
        order_ref: None,
        location: Some("NOWHERE".into()),
    };
    let before = at(&store, "PHARM", "SHELF", "PARA500T");
    match stock::receive(&mut store, &a, common::anchor(), &line, 90, None) {
        Err(StockError::UnknownLocation { place, code }) => {
            assert_eq!((place.as_str(), code.as_str()), ("PHARM", "NOWHERE"))
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(at(&store, "PHARM", "SHELF", "PARA500T"), before);
    // An item kept at a chosen location arrives there from then on.
    let admin = actor(&store, "admin");
    let kept = refdata::item_location_set(
        &mut store,
        &admin,
        common::anchor(),
        "PHARM",
        "PARA500T",
        Some("CDSAFE"),
    )
    .unwrap();
    assert_eq!(kept, "CDSAFE");
    assert_eq!(
        receive(&mut store, "PARA500T", "ROOM-4", 10, None).location,
        "CDSAFE"
    );
    let usual = refdata::item_location_set(
        &mut store,
        &admin,
        common::anchor(),
        "PHARM",
        "PARA500T",
        None,
    )
    .unwrap();
    assert_eq!(usual, "SHELF");
    sound(&store);
}

#[test]
fn the_pick_list_says_where_each_lot_is_and_walks_the_store_in_location_order() {
    let (_d, mut store) = common::open_demo();
    let admin = actor(&store, "admin");
    let now = common::anchor();
    // Two shelves in the pharmacy: A-01 first in the walk, Z-99 last.
    for code in ["A-01", "Z-99"] {
        refdata::location_add(&mut store, &admin, now, "PHARM", code, code, "shelf", false)
            .unwrap();
    }
    let pharm = stock::place_by_code(&store.conn, "PHARM").unwrap();
    let store_user = actor(&store, "store");
    // Everything of AMOX500C on Z-99, everything of PARA500T on A-01.
    for (item, to) in [("AMOX500C", "Z-99"), ("PARA500T", "A-01")] {
        let it = stock::item_by_code(&store.conn, item).unwrap();
        for (lot, _) in lots_at(&store, "PHARM", item) {
            for (_, loc, _) in wardstock::store::ledger::lot_locations(
                &store.conn,
                pharm.id,
                lot_id(&store, item, &lot),
            )
            .unwrap()
            {
                stock::relocate(
                    &mut store,
                    &store_user,
                    now,
                    &Relocation {
                        place: &pharm,
                        item: &it,
                        lot: &lot,
                        from: &loc,
                        to,
                        qty: None,
                        reason: None,
                    },
                )
                .unwrap();
            }
        }
    }
    let ward = stock::place_by_code(&store.conn, "W-MED").unwrap();
    let manager = actor(&store, "manager");
    let lines = vec![
        (stock::item_by_code(&store.conn, "AMOX500C").unwrap(), 21),
        (stock::item_by_code(&store.conn, "GLOVE-M").unwrap(), 100),
        (stock::item_by_code(&store.conn, "PARA500T").unwrap(), 20),
    ];
    let id = stock::request_transfer(&mut store, &manager, now, &ward, &lines, None).unwrap();
    let order = stock::transfer_order(&store.conn, id, now).unwrap();
    let walk: Vec<(String, String)> = order
        .lines
        .iter()
        .map(|l| (l.item.code.clone(), l.suggestions[0].location.clone()))
        .collect();
    assert_eq!(
        walk,
        vec![
            ("PARA500T".to_string(), "A-01".to_string()),
            ("GLOVE-M".to_string(), "SHELF".to_string()),
            ("AMOX500C".to_string(), "Z-99".to_string()),
        ]
    );
    // Picking takes the units from the location the list named.
    let para = &order.lines[0];
    let s = &para.suggestions[0];
    let before = at(&store, "PHARM", "A-01", "PARA500T");
    stock::pick(
        &mut store,
        &store_user,
        now,
        id,
        &para.item,
        &s.lot_number,
        Some(20),
        false,
    )
    .unwrap();
    assert_eq!(at(&store, "PHARM", "A-01", "PARA500T"), before - 20);
    // Taken off the order, they go back to that location.
    stock::unpick(&mut store, &store_user, now, id, &para.item, &s.lot_number).unwrap();
    assert_eq!(at(&store, "PHARM", "A-01", "PARA500T"), before);
    sound(&store);
}

fn lots_at(store: &Store, place: &str, item: &str) -> Vec<(String, i64)> {
    let mut stmt = store
        .conn
        .prepare(
            "SELECT l.lot_number, b.qty FROM balances b JOIN lots l ON l.id = b.lot_id JOIN places p ON p.id = b.place_id
             JOIN items i ON i.id = b.item_id WHERE p.code = ?1 AND i.code = ?2 ORDER BY l.lot_number",
        )
        .unwrap();
    stmt.query_map([place, item], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn lot_id(store: &Store, item: &str, lot: &str) -> i64 {
    store
        .conn
        .query_row(
            "SELECT l.id FROM lots l JOIN items i ON i.id = l.item_id WHERE i.code = ?1 AND l.lot_number = ?2",
            [item, lot],
            |r| r.get(0),
        )
        .unwrap()
}

#[test]
fn moving_between_locations_keeps_the_place_stock_and_refuses_what_cannot_be() {
    let (_d, mut store) = common::open_demo();
    let now = common::anchor();
    let ward = stock::place_by_code(&store.conn, "W-MED").unwrap();
    let nurse = actor(&store, "nurse");
    let item = stock::item_by_code(&store.conn, "GLOVE-M").unwrap();
    let (lot, qty) = lots_at(&store, "W-MED", "GLOVE-M")[0].clone();
    let place_before = lots_at(&store, "W-MED", "GLOVE-M");
    let mv = |store: &mut Store, from: &str, to: &str, q: Option<i64>| {
        stock::relocate(
            store,
            &nurse,
            now,
            &Relocation {
                place: &ward,
                item: &item,
                lot: &lot,
                from,
                to,
                qty: q,
                reason: Some("tidying"),
            },
        )
    };
    let moved = mv(&mut store, "TROLLEY", "FRIDGE", Some(5)).unwrap();
    assert_eq!(
        (moved.from.as_str(), moved.to.as_str(), moved.qty),
        ("TROLLEY", "FRIDGE", 5)
    );
    assert_eq!(at(&store, "W-MED", "FRIDGE", "GLOVE-M"), 5);
    // The ward holds what it held: a move is not a movement of its stock.
    assert_eq!(lots_at(&store, "W-MED", "GLOVE-M"), place_before);
    match mv(&mut store, "FRIDGE", "TROLLEY", Some(6)) {
        Err(StockError::NotEnoughAtLocation {
            available,
            wanted,
            location,
            ..
        }) => {
            assert_eq!(
                (available, wanted, location.as_str()),
                (5, 6, "W-MED/FRIDGE")
            )
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        mv(&mut store, "FRIDGE", "fridge", None),
        Err(StockError::SameLocation { .. })
    ));
    assert!(matches!(
        mv(&mut store, "FRIDGE", "SHELF9", None),
        Err(StockError::UnknownLocation { .. })
    ));
    // No --qty: all the lot holds there.
    assert_eq!(mv(&mut store, "FRIDGE", "TROLLEY", None).unwrap().qty, 5);
    assert_eq!(at(&store, "W-MED", "FRIDGE", "GLOVE-M"), 0);
    assert!(qty > 0);
    // Someone without stock duties may not move stock.
    let admin = actor(&store, "admin");
    let e = stock::relocate(
        &mut store,
        &admin,
        now,
        &Relocation {
            place: &ward,
            item: &item,
            lot: &lot,
            from: "TROLLEY",
            to: "FRIDGE",
            qty: Some(1),
            reason: None,
        },
    )
    .unwrap_err();
    assert!(matches!(e, StockError::Forbidden(_)), "{e:?}");
    sound(&store);
}

#[test]
fn a_count_of_one_location_adjusts_only_that_location() {
    let (_d, mut store) = common::open_demo();
    let now = common::anchor();
    let ward = stock::place_by_code(&store.conn, "W-MED").unwrap();
    let nurse = actor(&store, "nurse");
    let manager = actor(&store, "manager");
    let item = stock::item_by_code(&store.conn, "GLOVE-M").unwrap();
    let (lot, _) = lots_at(&store, "W-MED", "GLOVE-M")[0].clone();
    stock::relocate(
        &mut store,
        &nurse,
        now,
        &Relocation {
            place: &ward,
            item: &item,
            lot: &lot,
            from: "TROLLEY",
            to: "FRIDGE",
            qty: Some(10),
            reason: None,
        },
    )
    .unwrap();
    let trolley_before = at(&store, "W-MED", "TROLLEY", "GLOVE-M");
    let id = stock::start_stocktake(&mut store, &manager, now, &ward, "GLOVE-M", Some("FRIDGE"))
        .unwrap();
    let st = stock::stocktake(&store.conn, id).unwrap();
    assert_eq!(st.location.as_deref(), Some("FRIDGE"));
    assert_eq!(
        st.lines.iter().map(|l| l.expected).collect::<Vec<_>>(),
        vec![10]
    );
    // Seven found in the fridge: three are missing there, and only there.
    stock::count(&mut store, &nurse, now, id, &item, &lot, 7).unwrap();
    stock::approve_stocktake(&mut store, &manager, now, id, None).unwrap();
    assert_eq!(at(&store, "W-MED", "FRIDGE", "GLOVE-M"), 7);
    assert_eq!(at(&store, "W-MED", "TROLLEY", "GLOVE-M"), trolley_before);
    sound(&store);
    // A location of another place is refused.
    let e =
        stock::start_stocktake(&mut store, &manager, now, &ward, "", Some("SHELF")).unwrap_err();
    assert!(matches!(e, StockError::UnknownLocation { .. }), "{e:?}");
}

#[test]
fn the_administrator_keeps_locations_and_nothing_holding_stock_is_closed() {
    let (_d, mut store) = common::open_demo();
    let now = common::anchor();
    let admin = actor(&store, "admin");
    // A new ward starts with a main store where its stock arrives.
    refdata::place_add(
        &mut store,
        &admin,
        now,
        "W-NEW",
        "New ward",
        wardstock::domain::PlaceKind::Ward,
        5,
    )
    .unwrap();
    let locs = queries::location_records(&store.conn, Some("W-NEW")).unwrap();
    assert_eq!(locs.len(), 1);
    assert!(locs[0].default && locs[0].code == "MAIN");
    let fridge = refdata::location_add(
        &mut store, &admin, now, "W-NEW", "FRIDGE", "Fridge", "fridge", false,
    )
    .unwrap();
    assert!(!fridge.default);
    // Unknown kinds are refused naming the kinds there are.
    match refdata::location_add(
        &mut store, &admin, now, "W-NEW", "X", "X", "cupboard", false,
    ) {
        Err(AdminError::Choice { field, allowed, .. }) => {
            assert_eq!(field, "kind");
            assert!(allowed.contains(&"fridge"));
        }
        other => panic!("{other:?}"),
    }
    // "safe" is the controlled-drug safe.
    assert_eq!(
        refdata::location_add(
            &mut store, &admin, now, "W-NEW", "SAFE", "Safe", "safe", false
        )
        .unwrap()
        .kind,
        "cd_safe"
    );
    // The default cannot be closed; another is chosen first.
    assert!(matches!(
        refdata::location_close(&mut store, &admin, now, "W-NEW", "MAIN"),
        Err(AdminError::LocationIsDefault { .. })
    ));
    refdata::location_edit(&mut store, &admin, now, "W-NEW", "FRIDGE", None, None, true).unwrap();
    let main = refdata::location_close(&mut store, &admin, now, "W-NEW", "MAIN").unwrap();
    assert!(main.closed_at.is_some());
    // A location holding stock is not closed.
    match refdata::location_close(&mut store, &admin, now, "W-MED", "TROLLEY") {
        Err(AdminError::LocationHoldsStock { units, .. }) => assert!(units > 0),
        other => panic!("{other:?}"),
    }
    // Only the administrator changes locations; each change is kept.
    let nurse = actor(&store, "nurse");
    assert!(matches!(
        refdata::location_add(&mut store, &nurse, now, "W-MED", "X", "X", "shelf", false),
        Err(AdminError::NotAdmin { .. })
    ));
    let kept: i64 = store
        .conn
        .query_row("SELECT count(*) FROM reference_history WHERE kind = 'location' AND code LIKE 'W-NEW/%'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(
        kept, 4,
        "added FRIDGE, SAFE; FRIDGE made default; MAIN closed"
    );
    sound(&store);
}

/// The schema of version 8 (before locations held stock), with stock.
fn version_8_database(path: &std::path::Path) {
    let conn = Connection::open(path).unwrap();
    for sql in [
        include_str!("../src/store/migrations/001_ledger.sql"),
        include_str!("../src/store/migrations/002_operations.sql"),
        include_str!("../src/store/migrations/003_prescription_events.sql"),
        include_str!("../src/store/migrations/004_bedside.sql"),
        include_str!("../src/store/migrations/005_purchasing.sql"),
        include_str!("../src/store/migrations/006_user_language.sql"),
        include_str!("../src/store/migrations/007_reference_history.sql"),
        include_str!("../src/store/migrations/008_users.sql"),
    ] {
        conn.execute_batch(sql).unwrap();
    }
    conn.execute_batch(
        "PRAGMA application_id = 1463898692;
         PRAGMA user_version = 8;
         INSERT INTO places (id, code, name, kind) VALUES (1, 'PHARM', 'Pharmacy', 'pharmacy'), (2, 'W1', 'Ward 1', 'ward');
         INSERT INTO locations (place_id, code, name, kind) VALUES (2, 'FRIDGE', 'Fridge', 'fridge'), (2, 'TROLLEY', 'Trolley', 'trolley');
         INSERT INTO users (id, username, full_name, role, pin_hash) VALUES (1, 'store', 'Store', 'storekeeper', 'x');
         INSERT INTO items (id, code, name, generic_name, form, dose_unit, units_per_pack, unit_price_cents, storage, kind)
             VALUES (1, 'PARA', 'Paracetamol', 'paracetamol', 'tablet', 'tablet', 10, 5, 'room', 'drug');
         INSERT INTO lots (id, item_id, lot_number, expiry, received_at) VALUES (1, 1, 'L1', '2030-01-01', '2026-01-01T00:00:00Z');
         INSERT INTO movements (at, user_id, kind, item_id, lot_id, to_place_id, qty) VALUES ('2026-01-01T00:00:00Z', 1, 'receipt', 1, 1, 1, 100);
         INSERT INTO movements (at, user_id, kind, item_id, lot_id, from_place_id, to_place_id, qty) VALUES ('2026-01-02T00:00:00Z', 1, 'transfer', 1, 1, 1, 2, 30);",
    )
    .unwrap();
}

#[test]
fn a_database_from_before_locations_migrates_with_stock_at_each_places_default() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.sqlite");
    version_8_database(&path);
    let mut store = Store::open(&path).unwrap();
    sound(&store);
    let rows = queries::balance_rows(&store.conn, None, common::anchor().date_naive()).unwrap();
    let held: Vec<(String, String, i64)> = rows
        .iter()
        .map(|r| (r.place.clone(), r.location.clone(), r.qty))
        .collect();
    // The pharmacy had no location: it gets its main store; the ward's
    // stock is on its trolley (its shelf-like location), not in the fridge.
    assert_eq!(
        held,
        vec![
            ("PHARM".to_string(), "MAIN".to_string(), 70),
            ("W1".to_string(), "TROLLEY".to_string(), 30)
        ]
    );
    // Changing a default afterwards leaves the old ledger adding up, and
    // stock keeps moving.
    let admin_id: i64 = {
        store
            .conn
            .execute("INSERT INTO users (username, full_name, role, pin_hash) VALUES ('admin', 'Admin', 'admin', 'x')", [])
            .unwrap();
        store.conn.last_insert_rowid()
    };
    assert!(admin_id > 0);
    let admin = actor(&store, "admin");
    refdata::location_edit(
        &mut store,
        &admin,
        common::anchor(),
        "W1",
        "FRIDGE",
        None,
        None,
        true,
    )
    .unwrap();
    sound(&store);
    let ward = stock::place_by_code(&store.conn, "W1").unwrap();
    let storekeeper = actor(&store, "store");
    let item = stock::item_by_code(&store.conn, "PARA").unwrap();
    stock::relocate(
        &mut store,
        &storekeeper,
        common::anchor(),
        &Relocation {
            place: &ward,
            item: &item,
            lot: "L1",
            from: "TROLLEY",
            to: "FRIDGE",
            qty: Some(10),
            reason: None,
        },
    )
    .unwrap();
    assert_eq!(at(&store, "W1", "FRIDGE", "PARA"), 10);
    sound(&store);
}

#[test]
fn the_command_line_lists_adds_and_moves() {
    let (_d, path) = common::demo_db();
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_wardstock"))
            .args(args)
            .arg("--db")
            .arg(&path)
            .env("WARDSTOCK_PIN", "1234")
            .env("WARDSTOCK_LANG", "en")
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).to_string()
                + &String::from_utf8_lossy(&out.stderr),
        )
    };
    let (code, out) = run(&[
        "location", "add", "B-02", "--place", "PHARM", "--name", "Bay 2", "--user", "admin",
    ]);
    assert_eq!(code, Some(0), "{out}");
    let (_, list) = run(&["location", "list", "--place", "PHARM"]);
    assert!(list.contains("PHARM/B-02  Bay 2 (shelf)"), "{list}");
    assert!(
        list.contains("PHARM/SHELF") && list.contains("stock arrives here by default"),
        "{list}"
    );
    let store = Store::open(&path).unwrap();
    let (lot, _) = lots_at(&store, "PHARM", "GLOVE-M")[0].clone();
    drop(store);
    let (code, out) = run(&[
        "location", "move", "--place", "PHARM", "--item", "GLOVE-M", "--lot", &lot, "--from",
        "SHELF", "--to", "B-02", "--qty", "10", "--user", "store",
    ]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("from SHELF to B-02"), "{out}");
    let (code, out) = run(&[
        "location", "move", "--place", "PHARM", "--item", "GLOVE-M", "--lot", &lot, "--from",
        "B-02", "--to", "SHELF", "--qty", "11", "--user", "store",
    ]);
    assert_ne!(code, Some(0));
    assert!(out.contains("only 10"), "{out}");
    let (code, out) = run(&["stock", "--place", "PHARM"]);
    assert_eq!(code, Some(0));
    assert!(out.contains("B-02"), "{out}");
    // The move is in the movements export, with its locations, and in the
    // item's recent movements.
    let csv = path.with_extension("movements.csv");
    let (code, out) = run(&["export", "movements", "--out", csv.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{out}");
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(
        text.lines()
            .next()
            .unwrap()
            .ends_with("from_location,to_location"),
        "{}",
        text.lines().next().unwrap()
    );
    let row = text
        .lines()
        .find(|l| l.contains(",relocation,"))
        .expect("the move exported");
    assert!(
        row.contains("GLOVE-M") && row.ends_with("SHELF,B-02"),
        "{row}"
    );
    let store = Store::open(&path).unwrap();
    let pharm = stock::place_by_code(&store.conn, "PHARM").unwrap();
    let gloves = stock::item_by_code(&store.conn, "GLOVE-M").unwrap();
    let recent = queries::item_movements(&store.conn, pharm.id, gloves.id, 5).unwrap();
    assert_eq!(
        (
            recent[0].kind.as_str(),
            recent[0].from.as_deref(),
            recent[0].to.as_deref(),
            recent[0].delta
        ),
        ("relocation", Some("SHELF"), Some("B-02"), 10)
    );
    let (code, out) = run(&["check"]);
    assert_eq!(code, Some(0), "{out}");
}

#[test]
fn a_delivery_reaching_the_ward_is_put_where_each_item_is_kept() {
    let (_d, mut store) = common::open_demo();
    let now = common::anchor();
    receive(&mut store, "INSREG10V", "COLD-9", 10, None);
    let ward = stock::place_by_code(&store.conn, "W-MED").unwrap();
    let manager = actor(&store, "manager");
    let keeper = actor(&store, "store");
    let nurse = actor(&store, "nurse");
    let insulin = stock::item_by_code(&store.conn, "INSREG10V").unwrap();
    let gloves = stock::item_by_code(&store.conn, "GLOVE-M").unwrap();
    let id = stock::request_transfer(
        &mut store,
        &manager,
        now,
        &ward,
        &[(insulin.clone(), 1), (gloves.clone(), 100)],
        None,
    )
    .unwrap();
    let order = stock::transfer_order(&store.conn, id, now).unwrap();
    for l in &order.lines {
        let s = &l.suggestions[0];
        stock::pick(
            &mut store,
            &keeper,
            now,
            id,
            &l.item,
            &s.lot_number,
            Some(l.open.min(s.qty)),
            false,
        )
        .unwrap();
    }
    stock::dispatch(&mut store, &keeper, now, id, None).unwrap();
    let got = stock::confirm_receipt(&mut store, &nurse, now, id, &Default::default()).unwrap();
    let mut put: Vec<(String, String)> = got
        .iter()
        .map(|t| (t.lot_number.clone(), t.location.clone().unwrap_or_default()))
        .collect();
    put.sort();
    let fridge_lot = &order
        .lines
        .iter()
        .find(|l| l.item.code == "INSREG10V")
        .unwrap()
        .suggestions[0]
        .lot_number;
    assert!(
        put.contains(&(fridge_lot.clone(), "FRIDGE".to_string())),
        "{put:?}"
    );
    assert!(put.iter().any(|(_, l)| l == "TROLLEY"), "{put:?}");
    sound(&store);
}

#[test]
fn cold_items_stay_cold_and_controlled_drugs_stay_in_the_safe() {
    use wardstock::domain::storage::Needs;
    let (_d, mut store) = common::open_demo();
    let now = common::anchor();
    receive(&mut store, "INSREG10V", "COLD-2", 10, None);
    receive(&mut store, "MORPH10I", "CD-2", 10, None);
    let pharm = stock::place_by_code(&store.conn, "PHARM").unwrap();
    let keeper = actor(&store, "store");
    let refused = |store: &mut Store, item: &str, lot: &str, from: &str, to: &str| {
        let it = stock::item_by_code(&store.conn, item).unwrap();
        stock::relocate(
            store,
            &keeper,
            now,
            &Relocation {
                place: &pharm,
                item: &it,
                lot,
                from,
                to,
                qty: Some(1),
                reason: None,
            },
        )
        .unwrap_err()
    };
    let e = refused(&mut store, "INSREG10V", "COLD-2", "FRIDGE", "SHELF");
    assert!(
        matches!(
            e,
            StockError::WrongStorage {
                needs: Needs::Cold,
                ..
            }
        ),
        "{e:?}"
    );
    wardstock::i18n::set_thread_lang(wardstock::i18n::Lang::En);
    assert!(e.to_string().contains("must be kept cold"), "{e}");
    let e = refused(&mut store, "MORPH10I", "CD-2", "CDSAFE", "SHELF");
    assert!(
        matches!(
            e,
            StockError::WrongStorage {
                needs: Needs::Safe,
                ..
            }
        ),
        "{e:?}"
    );
    // Nor received at, or kept at, the wrong place.
    let line = ReceiveLine {
        item: stock::item_by_code(&store.conn, "INSREG10V").unwrap(),
        lot_number: "COLD-3".into(),
        expiry: Some(common::anchor().date_naive() + chrono::Duration::days(400)),
        qty: 10,
        supplier: None,
        order_ref: None,
        location: Some("SHELF".into()),
    };
    let e = stock::receive(&mut store, &keeper, now, &line, 90, None).unwrap_err();
    assert!(
        matches!(
            e,
            StockError::WrongStorage {
                needs: Needs::Cold,
                ..
            }
        ),
        "{e:?}"
    );
    let admin = actor(&store, "admin");
    let e =
        refdata::item_location_set(&mut store, &admin, now, "PHARM", "INSREG10V", Some("SHELF"))
            .unwrap_err();
    assert!(
        matches!(
            e,
            AdminError::WrongStorage {
                needs: Needs::Cold,
                ..
            }
        ),
        "{e:?}"
    );
    sound(&store);
}

#[test]
fn a_delivery_goes_where_the_item_already_is() {
    let (_d, mut store) = common::open_demo();
    let now = common::anchor();
    let admin = actor(&store, "admin");
    refdata::location_add(
        &mut store, &admin, now, "PHARM", "SH-A", "Shelf A", "shelf", false,
    )
    .unwrap();
    let pharm = stock::place_by_code(&store.conn, "PHARM").unwrap();
    let keeper = actor(&store, "store");
    let item = stock::item_by_code(&store.conn, "PARA500T").unwrap();
    for (lot, _) in lots_at(&store, "PHARM", "PARA500T") {
        stock::relocate(
            &mut store,
            &keeper,
            now,
            &Relocation {
                place: &pharm,
                item: &item,
                lot: &lot,
                from: "SHELF",
                to: "SH-A",
                qty: None,
                reason: None,
            },
        )
        .unwrap();
    }
    assert_eq!(
        receive(&mut store, "PARA500T", "NEW-A", 100, None).location,
        "SH-A"
    );
    sound(&store);
}
