//! Reads the text catalogues (`assets/i18n/*.toml`) when the program is
//! built, into one table of (key, English, Chinese) sorted by key: the
//! program looks its texts up without reading any file when it starts. A
//! catalogue that does not read, or a key written twice, stops the build.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

fn walk(prefix: &str, t: &toml::Table, out: &mut BTreeMap<String, (String, String)>, file: &Path) {
    for (k, v) in t {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        let Some(tab) = v.as_table() else {
            panic!("catalogue {}: {key} is not a table", file.display());
        };
        if tab.contains_key("en") || tab.contains_key("zh") {
            let get = |l: &str| {
                tab.get(l)
                    .and_then(|v| v.as_str())
                    .unwrap_or("")
                    .to_string()
            };
            if out.insert(key.clone(), (get("en"), get("zh"))).is_some() {
                panic!("catalogue {}: {key} is written twice", file.display());
            }
        } else {
            walk(&key, tab, out, file);
        }
    }
}

fn main() {
    let dir = Path::new("assets/i18n");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("assets/i18n is part of the source")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    let mut out = BTreeMap::new();
    for path in &files {
        println!("cargo:rerun-if-changed={}", path.display());
        let text = std::fs::read_to_string(path).expect("a catalogue reads");
        let table: toml::Table = text
            .parse()
            .unwrap_or_else(|e| panic!("catalogue {} does not read: {e}", path.display()));
        walk("", &table, &mut out, path);
    }
    let mut code = String::from(
        "/// Every text of the catalogues: (key, English, Chinese), sorted by key.\n\
         pub static ENTRIES: &[(&str, &str, &str)] = &[\n",
    );
    for (key, (en, zh)) in &out {
        let _ = writeln!(code, "    ({key:?}, {en:?}, {zh:?}),");
    }
    code.push_str("];\n");
    let dest =
        Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("catalogue.rs");
    std::fs::write(dest, code).expect("the built catalogue is written");
}
