//! Server-rendered SVG charts (no script), legible in print: dark bars with their values on a
//! white ground, suppressed cells drawn as a dashed outline marked x. Presentation attributes
//! only, no `style`, so the page's Content-Security-Policy needs no exception.

/// The translated words a chart carries.
pub struct ChartText {
    pub title: String,
    pub description: String,
    pub suppressed: String,
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Counts by period as bars, no script, legible in print: dark bars with their values,
/// suppressed quarters as a dashed outline marked [x].
pub fn bar_chart(text: &ChartText, quarters: &[(String, Option<u64>)]) -> String {
    let (w, h, left, bottom, top) = (340.0_f64, 200.0_f64, 8.0_f64, 40.0_f64, 18.0_f64);
    let n = quarters.len().max(1) as f64;
    let max = quarters
        .iter()
        .filter_map(|(_, c)| *c)
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let slot = (w - 2.0 * left) / n;
    let bar = (slot * 0.7).max(2.0);
    let plot = h - bottom - top;
    let title = escape(&text.title);
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-labelledby=\"chart-title chart-desc\" class=\"chart\"><title id=\"chart-title\">{title}</title><desc id=\"chart-desc\">{}</desc>",
        escape(&text.description)
    );
    svg.push_str(&format!(
        "<line x1=\"{left}\" y1=\"{y}\" x2=\"{x2}\" y2=\"{y}\" stroke=\"#000\" stroke-width=\"1\"/>",
        y = h - bottom,
        x2 = w - left
    ));
    let every = ((n / 8.0).ceil() as usize).max(1);
    for (i, (q, c)) in quarters.iter().enumerate() {
        let x = left + slot * i as f64 + (slot - bar) / 2.0;
        let cx = x + bar / 2.0;
        match c {
            Some(v) => {
                let bh = (*v as f64 / max * plot).max(1.0);
                let y = h - bottom - bh;
                svg.push_str(&format!(
                    "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{bar:.1}\" height=\"{bh:.1}\" fill=\"#1d3f66\"><title>{q}: {v}</title></rect>"
                ));
                if n <= 16.0 {
                    svg.push_str(&format!(
                        "<text x=\"{cx:.1}\" y=\"{:.1}\" font-size=\"8\" text-anchor=\"middle\" fill=\"#000\">{v}</text>",
                        y - 3.0
                    ));
                }
            }
            None => {
                let bh = 14.0;
                let y = h - bottom - bh;
                svg.push_str(&format!(
                    "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{bar:.1}\" height=\"{bh:.1}\" fill=\"none\" stroke=\"#000\" stroke-dasharray=\"2 2\"><title>{q}: {}</title></rect><text x=\"{cx:.1}\" y=\"{:.1}\" font-size=\"8\" text-anchor=\"middle\" fill=\"#000\">x</text>",
                    escape(&text.suppressed),
                    y + 10.0
                ));
            }
        }
        if i % every == 0 {
            svg.push_str(&format!(
                "<text x=\"{cx:.1}\" y=\"{:.1}\" font-size=\"8\" text-anchor=\"end\" transform=\"rotate(-45 {cx:.1} {:.1})\" fill=\"#000\">{}</text>",
                h - bottom + 10.0,
                h - bottom + 10.0,
                escape(q)
            ));
        }
    }
    svg.push_str("</svg>");
    svg
}

/// Counts by a labelled category (a right, a form) as horizontal bars, so long translated
/// labels stay legible; suppressed figures as a dashed outline marked x. `id` keeps the title
/// and description ids unique when a page has several charts.
pub fn horizontal_bar_chart(id: &str, text: &ChartText, bars: &[(String, Option<u64>)]) -> String {
    let (w, row, label_w, top, right) = (560.0_f64, 14.0_f64, 250.0_f64, 6.0_f64, 40.0_f64);
    let h = top * 2.0 + row * bars.len().max(1) as f64;
    let max = bars
        .iter()
        .filter_map(|(_, c)| *c)
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let plot = w - label_w - right;
    let id = escape(id);
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" class=\"chart\"><title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>",
        escape(&text.title),
        escape(&text.description)
    );
    svg.push_str(&format!(
        "<line x1=\"{label_w}\" y1=\"{top}\" x2=\"{label_w}\" y2=\"{:.1}\" stroke=\"#000\" stroke-width=\"1\"/>",
        h - top
    ));
    for (i, (label, c)) in bars.iter().enumerate() {
        let y = top + row * i as f64 + 2.0;
        let bh = row - 4.0;
        let ty = y + bh - 1.5;
        let short: String = label.chars().take(56).collect();
        svg.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{ty:.1}\" font-size=\"8\" text-anchor=\"end\" fill=\"#000\">{}</text>",
            label_w - 4.0,
            escape(&short)
        ));
        match c {
            Some(v) => {
                let bw = (*v as f64 / max * plot).max(1.0);
                svg.push_str(&format!(
                    "<rect x=\"{label_w}\" y=\"{y:.1}\" width=\"{bw:.1}\" height=\"{bh:.1}\" fill=\"#1d3f66\"><title>{}: {v}</title></rect><text x=\"{:.1}\" y=\"{ty:.1}\" font-size=\"8\" fill=\"#000\">{v}</text>",
                    escape(label),
                    label_w + bw + 3.0
                ));
            }
            None => {
                svg.push_str(&format!(
                    "<rect x=\"{label_w}\" y=\"{y:.1}\" width=\"14\" height=\"{bh:.1}\" fill=\"none\" stroke=\"#000\" stroke-dasharray=\"2 2\"><title>{}: {}</title></rect><text x=\"{:.1}\" y=\"{ty:.1}\" font-size=\"8\" text-anchor=\"middle\" fill=\"#000\">x</text>",
                    escape(label),
                    escape(&text.suppressed),
                    label_w + 7.0
                ));
            }
        }
    }
    svg.push_str("</svg>");
    svg
}
