//! A scanned pack is read once for every face: the barcode, the item its
//! GTIN is linked to, and the scanned lot as recorded.

mod common;

use chrono::NaiveDate;
use wardstock::i18n::{self, Lang};
use wardstock::ops::scan::{self, ScanError};

fn today() -> NaiveDate {
    common::anchor().date_naive()
}

fn a_recorded_lot(store: &wardstock::store::Store) -> (String, i64, String, NaiveDate) {
    store
        .conn
        .query_row(
            "SELECT g.gtin, g.item_id, l.lot_number, l.expiry FROM item_gtins g JOIN lots l ON l.item_id = g.item_id
             WHERE l.expiry IS NOT NULL ORDER BY l.id LIMIT 1",
            [],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    NaiveDate::parse_from_str(&r.get::<_, String>(3)?, "%Y-%m-%d").unwrap(),
                ))
            },
        )
        .unwrap()
}

#[test]
fn a_pack_is_read_with_its_item_and_recorded_lot() {
    let (_dir, store) = common::open_demo();
    let (gtin, item, lot, expiry) = a_recorded_lot(&store);
    let data = format!("(01){gtin}(17){}(10){lot}", expiry.format("%y%m%d"));
    let p = scan::read_pack(&store.conn, &data, None, today()).unwrap();
    assert_eq!(p.item.id, item);
    assert_eq!(p.lot_number(), Some(lot.as_str()));
    assert_eq!(p.lot.as_ref().map(|l| l.expiry), Some(Some(expiry)));
    assert_eq!(p.expiry_mismatch(), None);

    // The same lot with another printed expiry is not what the records say.
    let other = expiry.succ_opt().unwrap();
    let data = format!("(01){gtin}(17){}(10){lot}", other.format("%y%m%d"));
    let p = scan::read_pack(&store.conn, &data, None, today()).unwrap();
    assert_eq!(p.expiry_mismatch(), Some((other, expiry)));
    // Expired is judged on the earlier of the two.
    assert_eq!(p.expired_on(other.succ_opt().unwrap()), Some(expiry));

    // A lot never received is read, without a record.
    let data = format!("(01){gtin}(10)NEVER-SEEN");
    let p = scan::read_pack(&store.conn, &data, None, today()).unwrap();
    assert!(p.lot.is_none());
}

#[test]
fn what_is_not_a_known_pack_is_refused_with_the_reason() {
    let (_dir, store) = common::open_demo();
    assert!(matches!(
        scan::read_pack(&store.conn, "(10)LOTONLY", None, today()),
        Err(ScanError::NoGtin)
    ));
    assert!(matches!(
        scan::read_pack(&store.conn, "(01)12345678901234", None, today()),
        Err(ScanError::NotGs1(_))
    ));
    // A valid GTIN (check digit 4) that no item carries.
    let e = scan::read_pack(&store.conn, "(01)09999999999994", None, today()).unwrap_err();
    assert!(
        matches!(&e, ScanError::UnknownGtin { gtin } if gtin == "09999999999994"),
        "{e:?}"
    );
    i18n::set_thread_lang(Lang::ZhCn);
    assert!(e.to_string().contains("未知条码"), "{e}");
    i18n::set_thread_lang(Lang::En);
    assert!(e.to_string().contains("unknown barcode"), "{e}");
}
