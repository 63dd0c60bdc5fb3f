//! Supplier performance, service (stock-outs) and bedside compliance in the
//! reader's words: each result of `ops::reports` becomes a [`Report`].

use chrono::{DateTime, Utc};

use super::sheet::{Cell, Column, Report, Sheet};
use crate::ops::reports::compliance::{ComplianceReport, ComplianceRow, OverrideKind};
use crate::ops::reports::service::{ServiceReport, ServiceRow};
use crate::ops::reports::suppliers::{SupplierPerf, SupplierReport};
use crate::t;

/// The first and the last day of the period `[from, to)`.
fn days(from: DateTime<Utc>, to: DateTime<Utc>) -> (String, String) {
    let last = to - chrono::Duration::seconds(1);
    (
        super::date(super::local(from).date()),
        super::date(super::local(last.max(from)).date()),
    )
}

fn at(t: Option<DateTime<Utc>>) -> Cell {
    t.map_or(Cell::Empty, |t| Cell::DateTime(super::local(t)))
}

fn share(s: Option<f64>) -> Cell {
    s.map_or(Cell::Empty, Cell::Percent)
}

fn text(s: Option<&str>) -> Cell {
    s.map_or(Cell::Empty, Cell::from)
}

/// Supplier performance: per supplier, per supplier and item, and the late
/// deliveries.
pub fn suppliers(r: &SupplierReport) -> Report {
    let (from, to) = days(r.from, r.to);
    let title = t!(
        "supply.suppliers.title",
        from = from,
        to = to,
        as_of = super::date(r.as_of)
    );
    let perf_columns = |item: bool| {
        let mut c = vec![Column::new("supplier", t!("supply.col.supplier"))];
        if item {
            c.push(Column::new("item", t!("supply.col.item")));
            c.push(Column::new("item_name", t!("supply.col.item_name")));
        } else {
            c.push(Column::new("supplier_name", t!("supply.col.supplier_name")));
        }
        c.extend([
            Column::new("lines", t!("supply.suppliers.lines")),
            Column::new("on_time", t!("supply.suppliers.on_time")),
            Column::new("in_full", t!("supply.suppliers.in_full")),
            Column::new("otif", t!("supply.suppliers.otif")),
            Column::new("otif_share", t!("supply.suppliers.otif_share")),
            Column::new("on_time_share", t!("supply.suppliers.on_time_share")),
            Column::new("in_full_share", t!("supply.suppliers.in_full_share")),
            Column::new("late", t!("supply.suppliers.late")),
            Column::new("avg_days_late", t!("supply.suppliers.avg_days_late")),
            Column::new("pending", t!("supply.suppliers.pending")),
            Column::new("units_ordered", t!("supply.suppliers.units_ordered")),
            Column::new("units_received", t!("supply.suppliers.units_received")),
        ]);
        c
    };
    let perf_row = |p: &SupplierPerf, item: bool, total: bool| {
        let mut row: Vec<Cell> = if total {
            vec![t!("supply.total").into(), Cell::Empty]
        } else if item {
            vec![
                p.supplier.as_str().into(),
                text(p.item.as_deref()),
                text(p.item_name.as_deref()),
            ]
        } else {
            vec![p.supplier.as_str().into(), p.supplier_name.as_str().into()]
        };
        row.extend([
            Cell::Units(p.lines),
            Cell::Units(p.on_time),
            Cell::Units(p.in_full),
            Cell::Units(p.otif),
            share(p.otif_share),
            share(p.on_time_share),
            share(p.in_full_share),
            Cell::Units(p.late),
            p.avg_days_late.map_or(Cell::Empty, Cell::Days),
            Cell::Units(p.pending),
            Cell::Units(p.units_ordered),
            Cell::Units(p.units_received),
        ]);
        row
    };
    let by_supplier = Sheet {
        key: "suppliers",
        name: t!("supply.suppliers.sheet").to_string(),
        title: String::new(),
        columns: perf_columns(false),
        rows: r
            .suppliers
            .iter()
            .map(|p| perf_row(p, false, false))
            .collect(),
        total: (!r.suppliers.is_empty()).then(|| perf_row(&r.total, false, true)),
        notes: vec![
            t!("supply.suppliers.rule").to_string(),
            t!("supply.suppliers.open_rule", as_of = super::date(r.as_of)),
        ],
    };
    let by_item = Sheet {
        key: "items",
        name: t!("supply.suppliers.items_sheet").to_string(),
        title: t!("supply.suppliers.items_title").to_string(),
        columns: perf_columns(true),
        rows: r.items.iter().map(|p| perf_row(p, true, false)).collect(),
        total: None,
        notes: Vec::new(),
    };
    let late = Sheet {
        key: "late",
        name: t!("supply.suppliers.late_sheet").to_string(),
        title: t!("supply.suppliers.late_title").to_string(),
        columns: vec![
            Column::new("order", t!("supply.col.order")),
            Column::new("supplier", t!("supply.col.supplier")),
            Column::new("item", t!("supply.col.item")),
            Column::new("item_name", t!("supply.col.item_name")),
            Column::new("due", t!("supply.suppliers.due")),
            Column::new("received", t!("supply.suppliers.received")),
            Column::new("days_late", t!("supply.suppliers.days_late")),
            Column::new("units_ordered", t!("supply.suppliers.units_ordered")),
            Column::new("units_received", t!("supply.suppliers.units_received")),
            Column::new("short", t!("supply.suppliers.short")),
        ],
        rows: r
            .late
            .iter()
            .map(|l| {
                vec![
                    l.order.as_str().into(),
                    l.supplier.as_str().into(),
                    l.item.as_str().into(),
                    l.item_name.as_str().into(),
                    Cell::Date(l.due),
                    l.received
                        .map_or_else(|| t!("supply.suppliers.still_open").into(), Cell::Date),
                    Cell::Units(l.days_late),
                    Cell::Units(l.units_ordered),
                    Cell::Units(l.units_received),
                    Cell::Units(l.short),
                ]
            })
            .collect(),
        total: None,
        notes: if r.late.is_empty() {
            vec![t!("supply.suppliers.none_late").to_string()]
        } else {
            Vec::new()
        },
    };
    Report {
        title,
        sheets: vec![by_supplier, by_item, late],
    }
}

/// Stock-outs per ward and item.
pub fn service(r: &ServiceReport) -> Report {
    let (from, to) = days(r.from, r.to);
    let title = t!(
        "supply.service.title",
        ward = r
            .ward
            .clone()
            .unwrap_or_else(|| t!("supply.every_ward").to_string()),
        from = from,
        to = to
    );
    let row = |s: &ServiceRow, total: bool| {
        vec![
            if total {
                t!("supply.total").into()
            } else {
                s.ward.as_str().into()
            },
            s.item.as_str().into(),
            s.item_name.as_str().into(),
            Cell::Units(s.doses_not_given),
            at(s.last_dose_not_given),
            Cell::Units(s.urgent_requests),
            Cell::Units(s.urgent_units),
            at(s.last_urgent_request),
            Cell::Units(s.times_at_zero),
            at(s.last_at_zero),
        ]
    };
    let sheet = Sheet {
        key: "service",
        name: t!("supply.service.sheet").to_string(),
        title: String::new(),
        columns: vec![
            Column::new("ward", t!("supply.col.ward")),
            Column::new("item", t!("supply.col.item")),
            Column::new("item_name", t!("supply.col.item_name")),
            Column::new("doses_not_given", t!("supply.service.doses_not_given")),
            Column::new("last_dose_not_given", t!("supply.service.last")),
            Column::new("urgent_requests", t!("supply.service.urgent_requests")),
            Column::new("urgent_units", t!("supply.service.urgent_units")),
            Column::new("last_urgent_request", t!("supply.service.last")),
            Column::new("times_at_zero", t!("supply.service.times_at_zero")),
            Column::new("last_at_zero", t!("supply.service.last")),
        ],
        rows: r.rows.iter().map(|s| row(s, false)).collect(),
        total: (!r.rows.is_empty()).then(|| row(&r.total, true)),
        notes: if r.rows.is_empty() {
            vec![t!("supply.service.none").to_string()]
        } else {
            vec![t!("supply.service.rule").to_string()]
        },
    };
    Report {
        title,
        sheets: vec![sheet],
    }
}

/// Bedside compliance per ward (or ward and nurse), and the overrides.
pub fn compliance(r: &ComplianceReport) -> Report {
    let (from, to) = days(r.from, r.to);
    let title = t!(
        "supply.compliance.title",
        ward = r
            .ward
            .clone()
            .unwrap_or_else(|| t!("supply.every_ward").to_string()),
        from = from,
        to = to
    );
    let mut columns = vec![Column::new("ward", t!("supply.col.ward"))];
    if r.by_nurse {
        columns.push(Column::new("nurse", t!("supply.col.nurse")));
    }
    columns.extend([
        Column::new("given", t!("supply.compliance.given")),
        Column::new("on_time", t!("supply.compliance.on_time")),
        Column::new("early", t!("supply.compliance.early")),
        Column::new("late", t!("supply.compliance.late")),
        Column::new("prn", t!("supply.compliance.prn")),
        Column::new("missed", t!("supply.compliance.missed")),
        Column::new("not_given", t!("supply.compliance.not_given")),
        Column::new("on_time_share", t!("supply.compliance.on_time_share")),
        Column::new("pack_not_scanned", t!("supply.compliance.pack_not_scanned")),
        Column::new(
            "wristband_not_scanned",
            t!("supply.compliance.wristband_not_scanned"),
        ),
        Column::new("overrides", t!("supply.compliance.overrides")),
    ]);
    let by_nurse = r.by_nurse;
    let row = |c: &ComplianceRow, total: bool| {
        let mut v: Vec<Cell> = vec![if total {
            t!("supply.total").into()
        } else {
            c.ward.as_str().into()
        }];
        if by_nurse {
            v.push(if total {
                Cell::Empty
            } else {
                c.nurse
                    .as_deref()
                    .map_or_else(|| t!("supply.compliance.no_nurse").into(), Cell::from)
            });
        }
        v.extend([
            Cell::Units(c.given),
            Cell::Units(c.on_time),
            Cell::Units(c.early),
            Cell::Units(c.late),
            Cell::Units(c.prn),
            Cell::Units(c.missed),
            Cell::Units(c.not_given),
            share(c.on_time_share),
            Cell::Units(c.pack_not_scanned),
            Cell::Units(c.wristband_not_scanned),
            Cell::Units(c.overrides),
        ]);
        v
    };
    let doses = Sheet {
        key: "compliance",
        name: t!("supply.compliance.sheet").to_string(),
        title: String::new(),
        columns,
        rows: r.rows.iter().map(|c| row(c, false)).collect(),
        total: (!r.rows.is_empty()).then(|| row(&r.total, true)),
        notes: vec![t!("supply.compliance.rule").to_string()],
    };
    let overrides = Sheet {
        key: "overrides",
        name: t!("supply.compliance.overrides_sheet").to_string(),
        title: t!("supply.compliance.overrides_title").to_string(),
        columns: vec![
            Column::new("at", t!("supply.compliance.at")),
            Column::new("ward", t!("supply.col.ward")),
            Column::new("nurse", t!("supply.col.nurse")),
            Column::new("patient", t!("supply.col.patient")),
            Column::new("item", t!("supply.col.item")),
            Column::new("override", t!("supply.compliance.override")),
            Column::new("reason", t!("supply.compliance.reason")),
            Column::new("scheduled", t!("supply.compliance.scheduled")),
            Column::new("minutes_off", t!("supply.compliance.minutes_off")),
        ],
        rows: r
            .overrides
            .iter()
            .map(|o| {
                vec![
                    Cell::DateTime(super::local(o.at)),
                    o.ward.as_str().into(),
                    o.nurse.as_str().into(),
                    o.patient.as_str().into(),
                    o.item.as_str().into(),
                    match o.kind {
                        OverrideKind::Timing => t!("supply.compliance.kind_timing"),
                        OverrideKind::PackNotScanned => t!("supply.compliance.kind_pack"),
                        OverrideKind::NoWristband => t!("supply.compliance.kind_wristband"),
                    }
                    .into(),
                    match (o.kind, o.reason.as_deref()) {
                        (OverrideKind::NoWristband, _) => t!("supply.compliance.by_dob").into(),
                        (_, Some(why)) => why.into(),
                        (_, None) => t!("supply.compliance.no_reason").into(),
                    },
                    at(o.scheduled),
                    o.minutes_off.map_or(Cell::Empty, Cell::Units),
                ]
            })
            .collect(),
        total: None,
        notes: if r.overrides.is_empty() {
            vec![t!("supply.compliance.no_overrides").to_string()]
        } else {
            Vec::new()
        },
    };
    Report {
        title,
        sheets: vec![doses, overrides],
    }
}
