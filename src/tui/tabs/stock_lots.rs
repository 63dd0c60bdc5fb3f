//! Drawing an item's lots at the place shown (expiry, quantity, whether
//! usable; the scanned lot marked) and its recent movements.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::stock::StockTab;
use crate::domain::LotStatus;
use crate::domain::alerts::Severity;
use crate::domain::fefo::lot_problem;
use crate::i18n::num;
use crate::t;
use crate::tui::component::Ctx;
use crate::tui::theme::Theme;
use crate::tui::views::DetailView;
use crate::tui::widgets::{Column, TCell, W, fit, line, visible_table, when};

pub fn draw_detail(
    tab: &StockTab,
    f: &mut Frame,
    area: Rect,
    cx: &Ctx,
    d: &DetailView,
    theme: &Theme,
) {
    let Some(item) = &d.line else { return };
    let mut flags: Vec<String> = Vec::new();
    if item.controlled {
        flags.push(t!("tui.stock.controlled").into());
    }
    if item.high_alert {
        flags.push(t!("tui.stock.high_alert").into());
    }
    if item.storage != "room" {
        flags.push(match item.storage.as_str() {
            "cold" => t!("tui.stock.cold").into(),
            "frozen" => t!("tui.stock.frozen").into(),
            other => other.to_string(),
        });
    }
    let title = t!(
        "tui.stock.item_head",
        name = item.name,
        code = item.code,
        atc = item.atc.as_deref().unwrap_or("—"),
        per_pack = item.units_per_pack,
        price = crate::i18n::money(item.unit_price_cents),
        unit = crate::i18n::unit(&item.dose_unit),
        flags = if flags.is_empty() {
            String::new()
        } else {
            format!(" · {}", flags.join(", "))
        }
    );
    // The item's name, price and flags on two lines rather than cut.
    let title_lines = crate::tui::widgets::wrap_max(
        title.trim_start(),
        (area.width as usize).saturating_sub(1),
        2,
    );
    let head_h = title_lines.len().max(1) as u16;
    let lot_rows = (d.lots.len() as u16 + 1).clamp(2, area.height.saturating_sub(4 + head_h) / 2);
    let [head, sub, lots, cap, moves] = Layout::vertical([
        Constraint::Length(head_h),
        Constraint::Length(1),
        Constraint::Length(lot_rows),
        Constraint::Length(1),
        Constraint::Min(1),
    ])
    .areas(area);
    for (k, text) in title_lines.iter().enumerate() {
        let r = Rect {
            y: head.y + k as u16,
            height: 1,
            ..head
        };
        line(f, r, Line::styled(format!(" {text}"), theme.header()));
    }
    let place = cx
        .current_place()
        .map(|p| p.name.clone())
        .unwrap_or_default();
    let mark = tab.view.marks.get(&item.item_id);
    // The warning first: what is cut at the end is the count of lots, listed below.
    let mut spans = Vec::new();
    if let Some(m) = mark {
        spans.push(Span::styled(
            format!(" {} ", m.text),
            theme.severity(m.severity),
        ));
    }
    // Units held for the place's scheduled cases, before what may be cut.
    if item.reserved > 0 {
        spans.push(Span::styled(
            t!(
                "reserve.tui.detail_held",
                reserved = num(item.reserved),
                available = num(item.available)
            ),
            theme.severity(Severity::Medium),
        ));
    }
    spans.push(Span::raw(t!(
        "tui.stock.item_sub",
        place = place,
        on_hand = num(item.on_hand),
        unit = crate::i18n::unit(&item.dose_unit),
        usable = num(item.usable),
        safety = num(item.safety_stock),
        lots = item.lots
    )));
    line(f, sub, Line::from(spans));

    let today = cx.today();
    let cols = [
        Column::new(t!("tui.col.lot"), W::Fit { min: 16, max: 24 }),
        Column::new(t!("tui.col.expiry"), W::Whole),
        Column::new(t!("tui.col.days"), W::Whole),
        Column::new(t!("tui.col.qty"), W::Whole),
        Column::new(t!("tui.col.where"), W::Fit { min: 5, max: 16 }).optional(1),
        Column::new(t!("tui.col.status"), W::Fill(10)),
    ];
    // The chosen lot stays in view when the lots do not all fit.
    let chosen = tab.lot_sel.map(|i| {
        let mut s = crate::tui::component::ListState::default();
        s.selected = i;
        s
    });
    visible_table(f, lots, theme, &cols, d.lots.len(), chosen.as_ref(), |i| {
        let l = &d.lots[i];
        let days = l.expiry.map(|e| (e - today).num_days());
        let (status, sev) = match (l.status, lot_problem(l.status, l.expiry, today)) {
            (LotStatus::Recalled, _) => (t!("tui.lot.recalled"), Some(Severity::Critical)),
            (LotStatus::Quarantined, _) => (t!("tui.lot.quarantined"), Some(Severity::High)),
            (_, Some(_)) => (t!("tui.lot.expired"), Some(Severity::Critical)),
            // Held after a cold-chain excursion until a pharmacist decides.
            _ if l.cold_held > 0 => (t!("tui.lot.cold_held"), Some(Severity::High)),
            _ if days.is_some_and(|n| n <= 30) => {
                (t!("tui.lot.expires_soon"), Some(Severity::High))
            }
            _ => (t!("tui.lot.ok"), None),
        };
        // The lot chosen (↑ ↓ or scanned) is marked and highlighted.
        let scanned = tab.lot_sel == Some(i);
        let row = vec![
            TCell::from(if scanned {
                format!("▶{}", l.lot_number)
            } else {
                l.lot_number.clone()
            }),
            TCell::from(
                l.expiry
                    .map(crate::i18n::date)
                    .unwrap_or_else(|| t!("tui.lot.no_expiry").into()),
            ),
            TCell::right(days.map(|n| n.to_string()).unwrap_or_default()),
            TCell::right(num(l.qty)),
            TCell::from(l.locations.join(" ")),
            TCell::styled(status, sev.map_or(Style::default(), |s| theme.severity(s))),
        ];
        if scanned {
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
    let shown_lots = (lots.height.saturating_sub(1) as usize).min(d.lots.len());
    let hidden = if shown_lots < d.lots.len() {
        t!("tui.stock.lots_hidden", n = d.lots.len() - shown_lots)
    } else {
        String::new()
    };
    let caption = format!(
        "{}{hidden}",
        t!("tui.stock.movements", n = d.movements.len())
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
    tab.detail_rows.set(moves.height.saturating_sub(1) as usize);
    let shown = &d.movements[tab.detail_scroll.min(d.movements.len())..];
    let cols = [
        Column::new(t!("tui.col.when"), W::Whole),
        Column::new(t!("tui.col.kind"), W::Fit { min: 6, max: 14 }),
        Column::new(t!("tui.col.lot"), W::Fit { min: 8, max: 16 }),
        Column::new(t!("tui.col.qty"), W::Whole),
        Column::new(t!("tui.col.route"), W::Fit { min: 8, max: 24 }).optional(2),
        Column::new(t!("tui.col.by"), W::Fit { min: 4, max: 10 }).optional(1),
        Column::new(t!("tui.col.note"), W::Fill(6)).optional(3),
    ];
    visible_table(f, moves, theme, &cols, shown.len(), None, |i| {
        let m = &shown[i];
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
        let qty = if m.delta > 0 && m.kind != "relocation" {
            format!("+{}", num(m.delta))
        } else {
            num(m.delta)
        };
        vec![
            TCell::from(m.at.map(when).unwrap_or_default()),
            TCell::from(crate::tui::words::code(&m.kind)),
            TCell::from(m.lot_number.clone()),
            TCell::right(qty),
            TCell::from(route),
            TCell::from(m.user.clone()),
            TCell::from(note),
        ]
    });
}
