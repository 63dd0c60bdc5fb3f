//! Drawing helpers shared by the components: tables of only the visible
//! rows, one-line texts, centred boxes and choice lists. Text is measured
//! by display width (a Chinese character takes two columns).

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Row, Table};

use super::component::ListState;
use super::theme::Theme;
pub use crate::i18n::{fit, pad, width};

/// A column width that holds its header: `w` columns, or the header's own
/// width when that is wider (Chinese headers).
pub fn col(header: &str, w: u16) -> Constraint {
    Constraint::Length(w.max(width(header) as u16))
}

/// Draws a table of only the visible rows: `make(i)` builds row `i`. With a
/// selection, the window follows it and records its height.
#[allow(clippy::too_many_arguments)]
pub fn visible_table<'a>(
    f: &mut Frame,
    area: Rect,
    theme: &Theme,
    header: &[&'a str],
    widths: &[Constraint],
    len: usize,
    sel: Option<&ListState>,
    make: impl Fn(usize) -> Row<'a>,
) {
    let height = area.height.saturating_sub(1) as usize;
    let offset = sel.map_or(0, |s| s.window(len, height));
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

/// One line, cut to the area's width.
pub fn line(f: &mut Frame, area: Rect, l: Line) {
    f.render_widget(Paragraph::new(l), area);
}

/// A one-line text under a list's header (an empty list's explanation).
pub fn note_at(f: &mut Frame, area: Rect, dy: u16, text: &str, style: ratatui::style::Style) {
    if area.height <= dy {
        return;
    }
    let r = Rect {
        y: area.y + dy,
        height: 1,
        ..area
    };
    line(f, r, Line::styled(fit(text, r.width as usize), style));
}

/// Clears a box drawn over the screen. A wide character whose right half
/// the box covers is blanked too: a terminal cannot show half of it.
pub fn clear(f: &mut Frame, r: Rect) {
    f.render_widget(Clear, r);
    if r.x == 0 {
        return;
    }
    let buf = f.buffer_mut();
    for y in r.top()..r.bottom() {
        if let Some(cell) = buf.cell_mut((r.x - 1, y))
            && width(cell.symbol()) > 1
        {
            cell.set_symbol(" ");
        }
    }
}

pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

/// A boxed list to choose from, the selected row reversed, scrolled to keep it in view.
pub fn draw_choices(
    f: &mut Frame,
    area: Rect,
    width: u16,
    title: &str,
    rows: &[String],
    sel: usize,
    theme: &Theme,
) {
    let h = (rows.len() as u16 + 2).min(area.height.saturating_sub(2));
    let r = centered(area, width, h);
    clear(f, r);
    let inner_h = h.saturating_sub(2) as usize;
    let offset = sel.saturating_sub(inner_h.saturating_sub(1));
    let inner_w = width.saturating_sub(4) as usize;
    let lines: Vec<Line> = rows
        .iter()
        .enumerate()
        .skip(offset)
        .take(inner_h)
        .map(|(i, row)| {
            let text = fit(row, inner_w);
            if i == sel {
                Line::styled(text, theme.selected())
            } else {
                Line::raw(text)
            }
        })
        .collect();
    f.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .title(fit(title, width.saturating_sub(2) as usize)),
        ),
        r,
    );
}

/// A local time in a list, in the reader's language.
pub fn when(t: chrono::DateTime<chrono::Utc>) -> String {
    crate::i18n::datetime_short(t.with_timezone(&chrono::Local).naive_local())
}

/// A local hour and minute.
pub fn hm(t: chrono::DateTime<chrono::Utc>) -> String {
    t.with_timezone(&chrono::Local).format("%H:%M").to_string()
}
