//! Boxes over the screen: the help, the place picker, an item's operations
//! menu and a patient's record. Each owns its state, keys and drawing.

pub mod cold;
pub mod cold_decide;
pub mod find;
pub mod help;
pub mod levels;
pub mod notice;
pub mod op_menu;
pub mod patient;
pub mod picker;
pub mod register;
pub mod reservations;

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;

use super::component::Ctx;
use super::theme::Theme;
use crate::domain::roles::Operation;

#[derive(Debug, Clone)]
pub enum Popup {
    Help,
    Picker(picker::Picker),
    OpMenu(op_menu::OpMenu),
    Patient(patient::PatientCard),
    Notice(notice::Notice),
    Register(register::RegisterPage),
    Levels(Box<levels::LevelsScreen>),
    /// The cold chain of the place shown.
    Cold(Box<cold::ColdView>),
    /// Where else an item is, and the emergency transfer asked from there.
    Find(Box<find::FindView>),
    /// The scheduled cases of the place shown.
    Reservations(Box<reservations::ReservationsView>),
}

/// What a key did in a popup.
#[derive(Debug, Clone)]
pub enum Done {
    Stay,
    Close,
    /// A place was chosen.
    Place(usize),
    /// An operation was chosen from the menu.
    Operation(Operation),
    /// The help closed on the language key: switch the language.
    Language,
    /// Open a form in the popup's place (a patient record's change).
    Form(Box<super::forms::Form>),
}

impl Popup {
    pub fn key(&mut self, ev: KeyEvent, cx: &Ctx) -> Done {
        match self {
            Popup::Help => help::key(ev, cx),
            Popup::Picker(p) => p.key(ev, cx),
            Popup::OpMenu(m) => m.key(ev),
            Popup::Patient(p) => p.key(ev, cx),
            Popup::Notice(n) => n.key(ev),
            Popup::Register(r) => r.key(ev),
            Popup::Find(v) => v.key(ev, cx),
            // Its keys change levels: the app gives it the context to write with.
            Popup::Levels(_) | Popup::Cold(_) | Popup::Reservations(_) => Done::Stay,
        }
    }

    pub fn draw(&self, f: &mut Frame, area: Rect, cx: &Ctx, theme: &Theme) {
        match self {
            Popup::Help => help::draw(f, area, cx, theme),
            Popup::Picker(p) => p.draw(f, area, cx, theme),
            Popup::OpMenu(m) => m.draw(f, area, theme),
            Popup::Patient(p) => p.draw(f, area, cx, theme),
            Popup::Notice(n) => n.draw(f, area, theme),
            Popup::Register(r) => r.draw(f, area, theme),
            Popup::Levels(l) => l.draw(f, area, theme),
            Popup::Cold(c) => c.draw(f, area, theme),
            Popup::Find(v) => v.draw(f, area, theme),
            Popup::Reservations(r) => r.draw(f, area, theme),
        }
    }
}
