//! Item collections: the items a catalog holds or a search found, shown as a table
//! (id, datetime, cloud cover, collection, bbox) and as GeoJSON for map views, and
//! saved as GeoJSON or newline-delimited JSON.

use std::fmt::Write as _;
use std::path::Path;

use serde_json::{Map, Value, json};

use super::fetch::{absolute, read_bytes, resolve};
use crate::Error;
use crate::display::html::escape;
use crate::display::{MimeBundle, Repr};

/// Rows of the table repr; longer collections show their first and last rows.
const ROWS: usize = 20;

/// STAC items as GeoJSON features, in the order they were found. Items are kept as
/// their JSON (a search with `fields` may return partial items); [`item`](Self::item)
/// reads one as a typed `stac::Item`.
///
/// ```
/// use rangeo::prelude::*;
/// let items = ItemCollection::from_geojson(r#"{"type": "FeatureCollection", "features": [
///     {"type": "Feature", "stac_version": "1.1.0", "id": "a", "geometry": null,
///      "properties": {"datetime": "2019-01-02T10:00:00Z", "eo:cloud_cover": 12.5},
///      "links": [], "assets": {}}]}"#)?;
/// assert_eq!(items.ids(), ["a"]);
/// assert!(items.repr().plain().contains("12.5"));
/// # Ok::<(), rangeo::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ItemCollection {
    features: Vec<Map<String, Value>>,
}

impl ItemCollection {
    pub(crate) fn new(features: Vec<Map<String, Value>>) -> Self {
        Self { features }
    }

    /// Items from a GeoJSON `FeatureCollection` (or a single `Feature`).
    pub fn from_geojson(text: &str) -> Result<Self, Error> {
        let value: Value =
            serde_json::from_str(text).map_err(|e| Error::Stac(format!("not valid JSON: {e}")))?;
        Self::from_value(value, "the GeoJSON")
    }

    fn from_value(value: Value, source: &str) -> Result<Self, Error> {
        match value {
            Value::Object(mut object) => match object.get("type").and_then(Value::as_str) {
                Some("FeatureCollection") => {
                    let Some(Value::Array(features)) = object.remove("features") else {
                        return Err(Error::Stac(format!(
                            "{source} is a FeatureCollection without a `features` array"
                        )));
                    };
                    features
                        .into_iter()
                        .enumerate()
                        .map(|(i, f)| feature(f, &format!("feature {i} of {source}")))
                        .collect::<Result<_, _>>()
                        .map(Self::new)
                }
                Some("Feature") => Ok(Self::new(vec![object])),
                other => Err(Error::Stac(format!(
                    "{source} is not a FeatureCollection (its type is {})",
                    other.map_or("missing".to_owned(), |t| format!("`{t}`"))
                ))),
            },
            _ => Err(Error::Stac(format!("{source} is not a JSON object"))),
        }
    }

    /// The items saved at `href` (a path or URL) as a GeoJSON `FeatureCollection`, or
    /// as newline-delimited JSON when it ends in `.ndjson`, with relative asset hrefs
    /// resolved against `href`.
    ///
    /// ```
    /// use rangeo::prelude::*;
    /// let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("items.ndjson");
    /// std::fs::write(&path, r#"{"type": "Feature", "id": "a", "geometry": null, "properties": {}, "assets": {"red": {"href": "a/red.tif"}}}"#)?;
    /// let items = ItemCollection::open(path.to_str().unwrap())?;
    /// let href = items.features()[0]["assets"]["red"]["href"].as_str().unwrap();
    /// assert_eq!(href, dir.path().join("a/red.tif").to_str().unwrap());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn open(href: &str) -> Result<Self, Error> {
        let href = absolute(href);
        let bytes = read_bytes(&href)?;
        let text = std::str::from_utf8(&bytes)
            .map_err(|e| Error::Stac(format!("{href} is not UTF-8 text: {e}")))?;
        let mut items = if href.ends_with(".ndjson") {
            Self::from_ndjson(text)
        } else {
            let value: Value = serde_json::from_str(text)
                .map_err(|e| Error::Stac(format!("{href} is not valid JSON: {e}")))?;
            Self::from_value(value, &href)
        }
        .map_err(|e| match e {
            Error::Stac(why) if !why.contains(&href) => Error::Stac(format!("{href}: {why}")),
            other => other,
        })?;
        for feature in &mut items.features {
            let Some(Value::Object(assets)) = feature.get_mut("assets") else {
                continue;
            };
            for asset in assets.values_mut() {
                if let Some(Value::String(asset_href)) = asset.get_mut("href") {
                    *asset_href = resolve(asset_href, &href)?;
                }
            }
        }
        Ok(items)
    }

    /// Items from newline-delimited JSON, one feature per line.
    pub fn from_ndjson(text: &str) -> Result<Self, Error> {
        text.lines()
            .enumerate()
            .filter(|(_, line)| !line.trim().is_empty())
            .map(|(i, line)| {
                let value = serde_json::from_str(line)
                    .map_err(|e| Error::Stac(format!("line {} is not valid JSON: {e}", i + 1)))?;
                feature(value, &format!("line {}", i + 1))
            })
            .collect::<Result<_, _>>()
            .map(Self::new)
    }

    /// The number of items.
    #[must_use]
    pub fn len(&self) -> usize {
        self.features.len()
    }

    /// Whether there are no items.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.features.is_empty()
    }

    /// The item ids, in order.
    #[must_use]
    pub fn ids(&self) -> Vec<&str> {
        self.features
            .iter()
            .map(|f| f.get("id").and_then(Value::as_str).unwrap_or(""))
            .collect()
    }

    /// The items as GeoJSON features.
    #[must_use]
    pub fn features(&self) -> &[Map<String, Value>] {
        &self.features
    }

    pub(crate) fn into_features(self) -> Vec<Map<String, Value>> {
        self.features
    }

    /// The item at `index`, read as a STAC item.
    pub fn item(&self, index: usize) -> Result<stac::Item, Error> {
        let feature = self.features.get(index).ok_or_else(|| {
            Error::Stac(format!(
                "no item {index}: the collection has {} items",
                self.len()
            ))
        })?;
        serde_json::from_value(Value::Object(feature.clone())).map_err(|e| {
            Error::Stac(format!(
                "item {index} ({}) is not a complete STAC item: {e}",
                self.ids()[index]
            ))
        })
    }

    /// Every item, read as STAC items.
    pub fn items(&self) -> Result<Vec<stac::Item>, Error> {
        (0..self.len()).map(|i| self.item(i)).collect()
    }

    /// The collection as a GeoJSON `FeatureCollection`.
    #[must_use]
    pub fn to_geojson(&self) -> String {
        json!({"type": "FeatureCollection", "features": self.features}).to_string()
    }

    /// The items as newline-delimited JSON, one feature per line.
    #[must_use]
    pub fn to_ndjson(&self) -> String {
        let mut text = String::new();
        for feature in &self.features {
            text.push_str(&Value::Object(feature.clone()).to_string());
            text.push('\n');
        }
        text
    }

    /// Saves the items to `path`: newline-delimited JSON when it ends in `.ndjson`,
    /// a GeoJSON `FeatureCollection` otherwise. The file is written whole or not at all.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), Error> {
        let path = path.as_ref();
        let text = if path.extension().is_some_and(|e| e == "ndjson") {
            self.to_ndjson()
        } else {
            self.to_geojson()
        };
        crate::io::store::write_whole(path, text.as_bytes())
            .map_err(|e| Error::Stac(format!("cannot save the items to {}: {e}", path.display())))
    }

    /// The rows of the table repr: id, datetime, cloud cover, collection, bbox.
    fn rows(&self) -> Vec<[String; 5]> {
        self.features.iter().map(row).collect()
    }
}

fn feature(value: Value, source: &str) -> Result<Map<String, Value>, Error> {
    match value {
        Value::Object(object) if object.get("type").and_then(Value::as_str) == Some("Feature") => {
            Ok(object)
        }
        _ => Err(Error::Stac(format!("{source} is not a GeoJSON Feature"))),
    }
}

fn row(feature: &Map<String, Value>) -> [String; 5] {
    let text = |v: Option<&Value>| match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    };
    let properties = feature.get("properties");
    let property = |name: &str| properties.and_then(|p| p.get(name));
    let datetime = match property("datetime") {
        Some(Value::String(t)) => t.clone(),
        _ => format!(
            "{}/{}",
            text(property("start_datetime")),
            text(property("end_datetime"))
        ),
    };
    let bbox = match feature.get("bbox") {
        Some(Value::Array(values)) => {
            let parts: Vec<String> = values
                .iter()
                .map(|v| {
                    v.as_f64()
                        .map_or_else(|| v.to_string(), |v| format!("{v:.3}"))
                })
                .collect();
            format!("[{}]", parts.join(", "))
        }
        _ => String::new(),
    };
    [
        text(feature.get("id")),
        datetime,
        text(property("eo:cloud_cover")),
        text(feature.get("collection")),
        bbox,
    ]
}

const COLUMNS: [&str; 5] = ["id", "datetime", "eo:cloud_cover", "collection", "bbox"];

/// The rows shown: all of them, or the first and last with the count left out between.
fn shown(n: usize) -> (std::ops::Range<usize>, std::ops::Range<usize>) {
    if n <= ROWS {
        (0..n, n..n)
    } else {
        (0..ROWS - 5, n - 5..n)
    }
}

impl Repr for ItemCollection {
    fn repr(&self) -> MimeBundle {
        let rows = self.rows();
        let n = rows.len();
        let (head, tail) = shown(n);
        let mut widths = COLUMNS.map(str::len);
        for row in head.clone().chain(tail.clone()).map(|i| &rows[i]) {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let line = |cells: [&str; 5]| {
            let mut line = String::new();
            for (cell, w) in cells.iter().zip(widths) {
                let _ = write!(line, "{cell:<w$}  ");
            }
            line.trim_end().to_owned()
        };
        let mut plain = format!(
            "ItemCollection: {n} item{}\n",
            if n == 1 { "" } else { "s" }
        );
        let mut html = format!(
            "<div class=\"rg-items\"><b>ItemCollection</b>: {n} item{}<table><thead><tr>",
            if n == 1 { "" } else { "s" }
        );
        for column in COLUMNS {
            let _ = write!(html, "<th style=\"text-align:left\">{column}</th>");
        }
        html.push_str("</tr></thead><tbody>");
        if n > 0 {
            plain.push_str(&line(COLUMNS));
            plain.push('\n');
        }
        for (k, range) in [head, tail].into_iter().enumerate() {
            if k == 1 && !range.is_empty() {
                let skipped = n - ROWS;
                let _ = writeln!(plain, "... {skipped} more ...");
                let _ = write!(html, "<tr><td colspan=\"5\">… {skipped} more …</td></tr>");
            }
            for row in range.map(|i| &rows[i]) {
                plain.push_str(&line([&row[0], &row[1], &row[2], &row[3], &row[4]]));
                plain.push('\n');
                html.push_str("<tr>");
                for cell in row {
                    let _ = write!(html, "<td style=\"text-align:left\">{}</td>", escape(cell));
                }
                html.push_str("</tr>");
            }
        }
        html.push_str("</tbody></table></div>");
        MimeBundle::text(plain.trim_end().to_owned())
            .with("text/html", html)
            .with("application/geo+json", self.map_layer())
    }
}

impl ItemCollection {
    /// The footprints for a map view: each item's geometry with its id, datetime and
    /// collection (not its assets, which a map does not draw).
    fn map_layer(&self) -> Value {
        let features: Vec<Value> = self
            .features
            .iter()
            .map(|f| {
                let [id, datetime, cloud, collection, _] = row(f);
                json!({
                    "type": "Feature",
                    "id": id,
                    "geometry": f.get("geometry").cloned().unwrap_or(Value::Null),
                    "properties": {"id": id, "datetime": datetime, "eo:cloud_cover": cloud,
                                   "collection": collection},
                })
            })
            .collect();
        json!({"type": "FeatureCollection", "features": features})
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(n: usize) -> ItemCollection {
        let features = (0..n)
            .map(|i| {
                let Value::Object(f) = json!({
                    "type": "Feature", "stac_version": "1.1.0", "id": format!("item-{i}"),
                    "collection": "s2", "bbox": [1.0, 43.0, 2.5, 44.123_456],
                    "geometry": {"type": "Point", "coordinates": [1.0, 43.0]},
                    "properties": {"datetime": format!("2019-01-{:02}T10:00:00Z", i % 28 + 1),
                                   "eo:cloud_cover": i},
                    "links": [], "assets": {"B04": {"href": "b04.tif"}}
                }) else {
                    unreachable!()
                };
                f
            })
            .collect();
        ItemCollection::new(features)
    }

    #[test]
    fn the_table_shows_the_columns_and_elides_long_collections() {
        let bundle = items(3).repr();
        let plain = bundle.plain();
        assert!(plain.starts_with("ItemCollection: 3 items\nid "), "{plain}");
        assert!(
            plain.contains("item-2  2019-01-03T10:00:00Z  2               s2          [1.000, 43.000, 2.500, 44.123]"),
            "{plain}"
        );
        let bundle = items(30).repr();
        assert!(bundle.plain().contains("... 10 more ..."));
        assert!(bundle.plain().contains("item-29"));
        assert!(!bundle.plain().contains("item-20 "));
        let html = bundle.get("text/html").unwrap().as_str().unwrap();
        assert_eq!(html.matches("<tr>").count(), 1 + 20 + 1);
        let map = bundle.get("application/geo+json").unwrap();
        assert_eq!(map["features"].as_array().unwrap().len(), 30);
        assert!(map["features"][0].get("assets").is_none());
    }

    #[test]
    fn geojson_and_ndjson_round_trip() {
        let items = items(4);
        assert_eq!(
            ItemCollection::from_geojson(&items.to_geojson()).unwrap(),
            items
        );
        assert_eq!(
            ItemCollection::from_ndjson(&items.to_ndjson()).unwrap(),
            items
        );
        assert_eq!(items.item(1).unwrap().id, "item-1");
        let err = items.item(9).unwrap_err().to_string();
        assert_eq!(err, "no item 9: the collection has 4 items");
    }

    #[test]
    fn malformed_collections_are_refused_by_place() {
        let err = ItemCollection::from_ndjson("{\"type\": \"Feature\"}\n{oops\n")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("line 2 is not valid JSON"), "{err}");
        let err = ItemCollection::from_geojson(r#"{"type": "Polygon"}"#)
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "the GeoJSON is not a FeatureCollection (its type is `Polygon`)"
        );
        let err = ItemCollection::from_geojson(r#"{"type": "FeatureCollection", "features": [1]}"#)
            .unwrap_err()
            .to_string();
        assert_eq!(err, "feature 0 of the GeoJSON is not a GeoJSON Feature");
    }

    #[test]
    fn saving_writes_the_format_of_the_extension() {
        let dir = tempfile::tempdir().unwrap();
        let items = items(2);
        items.save(dir.path().join("a.ndjson")).unwrap();
        items.save(dir.path().join("a.geojson")).unwrap();
        let nd = std::fs::read_to_string(dir.path().join("a.ndjson")).unwrap();
        assert_eq!(nd.lines().count(), 2);
        let gj = std::fs::read_to_string(dir.path().join("a.geojson")).unwrap();
        assert_eq!(ItemCollection::from_geojson(&gj).unwrap(), items);
        let err = items
            .save(dir.path().join("no/such/dir/a.json"))
            .unwrap_err();
        assert!(
            err.to_string().starts_with("cannot save the items to"),
            "{err}"
        );
    }
}
