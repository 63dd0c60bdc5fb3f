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

pub fn draw(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    if let Some(order) = &app.order {
        draw_order(f, area, order, theme);
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
