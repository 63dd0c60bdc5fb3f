//! The charts people look at rather than read: what a place used each day
//! (bars), an item's stock at the close of each day with its safety stock
//! and maximum (a line), and the cost of each item largest first with the
//! cumulative share and the 80 % mark (Pareto). Each reads at 80×24: days
//! shortened, a scale at the left, the facts in words on the line above.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Bar, BarChart, BarGroup, Chart, Dataset, GraphType};

use crate::i18n::{day_short, money, num};
use crate::ops::reports::series::{DayUse, ParetoBar, StockSeries};
use crate::t;
use crate::tui::theme::Theme;
use crate::tui::widgets::{draw_lines, fit_line, width};

/// The numbers a chart is drawn from.
#[derive(Debug, Clone, PartialEq)]
pub enum ChartData {
    /// Units (or money) used each day at the place.
    Daily {
        days: Vec<DayUse>,
        money: bool,
    },
    Stock(StockSeries),
    Pareto(Vec<ParetoBar>),
}

/// Draws the chart: its facts on the first line, the chart under it.
pub fn draw(f: &mut Frame, area: Rect, c: &ChartData, theme: &Theme) {
    let [facts, body] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
    match c {
        ChartData::Daily { days, money: m } => draw_daily(f, facts, body, days, *m, theme),
        ChartData::Stock(s) => draw_stock(f, facts, body, s, theme),
        ChartData::Pareto(bars) => draw_pareto(f, facts, body, bars, theme),
    }
}

fn amount(v: i64, m: bool) -> String {
    if m { money(v) } else { num(v) }
}

/// Labels of days under a row of `n` slots `step` columns apart from `x0`,
/// as many as fit without touching; the first and last always.
fn day_axis(days: &[chrono::NaiveDate], x0: usize, step: usize, w: usize) -> String {
    let mut line = vec![' '; w];
    let n = days.len();
    let Some(&last_day) = days.last() else {
        return String::new();
    };
    let label = |d: chrono::NaiveDate| -> Vec<char> { day_short(d).chars().collect() };
    let put = |line: &mut Vec<char>, x: usize, text: &[char]| {
        for (j, ch) in text.iter().enumerate() {
            if let Some(c) = line.get_mut(x + j) {
                *c = *ch;
            }
        }
    };
    // The last day first, kept inside the width; then the others from the
    // left, as many as fit before it without touching.
    let last = label(last_day);
    let last_x = (x0 + (n - 1) * step).min(w.saturating_sub(last.len()));
    put(&mut line, last_x, &last);
    let label_w = last.len();
    let every = (label_w + 2).div_ceil(step.max(1)).max(1);
    let mut end = 0usize;
    for k in (0..n.saturating_sub(1)).step_by(every) {
        let text = label(days[k]);
        let x = x0 + k * step;
        if x < end || x + text.len() + 1 > last_x {
            continue;
        }
        put(&mut line, x, &text);
        end = x + text.len() + 1;
    }
    line.into_iter().collect::<String>().trim_end().to_string()
}

fn draw_daily(f: &mut Frame, facts: Rect, body: Rect, days: &[DayUse], m: bool, theme: &Theme) {
    let value = |d: &DayUse| if m { d.cents } else { d.units };
    let total: i64 = days.iter().map(value).sum();
    let top = days.iter().map(value).max().unwrap_or(0).max(0);
    let busiest = days.iter().max_by_key(|d| value(d));
    let words = match busiest {
        Some(b) if top > 0 => t!(
            "reports_screen.chart.daily_facts",
            total = amount(total, m),
            top = amount(top, m),
            day = day_short(b.day),
            mean = amount(total / days.len().max(1) as i64, m)
        ),
        _ => t!("reports_screen.chart.nothing_used").to_string(),
    };
    draw_lines(f, facts, vec![Line::styled(words, theme.header())]);
    if days.is_empty() || body.height < 3 {
        return;
    }
    // The scale at the left, the days under the bars.
    let top_label = amount(top, m);
    let gutter = width(&top_label).max(1) + 1;
    let avail = (body.width as usize).saturating_sub(gutter);
    if avail == 0 {
        return;
    }
    // Days per bar: one, unless the period is wider than the screen.
    let per = days.len().div_ceil(avail).max(1);
    let bars: Vec<(chrono::NaiveDate, i64)> = days
        .chunks(per)
        .map(|c| (c[0].day, c.iter().map(value).sum()))
        .collect();
    let n = bars.len();
    let (bw, gap) = if 3 * n <= avail + 1 {
        (2u16, 1u16)
    } else if 2 * n <= avail + 1 {
        (1, 1)
    } else {
        (1, 0)
    };
    let bar_top = bars.iter().map(|b| b.1).max().unwrap_or(0).max(1) as u64;
    let [chart_area, axis] =
        Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(body);
    let [scale, plot] = Layout::horizontal([Constraint::Length(gutter as u16), Constraint::Min(1)])
        .areas(chart_area);
    let bar_top_label = amount(bar_top as i64, m);
    let mut scale_lines = vec![Line::styled(bar_top_label, theme.dim()).right_aligned()];
    for _ in 2..scale.height {
        scale_lines.push(Line::raw(""));
    }
    scale_lines.push(Line::styled("0", theme.dim()).right_aligned());
    f.render_widget(
        ratatui::widgets::Paragraph::new(scale_lines),
        Rect {
            width: scale.width.saturating_sub(1),
            ..scale
        },
    );
    let group: Vec<Bar> = bars
        .iter()
        .map(|(_, v)| {
            Bar::default()
                .value((*v).max(0) as u64)
                .text_value(String::new())
        })
        .collect();
    let chart = BarChart::default()
        .data(BarGroup::default().bars(&group))
        .bar_width(bw)
        .bar_gap(gap)
        .max(bar_top)
        .bar_style(theme.info());
    f.render_widget(chart, plot);
    let step = (bw + gap) as usize;
    let labels: Vec<chrono::NaiveDate> = bars.iter().map(|b| b.0).collect();
    let mut axis_text = " ".repeat(gutter);
    axis_text.push_str(&day_axis(&labels, 0, step, avail));
    let per_words = if per > 1 {
        t!("reports_screen.chart.per_days", n = per)
    } else {
        String::new()
    };
    let axis_line = Line::from(vec![
        Span::styled(axis_text, theme.dim()),
        Span::styled(per_words, theme.dim()),
    ]);
    draw_lines(f, axis, vec![fit_line(axis_line, axis.width as usize)]);
}

fn draw_stock(f: &mut Frame, facts: Rect, body: Rect, s: &StockSeries, theme: &Theme) {
    let last = s.days.last().map_or(s.opening, |d| d.closing);
    let low = s.days.iter().map(|d| d.closing).min().unwrap_or(0);
    let mut spans = vec![
        Span::styled("── ", theme.info()),
        Span::styled(
            t!(
                "reports_screen.chart.stock_facts",
                now = num(last),
                low = num(low),
                unit = crate::i18n::unit(&s.unit)
            ),
            theme.header(),
        ),
    ];
    if let Some(ss) = s.safety_stock {
        spans.push(Span::styled("  ── ", theme.warn()));
        spans.push(Span::styled(
            t!("reports_screen.chart.safety", n = num(ss)),
            theme.header(),
        ));
    }
    if let Some(mx) = s.max_stock {
        spans.push(Span::styled("  ── ", theme.dim()));
        spans.push(Span::styled(
            t!("reports_screen.chart.maximum", n = num(mx)),
            theme.header(),
        ));
    }
    draw_lines(
        f,
        facts,
        vec![fit_line(Line::from(spans), facts.width as usize)],
    );
    if s.days.is_empty() {
        return;
    }
    let line: Vec<(f64, f64)> = s
        .days
        .iter()
        .enumerate()
        .map(|(k, d)| (k as f64, d.closing as f64))
        .collect();
    let n = (s.days.len().max(2) - 1) as f64;
    let flat = |v: i64| vec![(0.0, v as f64), (n, v as f64)];
    let ss = s.safety_stock.map(flat).unwrap_or_default();
    let mx = s.max_stock.map(flat).unwrap_or_default();
    let top = s
        .days
        .iter()
        .map(|d| d.closing)
        .chain(s.safety_stock)
        .chain(s.max_stock)
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let bottom = (low.min(0)) as f64;
    let ceiling = (top * 1.1).ceil();
    let mut sets = vec![
        Dataset::default()
            .graph_type(GraphType::Line)
            .marker(Marker::Braille)
            .style(theme.info())
            .data(&line),
    ];
    if !ss.is_empty() {
        sets.push(
            Dataset::default()
                .graph_type(GraphType::Line)
                .marker(Marker::Braille)
                .style(theme.warn())
                .data(&ss),
        );
    }
    if !mx.is_empty() {
        sets.push(
            Dataset::default()
                .graph_type(GraphType::Line)
                .marker(Marker::Braille)
                .style(theme.dim())
                .data(&mx),
        );
    }
    let mid = s.days[s.days.len() / 2].day;
    let chart = Chart::new(sets)
        .x_axis(
            Axis::default()
                .bounds([0.0, n])
                .style(theme.dim())
                .labels(vec![
                    Line::from(day_short(s.days[0].day)),
                    Line::from(day_short(mid)),
                    Line::from(day_short(s.days[s.days.len() - 1].day)),
                ]),
        )
        .y_axis(
            Axis::default()
                .bounds([bottom, ceiling])
                .style(theme.dim())
                .labels(vec![
                    Line::from(num(bottom as i64)),
                    Line::from(num(((ceiling + bottom) / 2.0).round() as i64)),
                    Line::from(num(ceiling as i64)),
                ]),
        );
    f.render_widget(chart, body);
}

fn draw_pareto(f: &mut Frame, facts: Rect, body: Rect, bars: &[ParetoBar], theme: &Theme) {
    let total: i64 = bars.iter().map(|b| b.cents).sum();
    let top = bars.iter().filter(|b| b.top).count();
    let words = if bars.is_empty() {
        t!("reports_screen.chart.nothing_used").to_string()
    } else {
        t!(
            "reports_screen.chart.pareto_facts",
            n = top,
            of = bars.len(),
            total = money(total)
        )
    };
    draw_lines(f, facts, vec![Line::styled(words, theme.header())]);
    if bars.is_empty() || body.height < 4 {
        return;
    }
    // The largest items under the chart, by name.
    let [plot, names] = Layout::vertical([Constraint::Min(3), Constraint::Length(1)]).areas(body);
    // One bar a column at most (the y scale takes about 6).
    let room = (plot.width as usize).saturating_sub(7).max(1);
    let shown = &bars[..bars.len().min(room)];
    let n = shown.len();
    let cols: Vec<(f64, f64)> = shown
        .iter()
        .enumerate()
        .map(|(k, b)| (k as f64 + 0.5, b.share * 100.0))
        .collect();
    let cumulative: Vec<(f64, f64)> = shown
        .iter()
        .enumerate()
        .map(|(k, b)| (k as f64 + 0.5, b.cumulative * 100.0))
        .collect();
    let x_end = n as f64;
    let eighty = vec![(0.0, 80.0), (x_end, 80.0)];
    let chart = Chart::new(vec![
        Dataset::default()
            .graph_type(GraphType::Bar)
            .marker(Marker::HalfBlock)
            .style(theme.info())
            .data(&cols),
        Dataset::default()
            .graph_type(GraphType::Line)
            .marker(Marker::Braille)
            .style(theme.warn())
            .data(&cumulative),
        Dataset::default()
            .graph_type(GraphType::Line)
            .marker(Marker::Braille)
            .style(theme.dim())
            .data(&eighty),
    ])
    .x_axis(
        Axis::default()
            .bounds([0.0, x_end])
            .style(theme.dim())
            .labels(vec![
                Line::from("1"),
                Line::from(num(n.div_ceil(2) as i64)),
                Line::from(num(n as i64)),
            ]),
    )
    .y_axis(
        Axis::default()
            .bounds([0.0, 100.0])
            .style(theme.dim())
            .labels(vec![
                Line::from("0 %"),
                Line::from("50 %"),
                Line::from("100 %"),
            ]),
    );
    f.render_widget(chart, plot);
    let mut spans = vec![Span::styled(
        format!("{} ", t!("reports_screen.chart.largest")),
        theme.dim(),
    )];
    for (k, b) in bars.iter().take(5).enumerate() {
        spans.push(Span::styled(
            format!("{}. {} {}  ", k + 1, b.item, money(b.cents)),
            if b.top {
                theme.warn()
            } else {
                Style::default()
            },
        ));
    }
    draw_lines(
        f,
        names,
        vec![fit_line(Line::from(spans), names.width as usize)],
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_labels_never_touch_and_keep_the_first_and_last() {
        let d0 = chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        let days: Vec<chrono::NaiveDate> =
            (0..30).map(|k| d0 + chrono::Duration::days(k)).collect();
        crate::i18n::set_thread_lang(crate::i18n::Lang::En);
        let axis = day_axis(&days, 0, 2, 60);
        assert!(axis.starts_with("01 Nov"), "{axis}");
        assert!(axis.ends_with("30 Nov"), "{axis}");
        assert!(width(&axis) <= 60);
        assert!(!axis.contains("NovNov") && !axis.contains("Nov0"), "{axis}");
    }
}
