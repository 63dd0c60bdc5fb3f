//! The sign-in screen: user name, then PIN (masked); Enter signs in.

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
}

/// What a key asks for on the sign-in screen.
pub enum SignInKey {
    Stay,
    Quit,
    /// Sign in with the name and PIN typed.
    Submit(String, String),
}

impl SignIn {
    pub fn key(&mut self, ev: KeyEvent, cx: &mut Ctx) -> SignInKey {
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
        let mut lines = vec![
            Line::raw(""),
            field(
                t!("tui.signin.user"),
                self.user.value().to_string(),
                !self.on_pin,
            ),
            Line::raw(""),
            field(
                t!("tui.signin.pin"),
                "•".repeat(self.pin.value().chars().count()),
                self.on_pin,
            ),
            Line::raw(""),
        ];
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
        let (input, row) = if self.on_pin {
            (&self.pin, 4)
        } else {
            (&self.user, 2)
        };
        let x = r.x + 1 + 2 + label_w as u16 + 1 + input.visual_cursor().min(29) as u16;
        if r.y + row < area.bottom() && x < area.right() {
            f.set_cursor_position((x, r.y + row));
        }
    }
}
