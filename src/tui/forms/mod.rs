//! Operation forms: one typed struct per form family, each in its own file,
//! holding its fields, filling them from scans, and running its operation.
//! This module holds what they share: a field, the form's frame (the item,
//! focus, note and refusal), typing, and drawing.

pub mod admin;
pub mod decision;
pub mod dose;
pub mod emergency;
pub mod input;
pub mod order;
pub mod patient;
pub mod pick;
pub mod receive;
pub mod stock_ops;
pub mod stocktake;
pub mod substitute;
pub mod validation;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use tui_input::{Input, InputRequest};

use super::component::Ctx;
use super::theme::Theme;
use super::widgets::{centered, fit, pad, wrap};
use crate::gs1::Gs1;
use crate::ops::stock::ItemRef;
use crate::t;

/// One input of a form.
#[derive(Debug, Clone, Default)]
pub struct Field {
    pub input: Input,
    pub hint: String,
    /// Shown as dots (PINs).
    pub secret: bool,
    /// Prefilled and not yet touched: the first character typed replaces
    /// the value instead of adding to it ("given" → "refused").
    pub fresh: bool,
}

impl Field {
    pub fn new(value: &str, hint: &str) -> Field {
        Field {
            input: Input::default().with_value(value.to_string()),
            hint: hint.to_string(),
            secret: false,
            fresh: !value.is_empty(),
        }
    }

    pub fn secret(hint: &str) -> Field {
        Field {
            secret: true,
            ..Field::new("", hint)
        }
    }

    /// The value typed, trimmed.
    pub fn value(&self) -> &str {
        self.input.value().trim()
    }

    pub fn set(&mut self, value: &str) {
        self.input = Input::default().with_value(value.to_string());
        self.fresh = !value.is_empty();
    }

    pub fn is_empty(&self) -> bool {
        self.value().is_empty()
    }

    /// The value, or `None` when empty.
    pub fn opt(&self) -> Option<String> {
        Some(self.value().to_string()).filter(|v| !v.is_empty())
    }

    /// A whole number; empty is `None`.
    pub fn number(&self, label: &str) -> Result<Option<i64>, String> {
        let v = self.value();
        if v.is_empty() {
            return Ok(None);
        }
        v.parse::<i64>()
            .map(Some)
            .map_err(|_| t!("tui.form.not_a_number", label = label, value = v))
    }

    /// A whole number that must be there.
    pub fn required(&self, label: &str) -> Result<i64, String> {
        self.number(label)?
            .ok_or_else(|| t!("tui.form.required", label = label))
    }
}

pub use input::{decision, yes};

/// What the forms are. One form is open at a time, so the size of the
/// largest (the dose form) costs nothing worth a box.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum Kind {
    Receive(receive::Receive),
    Issue(stock_ops::Issue),
    Waste(stock_ops::Waste),
    Return(stock_ops::Return),
    Request(stock_ops::Request),
    LotHold(stock_ops::LotHold),
    StartStocktake(stocktake::Start),
    Count(stocktake::Count),
    Approve(stocktake::Approve),
    Dose(dose::Dose),
    Validation(validation::Validation),
    Decision(decision::Decision),
    UserAdd(admin::UserAdd),
    UserEdit(admin::UserEdit),
    Confirm(admin::Confirm),
    ImportStart(admin::ImportStart),
    AllergyAdd(patient::AllergyAdd),
    AllergyRemove(patient::AllergyRemove),
    PatientMove(patient::PatientMove),
    Order(order::OrderSign),
    Pick(pick::Pick),
    Emergency(emergency::Emergency),
}

/// What happens after a form's operation went through.
pub enum After {
    /// Reload the tab shown.
    Reload,
    /// A plan suggestion was decided: it leaves the list and the plan is made again.
    Decided(crate::ops::plan::Suggestion),
    /// Show a notice over the screen until it is closed (a one-time PIN to
    /// hand over, never left on the message line).
    Notice(super::popups::notice::Notice),
    /// Open the patient's record again, read afresh.
    Patient(String),
    /// Open a transfer order again on the Pharmacy tab, read afresh.
    Order(i64),
    /// Check a file on the Site tab (a dry run), to be confirmed there.
    Import {
        kind: crate::ops::import::Kind,
        path: String,
    },
    /// The form stays open, read afresh (a step done inside a longer task:
    /// a prescription stopped while another is validated).
    Form(Box<Form>),
}

/// An open form: the item it is about, its fields, and its refusal.
#[derive(Debug, Clone)]
pub struct Form {
    pub item: ItemRef,
    pub focus: usize,
    /// The last refusal, shown in the form until the next submit.
    pub error: Option<String>,
    /// What the form is about, shown above the fields.
    pub note: Option<String>,
    pub kind: Kind,
    /// A controlled drug's movement: the second user who signs, after the
    /// form's own fields.
    pub cosign: Option<Cosign>,
    /// What the last scan confirmed ("right patient", "pack matches …"),
    /// shown until the next key or refusal.
    pub confirmed: Option<String>,
}

/// The second signature a controlled drug's movement takes: a second user
/// (nurse, nurse manager or pharmacist) and their own PIN.
#[derive(Debug, Clone)]
pub struct Cosign {
    pub user: Field,
    pub pin: Field,
}

impl Cosign {
    pub fn new() -> Cosign {
        Cosign {
            user: Field::new("", t!("tui.hint.witness_required")),
            pin: Field::secret(t!("tui.hint.their_pin")),
        }
    }
}

impl Default for Cosign {
    fn default() -> Self {
        Cosign::new()
    }
}

/// What a key did to a form.
pub enum Keyed {
    Stay,
    Cancel,
    Submit,
}

macro_rules! each {
    ($self:expr, $k:ident => $e:expr) => {
        match $self {
            Kind::Receive($k) => $e,
            Kind::Issue($k) => $e,
            Kind::Waste($k) => $e,
            Kind::Return($k) => $e,
            Kind::Request($k) => $e,
            Kind::LotHold($k) => $e,
            Kind::StartStocktake($k) => $e,
            Kind::Count($k) => $e,
            Kind::Approve($k) => $e,
            Kind::Dose($k) => $e,
            Kind::Validation($k) => $e,
            Kind::Decision($k) => $e,
            Kind::UserAdd($k) => $e,
            Kind::UserEdit($k) => $e,
            Kind::Confirm($k) => $e,
            Kind::ImportStart($k) => $e,
            Kind::AllergyAdd($k) => $e,
            Kind::AllergyRemove($k) => $e,
            Kind::PatientMove($k) => $e,
            Kind::Order($k) => $e,
            Kind::Pick($k) => $e,
            Kind::Emergency($k) => $e,
        }
    };
}

/// What each form family provides.
pub trait FormBody {
    fn title(&self, item: &ItemRef) -> String;
    /// Labels and fields, in order.
    fn fields(&self) -> Vec<(&'static str, &Field)>;
    fn field_mut(&mut self, i: usize) -> Option<&mut Field>;
    /// Whether field `i` is shown: a form asks only for what its case
    /// needs (a witness only for a controlled drug). Hidden fields are
    /// skipped by the cursor and not drawn.
    fn shown(&self, i: usize) -> bool {
        let _ = i;
        true
    }
    /// Runs the operation: the message to show, or the refusal.
    fn submit(&mut self, item: &ItemRef, cx: &mut Ctx) -> Result<(String, After), String>;
    /// Checked before anything is signed or run (a lot shown and
    /// confirmed): a refusal stays in the form.
    fn precheck(&mut self, item: &ItemRef, cx: &Ctx) -> Result<(), String> {
        let _ = (item, cx);
        Ok(())
    }
    /// Where the cursor goes after a refusal: the first field still to
    /// fill that the operation needs (`None`: it stays).
    fn refocus(&self) -> Option<usize> {
        None
    }
    /// A key the form takes before typing (choosing in a list it shows, a
    /// step of its own): `Some(field)` when taken, the cursor going there.
    fn key(&mut self, ev: &KeyEvent) -> Option<usize> {
        let _ = ev;
        None
    }
    /// What the form says above its fields when that follows its state;
    /// `None`: the note it was opened with.
    fn note(&self) -> Option<String> {
        None
    }
    /// The lot field a scanned pack fills, for forms about one lot.
    fn lot_field(&mut self) -> Option<&mut Field> {
        None
    }
    /// What a scan just confirmed, in words for the user, if anything.
    fn scan_confirmed(&self) -> Option<String> {
        None
    }
    /// Where the form keeps the second user who signed (forms that move
    /// controlled drugs), set just before it runs its operation.
    fn witness_slot(&mut self) -> Option<&mut Option<crate::ops::Actor>> {
        None
    }
    /// A scanned pack of `pack` (already known to be an item): fills the
    /// fields (by default the lot), or says why the pack does not belong
    /// here. The focus moves to the first field the scan left empty.
    fn scan_pack(
        &mut self,
        item: &ItemRef,
        g: &Gs1,
        pack: &ItemRef,
        cx: &Ctx,
    ) -> Result<Option<usize>, String> {
        let _ = cx;
        if item.id != pack.id {
            return Err(t!(
                "tui.form.other_pack",
                pack = pack.name,
                item = item.name
            ));
        }
        let Some(lot) = self.lot_field() else {
            return Ok(None);
        };
        if let Some(l) = &g.lot {
            lot.set(l);
        }
        Ok(first_empty(&self.fields(), 1))
    }
}

/// The first empty field from `from` on.
pub fn first_empty(fields: &[(&'static str, &Field)], from: usize) -> Option<usize> {
    fields
        .iter()
        .skip(from)
        .position(|(_, f)| f.is_empty())
        .map(|i| i + from)
}

impl Form {
    pub fn new(item: ItemRef, kind: Kind) -> Form {
        Form {
            item,
            focus: 0,
            error: None,
            note: None,
            kind,
            cosign: None,
            confirmed: None,
        }
    }

    /// The form asks for a second signature after its own fields.
    pub fn with_cosign(mut self, needed: bool) -> Form {
        self.cosign = needed.then(Cosign::new);
        self
    }

    /// A form about no item (a user, a patient, a file): no item line.
    pub fn plain(kind: Kind) -> Form {
        Form::new(
            ItemRef {
                id: 0,
                code: String::new(),
                name: String::new(),
                dose_unit: String::new(),
                units_per_pack: 0,
                is_drug: false,
                controlled: false,
            },
            kind,
        )
    }

    /// Whether the form is about an item (its line shows above the fields).
    fn has_item(&self) -> bool {
        !self.item.code.is_empty()
    }

    fn body(&self) -> &dyn FormBody {
        each!(&self.kind, k => k as &dyn FormBody)
    }

    fn body_mut(&mut self) -> &mut dyn FormBody {
        each!(&mut self.kind, k => k as &mut dyn FormBody)
    }

    pub fn title(&self) -> String {
        self.body().title(&self.item)
    }

    pub fn fields(&self) -> Vec<(&'static str, &Field)> {
        let mut fields = self.body().fields();
        if let Some(c) = &self.cosign {
            fields.push((t!("tui.field.witness_required"), &c.user));
            fields.push((t!("tui.field.witness_pin"), &c.pin));
        }
        fields
    }

    /// The field at `i`: the form's own, then the second signature's.
    fn field_at(&mut self, i: usize) -> Option<&mut Field> {
        let own = self.body().fields().len();
        if i < own {
            return self.body_mut().field_mut(i);
        }
        self.cosign
            .as_mut()
            .and_then(|c| [&mut c.user, &mut c.pin].into_iter().nth(i - own))
    }

    pub fn len(&self) -> usize {
        self.fields().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether field `i` (the form's own or the second signature's) shows.
    fn visible(&self, i: usize) -> bool {
        i >= self.body().fields().len() || self.body().shown(i)
    }

    pub fn next_field(&mut self) -> bool {
        match (self.focus + 1..self.len()).find(|&i| self.visible(i)) {
            Some(i) => {
                self.focus = i;
                true
            }
            None => false,
        }
    }

    /// The indices of the fields shown now, in order.
    pub fn shown_fields(&self) -> Vec<usize> {
        (0..self.len()).filter(|&i| self.visible(i)).collect()
    }

    fn previous_field(&mut self) {
        if let Some(i) = (0..self.focus).rev().find(|&i| self.visible(i)) {
            self.focus = i;
        }
    }

    /// The cursor never rests on a hidden field: it goes to the next one
    /// shown, else the one before.
    fn settle(&mut self) {
        if !self.visible(self.focus) && !self.next_field() {
            self.previous_field();
        }
    }

    /// The label of the field with the cursor.
    pub fn focused_label(&self) -> Option<&'static str> {
        self.fields().get(self.focus).map(|(l, _)| *l)
    }

    pub fn key(&mut self, ev: KeyEvent) -> Keyed {
        self.confirmed = None;
        self.settle();
        if let Some(focus) = self.body_mut().key(&ev) {
            self.focus = focus;
            self.error = None;
            return Keyed::Stay;
        }
        let typed = |req| -> Option<InputRequest> { Some(req) };
        let req = match ev.code {
            KeyCode::Esc => return Keyed::Cancel,
            KeyCode::Tab | KeyCode::Down => {
                self.next_field();
                None
            }
            KeyCode::BackTab | KeyCode::Up => {
                self.previous_field();
                None
            }
            // Enter moves to the next field; on the last one it records.
            KeyCode::Enter if !self.next_field() => return Keyed::Submit,
            KeyCode::Char(c) if (ev.modifiers - KeyModifiers::SHIFT).is_empty() => {
                typed(InputRequest::InsertChar(c))
            }
            KeyCode::Backspace => typed(InputRequest::DeletePrevChar),
            KeyCode::Delete => typed(InputRequest::DeleteNextChar),
            KeyCode::Left => typed(InputRequest::GoToPrevChar),
            KeyCode::Right => typed(InputRequest::GoToNextChar),
            _ => None,
        };
        if let Some(r) = req {
            let focus = self.focus;
            if let Some(f) = self.field_at(focus) {
                // Typing over a prefilled value replaces it.
                if f.fresh && matches!(r, InputRequest::InsertChar(_)) {
                    f.input = Input::default();
                }
                f.fresh = false;
                f.input.handle(r);
            }
        }
        self.settle();
        Keyed::Stay
    }

    /// Runs the operation; a refusal stays in the form to be corrected.
    pub fn submit(&mut self, cx: &mut Ctx) -> Option<(String, After)> {
        let item = self.item.clone();
        if let Err(e) = self.body_mut().precheck(&item, cx) {
            self.error = Some(e);
            if let Some(i) = self.body().refocus() {
                self.focus = i;
                self.settle();
            }
            return None;
        }
        // The second user signs in with their own PIN (wrong PINs count
        // towards their lock); the PIN is typed again for each attempt.
        if let Some(c) = &mut self.cosign {
            let signed = if c.user.is_empty() {
                Ok(None)
            } else {
                crate::ops::auth::sign_in(
                    &mut cx.store,
                    c.user.value(),
                    c.pin.input.value(),
                    cx.now,
                )
                .map(Some)
                .map_err(|e| e.to_string())
            };
            c.pin.set("");
            match signed {
                Ok(w) => {
                    if let Some(slot) = self.body_mut().witness_slot() {
                        *slot = w;
                    }
                }
                Err(e) => {
                    self.error = Some(e);
                    // The PIN is typed again.
                    self.focus = self.body().fields().len() + 1;
                    return None;
                }
            }
        }
        match self.body_mut().submit(&item, cx) {
            Ok(done) => Some(done),
            Err(e) => {
                self.error = Some(e);
                if let Some(i) = self.body().refocus() {
                    self.focus = i;
                    self.settle();
                } else if self.cosign.is_some() {
                    // The second user signs again, after reading the refusal.
                    let own = self.body().fields().len();
                    if let Some(c) = &mut self.cosign {
                        c.user.set("");
                    }
                    self.focus = own;
                }
                None
            }
        }
    }

    /// Raw scanned data, before it is read as a pack: a dose form takes
    /// what is not a product barcode as the wristband.
    pub fn scan_raw(&mut self, data: &str, cx: &Ctx) -> bool {
        match &mut self.kind {
            Kind::Dose(d) => match d.scan_wristband(data, cx) {
                Some(r) => {
                    self.apply_scan(r);
                    true
                }
                None => false,
            },
            _ => false,
        }
    }

    /// A pack scanned into the form.
    pub fn scan_pack(&mut self, g: &Gs1, pack: &ItemRef, cx: &Ctx) {
        let item = self.item.clone();
        let r = self.body_mut().scan_pack(&item, g, pack, cx);
        self.apply_scan(r);
    }

    fn apply_scan(&mut self, r: Result<Option<usize>, String>) {
        match r {
            Ok(focus) => {
                if let Some(i) = focus {
                    self.focus = i;
                }
                self.settle();
                self.error = None;
                self.confirmed = self.body().scan_confirmed();
            }
            Err(e) => {
                self.error = Some(e);
                self.confirmed = None;
            }
        }
    }

    pub fn draw(&self, f: &mut Frame, area: Rect, theme: &Theme) {
        // Only the fields this case needs, each with its own index.
        let all = self.fields();
        let fields: Vec<(usize, (&'static str, &Field))> = self
            .shown_fields()
            .into_iter()
            .map(|i| (i, all[i]))
            .collect();
        let n = fields.len() as u16;
        let focus_at = fields
            .iter()
            .position(|(i, _)| *i >= self.focus)
            .unwrap_or(fields.len().saturating_sub(1));
        // Texts are wrapped inside the box at words and between Chinese
        // characters, never inside a word.
        let text_w = (64.min(area.width) as usize).saturating_sub(3);
        let shown = |t: &str| wrap(&super::words::strength(t), text_w);
        let note = self.body().note().or_else(|| self.note.clone());
        let mut note_lines = note.as_deref().map(shown).unwrap_or_default();
        // A refusal, else what the last scan confirmed.
        let confirmed = self.error.is_none() && self.confirmed.is_some();
        let error_lines = self
            .error
            .as_deref()
            .or(self.confirmed.as_deref())
            .map(shown)
            .unwrap_or_default();
        let error = (error_lines.len() as u16).max(1);
        // Borders, the refusal (first, whole, above anything else), the
        // item line, the note, the fields and the keys.
        let mut item_line = u16::from(self.has_item());
        // In a low window the item line and the note give way, so that the
        // refusal and at least one field always show.
        if 2 + error + item_line + note_lines.len() as u16 + 1 + 1 > area.height {
            item_line = 0;
            note_lines.clear();
        }
        let note = note_lines.len() as u16;
        let base = 2 + item_line + note + n + error + 1;
        // Hints under the fields only when there is room for them.
        let with_hints = base + n <= area.height;
        // In a low window the fields scroll with the cursor: the refusal
        // and the keys always show.
        let room = area.height.saturating_sub(base - n).max(1);
        let shown = n.min(room) as usize;
        let first = (focus_at + 1).saturating_sub(shown);
        let h = base - n + shown as u16 + if with_hints { n } else { 0 };
        let r = centered(area, 64, h);
        super::widgets::clear(f, r);
        let inner_w = r.width.saturating_sub(4) as usize;
        // Labels as wide as the widest (a required witness says so).
        let label_w = fields
            .iter()
            .map(|(_, (l, _))| crate::i18n::width(l) + 1)
            .max()
            .unwrap_or(12)
            .clamp(12, 28);
        let box_w = (r.width as usize)
            .saturating_sub(2 + 1 + label_w + 2)
            .clamp(8, 28);
        let mut lines = Vec::new();
        // The refusal first: the failed right is read before anything else.
        for l in &error_lines {
            let style = if confirmed {
                theme.info()
            } else {
                theme.error()
            };
            lines.push(Line::styled(l.clone(), style));
        }
        if item_line > 0 {
            lines.push(Line::styled(
                fit(
                    &t!(
                        "tui.form.item_line",
                        code = self.item.code,
                        unit = crate::i18n::unit(&self.item.dose_unit),
                        per_pack = self.item.units_per_pack
                    ),
                    inner_w,
                ),
                theme.dim(),
            ));
        }
        for l in note_lines {
            lines.push(Line::styled(l, theme.warn()));
        }
        let mut cursor = None;
        for (i, (label, field)) in fields.iter().skip(first).take(shown) {
            let i = *i;
            let active = i == self.focus;
            let style = if active {
                theme.selected()
            } else {
                Style::default()
            };
            let value = if field.secret {
                "•".repeat(field.input.value().chars().count().min(box_w))
            } else {
                field.input.value().to_string()
            };
            lines.push(Line::from(vec![
                Span::raw(format!(" {}", pad(label, label_w))),
                Span::styled(format!("[{}]", pad(&value, box_w)), style),
            ]));
            let row = lines.len() as u16 - 1;
            if with_hints {
                lines.push(Line::styled(
                    format!(
                        "{}{}",
                        " ".repeat(label_w + 1),
                        fit(&field.hint, inner_w.saturating_sub(label_w + 1))
                    ),
                    theme.dim(),
                ));
            }
            if active {
                let typed = field.input.visual_cursor();
                cursor = Some((
                    r.x + 1 + label_w as u16 + 2 + typed.min(box_w) as u16,
                    r.y + 1 + row,
                ));
            }
        }
        if error_lines.is_empty() {
            lines.push(Line::raw(""));
        }
        lines.push(Line::styled(fit(t!("tui.form.keys"), inner_w), theme.dim()));
        f.render_widget(
            Paragraph::new(lines).block(Block::default().borders(Borders::ALL).title(format!(
                " {} ",
                fit(&super::words::strength(&self.title()), 56)
            ))),
            r,
        );
        if let Some(pos) = cursor
            && pos.0 < area.right()
            && pos.1 < area.bottom()
        {
            f.set_cursor_position(pos);
        }
    }
}

/// Typed access for tests and for the components that open forms.
impl Form {
    /// The patient whose record the form changes (the record reopens when
    /// it closes).
    pub fn patient(&self) -> Option<&str> {
        match &self.kind {
            Kind::AllergyAdd(f) => Some(&f.mrn),
            Kind::AllergyRemove(f) => Some(&f.mrn),
            Kind::PatientMove(f) => Some(&f.mrn),
            Kind::Confirm(admin::Confirm {
                what: admin::Confirming::Discharge { mrn, .. },
                ..
            }) => Some(mrn),
            _ => None,
        }
    }

    pub fn dose(&self) -> Option<&dose::Dose> {
        match &self.kind {
            Kind::Dose(d) => Some(d),
            _ => None,
        }
    }
    pub fn dose_mut(&mut self) -> Option<&mut dose::Dose> {
        match &mut self.kind {
            Kind::Dose(d) => Some(d),
            _ => None,
        }
    }
}
