//! Alpine: a selection of apk-tools' own comparison vectors (`test/version.data` of
//! alpinelinux/apk-tools, one `A op B` per line), chosen for the rules they exercise:
//! leading zeros, letters, suffix order and stacking, revisions, long date numbers.
//! Lines apk marks as invalid versions (`1.0bc`, `23_foo`) are refused here with a
//! parse error instead of apk's fallback to a string sort, and are checked as such.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::cmp::Ordering;

use medsec_match::Scheme;

const VECTORS: &str = "\
2.34 > 0.1.0_alpha
0.1.0_alpha2 > 0.1.0_alpha
0.1.0_alpha < 2.2.39-r1
1.0.4-r3 < 1.0.4-r4
1.1 > 1.1_alpha1
1.2.1 > 1.2
1.2 < 1.3_alpha
1.3_alpha2 < 1.3_alpha3
0.7.0 < 0.8_beta1
3.10.18-r1 > 2.3.0b-r1
2.3.0b-r1 < 2.3.0b-r2
0.12.3 > 0.12
0.12 < 0.13_beta1
0.13_beta5 > 0.9.12
0.0.16 < 0.6
1.2.11 < 1.2.12.1
0.2.0-r1 < 3.1_p16
3.1_p16 < 3.1_p17
3.1_p17 > 1.06-r6
1.06-r6 < 006
006 > 1.0.0
1.2.2-r1 > 1.2.2
2.59 < 20050718-r1
20050718-r2 > 3.9.8-r5
3.9.8-r5 > 2.01.01_alpha10
2.01.01_alpha10 > 0.94
1.0 > 0.99.3.20040818
1.39 > 1.00_beta2
7.15.1-r1 > 1.02
1.02 < 1.03-r1
4.2.52_p2-r1 < 4.2.52_p4-r2
4.2.52_p4-r2 > 1.02.07
1.02.07 < 1.02.10-r1
2.38 < 20050405
20060720 > 3.0.20060720
2.5.1-r8 < 2.5.1a-r1
1.4.4-r1 < 2.1.9.200602141850
3.0.0-r2 < 021109-r3
021109-r3 < 20060512
0.9.16-r1 < 3.9_pre20060124
3.9_pre20060124 > 0.01
0.01 < 0.06
1.1.7 < 6b-r7
0.10.0 < 0.10.1_rc1
1.1a < 1.3a
1.0-r1 > 0.15.1b
0.15.1b < 1.0.1
1.0.1 < 1.06-r1
0.15.1b-r2 > 0.15.1b
22.7-r1 < 22.7.3-r1
22.7 > 2.1_pre20
2.10.1 > 02.08.01b
02.08.01b < 4.77
2.02.10 < 2.8.5-r3
3.81 > 1.6d
1.6d > 1.2.07.8
1.2.07.8 < 1.2.12.04
1.2.12.04 < 1.2.12.05
1.07-r1 < 1.07.5
1.07.5 > 1.07
0.1_pre20060810 < 0.1_pre20060817
3.3.17 > 0.59s-r11
4.01 < 4.20
4.20 > 0.20070118
0.20070118 < 0.20070207_rc1
0.20070207_rc1 < 1.0
4.5_p1-r1 > 4.5_p1
0.9.8c-r1 < 0.9.8d
2.2.3-r2 < 013
013 < 014-r1
1.7 < 1.7b
1.8.5 < 1.8.5_p2
2.9.11_pre20051101-r3 > 2.9.11_pre20051101
1.6.8_p12-r1 > 1.6.8_p9-r2
0.9.28-r2 < 0.9.28.1
0.9.28.1 < 087-r1
104-r11 > 104-r9
1.2.5_rc2 > 0.1
20040406-r1 > 2.12r-r4
2.12r-r4 < 2.12r-r5
7.0.17 < 7.0.174
1.3-r0 < 1.3.1-r0
1.3_pre1-r1 < 1.3.2
1.0_p10-r0 > 1.0_p9-r0
0.1.0_alpha_pre2 < 0.1.0_alpha
1.0.0_pre20191002222144-r0 < 1.0.0_pre20210530193627-r0
0.2.0-r1 = 0.2.0-r1
2.0.6 = 2.0.6
";

#[test]
fn apk_tools_version_data() {
    let mut checked = 0;
    for line in VECTORS.lines() {
        let mut it = line.split_whitespace();
        let (a, op, b) = (it.next().unwrap(), it.next().unwrap(), it.next().unwrap());
        let want = match op {
            "<" => Ordering::Less,
            ">" => Ordering::Greater,
            "=" => Ordering::Equal,
            other => panic!("operator {other}"),
        };
        let got = Scheme::Alpine
            .compare(a, b)
            .unwrap_or_else(|e| panic!("{line}: {e}"));
        assert_eq!(got, want, "{line}");
        assert_eq!(
            Scheme::Alpine.compare(b, a).unwrap(),
            want.reverse(),
            "{line} reversed"
        );
        checked += 1;
    }
    assert_eq!(checked, VECTORS.lines().count());
    // Lines apk-tools marks invalid: refused, with the offending part named.
    let e = Scheme::Alpine.parse("1.0bc").unwrap_err();
    assert!(
        e.to_string().contains("1.0bc") || e.to_string().contains("bc"),
        "{e}"
    );
    assert!(Scheme::Alpine.parse("23_foo").is_err());
}
