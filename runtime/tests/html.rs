//! The HTML reprs, checked for their structure: the sections xarray shows with their
//! counts, one row per variable, toggles whose labels point at their own checkboxes,
//! ids unique across reprs, the text fallback, escaping, balanced tags, collapsed
//! sections past xarray's sizes, and the chunk block of lazy arrays.

use std::collections::HashSet;

use rangeo::array::{DataArray, Dataset};
use rangeo::display::Repr;

fn html_of(value: &impl Repr) -> String {
    let bundle = value.repr();
    assert!(!bundle.plain().is_empty(), "a text/plain form");
    bundle
        .get("text/html")
        .unwrap()
        .as_str()
        .unwrap()
        .to_owned()
}

/// Values of `attribute="..."` in `html`, in order.
fn attribute_values<'a>(html: &'a str, attribute: &str) -> Vec<&'a str> {
    let key = format!(" {attribute}=\"");
    html.match_indices(&key)
        .map(|(at, _)| {
            let rest = &html[at + key.len()..];
            &rest[..rest.find('"').unwrap()]
        })
        .collect()
}

/// Whether every element is closed in order (void and self-closed ones aside).
fn balanced(html: &str) -> Result<(), String> {
    let mut stack: Vec<String> = Vec::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        rest = &rest[open + 1..];
        let end = rest.find('>').ok_or("an unclosed tag")?;
        let tag = &rest[..end];
        rest = &rest[end + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            let top = stack.pop().ok_or(format!("</{name}> closes nothing"))?;
            if top != name {
                return Err(format!("</{name}> closes <{top}>"));
            }
        } else if !tag.ends_with('/') {
            let name: String = tag
                .chars()
                .take_while(char::is_ascii_alphanumeric)
                .collect();
            if name == "style" || name == "pre" {
                // Their text is not markup: skip to the closing tag.
                let close = format!("</{name}>");
                let at = rest.find(&close).ok_or(format!("<{name}> unclosed"))?;
                rest = &rest[at + close.len()..];
            } else if name != "input" {
                stack.push(name);
            }
        }
    }
    if stack.is_empty() {
        Ok(())
    } else {
        Err(format!("unclosed: {stack:?}"))
    }
}

fn weather(n_vars: usize, n_attrs: usize) -> Dataset {
    let mut ds = Dataset::new();
    for i in 0..n_vars {
        let values: Vec<f64> = (0..12)
            .map(|j| f64::from(i32::try_from(i * 12 + j).unwrap()))
            .collect();
        let array = DataArray::new(["time"], values).unwrap().assign_attrs([
            ("units", "K"),
            ("long_name", "air <temperature> & \"more\""),
        ]);
        ds = ds.assign(format!("v{i}"), array).unwrap();
    }
    ds = ds
        .assign_coords("time", (0..12).map(f64::from).collect::<Vec<_>>())
        .unwrap();
    let attrs: Vec<(String, String)> = (0..n_attrs)
        .map(|i| (format!("attr{i}"), format!("value {i}")))
        .collect();
    ds.assign_attrs(attrs)
}

/// The section titled `title`: its count, and whether it starts open.
fn section(html: &str, title: &str) -> (usize, bool) {
    let at = html
        .find(&format!("title=\"Expand/collapse section\">{title}:"))
        .unwrap_or_else(|| panic!("no {title} section"));
    let input_at = html[..at].rfind("<input").unwrap();
    let input = &html[input_at..html[input_at..].find('>').unwrap() + input_at];
    let after = &html[at..];
    let count = after.find("<span>(").map_or(0, |i| {
        let s = &after[i + 7..];
        s[..s.find(')').unwrap()].parse().unwrap()
    });
    (count, input.contains(" checked"))
}

#[test]
fn a_dataset_shows_xarrays_sections_with_their_counts() {
    let ds = weather(3, 2);
    let html = html_of(&ds);
    assert!(html.contains(">rangeo.Dataset<"));
    assert_eq!(section(&html, "Coordinates"), (1, true));
    assert_eq!(section(&html, "Data variables"), (3, true));
    assert_eq!(section(&html, "Indexes"), (1, false));
    assert_eq!(section(&html, "Attributes"), (2, true));
    assert!(html.contains("title=\"Expand/collapse section\">Dimensions:"));
    // One row per variable, the indexed coordinate marked in the rows and the dims.
    assert_eq!(html.matches("<li class=\"rg-var\">").count(), 4);
    assert!(html.contains("<span class=\"rg-has-index\">time</span>: 12"));
    assert!(html.contains("float index, 12 labels, ascending"));
    // The preview and dtype of each row.
    assert!(html.contains("<div class=\"rg-var-dtype\">float64</div>"));
    assert!(html.contains("0.0 1.0 2.0 3.0"));
    balanced(&html).unwrap();
}

#[test]
fn the_text_repr_is_the_fallback_and_markup_in_values_is_escaped() {
    let ds = weather(1, 0);
    let html = html_of(&ds);
    let start = html.find("<pre class=\"rg-fallback\">").unwrap();
    let fallback = &html[start..];
    let fallback = &fallback[..fallback.find("</pre>").unwrap()];
    assert!(fallback.contains("&lt;rangeo.Dataset&gt;"));
    // The rich part is hidden unless the stylesheet shows it.
    assert!(html.contains("<div class=\"rg-wrap\" style=\"display:none\">"));
    assert!(html.contains(".rg-repr .rg-wrap { display: block !important;"));
    assert!(html.contains("air &lt;temperature&gt; &amp; &quot;more&quot;"));
    assert!(!html.contains("<temperature>"));
}

#[test]
fn ids_are_unique_and_every_label_points_at_its_checkbox() {
    let ds = weather(4, 3);
    let (first, second) = (html_of(&ds), html_of(&ds));
    let ids: Vec<&str> = attribute_values(&first, "id")
        .into_iter()
        .chain(attribute_values(&second, "id"))
        .filter(|id| id.starts_with("rg-") && !id.starts_with("rg-icon"))
        .collect();
    let unique: HashSet<&str> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "an id repeats across two reprs");
    for html in [&first, &second] {
        let inputs: HashSet<&str> = attribute_values(html, "id").into_iter().collect();
        let labels = attribute_values(html, "for");
        // A section per kind (5), and two toggles per variable row (5 rows).
        assert_eq!(labels.len(), 5 + 2 * 5);
        assert!(labels.iter().all(|l| inputs.contains(l)));
    }
}

#[test]
fn big_sections_start_collapsed() {
    let html = html_of(&weather(16, 11));
    assert_eq!(section(&html, "Data variables"), (16, false));
    assert_eq!(section(&html, "Attributes"), (11, false));
    let html = html_of(&weather(15, 10));
    assert_eq!(section(&html, "Data variables"), (15, true));
    assert_eq!(section(&html, "Attributes"), (10, true));
    // A variable without attributes cannot open them.
    let bare = Dataset::new()
        .assign("x", DataArray::new(["i"], vec![1, 2]).unwrap())
        .unwrap();
    let html = html_of(&bare);
    assert!(html.contains("class=\"rg-var-attrs-in\" type=\"checkbox\" disabled>"));
    assert_eq!(section(&html, "Attributes"), (0, false));
    assert!(html.contains("type=\"checkbox\" disabled><label for"));
}

#[test]
fn a_lazy_array_shows_its_chunks_tasks_and_a_chunk_diagram() {
    let values: Vec<f32> = (0..4000 * 25).map(|i| i as f32).collect();
    let array = DataArray::new(
        ["time", "lat", "lon"],
        ndarray::Array3::from_shape_vec((400, 10, 25), values).unwrap(),
    )
    .unwrap()
    .with_name("air")
    .chunk([("time", 100), ("lon", 10)])
    .unwrap();
    let html = html_of(&array);
    assert!(html.contains(">rangeo.DataArray<"));
    assert!(html.contains("<div class=\"rg-name\">&#39;air&#39;</div>"));
    assert!(
        html.contains("<tr><th>Bytes</th><td>400kB</td><td>40kB</td></tr>"),
        "{html}"
    );
    assert!(html.contains("<tr><th>Shape</th><td>(400, 10, 25)</td><td>(100, 10, 10)</td></tr>"));
    assert!(html.contains("<td colspan=\"2\">12 chunks in 1 graph layer</td>"));
    assert!(html.contains("<tr><th>Data type</th><td colspan=\"2\">float32</td></tr>"));
    assert!(html.contains("Projected peak"));
    // A cube: 3 cuts along time on two faces, 2 along lon on the front.
    let svg = &html[html.find("<svg class=\"rg-chunk-diagram\"").unwrap()..];
    let svg = &svg[..svg.find("</svg>").unwrap()];
    assert_eq!(svg.matches("<line").count(), 3 * 2 + 2);
    balanced(&html).unwrap();
}

#[test]
fn variables_and_coordinates_have_their_own_reprs() {
    let ds = weather(1, 0);
    let coords = html_of(ds.coords());
    assert!(coords.contains(">rangeo.Coordinates<"));
    assert_eq!(coords.matches("<li class=\"rg-var\">").count(), 1);
    balanced(&coords).unwrap();
    let variable = html_of(ds.get("v0").unwrap().variable());
    assert!(variable.contains(">rangeo.Variable<"));
    assert!(variable.contains("<pre>array([ 0.,  1.,"));
    balanced(&variable).unwrap();
}
