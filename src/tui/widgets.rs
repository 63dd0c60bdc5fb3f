//! Drawing helpers shared by the components: tables of only the visible
//! rows, one-line texts, centred boxes and choice lists. Text is measured
//! by display width (a Chinese character takes two columns).

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Cell, Clear, Paragraph, Row, Table};

use super::component::ListState;
use super::theme::Theme;
pub use crate::i18n::{fit, pad, width};

/// How a table column takes its width.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum W {
    /// `n` columns, or the header's width when wider; never narrower.
    Fixed(u16),
    /// As wide as its widest shown cell (and header), at most `max`; gives
    /// way down to `min` only when the fill columns are at their least.
    Fit { min: u16, max: u16 },
    /// As wide as its widest shown cell and header: never cut (a dose, a
    /// code, a count, a status word).
    Whole,
    /// Takes the spare width, at least `n`; the first to give way (a name).
    Fill(u16),
}

/// A table column: its header, its width, and whether it may be left out
/// when the table does not fit (`drop` 0: never; higher goes first).
#[derive(Debug, Clone, Copy)]
pub struct Column<'a> {
    pub header: &'a str,
    pub w: W,
    pub drop: u8,
    /// Left out when none of the rows shown has anything in it.
    pub sparse: bool,
}

impl<'a> Column<'a> {
    pub fn new(header: &'a str, w: W) -> Self {
        Column {
            header,
            w,
            drop: 0,
            sparse: false,
        }
    }

    /// Left out, before cutting the others, when the table does not fit
    /// (higher `prio` is left out first).
    pub fn optional(mut self, prio: u8) -> Self {
        self.drop = prio;
        self
    }

    /// Left out when none of the rows shown has anything in it (projected
    /// waste, on a page of expired lots).
    pub fn sparse(mut self) -> Self {
        self.sparse = true;
        self
    }
}

/// A table cell: its text, style and alignment. It is fitted to the width
/// its column is drawn with, ending in "…" when cut.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TCell {
    pub text: String,
    pub style: Style,
    pub right: bool,
    /// A drug's name: when cut, the words give way before its strength.
    pub name: bool,
}

impl TCell {
    pub fn styled(text: impl Into<String>, style: Style) -> Self {
        TCell {
            text: text.into(),
            style,
            ..TCell::default()
        }
    }

    /// A drug's name with its strength ("Metronidazole 500 mg/100 ml"):
    /// cut in the words, never in the strength.
    pub fn name(text: impl Into<String>) -> Self {
        TCell {
            text: crate::tui::words::strength(&text.into()),
            name: true,
            ..TCell::default()
        }
    }

    /// A dose ("50 microgram" shows as "50 μg").
    pub fn dose(text: impl Into<String>) -> Self {
        TCell::from(crate::tui::words::strength(&text.into()))
    }

    /// A right-aligned cell (a number).
    pub fn right(text: impl Into<String>) -> Self {
        TCell {
            text: text.into(),
            right: true,
            ..TCell::default()
        }
    }
}

impl From<String> for TCell {
    fn from(text: String) -> Self {
        TCell::styled(text, Style::default())
    }
}

impl From<&str> for TCell {
    fn from(text: &str) -> Self {
        TCell::styled(text, Style::default())
    }
}

/// A word of a strength: a number ("500", "800/160") or a unit, alone or
/// per something ("mg", "ml", "mg/100", "μg/h").
fn strength_word(t: &str) -> bool {
    const UNITS: [&str; 14] = [
        "mg",
        "g",
        "kg",
        "ml",
        "mL",
        "l",
        "L",
        "μg",
        "mcg",
        "microgram",
        "ng",
        "IU",
        "mmol",
        "%",
    ];
    t.starts_with(|c: char| c.is_ascii_digit())
        || UNITS.contains(&t.split('/').next().unwrap_or(""))
}

/// A drug's name split into the words before its strength, the strength,
/// and the form after it ("Metronidazole", "500 mg/100 ml", "infusion");
/// `None` when it has no strength.
fn name_parts(s: &str) -> Option<(String, String, String)> {
    let words: Vec<&str> = s.split(' ').collect();
    let i = (1..words.len()).find(|&k| words[k].starts_with(|c: char| c.is_ascii_digit()))?;
    let j = (i..words.len())
        .find(|&k| !strength_word(words[k]))
        .unwrap_or(words.len());
    Some((
        words[..i].join(" "),
        words[i..j].join(" "),
        words[j..].join(" "),
    ))
}

/// The width a drug's name needs to show its name and strength whole (the
/// form after the strength may be cut to "…").
pub fn name_need(s: &str) -> usize {
    match name_parts(s) {
        Some((head, strength, tail)) if !tail.is_empty() => {
            (width(&head) + 1 + width(&strength) + 2).min(width(s))
        }
        _ => width(s),
    }
}

/// A drug's name fitted to `w` columns, its strength kept whole: the form
/// after the strength gives way first ("Metronidazole 500 mg/100 ml …"),
/// then the name words before it (ending in "…"), so "Metronidazole 500
/// mg/100 ml infusion" becomes "Metronid… 500 mg/100 ml", never
/// "Metronidazole 500 mg/10".
pub fn fit_name(s: &str, w: usize) -> String {
    if width(s) <= w {
        return s.to_string();
    }
    let Some((head, strength, tail)) = name_parts(s) else {
        return fit(s, w);
    };
    let (hw, sw, tw) = (width(&head), width(&strength), width(&tail));
    // The name and strength whole, the form cut.
    if !tail.is_empty() && w >= hw + 1 + sw + 2 {
        return format!("{head} {strength} {}", fit(&tail, w - hw - 1 - sw - 1));
    }
    // The name words give way, the form whole.
    let tail_w = if tail.is_empty() { 0 } else { tw + 1 };
    if w >= 6 + 1 + sw + tail_w || (tail.is_empty() && w >= 3 + 1 + sw) {
        return format!(
            "{} {strength}{}",
            fit(&head, w - 1 - sw - tail_w),
            if tail.is_empty() {
                String::new()
            } else {
                format!(" {tail}")
            }
        );
    }
    // The name cut, the form left out: the "…" says something is.
    if w >= 3 + 1 + sw {
        return format!("{} {strength}", fit(&head, (w - 1 - sw).min(hw - 1)));
    }
    // No room for the strength: the name alone, marked as cut; never a
    // part of the strength, which would read as another dose.
    if hw + 2 <= w {
        format!("{head} …")
    } else {
        fit(&head, w.min(hw.saturating_sub(1)))
    }
}

/// Widens the columns `idx`, the narrowest first, each up to its `cap`,
/// by at most `spare` in all; returns what is left of `spare`.
fn grow(w: &mut [u16], cap: &[u16], idx: &[usize], spare: u32) -> u32 {
    let added = |l: u32| -> u32 {
        idx.iter()
            .map(|&i| (cap[i] as u32).min(l).saturating_sub(w[i] as u32))
            .sum()
    };
    let top = idx.iter().map(|&i| cap[i] as u32).max().unwrap_or(0);
    let (mut lo, mut hi) = (0u32, top);
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if added(mid) <= spare {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    let mut left = spare - added(lo);
    for &i in idx {
        w[i] = w[i].max((cap[i] as u32).min(lo) as u16);
    }
    for &i in idx {
        if left > 0 && w[i] < cap[i] && w[i] as u32 == lo {
            w[i] += 1;
            left -= 1;
        }
    }
    left
}

/// Narrows the columns `idx`, the widest first, each down to its `floor`,
/// by at most `over` in all; returns what could not be taken.
fn shrink(w: &mut [u16], floor: &[u16], idx: &[usize], over: u32) -> u32 {
    if over == 0 {
        return 0;
    }
    let taken = |l: u32| -> u32 {
        idx.iter()
            .map(|&i| (w[i] as u32).saturating_sub(l.max(floor[i] as u32)))
            .sum()
    };
    let top = idx.iter().map(|&i| w[i] as u32).max().unwrap_or(0);
    // The highest level that takes at least `over` (or 0).
    let (mut lo, mut hi) = (0u32, top);
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if taken(mid) >= over {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    // Take down to one above that level, then one more from as many
    // columns at the level as still needed.
    let level = if taken(lo) >= over { lo + 1 } else { lo };
    let mut left = over - taken(level).min(over);
    for &i in idx {
        w[i] = w[i].min(level.max(floor[i] as u32) as u16);
    }
    for &i in idx {
        if left > 0 && w[i] as u32 == level && w[i] > floor[i] {
            w[i] -= 1;
            left -= 1;
        }
    }
    left
}

/// The widths the columns are drawn with in `total` columns (spacing 1),
/// `None` for a column left out. `content[i]` is the widest text of column
/// `i` (its header included).
pub fn column_widths(cols: &[Column], content: &[usize], total: u16) -> Vec<Option<u16>> {
    column_widths_needing(cols, content, content, total)
}

/// As [`column_widths`], where `need[i]` is the width column `i` needs to
/// show what matters whole (a drug's name and strength, its form may be
/// cut): optional columns are left out, highest first, until every column
/// gets what it needs; only then are names cut, the widest first.
pub fn column_widths_needing(
    cols: &[Column],
    content: &[usize],
    need: &[usize],
    total: u16,
) -> Vec<Option<u16>> {
    let n = cols.len();
    let clamp = |v: usize| v.min(u16::MAX as usize) as u16;
    let mut nat = vec![0u16; n];
    let mut ess = vec![0u16; n];
    let mut least = vec![0u16; n];
    for (i, c) in cols.iter().enumerate() {
        let cw = clamp(content.get(i).copied().unwrap_or(0));
        let ew = clamp(need.get(i).copied().unwrap_or(cw as usize)).min(cw);
        let hw = width(c.header) as u16;
        let size = |cw: u16| -> u16 {
            match c.w {
                W::Fixed(w) => w.max(hw),
                W::Fit { max, .. } => cw.max(hw).min(max.max(hw)).max(1),
                W::Whole => cw.max(hw).max(1),
                W::Fill(_) => cw.max(hw).max(1),
            }
        };
        nat[i] = size(cw);
        ess[i] = size(ew).min(nat[i]);
        least[i] = match c.w {
            W::Fixed(_) | W::Whole => nat[i],
            W::Fit { min, .. } | W::Fill(min) => min.max(1).min(ess[i]),
        };
    }
    let sum = |kept: &[bool], w: &[u16]| -> u32 {
        let k = kept.iter().filter(|k| **k).count() as u32;
        (0..n)
            .filter(|i| kept[*i])
            .map(|i| w[i] as u32)
            .sum::<u32>()
            + k.saturating_sub(1)
    };
    let total = total as u32;
    // Leave out optional columns, highest first, until every column gets
    // what it needs.
    let mut kept: Vec<bool> = vec![true; n];
    let mut dropped = Vec::new();
    while sum(&kept, &ess) > total {
        let Some(i) = (0..n)
            .filter(|i| kept[*i] && cols[*i].drop > 0)
            .max_by_key(|i| (cols[*i].drop, *i))
        else {
            break;
        };
        kept[i] = false;
        dropped.push(i);
    }
    let mut w = ess.clone();
    // A left-out column that can be narrow (a note) comes back when its
    // least width fits beside the others.
    if sum(&kept, &ess) <= total {
        for &i in dropped.iter().rev() {
            kept[i] = true;
            w[i] = least[i];
            if sum(&kept, &w) > total {
                kept[i] = false;
            }
        }
    }
    let shown: Vec<usize> = (0..n).filter(|i| kept[*i]).collect();
    let fills: Vec<usize> = shown
        .iter()
        .copied()
        .filter(|i| matches!(cols[*i].w, W::Fill(_)))
        .collect();
    let used = sum(&kept, &w);
    if used <= total {
        // Every column grows to its content, the narrowest first; the fill
        // columns share what is left.
        let spare = grow(&mut w, &nat, &shown, total - used);
        if !fills.is_empty() {
            let each = spare / fills.len() as u32;
            let mut rest = spare % fills.len() as u32;
            for &i in &fills {
                let extra = u32::from(rest > 0);
                rest = rest.saturating_sub(1);
                w[i] = w[i].saturating_add((each + extra).min(u16::MAX as u32) as u16);
            }
        }
    } else {
        // Still too wide: the fill columns give way first, the widest
        // first, down to their least; then the sized ones; then the fill
        // columns to one column; then the others from the right.
        let mut over = used - total;
        over = shrink(&mut w, &least, &fills, over);
        let fits: Vec<usize> = shown
            .iter()
            .copied()
            .filter(|i| matches!(cols[*i].w, W::Fit { .. }))
            .collect();
        over = shrink(&mut w, &least, &fits, over);
        let ones = vec![1u16; n];
        over = shrink(&mut w, &ones, &fills, over);
        for &i in shown.iter().rev() {
            if over == 0 {
                break;
            }
            over = shrink(&mut w, &ones, &[i], over);
        }
    }
    (0..n).map(|i| kept[i].then_some(w[i])).collect()
}

/// Draws a table of only the visible rows: `make(i)` gives the cells of row
/// `i`. Each column is as wide as its content in these rows; optional
/// columns (and sparse ones with nothing in these rows) are left out
/// before a name would be cut (a drug's name needs its name and strength,
/// see [`name_need`]); every cell that still does not fit its column ends
/// in "…". With a selection, the window follows it and records its height.
pub fn visible_table(
    f: &mut Frame,
    area: Rect,
    theme: &Theme,
    cols: &[Column],
    len: usize,
    sel: Option<&ListState>,
    make: impl Fn(usize) -> Vec<TCell>,
) {
    grouped_table(f, area, theme, cols, len, sel, None, make);
}

/// [`visible_table`] with its rows in groups: `group(i)` names the group of
/// row `i` (a patient), and a line across the table heads each group shown
/// (and the first row shown, in the middle of its group).
#[allow(clippy::too_many_arguments)]
pub fn grouped_table(
    f: &mut Frame,
    area: Rect,
    theme: &Theme,
    cols: &[Column],
    len: usize,
    sel: Option<&ListState>,
    group: Option<&dyn Fn(usize) -> String>,
    make: impl Fn(usize) -> Vec<TCell>,
) {
    let height = area.height.saturating_sub(1) as usize;
    let mut offset = sel.map_or(0, |s| s.window(len, height));
    let heads = |i: usize, first: usize| group.is_some_and(|g| i == first || g(i) != g(i - 1));
    // The rows that fit from `first`, with their headings.
    let fitting = |first: usize| {
        let (mut lines, mut n) = (0, 0);
        for i in first..len {
            let need = 1 + usize::from(heads(i, first));
            if lines + need > height {
                break;
            }
            lines += need;
            n += 1;
        }
        n
    };
    let mut n = fitting(offset);
    if let Some(s) = sel {
        // Headings take lines: the window moves on until the selected row shows.
        while s.selected >= offset + n && offset < s.selected {
            offset += 1;
            n = fitting(offset);
        }
        s.keep_offset(offset);
    }
    let shown: Vec<(usize, Vec<TCell>)> = (offset..len.min(offset + n.max(1)))
        .map(|i| (i, make(i)))
        .collect();
    let mut content: Vec<usize> = cols.iter().map(|c| width(c.header)).collect();
    let mut need = content.clone();
    for (_, cells) in &shown {
        for (k, c) in cells.iter().enumerate().take(cols.len()) {
            content[k] = content[k].max(width(&c.text));
            need[k] = need[k].max(if c.name {
                name_need(&c.text)
            } else {
                width(&c.text)
            });
        }
    }
    // An optional or sparse column with nothing to show in these rows is
    // left out.
    let empty: Vec<bool> = (0..cols.len())
        .map(|k| {
            (cols[k].drop > 0 || cols[k].sparse)
                && shown
                    .iter()
                    .all(|(_, cells)| cells.get(k).is_none_or(|c| c.text.is_empty()))
        })
        .collect();
    let idx: Vec<usize> = (0..cols.len()).filter(|k| !empty[*k]).collect();
    let sub = |v: &[usize]| idx.iter().map(|&k| v[k]).collect::<Vec<usize>>();
    let sub_cols: Vec<Column> = idx.iter().map(|&k| cols[k]).collect();
    let sub_widths = column_widths_needing(&sub_cols, &sub(&content), &sub(&need), area.width);
    let mut widths: Vec<Option<u16>> = vec![None; cols.len()];
    for (j, &k) in idx.iter().enumerate() {
        widths[k] = sub_widths[j];
    }
    let kept: Vec<(usize, u16)> = widths
        .iter()
        .enumerate()
        .filter_map(|(i, w)| w.map(|w| (i, w)))
        .collect();
    // Each heading is a blank row of the table, written across it after.
    let mut headings: Vec<(u16, String)> = Vec::new();
    let mut rows: Vec<Row> = Vec::new();
    for (i, cells) in shown {
        if let Some(g) = group.filter(|_| heads(i, offset)) {
            headings.push((rows.len() as u16, g(i)));
            rows.push(Row::new(Vec::<Cell>::new()));
        }
        rows.push({
            let r = Row::new(kept.iter().map(|&(k, w)| {
                let c = cells.get(k).cloned().unwrap_or_default();
                let text = if c.name {
                    fit_name(&c.text, w as usize)
                } else {
                    fit(&c.text, w as usize)
                };
                let l = Line::styled(text, c.style);
                Cell::from(if c.right { l.right_aligned() } else { l })
            }));
            if sel.is_some_and(|s| s.selected == i) {
                r.style(theme.selected())
            } else {
                r
            }
        });
    }
    let header = Row::new(
        kept.iter()
            .map(|&(k, w)| fit(cols[k].header, w as usize))
            .collect::<Vec<_>>(),
    )
    .style(theme.header());
    let t = Table::new(
        rows,
        kept.iter()
            .map(|&(_, w)| Constraint::Length(w))
            .collect::<Vec<_>>(),
    )
    .header(header)
    .column_spacing(1);
    f.render_widget(t, area);
    for (k, text) in headings {
        let y = area.y + 1 + k;
        if y < area.bottom() {
            let at = Rect::new(area.x, y, area.width, 1);
            let w = area.width as usize;
            f.render_widget(Line::styled(fit(&text, w), theme.header()), at);
        }
    }
}

/// Punctuation that closes a Chinese phrase: it never starts a line.
fn closing(c: char) -> bool {
    "，。、；：）」』！？…”’》".contains(c)
}

/// Punctuation that opens one: it never ends a line.
fn opening(c: char) -> bool {
    "（「『“‘《".contains(c)
}

/// `text` wrapped to lines of at most `w` display columns: at spaces, and
/// between Chinese characters, never inside a word (a word longer than a
/// whole line is the only thing cut, where the line ends).
pub fn wrap(text: &str, w: usize) -> Vec<String> {
    let w = w.max(2);
    let mut out = Vec::new();
    for para in text.split('\n') {
        // Tokens: (a space before it, the token). A line may break before
        // any token.
        let mut tokens: Vec<(bool, String)> = Vec::new();
        let mut tok = String::new();
        let mut space = false;
        let flush = |tokens: &mut Vec<(bool, String)>, tok: &mut String, space: &mut bool| {
            if !tok.is_empty() {
                tokens.push((*space, std::mem::take(tok)));
                *space = false;
            }
        };
        for c in para.chars() {
            if c == ' ' {
                flush(&mut tokens, &mut tok, &mut space);
                space = true;
            } else if closing(c) {
                if tok.is_empty() && !space {
                    match tokens.last_mut() {
                        Some(last) => last.1.push(c),
                        None => tok.push(c),
                    }
                } else {
                    tok.push(c);
                }
            } else if opening(c) {
                if !tok.chars().last().is_some_and(opening) {
                    flush(&mut tokens, &mut tok, &mut space);
                }
                tok.push(c);
            } else if width(&c.to_string()) > 1 {
                if !tok.chars().last().is_some_and(opening) {
                    flush(&mut tokens, &mut tok, &mut space);
                }
                tok.push(c);
                flush(&mut tokens, &mut tok, &mut space);
            } else {
                if tok.chars().last().is_some_and(closing) {
                    flush(&mut tokens, &mut tok, &mut space);
                }
                tok.push(c);
            }
        }
        flush(&mut tokens, &mut tok, &mut space);
        let mut line = String::new();
        for (sp, t) in tokens {
            let tw = width(&t);
            let gap = usize::from(sp && !line.is_empty());
            if width(&line) + gap + tw <= w {
                if gap == 1 {
                    line.push(' ');
                }
                line.push_str(&t);
                continue;
            }
            if !line.is_empty() {
                out.push(std::mem::take(&mut line));
            }
            if tw <= w {
                line = t;
            } else {
                // A word longer than a line: broken where the line ends.
                for c in t.chars() {
                    let cw = width(&c.to_string());
                    if width(&line) + cw > w {
                        out.push(std::mem::take(&mut line));
                    }
                    line.push(c);
                }
            }
        }
        out.push(line);
    }
    out
}

/// `text` wrapped to at most `max` lines of `w` columns; the last ends in
/// "…" when more was left.
pub fn wrap_max(text: &str, w: usize, max: usize) -> Vec<String> {
    let mut lines = wrap(text, w);
    if lines.len() > max {
        let rest = lines[max - 1..].join(" ");
        lines.truncate(max - 1);
        lines.push(fit(&rest, w));
    }
    lines
}

/// One line, cut to the area's width, ending in "…" when cut.
pub fn line(f: &mut Frame, area: Rect, l: Line) {
    f.render_widget(Paragraph::new(fit_line(l, area.width as usize)), area);
}

/// A line of styled spans cut to `w` columns, ending in "…" when cut.
pub fn fit_line(l: Line, w: usize) -> Line {
    if l.width() <= w || w == 0 {
        return l;
    }
    let (style, alignment) = (l.style, l.alignment);
    let mut spans = Vec::new();
    let mut used = 0;
    for span in l.spans {
        let sw = width(&span.content);
        if used + sw < w {
            used += sw;
            spans.push(span);
            continue;
        }
        let mut cut = String::new();
        for c in span.content.chars() {
            let cw = width(c.encode_utf8(&mut [0; 4]));
            if used + cw + 1 > w {
                break;
            }
            cut.push(c);
            used += cw;
        }
        cut.push('…');
        spans.push(ratatui::text::Span::styled(cut, span.style));
        break;
    }
    let mut out = Line::from(spans).style(style);
    out.alignment = alignment;
    out
}

/// Styled spans packed into at most `max` lines of `w` columns, a line
/// breaking between spans (a span starting a line starts one space in,
/// as the first); what still does not fit ends the last line in "…".
pub fn pack_spans<'a>(spans: Vec<ratatui::text::Span<'a>>, w: usize, max: usize) -> Vec<Line<'a>> {
    let mut lines: Vec<Vec<ratatui::text::Span<'a>>> = vec![Vec::new()];
    let mut used = 0;
    for span in spans {
        let sw = width(&span.content);
        let last = lines.len() == max.max(1);
        if used + sw > w && used > 0 && !last {
            let content = format!(" {}", span.content.trim_start());
            lines.push(Vec::new());
            used = width(&content);
            if let Some(l) = lines.last_mut() {
                l.push(ratatui::text::Span::styled(content, span.style));
            }
            continue;
        }
        used += sw;
        if let Some(l) = lines.last_mut() {
            l.push(span);
        }
    }
    lines
        .into_iter()
        .map(|spans| fit_line(Line::from(spans), w))
        .collect()
}

/// Lines drawn one under the other from the top of `area`.
pub fn draw_lines(f: &mut Frame, area: Rect, lines: Vec<Line>) {
    for (k, l) in lines.into_iter().enumerate() {
        if k as u16 >= area.height {
            break;
        }
        let r = Rect {
            y: area.y + k as u16,
            height: 1,
            ..area
        };
        line(f, r, l);
    }
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
    crate::i18n::datetime_short(crate::i18n::local(t))
}

/// A local hour and minute.
pub fn hm(t: chrono::DateTime<chrono::Utc>) -> String {
    crate::i18n::local(t).format("%H:%M").to_string()
}

/// Typing into a list's filter (Ward stock, Alerts, the plan): while it
/// holds text every printable key and Backspace/Delete go into it; while
/// empty, only keys the key map does not bind. Whether the key was taken.
pub fn type_filter(
    filter: &mut tui_input::Input,
    ev: &crossterm::event::KeyEvent,
    bound: Option<super::keymap::Action>,
) -> bool {
    use crossterm::event::{KeyCode, KeyModifiers};
    use tui_input::InputRequest;
    let plain =
        matches!(ev.code, KeyCode::Char(_)) && (ev.modifiers - KeyModifiers::SHIFT).is_empty();
    let typing = !filter.value().is_empty();
    let editing = match ev.code {
        KeyCode::Backspace | KeyCode::Delete => typing || bound.is_none(),
        KeyCode::Left | KeyCode::Right => bound.is_none(),
        _ => false,
    };
    if !((plain && (typing || bound.is_none())) || editing) {
        return false;
    }
    let req = match ev.code {
        KeyCode::Char(c) => InputRequest::InsertChar(c),
        KeyCode::Backspace => InputRequest::DeletePrevChar,
        KeyCode::Delete => InputRequest::DeleteNextChar,
        KeyCode::Left => InputRequest::GoToPrevChar,
        KeyCode::Right => InputRequest::GoToNextChar,
        _ => return false,
    };
    filter.handle(req);
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_drug_name_gives_way_before_its_strength() {
        assert_eq!(
            fit_name("Metronidazole 500 mg/100 ml", 20),
            "Metro… 500 mg/100 ml"
        );
        assert_eq!(
            fit_name("Metronidazole 500 mg/100 ml infusion", 23),
            "Metronid… 500 mg/100 ml"
        );
        assert_eq!(
            fit_name("Metronidazole 500 mg/100 ml infusion", 30),
            "Metronidazole 500 mg/100 ml i…"
        );
        assert_eq!(
            fit_name("Ondansetron 4 mg/2 ml ampoule", 22),
            "Ondansetr… 4 mg/2 ml"
        );
        assert_eq!(
            fit_name("Ringer's lactate 1000 ml bag", 23),
            "Ringer's l… 1000 ml bag"
        );
        assert_eq!(fit_name("Meropenem 1 g vial", 18), "Meropenem 1 g vial");
        assert_eq!(fit_name("布洛芬片 400 mg", 12), "布洛… 400 mg");
        // No room for the strength: the name alone, ending in "…".
        assert_eq!(fit_name("Ciprofloxacin 500 mg tablet", 8), "Ciprofl…");
        assert_eq!(
            fit_name("Amiodarone 150 mg/3 ml ampoule", 14),
            "Amiodarone …"
        );
        assert_eq!(fit_name("Atropine 0.5 mg/1 ml ampoule", 10), "Atropine …");
        assert_eq!(fit_name("Atropine 0.5 mg/1 ml ampoule", 9), "Atropi…");
    }

    #[test]
    fn wrapping_never_breaks_a_word_and_measures_chinese_as_two() {
        let hint = "结果：given（已给）、partially_given（部分）、held（暂缓）、refused（拒绝）";
        for w in [16, 17, 23, 31, 40] {
            let lines = wrap(hint, w);
            for l in &lines {
                assert!(width(l) <= w, "{l:?} wider than {w}");
            }
            for word in ["given", "partially_given", "held", "refused"] {
                assert!(
                    lines.iter().any(|l| l.contains(word)),
                    "{word} broken at {w}: {lines:?}"
                );
            }
            assert_eq!(lines.concat().replace(' ', ""), hint.replace(' ', ""));
        }
        assert_eq!(wrap("a bb ccc", 4), vec!["a bb", "ccc"]);
        // A closing mark stays with the word before it.
        assert!(
            wrap("患者拒绝，请记录原因", 8)
                .iter()
                .all(|l| !l.starts_with('，'))
        );
        // An opening mark stays with the word after it.
        let lines = wrap("现在可给 · 按需给药（nausea）24 小时内", 21);
        assert!(lines.iter().all(|l| !l.ends_with('（')), "{lines:?}");
    }

    #[test]
    fn optional_columns_go_before_a_whole_column_is_cut() {
        let cols = [
            Column::new("Time", W::Whole),
            Column::new("Drug", W::Fill(8)),
            Column::new("Dose", W::Whole),
            Column::new("Route", W::Whole).optional(1),
            Column::new("Status", W::Whole),
        ];
        let content = [5, 30, 12, 11, 11];
        let w = column_widths(&cols, &content, 80);
        assert_eq!(w[0], Some(5));
        assert_eq!(w[2], Some(12));
        assert_eq!(w[3], Some(11));
        assert_eq!(w[4], Some(11));
        assert_eq!(w[1], Some(80 - 5 - 12 - 11 - 11 - 4));
        // The drug's name would be cut: the route is left out first.
        let w = column_widths(&cols, &content, 65);
        assert_eq!(w[3], None, "the route is left out first");
        assert_eq!(w[2], Some(12));
        assert_eq!(w[1], Some(65 - 5 - 12 - 11 - 3));
        // Narrower still: the name gives way, never the dose or status.
        let w = column_widths(&cols, &content, 45);
        assert_eq!(w[3], None);
        assert_eq!((w[0], w[2], w[4]), (Some(5), Some(12), Some(11)));
        assert_eq!(w[1], Some(45 - 5 - 12 - 11 - 3));
    }

    #[test]
    fn the_shorter_name_is_shown_whole_before_the_longer_one_grows() {
        let cols = [
            Column::new("Patient", W::Fill(8)),
            Column::new("Drug", W::Fill(12)),
            Column::new("Dose", W::Whole),
        ];
        // 17 + 1 + 20 + 1 + 7 = 46: the patient whole, the drug cut.
        let w = column_widths(&cols, &[17, 36, 7], 46);
        assert_eq!(w, vec![Some(17), Some(20), Some(7)]);
        // Both cut: the widest gives way first, each down to its least.
        let w = column_widths(&cols, &[17, 36, 7], 30);
        assert_eq!(w, vec![Some(9), Some(12), Some(7)]);
    }

    #[test]
    fn a_drug_name_needs_its_name_and_strength_not_its_form() {
        assert_eq!(name_need("Metronidazole 500 mg/100 ml infusion"), 29);
        assert_eq!(
            fit_name("Metronidazole 500 mg/100 ml infusion", 29),
            "Metronidazole 500 mg/100 ml …"
        );
        assert_eq!(name_need("Meropenem 1 g vial"), 15);
        assert_eq!(name_need("Safety lancet"), 13);
    }
}
