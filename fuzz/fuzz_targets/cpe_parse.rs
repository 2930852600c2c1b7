//! Parses arbitrary UTF-8 as a CPE (formatted string, URI or WFN text); any name that parses
//! must bind to both bindings and WFN text and unbind to the same name, and compare EQUAL to
//! itself when it holds no wildcards.
#![no_main]

use libfuzzer_sys::fuzz_target;
use medsec_core::cpe::Cpe;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(c) = s.parse::<Cpe>() else {
        return;
    };
    let fs = c.to_formatted_string();
    assert_eq!(
        Cpe::from_formatted_string(&fs).ok().as_ref(),
        Some(&c),
        "fs {fs:?} of {s:?}"
    );
    let uri = c.to_uri();
    assert_eq!(
        Cpe::from_uri(&uri).ok().as_ref(),
        Some(&c),
        "uri {uri:?} of {s:?}"
    );
    let wfn = c.to_wfn_string();
    assert_eq!(
        Cpe::from_wfn_string(&wfn).ok().as_ref(),
        Some(&c),
        "wfn {wfn:?} of {s:?}"
    );
    let wild = c
        .attributes()
        .any(|(_, v)| v.as_str().is_some_and(|a| a.has_wildcards()));
    if !wild {
        assert!(c.is_equal_to(&c), "{s:?} not equal to itself");
    }
    let _ = c.compare(&c);
});
