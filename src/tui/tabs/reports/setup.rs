//! Choosing a report and setting it: the report (or chart), the period of
//! days with its quick choices, the place, and the report's own option
//! (the grouping, an item, a number of days, units or money). What is set
//! becomes the [`Params`] the background job runs with.

use chrono::{Datelike, Duration, NaiveDate};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use tui_input::{Input, InputRequest};

use crate::ops::reports::By;
use crate::ops::reports::series::ItemName;
use crate::t;
use crate::tui::component::Ctx;
use crate::tui::theme::Theme;
use crate::tui::widgets::{draw_lines, fit, pad, width, wrap};

/// What can be asked for on the screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    StockCard,
    Consumption,
    Expiry,
    StockValue,
    Variances,
    /// Supplier performance: on time and in full per supplier and item.
    Suppliers,
    /// Stock-outs per ward and item.
    Service,
    /// Bedside compliance: doses on time, early, late, missed; unscanned; overrides.
    Compliance,
    /// Chart: what the place used each day (bars).
    DailyUse,
    /// Chart: an item's stock at the close of each day (a line).
    StockLine,
    /// Chart: the cost of each item, largest first, with the cumulative share.
    Pareto,
    /// The cold chain's excursions and the decisions on the lots they held.
    ColdChain,
}

/// The report's own setting, besides the period and place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opt {
    None,
    Item,
    By,
    /// Days ahead (expiry) or the window of use (stock value).
    Days,
    /// Units or money.
    Measure,
    /// Per ward, or per ward and nurse.
    PerNurse,
}

impl Kind {
    pub const ALL: [Kind; 12] = [
        Kind::StockCard,
        Kind::Consumption,
        Kind::Expiry,
        Kind::StockValue,
        Kind::Variances,
        Kind::Suppliers,
        Kind::Service,
        Kind::Compliance,
        Kind::ColdChain,
        Kind::DailyUse,
        Kind::StockLine,
        Kind::Pareto,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::StockCard => t!("reports_screen.kind.stock_card"),
            Kind::Consumption => t!("reports_screen.kind.consumption"),
            Kind::Expiry => t!("reports_screen.kind.expiry"),
            Kind::StockValue => t!("reports_screen.kind.stock_value"),
            Kind::Variances => t!("reports_screen.kind.variances"),
            Kind::Suppliers => t!("reports_screen.kind.suppliers"),
            Kind::Service => t!("reports_screen.kind.service"),
            Kind::Compliance => t!("reports_screen.kind.compliance"),
            Kind::DailyUse => t!("reports_screen.kind.daily_use"),
            Kind::StockLine => t!("reports_screen.kind.stock_line"),
            Kind::Pareto => t!("reports_screen.kind.pareto"),
            Kind::ColdChain => t!("console_resilience.report.kind"),
        }
    }

    /// What it shows, in a sentence.
    pub fn about(self) -> &'static str {
        match self {
            Kind::StockCard => t!("reports_screen.about.stock_card"),
            Kind::Consumption => t!("reports_screen.about.consumption"),
            Kind::Expiry => t!("reports_screen.about.expiry"),
            Kind::StockValue => t!("reports_screen.about.stock_value"),
            Kind::Variances => t!("reports_screen.about.variances"),
            Kind::Suppliers => t!("reports_screen.about.suppliers"),
            Kind::Service => t!("reports_screen.about.service"),
            Kind::Compliance => t!("reports_screen.about.compliance"),
            Kind::DailyUse => t!("reports_screen.about.daily_use"),
            Kind::StockLine => t!("reports_screen.about.stock_line"),
            Kind::Pareto => t!("reports_screen.about.pareto"),
            Kind::ColdChain => t!("console_resilience.report.about"),
        }
    }

    /// The start of the files it is exported to (as the CLI names it).
    pub fn file_key(self) -> &'static str {
        match self {
            Kind::StockCard => "stock-card",
            Kind::Consumption => "consumption",
            Kind::Expiry => "expiry",
            Kind::StockValue => "stock-value",
            Kind::Variances => "variances",
            Kind::Suppliers => "suppliers",
            Kind::Service => "service",
            Kind::Compliance => "compliance",
            Kind::DailyUse => "use-per-day",
            Kind::StockLine => "stock-over-time",
            Kind::Pareto => "pareto",
            Kind::ColdChain => "cold-chain",
        }
    }

    pub fn option(self) -> Opt {
        match self {
            Kind::StockCard | Kind::StockLine => Opt::Item,
            Kind::Consumption => Opt::By,
            Kind::Expiry | Kind::StockValue => Opt::Days,
            Kind::DailyUse => Opt::Measure,
            Kind::Compliance => Opt::PerNurse,
            Kind::Variances | Kind::Suppliers | Kind::Service | Kind::Pareto | Kind::ColdChain => {
                Opt::None
            }
        }
    }

    pub fn is_chart(self) -> bool {
        matches!(self, Kind::DailyUse | Kind::StockLine | Kind::Pareto)
    }

    /// Read at one place only (an item's card or line).
    pub fn one_place(self) -> bool {
        matches!(self, Kind::StockCard | Kind::StockLine)
    }

    /// Over the period set (stock value looks back its own window of days).
    pub fn uses_period(self) -> bool {
        self != Kind::StockValue
    }

    /// Of a place (supplier performance is of every supplier).
    pub fn uses_place(self) -> bool {
        self != Kind::Suppliers
    }

    /// Of the wards only (a ward or every ward).
    pub fn wards_only(self) -> bool {
        matches!(self, Kind::Service | Kind::Compliance)
    }

    fn default_days(self) -> i64 {
        90
    }
}

/// The quick choices of a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quick {
    Last30,
    ThisMonth,
    LastMonth,
    /// Days typed.
    Custom,
}

impl Quick {
    const ALL: [Quick; 4] = [
        Quick::Last30,
        Quick::ThisMonth,
        Quick::LastMonth,
        Quick::Custom,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Quick::Last30 => t!("reports_screen.period.last_30"),
            Quick::ThisMonth => t!("reports_screen.period.this_month"),
            Quick::LastMonth => t!("reports_screen.period.last_month"),
            Quick::Custom => t!("reports_screen.period.custom"),
        }
    }

    /// Its first and last day, as of `today`.
    pub fn days(self, today: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
        let month_start = today.with_day(1)?;
        match self {
            Quick::Last30 => Some((today - Duration::days(29), today)),
            Quick::ThisMonth => Some((month_start, today)),
            Quick::LastMonth => {
                let last = month_start.pred_opt()?;
                Some((last.with_day(1)?, last))
            }
            Quick::Custom => None,
        }
    }
}

/// A line of the settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Row {
    Report,
    Period,
    From,
    To,
    Place,
    Option,
}

const BYS: [By; 5] = [By::Ward, By::Item, By::Patient, By::Atc, By::Prescriber];

fn by_word(b: By) -> &'static str {
    match b {
        By::Ward => t!("reports_screen.by.ward"),
        By::Item => t!("reports_screen.by.item"),
        By::Patient => t!("reports_screen.by.patient"),
        By::Atc => t!("reports_screen.by.atc"),
        By::Prescriber => t!("reports_screen.by.prescriber"),
    }
}

/// What the background job runs: a report over the site's days
/// `[first, last]` at a place (by code; `None`: every place).
#[derive(Debug, Clone, PartialEq)]
pub struct Params {
    pub kind: Kind,
    pub first: NaiveDate,
    pub last: NaiveDate,
    pub place: Option<String>,
    pub by: By,
    pub item: Option<String>,
    pub days: i64,
    pub money: bool,
    pub per_nurse: bool,
}

/// The settings on the screen.
#[derive(Debug, Clone)]
pub struct Setup {
    pub kind: Kind,
    pub row: Row,
    pub quick: Quick,
    pub from: Input,
    pub to: Input,
    /// 0: every place; `i + 1`: the console's place `i`.
    pub place: usize,
    pub by: By,
    pub item: Input,
    pub days: Input,
    pub money: bool,
    pub per_nurse: bool,
}

impl Default for Setup {
    fn default() -> Self {
        Setup {
            kind: Kind::Consumption,
            row: Row::Report,
            quick: Quick::Last30,
            from: Input::default(),
            to: Input::default(),
            place: 0,
            by: By::Item,
            item: Input::default(),
            days: Input::default().with_value(Kind::Expiry.default_days().to_string()),
            money: false,
            per_nurse: false,
        }
    }
}

fn cycle<T: Copy + PartialEq>(all: &[T], now: T, step: isize) -> T {
    let n = all.len() as isize;
    let at = all.iter().position(|x| *x == now).unwrap_or(0) as isize;
    all[(at + step).rem_euclid(n) as usize]
}

impl Setup {
    /// The settings' lines for the report chosen.
    pub fn rows(&self) -> Vec<Row> {
        let mut rows = vec![Row::Report];
        if self.kind.uses_period() {
            rows.extend([Row::Period, Row::From, Row::To]);
        }
        if self.kind.uses_place() {
            rows.push(Row::Place);
        }
        if self.kind.option() != Opt::None {
            rows.push(Row::Option);
        }
        rows
    }

    /// The period's days set from the quick choice, as of `today`.
    pub fn set_quick(&mut self, quick: Quick, today: NaiveDate) {
        self.quick = quick;
        if let Some((a, b)) = quick.days(today) {
            self.from = Input::default().with_value(a.to_string());
            self.to = Input::default().with_value(b.to_string());
        }
    }

    /// Moves between the lines.
    pub fn move_row(&mut self, step: isize) {
        let rows = self.rows();
        let at = rows.iter().position(|r| *r == self.row).unwrap_or(0) as isize;
        let to = (at + step).clamp(0, rows.len() as isize - 1) as usize;
        self.row = rows[to];
    }

    /// ←/→ on a line of choices: the next or previous choice.
    pub fn change(&mut self, step: isize, cx: &Ctx) {
        match self.row {
            Row::Report => {
                self.kind = cycle(&Kind::ALL, self.kind, step);
                if self.kind.option() == Opt::Days
                    && self.days.value().trim().parse::<i64>().is_err()
                {
                    self.days = Input::default().with_value(self.kind.default_days().to_string());
                }
            }
            Row::Period => {
                let next = cycle(&Quick::ALL, self.quick, step);
                self.set_quick(next, cx.today());
            }
            Row::Place => {
                let n = cx.places.len() as isize + 1;
                self.place = (self.place as isize + step).rem_euclid(n) as usize;
            }
            Row::Option => match self.kind.option() {
                Opt::By => self.by = cycle(&BYS, self.by, step),
                Opt::Measure => self.money = !self.money,
                Opt::PerNurse => self.per_nurse = !self.per_nurse,
                _ => {}
            },
            Row::From | Row::To => {}
        }
    }

    /// The text field of the line shown, if it is one.
    fn field(&mut self) -> Option<&mut Input> {
        match self.row {
            Row::From => Some(&mut self.from),
            Row::To => Some(&mut self.to),
            Row::Option => match self.kind.option() {
                Opt::Item => Some(&mut self.item),
                Opt::Days => Some(&mut self.days),
                _ => None,
            },
            _ => None,
        }
    }

    /// Whether the line shown is typed into.
    pub fn typing(&self) -> bool {
        matches!(self.row, Row::From | Row::To)
            || (self.row == Row::Option && matches!(self.kind.option(), Opt::Item | Opt::Days))
    }

    /// A key typed into the line shown; whether it was taken.
    pub fn typed(&mut self, ev: &KeyEvent) -> bool {
        let row = self.row;
        let Some(field) = self.field() else {
            return false;
        };
        let plain = (ev.modifiers - KeyModifiers::SHIFT).is_empty();
        let req = match ev.code {
            KeyCode::Char(c) if plain => InputRequest::InsertChar(c),
            KeyCode::Backspace => InputRequest::DeletePrevChar,
            KeyCode::Delete => InputRequest::DeleteNextChar,
            _ => return false,
        };
        field.handle(req);
        if matches!(row, Row::From | Row::To) {
            self.quick = Quick::Custom;
        }
        true
    }

    /// The item the typed text names: its code exactly, else the first
    /// whose code or name holds it.
    pub fn item_match<'a>(&self, items: &'a [ItemName]) -> Option<&'a ItemName> {
        let q = self.item.value().trim().to_lowercase();
        if q.is_empty() {
            return None;
        }
        items
            .iter()
            .find(|i| i.code.to_lowercase() == q)
            .or_else(|| {
                items.iter().find(|i| {
                    i.code.to_lowercase().contains(&q) || i.name.to_lowercase().contains(&q)
                })
            })
    }

    /// What the job runs, or why it cannot, in words.
    pub fn params(&self, cx: &Ctx, items: &[ItemName]) -> Result<Params, String> {
        let day = |i: &Input, which: &str| {
            NaiveDate::parse_from_str(i.value().trim(), "%Y-%m-%d").map_err(|_| {
                t!(
                    "reports_screen.bad_day",
                    which = which,
                    value = i.value().trim()
                )
            })
        };
        let (first, last) = if self.kind.uses_period() {
            let a = day(&self.from, t!("reports_screen.field.from"))?;
            let b = day(&self.to, t!("reports_screen.field.to"))?;
            if b < a {
                return Err(t!("reports_screen.to_before_from").to_string());
            }
            (a, b)
        } else {
            (cx.today(), cx.today())
        };
        let chosen = self
            .place
            .checked_sub(1)
            .and_then(|i| cx.places.get(i))
            .filter(|_| self.kind.uses_place());
        if self.kind.one_place() && chosen.is_none() {
            return Err(t!("reports_screen.one_place").to_string());
        }
        if self.kind.wards_only()
            && chosen.is_some_and(|p| p.kind != crate::domain::PlaceKind::Ward)
        {
            return Err(t!("reports_screen.wards_only").to_string());
        }
        let place = chosen.map(|p| p.code.clone());
        let item = match self.kind.option() {
            Opt::Item => match self.item_match(items) {
                Some(i) => Some(i.code.clone()),
                None if self.item.value().trim().is_empty() => {
                    return Err(t!("reports_screen.item_needed").to_string());
                }
                None => {
                    return Err(t!(
                        "reports_screen.no_item",
                        text = self.item.value().trim()
                    ));
                }
            },
            _ => None,
        };
        let days = match self.kind.option() {
            Opt::Days => match self.days.value().trim().parse::<i64>() {
                Ok(d) if (1..=3650).contains(&d) => d,
                _ => return Err(t!("reports_screen.bad_days").to_string()),
            },
            _ => self.kind.default_days(),
        };
        Ok(Params {
            kind: self.kind,
            first,
            last,
            place,
            by: self.by,
            item,
            days,
            money: self.money,
            per_nurse: self.per_nurse,
        })
    }

    fn place_word(&self, cx: &Ctx) -> String {
        match self.place.checked_sub(1).and_then(|i| cx.places.get(i)) {
            Some(p) if p.name.trim().is_empty() || p.name == p.code => p.code.clone(),
            Some(p) => format!("{} {}", p.code, p.name),
            None => t!("reports_screen.every_place").to_string(),
        }
    }

    /// The settings on the left, the reports and charts to choose from on
    /// the right, what the chosen one shows and how under them.
    pub fn draw(
        &self,
        f: &mut Frame,
        area: Rect,
        cx: &Ctx,
        items: &[ItemName],
        running: Option<Kind>,
        theme: &Theme,
    ) {
        let list_w = Kind::ALL
            .iter()
            .map(|k| width(k.name()))
            .max()
            .unwrap_or(10)
            .max(width(t!("reports_screen.reports")))
            .max(width(t!("reports_screen.charts")))
            + 4;
        let show_list = area.width as usize >= list_w + 40;
        let [left, right] = Layout::horizontal([
            Constraint::Min(30),
            Constraint::Length(if show_list { list_w as u16 } else { 0 }),
        ])
        .areas(area);
        let w = left.width.saturating_sub(1) as usize;
        let labels: Vec<(Row, &str)> = self
            .rows()
            .into_iter()
            .map(|r| {
                let l = match r {
                    Row::Report => t!("reports_screen.field.report"),
                    Row::Period => t!("reports_screen.field.period"),
                    Row::From => t!("reports_screen.field.from"),
                    Row::To => t!("reports_screen.field.to"),
                    Row::Place => t!("reports_screen.field.place"),
                    Row::Option => match self.kind.option() {
                        Opt::Item => t!("reports_screen.field.item"),
                        Opt::By => t!("reports_screen.field.by"),
                        Opt::Days if self.kind == Kind::Expiry => {
                            t!("reports_screen.field.days_ahead")
                        }
                        Opt::Days => t!("reports_screen.field.days_window"),
                        Opt::Measure => t!("reports_screen.field.measure"),
                        Opt::PerNurse => t!("reports_screen.field.per"),
                        Opt::None => "",
                    },
                };
                (r, l)
            })
            .collect();
        let label_w = labels.iter().map(|(_, l)| width(l)).max().unwrap_or(8) + 2;
        let mut lines: Vec<Line> = Vec::new();
        for (r, label) in &labels {
            let focused = *r == self.row;
            let choice = |s: &str| format!("◀ {s} ▶");
            let value = match r {
                Row::Report => choice(self.kind.name()),
                Row::Period => choice(self.quick.name()),
                Row::From => format!("{}{}", self.from.value(), if focused { "▏" } else { "" }),
                Row::To => format!("{}{}", self.to.value(), if focused { "▏" } else { "" }),
                Row::Place => choice(&self.place_word(cx)),
                Row::Option => match self.kind.option() {
                    Opt::By => choice(by_word(self.by)),
                    Opt::Measure => choice(if self.money {
                        t!("reports_screen.measure.money")
                    } else {
                        t!("reports_screen.measure.units")
                    }),
                    Opt::PerNurse => choice(if self.per_nurse {
                        t!("reports_screen.per.nurse")
                    } else {
                        t!("reports_screen.per.ward")
                    }),
                    Opt::Item => format!("{}{}", self.item.value(), if focused { "▏" } else { "" }),
                    Opt::Days => format!("{}{}", self.days.value(), if focused { "▏" } else { "" }),
                    Opt::None => String::new(),
                },
            };
            let style = if focused {
                theme.selected()
            } else {
                Style::default()
            };
            let text = fit(&format!(" {}{value}", pad(label, label_w)), w);
            lines.push(Line::styled(pad(&text, w), style));
            // The item the typed text names, under it.
            if *r == Row::Option && self.kind.option() == Opt::Item {
                let (text, style) = match self.item_match(items) {
                    Some(i) => (format!("→ {} {}", i.code, i.name), theme.info()),
                    None if self.item.value().trim().is_empty() => {
                        (t!("reports_screen.item_hint").to_string(), theme.dim())
                    }
                    None => (
                        t!("reports_screen.no_item", text = self.item.value().trim()),
                        theme.warn(),
                    ),
                };
                lines.push(Line::styled(
                    fit(&format!(" {}{text}", " ".repeat(label_w)), w),
                    style,
                ));
            }
        }
        lines.push(Line::raw(""));
        for l in wrap(self.kind.about(), w.saturating_sub(1))
            .into_iter()
            .take(3)
        {
            lines.push(Line::styled(format!(" {l}"), theme.dim()));
        }
        lines.push(Line::raw(""));
        let keys = t!(
            "reports_screen.setup_keys",
            run = cx.keys(
                crate::tui::keymap::Context::Reports,
                crate::tui::keymap::Action::Open
            )
        );
        for l in wrap(&keys, w.saturating_sub(1)).into_iter().take(3) {
            lines.push(Line::styled(format!(" {l}"), theme.dim()));
        }
        if let Some(k) = running {
            lines.push(Line::raw(""));
            lines.push(Line::styled(
                fit(
                    &format!(" {}", t!("reports_screen.running", report = k.name())),
                    w,
                ),
                theme.warn(),
            ));
        }
        draw_lines(f, left, lines);
        if show_list {
            let lw = right.width as usize;
            let mut list = vec![Line::styled(
                fit(t!("reports_screen.reports"), lw),
                theme.header(),
            )];
            for (i, k) in Kind::ALL.iter().enumerate() {
                if i > 0 && k.is_chart() && !Kind::ALL[i - 1].is_chart() {
                    list.push(Line::raw(""));
                    list.push(Line::styled(
                        fit(t!("reports_screen.charts"), lw),
                        theme.header(),
                    ));
                }
                let mark = if *k == self.kind { "▶ " } else { "  " };
                let style = if *k == self.kind {
                    theme.info()
                } else {
                    Style::default()
                };
                list.push(Line::from(Span::styled(
                    fit(&format!("{mark}{}", k.name()), lw),
                    style,
                )));
            }
            draw_lines(f, right, list);
        }
    }
}
