//! The Reports tab: a report chosen, its period and place set, run in the
//! background, its sheets read on the screen and exported; the charts of
//! use per day, stock over time and the Pareto of cost, tested against the
//! ledger and drawn at 80×24 in both languages.

mod common;

use chrono::{Duration, NaiveDate};
use wardstock::ops::reports::{self, By, series};
use wardstock::store::Store;

/// The day after the demo's latest movement: a period ending on it holds
/// every movement.
fn last_day(store: &Store) -> NaiveDate {
    let at: String = store
        .conn
        .query_row("SELECT MAX(at) FROM movements", [], |r| r.get(0))
        .unwrap();
    NaiveDate::parse_from_str(&at[..10], "%Y-%m-%d").unwrap() + Duration::days(1)
}

#[test]
fn the_stock_line_ends_at_the_stock_held() {
    let (_d, store) = common::open_demo();
    let pairs: Vec<(String, String, i64)> = store
        .conn
        .prepare(
            "SELECT p.code, i.code, SUM(b.qty) FROM balances b JOIN places p ON p.id = b.place_id
             JOIN items i ON i.id = b.item_id WHERE p.kind IN ('pharmacy', 'ward')
             GROUP BY p.id, i.id ORDER BY SUM(b.qty) DESC LIMIT 6",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(!pairs.is_empty());
    let last = last_day(&store);
    let (from, to) = series::period(&store.zone(), last - Duration::days(59), last).unwrap();
    for (place, item, held) in pairs {
        let s = series::stock_over_time(&store.conn, &item, &place, from, to).unwrap();
        assert_eq!(s.days.len(), 60, "one point a day");
        assert_eq!(s.days.last().unwrap().closing, held, "{item} at {place}");
        // Every day closes where the stock card's movements up to it leave it.
        let card = reports::stock_card(&store.conn, &item, &place, None, from, to).unwrap();
        assert_eq!(s.opening, card.opening);
        assert_eq!(s.days.last().unwrap().closing, card.closing);
    }
}

#[test]
fn the_daily_bars_add_up_to_the_consumption_total() {
    let (_d, store) = common::open_demo();
    let last = last_day(&store);
    let (from, to) = series::period(&store.zone(), last - Duration::days(29), last).unwrap();
    let mut places: Vec<Option<String>> = vec![None];
    places.extend(
        store
            .conn
            .prepare("SELECT code FROM places WHERE kind IN ('ward', 'pharmacy') ORDER BY code")
            .unwrap()
            .query_map([], |r| r.get::<_, String>(0))
            .unwrap()
            .map(|p| Some(p.unwrap())),
    );
    let mut some_use = false;
    for place in places {
        let bars = series::daily_use(&store.conn, place.as_deref(), from, to).unwrap();
        assert_eq!(bars.len(), 30, "a bar for every day, empty days too");
        let used = reports::consumption(&store.conn, place.as_deref(), By::Item, from, to)
            .unwrap()
            .total
            .used;
        assert_eq!(
            bars.iter().map(|b| b.units).sum::<i64>(),
            used.units,
            "{place:?}"
        );
        assert_eq!(
            bars.iter().map(|b| b.cents).sum::<i64>(),
            used.cents,
            "{place:?}"
        );
        some_use |= used.units > 0;
    }
    assert!(some_use, "the demo's wards used something");
}

#[test]
fn the_pareto_bars_are_the_cost_by_item_largest_first() {
    let (_d, store) = common::open_demo();
    let last = last_day(&store);
    let (from, to) = series::period(&store.zone(), last - Duration::days(29), last).unwrap();
    let bars = series::pareto(&store.conn, None, from, to).unwrap();
    assert!(bars.len() > 3);
    assert!(bars.windows(2).all(|w| w[0].cents >= w[1].cents));
    let total = reports::consumption(&store.conn, None, By::Item, from, to)
        .unwrap()
        .total
        .used
        .cents;
    assert_eq!(bars.iter().map(|b| b.cents).sum::<i64>(), total);
    assert!((bars.last().unwrap().cumulative - 1.0).abs() < 1e-9);
    assert!(bars[0].top && !bars.last().unwrap().top);
}
