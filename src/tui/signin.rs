//! The sign-in screen: user name, then PIN (masked); Enter signs in. A user
//! whose PIN an administrator gave (a new user, a reset) then chooses their
//! own, twice, before the console opens.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use tui_input::{Input, InputRequest};

use super::component::{Ctx, Level};
use super::keymap::{Action, Context};
use super::theme::Theme;
use super::widgets::{centered, fit, pad};
use crate::t;

#[derive(Debug, Default, Clone)]
pub struct SignIn {
    pub user: Input,
    pub pin: Input,
    pub on_pin: bool,
    /// The one-time PIN was right: the user now sets their own.
    pub change: Option<PinChange>,
}

/// Choosing one's own PIN after signing in with a one-time PIN.
#[derive(Debug, Default, Clone)]
pub struct PinChange {
    /// The one-time PIN just accepted (checked again with the change).
    pub old: String,
    pub new: Input,
    pub again: Input,
    pub on_again: bool,
}

/// What a key asks for on the sign-in screen.
pub enum SignInKey {
    Stay,
    Quit,
    /// Sign in with the name and PIN typed.
    Submit(String, String),
    /// Sign in with the one-time PIN, setting one's own: (user, one-time, new).
    ChangePin(String, String, String),
}

impl SignIn {
    /// Asks for the user's own PIN after the one-time PIN `old` was accepted.
    pub fn ask_new_pin(&mut self, old: String) {
        self.change = Some(PinChange {
            old,
            ..PinChange::default()
        });
    }

    fn change_key(&mut self, ev: KeyEvent, cx: &mut Ctx) -> SignInKey {
        let Some(c) = self.change.as_mut() else {
            return SignInKey::Stay;
        };
        match cx.keymap.action(&[Context::Signin], &ev) {
            Some(Action::Quit) => return SignInKey::Quit,
            Some(Action::NextField) => c.on_again = !c.on_again,
            Some(Action::Submit) => {
                if c.new.value().is_empty() {
                    c.on_again = false;
                } else if c.again.value().is_empty() {
                    c.on_again = true;
                } else if c.new.value() != c.again.value() {
                    c.new = Input::default();
                    c.again = Input::default();
                    c.on_again = false;
                    cx.say(Level::Error, t!("refdata.pin.mismatch"));
                } else {
                    let user = self.user.value().trim().to_string();
                    let (old, new) = (c.old.clone(), c.new.value().to_string());
                    c.new = Input::default();
                    c.again = Input::default();
                    c.on_again = false;
                    return SignInKey::ChangePin(user, old, new);
                }
            }
            _ => {
                if ev.code == KeyCode::Esc {
                    // Back to signing in: nothing changed.
                    *self = SignIn::default();
                    cx.status = None;
                    return SignInKey::Stay;
                }
                let field = if c.on_again { &mut c.again } else { &mut c.new };
                let req = match ev.code {
                    KeyCode::Char(ch) if (ev.modifiers - KeyModifiers::SHIFT).is_empty() => {
                        Some(InputRequest::InsertChar(ch))
                    }
                    KeyCode::Backspace => Some(InputRequest::DeletePrevChar),
                    _ => None,
                };
                if let Some(r) = req {
                    field.handle(r);
                }
            }
        }
        SignInKey::Stay
    }

    pub fn key(&mut self, ev: KeyEvent, cx: &mut Ctx) -> SignInKey {
        if self.change.is_some() {
            return self.change_key(ev, cx);
        }
        match cx.keymap.action(&[Context::Signin], &ev) {
            Some(Action::Quit) => return SignInKey::Quit,
            Some(Action::NextField) => self.on_pin = !self.on_pin,
            Some(Action::Submit) => {
                let user = self.user.value().trim().to_string();
                if !self.on_pin && !user.is_empty() && self.pin.value().is_empty() {
                    self.on_pin = true;
                } else if user.is_empty() {
                    self.on_pin = false;
                    cx.say(Level::Warn, t!("tui.signin.type_user"));
                } else if self.pin.value().is_empty() {
                    self.on_pin = true;
                    cx.say(Level::Warn, t!("tui.signin.type_pin"));
                } else {
                    let pin = self.pin.value().to_string();
                    self.pin = Input::default();
                    return SignInKey::Submit(user, pin);
                }
            }
            _ => {
                let field = if self.on_pin {
                    &mut self.pin
                } else {
                    &mut self.user
                };
                let req = match ev.code {
                    KeyCode::Char(c) if (ev.modifiers - KeyModifiers::SHIFT).is_empty() => {
                        Some(InputRequest::InsertChar(c))
                    }
                    KeyCode::Backspace => Some(InputRequest::DeletePrevChar),
                    KeyCode::Delete => Some(InputRequest::DeleteNextChar),
                    KeyCode::Left => Some(InputRequest::GoToPrevChar),
                    KeyCode::Right => Some(InputRequest::GoToNextChar),
                    KeyCode::Esc => {
                        *field = Input::default();
                        None
                    }
                    _ => None,
                };
                if let Some(r) = req {
                    field.handle(r);
                }
            }
        }
        SignInKey::Stay
    }

    pub fn draw(
        &self,
        f: &mut Frame,
        area: Rect,
        cx: &Ctx,
        demo_hint: Option<&str>,
        theme: &Theme,
    ) {
        let r = centered(area, 58, 12);
        let label_w = 6;
        let field = |label: &str, value: String, active: bool| {
            let style = if active {
                theme.selected()
            } else {
                theme.dim()
            };
            Line::from(vec![
                Span::raw(format!("  {}", pad(label, label_w))),
                Span::styled(format!("[{}]", pad(&value, 30)), style),
            ])
        };
        let dots = |i: &Input| "•".repeat(i.value().chars().count());
        let mut lines = match &self.change {
            None => vec![
                Line::raw(""),
                field(
                    t!("tui.signin.user"),
                    self.user.value().to_string(),
                    !self.on_pin,
                ),
                Line::raw(""),
                field(t!("tui.signin.pin"), dots(&self.pin), self.on_pin),
                Line::raw(""),
            ],
            Some(c) => vec![
                Line::styled(
                    format!(
                        "  {}",
                        fit(&t!("tui.signin.own_pin", user = self.user.value()), 54)
                    ),
                    theme.warn(),
                ),
                field(t!("tui.signin.new_pin"), dots(&c.new), !c.on_again),
                Line::raw(""),
                field(t!("tui.signin.again"), dots(&c.again), c.on_again),
                Line::raw(""),
            ],
        };
        if let Some((level, msg)) = &cx.status {
            let style = match level {
                Level::Error => theme.error(),
                Level::Warn => theme.warn(),
                Level::Info => theme.info(),
            };
            lines.push(Line::styled(format!("  {}", fit(msg, 54)), style));
        } else {
            lines.push(Line::raw(""));
        }
        if let Some(hint) = demo_hint {
            lines.push(Line::raw(""));
            lines.push(Line::styled(format!("  {}", fit(hint, 54)), theme.dim()));
        }
        f.render_widget(
            Paragraph::new(lines).block(
                Block::default()
                    .borders(Borders::ALL)
                    .title(format!(" {} ", t!("tui.signin.title"))),
            ),
            r,
        );
        let keys = Rect {
            y: area.bottom().saturating_sub(1),
            height: 1,
            ..area
        };
        super::ui::draw_keys(f, keys, cx, theme, &[Context::Signin], &|_| Some(None));
        // The cursor sits in the active field.
        let (input, row) = match &self.change {
            Some(c) if c.on_again => (&c.again, 4),
            Some(c) => (&c.new, 2),
            None if self.on_pin => (&self.pin, 4),
            None => (&self.user, 2),
        };
        let x = r.x + 1 + 2 + label_w as u16 + 1 + input.visual_cursor().min(29) as u16;
        if r.y + row < area.bottom() && x < area.right() {
            f.set_cursor_position((x, r.y + row));
        }
    }
}
