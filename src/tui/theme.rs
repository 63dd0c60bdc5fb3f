//! Colours and emphasis; with `NO_COLOR` set, only bold/reverse/underline.

use ratatui::style::{Color, Modifier, Style};

use crate::domain::alerts::Severity;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub color: bool,
}

impl Theme {
    pub fn from_env() -> Theme {
        Theme {
            color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        }
    }

    fn c(&self, s: Style) -> Style {
        if self.color { s } else { Style::default() }
    }

    pub fn title(&self) -> Style {
        self.c(Style::default().fg(Color::Black).bg(Color::Cyan))
            .add_modifier(Modifier::BOLD)
    }
    pub fn tab(&self) -> Style {
        self.c(Style::default().fg(Color::Gray))
    }
    pub fn tab_active(&self) -> Style {
        self.c(Style::default().fg(Color::Yellow))
            .add_modifier(Modifier::BOLD | Modifier::REVERSED)
    }
    pub fn header(&self) -> Style {
        self.c(Style::default().fg(Color::Cyan))
            .add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
    }
    pub fn selected(&self) -> Style {
        Style::default().add_modifier(Modifier::REVERSED)
    }
    pub fn dim(&self) -> Style {
        self.c(Style::default().fg(Color::DarkGray))
    }
    pub fn key(&self) -> Style {
        self.c(Style::default().fg(Color::Black).bg(Color::Gray))
            .add_modifier(Modifier::BOLD)
    }
    pub fn info(&self) -> Style {
        self.c(Style::default().fg(Color::Green))
    }
    pub fn warn(&self) -> Style {
        self.c(Style::default().fg(Color::Yellow))
            .add_modifier(Modifier::BOLD)
    }
    pub fn error(&self) -> Style {
        self.c(Style::default().fg(Color::Red))
            .add_modifier(Modifier::BOLD)
    }
    pub fn severity(&self, s: Severity) -> Style {
        match s {
            Severity::Critical => self
                .c(Style::default().fg(Color::Red))
                .add_modifier(Modifier::BOLD),
            Severity::High => self
                .c(Style::default().fg(Color::LightRed))
                .add_modifier(Modifier::BOLD),
            Severity::Medium => self.c(Style::default().fg(Color::Yellow)),
            Severity::Low => self.c(Style::default().fg(Color::Blue)),
        }
    }
}
