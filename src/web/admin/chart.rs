//! A line chart drawn on the server as SVG (no JavaScript, no chart library): one line per series
//! over the same days, a scale from zero to the largest value, and the first and last day labelled.
use crate::render::escape_html;

pub struct Series<'a> {
    pub label: &'a str,
    pub values: &'a [i64],
}

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 200.0;
const LEFT: f64 = 40.0;
const RIGHT: f64 = 10.0;
const TOP: f64 = 10.0;
const BOTTOM: f64 = 40.0;

/// The chart as an `<svg>` element; `first_day` and `last_day` label the x axis, `title` is what
/// screen readers hear. Every text is escaped; the result is safe to output as HTML.
pub fn line_chart(title: &str, series: &[Series<'_>], first_day: &str, last_day: &str) -> String {
    let days = series.iter().map(|s| s.values.len()).max().unwrap_or(0);
    let max = series
        .iter()
        .flat_map(|s| s.values.iter().copied())
        .max()
        .unwrap_or(0)
        .max(1);
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let x = |i: usize| {
        if days <= 1 {
            LEFT
        } else {
            LEFT + plot_w * i as f64 / (days - 1) as f64
        }
    };
    let y = |v: i64| TOP + plot_h - plot_h * v.max(0) as f64 / max as f64;
    let mut svg = format!(
        "<svg class=\"chart\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" role=\"img\" aria-label=\"{t}\" \
         xmlns=\"http://www.w3.org/2000/svg\"><title>{t}</title>",
        t = escape_html(title)
    );
    // Axes and the scale.
    svg.push_str(&format!(
        "<line class=\"axis\" x1=\"{LEFT}\" y1=\"{b}\" x2=\"{r}\" y2=\"{b}\"/>\
         <line class=\"axis\" x1=\"{LEFT}\" y1=\"{TOP}\" x2=\"{LEFT}\" y2=\"{b}\"/>\
         <text class=\"tick\" x=\"{tx}\" y=\"{ty}\" text-anchor=\"end\">{max}</text>\
         <text class=\"tick\" x=\"{tx}\" y=\"{b}\" text-anchor=\"end\">0</text>\
         <text class=\"tick\" x=\"{LEFT}\" y=\"{lx}\">{first}</text>\
         <text class=\"tick\" x=\"{r}\" y=\"{lx}\" text-anchor=\"end\">{last}</text>",
        b = TOP + plot_h,
        r = WIDTH - RIGHT,
        tx = LEFT - 4.0,
        ty = TOP + 4.0,
        lx = TOP + plot_h + 14.0,
        first = escape_html(first_day),
        last = escape_html(last_day),
    ));
    for (n, s) in series.iter().enumerate() {
        let points: Vec<String> = s
            .values
            .iter()
            .enumerate()
            .map(|(i, v)| format!("{:.1},{:.1}", x(i), y(*v)))
            .collect();
        svg.push_str(&format!(
            "<polyline class=\"series series-{n}\" fill=\"none\" points=\"{}\"><title>{}</title></polyline>",
            points.join(" "),
            escape_html(s.label)
        ));
        // The legend under the axis.
        let lx = LEFT + 160.0 * n as f64;
        let ly = HEIGHT - 6.0;
        svg.push_str(&format!(
            "<rect class=\"series-{n}\" x=\"{lx}\" y=\"{}\" width=\"12\" height=\"4\"/>\
             <text class=\"legend\" x=\"{}\" y=\"{ly}\">{} ({})</text>",
            ly - 6.0,
            lx + 16.0,
            escape_html(s.label),
            s.values.iter().sum::<i64>()
        ));
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_point_per_day_scaled_to_the_largest_value() {
        let a = [0, 2, 4];
        let b = [1, 1, 1];
        let svg = line_chart(
            "Per day",
            &[
                Series {
                    label: "Sign-ups",
                    values: &a,
                },
                Series {
                    label: "Posts <b>",
                    values: &b,
                },
            ],
            "1 Nov",
            "3 Nov",
        );
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert_eq!(svg.matches("<polyline").count(), 2);
        // x from 40 to 630, y from 160 (zero) to 10 (the maximum, 4).
        assert!(
            svg.contains("points=\"40.0,160.0 335.0,85.0 630.0,10.0\""),
            "{svg}"
        );
        assert!(svg.contains(">4</text>"));
        assert!(svg.contains("Posts &lt;b&gt; (3)"), "labels are escaped");
        assert!(!svg.contains("<b>"));
    }

    #[test]
    fn an_empty_month_draws_flat_lines() {
        let zeros = [0; 30];
        let svg = line_chart(
            "x",
            &[Series {
                label: "s",
                values: &zeros,
            }],
            "a",
            "b",
        );
        assert!(svg.contains("40.0,160.0"));
        assert!(svg.contains("630.0,160.0"));
    }
}
