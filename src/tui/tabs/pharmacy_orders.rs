//! Drawing the Pharmacy tab's orders: the transfer orders with the
//! pharmacy's warnings and the wards' needs, and one order's pick list.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};

use super::pharmacy::PharmacyTab;
use crate::domain::alerts::Severity;
use crate::i18n::num;
use crate::ops::stock::TransferOrder;
use crate::t;
use crate::tui::theme::Theme;
use crate::tui::widgets::{
    Column, TCell, W, draw_lines, fit, line, note_at, pack_spans, visible_table, when,
};
use crate::tui::words;

impl PharmacyTab {
    pub(super) fn draw_orders(&self, f: &mut Frame, area: Rect, theme: &Theme) {
        let p = &self.view;
        let needs_rows = (p.needs.len() as u16 + 2).min(area.height / 3).max(3);
        let open = p.orders.iter().filter(|o| o.status == "open").count();
        let transit = p.orders.iter().filter(|o| o.status == "in_transit").count();
        // On two lines rather than cut.
        let caption = pack_spans(
            vec![
                Span::styled(format!(" {} ", t!("tui.pharmacy.title")), theme.header()),
                Span::raw(t!("tui.pharmacy.items", n = num(p.items))),
                Span::styled(
                    t!("tui.pharmacy.critical", n = p.critical),
                    theme.severity(Severity::Critical),
                ),
                Span::raw(" · "),
                Span::styled(
                    t!("tui.pharmacy.high", n = p.high),
                    theme.severity(Severity::High),
                ),
                Span::raw(t!("tui.pharmacy.orders", open = open, transit = transit)),
            ],
            area.width as usize,
            2,
        );
        let [cap, orders, needs_cap, needs] = Layout::vertical([
            Constraint::Length(caption.len() as u16),
            Constraint::Min(2),
            Constraint::Length(1),
            Constraint::Length(needs_rows),
        ])
        .areas(area);
        draw_lines(f, cap, caption);
        let cols = [
            Column::new(t!("tui.col.order"), W::Whole),
            Column::new(t!("tui.col.to"), W::Fit { min: 6, max: 16 }),
            Column::new(t!("tui.col.status"), W::Whole),
            Column::new(t!("tui.col.created"), W::Fill(12)),
        ];
        visible_table(
            f,
            orders,
            theme,
            &cols,
            p.orders.len(),
            Some(&self.sel),
            |i| {
                let o = &p.orders[i];
                let live = matches!(o.status.as_str(), "open" | "in_transit");
                let style = match o.status.as_str() {
                    _ if o.urgent && live => theme.severity(Severity::Critical),
                    "open" => theme.warn(),
                    "in_transit" => theme.info(),
                    _ => theme.dim(),
                };
                let created = crate::domain::instant_from_text(&o.created_at)
                    .map(when)
                    .unwrap_or_default();
                let status = if o.urgent && live {
                    format!("{} {}", t!("tui.order.urgent"), words::code(&o.status))
                } else {
                    words::code(&o.status).to_string()
                };
                vec![
                    TCell::from(format!("TO-{}", o.id)),
                    TCell::from(o.to.clone()),
                    TCell::styled(status, style),
                    TCell::from(created),
                ]
            },
        );
        if p.orders.is_empty() {
            note_at(f, orders, 1, t!("tui.pharmacy.no_orders"), theme.dim());
        }
        line(
            f,
            needs_cap,
            Line::styled(
                fit(
                    &t!("tui.pharmacy.needs", n = p.needs.len()),
                    needs_cap.width as usize,
                ),
                theme.header(),
            ),
        );
        let cols = [
            Column::new(t!("tui.col.ward"), W::Whole),
            Column::new(t!("tui.col.code"), W::Whole),
            Column::new(t!("tui.col.item"), W::Fill(10)),
            Column::new(t!("tui.col.usable"), W::Whole),
            Column::new(t!("tui.col.safety"), W::Whole),
            Column::new(t!("tui.col.state"), W::Whole),
        ];
        visible_table(f, needs, theme, &cols, p.needs.len(), None, |i| {
            let n = &p.needs[i];
            vec![
                TCell::from(n.ward.clone()),
                TCell::from(n.code.clone()),
                TCell::name(n.name.clone()),
                TCell::right(num(n.usable)),
                TCell::right(num(n.safety_stock)),
                TCell::styled(
                    if n.usable <= 0 {
                        words::mark(&crate::domain::alerts::AlertKind::OutOfStock)
                    } else {
                        words::mark(&crate::domain::alerts::AlertKind::BelowSafetyStock)
                    },
                    theme.severity(n.severity),
                ),
            ]
        });
    }
}

pub(super) fn draw_order(
    f: &mut Frame,
    area: Rect,
    o: &TransferOrder,
    chosen: usize,
    theme: &Theme,
) {
    let hint = match o.status.as_str() {
        "open" => t!("tui.order.hint_open"),
        "in_transit" => t!("tui.order.hint_transit"),
        _ => "",
    };
    // On two lines rather than cut.
    let caption = pack_spans(
        vec![
            Span::styled(
                t!("tui.order.caption", id = o.id, from = o.from, to = o.to),
                theme.header(),
            ),
            Span::styled(
                if o.urgent && o.status == "open" {
                    format!(" {} {} ", t!("tui.order.urgent"), words::code(&o.status))
                } else {
                    format!(" {} ", words::code(&o.status))
                },
                if o.urgent {
                    theme.severity(Severity::Critical)
                } else {
                    theme.warn()
                },
            ),
            Span::raw(format!(" {hint}")),
        ],
        area.width as usize,
        2,
    );
    let [cap, list, foot] = Layout::vertical([
        Constraint::Length(caption.len() as u16),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(area);
    draw_lines(f, cap, caption);
    let cols = [
        // A cut code is a wrong code: it has its own column, never cut.
        Column::new(t!("tui.col.code"), W::Whole),
        Column::new(t!("tui.col.item"), W::Fill(14)),
        // What is open to pick stays; what was asked and what is picked
        // (the line under the list adds them up) are left out first.
        Column::new(t!("tui.col.asked"), W::Whole).optional(2),
        Column::new(t!("tui.col.picked"), W::Whole).optional(1),
        Column::new(t!("tui.col.open"), W::Whole),
        Column::new(t!("tui.col.pick_fefo"), W::Whole),
    ];
    // One row per FEFO lot to pick: the picker sees every lot of a line.
    let rows: Vec<(usize, Option<usize>)> = o
        .lines
        .iter()
        .enumerate()
        .flat_map(|(i, l)| {
            let lots = if l.open == 0 { 0 } else { l.suggestions.len() };
            let extra = usize::from(l.open > 0 && l.shortfall > 0);
            (0..(lots + extra).max(1)).map(move |k| (i, Some(k).filter(|_| lots + extra > 0)))
        })
        .collect();
    visible_table(f, list, theme, &cols, rows.len(), None, |r| {
        let (i, k) = rows[r];
        let l = &o.lines[i];
        let first = k.is_none_or(|k| k == 0);
        let pick = match k.map(|k| l.suggestions.get(k)) {
            Some(Some(s)) => t!(
                "tui.order.suggestion",
                location = s.location,
                lot = s.lot_number,
                qty = num(s.qty),
                expiry = s.expiry.map(crate::i18n::date).unwrap_or_default()
            ),
            Some(None) => t!("tui.order.short", n = num(l.shortfall)),
            None if o.status != "open" && l.picked < l.requested => {
                t!("tui.order.not_picked", n = num(l.requested - l.picked))
            }
            None => t!("tui.order.done").to_string(),
        };
        let style = if l.open == 0 {
            theme.info()
        } else if l.shortfall > 0 {
            theme.severity(Severity::High)
        } else {
            Default::default()
        };
        let head = |n: i64| TCell::right(if first { num(n) } else { String::new() });
        // The line chosen (↑ ↓) for F3 and Delete is marked.
        let mark = if i == chosen && o.status == "open" {
            "▶"
        } else {
            ""
        };
        let row = vec![
            if first {
                TCell::from(format!("{mark}{}", l.item.code))
            } else {
                TCell::from(String::new())
            },
            if first {
                TCell::name(l.item.name.clone())
            } else {
                TCell::from(String::new())
            },
            head(l.requested),
            head(l.picked),
            head(l.open),
            TCell::styled(pick, style),
        ];
        if i == chosen && first && o.status == "open" {
            row.into_iter()
                .map(|c| TCell {
                    style: theme.selected(),
                    ..c
                })
                .collect()
        } else {
            row
        }
    });
    let open: i64 = o.lines.iter().map(|l| l.open).sum();
    let text = if o.status == "open" {
        t!("tui.order.foot", n = num(open))
    } else {
        t!("tui.order.foot_closed").to_string()
    };
    line(
        f,
        foot,
        Line::styled(fit(&text, foot.width as usize), theme.dim()),
    );
}
