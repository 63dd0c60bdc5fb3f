//! The operations menu of an item (F3): the operations the user's role may
//! perform at the place shown; a digit or Enter opens the form.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;

use super::Done;
use crate::domain::roles::Operation;
use crate::t;
use crate::tui::theme::Theme;
use crate::tui::widgets::draw_choices;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpMenu {
    pub ops: Vec<Operation>,
    pub selected: usize,
}

/// The operations offered for an item at a kind of place, in menu order.
pub fn menu(at_pharmacy: bool, counting: bool, controlled: bool) -> Vec<Operation> {
    use Operation::*;
    let mut ops = if at_pharmacy {
        vec![Receive, RejectReceipt, Waste, Quarantine, Release, Recall]
    } else {
        vec![
            Issue,
            RequestTransfer,
            Return,
            Waste,
            Quarantine,
            Release,
            Recall,
        ]
    };
    if counting {
        ops.extend([Count, ApproveStocktake]);
    } else {
        ops.push(StartStocktake);
    }
    if controlled {
        ops.push(CdRegister);
    }
    ops
}

/// An operation's name in the menu.
pub fn label(op: Operation) -> &'static str {
    use Operation::*;
    match op {
        Receive => t!("tui.op.receive"),
        RejectReceipt => t!("tui.op.reject_receipt"),
        Issue => t!("tui.op.issue"),
        Waste => t!("tui.op.waste"),
        Return => t!("tui.op.return"),
        RequestTransfer => t!("tui.op.request_transfer"),
        Quarantine => t!("tui.op.quarantine"),
        Release => t!("tui.op.release"),
        Recall => t!("tui.op.recall"),
        StartStocktake => t!("tui.op.start_stocktake"),
        Count => t!("tui.op.count"),
        ApproveStocktake => t!("tui.op.approve_stocktake"),
        CdRegister => t!("cd.tui.op"),
        ColdReading => t!("cold.tui.op"),
        Reserve => t!("reserve.tui.op"),
        _ => op.label(),
    }
}

/// An operation's short name, for the key bar.
pub fn short(op: Operation) -> &'static str {
    use Operation::*;
    match op {
        Receive => t!("tui.op_short.receive"),
        RejectReceipt => t!("tui.op_short.reject_receipt"),
        Issue => t!("tui.op_short.issue"),
        Waste => t!("tui.op_short.waste"),
        Return => t!("tui.op_short.return"),
        RequestTransfer => t!("tui.op_short.request_transfer"),
        Quarantine => t!("tui.op_short.quarantine"),
        Release => t!("tui.op_short.release"),
        Recall => t!("tui.op_short.recall"),
        StartStocktake => t!("tui.op_short.start_stocktake"),
        Count => t!("tui.op_short.count"),
        ApproveStocktake => t!("tui.op_short.approve_stocktake"),
        _ => label(op),
    }
}

impl OpMenu {
    pub fn key(&mut self, ev: KeyEvent) -> Done {
        let n = self.ops.len();
        match ev.code {
            KeyCode::Up => self.selected = self.selected.saturating_sub(1),
            KeyCode::Down => self.selected = (self.selected + 1).min(n.saturating_sub(1)),
            KeyCode::Esc => return Done::Close,
            KeyCode::Enter => {
                if let Some(op) = self.ops.get(self.selected) {
                    return Done::Operation(*op);
                }
            }
            KeyCode::Char(c) if c.is_ascii_digit() => {
                let k = c.to_digit(10).unwrap_or(0) as usize;
                if (1..=n).contains(&k) {
                    self.selected = k - 1;
                    return Done::Operation(self.ops[k - 1]);
                }
            }
            _ => {}
        }
        Done::Stay
    }

    pub fn draw(&self, f: &mut Frame, area: Rect, theme: &Theme) {
        let rows: Vec<String> = self
            .ops
            .iter()
            .enumerate()
            .map(|(i, op)| format!(" {} {}", i + 1, label(*op)))
            .collect();
        draw_choices(
            f,
            area,
            40,
            &format!(" {} ", t!("tui.op_menu.title")),
            &rows,
            self.selected,
            theme,
        );
    }
}
