//! Drawing the Pharmacy tab's orders: the transfer orders with the
//! pharmacy's warnings and the wards' needs, and one order's pick list.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row};

use super::pharmacy::PharmacyTab;
use crate::domain::alerts::Severity;
use crate::i18n::num;
use crate::ops::stock::TransferOrder;
use crate::t;
use crate::tui::theme::Theme;
use crate::tui::widgets::{col, fit, line, note_at, visible_table, when};
use crate::tui::words;

impl PharmacyTab {
    pub(super) fn draw_orders(&self, f: &mut Frame, area: Rect, theme: &Theme) {
        let p = &self.view;
        let needs_rows = (p.needs.len() as u16 + 2).min(area.height / 3).max(3);
        let [cap, orders, needs_cap, needs] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(2),
            Constraint::Length(1),
            Constraint::Length(needs_rows),
        ])
        .areas(area);
        let open = p.orders.iter().filter(|o| o.status == "open").count();
        let transit = p.orders.iter().filter(|o| o.status == "in_transit").count();
        line(
            f,
            cap,
            Line::from(vec![
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
            ]),
        );
        let h = [
            t!("tui.col.order"),
            t!("tui.col.to"),
            t!("tui.col.status"),
            t!("tui.col.created"),
        ];
        visible_table(
            f,
            orders,
            theme,
            &h,
            &[
                col(h[0], 7),
                col(h[1], 8),
                col(h[2], 12),
                Constraint::Min(12),
            ],
            p.orders.len(),
            Some(&self.sel),
            |i| {
                let o = &p.orders[i];
                let style = match o.status.as_str() {
                    "open" => theme.warn(),
                    "in_transit" => theme.info(),
                    _ => theme.dim(),
                };
                let created = crate::domain::instant_from_text(&o.created_at)
                    .map(when)
                    .unwrap_or_default();
                Row::new(vec![
                    Cell::from(format!("TO-{}", o.id)),
                    Cell::from(o.to.clone()),
                    Cell::from(Span::styled(words::code(&o.status), style)),
                    Cell::from(created),
                ])
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
        let h = [
            t!("tui.col.ward"),
            t!("tui.col.code"),
            t!("tui.col.item"),
            t!("tui.col.usable"),
            t!("tui.col.safety"),
            t!("tui.col.state"),
        ];
        visible_table(
            f,
            needs,
            theme,
            &h,
            &[
                col(h[0], 6),
                col(h[1], 10),
                Constraint::Min(16),
                col(h[3], 7),
                col(h[4], 7),
                col(h[5], 6),
            ],
            p.needs.len(),
            None,
            |i| {
                let n = &p.needs[i];
                Row::new(vec![
                    Cell::from(n.ward.clone()),
                    Cell::from(n.code.clone()),
                    Cell::from(n.name.clone()),
                    Cell::from(Line::from(num(n.usable)).right_aligned()),
                    Cell::from(Line::from(num(n.safety_stock)).right_aligned()),
                    Cell::from(Span::styled(
                        if n.usable <= 0 {
                            words::mark(&crate::domain::alerts::AlertKind::OutOfStock)
                        } else {
                            words::mark(&crate::domain::alerts::AlertKind::BelowSafetyStock)
                        },
                        theme.severity(n.severity),
                    )),
                ])
            },
        );
    }
}

pub(super) fn draw_order(f: &mut Frame, area: Rect, o: &TransferOrder, theme: &Theme) {
    let [cap, list, foot] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(area);
    let hint = match o.status.as_str() {
        "open" => t!("tui.order.hint_open"),
        "in_transit" => t!("tui.order.hint_transit"),
        _ => "",
    };
    line(
        f,
        cap,
        Line::from(vec![
            Span::styled(
                t!("tui.order.caption", id = o.id, from = o.from, to = o.to),
                theme.header(),
            ),
            Span::styled(format!(" {} ", words::code(&o.status)), theme.warn()),
            Span::raw(format!(" {hint}")),
        ]),
    );
    let h = [
        t!("tui.col.item"),
        t!("tui.col.asked"),
        t!("tui.col.picked"),
        t!("tui.col.open"),
        t!("tui.col.pick_fefo"),
    ];
    visible_table(
        f,
        list,
        theme,
        &h,
        &[
            Constraint::Min(18),
            col(h[1], 6),
            col(h[2], 6),
            col(h[3], 6),
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
                    t!(
                        "tui.order.suggestion",
                        lot = s.lot_number,
                        qty = num(s.qty),
                        expiry = s.expiry.map(crate::i18n::date).unwrap_or_default()
                    )
                })
                .collect();
            if l.shortfall > 0 {
                pick.push(t!("tui.order.short", n = num(l.shortfall)));
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
                Cell::from(Line::from(num(l.requested)).right_aligned()),
                Cell::from(Line::from(num(l.picked)).right_aligned()),
                Cell::from(Line::from(num(l.open)).right_aligned()),
                Cell::from(ratatui::text::Span::styled(
                    if l.open == 0 {
                        t!("tui.order.done").to_string()
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
            fit(&t!("tui.order.foot", n = num(open)), foot.width as usize),
            theme.dim(),
        ),
    );
}
