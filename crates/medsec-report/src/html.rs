//! The HTML writer: one self-contained file. Inline CSS (readable on screen, printable),
//! SVG figures inline, no script, nothing fetched from elsewhere; every text escaped.

use crate::doc::{Block, Document, Inline, Section};

const CSS: &str = "\
:root{color-scheme:light}\
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif;\
color:#111;background:#fff;line-height:1.45;margin:0 auto;max-width:75rem;padding:1.5rem}\
h1{font-size:1.7rem;margin:0 0 .3rem}\
h2{font-size:1.35rem;border-bottom:2px solid #234;padding-bottom:.2rem;margin-top:2.2rem}\
h3{font-size:1.12rem;margin-top:1.6rem}h4{font-size:1rem}\
.subtitle{color:#333;margin:.1rem 0}\
nav ol{columns:2;padding-left:1.4rem}\
a{color:#0b4f8a}\
table{border-collapse:collapse;margin:.6rem 0 1rem;font-size:.86rem;width:100%}\
caption{text-align:left;font-weight:600;padding:.2rem 0;color:#111}\
th,td{border:1px solid #8a8a8a;padding:.25rem .4rem;text-align:left;vertical-align:top;\
overflow-wrap:anywhere}\
thead th{background:#e6ecf2}\
table.facts th{background:#f2f4f7;width:16rem}\
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em;\
overflow-wrap:anywhere}\
.note{border-left:4px solid #8a5a00;background:#fff7e6;padding:.4rem .7rem;margin:.6rem 0}\
figure{margin:1rem 0}figure svg{max-width:100%;height:auto}\
figcaption{font-size:.88rem;color:#333}\
@media print{body{max-width:none;padding:0;font-size:10pt}nav{page-break-after:always}\
h2{page-break-before:always}h2,h3{page-break-after:avoid}\
tr,figure{page-break-inside:avoid}a{color:#111;text-decoration:none}}";

/// Renders the document as one HTML file.
pub fn render(doc: &Document) -> String {
    let mut out = String::new();
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str(
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"medsec\">\n",
    );
    out.push_str(&format!("<title>{}</title>\n", escape(&doc.title)));
    out.push_str(&format!("<style>{CSS}</style>\n</head>\n<body>\n"));
    out.push_str("<header>\n");
    out.push_str(&format!("<h1>{}</h1>\n", escape(&doc.title)));
    for line in &doc.subtitle {
        out.push_str(&format!("<p class=\"subtitle\">{}</p>\n", escape(line)));
    }
    out.push_str("</header>\n");
    out.push_str("<nav aria-label=\"Contents\">\n<h2 id=\"contents\">Contents</h2>\n<ol>\n");
    for (number, s) in doc.numbered() {
        if !number.contains('.') {
            out.push_str(&format!(
                "<li><a href=\"#{}\">{number} {}</a></li>\n",
                escape(&s.id),
                escape(&s.title)
            ));
        }
    }
    out.push_str("</ol>\n</nav>\n<main>\n");
    let mut figures = 0;
    for (i, s) in doc.sections.iter().enumerate() {
        section(&mut out, s, &format!("{}", i + 1), 2, &mut figures);
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

fn section(out: &mut String, s: &Section, number: &str, level: usize, figures: &mut usize) {
    let h = level.min(6);
    out.push_str(&format!("<section id=\"{}\">\n", escape(&s.id)));
    out.push_str(&format!("<h{h}>{number} {}</h{h}>\n", escape(&s.title)));
    for b in &s.blocks {
        block(out, b, figures);
    }
    for (i, sub) in s.subsections.iter().enumerate() {
        section(out, sub, &format!("{number}.{}", i + 1), level + 1, figures);
    }
    out.push_str("</section>\n");
}

fn block(out: &mut String, b: &Block, figures: &mut usize) {
    match b {
        Block::Paragraph { text } => {
            out.push_str(&format!("<p>{}</p>\n", inlines(text)));
        }
        Block::Note { text } => {
            out.push_str(&format!(
                "<div class=\"note\" role=\"note\"><p>{}</p></div>\n",
                inlines(text)
            ));
        }
        Block::Facts { rows } => {
            out.push_str("<table class=\"facts\">\n<tbody>\n");
            for (k, v) in rows {
                out.push_str(&format!(
                    "<tr><th scope=\"row\">{}</th><td>{}</td></tr>\n",
                    escape(k),
                    escape(v)
                ));
            }
            out.push_str("</tbody>\n</table>\n");
        }
        Block::Table {
            caption,
            header,
            rows,
        } => {
            out.push_str("<table>\n");
            if let Some(c) = caption {
                out.push_str(&format!("<caption>{}</caption>\n", escape(c)));
            }
            out.push_str("<thead><tr>");
            for h in header {
                out.push_str(&format!("<th scope=\"col\">{}</th>", escape(h)));
            }
            out.push_str("</tr></thead>\n<tbody>\n");
            if rows.is_empty() {
                out.push_str(&format!(
                    "<tr><td colspan=\"{}\">(none)</td></tr>\n",
                    header.len().max(1)
                ));
            }
            for r in rows {
                out.push_str("<tr>");
                for c in r {
                    out.push_str(&format!("<td>{}</td>", escape(c)));
                }
                out.push_str("</tr>\n");
            }
            out.push_str("</tbody>\n</table>\n");
        }
        Block::List { items } => {
            out.push_str("<ul>\n");
            for item in items {
                out.push_str(&format!("<li>{}</li>\n", inlines(item)));
            }
            out.push_str("</ul>\n");
        }
        Block::Figure { svg, caption } => {
            *figures += 1;
            out.push_str("<figure>\n");
            out.push_str(&scope_ids(
                &inline_svg(svg, caption),
                &format!("figure-{figures}"),
            ));
            out.push_str(&format!(
                "\n<figcaption>{}</figcaption>\n</figure>\n",
                escape(caption)
            ));
        }
    }
}

/// A standalone SVG document made fit to sit inside HTML: the XML declaration and any
/// doctype dropped, and an accessible name given (`role="img"`, `aria-label`) unless
/// the SVG names itself.
fn inline_svg(svg: &str, caption: &str) -> String {
    let mut text = svg.trim();
    if text.starts_with("<?xml")
        && let Some(end) = text.find("?>")
    {
        text = text[end + 2..].trim_start();
    }
    if text.starts_with("<!DOCTYPE")
        && let Some(end) = text.find('>')
    {
        text = text[end + 1..].trim_start();
    }
    let opening = text.split('>').next().unwrap_or_default();
    match text.strip_prefix("<svg") {
        Some(_) if opening.contains("role=") => text.to_owned(),
        Some(rest) => format!("<svg role=\"img\" aria-label=\"{}\"{rest}", escape(caption)),
        None => format!("<p>(figure not drawn: {})</p>", escape(caption)),
    }
}

/// Gives every id of an inlined SVG, and every reference to one, the figure's prefix:
/// each figure is drawn as a standalone document, so two figures (or a figure and a
/// section anchor) may use the same id, and in one HTML page a duplicate id makes a
/// pattern, marker or accessible name resolve to the wrong element.
fn scope_ids(svg: &str, prefix: &str) -> String {
    const REFERENCES: [&str; 5] = [
        " id=\"",
        "url(#",
        "href=\"#",
        "aria-labelledby=\"",
        "aria-describedby=\"",
    ];
    let mut out = String::with_capacity(svg.len() + svg.len() / 16);
    let mut rest = svg;
    while let Some((at, pattern)) = REFERENCES
        .iter()
        .filter_map(|p| rest.find(p).map(|at| (at, *p)))
        .min_by_key(|(at, _)| *at)
    {
        let after = at + pattern.len();
        out.push_str(&rest[..after]);
        rest = &rest[after..];
        if pattern.starts_with("aria-") {
            // A list of ids separated by spaces, up to the closing quote.
            let end = rest.find('"').unwrap_or(rest.len());
            let ids: Vec<String> = rest[..end]
                .split_whitespace()
                .map(|id| format!("{prefix}-{id}"))
                .collect();
            out.push_str(&ids.join(" "));
            rest = &rest[end..];
        } else {
            out.push_str(prefix);
            out.push('-');
        }
    }
    out.push_str(rest);
    out
}

fn inlines(runs: &[Inline]) -> String {
    runs.iter()
        .map(|r| match r {
            Inline::Plain(t) => escape(t),
            Inline::Strong(t) => format!("<strong>{}</strong>", escape(t)),
            Inline::Code(t) => format!("<code>{}</code>", escape(t)),
        })
        .collect()
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_references_get_the_figure_prefix() {
        let svg = r##"<svg role="img" aria-labelledby="t d"><title id="t">x</title><desc id="d">y</desc><pattern id="p"/><rect fill="url(#p)"/><use href="#p"/><g class="flow" data-id="keep"/></svg>"##;
        let scoped = scope_ids(svg, "figure-2");
        assert_eq!(
            scoped,
            r##"<svg role="img" aria-labelledby="figure-2-t figure-2-d"><title id="figure-2-t">x</title><desc id="figure-2-d">y</desc><pattern id="figure-2-p"/><rect fill="url(#figure-2-p)"/><use href="#figure-2-p"/><g class="flow" data-id="keep"/></svg>"##
        );
    }
}
