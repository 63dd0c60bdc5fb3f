//! A stocktake counts the items its filter names explicitly (an ATC prefix,
//! an item code, words of the name), shows each variance's value, and once
//! approved its adjusted lines are not "moved since counted".

mod common;

use common::{actor, anchor};
use wardstock::ops::stock::{self, CountFilter};

#[test]
fn an_atc_filter_takes_the_atc_prefix_only() {
    let (_d, mut store) = common::open_demo();
    let manager = actor(&store, "manager");
    let ward = stock::place_by_code(&store.conn, "W-MED").unwrap();
    let id =
        stock::start_stocktake(&mut store, &manager, anchor(), &ward, "atc:B01", None).unwrap();
    let st = stock::stocktake(&store.conn, id).unwrap();
    assert!(!st.lines.is_empty());
    for l in &st.lines {
        let atc: String = store
            .conn
            .query_row(
                "SELECT COALESCE(atc, '') FROM items WHERE code = ?1",
                [&l.item_code],
                |r| r.get(0),
            )
            .unwrap();
        assert!(atc.starts_with("B01"), "{} has ATC {atc}", l.item_code);
    }
    // Metronidazole (P01AB01) and Ringer's lactate (B05BB01) carry "B01" inside their codes: not counted.
    assert!(
        st.lines
            .iter()
            .all(|l| !l.item_code.starts_with("METRO") && !l.item_code.starts_with("RINGER"))
    );
}

#[test]
fn filters_read_what_the_user_typed_explicitly() {
    assert_eq!(
        CountFilter::parse("atc:b01"),
        CountFilter::Atc("B01".into())
    );
    assert_eq!(
        CountFilter::parse("code:PARA500T"),
        CountFilter::Code("PARA500T".into())
    );
    assert_eq!(
        CountFilter::parse("Glove  nitrile"),
        CountFilter::Name(vec!["glove".into(), "nitrile".into()])
    );
    assert_eq!(CountFilter::parse(" "), CountFilter::All);
    let f = CountFilter::parse("glove nitrile");
    assert!(f.matches("GLOVE-M", "Examination glove nitrile, size M", None, None));
    assert!(!f.matches("GLOVE-L", "Examination glove latex, size L", None, None));
    // A code is a whole code, not a part of one.
    let c = CountFilter::parse("code:PARA");
    assert!(!c.matches(
        "PARA500T",
        "Paracetamol 500 mg tablet",
        None,
        Some("N02BE01")
    ));
    // An ATC prefix is not found inside another code.
    let a = CountFilter::parse("atc:B01");
    assert!(!a.matches("METRO500IV", "Metronidazole", None, Some("P01AB01")));
    assert!(a.matches("ENOX40S", "Enoxaparin", None, Some("B01AB05")));
}

#[test]
fn variances_have_a_value_and_approved_lines_are_not_moved() {
    let (_d, mut store) = common::open_demo();
    let manager = actor(&store, "manager");
    let ward = stock::place_by_code(&store.conn, "W-MED").unwrap();
    let id = stock::start_stocktake(&mut store, &manager, anchor(), &ward, "code:GLOVE-M", None)
        .unwrap();
    let st = stock::stocktake(&store.conn, id).unwrap();
    let item = stock::item_by_code(&store.conn, "GLOVE-M").unwrap();
    for (i, l) in st.lines.iter().enumerate() {
        let n = if i == 0 { l.expected - 3 } else { l.expected };
        stock::count(&mut store, &manager, anchor(), id, &item, &l.lot_number, n).unwrap();
    }
    let lines = stock::approve_stocktake(&mut store, &manager, anchor(), id, None).unwrap();
    let short = &lines[0];
    assert!(short.unit_price_cents > 0);
    assert_eq!(short.variance_cents(), Some(-3 * short.unit_price_cents));
    let after = stock::stocktake(&store.conn, id).unwrap();
    assert_eq!(after.status, "approved");
    assert!(after.lines.iter().all(|l| !l.moved()), "{:?}", after.lines);
}
