//! STAC documents of any version from 0.9 on, brought to 1.1.0 as pystac brings them.
//! The stac crate migrates 1.0.0 to 1.1.0; the steps before 1.0.0 (which added the
//! `type` of catalogs and collections, and replaced extension short names by schema
//! URLs and band indices by bands) are written here.

use serde_json::{Map, Value};

use crate::Error;

/// A STAC document as written (`json`, read from `href`), migrated to STAC 1.1.0, with
/// the version it was written in.
pub(crate) fn to_latest(mut json: Value, href: &str) -> Result<(stac::Value, String), Error> {
    let object = json
        .as_object_mut()
        .ok_or_else(|| Error::Stac(format!("{href} is not a STAC object: not a JSON object")))?;
    let version = object
        .get("stac_version")
        .and_then(Value::as_str)
        .ok_or_else(|| Error::Stac(format!("{href} is not a STAC object: no stac_version")))?
        .to_owned();
    if before_1_0(&version) {
        to_1_0(object);
    } else if version.starts_with("1.1.0-") {
        // The 1.1 pre-releases differ from 1.1.0 in nothing the stac crate reads.
        object.insert("stac_version".into(), "1.1.0".into());
    }
    let value: stac::Value = serde_json::from_value(json)
        .map_err(|e| Error::Stac(format!("{href} is not a valid STAC object: {e}")))?;
    let value = stac::Migrate::migrate(value, &stac::Version::v1_1_0)
        .map_err(|e| Error::Stac(format!("cannot migrate {href} to STAC 1.1.0: {e}")))?;
    Ok((value, version))
}

/// Whether `version` (`0.9.0`, `1.0.0-beta.2`, `1.0.0-rc.3`, ...) precedes 1.0.0.
fn before_1_0(version: &str) -> bool {
    version.starts_with("0.") || version.starts_with("1.0.0-")
}

/// The steps from 0.9 and the 1.0 pre-releases to 1.0.0.
fn to_1_0(object: &mut Map<String, Value>) {
    let kind = match object.get("type").and_then(Value::as_str) {
        Some("Feature") => "Feature",
        _ if object.contains_key("extent") => "Collection",
        _ => "Catalog",
    };
    object.insert("type".into(), kind.into());
    if let Some(Value::Array(extensions)) = object.get_mut("stac_extensions") {
        for extension in extensions.iter_mut() {
            if let Some(url) = extension.as_str().and_then(extension_url) {
                *extension = url.into();
            }
        }
    }
    if kind == "Feature" {
        bands_by_index(object);
    }
    object.insert("stac_version".into(), "1.0.0".into());
}

/// The schema URL of an extension named by its pre-1.0 short name.
fn extension_url(name: &str) -> Option<String> {
    let (name, version) = match name {
        "eo" => ("eo", "v1.0.0"),
        "proj" | "projection" => ("projection", "v1.0.0"),
        "view" => ("view", "v1.0.0"),
        "sat" => ("sat", "v1.0.0"),
        "sar" => ("sar", "v1.0.0"),
        "scientific" => ("scientific", "v1.0.0"),
        "label" => ("label", "v1.0.0"),
        "pointcloud" => ("pointcloud", "v1.0.0"),
        "version" => ("version", "v1.0.0"),
        "timestamps" => ("timestamps", "v1.0.0"),
        "checksum" | "file" => ("file", "v2.1.0"),
        "datacube" => ("datacube", "v2.0.0"),
        "raster" => ("raster", "v1.1.0"),
        "item-assets" => ("item-assets", "v1.0.0"),
        "single-file-stac" => ("single-file-stac", "v1.0.0"),
        "tiled-assets" => ("tiled-assets", "v1.0.0"),
        _ => return None,
    };
    Some(format!(
        "https://stac-extensions.github.io/{name}/{version}/schema.json"
    ))
}

/// Before 1.0, an item listed its bands once in `properties["eo:bands"]` and its assets
/// named them by index; from 1.0 each asset lists its own bands.
fn bands_by_index(item: &mut Map<String, Value>) {
    let Some(Value::Array(bands)) = item
        .get("properties")
        .and_then(|p| p.get("eo:bands"))
        .cloned()
    else {
        return;
    };
    let Some(Value::Object(assets)) = item.get_mut("assets") else {
        return;
    };
    for asset in assets.values_mut() {
        let Some(Value::Array(indices)) = asset.get_mut("eo:bands") else {
            continue;
        };
        if indices.iter().all(Value::is_u64) {
            *indices = indices
                .iter()
                .filter_map(|i| bands.get(usize::try_from(i.as_u64()?).ok()?).cloned())
                .collect();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pre_1_0_catalogs_and_collections_get_their_type() {
        let catalog = json!({"stac_version": "0.9.0", "id": "c", "description": "d", "links": []});
        let (value, version) = to_latest(catalog, "c.json").unwrap();
        assert_eq!(version, "0.9.0");
        assert!(value.is_catalog());
        let collection = json!({
            "stac_version": "1.0.0-beta.2", "id": "c", "description": "d", "links": [],
            "license": "CC-BY-4.0",
            "extent": {"spatial": {"bbox": [[-1, -1, 1, 1]]}, "temporal": {"interval": [[null, null]]}}
        });
        assert!(to_latest(collection, "c.json").unwrap().0.is_collection());
    }

    #[test]
    fn short_extension_names_and_band_indices_are_migrated() {
        let item = json!({
            "type": "Feature", "stac_version": "0.9.0", "id": "i",
            "stac_extensions": ["eo", "proj"],
            "geometry": null, "links": [],
            "properties": {"datetime": "2020-01-01T00:00:00Z",
                           "eo:bands": [{"name": "B1"}, {"name": "B2"}]},
            "assets": {"b2": {"href": "b2.tif", "eo:bands": [1]}}
        });
        let (value, _) = to_latest(item, "i.json").unwrap();
        let stac::Value::Item(item) = value else {
            panic!("an item")
        };
        assert_eq!(
            item.extensions,
            [
                "https://stac-extensions.github.io/eo/v1.0.0/schema.json",
                "https://stac-extensions.github.io/projection/v1.0.0/schema.json"
            ]
        );
        // 1.1.0 moves eo:bands into `bands`.
        let asset = serde_json::to_value(&item.assets["b2"]).unwrap();
        assert_eq!(asset["bands"][0]["name"], "B2", "{asset}");
    }

    #[test]
    fn documents_that_are_not_stac_are_refused_by_name() {
        let err = to_latest(json!([1, 2]), "x.json").unwrap_err().to_string();
        assert!(err.contains("x.json is not a STAC object"), "{err}");
        let err = to_latest(json!({"id": "x"}), "x.json")
            .unwrap_err()
            .to_string();
        assert!(err.contains("no stac_version"), "{err}");
    }
}
