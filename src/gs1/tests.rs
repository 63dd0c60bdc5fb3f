use super::*;
use proptest::prelude::*;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
}

fn opts() -> Options {
    Options {
        separator: None,
        today: today(),
    }
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

#[test]
fn datamatrix_with_group_separator_and_symbology_prefix() {
    let g = parse(
        "]d2010950600013435217271231\u{1d}10ABC123\u{1d}21SN0001",
        opts(),
    )
    .unwrap();
    assert_eq!(g.gtin.as_deref(), Some("09506000134352"));
    assert_eq!(g.expiry, Some(d(2027, 12, 31)));
    assert_eq!(g.lot.as_deref(), Some("ABC123"));
    assert_eq!(g.serial.as_deref(), Some("SN0001"));
    assert_eq!(g.elements.len(), 4);
}

#[test]
fn substitute_separator_and_fixed_fields_without_separator() {
    let o = Options {
        separator: Some('~'),
        ..opts()
    };
    let g = parse("0109506000134352171505001012AB~21XYZ", o).unwrap();
    assert_eq!(g.expiry, Some(d(2015, 5, 31)), "day 00 is the last day");
    assert_eq!(g.lot.as_deref(), Some("12AB"));
    assert_eq!(g.serial.as_deref(), Some("XYZ"));
    // Without the substitute configured, "~" is part of the lot.
    let g = parse("0109506000134352171505001012AB~21XYZ", opts()).unwrap();
    assert_eq!(g.lot.as_deref(), Some("12AB~21XYZ"));
}

#[test]
fn human_readable_form() {
    let g = parse("(01)09506000134352(17)260200(10)L-77(30)12", opts()).unwrap();
    assert_eq!(g.gtin.as_deref(), Some("09506000134352"));
    assert_eq!(g.expiry, Some(d(2026, 2, 28)));
    assert_eq!(g.lot.as_deref(), Some("L-77"));
    assert_eq!(g.count, Some(12));
}

#[test]
fn digital_link() {
    let g = parse(
        "https://id.gs1.org/01/09506000134352/10/AB%2F12/21/S1?17=270630&linkType=gs1:pip",
        opts(),
    )
    .unwrap();
    assert_eq!(g.gtin.as_deref(), Some("09506000134352"));
    assert_eq!(g.lot.as_deref(), Some("AB/12"));
    assert_eq!(g.serial.as_deref(), Some("S1"));
    assert_eq!(g.expiry, Some(d(2027, 6, 30)));
    let g = parse(
        "]Q3HTTPS://example.com/shop/01/9506000134352?10=LOT9",
        opts(),
    )
    .unwrap();
    assert_eq!(g.gtin.as_deref(), Some("09506000134352"));
    assert_eq!(g.lot.as_deref(), Some("LOT9"));
}

#[test]
fn plain_gtins() {
    assert_eq!(
        parse("4006381333931", opts()).unwrap().gtin.as_deref(),
        Some("04006381333931")
    );
    assert_eq!(
        parse("96385074", opts()).unwrap().gtin.as_deref(),
        Some("00000096385074")
    );
    assert_eq!(
        parse("036000291452", opts()).unwrap().gtin.as_deref(),
        Some("00036000291452")
    );
    assert_eq!(
        parse("09506000134352", opts()).unwrap().gtin.as_deref(),
        Some("09506000134352")
    );
}

#[test]
fn century_window() {
    // 2026: years 1977..=2076 by the −49/+50 rule.
    assert_eq!(parse_date("761231", today()), Some(d(2076, 12, 31)));
    assert_eq!(parse_date("770101", today()), Some(d(1977, 1, 1)));
    assert_eq!(parse_date("990101", today()), Some(d(1999, 1, 1)));
    assert_eq!(parse_date("000229", today()), Some(d(2000, 2, 29)));
    assert_eq!(
        parse_date("280200", today()),
        Some(d(2028, 2, 29)),
        "leap year day 00"
    );
    assert_eq!(parse_date("271200", today()), Some(d(2027, 12, 31)));
    assert_eq!(parse_date("271301", today()), None);
    assert_eq!(parse_date("270230", today()), None);
}

#[test]
fn errors_name_the_problem_and_position() {
    let e = parse("0109506000134353", opts()).unwrap_err();
    assert!(matches!(e, Gs1Error::Gtin { pos: 3, .. }), "{e}");
    assert!(e.to_string().contains("check digit 3, expected 2"), "{e}");
    let e = parse("01095060001343521727133110X", opts()).unwrap_err();
    assert!(matches!(e, Gs1Error::Date { pos: 19, .. }), "{e}");
    let e = parse("0109506000134352171231", opts()).unwrap_err();
    assert!(
        matches!(
            e,
            Gs1Error::Length {
                pos: 19,
                expected: 6,
                found: 4,
                ..
            }
        ),
        "{e}"
    );
    let e = parse("0109506000134352101234567890123456789012", opts()).unwrap_err();
    assert!(
        matches!(
            e,
            Gs1Error::TooLong {
                max: 20,
                found: 22,
                ..
            }
        ),
        "{e}"
    );
    let e = parse("(01)09506000134352(17", opts()).unwrap_err();
    assert!(matches!(e, Gs1Error::Parenthesis { pos: 19 }), "{e}");
    let e = parse("AB0109506000134352", opts()).unwrap_err();
    assert!(matches!(e, Gs1Error::ExpectedAi { pos: 1, .. }), "{e}");
    let e = parse("0109506000134352\u{1d}30ABC", opts()).unwrap_err();
    assert!(matches!(e, Gs1Error::NotNumeric { .. }), "{e}");
    assert_eq!(parse("  ", opts()).unwrap_err(), Gs1Error::Empty);
    assert_eq!(parse("]d2", opts()).unwrap_err(), Gs1Error::Empty);
}

#[test]
fn unknown_ais_are_kept_raw() {
    let g = parse("010950600013435291INTERNAL\u{1d}7003261231235910ZZ", opts()).unwrap();
    let ais: Vec<&str> = g.elements.iter().map(|e| e.ai.as_str()).collect();
    assert_eq!(ais, ["01", "91", "7003", "10"]);
    assert_eq!(g.elements[1].value, "INTERNAL");
    assert_eq!(g.lot.as_deref(), Some("ZZ"));
}

#[test]
fn wristband_gsrn_in_every_form() {
    // GS1's example GSRN, with a valid check digit.
    let gsrn = "795260646688514634";
    for text in [
        format!("(8018){gsrn}"),
        format!("8018{gsrn}"),
        format!("]C18018{gsrn}"),
        format!("]d2\u{1d}8018{gsrn}"),
        format!("8018{gsrn}8019123\u{1d}"),
        format!("https://id.gs1.org/8018/{gsrn}"),
        format!("https://example.org/x/gsrn/{gsrn}"),
    ] {
        let g = parse(&text, opts()).unwrap_or_else(|e| panic!("{text}: {e:?}"));
        assert_eq!(g.gsrn_recipient.as_deref(), Some(gsrn), "{text}");
        assert_eq!(g.gsrn_provider, None);
        assert_eq!(g.gtin, None, "a wristband is not a pack");
    }
    let g = parse(&format!("(8017){gsrn}"), opts()).unwrap();
    assert_eq!(
        g.gsrn_provider.as_deref(),
        Some(gsrn),
        "a caregiver's badge"
    );
    assert_eq!(g.gsrn_recipient, None);
}

#[test]
fn a_wristband_gsrn_with_a_wrong_check_digit_is_refused() {
    let e = parse("(8018)795260646688514635", opts()).unwrap_err();
    assert_eq!(
        e,
        Gs1Error::Gsrn {
            pos: 7,
            ai: "8018".into(),
            value: "795260646688514635".into(),
            problem: GsrnProblem::CheckDigit {
                found: 5,
                expected: 4
            },
        }
    );
    assert!(
        e.to_string().contains("check digit is wrong"),
        "{e}: the words say what to do"
    );
    let e = parse("8018795260646688514635", opts()).unwrap_err();
    assert!(matches!(e, Gs1Error::Gsrn { pos: 5, .. }), "{e:?}");
    let e = parse("https://id.gs1.org/8018/795260646688514635", opts()).unwrap_err();
    assert!(matches!(e, Gs1Error::Gsrn { .. }), "{e:?}");
}

#[test]
fn a_wristband_gsrn_of_the_wrong_length_is_refused() {
    let e = parse("(8018)79526064668851463", opts()).unwrap_err();
    assert!(
        matches!(
            e,
            Gs1Error::Length {
                expected: 18,
                found: 17,
                ..
            }
        ),
        "{e:?}"
    );
    let e = parse("801879526064668851463", opts()).unwrap_err();
    assert!(matches!(e, Gs1Error::Length { expected: 18, .. }), "{e:?}");
    let e = parse("(8018)7952606466885146345", opts()).unwrap_err();
    assert!(matches!(e, Gs1Error::Length { found: 19, .. }), "{e:?}");
    let e = parse("(8018)79526064668851463X", opts()).unwrap_err();
    assert!(matches!(e, Gs1Error::NotNumeric { .. }), "{e:?}");
}

#[test]
fn gsrn_check() {
    assert_eq!(
        check_gsrn(" 795260646688514634 ").as_deref(),
        Ok("795260646688514634")
    );
    assert_eq!(
        check_gsrn("795260646688514630"),
        Err(GsrnProblem::CheckDigit {
            found: 0,
            expected: 4
        })
    );
    assert_eq!(
        check_gsrn("7952606466885146"),
        Err(GsrnProblem::Length { found: 16 })
    );
    assert_eq!(
        check_gsrn("MRN100003"),
        Err(GsrnProblem::NotDigit { found: 'M' })
    );
}

proptest! {
    #[test]
    fn never_panics_on_any_input(s in "\\PC{0,60}") {
        let _ = parse(&s, opts());
    }

    #[test]
    fn never_panics_on_gs1_like_input(s in "[0-9()\u{1d}~/:?=&%a-zA-Z]{0,60}", sep in proptest::option::of(prop_oneof![Just('~'), Just('|')])) {
        let _ = parse(&s, Options { separator: sep, today: today() });
        let _ = parse(&format!("https://h/01/{s}"), opts());
        let _ = parse(&format!("]d2{s}"), opts());
        let _ = parse(&format!("({s}"), opts());
    }

    #[test]
    fn formatted_fields_parse_back(body in "[0-9]{13}", y in 0u32..100, m in 1u32..13, day in 0u32..29, lot in "[A-Z0-9-]{1,20}", serial in "[A-Za-z0-9]{1,20}", order in 0usize..3) {
        let gtin = gtin::with_check_digit(&body).unwrap();
        let date = format!("{y:02}{m:02}{day:02}");
        let mut elements = vec![
            Element { ai: "01".into(), value: gtin.clone() },
            Element { ai: "17".into(), value: date.clone() },
            Element { ai: "10".into(), value: lot.clone() },
            Element { ai: "21".into(), value: serial.clone() },
        ];
        elements.rotate_left(order);
        let expected_expiry = parse_date(&date, today());
        for text in [
            element_string_of(&elements, GS),
            format!("]d2{}", element_string_of(&elements, GS)),
            elements.iter().map(|e| format!("({}){}", e.ai, e.value)).collect::<String>(),
        ] {
            let g = parse(&text, opts()).unwrap();
            prop_assert_eq!(g.gtin.as_deref(), Some(gtin.as_str()));
            prop_assert_eq!(g.lot.as_deref(), Some(lot.as_str()));
            prop_assert_eq!(g.serial.as_deref(), Some(serial.as_str()));
            prop_assert_eq!(g.expiry, expected_expiry);
        }
    }
}
