//! The plan as a readable text report: planned orders, exceptions worst
//! first, then each MRP record as a bucket table. Pure formatting, in the
//! reader's language.

use std::fmt::Write;

use comfy_table::{CellAlignment, Table, presets::UTF8_BORDERS_ONLY};

use crate::i18n;
use crate::planning::mrp::{Exception, ExceptionKind, Plan, PlannedOrder, Record};
use crate::t;

/// Buckets per table row block, so that wide horizons wrap into blocks.
const BUCKETS_PER_BLOCK: usize = 14;
/// Pegs listed per order before "+N more".
const PEGS_SHOWN: usize = 3;

/// When a bucket starts, as a pharmacist says it: its day (or day and
/// hour for buckets shorter than a day) when the plan has a start, else
/// its number.
struct When {
    start: Option<chrono::NaiveDateTime>,
    hours: i64,
}

impl When {
    fn of(plan: &Plan) -> When {
        When {
            start: plan.bucket_start(0),
            hours: plan.bucket_hours(),
        }
    }

    fn at(&self, k: usize) -> String {
        let at = self.start.and_then(|s| {
            let h = i64::try_from(k).ok()?.checked_mul(self.hours)?;
            s.checked_add_signed(chrono::TimeDelta::try_hours(h)?)
        });
        match at {
            Some(t) if self.hours % 24 == 0 => i18n::day_short(t.date()),
            Some(t) => i18n::datetime_short(t),
            None => k.to_string(),
        }
    }
}

/// Renders the whole plan.
pub fn render_text(plan: &Plan) -> String {
    let when = When::of(plan);
    let mut s = String::new();
    let hours = plan.bucket_hours();
    let length = if hours % 24 == 0 {
        let days = hours / 24;
        if days == 1 {
            t!("cli.report.one_day").to_string()
        } else {
            t!("cli.report.days", n = days)
        }
    } else {
        t!("cli.report.hours", n = hours)
    };
    s.push_str(&t!("cli.report.title", n = plan.buckets(), length = length));
    if let Some(start) = plan.bucket_start(0) {
        s.push_str(&t!("cli.report.starts", time = i18n::datetime(start)));
    }
    let _ = writeln!(
        s,
        "\n{}\n",
        t!(
            "cli.report.counts",
            orders = plan.planned_orders().len(),
            exceptions = plan.exceptions().len(),
            records = plan.records().len(),
            pharmacy = plan.pharmacy()
        )
    );
    let none = format!("  {}\n", t!("cli.word.none"));

    let _ = writeln!(s, "{}", t!("cli.report.orders"));
    if plan.planned_orders().len() == 0 {
        s.push_str(&none);
    } else {
        let _ = writeln!(s, "{}", orders_table(plan.planned_orders(), &when));
    }

    let _ = writeln!(s, "\n{}", t!("cli.report.exceptions"));
    if plan.exceptions().is_empty() {
        s.push_str(&none);
    } else {
        let _ = writeln!(s, "{}", exceptions_table(plan.exceptions(), &when));
    }

    let _ = writeln!(s, "\n{}", t!("cli.report.records"));
    if plan.records().len() == 0 {
        s.push_str(&none);
    }
    for r in plan.records() {
        let _ = writeln!(s, "\n{} · {}", r.place, r.item);
        s.push_str(&record_table(&r, &when));
        s.push('\n');
    }
    s
}

fn orders_table<'a>(orders: impl Iterator<Item = PlannedOrder<'a>>, when: &When) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_BORDERS_ONLY).set_header([
        t!("cli.col.place"),
        t!("cli.col.item"),
        t!("cli.report.from"),
        t!("cli.report.release"),
        t!("cli.report.receipt"),
        t!("cli.col.qty"),
        t!("cli.report.status"),
        t!("cli.report.covers"),
    ]);
    for o in orders {
        let mut covers: Vec<String> = o
            .pegging
            .iter()
            .take(PEGS_SHOWN)
            .map(|p| {
                let mut c = format!("{} {} {}", p.place, when.at(p.bucket), p.qty);
                if let Some(src) = p.source {
                    c = t!("cli.report.peg", peg = c, source = source_word(src));
                }
                c
            })
            .collect();
        if o.pegging.len() > PEGS_SHOWN {
            covers.push(t!("cli.report.more", n = o.pegging.len() - PEGS_SHOWN));
        }
        t.add_row([
            o.place.to_string(),
            o.item.to_string(),
            source_word(o.source).to_string(),
            when.at(o.release_bucket),
            when.at(o.receipt_bucket),
            o.qty.to_string(),
            if o.past_due {
                t!("cli.report.past_due").to_string()
            } else {
                String::new()
            },
            covers.join("; "),
        ]);
    }
    for c in [3, 4, 5] {
        if let Some(col) = t.column_mut(c) {
            col.set_cell_alignment(CellAlignment::Right);
        }
    }
    t
}

/// Where a requirement or an order comes from, in words: a prescription
/// (`RX-12`) and a place code stay as they are.
fn source_word(s: &str) -> &str {
    match s {
        "forecast" => t!("cli.report.forecast"),
        crate::planning::mrp::PLANNED_RELEASE => t!("cli.report.planned_release"),
        crate::planning::mrp::SUPPLIER => t!("cli.report.supplier"),
        other => other,
    }
}

fn exceptions_table(exceptions: &[Exception], when: &When) -> Table {
    let mut sorted: Vec<&Exception> = exceptions.iter().collect();
    // Stable: within a kind, the plan's order (wards, then the pharmacy).
    sorted.sort_by_key(|e| e.kind);
    let mut t = Table::new();
    t.load_preset(UTF8_BORDERS_ONLY).set_header([
        t!("cli.report.kind"),
        t!("cli.col.place"),
        t!("cli.col.item"),
        t!("cli.report.bucket"),
        t!("cli.col.qty"),
        t!("cli.col.what"),
    ]);
    for e in sorted {
        t.add_row([
            kind_word(e.kind).to_string(),
            e.place.clone(),
            e.item.clone(),
            when.at(e.bucket),
            e.qty.to_string(),
            e.message(),
        ]);
    }
    for c in [3, 4] {
        if let Some(col) = t.column_mut(c) {
            col.set_cell_alignment(CellAlignment::Right);
        }
    }
    t
}

/// An exception's kind: its code in English (as planners and the JSON know
/// it), a word in Chinese.
fn kind_word(k: ExceptionKind) -> &'static str {
    match k {
        ExceptionKind::Expedite => t!("cli.report.expedite"),
        ExceptionKind::BelowSafetyStock => t!("cli.report.below_safety_stock"),
        ExceptionKind::ExpiringBeforeUse => t!("cli.report.expiring_before_use"),
        ExceptionKind::Cancel => t!("cli.report.cancel"),
        ExceptionKind::Defer => t!("cli.report.defer"),
    }
}

fn record_table(r: &Record<'_>, when: &When) -> String {
    let rows: [(&str, &[u64]); 6] = [
        (t!("cli.report.gross"), r.gross),
        (t!("cli.report.scheduled"), r.scheduled_receipts),
        (t!("cli.report.on_hand"), r.projected_on_hand),
        (t!("cli.report.net"), r.net),
        (t!("cli.report.receipts"), r.planned_receipts),
        (t!("cli.report.releases"), r.planned_releases),
    ];
    let b = r.gross.len();
    let mut s = String::new();
    let mut from = 0;
    while from < b {
        let to = (from + BUCKETS_PER_BLOCK).min(b);
        let mut t = Table::new();
        t.load_preset(UTF8_BORDERS_ONLY);
        let mut header = vec![t!("cli.report.bucket").to_string()];
        header.extend((from..to).map(|k| when.at(k)));
        t.set_header(header);
        for (label, values) in rows {
            let mut row = vec![label.to_string()];
            row.extend(values[from..to].iter().map(|v| v.to_string()));
            t.add_row(row);
        }
        for c in 1..=to - from {
            if let Some(col) = t.column_mut(c) {
                col.set_cell_alignment(CellAlignment::Right);
            }
        }
        let _ = writeln!(s, "{t}");
        from = to;
    }
    s
}
