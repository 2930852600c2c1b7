//! The page frame: the one stylesheet, the layout with navigation and the logout form,
//! the Content-Security-Policy, and small shared pieces (CSRF field, badges, sparkline).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use maud::{DOCTYPE, Markup, PreEscaped, html};
use medsec_server::auth::{CSRF_FIELD, Caller};
use sha2::{Digest, Sha256};

/// The only stylesheet: system fonts, WCAG AA contrast (text #1a1a1a on white, links
/// #0b4f9c, badges with dark text on light fills), visible focus outlines.
pub const STYLE: &str = r#"
:root{color-scheme:light}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1a1a1a;background:#fff}
a{color:#0b4f9c}
a:focus,button:focus,input:focus,select:focus,textarea:focus,summary:focus{outline:3px solid #b35900;outline-offset:2px}
header.top{background:#12314f;color:#fff;padding:.5rem 1rem;display:flex;gap:1rem;align-items:center;flex-wrap:wrap}
header.top a{color:#fff}
header.top .who{margin-left:auto}
header.top form{display:inline}
.skip{position:absolute;left:-999px}
.skip:focus{left:1rem;top:.5rem;background:#fff;color:#0b4f9c;padding:.25rem .5rem}
main{padding:1rem;max-width:80rem;margin:0 auto}
nav.crumbs ol{list-style:none;padding:0;margin:0 0 1rem;display:flex;flex-wrap:wrap;gap:.5rem}
nav.crumbs li+li:before{content:"/";margin-right:.5rem;color:#555}
nav.tabs ul{list-style:none;padding:0;margin:0 0 1rem;display:flex;flex-wrap:wrap;gap:1rem;border-bottom:1px solid #ccc}
nav.tabs a[aria-current]{font-weight:bold;text-decoration:none;border-bottom:3px solid #12314f}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem;font-size:.92rem}
caption{text-align:left;font-weight:bold;padding:.25rem 0}
th,td{border:1px solid #bbb;padding:.3rem .45rem;text-align:left;vertical-align:top}
th{background:#eef2f6}
td.num,th.num{text-align:right}
.sev{display:inline-block;padding:0 .4rem;border-radius:.25rem;border:1px solid #555;font-size:.85rem;white-space:nowrap}
.sev-critical,.sev-unacceptable,.sev-fail{background:#f8d0d0}
.sev-high,.sev-alarp-review{background:#fde2c4}
.sev-medium{background:#fff2b3}
.sev-low,.sev-acceptable,.sev-pass{background:#d5efd5}
.sev-none,.sev-unknown,.sev-not-assessed,.sev-not-applicable{background:#e6e6e6}
form.box,fieldset{border:1px solid #bbb;padding:.75rem 1rem;margin:0 0 1rem;border-radius:.25rem}
form.filters{display:flex;flex-wrap:wrap;gap:.75rem;align-items:end;margin-bottom:.5rem}
label{display:block;font-weight:600;margin:.4rem 0 .15rem}
input[type=text],input[type=email],input[type=password],input[type=date],input[type=number],select,textarea{font:inherit;padding:.3rem;border:1px solid #555;border-radius:.2rem;max-width:100%}
textarea{width:100%;min-height:5rem}
button{font:inherit;padding:.35rem .9rem;border:1px solid #12314f;background:#12314f;color:#fff;border-radius:.2rem;cursor:pointer}
button.link{background:none;border:none;color:#fff;text-decoration:underline;padding:0}
.notice{border-left:5px solid #1b6e1b;background:#eef8ee;padding:.5rem 1rem;margin:0 0 1rem}
.problem{border-left:5px solid #a11;background:#fbeaea;padding:.5rem 1rem;margin:0 0 1rem}
.muted{color:#4a4a4a}
.scroll{overflow-x:auto;margin:0 0 1rem}
.figure{overflow-x:auto;border:1px solid #ddd;padding:.5rem;margin:0 0 1rem}
.figure svg{max-width:100%;height:auto}
code,.mono{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.9em;overflow-wrap:anywhere}
ol.chain{padding-left:1.25rem}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}
dl.facts dt{font-weight:600}
dl.facts dd{margin:0}
"#;

fn style_hash() -> String {
    base64::engine::general_purpose::STANDARD.encode(Sha256::digest(STYLE.as_bytes()))
}

/// The Content-Security-Policy of every page: nothing but the stylesheet above (by
/// hash), same-origin images, same-origin form targets; no script at all.
pub fn content_security_policy() -> String {
    format!(
        "default-src 'none'; style-src 'sha256-{}'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        style_hash()
    )
}

/// One step of the breadcrumb trail: text and, except for the current page, a link.
pub struct Crumb {
    pub text: String,
    pub href: Option<String>,
}

pub fn crumb(text: impl Into<String>, href: impl Into<String>) -> Crumb {
    Crumb {
        text: text.into(),
        href: Some(href.into()),
    }
}

pub fn here(text: impl Into<String>) -> Crumb {
    Crumb {
        text: text.into(),
        href: None,
    }
}

/// The hidden CSRF field of a state-changing form.
pub fn csrf_field(caller: &Caller) -> Markup {
    html! {
        input type="hidden" name=(CSRF_FIELD) value=(caller.csrf_token.as_deref().unwrap_or_default());
    }
}

/// A whole page.
pub fn layout(title: &str, caller: Option<&Caller>, crumbs: &[Crumb], body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · medsec" }
                style { (PreEscaped(STYLE)) }
            }
            body {
                a.skip href="#main" { "Skip to content" }
                header.top {
                    a href="/" { strong { "medsec" } }
                    @if let Some(c) = caller {
                        span.who {
                            (c.actor.split_once(' ').map_or(c.actor.as_str(), |(_, name)| name))
                            " "
                        }
                        form method="post" action="/logout" {
                            (csrf_field(c))
                            button.link type="submit" { "Log out" }
                        }
                    }
                }
                main #main {
                    @if !crumbs.is_empty() {
                        nav.crumbs aria-label="Breadcrumb" {
                            ol {
                                @for c in crumbs {
                                    li {
                                        @match &c.href {
                                            Some(h) => a href=(h) { (c.text) },
                                            None => span aria-current="page" { (c.text) },
                                        }
                                    }
                                }
                            }
                        }
                    }
                    h1 { (title) }
                    (body)
                }
            }
        }
    }
}

/// The tabs of a version's pages.
pub fn version_tabs(version: i64, current: &str) -> Markup {
    let tabs = [
        ("device", "Device", format!("/versions/{version}")),
        ("tests", "Test plan", format!("/versions/{version}/tests")),
        (
            "findings",
            "Findings",
            format!("/versions/{version}/findings"),
        ),
        ("report", "Report", format!("/versions/{version}/report")),
    ];
    html! {
        nav.tabs aria-label="Version" {
            ul {
                @for (id, text, href) in &tabs {
                    li {
                        @if *id == current {
                            a href=(href) aria-current="page" { (text) }
                        } @else {
                            a href=(href) { (text) }
                        }
                    }
                }
            }
        }
    }
}

/// A page as a response, with its status.
pub fn respond(status: StatusCode, markup: Markup) -> Response {
    let mut r = (status, markup.into_string()).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    r
}

/// A severity, risk or outcome as a badge (text first: colour is never the only cue).
pub fn badge(text: &str) -> Markup {
    let class = format!("sev sev-{}", text.to_ascii_lowercase());
    html! { span class=(class) { (text) } }
}

/// A 303 redirect after a form (the browser then GETs the page).
pub fn see_other(location: &str) -> Response {
    let mut r = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(location) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

/// Bars of open findings over the monitoring runs, as an inline SVG with a text
/// alternative. Empty history: nothing drawn.
pub fn sparkline(points: &[(String, usize)], label: &str) -> Markup {
    if points.is_empty() {
        return html! { span.muted { "no monitoring history" } };
    }
    let max = points.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    let (bar, gap, height) = (8usize, 2usize, 28usize);
    let width = points.len() * (bar + gap);
    let description = points
        .iter()
        .map(|(at, n)| format!("{at}: {n}"))
        .collect::<Vec<_>>()
        .join("; ");
    html! {
        svg xmlns="http://www.w3.org/2000/svg" width=(width) height=(height)
            viewBox=(format!("0 0 {width} {height}")) role="img" aria-label=(format!("{label}: {description}")) {
            title { (label) ": " (description) }
            @for (i, (at, n)) in points.iter().enumerate() {
                @let h = if *n == 0 { 1 } else { (n * (height - 2)).div_ceil(max) };
                rect x=(i * (bar + gap)) y=(height - h) width=(bar) height=(h)
                    fill=(if *n == 0 { "#9e9e9e" } else { "#b3261e" }) {
                    title { (at) ": " (n) " open" }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_allows_exactly_the_stylesheet_and_no_script() {
        let csp = content_security_policy();
        let hash =
            base64::engine::general_purpose::STANDARD.encode(Sha256::digest(STYLE.as_bytes()));
        assert!(csp.contains(&format!("style-src 'sha256-{hash}'")));
        assert!(csp.starts_with("default-src 'none';"));
        assert!(!csp.contains("script-src") && !csp.contains("unsafe"));
        // The page holds the stylesheet byte for byte, so the hash matches.
        let page = layout("t", None, &[], html! {}).into_string();
        assert!(page.contains(&format!("<style>{STYLE}</style>")));
    }

    #[test]
    fn the_sparkline_says_what_it_draws() {
        let svg = sparkline(&[("run 1".into(), 0), ("run 2".into(), 4)], "Open").into_string();
        assert!(svg.contains("aria-label=\"Open: run 1: 0; run 2: 4\""));
        assert_eq!(svg.matches("<rect").count(), 2);
        assert!(
            sparkline(&[], "Open")
                .into_string()
                .contains("no monitoring history")
        );
    }

    #[test]
    fn text_is_escaped() {
        let page = layout("<script>", None, &[here("a&b")], html! {}).into_string();
        assert!(page.contains("&lt;script&gt;") && !page.contains("<script>"));
        assert!(page.contains("a&amp;b"));
    }
}
