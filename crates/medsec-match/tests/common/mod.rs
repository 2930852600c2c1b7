//! Shared by the integration tests: a small deterministic generator of versions per
//! scheme, valid in that scheme and varied where the rules are subtle.
#![allow(dead_code)]

use medsec_match::Scheme;

/// SplitMix64: small, deterministic, good enough to spread choices.
pub struct Rng(pub u64);
impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
    pub fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
    pub fn chance(&mut self, pct: usize) -> bool {
        self.below(100) < pct
    }
    /// Small numbers mostly, so that equal parts are frequent.
    pub fn num(&mut self) -> u64 {
        match self.below(10) {
            0..=5 => self.below(3) as u64,
            6..=8 => self.below(12) as u64,
            _ => self.below(100_000) as u64,
        }
    }
}

fn semver_ident(r: &mut Rng) -> String {
    match r.below(3) {
        0 => r.num().to_string(),
        1 => r
            .pick(&[
                "alpha", "beta", "rc", "a", "b", "x-y", "A", "Beta", "0a", "-",
            ])
            .into(),
        _ => format!("{}{}", r.pick(&["alpha", "rc", "pre"]), r.num()),
    }
}

fn semver_core(r: &mut Rng) -> String {
    format!("{}.{}.{}", r.num(), r.num(), r.num())
}

fn dotted(r: &mut Rng, max: usize, f: &mut dyn FnMut(&mut Rng) -> String) -> String {
    let n = 1 + r.below(max);
    (0..n).map(|_| f(r)).collect::<Vec<_>>().join(".")
}

pub fn semver(r: &mut Rng) -> String {
    let mut s = semver_core(r);
    if r.chance(50) {
        s.push('-');
        s.push_str(&dotted(r, 3, &mut semver_ident));
    }
    if r.chance(15) {
        s.push('+');
        s.push_str(&dotted(r, 2, &mut |r| {
            r.pick(&["build", "1", "sha-5114f85", "001"]).into()
        }));
    }
    s
}

pub fn npm(r: &mut Rng) -> String {
    let s = semver(r);
    match r.below(20) {
        0..=3 => format!("v{s}"),
        4 => format!("={s}"),
        _ => s,
    }
}

pub fn golang(r: &mut Rng) -> String {
    match r.below(8) {
        0 => format!(
            "v0.0.0-2019{:02}{:02}{:06}-{:012x}",
            1 + r.below(12),
            1 + r.below(28),
            r.below(240_000),
            r.next_u64() & 0xffff_ffff_ffff
        ),
        1 => format!(
            "v{}.{}.{}-0.2020{:02}{:02}{:06}-{:012x}",
            r.num(),
            r.num(),
            r.num() + 1,
            1 + r.below(12),
            1 + r.below(28),
            r.below(240_000),
            r.next_u64() & 0xffff_ffff_ffff
        ),
        2 => format!("v{}.0.0+incompatible", 2 + r.below(3)),
        _ => {
            let s = semver(r);
            if r.chance(80) { format!("v{s}") } else { s }
        }
    }
}

pub fn pep440(r: &mut Rng) -> String {
    let mut s = String::new();
    if r.chance(5) {
        s.push_str(&format!("{}!", r.below(3)));
    }
    let n = 1 + r.below(4);
    s.push_str(
        &(0..n)
            .map(|_| r.num().to_string())
            .collect::<Vec<_>>()
            .join("."),
    );
    if r.chance(35) {
        let sep = r.pick(&["", "", ".", "-", "_"]);
        let kind = r.pick(&["a", "b", "rc", "alpha", "beta", "c", "pre", "preview", "RC"]);
        let num = if r.chance(80) {
            r.num().to_string()
        } else {
            String::new()
        };
        s.push_str(&format!("{sep}{kind}{num}"));
    }
    if r.chance(25) {
        match r.below(3) {
            0 => s.push_str(&format!("-{}", r.num())),
            1 => s.push_str(&format!(".post{}", r.num())),
            _ => s.push_str(&format!(
                "{}{}",
                r.pick(&["post", "-rev", ".r", "_post"]),
                r.num()
            )),
        }
    }
    if r.chance(25) {
        let num = if r.chance(80) {
            r.num().to_string()
        } else {
            String::new()
        };
        s.push_str(&format!("{}dev{num}", r.pick(&[".", "", "-", "_"])));
    }
    if r.chance(15) {
        s.push('+');
        s.push_str(&dotted(r, 3, &mut |r| {
            if r.chance(50) {
                r.num().to_string()
            } else {
                r.pick(&["ubuntu", "abc", "local7", "x"]).into()
            }
        }));
    }
    if r.chance(5) {
        s = format!("v{s}");
    }
    s
}

pub fn maven(r: &mut Rng) -> String {
    let mut s = r.num().to_string();
    let n = r.below(5);
    for _ in 0..n {
        let sep = r.pick(&[".", ".", "-", ""]);
        let part = match r.below(4) {
            0 | 1 => r.num().to_string(),
            _ => r
                .pick(&[
                    "alpha",
                    "beta",
                    "milestone",
                    "rc",
                    "cr",
                    "snapshot",
                    "SNAPSHOT",
                    "ga",
                    "final",
                    "sp",
                    "a",
                    "b",
                    "m",
                    "foo",
                    "Final",
                    "abc",
                    "RC",
                ])
                .into(),
        };
        // Without a separator only a digit/letter change splits, as in `1a1`.
        if sep.is_empty() {
            let last_digit = s.ends_with(|c: char| c.is_ascii_digit());
            let first_digit = part.starts_with(|c: char| c.is_ascii_digit());
            if last_digit == first_digit {
                s.push('.');
            }
        }
        s.push_str(sep);
        s.push_str(&part);
    }
    s
}

pub fn nuget(r: &mut Rng) -> String {
    let n = 2 + r.below(3);
    let mut s = (0..n)
        .map(|_| r.num().to_string())
        .collect::<Vec<_>>()
        .join(".");
    if r.chance(40) {
        s.push('-');
        s.push_str(&dotted(r, 3, &mut |r| match r.below(3) {
            0 => r.num().to_string(),
            1 => r
                .pick(&["alpha", "Alpha", "BETA", "beta", "rc", "RC", "preview"])
                .into(),
            _ => format!("{}{}", r.pick(&["alpha", "rc"]), r.num()),
        }));
    }
    if r.chance(10) {
        s.push_str("+meta");
    }
    s
}

fn deb_part(r: &mut Rng, allow_hyphen: bool) -> String {
    let mut s = r.num().to_string();
    for _ in 0..r.below(4) {
        let sep = if allow_hyphen {
            r.pick(&[".", ".", "+", "~", "-", ""])
        } else {
            r.pick(&[".", ".", "+", "~", ""])
        };
        s.push_str(sep);
        match r.below(3) {
            0 => s.push_str(&r.num().to_string()),
            1 => s.push_str(r.pick(&["a", "b", "rc", "dfsg", "ubuntu", "bpo", "git", "Z", "deb"])),
            _ => s.push_str(&format!("{}{}", r.pick(&["rc", "ubuntu", "beta"]), r.num())),
        }
    }
    s
}

pub fn debian(r: &mut Rng) -> String {
    let mut s = String::new();
    if r.chance(10) {
        s.push_str(&format!("{}:", r.below(3)));
    }
    let has_rev = r.chance(70);
    s.push_str(&deb_part(r, has_rev));
    if has_rev {
        s.push('-');
        let rev = deb_part(r, false);
        s.push_str(&rev);
    }
    s
}

fn rpm_part(r: &mut Rng) -> String {
    let mut s = r.num().to_string();
    for _ in 0..r.below(4) {
        s.push_str(r.pick(&[".", ".", "_", "+", "~", "^", ""]));
        match r.below(3) {
            0 => s.push_str(&r.num().to_string()),
            1 => s.push_str(r.pick(&["a", "b", "rc", "el8", "fc30", "git", "p", "Z"])),
            _ => s.push_str(&format!("{}{}", r.pick(&["rc", "git", "el"]), r.num())),
        }
    }
    s
}

pub fn rpm(r: &mut Rng) -> String {
    let mut s = String::new();
    if r.chance(10) {
        s.push_str(&format!("{}:", r.below(3)));
    }
    s.push_str(&rpm_part(r));
    if r.chance(60) {
        s.push('-');
        s.push_str(&rpm_part(r));
    }
    s
}

/// `gentoo_only`: only the suffixes Gentoo knows (the oracle's set).
pub fn alpine(r: &mut Rng, gentoo_only: bool) -> String {
    let n = 1 + r.below(4);
    let mut s = (0..n)
        .map(|i| {
            let v = r.num().to_string();
            // Leading zeros after the first number exercise the string rule.
            if i > 0 && r.chance(10) {
                format!("0{v}")
            } else {
                v
            }
        })
        .collect::<Vec<_>>()
        .join(".");
    if r.chance(15) {
        s.push_str(r.pick(&["a", "b", "z"]));
    }
    let suffixes: &[&str] = if gentoo_only {
        &["alpha", "beta", "pre", "rc", "p"]
    } else {
        &["alpha", "beta", "pre", "rc", "p", "cvs", "svn", "git", "hg"]
    };
    for _ in 0..r.below(3) {
        s.push('_');
        s.push_str(r.pick(suffixes));
        if r.chance(60) {
            s.push_str(&r.num().to_string());
        }
    }
    if r.chance(40) {
        s.push_str(&format!("-r{}", r.num()));
    }
    s
}

pub fn generic(r: &mut Rng) -> String {
    let mut s = if r.chance(10) {
        "V".to_owned()
    } else {
        String::new()
    };
    s.push_str(&r.num().to_string());
    for _ in 0..r.below(5) {
        s.push_str(r.pick(&[".", ".", "-", "_", " ", ""]));
        match r.below(4) {
            0 | 1 => s.push_str(&r.num().to_string()),
            2 => s.push_str(r.pick(&[
                "a", "f", "g", "beta", "rc", "Build", "SP", "p", "alpha", "dev",
            ])),
            _ => s.push_str(&format!("{}{}", r.pick(&["build", "sp", "rc"]), r.num())),
        }
    }
    s
}

pub fn generate(scheme: Scheme, r: &mut Rng) -> String {
    match scheme {
        Scheme::Semver | Scheme::Cargo => semver(r),
        Scheme::Npm => npm(r),
        Scheme::Golang => golang(r),
        Scheme::Pep440 => pep440(r),
        Scheme::Maven => maven(r),
        Scheme::Nuget => nuget(r),
        Scheme::Debian => debian(r),
        Scheme::Rpm => rpm(r),
        Scheme::Alpine => alpine(r, false),
        _ => generic(r),
    }
}

/// A second version near the first: often sharing a prefix, so ties and the subtle
/// rules (suffixes, qualifiers, separators) decide.
pub fn neighbour(
    scheme: Scheme,
    first: &str,
    r: &mut Rng,
    gen_fn: &mut dyn FnMut(&mut Rng) -> String,
) -> String {
    let _ = scheme;
    match r.below(4) {
        0 => first.to_owned(),
        1 => {
            let other = gen_fn(r);
            // Splice: the first's head, the other's tail.
            let cut_a = r.below(first.len() + 1);
            let cut_b = r.below(other.len() + 1);
            if first.is_char_boundary(cut_a) && other.is_char_boundary(cut_b) {
                format!("{}{}", &first[..cut_a], &other[cut_b..])
            } else {
                other
            }
        }
        _ => gen_fn(r),
    }
}

/// Maven versions of a conventional shape: numbers ending in a non-zero one, then an
/// optional `-qualifier[N]` and `-SNAPSHOT` (`1.2.3`, `1.2-beta-2`, `2.1-SNAPSHOT`,
/// `31.1-jre`): ComparableVersion is transitive on them.
/// Its unusual shapes are not always (see `medsec_match::maven`), so the order
/// properties are checked on these.
pub fn maven_conventional(r: &mut Rng) -> String {
    let n = 1 + r.below(4);
    let mut nums: Vec<String> = (0..n).map(|_| r.num().to_string()).collect();
    // A last number of 0 is trimmed by Maven only when nothing follows it, which is
    // where the order stops being transitive; conventional versions end in non-zero.
    if let Some(last) = nums.last_mut() {
        *last = (1 + r.num()).to_string();
    }
    let mut s = nums.join(".");
    if r.chance(50) {
        let q = r.pick(&[
            "alpha",
            "beta",
            "milestone",
            "rc",
            "cr",
            "SNAPSHOT",
            "ga",
            "final",
            "Final",
            "RELEASE",
            "sp",
            "M",
            "RC",
            "jre",
            "android",
        ]);
        s.push('-');
        s.push_str(q);
        if r.chance(50) {
            s.push_str(r.pick(&["", "-", "."]));
            s.push_str(&(1 + r.num()).to_string());
        }
    }
    if r.chance(10) {
        s.push_str("-SNAPSHOT");
    }
    s
}
