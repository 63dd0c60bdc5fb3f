//! Drawing the Pharmacy tab's plan and simulation: the replenishment
//! suggestions with what they cover, then the exceptions worst first or the
//! selected item's projected stock; the simulation's progress, its costs
//! and service under both policies, and one drug's ward stock over the days.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Chart, Dataset, GraphType};

use crate::domain::alerts::Severity;
use crate::i18n::{day_short, num};
use crate::planning::sim::SimResult;
use crate::t;
use crate::tui::component::ListState;
use crate::tui::theme::Theme;
use crate::tui::views::PlanView;
use crate::tui::widgets::{Column, TCell, W, fit, line, note_at, visible_table};

/// Heights of the suggestions table and of the lower pane (exceptions or chart).
fn plan_split(height: u16) -> (u16, u16) {
    let body = height.saturating_sub(2);
    let lower = (body * 2 / 5).max(4).min(body.saturating_sub(3));
    (body.saturating_sub(lower), lower)
}

/// The day of a plan bucket.
fn bucket_day(plan: &PlanView, k: f64) -> String {
    plan.start
        .map(|s| day_short((s + chrono::Duration::hours(plan.bucket_hours * k as i64)).date()))
        .unwrap_or_default()
}

pub fn draw_plan(
    f: &mut Frame,
    area: Rect,
    plan: &PlanView,
    sel: &ListState,
    chart: bool,
    theme: &Theme,
) {
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
            Span::styled(format!(" {} ", t!("tui.plan.title")), theme.header()),
            Span::raw(t!(
                "tui.plan.counts",
                deliveries = deliveries,
                purchases = plan.rows.len() - deliveries
            )),
            Span::styled(
                t!("tui.plan.past_due", n = past_due),
                theme.severity(Severity::Critical),
            ),
            Span::raw(if plan.rejected > 0 {
                t!("tui.plan.rejected_today", n = plan.rejected)
            } else {
                String::new()
            }),
        ]),
    );
    let wide = list.width >= 90;
    let mut cols = vec![
        Column::new(t!("tui.col.release"), W::Whole),
        Column::new(t!("tui.col.need"), W::Whole),
        Column::new(t!("tui.col.to"), W::Whole),
        Column::new(t!("tui.col.from"), W::Fit { min: 6, max: 12 }),
        Column::new(t!("tui.col.item"), W::Fill(12)),
        Column::new(t!("tui.col.qty"), W::Whole),
    ];
    if wide {
        cols.push(Column::new(t!("tui.col.covers"), W::Fit { min: 12, max: 30 }).optional(1));
    }
    visible_table(f, list, theme, &cols, plan.rows.len(), Some(sel), |i| {
        let r = &plan.rows[i];
        let release = if r.s.past_due {
            TCell::styled(t!("tui.plan.now"), theme.severity(Severity::Critical))
        } else {
            TCell::from(day_short(r.release))
        };
        let mut cells = vec![
            release,
            TCell::from(day_short(r.receipt)),
            TCell::from(r.s.place.clone()),
            TCell::from(r.from.clone()),
            TCell::name(format!("{} {}", r.s.item, r.item_name)),
            TCell::right(num(r.s.qty)),
        ];
        if wide {
            cells.push(TCell::from(r.covers.clone()));
        }
        cells
    });
    if plan.rows.is_empty() {
        note_at(f, list, 1, t!("tui.plan.nothing"), theme.dim());
    }
    let selected = plan.rows.get(sel.selected);
    if chart {
        let Some(row) = selected else { return };
        let Some(curve) = plan.curves.get(&(row.s.place.clone(), row.s.item.clone())) else {
            return;
        };
        line(
            f,
            lower_cap,
            Line::styled(
                fit(
                    &t!(
                        "tui.plan.chart_caption",
                        item = row.s.item,
                        place = row.s.place,
                        safety = num(curve.safety_stock)
                    ),
                    lower_cap.width as usize,
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
        let chart = Chart::new(vec![
            Dataset::default()
                .name(t!("tui.plan.on_hand"))
                .graph_type(GraphType::Line)
                .marker(ratatui::symbols::Marker::Braille)
                .style(theme.info())
                .data(&on_hand),
            Dataset::default()
                .name(t!("tui.plan.safety_stock"))
                .graph_type(GraphType::Line)
                .marker(ratatui::symbols::Marker::Braille)
                .style(theme.severity(Severity::High))
                .data(&ss),
        ])
        .x_axis(Axis::default().bounds([0.0, n]).labels(vec![
            Line::from(bucket_day(plan, 0.0)),
            Line::from(bucket_day(plan, n / 2.0)),
            Line::from(bucket_day(plan, n)),
        ]))
        .y_axis(Axis::default().bounds([0.0, top * 1.1]).labels(vec![
            Line::from("0"),
            Line::from(num((top / 2.0).round() as i64)),
            Line::from(num(top as i64)),
        ]));
        f.render_widget(chart, lower_area);
        return;
    }
    line(
        f,
        lower_cap,
        Line::styled(
            fit(
                &t!("tui.plan.exceptions", n = plan.exceptions.len()),
                lower_cap.width as usize,
            ),
            theme.header(),
        ),
    );
    let cols = [
        Column::new(t!("tui.col.kind"), W::Whole),
        Column::new(t!("tui.col.day"), W::Whole),
        Column::new(t!("tui.col.place"), W::Whole),
        Column::new(t!("tui.col.item"), W::Whole),
        Column::new(t!("tui.col.qty"), W::Whole),
        Column::new(t!("tui.col.message"), W::Fill(20)),
    ];
    visible_table(
        f,
        lower_area,
        theme,
        &cols,
        plan.exceptions.len(),
        None,
        |i| {
            use crate::planning::mrp::ExceptionKind as K;
            let e = &plan.exceptions[i];
            let (text, style) = match e.kind {
                K::Expedite => (
                    t!("tui.exception.expedite"),
                    theme.severity(Severity::Critical),
                ),
                K::BelowSafetyStock => {
                    (t!("tui.exception.below_ss"), theme.severity(Severity::High))
                }
                K::ExpiringBeforeUse => (t!("tui.exception.expiring"), theme.warn()),
                K::Cancel => (t!("tui.exception.cancel"), theme.info()),
                K::Defer => (t!("tui.exception.defer"), theme.dim()),
            };
            vec![
                TCell::styled(text, style),
                TCell::from(bucket_day(plan, e.bucket as f64)),
                TCell::from(e.place.clone()),
                TCell::from(e.item.clone()),
                TCell::right(num(e.qty as i64)),
                TCell::from(e.message()),
            ]
        },
    );
}

pub fn draw_progress(f: &mut Frame, area: Rect, done: usize, total: usize, theme: &Theme) {
    let [cap, gauge] = Layout::vertical([Constraint::Length(2), Constraint::Length(3)]).areas(area);
    line(
        f,
        cap,
        Line::styled(
            fit(t!("tui.sim.progress"), cap.width as usize),
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
            .block(
                ratatui::widgets::Block::bordered()
                    .title(format!(" {} ", t!("tui.sim.replications"))),
            )
            .gauge_style(theme.info())
            .ratio(ratio.clamp(0.0, 1.0))
            .label(format!("{done}/{total}")),
        gauge,
    );
}

/// The simulation's result: costs, service and stock under both policies,
/// the saving, and the ward stock of one drug under each policy over the
/// days (the paper's Figures 5 and 6); ↑ ↓ choose the drug.
pub fn draw_sim(f: &mut Frame, area: Rect, r: &SimResult, drug: usize, theme: &Theme) {
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
                &t!(
                    "tui.sim.caption",
                    scenario = if r.description.is_empty() {
                        &r.scenario
                    } else {
                        &r.description
                    },
                    days = r.days,
                    replications = r.replications,
                    seed = r.seed
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
    let rows: Vec<(&str, String, String, String)> = vec![
        (
            t!("tui.sim.total_cost"),
            euro(a.cost.total.mean),
            euro(b.cost.total.mean),
            saving(&r.saving.percent),
        ),
        (
            t!("tui.sim.without_price"),
            euro(a.cost.total.mean - a.cost.purchasing.mean),
            euro(b.cost.total.mean - b.cost.purchasing.mean),
            saving(&r.saving.operating_percent),
        ),
        (
            t!("tui.sim.fill_rate"),
            pct(a.fill_rate.mean),
            pct(b.fill_rate.mean),
            String::new(),
        ),
        (
            t!("tui.sim.no_stockout"),
            pct(a.cycle_service_level.mean),
            pct(b.cycle_service_level.mean),
            String::new(),
        ),
        (
            t!("tui.sim.ward_stock"),
            euro(a.average_stock.ward_value.mean),
            euro(b.average_stock.ward_value.mean),
            String::new(),
        ),
        (
            t!("tui.sim.deliveries"),
            euro(a.ward_deliveries.mean),
            euro(b.ward_deliveries.mean),
            String::new(),
        ),
    ];
    let saving_h = t!("tui.sim.saving");
    visible_table(
        f,
        table,
        theme,
        &[
            Column::new("", W::Fill(14)),
            Column::new(t!("tui.sim.as_is"), W::Whole),
            Column::new(t!("tui.sim.to_be"), W::Whole),
            Column::new(saving_h, W::Whole),
        ],
        rows.len(),
        None,
        |i| {
            let (l, x, y, z) = &rows[i];
            vec![
                TCell::from(*l),
                TCell::right(x.clone()),
                TCell::right(y.clone()),
                TCell::right(z.clone()),
            ]
        },
    );
    let Some(series) = r
        .series
        .drugs
        .get(drug.min(r.series.drugs.len().saturating_sub(1)))
    else {
        return;
    };
    line(
        f,
        chart_cap,
        Line::styled(
            fit(
                &t!("tui.sim.chart_caption", drug = series.drug),
                chart_cap.width as usize,
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
        Line::from(t!("tui.sim.day", n = 1)),
        Line::from(t!("tui.sim.day", n = (n as usize) / 2 + 1)),
        Line::from(t!("tui.sim.day", n = n as usize + 1)),
    ]))
    .y_axis(Axis::default().bounds([0.0, top * 1.1]).labels(vec![
        Line::from("0"),
        Line::from(num((top / 2.0).round() as i64)),
        Line::from(num(top as i64)),
    ]));
    f.render_widget(c, chart);
}
