//! Levels from use show old → new before anything is written, and keep the
//! levels a manager set by hand unless asked to replace them.

mod common;

use common::{actor, anchor};
use wardstock::ops::stock::{self, FromUse};
use wardstock::store::Store;

fn levels(store: &Store, place: &str, item: &str) -> Option<(i64, i64)> {
    store
        .conn
        .query_row(
            "SELECT s.safety_stock, s.max_stock FROM stock_policies s JOIN places p ON p.id = s.place_id
             JOIN items i ON i.id = s.item_id WHERE p.code = ?1 AND i.code = ?2",
            [place, item],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .ok()
}

#[test]
fn levels_from_use_are_previewed_and_keep_what_a_manager_set_by_hand() {
    let (_d, mut store) = common::open_demo();
    let manager = actor(&store, "manager");
    let ward = stock::place_by_code(&store.conn, "W-MED").unwrap();
    let para = stock::item_by_code(&store.conn, "PARA500T").unwrap();
    stock::set_levels(&mut store, &manager, &ward, &para, 20, 60).unwrap();
    let before: Vec<(String, Option<(i64, i64)>)> = {
        let mut st = store
            .conn
            .prepare("SELECT i.code FROM stock_policies s JOIN items i ON i.id = s.item_id WHERE s.place_id = ?1")
            .unwrap();
        let codes: Vec<String> = st
            .query_map([ward.id], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        codes
            .into_iter()
            .map(|c| {
                let l = levels(&store, "W-MED", &c);
                (c, l)
            })
            .collect()
    };
    let how = FromUse {
        safety_days: 3,
        max_days: 10,
        window_days: 28,
        apply: false,
        replace_manual: false,
    };
    // The preview writes nothing and says old → new.
    let preview = stock::levels_from_use(&mut store, &manager, anchor(), &ward, how).unwrap();
    assert!(preview.iter().any(|c| c.changed()), "{preview:?}");
    for (code, l) in &before {
        assert_eq!(
            levels(&store, "W-MED", code),
            *l,
            "{code} changed by a preview"
        );
    }
    let p = preview.iter().find(|c| c.item == "PARA500T").unwrap();
    assert!(p.kept_manual);
    assert_eq!(
        (p.old_safety, p.old_max, p.safety_stock, p.max_stock),
        (Some(20), Some(60), 20, 60)
    );
    // Applied: the hand-set levels stay, the others follow use.
    let done = stock::levels_from_use(
        &mut store,
        &manager,
        anchor(),
        &ward,
        FromUse { apply: true, ..how },
    )
    .unwrap();
    assert_eq!(levels(&store, "W-MED", "PARA500T"), Some((20, 60)));
    for c in done.iter().filter(|c| !c.kept_manual) {
        assert_eq!(
            levels(&store, "W-MED", &c.item),
            Some((c.safety_stock, c.max_stock))
        );
    }
    // Asked to replace them, the hand-set levels follow use too.
    let done = stock::levels_from_use(
        &mut store,
        &manager,
        anchor(),
        &ward,
        FromUse {
            apply: true,
            replace_manual: true,
            ..how
        },
    )
    .unwrap();
    let p = done.iter().find(|c| c.item == "PARA500T").unwrap();
    assert!(!p.kept_manual);
    assert_eq!(
        levels(&store, "W-MED", "PARA500T"),
        Some((p.safety_stock, p.max_stock))
    );
    assert_ne!((p.safety_stock, p.max_stock), (20, 60));
}

#[test]
fn the_command_line_previews_unless_told_to_apply() {
    let (_d, db) = common::demo_db();
    let run = |args: &[&str]| {
        let mut c = assert_cmd::Command::cargo_bin("wardstock").unwrap();
        c.arg("--db")
            .arg(&db)
            .env("WARDSTOCK_PIN", "1234")
            .env("WARDSTOCK_LANG", "en")
            .args(args);
        c
    };
    run(&[
        "levels", "--user", "manager", "--place", "W-MED", "--item", "PARA500T", "--safety", "20",
        "--max", "60",
    ])
    .assert()
    .success();
    let out = run(&[
        "levels",
        "--user",
        "manager",
        "--place",
        "W-MED",
        "--from-use",
    ])
    .assert()
    .success()
    .get_output()
    .stdout
    .clone();
    let text = String::from_utf8_lossy(&out);
    assert!(
        text.contains("nothing was written") && text.contains("set by hand: kept"),
        "{text}"
    );
    let store = Store::open(&db).unwrap();
    assert_eq!(levels(&store, "W-MED", "PARA500T"), Some((20, 60)));
}
