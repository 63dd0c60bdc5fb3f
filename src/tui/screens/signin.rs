use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use crate::tui::app::{App, Level};
use crate::tui::keymap::Context;
use crate::tui::theme::Theme;
use crate::tui::ui::{centered, draw_keys, fit};

pub fn draw(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let r = centered(area, 58, 12);
    let field = |label: &str, value: String, active: bool| {
        let style = if active {
            theme.selected()
        } else {
            theme.dim()
        };
        Line::from(vec![
            Span::raw(format!("  {label:<6}")),
            Span::styled(format!("[{value:<30}]"), style),
        ])
    };
    let mut lines = vec![
        Line::raw(""),
        field(
            "User",
            app.signin.user.value().to_string(),
            !app.signin.on_pin,
        ),
        Line::raw(""),
        field(
            "PIN",
            "•".repeat(app.signin.pin.value().chars().count()),
            app.signin.on_pin,
        ),
        Line::raw(""),
    ];
    if let Some((level, msg)) = &app.status {
        let style = match level {
            Level::Error => theme.error(),
            Level::Warn => theme.warn(),
            Level::Info => theme.info(),
        };
        lines.push(Line::styled(format!("  {}", fit(msg, 54)), style));
    } else {
        lines.push(Line::raw(""));
    }
    if let Some(hint) = &app.demo_hint {
        lines.push(Line::raw(""));
        lines.push(Line::styled(format!("  {}", fit(hint, 54)), theme.dim()));
    }
    f.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .title(" wardstock — sign in "),
        ),
        r,
    );
    let keys = Rect {
        y: area.bottom().saturating_sub(1),
        height: 1,
        ..area
    };
    draw_keys(f, keys, app, theme, &[Context::Signin]);
    // The cursor sits in the active field.
    let (input, row) = if app.signin.on_pin {
        (&app.signin.pin, 4)
    } else {
        (&app.signin.user, 2)
    };
    let x = r.x + 10 + input.visual_cursor().min(29) as u16;
    if r.y + row < area.bottom() && x < area.right() {
        f.set_cursor_position((x, r.y + row));
    }
}
