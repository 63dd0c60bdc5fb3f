//! The store: opening, migrations, refusals, and the append-only ledger.

mod common;

use chrono::Utc;
use rusqlite::params;
use wardstock::domain::{MovementKind, PlaceKind, Role};
use wardstock::ops::refdata;
use wardstock::store::ledger::{self, NewMovement};
use wardstock::store::{SCHEMA_VERSION, Store, StoreError, check};

#[test]
fn an_empty_file_is_migrated_with_clinical_pragmas() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.sqlite");
    let store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    let q = |p: &str| -> String {
        store
            .conn
            .pragma_query_value(None, p, |r| r.get::<_, rusqlite::types::Value>(0))
            .map(|v| format!("{v:?}"))
            .unwrap()
    };
    assert_eq!(q("journal_mode"), "Text(\"wal\")");
    assert_eq!(q("foreign_keys"), "Integer(1)");
    assert_eq!(q("synchronous"), "Integer(2)", "FULL");
    assert!(store.is_empty().unwrap());
    drop(store);
    // Reopening an up-to-date database changes nothing.
    let again = Store::open(&path).unwrap();
    assert_eq!(again.schema_version().unwrap(), SCHEMA_VERSION);
}

#[test]
fn a_database_from_a_newer_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("future.sqlite");
    Store::open(&path)
        .unwrap()
        .conn
        .pragma_update(None, "user_version", SCHEMA_VERSION + 1)
        .unwrap();
    let err = Store::open(&path).unwrap_err();
    assert!(
        matches!(err, StoreError::TooNew { found, .. } if found == SCHEMA_VERSION + 1),
        "{err}"
    );
    assert!(err.to_string().contains("newer wardstock"));
}

#[test]
fn files_that_are_not_wardstock_databases_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.txt");
    std::fs::write(
        &text,
        "this is not a database, just some text that is long enough to be a header",
    )
    .unwrap();
    assert!(matches!(
        Store::open(&text),
        Err(StoreError::NotWardstock { .. })
    ));
    // The refused file is untouched.
    assert!(
        std::fs::read_to_string(&text)
            .unwrap()
            .starts_with("this is not")
    );

    let other = dir.path().join("other.sqlite");
    rusqlite::Connection::open(&other)
        .unwrap()
        .execute_batch("CREATE TABLE t (x);")
        .unwrap();
    assert!(matches!(
        Store::open(&other),
        Err(StoreError::NotWardstock { .. })
    ));

    let missing = dir.path().join("no/such/folder/x.sqlite");
    let err = Store::open(&missing).unwrap_err();
    assert!(matches!(err, StoreError::CannotOpen { .. }), "{err}");
    assert!(matches!(
        Store::open(dir.path()),
        Err(StoreError::Folder { .. })
    ));
}

fn tiny_store() -> (Store, i64, i64, i64, i64) {
    let mut store = Store::open_in_memory().unwrap();
    let ids = store
        .write(|tx| -> Result<_, refdata::RefDataError> {
            let ph = refdata::add_place(tx, "PHARM", "Pharmacy", PlaceKind::Pharmacy, 0)?;
            let w = refdata::add_place(tx, "W1", "Ward 1", PlaceKind::Ward, 30)?;
            let u = refdata::add_user(tx, "store", "Store keeper", Role::Storekeeper, "x")?;
            let item = wardstock::demo::formulary().unwrap().remove(0);
            let i = refdata::add_item(tx, &item, 1)?;
            Ok((ph, w, u, i))
        })
        .unwrap();
    (store, ids.0, ids.1, ids.2, ids.3)
}

fn mv(
    kind: MovementKind,
    user: i64,
    item: i64,
    lot: i64,
    from: Option<i64>,
    to: Option<i64>,
    qty: i64,
) -> NewMovement {
    NewMovement {
        at: Utc::now(),
        user_id: user,
        kind,
        item_id: item,
        lot_id: lot,
        from_place: from,
        to_place: to,
        from_location: None,
        to_location: None,
        qty,
        reason: None,
        patient_id: None,
        order_ref: None,
    }
}

#[test]
fn the_ledger_is_append_only_and_keeps_balances() {
    let (mut store, ph, w, u, item) = tiny_store();
    store
        .write(|tx| -> rusqlite::Result<()> {
            let lot = ledger::lot_id_or_create(tx, item, "L1", None, Utc::now())?;
            ledger::append(
                tx,
                &mv(MovementKind::Receipt, u, item, lot, None, Some(ph), 100),
            )?;
            ledger::append(
                tx,
                &mv(MovementKind::Transfer, u, item, lot, Some(ph), Some(w), 30),
            )?;
            Ok(())
        })
        .unwrap();
    fn bal(store: &Store, place: i64) -> i64 {
        store
            .conn
            .query_row(
                "SELECT qty FROM balances WHERE place_id = ?1",
                [place],
                |r| r.get(0),
            )
            .unwrap()
    }
    assert_eq!((bal(&store, ph), bal(&store, w)), (70, 30));

    let upd = store
        .conn
        .execute("UPDATE movements SET qty = 1", [])
        .unwrap_err();
    assert!(upd.to_string().contains("append-only"), "{upd}");
    let del = store.conn.execute("DELETE FROM movements", []).unwrap_err();
    assert!(del.to_string().contains("append-only"), "{del}");
    let n: i64 = store
        .conn
        .query_row("SELECT count(*) FROM movements", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 2);

    // Taking more than a balance holds fails whole: no movement, no balance change.
    let lot: i64 = store
        .conn
        .query_row("SELECT id FROM lots", [], |r| r.get(0))
        .unwrap();
    let err = store
        .write(|tx| {
            ledger::append(
                tx,
                &mv(MovementKind::Issue, u, item, lot, Some(w), None, 31),
            )
        })
        .unwrap_err();
    assert!(err.to_string().contains("below zero"), "{err}");
    assert_eq!(bal(&store, w), 30);
    let n: i64 = store
        .conn
        .query_row("SELECT count(*) FROM movements", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 2);
    assert!(check::run(&store.conn).unwrap().ok());
}

#[test]
fn a_movement_must_name_the_item_of_its_lot() {
    let (mut store, ph, _w, u, item) = tiny_store();
    let other = store
        .write(|tx| -> Result<i64, refdata::RefDataError> {
            let it = wardstock::demo::formulary().unwrap().remove(1);
            refdata::add_item(tx, &it, 1)
        })
        .unwrap();
    let err = store
        .write(|tx| -> rusqlite::Result<i64> {
            let lot = ledger::lot_id_or_create(tx, item, "L1", None, Utc::now())?;
            ledger::append(
                tx,
                &mv(MovementKind::Receipt, u, other, lot, None, Some(ph), 5),
            )
        })
        .unwrap_err();
    assert!(err.to_string().contains("another item"), "{err}");
}

#[test]
fn balances_rebuilt_from_the_ledger_equal_the_stored_ones() {
    let (_dir, store) = common::open_demo();
    let rebuilt: Vec<_> = check::ledger_balances(&store.conn).unwrap();
    let stored = check::stored_balances(&store.conn).unwrap();
    assert!(rebuilt.len() > 500);
    assert_eq!(rebuilt, stored);
    let report = check::run(&store.conn).unwrap();
    assert!(report.ok(), "{:?}", report.problems);
    assert!(report.movements > 10_000);
}

#[test]
fn check_names_an_injected_inconsistency() {
    let (_dir, store) = common::open_demo();
    let (place, lot): (i64, i64) = store
        .conn
        .query_row(
            "SELECT place_id, lot_id FROM balances WHERE qty > 5 LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    // Someone edits a balance behind the ledger's back.
    store
        .conn
        .execute(
            "UPDATE balances SET qty = qty + 3 WHERE place_id = ?1 AND lot_id = ?2",
            params![place, lot],
        )
        .unwrap();
    let report = check::run(&store.conn).unwrap();
    assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
    let lot_number: String = store
        .conn
        .query_row("SELECT lot_number FROM lots WHERE id = ?1", [lot], |r| {
            r.get(0)
        })
        .unwrap();
    assert!(
        matches!(&report.problems[0], check::Problem::Balance { lot, stored, ledger, .. }
            if *lot == lot_number && stored - ledger == 3),
        "{:?}",
        report.problems[0]
    );
    wardstock::i18n::set_thread_lang(wardstock::i18n::Lang::ZhCn);
    assert!(
        report.problems[0].to_string().contains("流水合计"),
        "{}",
        report.problems[0]
    );
    wardstock::i18n::set_thread_lang(wardstock::i18n::Lang::En);
    assert!(report.problems[0].to_string().contains("ledger sums to"));
}

#[test]
fn alerts_read_from_the_store_equal_the_domain_rule_on_every_balance() {
    use wardstock::domain::alerts::{self, AlertConfig};
    use wardstock::store::queries;
    let (_dir, store) = common::open_demo();
    let today = store.today(common::anchor());
    let cfg = AlertConfig::default();
    // The demo's ward fridge (W-GER, place 4) holds its stock after an
    // excursion: the domain rule is given the holds too.
    for place in [None, Some(1), Some(2), Some(4)] {
        let full = alerts::build_with_holds(
            &queries::lot_balances(&store.conn, place).unwrap(),
            &queries::level_policies(&store.conn, place).unwrap(),
            &queries::cold_holds(&store.conn, place).unwrap(),
            today,
            &cfg,
        );
        let fast: Vec<_> = queries::alerts(&store.conn, place, today, &cfg)
            .unwrap()
            .into_iter()
            .filter(|a| !matches!(a.kind, alerts::AlertKind::ExpiryWaste { .. }))
            .collect();
        assert!(!full.is_empty());
        assert_eq!(full, fast);
    }
}

#[test]
fn the_warnings_read_on_two_connections_equal_those_read_on_one() {
    use wardstock::domain::alerts::{AlertConfig, AlertKind};
    use wardstock::store::queries;
    let (_dir, store) = common::open_demo();
    let today = store.today(common::anchor());
    let cfg = AlertConfig::default();
    // Outside a transaction the rate of use is read on a second connection.
    let beside = queries::alerts(&store.conn, None, today, &cfg).unwrap();
    let rows_beside = queries::alert_rows(&store.conn, None, today, &cfg).unwrap();
    // Inside one, everything is read on this connection (what it has
    // written and not yet committed counts).
    store.conn.execute_batch("BEGIN").unwrap();
    let one = queries::alerts(&store.conn, None, today, &cfg).unwrap();
    let rows_one = queries::alert_rows(&store.conn, None, today, &cfg).unwrap();
    store.conn.execute_batch("ROLLBACK").unwrap();
    assert_eq!(beside, one);
    assert_eq!(rows_beside, rows_one);
    assert!(rows_one.iter().all(|r| !r.item_name.is_empty()));
    assert!(
        one.iter()
            .any(|a| matches!(a.kind, AlertKind::ExpiryWaste { .. })),
        "the demo has stock projected to expire unused: the rate of use was read"
    );
}

#[test]
fn an_empty_file_is_never_silently_made_a_database() {
    let dir = tempfile::tempdir().unwrap();
    let blank = dir.path().join("blank.sqlite");
    std::fs::write(&blank, b"").unwrap();
    assert!(matches!(Store::open(&blank), Err(StoreError::Empty { .. })));
    assert_eq!(
        std::fs::metadata(&blank).unwrap().len(),
        0,
        "left as it was"
    );
    // Creating is what init and demo do: on a blank or missing file only.
    let store = Store::create(&blank).unwrap();
    assert!(store.is_empty().unwrap());
    drop(store);
    assert!(matches!(
        Store::create(&blank),
        Err(StoreError::Exists { .. })
    ));
    assert!(Store::open(&blank).is_ok(), "the database it made opens");
    let fresh = dir.path().join("fresh.sqlite");
    assert!(Store::create(&fresh).is_ok());
}

/// The rate of use read from the running use totals equals the ledger's own
/// sum, for any window and time of day, after movements recorded late too.
#[test]
fn the_rate_of_use_from_running_totals_equals_the_ledgers_sum() {
    use wardstock::store::queries;
    let (_dir, mut store) = common::open_demo();
    let items: Vec<i64> = ids(&store.conn, "SELECT id FROM items");
    let compare = |store: &Store, label: &str| {
        for hours_back in [0, 5, 13, 30] {
            let now = common::anchor() - chrono::Duration::hours(hours_back);
            for days in [1, 7, 28, 90] {
                let ledger = queries::daily_use(&store.conn, &items, now, days).unwrap();
                let mut pairs: Vec<(i64, i64)> = ledger.keys().copied().collect();
                pairs.sort_unstable();
                let totals = queries::pair_use(&store.conn, &pairs, now, days).unwrap();
                for p in &pairs {
                    assert_eq!(
                        totals.get(p).copied().unwrap_or(0),
                        ledger[p],
                        "{label}: {p:?} over {days} days ending {now}"
                    );
                }
                assert!(
                    !pairs.is_empty() || days == 1,
                    "{label}: the demo uses stock"
                );
            }
        }
    };
    compare(&store, "demo");
    // A dose recorded late (dated 10 days back) and one today, on a pair
    // already used: every later day's running total moves.
    let (place, item, lot, user): (i64, i64, i64, i64) = store
        .conn
        .query_row(
            "SELECT b.place_id, b.item_id, b.lot_id, (SELECT min(id) FROM users)
             FROM balances b JOIN places p ON p.id = b.place_id
             WHERE p.kind = 'ward' AND b.qty >= 2 AND b.status = 'ok' ORDER BY b.qty DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    for back in [chrono::Duration::days(10), chrono::Duration::hours(1)] {
        let mut m = mv(MovementKind::Issue, user, item, lot, Some(place), None, 1);
        m.at = common::anchor() - back;
        let tx = store.conn.transaction().unwrap();
        ledger::append(&tx, &m).unwrap();
        tx.commit().unwrap();
    }
    compare(&store, "after late records");
}

/// Every warning computed the long way: from every balance, every lot of
/// every item (FEFO with its held units apart) and the ledger's own sum of
/// use. What the warning list reads (the lots that may warn, the running
/// totals of ok units and of use) must give exactly this.
fn warnings_from_everything(
    conn: &rusqlite::Connection,
    today: chrono::NaiveDate,
    cfg: &wardstock::domain::alerts::AlertConfig,
) -> Vec<wardstock::domain::alerts::Alert> {
    use wardstock::domain::LotStatus;
    use wardstock::domain::alerts;
    use wardstock::store::queries;
    let balances = queries::lot_balances(conn, None).unwrap();
    let policies = queries::level_policies(conn, None).unwrap();
    let held = queries::cold_holds(conn, None).unwrap();
    let mut usable = std::collections::HashMap::new();
    for b in &balances {
        if b.status == LotStatus::Ok && b.expiry.is_none_or(|e| e >= today) {
            *usable.entry((b.place_id, b.item_id)).or_insert(0) += b.qty;
        }
    }
    alerts::subtract_held(&mut usable, &held);
    let mut list = alerts::build_with_usable(&balances, &policies, &usable, today, cfg);
    list.extend(alerts::cold_alerts(&held));
    let items: Vec<i64> = ids(conn, "SELECT id FROM items");
    let lots = queries::lot_stocks(conn, None, &items).unwrap();
    let end = queries::use_window_end(conn, today).unwrap();
    let rates = queries::daily_use(conn, &items, end, cfg.usage_window_days).unwrap();
    let tier = cfg.expiry_tiers.iter().copied().max().unwrap_or(0);
    let pairs: std::collections::BTreeSet<(i64, i64, i64)> = balances
        .iter()
        .filter(|b| b.status == LotStatus::Ok)
        .filter(|b| {
            b.expiry.is_some_and(|e| {
                let days = (e - today).num_days();
                days >= 0
                    && (days <= tier
                        || (b.unit_price_cents >= cfg.high_value_cents
                            && days <= cfg.high_value_horizon_days))
            })
        })
        .map(|b| (b.place_id, b.item_id, b.unit_price_cents))
        .collect();
    let horizon = (alerts::expiry_horizon(today, cfg) - today).num_days();
    for (place, item, price) in pairs {
        let rate = rates.get(&(place, item)).copied().unwrap_or(0);
        list.extend(alerts::waste_alerts(
            place,
            item,
            &lots[&(place, item)],
            price,
            rate,
            today,
            horizon,
        ));
    }
    alerts::sort_worst_first(&mut list);
    list
}

/// The warning list equals the warnings computed from everything: on the
/// demo's day and on later days (lots expired, stock used meanwhile),
/// after lots are quarantined and released, and with a cold-chain hold.
#[test]
fn the_warnings_equal_those_computed_from_every_balance_and_the_ledger() {
    use wardstock::domain::alerts::{AlertConfig, AlertKind};
    use wardstock::store::queries;
    let (_dir, store) = common::open_demo();
    let cfg = AlertConfig::default();
    let compare = |label: &str| {
        let ok_totals: Vec<(i64, i64, i64)> = store
            .conn
            .prepare(
                "SELECT place_id, item_id, qty FROM ok_totals WHERE qty <> 0
                 EXCEPT SELECT place_id, item_id, SUM(qty) FROM balances WHERE status = 'ok' GROUP BY 1, 2",
            )
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(ok_totals.is_empty(), "{label}: ok totals off {ok_totals:?}");
        for days_on in [0u64, 9, 40, 200] {
            let today = store.today(common::anchor()) + chrono::Days::new(days_on);
            let listed = queries::alerts(&store.conn, None, today, &cfg).unwrap();
            let long_way = warnings_from_everything(&store.conn, today, &cfg);
            assert_eq!(listed, long_way, "{label}, {days_on} days on");
            if days_on == 40 {
                assert!(
                    listed.iter().any(|a| matches!(a.kind, AlertKind::Expired))
                        && listed
                            .iter()
                            .any(|a| matches!(a.kind, AlertKind::ExpiryWaste { .. })),
                    "{label}: expired lots and projected waste are compared"
                );
            }
        }
    };
    compare("demo");
    assert!(
        !queries::cold_holds(&store.conn, None).unwrap().is_empty(),
        "the demo holds a fridge after its excursion"
    );
    // A lot quarantined everywhere it is held, another quarantined and
    // released: the ok totals follow every change of status.
    let lots: Vec<i64> = ids(
        &store.conn,
        "SELECT lot_id FROM balances WHERE status = 'ok' GROUP BY lot_id ORDER BY SUM(qty) DESC LIMIT 2",
    );
    for (lot, back) in [(lots[0], false), (lots[1], true)] {
        store
            .conn
            .execute(
                "UPDATE lots SET status = 'quarantined' WHERE id = ?1",
                [lot],
            )
            .unwrap();
        if back {
            store
                .conn
                .execute("UPDATE lots SET status = 'ok' WHERE id = ?1", [lot])
                .unwrap();
        }
    }
    compare("after quarantine and release");
}

/// `check` finds a running total the warnings read that is not what the
/// balances or the ledger sum to, and names it with both figures.
#[test]
fn check_finds_a_running_total_that_drifted_from_its_balances_or_ledger() {
    use wardstock::store::check::{Problem, TotalKind};
    let (_dir, store) = common::open_demo();
    assert!(
        check::ledger(&store.conn).unwrap().ok(),
        "the demo is sound"
    );
    let one = |sql: &str| -> (i64, i64, i64, String, String) {
        store
            .conn
            .query_row(sql, [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })
            .unwrap()
    };
    let (ok_place, ok_item, ok_qty, ok_code, ok_item_code) = one(
        "SELECT t.place_id, t.item_id, t.qty, p.code, i.code FROM ok_totals t
         JOIN places p ON p.id = t.place_id JOIN items i ON i.id = t.item_id
         WHERE t.qty > 0 ORDER BY t.qty DESC LIMIT 1",
    );
    let (use_place, use_item, used, use_code, use_item_code) = one(
        "SELECT t.place_id, t.item_id, t.running, p.code, i.code FROM use_totals t
         JOIN places p ON p.id = t.place_id JOIN items i ON i.id = t.item_id
         WHERE t.day = (SELECT max(day) FROM use_totals u WHERE u.place_id = t.place_id AND u.item_id = t.item_id)
         ORDER BY t.running DESC LIMIT 1",
    );
    store
        .conn
        .execute(
            "UPDATE ok_totals SET qty = qty + 3 WHERE place_id = ?1 AND item_id = ?2",
            [ok_place, ok_item],
        )
        .unwrap();
    store
        .conn
        .execute(
            "DELETE FROM use_totals WHERE place_id = ?1 AND item_id = ?2
             AND day = (SELECT max(day) FROM use_totals WHERE place_id = ?1 AND item_id = ?2)",
            [use_place, use_item],
        )
        .unwrap();
    let before_last: i64 = store
        .conn
        .query_row(
            "SELECT COALESCE(MAX(running), 0) FROM use_totals WHERE place_id = ?1 AND item_id = ?2",
            [use_place, use_item],
            |r| r.get(0),
        )
        .unwrap();
    let report = check::ledger(&store.conn).unwrap();
    assert_eq!(
        report.problems,
        vec![
            Problem::Total {
                total: TotalKind::OkUnits,
                place: ok_code,
                item: ok_item_code,
                stored: ok_qty + 3,
                ledger: ok_qty,
            },
            Problem::Total {
                total: TotalKind::Used,
                place: use_code,
                item: use_item_code,
                stored: before_last,
                ledger: used,
            },
        ]
    );
    let said = report.problems[1].to_string();
    assert!(
        said.contains("running total of use") && said.contains(&used.to_string()),
        "{said}"
    );
}

/// The ids a one-column query gives.
fn ids(conn: &rusqlite::Connection, sql: &str) -> Vec<i64> {
    conn.prepare(sql)
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}
