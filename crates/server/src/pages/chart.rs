//! The dashboard's bar chart of records synced and failed over time, drawn as inline SVG on
//! the server.

use std::fmt::Write as _;

use serde_json::Value;

const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 160.0;
/// Room below the bars for the time labels.
const AXIS: f64 = 20.0;

/// Draws the chart series of `GET /api/flows` (`{"from", "to", "buckets": [{"synced",
/// "failed"}]}`): a green bar of synced records and a red bar of failures per time span,
/// both on one scale. Returns a short text when there is nothing to draw yet.
pub fn svg(chart: &Value) -> String {
    let buckets = chart["buckets"].as_array().cloned().unwrap_or_default();
    if buckets.is_empty() {
        return "<p class=\"muted\">No finished pass yet.</p>".to_string();
    }
    let count = |bucket: &Value, name: &str| bucket[name].as_u64().unwrap_or(0);
    let max = buckets
        .iter()
        .map(|bucket| count(bucket, "synced").max(count(bucket, "failed")))
        .max()
        .unwrap_or(0)
        .max(1);
    let slot = WIDTH / buckets.len() as f64;
    let bar = (slot / 2.0 - 1.0).max(1.0);
    let plot = HEIGHT - AXIS;
    let mut svg = format!(
        "<svg class=\"chart\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" role=\"img\" \
         aria-label=\"Records synced and failed over time\">"
    );
    for (index, bucket) in buckets.iter().enumerate() {
        let x = index as f64 * slot;
        for (offset, name, class) in [(0.0, "synced", "synced"), (bar + 1.0, "failed", "failed")] {
            let value = count(bucket, name);
            let height = plot * value as f64 / max as f64;
            let _ = write!(
                svg,
                "<rect class=\"{class}\" x=\"{:.1}\" y=\"{:.1}\" width=\"{bar:.1}\" \
                 height=\"{height:.1}\"><title>{value} {name}</title></rect>",
                x + offset,
                plot - height
            );
        }
    }
    let label = |key: &str| {
        chart[key]
            .as_str()
            .and_then(|text| chrono::DateTime::parse_from_rfc3339(text).ok())
            .map(|time| time.format("%Y-%m-%d %H:%M UTC").to_string())
            .unwrap_or_default()
    };
    let _ = write!(
        svg,
        "<text x=\"0\" y=\"{HEIGHT}\" class=\"axis\">{}</text>\
         <text x=\"{WIDTH}\" y=\"{HEIGHT}\" class=\"axis\" text-anchor=\"end\">{}</text>\
         <text x=\"{WIDTH}\" y=\"12\" class=\"axis\" text-anchor=\"end\">max {max}</text></svg>",
        label("from"),
        label("to")
    );
    svg
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn tallest_bar_fills_the_plot() {
        let chart = json!({
            "from": "2026-01-01T10:00:00Z",
            "to": "2026-01-01T11:00:00Z",
            "buckets": [{"synced": 10, "failed": 0}, {"synced": 5, "failed": 2}],
        });
        let svg = svg(&chart);
        assert!(svg.contains("height=\"140.0\""), "{svg}");
        assert!(svg.contains("<title>2 failed</title>"), "{svg}");
        assert!(svg.contains("2026-01-01 10:00 UTC"), "{svg}");
    }

    #[test]
    fn empty_chart_says_so() {
        let svg = svg(&json!({"buckets": []}));
        assert!(svg.contains("No finished pass yet"), "{svg}");
    }
}
