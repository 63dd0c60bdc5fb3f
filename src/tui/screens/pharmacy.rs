//! Pharmacy: transfer orders to the wards (Enter opens the pick list, where
//! each scanned pack is picked), the pharmacy's own warnings, and the ward
//! lines below safety stock now.

use chrono::Local;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row};

use super::{line, visible_table};
use crate::domain::alerts::Severity;
use crate::ops::stock::TransferOrder;
use crate::tui::app::App;
use crate::tui::theme::Theme;
use crate::tui::ui::fit;

/// Rows of the ward-needs table under the orders, for a body of `height`.
fn needs_rows(height: u16, needs: usize) -> u16 {
    (needs as u16 + 2).min(height / 3).max(3)
}

/// Visible order rows in a body of `height` (the app scrolls by this).
pub fn order_rows(height: u16, needs: usize) -> usize {
    height.saturating_sub(3 + needs_rows(height, needs)).max(1) as usize
}

/// Visible suggestion rows of the plan screen in a body of `height`.
pub fn plan_rows(height: u16) -> usize {
    plan_split(height).0.saturating_sub(1).max(1) as usize
}

/// Heights of the suggestions table and of the lower pane (exceptions or chart).
fn plan_split(height: u16) -> (u16, u16) {
    let body = height.saturating_sub(2);
    let lower = (body * 2 / 5).max(4).min(body.saturating_sub(3));
    (body.saturating_sub(lower), lower)
}

pub fn draw(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    if let Some(order) = &app.order {
        draw_order(f, area, order, theme);
        return;
    }
    if let Some(r) = &app.sim {
        draw_sim(f, area, app, r, theme);
        return;
    }
    if let Some((done, total)) = app.sim_progress {
        let [cap, gauge] =
            Layout::vertical([Constraint::Length(2), Constraint::Length(3)]).areas(area);
        line(
            f,
            cap,
            Line::styled(
                " Simulating AS IS (periodic review) against TO BE (daily MRP) on the same demand…",
                theme.header(),
            ),
        );
        let ratio = if total == 0 {
            0.0
        } else {
            done as f64 / total as f64
        };
        f.render_widget(
            ratatui::widgets::Gauge::default()
                .block(ratatui::widgets::Block::bordered().title(" replications "))
                .gauge_style(theme.info())
                .ratio(ratio.clamp(0.0, 1.0))
                .label(format!("{done}/{total}")),
            gauge,
        );
        return;
    }
    if let Some(plan) = &app.plan {
        draw_plan(f, area, app, plan, theme);
        return;
    }
    let needs_rows = needs_rows(area.height, app.pharmacy.needs.len());
    let [cap, orders, needs_cap, needs] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(2),
        Constraint::Length(1),
        Constraint::Length(needs_rows),
    ])
    .areas(area);
    let p = &app.pharmacy;
    let open = p.orders.iter().filter(|o| o.status == "open").count();
    let transit = p.orders.iter().filter(|o| o.status == "in_transit").count();
    line(
        f,
        cap,
        Line::from(vec![
            Span::styled(" Central pharmacy ", theme.header()),
            Span::raw(format!(" {} items · ", p.items)),
            Span::styled(
                format!("{} critical", p.critical),
                theme.severity(Severity::Critical),
            ),
            Span::raw(" · "),
            Span::styled(format!("{} high", p.high), theme.severity(Severity::High)),
            Span::raw(format!(
                " warnings · orders: {open} to pick, {transit} in transit"
            )),
        ]),
    );
    visible_table(
        f,
        orders,
        theme,
        &["Order", "To", "Status", "Created"],
        &[
            Constraint::Length(7),
            Constraint::Length(8),
            Constraint::Length(12),
            Constraint::Min(12),
        ],
        p.orders.len(),
        Some(app.pharm_sel),
        |i| {
            let o = &p.orders[i];
            let style = match o.status.as_str() {
                "open" => theme.warn(),
                "in_transit" => theme.info(),
                _ => theme.dim(),
            };
            let created = crate::domain::instant_from_text(&o.created_at)
                .map(|t| t.with_timezone(&Local).format("%d %b %H:%M").to_string())
                .unwrap_or_default();
            Row::new(vec![
                Cell::from(format!("TO-{}", o.id)),
                Cell::from(o.to.clone()),
                Cell::from(Span::styled(o.status.replace('_', " "), style)),
                Cell::from(created),
            ])
        },
    );
    if p.orders.is_empty() {
        let r = Rect {
            y: orders.y + 1,
            height: 1,
            ..orders
        };
        line(
            f,
            r,
            Line::styled(
                " No transfer orders yet (wardstock transfer new --to WARD --line CODE:QTY).",
                theme.dim(),
            ),
        );
    }
    line(
        f,
        needs_cap,
        Line::styled(
            format!(
                " {} ward line(s) at or below safety stock now",
                p.needs.len()
            ),
            theme.header(),
        ),
    );
    visible_table(
        f,
        needs,
        theme,
        &["Ward", "Code", "Item", "Usable", "Safety", "State"],
        &[
            Constraint::Length(6),
            Constraint::Length(10),
            Constraint::Min(16),
            Constraint::Length(7),
            Constraint::Length(7),
            Constraint::Length(6),
        ],
        p.needs.len(),
        None,
        |i| {
            let n = &p.needs[i];
            Row::new(vec![
                Cell::from(n.ward.clone()),
                Cell::from(n.code.clone()),
                Cell::from(n.name.clone()),
                Cell::from(Line::from(n.usable.to_string()).right_aligned()),
                Cell::from(Line::from(n.safety_stock.to_string()).right_aligned()),
                Cell::from(Span::styled(
                    if n.usable <= 0 { "OUT" } else { "LOW" },
                    theme.severity(n.severity),
                )),
            ])
        },
    );
}

fn draw_order(f: &mut Frame, area: Rect, o: &TransferOrder, theme: &Theme) {
    let [cap, list, foot] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(area);
    let hint = match o.status.as_str() {
        "open" => "scan each pack to pick it; F8 dispatch",
        "in_transit" => "on its way; the ward confirms with F9",
        _ => "",
    };
    line(
        f,
        cap,
        Line::from(vec![
            Span::styled(
                format!(" Transfer order TO-{}: {} → {} ", o.id, o.from, o.to),
                theme.header(),
            ),
            Span::styled(format!(" {} ", o.status.replace('_', " ")), theme.warn()),
            Span::raw(format!(" {hint}")),
        ]),
    );
    visible_table(
        f,
        list,
        theme,
        &["Item", "Asked", "Picked", "Open", "Pick (FEFO)"],
        &[
            Constraint::Min(18),
            Constraint::Length(6),
            Constraint::Length(6),
            Constraint::Length(6),
            Constraint::Length(34),
        ],
        o.lines.len(),
        None,
        |i| {
            let l = &o.lines[i];
            let mut pick: Vec<String> = l
                .suggestions
                .iter()
                .map(|s| {
                    format!(
                        "{} ×{} exp {}",
                        s.lot_number,
                        s.qty,
                        s.expiry
                            .map(|d| d.format("%Y-%m-%d").to_string())
                            .unwrap_or_default()
                    )
                })
                .collect();
            if l.shortfall > 0 {
                pick.push(format!("SHORT {}", l.shortfall));
            }
            let style = if l.open == 0 {
                theme.info()
            } else if l.shortfall > 0 {
                theme.severity(Severity::High)
            } else {
                Default::default()
            };
            Row::new(vec![
                Cell::from(format!("{} {}", l.item.code, l.item.name)),
                Cell::from(Line::from(l.requested.to_string()).right_aligned()),
                Cell::from(Line::from(l.picked.to_string()).right_aligned()),
                Cell::from(Line::from(l.open.to_string()).right_aligned()),
                Cell::from(Span::styled(
                    if l.open == 0 {
                        "done".to_string()
                    } else {
                        pick.join("; ")
                    },
                    style,
                )),
            ])
        },
    );
    let open: i64 = o.lines.iter().map(|l| l.open).sum();
    line(
        f,
        foot,
        Line::styled(
            fit(
                &format!(" {open} unit(s) still to pick · Esc back to the orders"),
                foot.width as usize,
            ),
            theme.dim(),
        ),
    );
}

/// The replenishment plan: suggestions (ward deliveries and supplier
/// orders) with what they cover, then the exceptions worst first — or the
/// selected item's projected stock against its safety stock.
fn draw_plan(
    f: &mut Frame,
    area: Rect,
    app: &App,
    plan: &crate::tui::views::PlanView,
    theme: &Theme,
) {
    use ratatui::widgets::{Axis, Chart, Dataset, GraphType};
    let (top, lower) = plan_split(area.height);
    let [cap, list, lower_cap, lower_area] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(top),
        Constraint::Length(1),
        Constraint::Length(lower),
    ])
    .areas(area);
    let deliveries = plan.rows.iter().filter(|r| !r.purchase).count();
    let past_due = plan.rows.iter().filter(|r| r.s.past_due).count();
    line(
        f,
        cap,
        Line::from(vec![
            Span::styled(" Replenishment plan ", theme.header()),
            Span::raw(format!(
                " {deliveries} ward deliveries · {} supplier orders · ",
                plan.rows.len() - deliveries
            )),
            Span::styled(
                format!("{past_due} past due"),
                theme.severity(Severity::Critical),
            ),
            Span::raw(if plan.rejected > 0 {
                format!(" · {} rejected today, not shown", plan.rejected)
            } else {
                String::new()
            }),
        ]),
    );
    let wide = list.width >= 90;
    let mut header = vec!["Release", "Need", "To", "From", "Item", "Qty"];
    let mut widths = vec![
        Constraint::Length(7),
        Constraint::Length(6),
        Constraint::Length(6),
        Constraint::Length(8),
        Constraint::Min(14),
        Constraint::Length(6),
    ];
    if wide {
        header.push("Covers");
        widths.push(Constraint::Length(30));
    }
    visible_table(
        f,
        list,
        theme,
        &header,
        &widths,
        plan.rows.len(),
        Some(app.plan_sel),
        |i| {
            let r = &plan.rows[i];
            let release = if r.s.past_due {
                Span::styled("NOW!", theme.severity(Severity::Critical))
            } else {
                Span::raw(r.release.format("%d %b").to_string())
            };
            let mut cells = vec![
                Cell::from(release),
                Cell::from(r.receipt.format("%d %b").to_string()),
                Cell::from(r.s.place.clone()),
                Cell::from(r.from.clone()),
                Cell::from(format!("{} {}", r.s.item, r.item_name)),
                Cell::from(Line::from(r.s.qty.to_string()).right_aligned()),
            ];
            if wide {
                cells.push(Cell::from(r.covers.clone()));
            }
            Row::new(cells)
        },
    );
    if plan.rows.is_empty() {
        let r = Rect {
            y: list.y + 1,
            height: 1,
            ..list
        };
        line(
            f,
            r,
            Line::styled(" Nothing to order over the horizon.", theme.dim()),
        );
    }
    let selected = plan.rows.get(app.plan_sel.selected);
    if app.plan_chart {
        let Some(row) = selected else { return };
        let Some(curve) = plan.curves.get(&(row.s.place.clone(), row.s.item.clone())) else {
            return;
        };
        line(
            f,
            lower_cap,
            Line::styled(
                format!(
                    " {} at {}: projected usable stock (end of day) and safety stock {}",
                    row.s.item, row.s.place, curve.safety_stock
                ),
                theme.header(),
            ),
        );
        let on_hand: Vec<(f64, f64)> = curve
            .on_hand
            .iter()
            .enumerate()
            .map(|(k, v)| (k as f64, *v as f64))
            .collect();
        let n = curve.on_hand.len().max(2) as f64 - 1.0;
        let ss: Vec<(f64, f64)> = vec![
            (0.0, curve.safety_stock as f64),
            (n, curve.safety_stock as f64),
        ];
        let top = curve
            .on_hand
            .iter()
            .copied()
            .max()
            .unwrap_or(0)
            .max(curve.safety_stock.max(0) as u32)
            .max(1) as f64;
        let day = |k: f64| {
            plan.start
                .map(|s| {
                    (s + chrono::Duration::hours(plan.bucket_hours * k as i64))
                        .format("%d %b")
                        .to_string()
                })
                .unwrap_or_default()
        };
        let chart = Chart::new(vec![
            Dataset::default()
                .name("on hand")
                .graph_type(GraphType::Line)
                .marker(ratatui::symbols::Marker::Braille)
                .style(theme.info())
                .data(&on_hand),
            Dataset::default()
                .name("safety stock")
                .graph_type(GraphType::Line)
                .marker(ratatui::symbols::Marker::Braille)
                .style(theme.severity(Severity::High))
                .data(&ss),
        ])
        .x_axis(Axis::default().bounds([0.0, n]).labels(vec![
            Line::from(day(0.0)),
            Line::from(day(n / 2.0)),
            Line::from(day(n)),
        ]))
        .y_axis(Axis::default().bounds([0.0, top * 1.1]).labels(vec![
            Line::from("0"),
            Line::from(format!("{}", (top / 2.0).round())),
            Line::from(format!("{top}")),
        ]));
        f.render_widget(chart, lower_area);
        return;
    }
    line(
        f,
        lower_cap,
        Line::styled(
            format!(
                " {} exception(s), worst first · c: chart of the selected item",
                plan.exceptions.len()
            ),
            theme.header(),
        ),
    );
    visible_table(
        f,
        lower_area,
        theme,
        &["Kind", "Day", "Place", "Item", "Qty", "Message"],
        &[
            Constraint::Length(10),
            Constraint::Length(6),
            Constraint::Length(6),
            Constraint::Length(10),
            Constraint::Length(6),
            Constraint::Min(20),
        ],
        plan.exceptions.len(),
        None,
        |i| {
            use crate::planning::mrp::ExceptionKind as K;
            let e = &plan.exceptions[i];
            let (text, style) = match e.kind {
                K::Expedite => ("EXPEDITE", theme.severity(Severity::Critical)),
                K::BelowSafetyStock => ("below SS", theme.severity(Severity::High)),
                K::ExpiringBeforeUse => ("expiring", theme.warn()),
                K::Cancel => ("cancel", theme.info()),
                K::Defer => ("defer", theme.dim()),
            };
            // The day the exception is about (its bucket on the calendar).
            let day = plan
                .start
                .map(|s| {
                    (s + chrono::Duration::hours(plan.bucket_hours * e.bucket as i64))
                        .format("%d %b")
                        .to_string()
                })
                .unwrap_or_default();
            Row::new(vec![
                Cell::from(Span::styled(text, style)),
                Cell::from(day),
                Cell::from(e.place.clone()),
                Cell::from(e.item.clone()),
                Cell::from(Line::from(e.qty.to_string()).right_aligned()),
                Cell::from(fit(&e.message(), 200)),
            ])
        },
    );
}

/// The simulation's result: costs, service and stock under both policies,
/// the saving, and the ward stock of one drug under each policy over the
/// days (the paper's Figures 5 and 6); ↑ ↓ choose the drug.
fn draw_sim(
    f: &mut Frame,
    area: Rect,
    app: &App,
    r: &crate::planning::sim::SimResult,
    theme: &Theme,
) {
    use ratatui::widgets::{Axis, Chart, Dataset, GraphType};
    let [cap, table, chart_cap, chart] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(8),
        Constraint::Length(1),
        Constraint::Min(4),
    ])
    .areas(area);
    line(
        f,
        cap,
        Line::styled(
            fit(
                &format!(
                    " {} · {} days, {} replications, seed {}",
                    if r.description.is_empty() {
                        &r.scenario
                    } else {
                        &r.description
                    },
                    r.days,
                    r.replications,
                    r.seed
                ),
                cap.width as usize,
            ),
            theme.header(),
        ),
    );
    let (a, b) = (&r.as_is.total, &r.to_be.total);
    let euro = |v: f64| crate::domain::thousands(v, 0);
    let pct = |v: f64| format!("{:.1} %", v * 100.0);
    let saving = |e: &Option<crate::planning::sim::Estimate>| {
        // Savings are already percentages of AS IS.
        e.as_ref()
            .map(|p| format!("{:.1} %", p.mean))
            .unwrap_or_else(|| "–".into())
    };
    let rows: Vec<(String, String, String, String)> = vec![
        (
            "total cost, euro".into(),
            euro(a.cost.total.mean),
            euro(b.cost.total.mean),
            saving(&r.saving.percent),
        ),
        (
            "without the drugs' price".into(),
            euro(a.cost.total.mean - a.cost.purchasing.mean),
            euro(b.cost.total.mean - b.cost.purchasing.mean),
            saving(&r.saving.operating_percent),
        ),
        (
            "fill rate".into(),
            pct(a.fill_rate.mean),
            pct(b.fill_rate.mean),
            String::new(),
        ),
        (
            "days without a stock-out".into(),
            pct(a.cycle_service_level.mean),
            pct(b.cycle_service_level.mean),
            String::new(),
        ),
        (
            "average ward stock, euro".into(),
            euro(a.average_stock.ward_value.mean),
            euro(b.average_stock.ward_value.mean),
            String::new(),
        ),
        (
            "ward deliveries".into(),
            euro(a.ward_deliveries.mean),
            euro(b.ward_deliveries.mean),
            String::new(),
        ),
    ];
    visible_table(
        f,
        table,
        theme,
        &["", "AS IS", "TO BE", "saving"],
        &[
            Constraint::Min(24),
            Constraint::Length(12),
            Constraint::Length(12),
            Constraint::Length(9),
        ],
        rows.len(),
        None,
        |i| {
            let (l, x, y, z) = &rows[i];
            Row::new(vec![
                Cell::from(l.clone()),
                Cell::from(Line::from(x.clone()).right_aligned()),
                Cell::from(Line::from(y.clone()).right_aligned()),
                Cell::from(Line::from(z.clone()).right_aligned()),
            ])
        },
    );
    let Some(series) = r
        .series
        .drugs
        .get(app.sim_drug.min(r.series.drugs.len().saturating_sub(1)))
    else {
        return;
    };
    line(
        f,
        chart_cap,
        Line::styled(
            format!(
                " {} on the ward, end of each day (replication 1) · ↑ ↓ another drug",
                series.drug
            ),
            theme.header(),
        ),
    );
    let points = |v: &[u64]| -> Vec<(f64, f64)> {
        v.iter()
            .enumerate()
            .map(|(k, q)| (k as f64, *q as f64))
            .collect()
    };
    let (as_is, to_be) = (points(&series.as_is.ward), points(&series.to_be.ward));
    let top = series
        .as_is
        .ward
        .iter()
        .chain(&series.to_be.ward)
        .copied()
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let n = series.as_is.ward.len().max(2) as f64 - 1.0;
    let c = Chart::new(vec![
        Dataset::default()
            .name("AS IS")
            .graph_type(GraphType::Line)
            .marker(ratatui::symbols::Marker::Braille)
            .style(theme.severity(Severity::High))
            .data(&as_is),
        Dataset::default()
            .name("TO BE")
            .graph_type(GraphType::Line)
            .marker(ratatui::symbols::Marker::Braille)
            .style(theme.info())
            .data(&to_be),
    ])
    .x_axis(Axis::default().bounds([0.0, n]).labels(vec![
        Line::from("day 1"),
        Line::from(format!("day {}", (n as usize) / 2 + 1)),
        Line::from(format!("day {}", n as usize + 1)),
    ]))
    .y_axis(Axis::default().bounds([0.0, top * 1.1]).labels(vec![
        Line::from("0"),
        Line::from(format!("{}", (top / 2.0).round())),
        Line::from(format!("{top}")),
    ]));
    f.render_widget(c, chart);
}
