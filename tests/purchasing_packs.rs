//! Purchase orders and accepted purchase suggestions are in whole packs of
//! the supplier's pack, rounded up and said so; an order is created (not
//! "sent") and printed for the supplier.

mod common;

use common::{actor, anchor, cli};
use wardstock::ops::plan::{self, PlanOptions};
use wardstock::ops::{purchasing, stock};

#[test]
fn an_order_is_rounded_up_to_whole_packs_and_says_so() {
    let (_d, mut store) = common::open_demo();
    let keeper = actor(&store, "store");
    let para = stock::item_by_code(&store.conn, "PARA500T").unwrap();
    assert_eq!(para.units_per_pack, 20);
    let po = purchasing::create_po(
        &mut store,
        &keeper,
        anchor(),
        "ALLIANCE",
        &[(para.clone(), 105), (para.clone(), 10)],
        None,
    )
    .unwrap();
    // The same item twice is one line: 115 asked, 6 packs of 20 ordered.
    assert_eq!(po.lines.len(), 1);
    let l = &po.lines[0];
    assert_eq!((l.asked, l.packs, l.qty), (115, 6, 120));
    assert!(l.rounded());
    let stored = purchasing::purchase_orders(&store.conn, true)
        .unwrap()
        .into_iter()
        .find(|o| o.id == po.id)
        .unwrap();
    assert_eq!(stored.lines[0].qty, 120);
    // Exactly whole packs stay as asked.
    let po = purchasing::create_po(
        &mut store,
        &keeper,
        anchor(),
        "ALLIANCE",
        &[(para, 40)],
        None,
    )
    .unwrap();
    assert_eq!((po.lines[0].qty, po.lines[0].rounded()), (40, false));
}

#[test]
fn an_accepted_purchase_suggestion_is_ordered_in_whole_packs() {
    let (_d, mut store) = common::open_demo();
    let now = anchor();
    let pharm = actor(&store, "pharm");
    let opt = PlanOptions::default();
    let (_, p) = plan::plan_now(&store.conn, now, opt).unwrap();
    // A purchase of an item sold in packs of more than one.
    let s = p
        .planned_orders()
        .filter(|o| o.place == p.pharmacy())
        .map(|o| plan::Suggestion::from_order(&o, now))
        .find(|s| stock::item_by_code(&store.conn, &s.item).is_ok_and(|i| i.units_per_pack > 1))
        .expect("a purchase suggestion");
    let per = stock::item_by_code(&store.conn, &s.item)
        .unwrap()
        .units_per_pack;
    let asked = per * 3 + 1;
    let a = plan::accept(&mut store, &pharm, now, &s, Some(asked), opt).unwrap();
    let o = a.ordered.clone().expect("a purchase line");
    assert_eq!(
        (o.asked, o.packs, o.qty, a.qty),
        (asked, 4, per * 4, per * 4)
    );
    assert!(a.warning().unwrap().contains("rounded up to whole packs"));
    let po: i64 = a.order_ref.strip_prefix("PO-").unwrap().parse().unwrap();
    let stored = purchasing::purchase_orders(&store.conn, true)
        .unwrap()
        .into_iter()
        .find(|x| x.id == po)
        .unwrap();
    assert_eq!(stored.lines[0].qty, per * 4);
}

#[test]
fn the_command_line_creates_an_order_and_prints_it_for_the_supplier() {
    let (dir, db) = common::demo_db();
    let out = cli(&db)
        .args([
            "po",
            "new",
            "--user",
            "store",
            "--supplier",
            "ALLIANCE",
            "--line",
            "PARA500T:105",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8_lossy(&out);
    assert!(
        text.contains("created for ALLIANCE") && !text.contains(" sent to "),
        "{text}"
    );
    assert!(
        text.contains("105 asked, ordered 6 pack(s) of 20 = 120 tablet"),
        "{text}"
    );
    let id: String = text
        .split_whitespace()
        .find(|w| w.starts_with("PO-"))
        .unwrap()
        .to_string();
    let file = dir.path().join("order.txt");
    cli(&db)
        .args(["po", "print", &id, "--out"])
        .arg(&file)
        .assert()
        .success();
    let sheet = std::fs::read_to_string(&file).unwrap();
    assert!(sheet.contains(&format!("PURCHASE ORDER {id}")), "{sheet}");
    assert!(
        sheet.contains("PARA500T") && sheet.contains("120 tablet"),
        "{sheet}"
    );
    let out = cli(&db)
        .args(["po", "print", &id, "--csv"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let mut rows = csv::Reader::from_reader(out.as_slice());
    let row = rows.records().next().unwrap().unwrap();
    assert_eq!(
        (&row[3], &row[6], &row[7], &row[8]),
        ("PARA500T", "6", "20", "120")
    );
    // Not a purchase order number: one line, non-zero exit.
    cli(&db)
        .args(["po", "print", "nonsense"])
        .assert()
        .failure();
}
