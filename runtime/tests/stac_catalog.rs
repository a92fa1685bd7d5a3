//! Static catalogs that others wrote (`../shared/data/stac`: the STAC spec's examples
//! and pystac's test catalogs, STAC 1.0.0-beta.2 to 1.1.0), walked by rangeo and
//! compared with pystac's walk of them (`expected_walk_shared.json`): every catalog,
//! collection and item reached, with ids, versions, children, extents, bboxes,
//! datetimes, extensions and resolved asset hrefs. Without `../shared/data` the tests
//! pass without checking, unless `RANGEO_REQUIRE_SHARED` is set.

use crate::support::shared;

use std::collections::BTreeMap;
use std::path::PathBuf;

use rangeo::display::Repr;
use rangeo::io::stac::{Catalog, open_catalog};
use serde_json::{Map, Value, json};
use shared::shared;

/// `../shared/data/stac`, made absolute (item hrefs are compared relative to it).
fn shared_stac() -> Option<PathBuf> {
    shared("stac").map(|dir| dir.canonicalize().expect("a path"))
}

/// An RFC 3339 instant in one spelling: `+00:00` for UTC, no trailing zeros in the
/// fraction (pystac writes `.881000+00:00`, chrono `.881+00:00`, files `Z`).
fn instant(value: &Value) -> Value {
    let Some(text) = value.as_str() else {
        return Value::Null;
    };
    let text = text.replace('Z', "+00:00");
    let (clock, zone) = text.split_at(text.len() - 6);
    let clock = match clock.split_once('.') {
        Some((whole, fraction)) => {
            let fraction = fraction.trim_end_matches('0');
            if fraction.is_empty() {
                whole.to_owned()
            } else {
                format!("{whole}.{fraction}")
            }
        }
        None => clock.to_owned(),
    };
    Value::String(format!("{clock}{zone}"))
}

/// An extension's name without its schema version (pystac also migrates extension
/// versions, which rangeo leaves as written).
fn extension_name(url: &Value) -> String {
    let url = url.as_str().unwrap_or_default();
    url.trim_start_matches("https://stac-extensions.github.io/")
        .split('/')
        .next()
        .unwrap_or_default()
        .to_owned()
}

fn relative(href: &str, root_dir: &str) -> String {
    href.strip_prefix(root_dir)
        .map_or_else(|| href.to_owned(), |r| r.trim_start_matches('/').to_owned())
}

fn catalog_record(catalog: &Catalog, root_dir: &str) -> Value {
    // pystac's walk lists children sorted by id.
    let mut children: Vec<String> = catalog
        .children()
        .unwrap()
        .iter()
        .map(|c| c.id().to_owned())
        .collect();
    children.sort();
    let mut record = json!({
        "id": catalog.id(),
        "type": catalog.kind(),
        "stac_version_in_file": catalog.stac_version(),
        "href": relative(catalog.href(), root_dir),
        "children": children,
        "n_item_links": catalog.items().unwrap().len(),
    });
    if let Some(collection) = catalog.collection() {
        let bboxes: Vec<Value> = collection
            .extent
            .spatial
            .bbox
            .iter()
            .map(|b| json!(Vec::<f64>::from(*b)))
            .collect();
        let intervals: Vec<Value> = collection
            .extent
            .temporal
            .interval
            .iter()
            .map(|[s, e]| {
                json!([
                    instant(&json!(s.map(|t| t.to_rfc3339()))),
                    instant(&json!(e.map(|t| t.to_rfc3339())))
                ])
            })
            .collect();
        record["spatial_bbox"] = bboxes.into();
        record["temporal_interval"] = intervals.into();
    }
    record
}

fn item_record(feature: &Map<String, Value>, parent: &str, root_dir: &str) -> Value {
    let self_href = feature["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rel"] == "self")
        .and_then(|l| l["href"].as_str())
        .expect("a self link");
    let file: Value = serde_json::from_str(&std::fs::read_to_string(self_href).unwrap()).unwrap();
    let properties = &feature["properties"];
    let assets: BTreeMap<String, String> = feature["assets"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, a)| (k.clone(), relative(a["href"].as_str().unwrap(), root_dir)))
        .collect();
    let mut extensions: Vec<String> = feature
        .get("stac_extensions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(extension_name)
        .collect();
    extensions.sort();
    json!({
        "id": feature["id"],
        "collection": feature.get("collection").cloned().unwrap_or(Value::Null),
        "parent": parent,
        "href": relative(self_href, root_dir),
        "stac_version_in_file": file["stac_version"],
        "bbox": feature.get("bbox").cloned().unwrap_or(Value::Null),
        "geometry_type": feature["geometry"].get("type").cloned().unwrap_or(Value::Null),
        "datetime": instant(&properties["datetime"]),
        "start_datetime": instant(&properties["start_datetime"]),
        "end_datetime": instant(&properties["end_datetime"]),
        "stac_extensions": extensions,
        "assets": assets,
    })
}

/// The expected record in the same spellings as rangeo's.
fn normalized_expected_item(item: &Value) -> Value {
    let mut item = item.clone();
    for key in ["datetime", "start_datetime", "end_datetime"] {
        item[key] = instant(&item[key]);
    }
    let mut extensions: Vec<String> = item["stac_extensions"]
        .as_array()
        .unwrap()
        .iter()
        .map(extension_name)
        .collect();
    extensions.sort();
    item["stac_extensions"] = json!(extensions);
    item
}

fn normalized_expected_catalog(catalog: &Value) -> Value {
    let mut catalog = catalog.clone();
    if let Some(Value::Array(intervals)) = catalog.get_mut("temporal_interval") {
        for interval in intervals {
            for end in interval.as_array_mut().unwrap() {
                *end = instant(end);
            }
        }
    }
    if let Some(Value::Array(bboxes)) = catalog.get_mut("spatial_bbox") {
        for bbox in bboxes {
            *bbox = json!(
                bbox.as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_f64().unwrap())
                    .collect::<Vec<_>>()
            );
        }
    }
    catalog
}

#[test]
fn walks_match_pystacs() {
    let Some(stac) = shared_stac() else { return };
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(stac.join("expected_walk_shared.json")).unwrap(),
    )
    .unwrap();
    let roots = expected["roots"].as_object().unwrap();
    assert_eq!(roots.len(), 7);
    for (root, walk) in roots {
        let href = stac.join(root);
        let root_dir = href.parent().unwrap().to_string_lossy().into_owned();
        let catalog = open_catalog(&href.to_string_lossy()).unwrap();
        assert_eq!(catalog.kind(), walk["root_type"], "{root}");
        let catalogs = catalog.walk().unwrap();
        let mut ours: BTreeMap<String, Value> = BTreeMap::new();
        let mut items: BTreeMap<String, Value> = BTreeMap::new();
        for c in &catalogs {
            let record = catalog_record(c, &root_dir);
            ours.insert(record["href"].as_str().unwrap().to_owned(), record);
            for feature in c.items().unwrap().features() {
                let record = item_record(feature, c.id(), &root_dir);
                items.insert(record["href"].as_str().unwrap().to_owned(), record);
            }
        }
        let theirs: BTreeMap<String, Value> = walk["catalogs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["href"].as_str().unwrap().to_owned(),
                    normalized_expected_catalog(c),
                )
            })
            .collect();
        assert_eq!(
            ours.len(),
            walk["n_catalogs"].as_u64().unwrap() as usize,
            "{root}"
        );
        assert_eq!(ours, theirs, "{root}: catalogs");
        let theirs: BTreeMap<String, Value> = walk["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                (
                    i["href"].as_str().unwrap().to_owned(),
                    normalized_expected_item(i),
                )
            })
            .collect();
        assert_eq!(
            items.len(),
            walk["n_items"].as_u64().unwrap() as usize,
            "{root}"
        );
        assert_eq!(items, theirs, "{root}: items");
        assert_eq!(catalog.all_items().unwrap().len(), items.len(), "{root}");
    }
}

#[test]
fn catalogs_show_themselves_and_name_what_is_missing() {
    let Some(stac) = shared_stac() else { return };
    let catalog = open_catalog(
        &stac
            .join("pystac-data-files/catalogs/test-case-1/catalog.json")
            .to_string_lossy(),
    )
    .unwrap();
    let plain = catalog.repr().plain().to_owned();
    assert!(plain.starts_with("<Catalog id=test>"), "{plain}");
    assert!(
        plain.contains("STAC 1.1.0 · 2 children · 0 items"),
        "{plain}"
    );
    let area = catalog
        .child("country-1")
        .unwrap()
        .child("area-1-1")
        .unwrap();
    assert!(
        area.repr()
            .plain()
            .contains("interval: 2019-10-04T18:55:37+00:00/..")
    );
    assert_eq!(area.collections().unwrap().len(), 1);
    let err = catalog.child("country-9").unwrap_err().to_string();
    assert_eq!(
        err,
        "test has no child `country-9`; its children are country-1, country-2"
    );

    let missing = stac.join("no/such/catalog.json");
    let err = open_catalog(&missing.to_string_lossy())
        .unwrap_err()
        .to_string();
    assert_eq!(err, format!("no STAC document at {}", missing.display()));
    let item = stac.join("stac-spec-examples/simple-item.json");
    let err = open_catalog(&item.to_string_lossy())
        .unwrap_err()
        .to_string();
    assert!(
        err.ends_with("is a STAC Item, not a catalog or collection"),
        "{err}"
    );
    // pystac's invalid catalog: a child link to a file that is not there.
    let invalid = stac.join("pystac-data-files/catalogs/invalid-catalog/catalog.json");
    if invalid.exists() {
        let err = open_catalog(&invalid.to_string_lossy())
            .and_then(|c| c.walk())
            .map(|w| w.len());
        assert!(err.is_err(), "{err:?}");
    }
}
