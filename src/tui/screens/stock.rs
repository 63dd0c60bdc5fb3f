//! Ward stock: items of the selected place, filter as you type, and an
//! item's lots and recent movements.

use chrono::Local;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row};

use super::{line, visible_table};
use crate::domain::alerts::Severity;
use crate::domain::{LotStatus, cents_text};
use crate::store::queries::StockLine;
use crate::tui::app::App;
use crate::tui::theme::Theme;
use crate::tui::ui::fit;
use crate::tui::views::StockView;

/// Filter line and table header above the list.
pub const HEADER_ROWS: u16 = 2;

pub fn draw(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    match &app.detail {
        Some(d) => draw_detail(f, area, app, d, theme),
        None => draw_list(f, area, app, theme),
    }
}

fn draw_list(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let [top, list] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
    let mut count = format!("{} of {} items", app.filtered.len(), app.stock.lines.len());
    if let Some(st) = &app.stock.stocktake {
        let counted = st.lines.iter().filter(|l| l.counted.is_some()).count();
        count.push_str(&format!(
            " · stocktake ST-{} open: {counted}/{} counted",
            st.id,
            st.lines.len()
        ));
    }
    let filter = app.filter.value();
    let prompt = if filter.is_empty() {
        "type to filter by name, code or ATC".to_string()
    } else {
        filter.to_string()
    };
    let style = if filter.is_empty() {
        theme.dim()
    } else {
        Style::default()
    };
    line(
        f,
        top,
        Line::from(vec![
            Span::styled(" Filter: ", theme.header()),
            Span::styled(prompt, style),
            Span::raw("   "),
            Span::styled(count, theme.dim()),
        ]),
    );
    if !filter.is_empty() {
        let x = top.x + 9 + app.filter.visual_cursor() as u16;
        if x < top.right() {
            f.set_cursor_position((x, top.y));
        }
    }
    stock_table(
        f,
        list,
        theme,
        &app.stock,
        &app.filtered,
        Some(app.stock_sel),
        list.width >= 80,
    );
    if app.stock.lines.is_empty() {
        let msg = Rect {
            y: list.y + 2,
            height: 1,
            ..list
        };
        line(
            f,
            msg,
            Line::styled(
                " No stock recorded at this place. F2 chooses another place.",
                theme.dim(),
            ),
        );
    } else if app.filtered.is_empty() {
        let msg = Rect {
            y: list.y + 2,
            height: 1,
            ..list
        };
        line(
            f,
            msg,
            Line::styled(" Nothing matches the filter. Esc clears it.", theme.dim()),
        );
    }
}

/// The item table shared by Ward stock and Pharmacy.
pub fn stock_table(
    f: &mut Frame,
    area: Rect,
    theme: &Theme,
    view: &StockView,
    rows: &[usize],
    sel: Option<crate::tui::app::ListSel>,
    wide: bool,
) {
    let mut header = vec!["Code", "Name"];
    let mut widths = vec![Constraint::Length(10), Constraint::Min(10)];
    if wide {
        header.push("ATC");
        widths.push(Constraint::Length(7));
    }
    let usable = area.width >= 78;
    header.push("On hand");
    widths.push(Constraint::Length(7));
    if usable {
        header.push("Usable");
        widths.push(Constraint::Length(6));
    }
    header.extend(["Unit", "Expires", "Warn"]);
    widths.extend([
        Constraint::Length(if wide { 9 } else { 7 }),
        Constraint::Length(10),
        Constraint::Length(7),
    ]);
    visible_table(f, area, theme, &header, &widths, rows.len(), sel, |i| {
        let l: &StockLine = &view.lines[rows[i]];
        let mark = view.marks.get(&l.item_id);
        let mut cells = vec![Cell::from(l.code.clone()), Cell::from(l.name.clone())];
        if wide {
            cells.push(Cell::from(l.atc.clone().unwrap_or_default()));
        }
        cells.push(Cell::from(
            Line::from(l.on_hand.to_string()).right_aligned(),
        ));
        if usable {
            cells.push(Cell::from(Line::from(l.usable.to_string()).right_aligned()));
        }
        cells.push(Cell::from(l.dose_unit.clone()));
        cells.push(Cell::from(
            l.earliest_expiry
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_else(|| "—".into()),
        ));
        cells.push(match mark {
            Some(m) => Cell::from(Span::styled(m.text.clone(), theme.severity(m.severity))),
            None => Cell::from(""),
        });
        Row::new(cells)
    });
}

fn draw_detail(
    f: &mut Frame,
    area: Rect,
    app: &App,
    d: &crate::tui::views::DetailView,
    theme: &Theme,
) {
    let Some(item) = &d.line else { return };
    let lot_rows = (d.lots.len() as u16 + 1).clamp(2, area.height.saturating_sub(5) / 2);
    let [head, sub, lots, cap, moves] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(lot_rows),
        Constraint::Length(1),
        Constraint::Min(1),
    ])
    .areas(area);
    let mut flags = Vec::new();
    if item.controlled {
        flags.push("controlled");
    }
    if item.high_alert {
        flags.push("high-alert");
    }
    if item.storage != "room" {
        flags.push(item.storage.as_str());
    }
    let title = format!(
        " {} ({}) · ATC {} · {} per pack · {} per {}{}",
        item.name,
        item.code,
        item.atc.as_deref().unwrap_or("—"),
        item.units_per_pack,
        cents_text(item.unit_price_cents),
        item.dose_unit,
        if flags.is_empty() {
            String::new()
        } else {
            format!(" · {}", flags.join(", "))
        }
    );
    line(
        f,
        head,
        Line::styled(fit(&title, head.width as usize), theme.header()),
    );
    let place = app
        .current_place()
        .map(|p| p.name.clone())
        .unwrap_or_default();
    let mark = app.stock.marks.get(&item.item_id);
    let mut spans = vec![Span::raw(format!(
        " {place}: on hand {} {}, usable {}, safety stock {}, {} lot(s)  ",
        item.on_hand, item.dose_unit, item.usable, item.safety_stock, item.lots
    ))];
    if let Some(m) = mark {
        spans.push(Span::styled(m.text.clone(), theme.severity(m.severity)));
    }
    line(f, sub, Line::from(spans));

    let today = app.now.with_timezone(&Local).date_naive();
    visible_table(
        f,
        lots,
        theme,
        &["Lot", "Expiry", "Days", "Qty", "Status"],
        &[
            Constraint::Length(16),
            Constraint::Length(10),
            Constraint::Length(6),
            Constraint::Length(8),
            Constraint::Min(10),
        ],
        d.lots.len(),
        None,
        |i| {
            let l = &d.lots[i];
            let days = l.expiry.map(|e| (e - today).num_days());
            let (status, sev) = match (l.status, days) {
                (LotStatus::Recalled, _) => ("RECALLED".to_string(), Some(Severity::Critical)),
                (LotStatus::Quarantined, _) => ("quarantined".to_string(), Some(Severity::High)),
                (_, Some(n)) if n < 0 => {
                    ("EXPIRED — do not use".to_string(), Some(Severity::Critical))
                }
                (_, Some(n)) if n <= 30 => ("ok, expires soon".to_string(), Some(Severity::High)),
                _ => ("ok".to_string(), None),
            };
            let scanned = app.scanned_lot.as_deref() == Some(l.lot_number.as_str());
            let row = Row::new(vec![
                Cell::from(if scanned {
                    format!("▶{}", l.lot_number)
                } else {
                    l.lot_number.clone()
                }),
                Cell::from(
                    l.expiry
                        .map(|e| e.format("%Y-%m-%d").to_string())
                        .unwrap_or_else(|| "none".into()),
                ),
                Cell::from(
                    Line::from(days.map(|n| n.to_string()).unwrap_or_default()).right_aligned(),
                ),
                Cell::from(Line::from(l.qty.to_string()).right_aligned()),
                Cell::from(Span::styled(
                    status,
                    sev.map_or(Style::default(), |s| theme.severity(s)),
                )),
            ]);
            if scanned {
                row.style(theme.selected())
            } else {
                row
            }
        },
    );
    let shown_lots = (lots.height.saturating_sub(1) as usize).min(d.lots.len());
    let hidden = if shown_lots < d.lots.len() {
        format!(
            " · {} more lot(s) not shown: enlarge the window",
            d.lots.len() - shown_lots
        )
    } else {
        String::new()
    };
    let caption = format!(
        " Recent movements ({}) — Esc back{hidden}",
        d.movements.len()
    );
    let style = if hidden.is_empty() {
        theme.dim()
    } else {
        theme.warn()
    };
    line(
        f,
        cap,
        Line::styled(fit(&caption, cap.width as usize), style),
    );
    let scroll = app.detail_scroll;
    let shown = &d.movements[scroll.min(d.movements.len())..];
    visible_table(
        f,
        moves,
        theme,
        &["When", "Kind", "Lot", "Qty", "From → to", "By", "Note"],
        &[
            Constraint::Length(12),
            Constraint::Length(14),
            Constraint::Length(12),
            Constraint::Length(6),
            Constraint::Length(14),
            Constraint::Length(8),
            Constraint::Min(6),
        ],
        shown.len(),
        None,
        |i| {
            let m = &shown[i];
            let when =
                m.at.map(|t| t.with_timezone(&Local).format("%d %b %H:%M").to_string())
                    .unwrap_or_default();
            let route = format!(
                "{} → {}",
                m.from.as_deref().unwrap_or("·"),
                m.to.as_deref().unwrap_or("·")
            );
            let note = m
                .reason
                .clone()
                .or_else(|| m.patient_mrn.clone())
                .unwrap_or_default();
            let qty = if m.delta > 0 {
                format!("+{}", m.delta)
            } else {
                m.delta.to_string()
            };
            Row::new(vec![
                Cell::from(when),
                Cell::from(m.kind.clone()),
                Cell::from(m.lot_number.clone()),
                Cell::from(Line::from(qty).right_aligned()),
                Cell::from(route),
                Cell::from(m.user.clone()),
                Cell::from(note),
            ])
        },
    );
}
