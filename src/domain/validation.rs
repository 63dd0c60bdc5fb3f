//! The pharmacist's findings on a prescription awaiting validation:
//! allergy, duplicate therapy, dose above the maximum daily dose, and
//! supply (not in stock on the ward for the next doses, or only held or
//! expiring stock). Pure: the facts come in, the findings go out.

use serde::Serialize;

/// A recorded allergy, intolerance or contra-indication of the patient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allergy {
    pub substance: String,
    /// ATC code or class prefix it covers, e.g. "J01C" for penicillins.
    pub atc_prefix: Option<String>,
    pub kind: String,
}

/// Another active prescription of the same patient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtherRx {
    pub id: i64,
    pub item: String,
    pub atc: Option<String>,
}

/// What the validation looks at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RxFacts {
    pub item: String,
    pub generic_name: String,
    pub atc: Option<String>,
    /// One dose, in thousandths of the strength unit.
    pub dose_milli: i64,
    /// Doses in 24 h (the PRN maximum for PRN prescriptions).
    pub doses_per_day: i64,
    pub max_daily_milli: Option<i64>,
    pub strength_unit: String,
    pub allergies: Vec<Allergy>,
    pub other_active: Vec<OtherRx>,
    /// Stock units one dose takes.
    pub units_per_dose: i64,
    /// Usable units on the patient's ward now.
    pub usable_on_ward: i64,
    /// Usable units on the ward that expire within the next 7 days.
    pub expiring_soon_on_ward: i64,
    /// Units on the ward that are quarantined, recalled or expired.
    pub held_on_ward: i64,
    /// The site's classes where two at once is a duplication.
    pub duplicate_classes: DuplicateClasses,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "finding")]
pub enum Finding {
    Allergy {
        substance: String,
        kind: String,
    },
    DuplicateTherapy {
        other_rx: i64,
        other_item: String,
        group: String,
    },
    /// Another prescription in the same ATC class where two at once is
    /// dangerous (the site's [`DuplicateClasses`]), though not in the same
    /// level-4 group.
    DuplicateInClass {
        other_rx: i64,
        other_item: String,
        class: String,
    },
    DoseAboveMaximum {
        daily_milli: i64,
        max_milli: i64,
        unit: String,
    },
    NotInStock {
        needed: i64,
        usable: i64,
    },
    OnlyHeldOrExpiringStock {
        held: i64,
        expiring: i64,
    },
}

fn atc_level4(atc: &str) -> Option<&str> {
    atc.get(0..5)
}

/// The ATC classes (mostly level 3) where two drugs at once for one patient
/// is a therapeutic duplication even across level-4 groups: what a site
/// starts with ([`DuplicateClasses::default`]). Each class is one or more
/// ATC prefixes counted as one class.
pub const DANGEROUS_DUPLICATE_CLASSES: &[&[&str]] = &[
    // Antithrombotics: heparins, direct factor Xa inhibitors, ...
    &["B01A"],
    // Opioids.
    &["N02A"],
    // Insulins.
    &["A10A"],
    // Antipsychotics.
    &["N05A"],
    // Benzodiazepines: anxiolytics and hypnotics.
    &["N05BA", "N05CD"],
    // NSAIDs.
    &["M01A"],
];

/// The site's list of dangerous-duplicate classes. Written as text, the
/// classes are separated by commas and the prefixes of one class joined by
/// `+`: `B01A,N02A,A10A,N05A,N05BA+N05CD,M01A`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DuplicateClasses(pub Vec<Vec<String>>);

impl Default for DuplicateClasses {
    fn default() -> Self {
        DuplicateClasses(
            DANGEROUS_DUPLICATE_CLASSES
                .iter()
                .map(|c| c.iter().map(|p| p.to_string()).collect())
                .collect(),
        )
    }
}

/// Why a list of duplicate classes is refused (the entry as written).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClassListError {
    /// Nothing listed.
    Empty,
    /// Not an ATC prefix of 3 to 5 characters (`B01`, `B01A`, `N05BA`).
    BadEntry { entry: String },
    /// Listed twice, or inside another listed prefix (`B01A` with `B01`).
    Overlap { entry: String, other: String },
}

/// Whether `p` is an ATC prefix of 3 to 5 characters: the anatomical group
/// (a letter), the therapeutic group (two digits), then up to two letters.
pub fn is_atc_prefix(p: &str) -> bool {
    let b = p.as_bytes();
    (3..=5).contains(&b.len())
        && b"ABCDGHJLMNPRSV".contains(&b[0])
        && b[1].is_ascii_digit()
        && b[2].is_ascii_digit()
        && b[3..].iter().all(u8::is_ascii_uppercase)
}

impl DuplicateClasses {
    /// Reads `B01A,N02A,N05BA+N05CD`: spaces are ignored, letters taken in
    /// either case. Each prefix is checked; none may lie inside another.
    pub fn parse(text: &str) -> Result<DuplicateClasses, ClassListError> {
        let mut classes: Vec<Vec<String>> = Vec::new();
        for entry in text.split([',', ';', '\n']) {
            let entry = entry.trim();
            if entry.is_empty() {
                continue;
            }
            let mut class = Vec::new();
            for p in entry.split('+') {
                let p: String = p.trim().to_ascii_uppercase();
                if !is_atc_prefix(&p) {
                    return Err(ClassListError::BadEntry {
                        entry: if entry.contains('+') && !p.is_empty() {
                            p
                        } else {
                            entry.to_string()
                        },
                    });
                }
                let listed = classes.iter().flatten().chain(class.iter());
                if let Some(other) = listed
                    .into_iter()
                    .find(|o| o.starts_with(p.as_str()) || p.starts_with(o.as_str()))
                {
                    return Err(ClassListError::Overlap {
                        entry: p,
                        other: other.clone(),
                    });
                }
                class.push(p);
            }
            classes.push(class);
        }
        if classes.is_empty() {
            return Err(ClassListError::Empty);
        }
        Ok(DuplicateClasses(classes))
    }

    /// The list as written in the setting: `B01A,N02A,N05BA+N05CD`.
    pub fn text(&self) -> String {
        self.0
            .iter()
            .map(|c| c.join("+"))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// The class an ATC code belongs to, by its name (its prefixes joined
    /// with `+`).
    fn class_of(&self, atc: &str) -> Option<String> {
        if atc.is_empty() {
            return None;
        }
        self.0
            .iter()
            .find(|class| class.iter().any(|p| atc.starts_with(p.as_str())))
            .map(|class| class.join("+"))
    }
}

/// Every finding on a prescription, most serious first.
pub fn findings(f: &RxFacts) -> Vec<Finding> {
    let mut out = Vec::new();
    let atc = f.atc.as_deref().unwrap_or("");
    let generic = f.generic_name.to_lowercase();
    for a in &f.allergies {
        let by_class = a
            .atc_prefix
            .as_deref()
            .is_some_and(|p| !p.is_empty() && !atc.is_empty() && atc.starts_with(p));
        let substance = a.substance.to_lowercase();
        let by_name =
            !substance.is_empty() && (generic.contains(&substance) || substance.contains(&generic));
        if by_class || by_name {
            out.push(Finding::Allergy {
                substance: a.substance.clone(),
                kind: a.kind.clone(),
            });
        }
    }
    if let Some(group) = atc_level4(atc) {
        for o in &f.other_active {
            if o.atc.as_deref().and_then(atc_level4) == Some(group) {
                out.push(Finding::DuplicateTherapy {
                    other_rx: o.id,
                    other_item: o.item.clone(),
                    group: group.to_string(),
                });
            }
        }
    }
    if let Some(class) = f.duplicate_classes.class_of(atc) {
        for o in &f.other_active {
            let other = o.atc.as_deref().unwrap_or("");
            let same_group = atc_level4(atc).is_some() && atc_level4(other) == atc_level4(atc);
            if !same_group && f.duplicate_classes.class_of(other).as_deref() == Some(class.as_str())
            {
                out.push(Finding::DuplicateInClass {
                    other_rx: o.id,
                    other_item: o.item.clone(),
                    class: class.clone(),
                });
            }
        }
    }
    if let Some(max) = f.max_daily_milli {
        let daily = f.dose_milli.saturating_mul(f.doses_per_day.max(1));
        if daily > max {
            out.push(Finding::DoseAboveMaximum {
                daily_milli: daily,
                max_milli: max,
                unit: f.strength_unit.clone(),
            });
        }
    }
    let needed = f.units_per_dose.saturating_mul(f.doses_per_day.max(1));
    if f.usable_on_ward < needed {
        out.push(Finding::NotInStock {
            needed,
            usable: f.usable_on_ward,
        });
    }
    if (f.held_on_ward > 0 || f.expiring_soon_on_ward > 0)
        && f.usable_on_ward - f.expiring_soon_on_ward < needed
    {
        out.push(Finding::OnlyHeldOrExpiringStock {
            held: f.held_on_ward,
            expiring: f.expiring_soon_on_ward,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn amoxicillin() -> RxFacts {
        RxFacts {
            item: "Amoxicillin 500 mg capsule".into(),
            generic_name: "amoxicillin".into(),
            atc: Some("J01CA04".into()),
            dose_milli: 500_000,
            doses_per_day: 3,
            max_daily_milli: Some(3_000_000),
            strength_unit: "mg".into(),
            allergies: vec![],
            other_active: vec![],
            units_per_dose: 1,
            usable_on_ward: 30,
            expiring_soon_on_ward: 0,
            held_on_ward: 0,
            duplicate_classes: DuplicateClasses::default(),
        }
    }

    #[test]
    fn a_clean_prescription_has_no_findings() {
        assert_eq!(findings(&amoxicillin()), vec![]);
    }

    #[test]
    fn each_finding_in_its_own_scenario() {
        let mut f = amoxicillin();
        f.allergies = vec![Allergy {
            substance: "penicillins".into(),
            atc_prefix: Some("J01C".into()),
            kind: "allergy".into(),
        }];
        assert!(matches!(&findings(&f)[..], [Finding::Allergy { .. }]));
        // By name when no class is recorded.
        f.allergies = vec![Allergy {
            substance: "Amoxicillin".into(),
            atc_prefix: None,
            kind: "intolerance".into(),
        }];
        assert!(matches!(&findings(&f)[..], [Finding::Allergy { .. }]));

        let mut f = amoxicillin();
        f.other_active = vec![OtherRx {
            id: 9,
            item: "Flucloxacillin".into(),
            atc: Some("J01CF05".into()),
        }];
        assert_eq!(findings(&f), vec![], "J01CF is another group than J01CA");
        f.other_active.push(OtherRx {
            id: 10,
            item: "Ampicillin".into(),
            atc: Some("J01CA01".into()),
        });
        assert!(matches!(
            &findings(&f)[..],
            [Finding::DuplicateTherapy { other_rx: 10, .. }]
        ));

        // Enoxaparin and rivaroxaban: two antithrombotics (B01A) at once,
        // in different level-4 groups.
        let mut f = amoxicillin();
        f.item = "Enoxaparin".into();
        f.generic_name = "enoxaparin".into();
        f.atc = Some("B01AB05".into());
        f.allergies.clear();
        f.other_active = vec![OtherRx {
            id: 11,
            item: "Rivaroxaban".into(),
            atc: Some("B01AF01".into()),
        }];
        assert_eq!(
            findings(&f)
                .into_iter()
                .filter(|x| matches!(
                    x,
                    Finding::DuplicateTherapy { .. } | Finding::DuplicateInClass { .. }
                ))
                .collect::<Vec<_>>(),
            vec![Finding::DuplicateInClass {
                other_rx: 11,
                other_item: "Rivaroxaban".into(),
                class: "B01A".into()
            }]
        );
        // A benzodiazepine anxiolytic and hypnotic: one class of two groups.
        f.atc = Some("N05BA01".into());
        f.other_active[0].atc = Some("N05CD08".into());
        assert!(findings(&f).contains(&Finding::DuplicateInClass {
            other_rx: 11,
            other_item: "Rivaroxaban".into(),
            class: "N05BA+N05CD".into()
        }));
        // Two antibiotics of different groups are not in a listed class.
        f.atc = Some("J01CA04".into());
        f.other_active[0].atc = Some("J01DD04".into());
        assert!(
            !findings(&f)
                .iter()
                .any(|x| matches!(x, Finding::DuplicateInClass { .. }))
        );

        let mut f = amoxicillin();
        f.doses_per_day = 8;
        assert_eq!(
            findings(&f),
            vec![Finding::DoseAboveMaximum {
                daily_milli: 4_000_000,
                max_milli: 3_000_000,
                unit: "mg".into()
            }]
        );

        let mut f = amoxicillin();
        f.usable_on_ward = 2;
        assert_eq!(
            findings(&f),
            vec![Finding::NotInStock {
                needed: 3,
                usable: 2
            }]
        );

        let mut f = amoxicillin();
        f.usable_on_ward = 3;
        f.expiring_soon_on_ward = 3;
        f.held_on_ward = 10;
        assert_eq!(
            findings(&f),
            vec![Finding::OnlyHeldOrExpiringStock {
                held: 10,
                expiring: 3
            }]
        );
    }

    fn enoxaparin_with_rivaroxaban() -> RxFacts {
        let mut f = amoxicillin();
        f.item = "Enoxaparin".into();
        f.generic_name = "enoxaparin".into();
        f.atc = Some("B01AB05".into());
        f.other_active = vec![OtherRx {
            id: 11,
            item: "Rivaroxaban".into(),
            atc: Some("B01AF01".into()),
        }];
        f
    }

    fn in_class(f: &RxFacts) -> Vec<Finding> {
        findings(f)
            .into_iter()
            .filter(|x| matches!(x, Finding::DuplicateInClass { .. }))
            .collect()
    }

    #[test]
    fn the_default_list_reads_back_as_written() {
        let d = DuplicateClasses::default();
        assert_eq!(d.text(), "B01A,N02A,A10A,N05A,N05BA+N05CD,M01A");
        assert_eq!(DuplicateClasses::parse(&d.text()), Ok(d));
        assert_eq!(
            DuplicateClasses::parse(" b01a , n05ba + n05cd ").unwrap().0,
            vec![
                vec!["B01A".to_string()],
                vec!["N05BA".into(), "N05CD".into()]
            ]
        );
    }

    #[test]
    fn the_sites_list_decides_which_classes_are_duplicates() {
        let mut f = enoxaparin_with_rivaroxaban();
        assert_eq!(in_class(&f).len(), 1);
        // The site removes the antithrombotics: no finding.
        f.duplicate_classes = DuplicateClasses::parse("N02A,A10A").unwrap();
        assert_eq!(in_class(&f), vec![]);
        // The site adds the beta-lactam antibacterials (J01C and J01D as one class).
        let mut f = amoxicillin();
        f.other_active = vec![OtherRx {
            id: 12,
            item: "Ceftriaxone".into(),
            atc: Some("J01DD04".into()),
        }];
        assert_eq!(in_class(&f), vec![]);
        f.duplicate_classes = DuplicateClasses::parse("B01A,J01C+J01D").unwrap();
        assert_eq!(
            in_class(&f),
            vec![Finding::DuplicateInClass {
                other_rx: 12,
                other_item: "Ceftriaxone".into(),
                class: "J01C+J01D".into()
            }]
        );
    }

    #[test]
    fn a_bad_entry_is_refused_by_name() {
        for (text, bad) in [
            ("B01A,XYZ", "XYZ"),
            ("B01A,B1A", "B1A"),
            ("B01A,B01ABC", "B01ABC"),
            ("B01A,N05BA+N5CD", "N5CD"),
            ("B01A,N05BA+", "N05BA+"),
            ("B01A,E01A", "E01A"),
            ("B01A,B0", "B0"),
        ] {
            assert_eq!(
                DuplicateClasses::parse(text),
                Err(ClassListError::BadEntry { entry: bad.into() }),
                "{text}"
            );
        }
        assert_eq!(
            DuplicateClasses::parse("B01,B01A"),
            Err(ClassListError::Overlap {
                entry: "B01A".into(),
                other: "B01".into()
            })
        );
        assert_eq!(
            DuplicateClasses::parse("N02A,n02a"),
            Err(ClassListError::Overlap {
                entry: "N02A".into(),
                other: "N02A".into()
            })
        );
        assert_eq!(DuplicateClasses::parse(" , "), Err(ClassListError::Empty));
    }
}
