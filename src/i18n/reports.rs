//! The reports of `ops::reports` in the reader's words: each becomes a
//! [`Report`] of typed sheets that the CLI, the files and the console show.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

use super::sheet::{Cell, Column, Report, Sheet};
use crate::ops::mar::{ScanningLine, ScanningReport};
use crate::ops::reports::{By, Consumption, ExpiryReport, PlaceValue, StockCard, UseRow, Variance};
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

/// A moment on the site's clock (the report's caller knows the zone).
pub type Local<'a> = &'a dyn Fn(DateTime<Utc>) -> NaiveDateTime;

/// The stock card: the opening balance as its first row, every movement
/// with the running balance, the closing balance as its totals row.
pub fn stock_card(c: &StockCard, local: Local) -> Report {
    let title = t!(
        "cli.card.title",
        item = c.item,
        name = c.item_name,
        place = c.place,
        from = super::datetime(local(c.from)),
        to = super::datetime(local(c.to))
    );
    let opt = |s: &Option<String>| s.as_deref().map(Cell::from).unwrap_or(Cell::Empty);
    let mut rows = vec![vec![
        Cell::DateTime(local(c.from)),
        Cell::coded("opening", t!("cli.card.opening_row")),
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Units(c.opening),
    ]];
    rows.extend(c.lines.iter().map(|l| {
        let kind = l
            .kind
            .parse::<crate::domain::MovementKind>()
            .map(super::cd::movement_kind)
            .unwrap_or(l.kind.as_str());
        vec![
            Cell::DateTime(local(l.at)),
            Cell::coded(l.kind.as_str(), kind),
            l.lot.as_str().into(),
            opt(&l.other_place),
            opt(&l.patient),
            opt(&l.reference),
            l.user.as_str().into(),
            Cell::Units(l.qty_in),
            Cell::Units(l.qty_out),
            Cell::Units(l.balance),
        ]
    }));
    let mut notes = Vec::new();
    if let Some(lot) = &c.lot {
        notes.push(t!("cli.card.lot", lot = lot));
    }
    notes.push(t!(
        "cli.card.opening",
        n = super::num(c.opening),
        unit = super::unit(&c.unit)
    ));
    notes.push(t!(
        "cli.card.closing",
        n = super::num(c.closing),
        unit = super::unit(&c.unit),
        total_in = super::num(c.total_in),
        total_out = super::num(c.total_out),
        moves = c.lines.len()
    ));
    let sheet = Sheet {
        key: "stock_card",
        name: t!("cli.card.sheet").to_string(),
        title: String::new(),
        columns: vec![
            Column::new("at", t!("cli.card.at")),
            Column::new("kind", t!("cli.card.kind")),
            Column::new("lot", t!("cli.col.lot")),
            Column::new("other_place", t!("cli.card.other")),
            Column::new("patient", t!("cli.card.patient")),
            Column::new("reference", t!("cli.card.reference")),
            Column::new("user", t!("cli.card.user")),
            Column::new("in", t!("cli.card.in")),
            Column::new("out", t!("cli.card.out")),
            Column::new("balance", t!("cli.card.balance")),
        ],
        rows,
        total: Some(vec![
            Cell::DateTime(local(c.to)),
            Cell::coded("closing", t!("cli.card.closing_row")),
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Units(c.total_in),
            Cell::Units(c.total_out),
            Cell::Units(c.closing),
        ]),
        notes,
    };
    Report {
        title,
        sheets: vec![sheet],
    }
}

/// Consumption and cost, largest cost first; ★ marks the groups that make
/// 80 % of the cost.
pub fn consumption(r: &Consumption, local: Local) -> Report {
    let title = t!(
        "cli.use.title",
        place = r
            .place
            .clone()
            .unwrap_or_else(|| t!("cli.use.every_ward").to_string()),
        from = super::datetime(local(r.from)),
        to = super::datetime(local(r.to))
    );
    let key: &'static str = match r.by {
        By::Ward => "ward",
        By::Item => "item",
        By::Patient => "patient",
        By::Atc => "atc",
        By::Prescriber => "prescriber",
    };
    let line = |u: &UseRow, first: Cell, top: Cell| {
        vec![
            top,
            first,
            u.name.as_str().into(),
            Cell::Units(u.to_patients.units),
            Cell::Money(u.to_patients.cents),
            Cell::Units(u.without_patient.units),
            Cell::Money(u.without_patient.cents),
            Cell::Units(u.wasted.units),
            Cell::Money(u.wasted.cents),
            Cell::Units(u.returned.units),
            Cell::Money(u.returned.cents),
            Cell::Units(u.used.units),
            Cell::Money(u.used.cents),
            Cell::Percent(u.cumulative_share),
        ]
    };
    let rows = r
        .rows
        .iter()
        .map(|u| {
            let first = if u.key.is_empty() {
                Cell::coded("", t!("cli.use.none"))
            } else {
                u.key.as_str().into()
            };
            let top = if u.top {
                Cell::coded("yes", "★")
            } else {
                Cell::Empty
            };
            line(u, first, top)
        })
        .collect();
    let mut total = line(
        &r.total,
        Cell::coded("total", t!("cli.use.total")),
        Cell::Empty,
    );
    total[13] = Cell::Empty;
    let sheet = Sheet {
        key: "consumption",
        name: t!("cli.use.sheet").to_string(),
        title: String::new(),
        columns: vec![
            Column::new("top_80", "★"),
            Column::new(key, t!("cli.use.group")),
            Column::new("name", t!("cli.col.name")),
            Column::new("to_patients_units", t!("cli.use.to_patients")),
            Column::new("to_patients_money", t!("cli.use.to_patients_money")),
            Column::new("without_patient_units", t!("cli.use.without_patient")),
            Column::new("without_patient_money", t!("cli.use.without_patient_money")),
            Column::new("wasted_units", t!("cli.use.wasted")),
            Column::new("wasted_money", t!("cli.use.wasted_money")),
            Column::new("returned_units", t!("cli.use.returned")),
            Column::new("returned_money", t!("cli.use.returned_money")),
            Column::new("used_units", t!("cli.use.used")),
            Column::new("used_money", t!("cli.use.cost")),
            Column::new("cumulative_share", t!("cli.use.share")),
        ],
        rows,
        total: Some(total),
        notes: vec![t!(
            "cli.use.pareto",
            n = r.rows.iter().filter(|u| u.top).count(),
            of = r.rows.len()
        )],
    };
    Report {
        title,
        sheets: vec![sheet],
    }
}

/// Expiry: the lots expiring soon with their projected waste (first
/// sheet), and what was wasted over the period and why (second sheet).
pub fn expiry(r: &ExpiryReport, local: Local) -> Report {
    let title = t!(
        "cli.expiry.title",
        days = r.days,
        today = super::date(r.today)
    );
    let expiring = Sheet {
        key: "expiring",
        name: t!("cli.expiry.sheet_expiring").to_string(),
        title: String::new(),
        columns: vec![
            Column::new("place", t!("cli.col.place")),
            Column::new("item", t!("cli.col.item")),
            Column::new("name", t!("cli.col.name")),
            Column::new("lot", t!("cli.col.lot")),
            Column::new("expiry", t!("cli.col.expiry")),
            Column::new("days_left", t!("cli.expiry.days_left")),
            Column::new("qty", t!("cli.col.qty")),
            Column::new("daily_use", t!("cli.expiry.daily")),
            Column::new("waste_units", t!("cli.expiry.waste")),
            Column::new("waste_money", t!("cli.expiry.waste_money")),
        ],
        rows: r
            .expiring
            .iter()
            .map(|e| {
                vec![
                    e.place.as_str().into(),
                    e.item.as_str().into(),
                    e.item_name.as_str().into(),
                    e.lot.as_str().into(),
                    Cell::Date(e.expiry),
                    Cell::Units(e.days_left),
                    Cell::Units(e.qty),
                    // A rate (units a day), shown as days are: one decimal.
                    Cell::Days(e.daily_use),
                    Cell::Units(e.projected_waste),
                    Cell::Money(e.projected_waste_cents),
                ]
            })
            .collect(),
        total: Some(vec![
            Cell::coded("total", t!("cli.use.total")),
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Units(r.expiring.iter().map(|e| e.qty).sum()),
            Cell::Empty,
            Cell::Units(r.projected_waste_units),
            Cell::Money(r.projected_waste_cents),
        ]),
        notes: vec![t!(
            "cli.expiry.projected",
            n = r.expiring.len(),
            units = super::num(r.projected_waste_units),
            money = super::money(r.projected_waste_cents)
        )],
    };
    let wasted = Sheet {
        key: "wasted",
        name: t!("cli.expiry.sheet_wasted").to_string(),
        title: t!(
            "cli.expiry.wasted_title",
            from = super::datetime(local(r.from)),
            to = super::datetime(local(r.to))
        ),
        columns: vec![
            Column::new("place", t!("cli.col.place")),
            Column::new("reason", t!("cli.expiry.reason")),
            Column::new("waste_units", t!("cli.col.qty")),
            Column::new("waste_money", t!("cli.expiry.value")),
        ],
        rows: r
            .wasted
            .iter()
            .map(|w| {
                vec![
                    w.place.as_str().into(),
                    if w.reason.is_empty() {
                        Cell::coded("", t!("cli.use.none"))
                    } else {
                        w.reason.as_str().into()
                    },
                    Cell::Units(w.units),
                    Cell::Money(w.cents),
                ]
            })
            .collect(),
        total: Some(vec![
            Cell::coded("total", t!("cli.use.total")),
            Cell::Empty,
            Cell::Units(r.wasted_units),
            Cell::Money(r.wasted_cents),
        ]),
        notes: vec![t!(
            "cli.expiry.wasted_total",
            units = super::num(r.wasted_units),
            money = super::money(r.wasted_cents)
        )],
    };
    Report {
        title,
        sheets: vec![expiring, wasted],
    }
}

/// Stock value and turnover per place (first sheet) and the items that
/// did not move out in the window, dead stock (second sheet).
pub fn stock_value(r: &[PlaceValue], days: i64) -> Report {
    let total_value: i64 = r.iter().map(|p| p.value_cents).sum();
    let places = Sheet {
        key: "places",
        name: t!("cli.value.sheet").to_string(),
        title: String::new(),
        columns: vec![
            Column::new("place", t!("cli.col.place")),
            Column::new("name", t!("cli.col.name")),
            Column::new("units", t!("cli.col.qty")),
            Column::new("value", t!("cli.value.value")),
            Column::new("used_in_window", t!("cli.value.used")),
            Column::new("days_of_cover", t!("cli.value.cover")),
            Column::new("dead_items", t!("cli.value.dead_items")),
            Column::new("dead_value", t!("cli.value.dead_value")),
        ],
        rows: r
            .iter()
            .map(|p| {
                vec![
                    p.place.as_str().into(),
                    p.name.as_str().into(),
                    Cell::Units(p.units),
                    Cell::Money(p.value_cents),
                    Cell::Money(p.used_cents),
                    p.days_of_cover.map(Cell::Days).unwrap_or(Cell::Empty),
                    Cell::Units(p.dead.len() as i64),
                    Cell::Money(p.dead_value_cents),
                ]
            })
            .collect(),
        total: Some(vec![
            Cell::coded("total", t!("cli.use.total")),
            Cell::Empty,
            Cell::Units(r.iter().map(|p| p.units).sum()),
            Cell::Money(total_value),
            Cell::Money(r.iter().map(|p| p.used_cents).sum()),
            Cell::Empty,
            Cell::Units(r.iter().map(|p| p.dead.len() as i64).sum()),
            Cell::Money(r.iter().map(|p| p.dead_value_cents).sum()),
        ]),
        notes: vec![t!("cli.value.total", money = super::money(total_value))],
    };
    let dead = Sheet {
        key: "dead",
        name: t!("cli.value.dead").to_string(),
        title: t!("cli.value.dead_title", days = days),
        columns: vec![
            Column::new("place", t!("cli.col.place")),
            Column::new("item", t!("cli.col.item")),
            Column::new("name", t!("cli.col.name")),
            Column::new("units", t!("cli.col.qty")),
            Column::new("value", t!("cli.value.value")),
        ],
        rows: r
            .iter()
            .flat_map(|p| {
                p.dead.iter().map(|d| {
                    vec![
                        p.place.as_str().into(),
                        d.item.as_str().into(),
                        d.name.as_str().into(),
                        Cell::Units(d.units),
                        Cell::Money(d.value_cents),
                    ]
                })
            })
            .collect(),
        total: None,
        notes: Vec::new(),
    };
    Report {
        title: t!("cli.value.title", days = days),
        sheets: vec![places, dead],
    }
}

/// Pack scanning at the bedside: a line per ward and nurse, a ward's total
/// where it has more than one nurse, and the total of all.
pub fn scanning(r: &ScanningReport, first: NaiveDate, last: NaiveDate) -> Report {
    let title = t!(
        "cli.scanning.title",
        from = super::date(first),
        to = super::date(last),
        target = r.target_percent
    );
    let line = |l: &ScanningLine, ward: Cell, nurse: Cell| {
        let reasons = l
            .unscanned_by_reason
            .iter()
            .map(|r| match &r.code {
                Some(c) => format!("{c} {}", r.doses),
                None => t!("cli.scanning.no_reason", n = r.doses),
            })
            .collect::<Vec<_>>()
            .join(", ");
        vec![
            ward,
            nurse,
            Cell::Units(l.given),
            Cell::Units(l.scanned),
            Cell::Units(l.unscanned),
            l.scanned_permille
                .map(|p| Cell::Percent(p as f64 / 1000.0))
                .unwrap_or(Cell::Empty),
            reasons.into(),
            if l.below_target {
                Cell::coded("yes", t!("cli.scanning.below", target = r.target_percent))
            } else {
                Cell::Empty
            },
        ]
    };
    let mut rows = Vec::new();
    for w in &r.wards {
        let nurses: Vec<_> = r.lines.iter().filter(|l| l.ward == w.ward).collect();
        for l in &nurses {
            rows.push(line(
                l,
                l.ward.as_str().into(),
                l.nurse.as_deref().map(Cell::from).unwrap_or(Cell::Empty),
            ));
        }
        // A ward's total, when it is not already a line or the total.
        if r.wards.len() > 1 && nurses.len() > 1 {
            rows.push(line(
                w,
                w.ward.as_str().into(),
                Cell::coded("ward_total", t!("cli.scanning.ward_total")),
            ));
        }
    }
    let given = r.total.given > 0;
    let sheet = Sheet {
        key: "scanning",
        name: t!("cli.scanning.sheet").to_string(),
        title: String::new(),
        columns: vec![
            Column::new("ward", t!("cli.col.ward")),
            Column::new("nurse", t!("cli.scanning.nurse")),
            Column::new("given", t!("cli.scanning.given")),
            Column::new("scanned", t!("cli.scanning.scanned")),
            Column::new("unscanned", t!("cli.scanning.unscanned")),
            Column::new("scanned_share", t!("cli.scanning.percent")),
            Column::new("unscanned_by_reason", t!("cli.scanning.by_reason")),
            Column::new("below_target", t!("cli.scanning.target")),
        ],
        rows,
        total: given.then(|| {
            line(
                &r.total,
                Cell::coded("total", t!("cli.scanning.total")),
                Cell::Empty,
            )
        }),
        notes: if given {
            Vec::new()
        } else {
            vec![t!("cli.scanning.none").to_string()]
        },
    };
    Report {
        title,
        sheets: vec![sheet],
    }
}
