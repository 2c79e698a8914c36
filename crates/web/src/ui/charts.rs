//! Bar charts whose labels never overlap. The server decides the layout and sends it in
//! the chart's JSON (read by `assets/app.js`):
//! - `horizontal`: names on the y axis, one row each, sorted by the first series (largest
//!   on top), when there are many categories or a long name;
//! - at most [`MAX_BARS`] bars: past that the first [`MAX_BARS`] − 1 stay and the rest are
//!   summed as one bar 其他 (no drill-down code), `others` says how many it holds;
//! - `contain_label`: the grid makes room for the axis labels (long names are cut with an
//!   ellipsis at `label_width` pixels; the tooltip shows the full name).
use crate::i18n::T;
use serde_json::{json, Value};

/// More categories than this are drawn as horizontal bars.
pub const HORIZONTAL_OVER: usize = 8;
/// A name longer than this (in characters) is drawn on a horizontal bar too: under a
/// vertical bar it would be rotated or clipped.
pub const LONG_NAME: usize = 6;
/// At most this many bars; the rest are summed as 其他.
pub const MAX_BARS: usize = 15;
/// Width in pixels of the names on a horizontal bar's axis (longer ones end in "…").
pub const LABEL_WIDTH: u32 = 150;

/// One category of a bar chart: its name, the code a click drills down to, one value per
/// series.
pub struct Bar {
    pub name: String,
    pub code: Option<String>,
    pub values: Vec<f64>,
}

/// The JSON of a bar chart: `names`, `codes`, `series` (`name`, `values`) and the layout
/// (`horizontal`, `contain_label`, `label_width`, `others`). `series` names the series;
/// every bar has one value per series.
pub fn bars(t: &T, series: &[String], mut items: Vec<Bar>) -> Value {
    let long = items.iter().any(|b| b.name.chars().count() > LONG_NAME);
    let horizontal = items.len() > HORIZONTAL_OVER || long;
    let first = |b: &Bar| b.values.first().copied().unwrap_or(0.0);
    if horizontal {
        // Largest first (stable: equal values keep the order they came in).
        items.sort_by(|a, b| first(b).total_cmp(&first(a)));
    }
    let mut others = 0usize;
    if items.len() > MAX_BARS {
        let rest = items.split_off(MAX_BARS - 1);
        others = rest.len();
        let mut sums = vec![0.0; series.len()];
        for b in &rest {
            for (s, v) in sums.iter_mut().zip(&b.values) {
                *s += v;
            }
        }
        items.push(Bar {
            name: format!("{}（{}）", t.s("chart.other"), others),
            code: None,
            values: sums,
        });
    }
    json!({
        "names": items.iter().map(|b| b.name.as_str()).collect::<Vec<_>>(),
        "codes": items.iter().map(|b| b.code.as_deref()).collect::<Vec<_>>(),
        "series": series.iter().enumerate().map(|(i, name)| json!({
            "name": name,
            "values": items.iter().map(|b| b.values.get(i).copied().unwrap_or(0.0)).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "horizontal": horizontal,
        "contain_label": true,
        "label_width": LABEL_WIDTH,
        "others": others,
    })
}

/// Whether a chart's JSON has something to draw: a category, node or rectangle with a
/// value other than zero. Pages show a sentence saying why instead of an empty frame.
pub fn has_data(chart: &Value) -> bool {
    fn nonzero(v: &Value) -> bool {
        v.as_f64().is_some_and(|x| x != 0.0)
    }
    if let Some(tree) = chart.get("tree").and_then(Value::as_array) {
        return tree.iter().any(|n| n.get("value").is_some_and(nonzero));
    }
    if let Some(nodes) = chart.get("nodes").and_then(Value::as_array) {
        return !nodes.is_empty();
    }
    let in_series = chart
        .get("series")
        .and_then(Value::as_array)
        .is_some_and(|ss| {
            ss.iter().any(|s| {
                s.get("values")
                    .and_then(Value::as_array)
                    .is_some_and(|vs| vs.iter().any(nonzero))
            })
        });
    let in_values = chart
        .get("values")
        .and_then(Value::as_array)
        .is_some_and(|vs| vs.iter().any(nonzero));
    in_series || in_values
}
