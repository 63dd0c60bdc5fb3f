//! A whole site from one folder of spreadsheets (`suppliers.csv`,
//! `places.csv`, … `stock.csv`): each file imported by its kind's own rows,
//! in the order they refer to each other, all in ONE transaction — all or
//! nothing across every file. A dry run checks the whole folder as it would
//! be written (items see the suppliers of the same folder, stock its items
//! and locations) and writes nothing.

use std::path::Path;

use super::*;

/// The order a site's files are imported in: each after those it refers to.
pub const SITE_ORDER: [Kind; 8] = [
    Kind::Suppliers,
    Kind::Places,
    Kind::Locations,
    Kind::Items,
    Kind::Users,
    Kind::Patients,
    Kind::Allergies,
    Kind::Stock,
];

/// A folder's files: those named by a kind (`items.csv`), read, and the
/// names of the others (not read).
#[derive(Debug, Default)]
pub struct SiteFolder {
    pub files: Vec<SiteFile>,
    pub unknown: Vec<String>,
}

#[derive(Debug)]
pub struct SiteFile {
    pub kind: Kind,
    pub name: String,
    pub bytes: Vec<u8>,
}

impl Kind {
    /// The name of this kind's file in a site's folder.
    pub fn file_name(self) -> String {
        format!("{}.csv", self.name())
    }
}

/// The kind a file's name says: `items.csv`, `Items.CSV`.
fn kind_of_file(name: &str) -> Option<Kind> {
    let lower = name.to_lowercase();
    let stem = lower.strip_suffix(".csv")?;
    Kind::ALL.into_iter().find(|k| k.name() == stem)
}

/// Reads a site's folder: the files named by a kind, and the names of the
/// others. Hidden files (`.DS_Store`) and folders are passed over.
pub fn site_files(dir: &Path) -> std::io::Result<SiteFolder> {
    let mut names: Vec<(String, std::path::PathBuf)> = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || !entry.file_type()?.is_file() {
            continue;
        }
        names.push((name, entry.path()));
    }
    names.sort();
    let mut folder = SiteFolder::default();
    for (name, path) in names {
        match kind_of_file(&name) {
            Some(kind) if !folder.files.iter().any(|f| f.kind == kind) => {
                let bytes = std::fs::read(&path)?;
                folder.files.push(SiteFile { kind, name, bytes });
            }
            // Not a kind's file, or a second file of one kind (Items.csv
            // beside items.csv): not read.
            _ => folder.unknown.push(name),
        }
    }
    Ok(folder)
}

/// What became of one file of a site.
#[derive(Debug, Serialize)]
pub struct FileReport {
    pub file: String,
    pub kind: Kind,
    #[serde(flatten)]
    pub outcome: FileOutcome,
}

#[derive(Debug, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum FileOutcome {
    /// Every row good: what was (or, in a dry run, would be) done.
    Good { summary: Summary },
    /// Bad rows: what the good rows would do, and every bad row.
    Rows {
        summary: Summary,
        problems: Vec<RowProblem>,
    },
    /// The file refused as a whole (its columns, its encoding, the user's
    /// role): none of its rows read.
    Refused {
        #[serde(serialize_with = "as_text")]
        error: ImportError,
    },
}

fn as_text<S: serde::Serializer>(e: &ImportError, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&e.to_string())
}

/// What a site's import did (or, in a dry run or with any problem, would do).
#[derive(Debug, Serialize)]
pub struct SiteReport {
    pub dry_run: bool,
    /// Everything was written: every file good and not a dry run.
    pub written: bool,
    /// In the order imported.
    pub files: Vec<FileReport>,
    /// Files of the folder not read: not named by a kind.
    pub unknown_files: Vec<String>,
    /// Kinds' files not in the folder: skipped.
    pub missing_files: Vec<String>,
}

impl SiteReport {
    /// Every bad row and refused file: none means the folder is good.
    pub fn problems(&self) -> usize {
        self.files
            .iter()
            .map(|f| match &f.outcome {
                FileOutcome::Good { .. } => 0,
                FileOutcome::Rows { problems, .. } => problems.len(),
                FileOutcome::Refused { .. } => 1,
            })
            .sum()
    }
}

/// Imports a site's folder as `actor`: the files in [`SITE_ORDER`], each
/// checked row by row as its own import would, in ONE transaction. The
/// good rows of a file are applied before the next file is read, so later
/// files are checked against them; at the end everything is committed if
/// every file is good and this is not a dry run, else rolled back.
pub fn import_site(
    store: &mut Store,
    actor: &Actor,
    folder: SiteFolder,
    dry_run: bool,
    now: DateTime<Utc>,
) -> Result<SiteReport, ImportError> {
    let SiteFolder { mut files, unknown } = folder;
    let missing_files = SITE_ORDER
        .iter()
        .filter(|k| !files.iter().any(|f| f.kind == **k))
        .map(|k| k.file_name())
        .collect();
    files.sort_by_key(|f| SITE_ORDER.iter().position(|k| *k == f.kind));
    // Read and checked as wholes (and new users' PINs hashed) before the
    // write transaction.
    let mut prepared = Vec::new();
    for f in files {
        let p = match prepare(&store.conn, actor, f.kind, &f.bytes) {
            Err(ImportError::Store(e)) => return Err(ImportError::Store(e)),
            other => other,
        };
        prepared.push((f.name, f.kind, p));
    }
    let today = site_today(&store.conn, now)?;
    let tx = store
        .conn
        .transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut reports = Vec::new();
    for (file, kind, p) in prepared {
        let outcome = match p {
            Err(error) => FileOutcome::Refused { error },
            Ok(p) => match apply(&tx, actor, now, today, p, dry_run)? {
                (summary, problems) if problems.is_empty() => FileOutcome::Good { summary },
                (summary, problems) => FileOutcome::Rows { summary, problems },
            },
        };
        reports.push(FileReport {
            file,
            kind,
            outcome,
        });
    }
    let mut report = SiteReport {
        dry_run,
        written: false,
        files: reports,
        unknown_files: unknown,
        missing_files,
    };
    if report.problems() == 0 && !dry_run {
        tx.commit()?;
        report.written = true;
    } else {
        tx.rollback()?;
        // No user was added: their PINs do not exist.
        for f in &mut report.files {
            if let FileOutcome::Good { summary } | FileOutcome::Rows { summary, .. } =
                &mut f.outcome
            {
                summary.new_pins.clear();
            }
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_named_by_their_kind() {
        assert_eq!(kind_of_file("items.csv"), Some(Kind::Items));
        assert_eq!(kind_of_file("Stock.CSV"), Some(Kind::Stock));
        assert_eq!(kind_of_file("opening.csv"), None);
        assert_eq!(kind_of_file("items.xlsx"), None);
        assert_eq!(Kind::Locations.file_name(), "locations.csv");
    }
}
