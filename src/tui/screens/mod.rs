//! One module per tab; each draws from its view data in `App`.

pub mod administration;
pub mod alerts;
pub mod pharmacy;
pub mod prescriptions;
pub mod signin;
pub mod stock;

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Row, Table};

use super::app::ListSel;
use super::theme::Theme;

/// Caption line, table header, footer line.
pub const LIST_HEADER_ROWS: u16 = 3;

/// Draws a table of only the visible rows: `make(i)` builds row `i`.
#[allow(clippy::too_many_arguments)]
pub fn visible_table<'a>(
    f: &mut Frame,
    area: Rect,
    theme: &Theme,
    header: &[&'a str],
    widths: &[Constraint],
    len: usize,
    sel: Option<ListSel>,
    make: impl Fn(usize) -> Row<'a>,
) {
    let height = area.height.saturating_sub(1) as usize;
    let offset = sel.map_or(0, |s| s.offset.min(len.saturating_sub(height)));
    let rows: Vec<Row> = (offset..len.min(offset + height))
        .map(|i| {
            let r = make(i);
            if sel.is_some_and(|s| s.selected == i) {
                r.style(theme.selected())
            } else {
                r
            }
        })
        .collect();
    let t = Table::new(rows, widths.to_vec())
        .header(
            Row::new(header.iter().map(|h| h.to_string()).collect::<Vec<_>>())
                .style(theme.header()),
        )
        .column_spacing(1);
    f.render_widget(t, area);
}

pub fn line(f: &mut Frame, area: Rect, l: Line) {
    f.render_widget(Paragraph::new(l), area);
}
