//! The message catalogue: every entry in both languages with the same
//! placeholders, every key the code asks for present, every key used.

use std::collections::BTreeSet;
use std::path::Path;

use wardstock::i18n::{self, Lang};

fn sources() -> Vec<(String, String)> {
    fn walk(dir: &Path, out: &mut Vec<(String, String)>) {
        let Ok(rd) = std::fs::read_dir(dir) else {
            return;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                // Comments name keys as examples; only code counts.
                let text: String = std::fs::read_to_string(&p)
                    .unwrap()
                    .lines()
                    .filter(|l| !l.trim_start().starts_with("//"))
                    .map(|l| format!("{l}\n"))
                    .collect();
                out.push((p.display().to_string(), text));
            }
        }
    }
    let mut out = Vec::new();
    walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut out);
    out
}

/// The keys the code names with `t!("…"` or `i18n::text("…"`.
fn keys_asked(src: &str) -> Vec<String> {
    let mut out = Vec::new();
    for marker in ["t!(\"", "i18n::text(\"", "text_in(l, \""] {
        let mut rest = src;
        while let Some(i) = rest.find(marker) {
            let tail = &rest[i + marker.len()..];
            // `print!("` is not `t!("`.
            let glued = rest[..i]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || c == '_');
            if glued {
                rest = tail;
                continue;
            }
            match tail.find('"') {
                Some(end) => {
                    out.push(tail[..end].to_string());
                    rest = &tail[end..];
                }
                None => break,
            }
        }
    }
    out
}

#[test]
fn every_entry_has_both_languages_and_the_same_placeholders() {
    let mut bad = Vec::new();
    for (key, e) in i18n::catalogue() {
        if e.en.trim().is_empty() {
            bad.push(format!("{key}: no English"));
        }
        if e.zh.trim().is_empty() {
            bad.push(format!("{key}: no Chinese"));
        }
        if i18n::placeholders(e.en) != i18n::placeholders(e.zh) {
            bad.push(format!(
                "{key}: placeholders differ: {:?} / {:?}",
                i18n::placeholders(e.en),
                i18n::placeholders(e.zh)
            ));
        }
    }
    bad.sort();
    assert!(bad.is_empty(), "catalogue defects:\n{}", bad.join("\n"));
}

#[test]
fn every_key_the_code_asks_for_is_in_the_catalogue() {
    let cat = i18n::catalogue();
    let mut missing = BTreeSet::new();
    for (file, src) in sources() {
        for k in keys_asked(&src) {
            if !cat.contains_key(k.as_str()) {
                missing.insert(format!("{file}: {k}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "keys missing from the catalogue:\n{}",
        missing.into_iter().collect::<Vec<_>>().join("\n")
    );
}

#[test]
fn every_key_in_the_catalogue_is_used() {
    let all: String = sources()
        .into_iter()
        .map(|(_, s)| s)
        .collect::<Vec<_>>()
        .join("\n");
    let mut unused: Vec<&&str> = i18n::catalogue()
        .keys()
        .filter(|k| !all.contains(&format!("\"{k}\"")))
        .collect();
    unused.sort();
    assert!(
        unused.is_empty(),
        "catalogue keys no code uses:\n{}",
        unused.iter().map(|k| **k).collect::<Vec<_>>().join("\n")
    );
}

#[test]
fn chinese_is_chinese() {
    // A Chinese entry copied from English by mistake: no CJK character at all
    // where the English has words (codes and symbols may stay as they are).
    let mut suspicious = Vec::new();
    for (key, e) in i18n::catalogue() {
        // English words (not codes or file names kept in the Chinese too).
        let has_words = e
            .en
            .split(|c: char| !c.is_alphabetic())
            .any(|w| w.len() > 3 && w.chars().all(|c| c.is_ascii_lowercase()) && !e.zh.contains(w));
        let has_cjk = e.zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
        if has_words && !has_cjk {
            suspicious.push(key.to_string());
        }
    }
    suspicious.sort();
    assert!(
        suspicious.is_empty(),
        "Chinese entries without Chinese:\n{}",
        suspicious.join("\n")
    );
}

#[test]
fn the_language_is_chosen_in_order() {
    assert_eq!(i18n::choose(Some(Lang::ZhCn), Some(Lang::En)), Lang::ZhCn);
    assert_eq!(i18n::choose(None, Some(Lang::ZhCn)), Lang::ZhCn);
    assert!(i18n::text_in(Lang::ZhCn, "lang.unknown").contains("未知"));
}
