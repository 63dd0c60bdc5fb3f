//! The reports of `ops::reports` in the reader's words: each becomes a
//! [`Report`] of typed sheets that the CLI, the files and the console show.

use chrono::NaiveDateTime;

use super::sheet::{Cell, Column, Report, Sheet};
use crate::ops::reports::Variance;
use crate::t;

/// Stocktake variances over the period `[from, to)` (local times).
pub fn variances(r: &[Variance], from: NaiveDateTime, to: NaiveDateTime) -> Report {
    let title = t!(
        "cli.variances.title",
        from = super::datetime(from),
        to = super::datetime(to)
    );
    let sum = |f: fn(&Variance) -> i64| r.iter().map(f).sum::<i64>();
    let sheet = Sheet {
        key: "variances",
        name: t!("cli.variances.sheet").to_string(),
        title: String::new(),
        columns: vec![
            Column::new("place", t!("cli.col.place")),
            Column::new("item", t!("cli.col.item")),
            Column::new("name", t!("cli.col.name")),
            Column::new("lots", t!("cli.variances.lots")),
            Column::new("expected", t!("cli.variances.expected")),
            Column::new("counted", t!("cli.variances.counted")),
            Column::new("found_units", t!("cli.variances.found")),
            Column::new("found_money", t!("cli.variances.found_money")),
            Column::new("missing_units", t!("cli.variances.missing")),
            Column::new("missing_money", t!("cli.variances.missing_money")),
            Column::new("net_money", t!("cli.variances.net")),
        ],
        rows: r
            .iter()
            .map(|v| {
                vec![
                    v.place.as_str().into(),
                    v.item.as_str().into(),
                    v.name.as_str().into(),
                    Cell::Units(v.lots),
                    Cell::Units(v.expected),
                    Cell::Units(v.counted),
                    Cell::Units(v.found.units),
                    Cell::Money(v.found.cents),
                    Cell::Units(v.missing.units),
                    Cell::Money(v.missing.cents),
                    Cell::Money(v.net_cents),
                ]
            })
            .collect(),
        total: None,
        notes: vec![t!(
            "cli.variances.total",
            found = super::money(sum(|v| v.found.cents)),
            missing = super::money(sum(|v| v.missing.cents)),
            net = super::money(sum(|v| v.net_cents))
        )],
    };
    Report {
        title,
        sheets: vec![sheet],
    }
}
