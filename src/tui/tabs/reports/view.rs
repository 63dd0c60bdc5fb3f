//! A report's sheet on the screen: its cells' texts made once (by the job
//! that ran it), the leading columns that say what a row is kept in place,
//! the others shown as many as fit, each as wide as its widest cell so a
//! number is never cut; numbers right-aligned, ★ rows marked, the totals
//! row and the notes under the table.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Cell, Row, Table};

use crate::i18n::sheet::{Cell as SheetCell, Sheet};
use crate::tui::component::ListState;
use crate::tui::theme::Theme;
use crate::tui::widgets::{fit, fit_name, width};

/// A sheet's texts as the screen shows them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SheetText {
    pub headings: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub total: Option<Vec<String>>,
    /// Columns of numbers: right-aligned, never cut.
    pub number: Vec<bool>,
    /// Columns never cut: numbers, days and times.
    pub whole: Vec<bool>,
    /// Columns with nothing in any row: left out on the screen (the files
    /// keep them).
    pub empty: Vec<bool>,
    /// Columns of names: cut first, their strength kept.
    pub name: Vec<bool>,
    /// The widest text of each column, its heading included.
    pub widths: Vec<usize>,
    /// Rows marked ★ (among those that make 80 % of the cost).
    pub top: Vec<bool>,
    /// Leading columns kept in place while the others scroll.
    pub frozen: usize,
}

impl SheetText {
    pub fn new(s: &Sheet) -> SheetText {
        let n = s.columns.len();
        let text = |r: &Vec<SheetCell>| -> Vec<String> {
            (0..n)
                .map(|i| r.get(i).map(SheetCell::text).unwrap_or_default())
                .collect()
        };
        let rows: Vec<Vec<String>> = s.rows.iter().map(text).collect();
        let total = s.total.as_ref().map(text);
        let number: Vec<bool> = (0..n)
            .map(|i| {
                s.rows
                    .iter()
                    .chain(s.total.iter())
                    .any(|r| r.get(i).is_some_and(SheetCell::is_number))
            })
            .collect();
        let whole: Vec<bool> = (0..n)
            .map(|i| {
                number[i]
                    || s.rows.iter().chain(s.total.iter()).any(|r| {
                        matches!(r.get(i), Some(SheetCell::Date(_) | SheetCell::DateTime(_)))
                    })
            })
            .collect();
        let name: Vec<bool> = s
            .columns
            .iter()
            .map(|c| c.key == "name" || c.key.ends_with("_name"))
            .collect();
        let headings: Vec<String> = s.columns.iter().map(|c| c.heading.clone()).collect();
        let mut widths: Vec<usize> = headings.iter().map(|h| width(h)).collect();
        for r in rows.iter().chain(total.iter()) {
            for (w, t) in widths.iter_mut().zip(r) {
                *w = (*w).max(width(t));
            }
        }
        let top = rows.iter().map(|r| r.iter().any(|t| t == "★")).collect();
        let empty = (0..n)
            .map(|i| {
                rows.iter()
                    .chain(total.iter())
                    .all(|r| r.get(i).is_none_or(|t| t.is_empty()))
            })
            .collect();
        // What a row is: the words before the first number, at most three.
        let frozen = number.iter().position(|b| *b).unwrap_or(n).min(3);
        SheetText {
            headings,
            rows,
            total,
            number,
            whole,
            empty,
            name,
            widths,
            top,
            frozen,
        }
    }

    /// The columns shown from `first` (the first scrolled column) in
    /// `total` columns, with their widths: the frozen ones, then as many
    /// as fit whole. Names give way first; a number never does.
    pub fn layout(&self, first: usize, total: usize) -> Vec<(usize, usize)> {
        let n = self.widths.len();
        if n == 0 {
            return Vec::new();
        }
        let frozen = self.frozen.min(n);
        let least = |i: usize| -> usize {
            if self.whole[i] {
                self.widths[i]
            } else if self.name[i] || i < frozen {
                self.widths[i].min(10)
            } else {
                self.widths[i].min(8)
            }
        };
        let mut cols: Vec<usize> = (0..frozen).filter(|i| !self.empty[*i]).collect();
        let mut used: usize = cols.iter().map(|&i| least(i) + 1).sum();
        let start = first.clamp(frozen, n.saturating_sub(1).max(frozen));
        for i in (start..n).filter(|i| !self.empty[*i]) {
            let need = least(i) + 1;
            // The first scrolled column is shown even when nothing else fits.
            if used + need > total + 1 && cols.len() > frozen {
                break;
            }
            cols.push(i);
            used += need;
        }
        if cols.is_empty() {
            cols.push(0);
        }
        let mut w: Vec<usize> = cols.iter().map(|&i| least(i)).collect();
        let mut spare = (total + 1).saturating_sub(cols.iter().map(|&i| least(i) + 1).sum());
        // The spare width: the words grow back, names last.
        for pass_names in [false, true] {
            for (k, &i) in cols.iter().enumerate() {
                if self.name[i] != pass_names || spare == 0 {
                    continue;
                }
                let grow = self.widths[i].saturating_sub(w[k]).min(spare);
                w[k] += grow;
                spare -= grow;
            }
        }
        cols.into_iter().zip(w).collect()
    }

    /// The first column that scrolls.
    pub fn first_scrolled(&self) -> usize {
        self.frozen.min(self.widths.len())
    }

    /// The first scrolled column of the next page of columns, if any.
    pub fn next_page(&self, first: usize, total: usize) -> Option<usize> {
        let last = self.layout(first, total).last().map(|(i, _)| *i)?;
        (last + 1..self.widths.len()).find(|i| !self.empty[*i])
    }

    /// The first scrolled column of the page before, if any: the widest
    /// page that ends just before `first`.
    pub fn prev_page(&self, first: usize, total: usize) -> Option<usize> {
        let frozen = self.first_scrolled();
        if first <= frozen {
            return None;
        }
        (frozen..first).find(|&s| {
            self.layout(s, total)
                .last()
                .is_some_and(|(i, _)| *i + 1 >= first)
        })
    }

    /// Whether columns after those shown are hidden.
    pub fn more_right(&self, first: usize, total: usize) -> bool {
        self.next_page(first, total).is_some()
    }
}

/// Draws the sheet's table, its totals row under it, the window following
/// the selection.
pub fn draw_table(
    f: &mut Frame,
    area: Rect,
    s: &SheetText,
    first: usize,
    sel: &ListState,
    theme: &Theme,
) {
    let layout = s.layout(first, area.width as usize);
    let total_h = u16::from(s.total.is_some());
    let rows_h = area.height.saturating_sub(1 + total_h) as usize;
    let offset = sel.window(s.rows.len(), rows_h);
    let cell = |texts: &[String], style: Style| -> Vec<Cell<'static>> {
        layout
            .iter()
            .map(|&(i, w)| {
                let t = texts.get(i).map(String::as_str).unwrap_or("");
                let t = if s.name[i] { fit_name(t, w) } else { fit(t, w) };
                let l = Line::styled(t, style);
                Cell::from(if s.number[i] { l.right_aligned() } else { l })
            })
            .collect()
    };
    let mut rows: Vec<Row> = s
        .rows
        .iter()
        .enumerate()
        .skip(offset)
        .take(rows_h)
        .map(|(k, r)| {
            let style = if s.top.get(k).copied().unwrap_or(false) {
                theme.warn()
            } else {
                Style::default()
            };
            let row = Row::new(cell(r, style));
            if k == sel.selected {
                row.style(theme.selected())
            } else {
                row
            }
        })
        .collect();
    // The totals row stays under the rows, whatever the scroll.
    if let Some(t) = &s.total {
        rows.push(Row::new(cell(t, theme.header())));
    }
    let header = Row::new(cell(&s.headings, Style::default())).style(theme.header());
    let t = Table::new(
        rows,
        layout
            .iter()
            .map(|&(_, w)| Constraint::Length(w as u16))
            .collect::<Vec<_>>(),
    )
    .header(header)
    .column_spacing(1);
    f.render_widget(t, area);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::sheet::Column;

    fn sheet() -> Sheet {
        Sheet {
            key: "t",
            name: "t".into(),
            title: String::new(),
            columns: ["top", "item", "name", "a", "b", "c", "d"]
                .iter()
                .map(|k| Column::new(k, k.to_uppercase()))
                .collect(),
            rows: vec![vec![
                SheetCell::Text("★".into()),
                "AMOX500".into(),
                "Amoxicillin 500 mg capsule".into(),
                SheetCell::Units(1_234_567),
                SheetCell::Money(123_456_789),
                SheetCell::Units(7),
                SheetCell::Money(5),
            ]],
            total: None,
            notes: Vec::new(),
        }
    }

    #[test]
    fn numbers_are_never_cut_and_the_row_s_words_stay() {
        let s = SheetText::new(&sheet());
        assert_eq!(s.frozen, 3);
        assert!(s.top[0]);
        for total in [40, 60, 80, 100] {
            let l = s.layout(s.first_scrolled(), total);
            assert_eq!(l[0].0, 0);
            assert_eq!(l[1].0, 1);
            for &(i, w) in &l {
                if s.number[i] {
                    assert_eq!(w, s.widths[i], "column {i} whole at {total}");
                }
            }
            let used: usize = l.iter().map(|(_, w)| w + 1).sum::<usize>() - 1;
            assert!(used <= total, "{used} > {total}");
        }
        // Wide enough: every column, nothing hidden.
        assert!(!s.more_right(s.first_scrolled(), 120));
        assert!(s.more_right(s.first_scrolled(), 40));
    }
}
