//! HTML reprs of datasets, arrays, variables and coordinates, as xarray draws them:
//! a header with the type, name and dimensions, then collapsible sections of
//! coordinates, data variables, indexes and attributes, one row per variable with its
//! dims, dtype and a value preview, and its attributes and data behind two toggles.
//!
//! Pure functions returning `String`. Everything works without JavaScript: sections and
//! toggles are checkboxes with labels that CSS (`html.css`, included once per repr)
//! shows or hides, so the repr survives untrusted notebooks, nbconvert and GitHub. Where
//! the CSS is stripped too, the text repr in a `<pre>` shows instead. Colours come from
//! JupyterLab's theme variables, so dark themes look right. Element ids are unique per
//! repr (a per-process random prefix and a counter), so two reprs in one page do not
//! toggle each other.

use std::fmt::Write as _;
use std::hash::{BuildHasher, Hasher};
use std::sync::LazyLock;
use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::Value;

use super::chunk_diagram;
use crate::array::repr::{flat_preview, human_bytes, numpy_repr};
use crate::array::{Attrs, Coordinates, DataArray, Dataset, Variable};
use crate::compute::{Lazy, Plan};

/// The stylesheet, included in every repr (a notebook may show any one of them alone).
const CSS: &str = include_str!("html.css");

/// The two toggle icons, drawn once per repr and used by reference.
const ICONS: &str = concat!(
    "<svg style=\"position:absolute;width:0;height:0;overflow:hidden\">",
    "<defs>",
    "<symbol id=\"rg-icon-attrs\" viewBox=\"0 0 16 16\"><path d=\"M3 1h7l3 3v11H3z",
    "M5 6h6M5 9h6M5 12h4\" fill=\"none\" stroke=\"currentColor\" stroke-width=\"1.3\"/>",
    "</symbol>",
    "<symbol id=\"rg-icon-data\" viewBox=\"0 0 16 16\"><g fill=\"none\" stroke=\"currentColor\" ",
    "stroke-width=\"1.3\"><ellipse cx=\"8\" cy=\"3.5\" rx=\"5.5\" ry=\"2\"/>",
    "<path d=\"M2.5 3.5v9c0 1.1 2.5 2 5.5 2s5.5-.9 5.5-2v-9M2.5 8c0 1.1 2.5 2 5.5 2s5.5-.9 ",
    "5.5-2\"/></g></symbol>",
    "</defs></svg>",
);

/// Sections with more entries than these start collapsed (xarray's thresholds).
const OPEN_COORDS: usize = 25;
const OPEN_DATA_VARS: usize = 15;
const OPEN_ATTRS: usize = 10;

/// Characters of a value preview in a variable row.
const PREVIEW_WIDTH: usize = 80;

/// A fresh element id, unique in this process and, by its random prefix, across the
/// kernels whose outputs share a notebook page.
fn next_id(what: &str) -> String {
    static PREFIX: LazyLock<u32> = LazyLock::new(|| {
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u32(std::process::id());
        #[allow(clippy::cast_possible_truncation, reason = "a 32-bit tag is enough")]
        let tag = hasher.finish() as u32;
        tag
    });
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("rg-{what}-{:08x}-{n}", *PREFIX)
}

/// Text made safe to place in HTML (element content and quoted attribute values).
pub(crate) fn escape(text: &str) -> String {
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

/// The whole repr: icons, style, the text fallback and the rich part (hidden until the
/// stylesheet shows it).
fn wrap(text: &str, header: &str, sections: &str) -> String {
    format!(
        "<div class=\"rg-repr\">{ICONS}<style>{CSS}</style>\
         <pre class=\"rg-fallback\">{}</pre>\
         <div class=\"rg-wrap\" style=\"display:none\">\
         <div class=\"rg-header\">{header}</div>\
         <ul class=\"rg-sections\">{sections}</ul></div></div>",
        escape(text)
    )
}

/// The header: `rangeo.{kind}` and the name, if any.
fn header(kind: &str, name: Option<&str>) -> String {
    let name = name.map_or_else(String::new, |n| {
        format!("<div class=\"rg-name\">&#39;{}&#39;</div>", escape(n))
    });
    format!("<div class=\"rg-type\">rangeo.{kind}</div>{name}")
}

/// One collapsible section. `inline` shows while it is collapsed (the dimension list);
/// a section with no `details` cannot be opened.
fn section(title: &str, count: Option<usize>, inline: &str, details: &str, open: bool) -> String {
    let id = next_id("section");
    let count = count.map_or_else(String::new, |n| format!(" <span>({n})</span>"));
    let state = match (details.is_empty(), open) {
        (true, _) => " disabled",
        (false, true) => " checked",
        (false, false) => "",
    };
    format!(
        "<li class=\"rg-section\"><input id=\"{id}\" class=\"rg-section-in\" \
         type=\"checkbox\"{state}><label for=\"{id}\" class=\"rg-section-title\" \
         title=\"Expand/collapse section\">{title}:{count}</label>\
         <div class=\"rg-section-inline\">{inline}</div>\
         <div class=\"rg-section-details\">{details}</div></li>"
    )
}

/// The dimensions with their sizes, indexed ones marked.
fn dims_list<S: AsRef<str>>(sizes: &[(S, usize)], indexed: &dyn Fn(&str) -> bool) -> String {
    let mut out = String::from("<ul class=\"rg-dims\">");
    for (dim, n) in sizes {
        let dim = dim.as_ref();
        let class = if indexed(dim) {
            " class=\"rg-has-index\""
        } else {
            ""
        };
        write!(out, "<li><span{class}>{}</span>: {n}</li>", escape(dim))
            .expect("writing to a string");
    }
    out.push_str("</ul>");
    out
}

/// A variable's attributes as a definition list.
fn attrs_list(attrs: &Attrs) -> String {
    let mut out = String::from("<dl class=\"rg-attrs\">");
    for (key, value) in attrs {
        let value = match value {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        write!(
            out,
            "<dt><span>{} :</span></dt><dd>{}</dd>",
            escape(key),
            escape(&value)
        )
        .expect("writing to a string");
    }
    out.push_str("</dl>");
    out
}

/// A variable's data as the toggle shows it: the values as numpy prints them, or the
/// chunked array's block.
fn data_block(variable: &Variable) -> String {
    if let Some(lazy) = variable.lazy() {
        return lazy_block(lazy);
    }
    let text = variable
        .to_values()
        .map_or_else(|e| e.to_string(), |v| numpy_repr(&v));
    format!("<pre>{}</pre>", escape(&text))
}

/// A chunked array as dask draws one: a table of bytes, shapes, chunks and tasks,
/// dtype and the projected peak memory, beside a diagram of its chunks.
fn lazy_block(lazy: &Lazy) -> String {
    let plan = Plan::new(std::slice::from_ref(lazy), usize::MAX, false)
        .expect("an unlimited budget refuses nothing");
    let chunks = lazy.chunks();
    let item = lazy.dtype().item_size().unwrap_or(8);
    let chunk_shape = chunks.max_shape();
    let bytes = lazy.shape().iter().product::<usize>() * item;
    let chunk_bytes = chunk_shape.iter().product::<usize>() * item;
    let tuple = |shape: &[usize]| crate::array::repr::python_tuple(shape);
    let layers = plan.stages();
    let rows = [
        ("Bytes", human_bytes(bytes), human_bytes(chunk_bytes)),
        ("Shape", tuple(lazy.shape()), tuple(&chunk_shape)),
    ];
    let mut table = String::from(
        "<table class=\"rg-lazy-table\"><thead><tr><td></td><th>Array</th><th>Chunk</th>\
         </tr></thead><tbody>",
    );
    for (what, array, chunk) in rows {
        write!(
            table,
            "<tr><th>{what}</th><td>{array}</td><td>{chunk}</td></tr>"
        )
        .expect("writing to a string");
    }
    let layer_word = if layers == 1 { "layer" } else { "layers" };
    write!(
        table,
        "<tr><th>Chunks</th><td colspan=\"2\">{} chunks in {layers} graph {layer_word}</td></tr>\
         <tr><th>Tasks</th><td colspan=\"2\">{}</td></tr>\
         <tr><th>Data type</th><td colspan=\"2\">{}</td></tr>\
         <tr><th>Projected peak</th><td colspan=\"2\">{}</td></tr></tbody></table>",
        chunks.len(),
        plan.tasks(),
        lazy.dtype(),
        human_bytes(plan.peak()),
    )
    .expect("writing to a string");
    format!(
        "<div class=\"rg-lazy\">{table}<div class=\"rg-chunks\">{}</div></div>",
        chunk_diagram::svg(lazy.shape(), chunks.lengths())
    )
}

/// One variable row of a section.
/// A variable's dtype as numpy names it (`<U5`), and a one-line preview of its values
/// (of its chunks, when lazy).
fn dtype_and_preview(variable: &Variable) -> (String, String) {
    match variable.lazy() {
        Some(lazy) => (variable.dtype().to_string(), lazy.short_summary()),
        None => match variable.to_values() {
            Ok(values) => (values.numpy_dtype(), flat_preview(&values, PREVIEW_WIDTH)),
            Err(e) => (variable.dtype().to_string(), e.to_string()),
        },
    }
}

fn variable_row(name: &str, variable: &Variable, indexed: bool) -> String {
    let dims = escape(&format!("({})", variable.dims().join(", ")));
    let (dtype, preview) = dtype_and_preview(variable);
    let class = if indexed {
        " class=\"rg-has-index\""
    } else {
        ""
    };
    let (attrs_id, data_id) = (next_id("attrs"), next_id("data"));
    let no_attrs = if variable.attrs().is_empty() {
        " disabled"
    } else {
        ""
    };
    format!(
        "<li class=\"rg-var\"><div class=\"rg-var-name\"><span{class}>{}</span></div>\
         <div class=\"rg-var-dims\">{dims}</div><div class=\"rg-var-dtype\">{}</div>\
         <div class=\"rg-var-preview\">{}</div>\
         <input id=\"{attrs_id}\" class=\"rg-var-attrs-in\" type=\"checkbox\"{no_attrs}>\
         <label for=\"{attrs_id}\" title=\"Show/Hide attributes\">\
         <svg class=\"rg-icon\"><use href=\"#rg-icon-attrs\"></use></svg></label>\
         <input id=\"{data_id}\" class=\"rg-var-data-in\" type=\"checkbox\">\
         <label for=\"{data_id}\" title=\"Show/Hide data repr\">\
         <svg class=\"rg-icon\"><use href=\"#rg-icon-data\"></use></svg></label>\
         <div class=\"rg-var-attrs\">{}</div><div class=\"rg-var-data\">{}</div></li>",
        escape(name),
        escape(&dtype),
        escape(&preview),
        attrs_list(variable.attrs()),
        data_block(variable),
    )
}

/// A section of variable rows.
fn variables_section<'a>(
    title: &str,
    rows: impl Iterator<Item = (&'a str, &'a Variable, bool)>,
    open_up_to: usize,
) -> String {
    let mut count = 0;
    let mut list = String::from("<ul class=\"rg-vars\">");
    for (name, variable, indexed) in rows {
        list.push_str(&variable_row(name, variable, indexed));
        count += 1;
    }
    list.push_str("</ul>");
    let details = if count == 0 { String::new() } else { list };
    section(title, Some(count), "", &details, count <= open_up_to)
}

fn coords_section(coords: &Coordinates) -> String {
    let rows = coords
        .iter()
        .map(|(name, v)| (name, v, coords.index(name).is_some()));
    variables_section("Coordinates", rows, OPEN_COORDS)
}

fn indexes_section(coords: &Coordinates) -> String {
    let mut count = 0;
    let mut list = String::from("<ul class=\"rg-indexes\">");
    for (name, _) in coords.iter() {
        if let Some(index) = coords.index(name) {
            write!(
                list,
                "<li><div class=\"rg-index-name\">{}</div>\
                 <div class=\"rg-index-summary\">{}</div></li>",
                escape(name),
                escape(&index.summary())
            )
            .expect("writing to a string");
            count += 1;
        }
    }
    list.push_str("</ul>");
    let details = if count == 0 { String::new() } else { list };
    section("Indexes", Some(count), "", &details, false)
}

fn attrs_section(attrs: &Attrs) -> String {
    let details = if attrs.is_empty() {
        String::new()
    } else {
        attrs_list(attrs)
    };
    section(
        "Attributes",
        Some(attrs.len()),
        "",
        &details,
        attrs.len() <= OPEN_ATTRS,
    )
}

/// The repr of a dataset.
pub(crate) fn dataset(ds: &Dataset) -> String {
    let coords = ds.coords();
    let sizes = ds.sizes();
    let dims = dims_list(&sizes, &|d| coords.index(d).is_some());
    let data_vars: Vec<(String, DataArray)> = ds
        .data_vars()
        .filter_map(|name| Some((name.to_owned(), ds.get(name).ok()?)))
        .collect();
    let rows = data_vars
        .iter()
        .map(|(name, array)| (name.as_str(), array.variable(), false));
    let sections = [
        section("Dimensions", None, &dims, "", false),
        coords_section(coords),
        variables_section("Data variables", rows, OPEN_DATA_VARS),
        indexes_section(coords),
        attrs_section(ds.attrs()),
    ]
    .concat();
    wrap(&ds.to_string(), &header("Dataset", None), &sections)
}

/// The repr of an array: its values (or chunk block), then its coordinates, indexes
/// and attributes.
pub(crate) fn data_array(da: &DataArray) -> String {
    let coords = da.coords();
    let head = format!(
        "{}{}",
        header("DataArray", da.name()),
        dims_list(&da.variable().sizes(), &|d| coords.index(d).is_some())
    );
    let sections = [
        array_section(da.variable()),
        coords_section(coords),
        indexes_section(coords),
        attrs_section(da.attrs()),
    ]
    .concat();
    wrap(&da.to_string(), &head, &sections)
}

/// The repr of a variable: its values and attributes.
pub(crate) fn variable(v: &Variable) -> String {
    let head = format!(
        "{}{}",
        header("Variable", None),
        dims_list(&v.sizes(), &|_| false)
    );
    let sections = [array_section(v), attrs_section(v.attrs())].concat();
    wrap(&v.to_string(), &head, &sections)
}

/// The repr of a set of coordinates.
pub(crate) fn coordinates(coords: &Coordinates) -> String {
    let sections = [coords_section(coords), indexes_section(coords)].concat();
    wrap(&coords.to_string(), &header("Coordinates", None), &sections)
}

/// The values of an array: a one-line preview that opens onto the full data.
fn array_section(variable: &Variable) -> String {
    let (_, preview) = dtype_and_preview(variable);
    let id = next_id("array");
    let open = variable.lazy().is_some() || variable.data().nbytes() <= 1 << 12;
    let checked = if open { " checked" } else { "" };
    format!(
        "<li class=\"rg-section rg-array\"><input id=\"{id}\" class=\"rg-array-in\" \
         type=\"checkbox\"{checked}><label for=\"{id}\" title=\"Show/hide data repr\">\
         <svg class=\"rg-icon\"><use href=\"#rg-icon-data\"></use></svg></label>\
         <div class=\"rg-array-preview\">{}</div><div class=\"rg-array-data\">{}</div></li>",
        escape(&preview),
        data_block(variable)
    )
}
