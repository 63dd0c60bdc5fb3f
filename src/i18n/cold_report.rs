//! The cold chain's report in the reader's words: each excursion (where,
//! when, how long, how warm, the lots it held and what became of them), and
//! each held lot's decision (released, disposed of or awaiting, by whom,
//! when and why). The same [`Report`] for the console, the text table, CSV
//! and XLSX.

use chrono::NaiveDate;

use super::sheet::{Cell, Column, Report, Sheet};
use crate::domain::instant_from_text;
use crate::ops::cold::{HoldRecord, LocatedExcursion};
use crate::t;

fn temp(tenths: Option<i32>) -> Cell {
    // Degrees as a number a spreadsheet reads, with one decimal.
    tenths.map_or(Cell::Empty, |t| {
        Cell::Text(crate::domain::cold::celsius_text(t))
    })
}

fn decision_cell(h: &HoldRecord) -> Cell {
    let code = match h.decision.as_deref() {
        Some("release") => "released",
        Some("dispose") => "disposed",
        _ => "pending",
    };
    Cell::coded(code, super::cold::decision(h.decision.as_deref()))
}

fn count(holds: &[HoldRecord], decision: Option<&str>) -> i64 {
    holds
        .iter()
        .filter(|h| h.decision.as_deref() == decision)
        .count() as i64
}

/// The report of every excursion of `list` over the days `first`–`last`
/// (of one place, or every place).
pub fn cold_chain(
    list: &[LocatedExcursion],
    place: Option<&str>,
    first: NaiveDate,
    last: NaiveDate,
) -> Report {
    let place = place
        .map(String::from)
        .unwrap_or_else(|| t!("console_resilience.report.every_place").to_string());
    let title = t!(
        "console_resilience.report.title",
        place = place,
        from = super::date(first),
        to = super::date(last)
    );
    let excursions = Sheet {
        key: "excursions",
        name: t!("console_resilience.report.excursions_sheet").to_string(),
        // The report's title heads it.
        title: String::new(),
        columns: vec![
            Column::new("location", t!("console_resilience.report.col.location")),
            Column::new("cause", t!("console_resilience.report.col.cause")),
            Column::new("start", t!("console_resilience.report.col.start")),
            Column::new("end", t!("console_resilience.report.col.end")),
            Column::new("minutes", t!("console_resilience.report.col.minutes")),
            Column::new("peak_c", t!("console_resilience.report.col.peak")),
            Column::new("lots_held", t!("console_resilience.report.col.lots_held")),
            Column::new("released", t!("console_resilience.report.col.released")),
            Column::new("disposed", t!("console_resilience.report.col.disposed")),
            Column::new("pending", t!("console_resilience.report.col.pending")),
        ],
        rows: list
            .iter()
            .map(|e| {
                let x = &e.excursion;
                vec![
                    e.location.as_str().into(),
                    Cell::coded(x.cause.as_ref(), super::cold::cause(x.cause)),
                    Cell::DateTime(super::local(x.start)),
                    if x.ongoing {
                        Cell::coded("ongoing", t!("console_resilience.report.ongoing"))
                    } else {
                        Cell::DateTime(super::local(x.end))
                    },
                    Cell::Units(x.minutes),
                    temp(x.peak_tenths),
                    Cell::Units(x.holds.len() as i64),
                    Cell::Units(count(&x.holds, Some("release"))),
                    Cell::Units(count(&x.holds, Some("dispose"))),
                    Cell::Units(count(&x.holds, None)),
                ]
            })
            .collect(),
        total: (!list.is_empty()).then(|| {
            let all: Vec<&HoldRecord> = list.iter().flat_map(|e| &e.excursion.holds).collect();
            let n = |d: Option<&str>| all.iter().filter(|h| h.decision.as_deref() == d).count();
            vec![
                t!("console_resilience.report.total").into(),
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
                Cell::Units(list.iter().map(|e| e.excursion.minutes).sum()),
                Cell::Empty,
                Cell::Units(all.len() as i64),
                Cell::Units(n(Some("release")) as i64),
                Cell::Units(n(Some("dispose")) as i64),
                Cell::Units(n(None) as i64),
            ]
        }),
        notes: if list.is_empty() {
            vec![t!("cold.cli.no_excursions").to_string()]
        } else {
            vec![t!("console_resilience.report.rule").to_string()]
        },
    };
    let decisions = Sheet {
        key: "decisions",
        name: t!("console_resilience.report.decisions_sheet").to_string(),
        title: t!("console_resilience.report.decisions_title").to_string(),
        columns: vec![
            Column::new("location", t!("console_resilience.report.col.location")),
            Column::new("start", t!("console_resilience.report.col.start")),
            Column::new("item", t!("console_resilience.report.col.item")),
            Column::new("lot", t!("console_resilience.report.col.lot")),
            Column::new("decision", t!("console_resilience.report.col.decision")),
            Column::new("decided_by", t!("console_resilience.report.col.by")),
            Column::new("decided_at", t!("console_resilience.report.col.at")),
            Column::new("comment", t!("console_resilience.report.col.comment")),
        ],
        rows: list
            .iter()
            .flat_map(|e| {
                e.excursion.holds.iter().map(move |h| {
                    vec![
                        e.location.as_str().into(),
                        Cell::DateTime(super::local(e.excursion.start)),
                        h.item_code.as_str().into(),
                        h.lot.as_str().into(),
                        decision_cell(h),
                        h.decided_by.clone().map_or(Cell::Empty, Cell::Text),
                        h.decided_at
                            .as_deref()
                            .and_then(instant_from_text)
                            .map_or(Cell::Empty, |t| Cell::DateTime(super::local(t))),
                        h.comment.clone().map_or(Cell::Empty, Cell::Text),
                    ]
                })
            })
            .collect(),
        total: None,
        notes: Vec::new(),
    };
    Report {
        title,
        sheets: vec![excursions, decisions],
    }
}
