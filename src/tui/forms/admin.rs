//! The administrator's forms on the Site tab: add a user, change a user's
//! name or role, confirm what cannot be taken back (a PIN reset, a
//! deactivation, a discharge), and choose a file to import. Each calls the
//! same operation as the command line; its refusals come back in words.

use super::{After, Field, FormBody};
use crate::domain::Role;
use crate::ops::import::Kind as ImportKind;
use crate::ops::refdata as ops;
use crate::ops::stock::ItemRef;
use crate::t;
use crate::tui::component::Ctx;
use crate::tui::popups::notice::Notice;

fn actor(cx: &Ctx) -> Result<crate::ops::Actor, String> {
    cx.actor.clone().ok_or_else(String::new)
}

const ROLES: [Role; 5] = [
    Role::Nurse,
    Role::NurseManager,
    Role::Pharmacist,
    Role::Storekeeper,
    Role::Admin,
];

/// A role typed as its code (`nurse_manager`) or its word in the reader's
/// language (护士长).
pub fn role(v: &str) -> Result<Role, String> {
    let v = v.trim();
    let code = v.to_lowercase().replace([' ', '-'], "_");
    ROLES
        .into_iter()
        .find(|r| r.as_ref() == code || r.label() == v || r.label().eq_ignore_ascii_case(v))
        .ok_or_else(|| t!("refdata.user.unknown_role", role = v))
}

/// A role's word in the reader's language, from its stored code.
pub fn role_word(code: &str) -> &str {
    code.parse::<Role>().map_or(code, |r| r.label())
}

/// The roles as the field's hint lists them.
fn role_hint() -> String {
    let words: Vec<&str> = ROLES.iter().map(|r| r.label()).collect();
    t!("tui.hint.role", roles = words.join(", "))
}

/// The one-time PIN, shown once in a box to be handed over.
fn pin_notice(text: String, pin: String) -> After {
    After::Notice(Notice {
        title: t!("tui.site.pin_title").to_string(),
        lines: vec![text],
        code: Some(pin),
        plain: false,
    })
}

#[derive(Debug, Clone)]
pub struct UserAdd {
    pub name: Field,
    pub full_name: Field,
    pub role: Field,
}

impl UserAdd {
    pub fn new() -> UserAdd {
        UserAdd {
            name: Field::new("", t!("tui.hint.user_name")),
            full_name: Field::new("", t!("tui.hint.full_name")),
            role: Field::new(Role::Nurse.label(), &role_hint()),
        }
    }
}

impl Default for UserAdd {
    fn default() -> Self {
        UserAdd::new()
    }
}

impl FormBody for UserAdd {
    fn title(&self, _: &ItemRef) -> String {
        t!("tui.site.add_title").to_string()
    }
    fn fields(&self) -> Vec<(&'static str, &Field)> {
        vec![
            (t!("tui.field.user_name"), &self.name),
            (t!("tui.field.full_name"), &self.full_name),
            (t!("tui.field.role"), &self.role),
        ]
    }
    fn field_mut(&mut self, i: usize) -> Option<&mut Field> {
        [&mut self.name, &mut self.full_name, &mut self.role]
            .into_iter()
            .nth(i)
    }
    fn refocus(&self) -> Option<usize> {
        super::first_empty(&self.fields(), 0)
    }
    fn submit(&mut self, _: &ItemRef, cx: &mut Ctx) -> Result<(String, After), String> {
        let actor = actor(cx)?;
        if self.name.is_empty() {
            return Err(t!("tui.form.required", label = t!("tui.field.user_name")));
        }
        if self.full_name.is_empty() {
            return Err(t!("tui.form.required", label = t!("tui.field.full_name")));
        }
        let role = role(self.role.value())?;
        let user = self.name.value().to_string();
        let pin = ops::user_add(
            &mut cx.store,
            &actor,
            cx.now,
            &user,
            self.full_name.value(),
            role,
        )
        .map_err(|e| e.to_string())?;
        Ok((
            t!("tui.site.user_added", user = user, role = role.label()),
            pin_notice(
                t!("tui.site.pin_new", user = user, role = role.label()),
                pin,
            ),
        ))
    }
}

#[derive(Debug, Clone)]
pub struct UserEdit {
    pub user: String,
    was_name: String,
    was_role: Role,
    pub full_name: Field,
    pub role: Field,
}

impl UserEdit {
    pub fn new(user: &str, full_name: &str, role: &str) -> UserEdit {
        let was_role = role.parse::<Role>().unwrap_or(Role::Nurse);
        UserEdit {
            user: user.to_string(),
            was_name: full_name.to_string(),
            was_role,
            full_name: Field::new(full_name, t!("tui.hint.full_name")),
            role: Field::new(was_role.label(), &role_hint()),
        }
    }
}

impl FormBody for UserEdit {
    fn title(&self, _: &ItemRef) -> String {
        t!("tui.site.edit_title", user = self.user)
    }
    fn fields(&self) -> Vec<(&'static str, &Field)> {
        vec![
            (t!("tui.field.full_name"), &self.full_name),
            (t!("tui.field.role"), &self.role),
        ]
    }
    fn field_mut(&mut self, i: usize) -> Option<&mut Field> {
        [&mut self.full_name, &mut self.role].into_iter().nth(i)
    }
    fn submit(&mut self, _: &ItemRef, cx: &mut Ctx) -> Result<(String, After), String> {
        let actor = actor(cx)?;
        if self.full_name.is_empty() {
            return Err(t!("tui.form.required", label = t!("tui.field.full_name")));
        }
        let role = role(self.role.value())?;
        let mut state = None;
        if self.full_name.value() != self.was_name {
            state = Some(
                ops::user_edit(
                    &mut cx.store,
                    &actor,
                    cx.now,
                    &self.user,
                    self.full_name.value(),
                )
                .map_err(|e| e.to_string())?,
            );
            self.was_name = self.full_name.value().to_string();
        }
        if role != self.was_role {
            state = Some(
                ops::user_role(&mut cx.store, &actor, cx.now, &self.user, role)
                    .map_err(|e| e.to_string())?,
            );
            self.was_role = role;
        }
        let Some(s) = state else {
            return Err(t!("tui.site.nothing_changed").to_string());
        };
        Ok((
            t!(
                "refdata.user.changed",
                user = s.name,
                full_name = s.full_name,
                role = role_word(&s.role)
            ),
            After::Reload,
        ))
    }
}

/// What a confirmation is for: each cannot simply be taken back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Confirming {
    /// The user's PIN stops working; they get a one-time PIN.
    ResetPin { user: String },
    /// The user can no longer sign in.
    Deactivate { user: String },
    /// The patient leaves the ward; their prescriptions are stopped.
    Discharge { mrn: String, name: String },
    /// A scanned barcode becomes the item's: every later scan of it is
    /// read as that item.
    LinkGtin {
        gtin: String,
        code: String,
        name: String,
    },
}

#[derive(Debug, Clone)]
pub struct Confirm {
    pub what: Confirming,
    pub confirm: Field,
}

impl Confirm {
    pub fn new(what: Confirming) -> Confirm {
        Confirm {
            what,
            confirm: Field::new("", t!("tui.hint.confirm_yes")),
        }
    }

    /// What will happen, said above the field.
    pub fn note(&self) -> String {
        match &self.what {
            Confirming::ResetPin { user } => t!("tui.site.reset_note", user = user),
            Confirming::Deactivate { user } => t!("tui.site.deactivate_note", user = user),
            Confirming::Discharge { mrn, name } => {
                t!("tui.patient.discharge_note", mrn = mrn, name = name)
            }
            Confirming::LinkGtin { gtin, code, name } => {
                t!("tui.stock.link_note", gtin = gtin, item = name, code = code)
            }
        }
    }
}

impl FormBody for Confirm {
    fn title(&self, _: &ItemRef) -> String {
        match &self.what {
            Confirming::ResetPin { user } => t!("tui.site.reset_title", user = user),
            Confirming::Deactivate { user } => t!("tui.site.deactivate_title", user = user),
            Confirming::Discharge { mrn, .. } => t!("tui.patient.discharge_title", mrn = mrn),
            Confirming::LinkGtin { gtin, .. } => t!("tui.stock.link_title", gtin = gtin),
        }
    }
    fn fields(&self) -> Vec<(&'static str, &Field)> {
        vec![(t!("tui.field.confirm"), &self.confirm)]
    }
    fn field_mut(&mut self, i: usize) -> Option<&mut Field> {
        [&mut self.confirm].into_iter().nth(i)
    }
    fn submit(&mut self, _: &ItemRef, cx: &mut Ctx) -> Result<(String, After), String> {
        let actor = actor(cx)?;
        if !super::yes(self.confirm.value()) {
            return Err(t!("tui.form.type_yes").to_string());
        }
        match &self.what {
            Confirming::ResetPin { user } => {
                let pin = ops::user_reset_pin(&mut cx.store, &actor, cx.now, user)
                    .map_err(|e| e.to_string())?;
                Ok((
                    t!("tui.site.pin_reset", user = user),
                    pin_notice(t!("tui.site.pin_again", user = user), pin),
                ))
            }
            Confirming::Deactivate { user } => {
                ops::user_set_active(&mut cx.store, &actor, cx.now, user, false)
                    .map_err(|e| e.to_string())?;
                Ok((t!("refdata.user.deactivated", user = user), After::Reload))
            }
            Confirming::Discharge { mrn, .. } => {
                let (_, stopped) = ops::patient_discharge(&mut cx.store, &actor, cx.now, mrn)
                    .map_err(|e| e.to_string())?;
                let mut msg = t!("tui.patient.discharged", mrn = mrn);
                if !stopped.is_empty() {
                    let ids: Vec<String> = stopped.iter().map(|i| format!("RX-{i}")).collect();
                    msg.push_str(" — ");
                    msg.push_str(&t!(
                        "refdata.patient.stopped",
                        n = stopped.len(),
                        ids = ids.join(", ")
                    ));
                }
                Ok((msg, After::Patient(mrn.clone())))
            }
            Confirming::LinkGtin { gtin, code, name } => {
                let item = crate::ops::stock::item_by_code(&cx.store.conn, code)
                    .map_err(|e| e.to_string())?;
                let g = crate::ops::stock::link_gtin(&mut cx.store, &actor, gtin, &item)
                    .map_err(|e| e.to_string())?;
                cx.local_writes += 1;
                Ok((
                    t!("tui.stock.linked", gtin = g, item = name, code = code),
                    After::Reload,
                ))
            }
        }
    }
}

/// The kind of a file typed as its name (`items`) or its word in the
/// reader's language (期初库存).
pub fn import_kind(v: &str) -> Option<ImportKind> {
    let v = v.trim();
    ImportKind::parse(v).or_else(|| {
        ImportKind::ALL
            .into_iter()
            .find(|k| k.label() == v || k.label().eq_ignore_ascii_case(v))
    })
}

#[derive(Debug, Clone)]
pub struct ImportStart {
    pub kind: Field,
    pub path: Field,
}

/// The kinds of file the signed-in user may import.
fn importable(cx: &Ctx) -> Vec<ImportKind> {
    ImportKind::ALL
        .into_iter()
        .filter(|k| cx.actor.as_ref().is_some_and(|a| k.may_import(a.role)))
        .collect()
}

impl ImportStart {
    /// The form; a user who may import one kind only finds it filled in.
    pub fn new(cx: &Ctx) -> ImportStart {
        let kinds = importable(cx);
        let first = if kinds.len() == 1 {
            kinds[0].name()
        } else {
            ""
        };
        ImportStart {
            kind: Field::new(first, t!("tui.hint.import_kind")),
            path: Field::new("", t!("tui.hint.import_path")),
        }
    }

    /// What the form says above its fields: the kinds, and that nothing is
    /// written before the preview is confirmed.
    pub fn note(&self, cx: &Ctx) -> String {
        let names: Vec<&str> = importable(cx).iter().map(|k| k.name()).collect();
        t!("tui.site.import_note", kinds = names.join(", "))
    }
}

impl FormBody for ImportStart {
    fn title(&self, _: &ItemRef) -> String {
        t!("tui.site.import_title").to_string()
    }
    fn fields(&self) -> Vec<(&'static str, &Field)> {
        vec![
            (t!("tui.field.import_kind"), &self.kind),
            (t!("tui.field.file"), &self.path),
        ]
    }
    fn field_mut(&mut self, i: usize) -> Option<&mut Field> {
        [&mut self.kind, &mut self.path].into_iter().nth(i)
    }
    fn refocus(&self) -> Option<usize> {
        super::first_empty(&self.fields(), 0)
    }
    fn submit(&mut self, _: &ItemRef, _cx: &mut Ctx) -> Result<(String, After), String> {
        let names = ImportKind::ALL.map(ImportKind::name).join(", ");
        let kind = import_kind(self.kind.value()).ok_or_else(|| {
            t!(
                "import.cli.unknown_kind",
                kind = self.kind.value(),
                kinds = names
            )
        })?;
        if self.path.is_empty() {
            return Err(t!("tui.form.required", label = t!("tui.field.file")));
        }
        let path = self.path.value().to_string();
        match std::fs::metadata(&path) {
            Ok(m) if m.is_file() => {}
            Ok(_) => {
                return Err(t!(
                    "import.cli.read",
                    path = path,
                    why = t!("tui.site.not_a_file")
                ));
            }
            Err(e) => return Err(t!("import.cli.read", path = path, why = e)),
        }
        Ok((
            t!("tui.site.checking", kind = kind.label(), path = path),
            After::Import { kind, path },
        ))
    }
}
