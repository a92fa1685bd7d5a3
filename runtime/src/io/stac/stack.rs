//! Items to a datacube: the GeoTIFF / COG assets of many STAC items as one lazy
//! `(time, band, y, x)` `DataArray` on a common grid, as stackstac and odc-stac make it.
//! The grid comes from the items' projection metadata (or the files' headers) unless
//! given; each chunk reads only the tiles under it when a computation asks for it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use ndarray::{Array2, ArrayD, Axis};
use serde_json::{Map, Value};

use super::ItemCollection;
use crate::Error;
use crate::array::{DType, DataArray, DateTime64, Values, Variable};
use crate::compute::{ChunkSource, Chunks, Lazy};
use crate::io::cog::{Cog, open_cog};
use crate::io::crs::Reprojection;
use crate::io::warp::{self, GeoTransform, Mapping, Resampling, Source};

/// Points to a side of an outline reprojected for a footprint or a window: as many as
/// rasterio's `transform_bounds` takes by default.
const OUTLINE_STEPS: usize = 21;

/// How the items become the time steps of a stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GroupBy {
    /// One time step per item (stackstac's way), the default.
    #[default]
    Item,
    /// One time step per distinct datetime.
    Time,
    /// One time step per local solar day at the item's centre (odc-stac's
    /// `groupby="solar_day"`): the granules of one satellite pass make one mosaic.
    SolarDay,
}

/// How [`ItemCollection::stack`] lays items out: which assets, on what grid, grouped
/// how. Everything left unset is read from the items.
///
/// ```
/// use rangeo::prelude::*;
/// let options = Stack::new()
///     .assets(["red", "nir"])
///     .epsg(32631)
///     .resolution(20.0)
///     .group_by(GroupBy::SolarDay)
///     .resampling(Resampling::Bilinear);
/// ```
#[derive(Debug, Clone)]
pub struct Stack {
    assets: Option<Vec<String>>,
    epsg: Option<u32>,
    resolution: Option<f64>,
    bounds: Option<[f64; 4]>,
    chunks: usize,
    resampling: Resampling,
    group_by: GroupBy,
    dtype: DType,
    rescale: bool,
    tolerance: f64,
}

impl Default for Stack {
    fn default() -> Self {
        Self {
            assets: None,
            epsg: None,
            resolution: None,
            bounds: None,
            chunks: 1024,
            resampling: Resampling::Nearest,
            group_by: GroupBy::Item,
            dtype: DType::Float64,
            rescale: true,
            tolerance: warp::TOLERANCE,
        }
    }
}

impl Stack {
    /// Every GeoTIFF data asset, on the items' own CRS and resolution, one time step
    /// per item, float64, chunks of 1024 x 1024 pixels.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The assets to stack, in this order (by default every GeoTIFF asset with the
    /// `data` role, in the order the first item lists them). A multi-band asset gives
    /// bands `key.1`, `key.2`, ...
    #[must_use]
    pub fn assets<S: Into<String>>(mut self, keys: impl IntoIterator<Item = S>) -> Self {
        self.assets = Some(keys.into_iter().map(Into::into).collect());
        self
    }

    /// The EPSG code of the stack's CRS (by default the items', which must agree);
    /// assets in other CRSs are reprojected onto it.
    #[must_use]
    pub fn epsg(mut self, code: u32) -> Self {
        self.epsg = Some(code);
        self
    }

    /// The pixel size in the CRS's units (by default that of the assets in the stack's
    /// CRS, which must agree).
    #[must_use]
    pub fn resolution(mut self, resolution: f64) -> Self {
        self.resolution = Some(resolution);
        self
    }

    /// `[west, south, east, north]` in the stack's CRS (by default the union of the
    /// assets' footprints), widened to whole pixels of the resolution.
    #[must_use]
    pub fn bounds(mut self, bounds: [f64; 4]) -> Self {
        self.bounds = Some(bounds);
        self
    }

    /// The side of the square spatial chunks, in pixels (1024 by default); each chunk
    /// holds one time step and one band.
    #[must_use]
    pub fn chunks(mut self, pixels: usize) -> Self {
        self.chunks = pixels;
        self
    }

    /// How assets on other grids are resampled onto the stack's.
    #[must_use]
    pub fn resampling(mut self, resampling: Resampling) -> Self {
        self.resampling = resampling;
        self
    }

    /// How far, in source pixels, a reprojected pixel centre may stray from its exact
    /// place: 0.125 by default (GDAL's, so stackstac's), where pixel centres between
    /// exactly reprojected ones are interpolated; 0 reprojects every pixel centre.
    #[must_use]
    pub fn tolerance(mut self, pixels: f64) -> Self {
        self.tolerance = pixels;
        self
    }

    /// How items become time steps; the items of one step are laid over one another,
    /// the first valid value (in time order) winning.
    #[must_use]
    pub fn group_by(mut self, group_by: GroupBy) -> Self {
        self.group_by = group_by;
        self
    }

    /// The element type, `Float64` (the default) or `Float32`.
    #[must_use]
    pub fn dtype(mut self, dtype: DType) -> Self {
        self.dtype = dtype;
        self
    }

    /// Whether raster:bands' `scale` and `offset` are applied (the default).
    #[must_use]
    pub fn rescale(mut self, rescale: bool) -> Self {
        self.rescale = rescale;
        self
    }

    fn check(&self) -> Result<(), Error> {
        let bad = |what: String| Err(Error::Stac(format!("cannot stack: {what}")));
        if self.chunks == 0 {
            return bad("chunks must be at least one pixel".into());
        }
        if let Some(r) = self.resolution.filter(|r| !(r.is_finite() && *r > 0.0)) {
            return bad(format!("the resolution must be a positive number, not {r}"));
        }
        if let Some([w, s, e, n]) = self.bounds
            && !(w < e && s < n && [w, s, e, n].iter().all(|v| v.is_finite()))
        {
            return bad(format!(
                "bounds [{w}, {s}, {e}, {n}] are not [west, south, east, north]"
            ));
        }
        if !(self.tolerance.is_finite() && self.tolerance >= 0.0) {
            return bad(format!(
                "the tolerance must be a number of pixels, zero or more, not {}",
                self.tolerance
            ));
        }
        if !matches!(self.dtype, DType::Float64 | DType::Float32) {
            return bad(format!(
                "the dtype must be float64 or float32 (missing pixels are NaN), not {}",
                self.dtype
            ));
        }
        Ok(())
    }
}

impl ItemCollection {
    /// The items' GeoTIFF / COG assets as one lazy `(time, band, y, x)` `DataArray` on a
    /// common grid, as stackstac's `stack` and odc-stac's `load` make it: time steps in
    /// time order (labelled with the earliest datetime of their items), bands named by
    /// asset, pixel-centre `x` / `y` coordinates, nodata as NaN, raster:bands' scale and
    /// offset applied, and `crs`, `transform` and `resolution` in the attributes. Nothing
    /// is read but the headers of files whose items lack projection metadata; each
    /// chunk reads the tiles under it when computed.
    ///
    /// ```no_run
    /// use rangeo::prelude::*;
    /// let items = ItemCollection::open("items.json")?;
    /// let cube = items.stack(Stack::new().assets(["red", "nir"]).resolution(20.0))?;
    /// let ndvi = cube.sel("band", "nir")? - cube.sel("band", "red")?;
    /// # Ok::<(), rangeo::Error>(())
    /// ```
    #[allow(
        clippy::needless_pass_by_value,
        reason = "options are passed as built, as a notebook writes them"
    )]
    pub fn stack(&self, options: Stack) -> Result<DataArray, Error> {
        options.check()?;
        if self.is_empty() {
            return Err(Error::Stac("cannot stack: there are no items".into()));
        }
        let bands = bands(self.features(), options.assets.as_deref())?;
        let cogs = Mutex::new(HashMap::new());
        let mut entries = Vec::with_capacity(self.len());
        for (i, feature) in self.features().iter().enumerate() {
            entries.push(Entry::read(feature, i, &bands, &cogs)?);
        }
        let grid = Grid::choose(&entries, &options)?;
        entries.sort_by_key(|e| e.time);
        let groups = group(&entries, options.group_by);
        let layers: Vec<Vec<Vec<Raster>>> = groups
            .iter()
            .map(|members| {
                (0..bands.len())
                    .map(|b| {
                        members
                            .iter()
                            .filter_map(|&m| entries[m].rasters[b].clone())
                            .collect()
                    })
                    .collect()
            })
            .collect();
        let shape = vec![groups.len(), bands.len(), grid.height, grid.width];
        let chunk = options.chunks;
        let t = grid.transform;
        let source = StackSource {
            chunks: Chunks::regular(&shape, &[1, 1, chunk, chunk]),
            shape,
            transform: grid.transform,
            reprojections: grid.reprojections,
            dtype: options.dtype,
            resampling: options.resampling,
            tolerance: options.tolerance,
            layers,
            cogs,
        };
        let times: Vec<DateTime64> = groups
            .iter()
            .map(|m| DateTime64(entries[m[0]].time))
            .collect();
        let xs: Vec<f64> = (0..grid.width)
            .map(|c| t[0] + t[1] * (c as f64 + 0.5))
            .collect();
        let ys: Vec<f64> = (0..grid.height)
            .map(|r| t[3] + t[5] * (r as f64 + 0.5))
            .collect();
        let names: Vec<String> = bands.iter().map(|b| b.name.clone()).collect();
        let mut cube = DataArray::new(
            ["time", "band", "y", "x"],
            Lazy::from_source(Arc::new(source)),
        )?
        .assign_coords("time", times)?
        .assign_coords("band", names)?
        .assign_coords("y", ys)?
        .assign_coords("x", xs)?;
        if options.group_by == GroupBy::Item {
            let ids: Vec<String> = groups.iter().map(|m| entries[m[0]].id.clone()).collect();
            cube = cube.assign_coords("id", Variable::new(["time"], ids)?)?;
        }
        Ok(cube.assign_attrs([
            ("crs", Value::from(format!("EPSG:{}", grid.epsg))),
            (
                "transform",
                Value::from(format!(
                    "{} {} {} {} {} {}",
                    t[0], t[1], t[2], t[3], t[4], t[5]
                )),
            ),
            ("resolution", Value::from(t[1])),
        ]))
    }
}

/// One band of the stack: which asset, which of its bands.
#[derive(Debug, Clone)]
struct Band {
    asset: String,
    index: usize,
    name: String,
}

/// The stack's bands: the assets asked for, or every GeoTIFF data asset, each split
/// into its bands.
fn bands(features: &[Map<String, Value>], keys: Option<&[String]>) -> Result<Vec<Band>, Error> {
    let assets_of = |f: &Map<String, Value>| f.get("assets").and_then(Value::as_object).cloned();
    let mut chosen: Vec<(String, usize)> = Vec::new();
    let mut add = |key: &str, asset: &Map<String, Value>| {
        if !chosen.iter().any(|(k, _)| k == key) {
            chosen.push((key.to_owned(), band_count(asset)));
        }
    };
    if let Some(keys) = keys {
        for key in keys {
            let found = features
                .iter()
                .find_map(|f| assets_of(f)?.get(key)?.as_object().cloned());
            let Some(asset) = found else {
                return Err(Error::Stac(format!(
                    "cannot stack: no item has an asset `{key}` (the first item's are {})",
                    asset_keys(features)
                )));
            };
            add(key, &asset);
        }
    } else {
        for feature in features {
            for (key, asset) in assets_of(feature).unwrap_or_default() {
                if let Some(asset) = asset.as_object().filter(|a| is_raster_data(a)) {
                    add(&key, asset);
                }
            }
        }
        if chosen.is_empty() {
            return Err(Error::Stac(format!(
                "cannot stack: no item has a GeoTIFF data asset (the first item's assets are {}); name the assets with `.assets([...])`",
                asset_keys(features)
            )));
        }
    }
    Ok(chosen
        .into_iter()
        .flat_map(|(asset, count)| {
            (0..count).map(move |index| Band {
                name: if count == 1 {
                    asset.clone()
                } else {
                    format!("{asset}.{}", index + 1)
                },
                asset: asset.clone(),
                index,
            })
        })
        .collect())
}

fn asset_keys(features: &[Map<String, Value>]) -> String {
    let keys: Vec<String> = features
        .first()
        .and_then(|f| f.get("assets")?.as_object())
        .map(|a| a.keys().map(|k| format!("`{k}`")).collect())
        .unwrap_or_default();
    if keys.is_empty() {
        "none".into()
    } else {
        keys.join(", ")
    }
}

/// Whether an asset is a GeoTIFF with data in it: a TIFF media type (or, with none, a
/// `.tif` href) and, when it has roles, the `data` role.
fn is_raster_data(asset: &Map<String, Value>) -> bool {
    let tiff = match asset.get("type").and_then(Value::as_str) {
        Some(media) => media.starts_with("image/tiff"),
        None => asset.get("href").and_then(Value::as_str).is_some_and(|h| {
            std::path::Path::new(h)
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("tif") || e.eq_ignore_ascii_case("tiff"))
        }),
    };
    let data = asset
        .get("roles")
        .and_then(Value::as_array)
        .is_none_or(|roles| roles.iter().any(|r| r == "data"));
    tiff && data
}

/// The number of bands an asset describes (one when it describes none).
fn band_count(asset: &Map<String, Value>) -> usize {
    ["bands", "raster:bands", "eo:bands"]
        .iter()
        .find_map(|k| asset.get(*k)?.as_array().map(Vec::len))
        .filter(|&n| n > 0)
        .unwrap_or(1)
}

/// Where one band of one item's asset lies and how its values read.
#[derive(Debug, Clone)]
struct Raster {
    href: String,
    label: String,
    band: usize,
    epsg: u32,
    transform: GeoTransform,
    size: (usize, usize),
    /// raster:bands' nodata; without it, the file's `GDAL_NODATA`.
    nodata: Option<f64>,
    scale: f64,
    offset: f64,
}

/// One item as the stack needs it.
struct Entry {
    id: String,
    time: i64,
    longitude: f64,
    /// Per band of the stack; `None` where the item lacks the asset.
    rasters: Vec<Option<Raster>>,
}

impl Entry {
    fn read(
        feature: &Map<String, Value>,
        index: usize,
        bands: &[Band],
        cogs: &Mutex<HashMap<String, Cog>>,
    ) -> Result<Self, Error> {
        let id = feature
            .get("id")
            .and_then(Value::as_str)
            .map_or_else(|| format!("item {index}"), str::to_owned);
        let empty = Map::new();
        let properties = feature
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let time = instant(properties)
            .ok_or_else(|| Error::Stac(format!("cannot stack: item `{id}` has no datetime")))?;
        let longitude = feature
            .get("bbox")
            .and_then(Value::as_array)
            .and_then(|b| {
                let half = b.len() / 2;
                Some(f64::midpoint(b.first()?.as_f64()?, b.get(half)?.as_f64()?))
            })
            .unwrap_or(0.0);
        let assets = feature.get("assets").and_then(Value::as_object);
        let mut rasters = Vec::with_capacity(bands.len());
        for band in bands {
            let Some(asset) = assets.and_then(|a| a.get(&band.asset)?.as_object()) else {
                rasters.push(None);
                continue;
            };
            rasters.push(Some(Raster::read(&id, properties, band, asset, cogs)?));
        }
        Ok(Self {
            id,
            time,
            longitude,
            rasters,
        })
    }
}

/// An item's `datetime` (or `start_datetime`) in nanoseconds since the epoch.
fn instant(properties: &Map<String, Value>) -> Option<i64> {
    // Only the two fields read, not every property of every item.
    let times: Map<String, Value> = ["datetime", "start_datetime"]
        .into_iter()
        .filter_map(|k| Some((k.to_owned(), properties.get(k)?.clone())))
        .collect();
    let parsed: stac::Properties = serde_json::from_value(Value::Object(times)).ok()?;
    parsed
        .datetime
        .or(parsed.start_datetime)?
        .timestamp_nanos_opt()
}

impl Raster {
    fn read(
        id: &str,
        properties: &Map<String, Value>,
        band: &Band,
        asset: &Map<String, Value>,
        cogs: &Mutex<HashMap<String, Cog>>,
    ) -> Result<Self, Error> {
        let label = format!("asset `{}` of item `{id}`", band.asset);
        let href = asset
            .get("href")
            .and_then(Value::as_str)
            .ok_or_else(|| Error::Stac(format!("cannot stack: {label} has no href")))?
            .to_owned();
        // Asset fields override the item's.
        let field = |key: &str| asset.get(key).or_else(|| properties.get(key));
        let mut epsg = field("proj:epsg")
            .and_then(Value::as_u64)
            .or_else(|| {
                field("proj:code")?
                    .as_str()?
                    .strip_prefix("EPSG:")?
                    .parse()
                    .ok()
            })
            .and_then(|c| u32::try_from(c).ok());
        let mut transform = field("proj:transform").and_then(stac_transform);
        let mut size = field("proj:shape").and_then(|s| {
            let s = s.as_array()?;
            Some((
                usize::try_from(s.first()?.as_u64()?).ok()?,
                usize::try_from(s.get(1)?.as_u64()?).ok()?,
            ))
        });
        if epsg.is_none() || transform.is_none() || size.is_none() {
            // What the metadata leaves out of the grid, the file's header tells.
            let cog = opened(cogs, &href, &label)?;
            epsg = epsg.or(cog.epsg().map(u32::from));
            transform = transform.or(cog.transform());
            size = size.or(Some(cog.shape()));
        }
        let missing = |what: &str| {
            Error::Stac(format!(
                "cannot stack {label} ({href}): neither its STAC metadata nor the file gives its {what}"
            ))
        };
        Ok(Self {
            epsg: epsg.ok_or_else(|| missing("EPSG code"))?,
            transform: transform.ok_or_else(|| missing("geotransform"))?,
            size: size.ok_or_else(|| missing("size"))?,
            scale: band_field(asset, band.index, "scale", "raster:scale")
                .and_then(Value::as_f64)
                .unwrap_or(1.0),
            offset: band_field(asset, band.index, "offset", "raster:offset")
                .and_then(Value::as_f64)
                .unwrap_or(0.0),
            nodata: band_field(asset, band.index, "nodata", "nodata").and_then(number),
            band: band.index,
            href,
            label,
        })
    }

    /// `[west, south, east, north]` of the raster in its own CRS, or in another through
    /// `reprojection` (of its outline, densified); `None` when no point of the outline
    /// exists there.
    fn footprint(&self, reprojection: Option<&Reprojection>) -> Option<[f64; 4]> {
        let Some(reprojection) = reprojection else {
            return Some(warp::bounds(&self.transform, self.size));
        };
        let mut bounds = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
        for (x, y) in warp::outline(&self.transform, self.size, OUTLINE_STEPS) {
            let (x, y) = reprojection.point(x, y);
            if x.is_finite() && y.is_finite() {
                bounds = [
                    bounds[0].min(x),
                    bounds[1].min(y),
                    bounds[2].max(x),
                    bounds[3].max(y),
                ];
            }
        }
        (bounds[0] <= bounds[2]).then_some(bounds)
    }
}

/// A field of band `index` of an asset: from STAC 1.0's `raster:bands` (`key_1_0`) or
/// STAC 1.1's `bands` (`key_1_1`), where a value all bands share sits on the asset.
fn band_field<'a>(
    asset: &'a Map<String, Value>,
    index: usize,
    key_1_0: &str,
    key_1_1: &str,
) -> Option<&'a Value> {
    let in_list = |list: &str, key: &str| asset.get(list)?.as_array()?.get(index)?.get(key);
    in_list("raster:bands", key_1_0)
        .or_else(|| in_list("bands", key_1_1))
        .or_else(|| asset.get(key_1_1))
}

/// A number, or the strings STAC writes for special floats (`"nan"`, `"inf"`, `"-inf"`).
fn number(value: &Value) -> Option<f64> {
    value
        .as_f64()
        .or_else(|| value.as_str()?.trim().to_ascii_lowercase().parse().ok())
}

/// proj:transform (rasterio's affine order, six or nine numbers) in GDAL's order.
fn stac_transform(value: &Value) -> Option<GeoTransform> {
    let v: Vec<f64> = value
        .as_array()?
        .iter()
        .map(Value::as_f64)
        .collect::<Option<_>>()?;
    (v.len() == 6 || v.len() == 9).then(|| [v[2], v[0], v[1], v[5], v[3], v[4]])
}

/// The stack's pixel grid: north-up, whole pixels of the resolution.
struct Grid {
    epsg: u32,
    transform: GeoTransform,
    height: usize,
    width: usize,
    /// From the grid's CRS to each other CRS of the assets, by EPSG code.
    reprojections: HashMap<u32, Reprojection>,
}

impl Grid {
    /// The grid given, or read from the assets: their one CRS, their one resolution,
    /// the union of their footprints, snapped outwards to whole pixels.
    fn choose(entries: &[Entry], options: &Stack) -> Result<Self, Error> {
        let rasters: Vec<&Raster> = entries
            .iter()
            .flat_map(|e| e.rasters.iter().flatten())
            .collect();
        if rasters.is_empty() {
            return Err(Error::Stac(
                "cannot stack: no item has any of the assets".into(),
            ));
        }
        let epsg = match options.epsg {
            Some(code) => code,
            None => one_of(rasters.iter().map(|r| r.epsg), |codes| {
                format!(
                    "the assets are in {}; choose one CRS with `.epsg(...)`",
                    list(codes.iter().map(|c| format!("EPSG:{c}")))
                )
            })?,
        };
        // Both ways between the grid's CRS and every other: footprints come to the
        // grid, pixel centres go to the assets.
        let mut reprojections = HashMap::new();
        let mut footprints = HashMap::new();
        for raster in &rasters {
            let other = raster.epsg;
            if other == epsg || reprojections.contains_key(&other) {
                continue;
            }
            let why = |e: Error| {
                Error::Stac(format!(
                    "cannot stack {} (EPSG:{other}) onto a grid in EPSG:{epsg}: {e}",
                    raster.label
                ))
            };
            footprints.insert(other, Reprojection::new(other, epsg).map_err(why)?);
            reprojections.insert(other, Reprojection::new(epsg, other).map_err(why)?);
        }
        let resolution = if let Some(r) = options.resolution {
            r
        } else {
            let sizes: Vec<u64> = rasters
                .iter()
                .filter(|r| r.epsg == epsg)
                .map(|r| r.transform[1].abs().to_bits())
                .collect();
            if sizes.is_empty() {
                return Err(Error::Stac(format!(
                    "cannot stack: no asset is in EPSG:{epsg}, so none gives the resolution; choose one with `.resolution(...)`"
                )));
            }
            f64::from_bits(one_of(sizes.into_iter(), |sizes| {
                format!(
                    "the assets have pixels of {} (EPSG:{epsg} units); choose one with `.resolution(...)`",
                    list(sizes.iter().map(|&s| f64::from_bits(s)))
                )
            })?)
        };
        let [west, south, east, north] = match options.bounds {
            Some(bounds) => bounds,
            None => rasters
                .iter()
                .filter_map(|r| r.footprint(footprints.get(&r.epsg)))
                .reduce(|[w, s, e, n], [w2, s2, e2, n2]| {
                    [w.min(w2), s.min(s2), e.max(e2), n.max(n2)]
                })
                .ok_or_else(|| {
                    Error::Stac(format!(
                        "cannot stack: no asset has a footprint in EPSG:{epsg}"
                    ))
                })?,
        };
        let snap = |v: f64, up: bool| {
            (if up {
                (v / resolution).ceil()
            } else {
                (v / resolution).floor()
            }) * resolution
        };
        let (west, south, east, north) = (
            snap(west, false),
            snap(south, false),
            snap(east, true),
            snap(north, true),
        );
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "positive pixel counts"
        )]
        let (width, height) = (
            ((east - west) / resolution).round() as usize,
            ((north - south) / resolution).round() as usize,
        );
        Ok(Self {
            epsg,
            transform: [west, resolution, 0.0, north, 0.0, -resolution],
            height,
            width,
            reprojections,
        })
    }
}

/// The one value `values` share, or an error `why` makes from all of them.
fn one_of<T: PartialEq + Copy>(
    values: impl Iterator<Item = T>,
    why: impl Fn(&[T]) -> String,
) -> Result<T, Error> {
    let mut seen: Vec<T> = Vec::new();
    for v in values {
        if !seen.contains(&v) {
            seen.push(v);
        }
    }
    match seen.as_slice() {
        [one] => Ok(*one),
        _ => Err(Error::Stac(format!("cannot stack: {}", why(&seen)))),
    }
}

fn list<T: std::fmt::Display>(items: impl Iterator<Item = T>) -> String {
    items.map(|i| i.to_string()).collect::<Vec<_>>().join(", ")
}

/// The items (indices into `entries`, which are in time order) of each time step.
fn group(entries: &[Entry], by: GroupBy) -> Vec<Vec<usize>> {
    const NS_PER_DAY: i64 = 86_400_000_000_000;
    let key = |e: &Entry| -> i64 {
        match by {
            GroupBy::Item => 0,
            GroupBy::Time => e.time,
            GroupBy::SolarDay => {
                #[allow(clippy::cast_possible_truncation, reason = "hours of longitude")]
                let shift = (e.longitude / 15.0 * 3.6e12) as i64;
                (e.time + shift).div_euclid(NS_PER_DAY)
            }
        }
    };
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        match groups.last_mut() {
            Some(last) if by != GroupBy::Item && key(&entries[last[0]]) == key(entry) => {
                last.push(i);
            }
            _ => groups.push(vec![i]),
        }
    }
    groups
}

/// The file at `href`, its header read once for the stack and kept in `cogs` (by
/// href), whether the grid needed it or a chunk does.
fn opened(cogs: &Mutex<HashMap<String, Cog>>, href: &str, label: &str) -> Result<Cog, Error> {
    if let Some(cog) = cogs.lock().expect("cogs").get(href) {
        return Ok(cog.clone());
    }
    let cog = open_cog(href).map_err(|e| Error::Stac(format!("cannot read {label}: {e}")))?;
    cogs.lock()
        .expect("cogs")
        .insert(href.to_owned(), cog.clone());
    Ok(cog)
}

/// The chunks of a stack: each reads, for one time step and band, the tiles of every
/// raster laid into it that lie under the chunk.
#[derive(Debug)]
struct StackSource {
    shape: Vec<usize>,
    chunks: Chunks,
    transform: GeoTransform,
    /// From the stack's CRS to each other CRS of the assets, by EPSG code.
    reprojections: HashMap<u32, Reprojection>,
    dtype: DType,
    resampling: Resampling,
    /// How far a reprojected pixel centre may stray, in source pixels.
    tolerance: f64,
    /// The rasters of each time step and band, in the order they are laid.
    layers: Vec<Vec<Vec<Raster>>>,
    /// Files opened so far, by href: each header is read once.
    cogs: Mutex<HashMap<String, Cog>>,
}

impl StackSource {
    /// Lays `raster` into the still-missing pixels of `out`, whose top-left corner is at
    /// `transform`'s origin.
    fn lay(
        &self,
        raster: &Raster,
        out: &mut Array2<f64>,
        transform: &GeoTransform,
    ) -> Result<(), Error> {
        let inverse = warp::invert(&raster.transform).ok_or_else(|| {
            Error::Stac(format!("{} has a degenerate geotransform", raster.label))
        })?;
        let mapping = Mapping {
            transform: *transform,
            reprojection: self.reprojections.get(&raster.epsg),
            inverse,
            tolerance: self.tolerance,
        };
        let Some((wrows, wcols)) = mapping.window(out.dim(), raster.size, OUTLINE_STEPS) else {
            return Ok(());
        };
        let cog = opened(&self.cogs, &raster.href, &raster.label)?;
        if cog.shape() != raster.size {
            return Err(Error::Stac(format!(
                "{} ({}) is {}x{} pixels, but its proj:shape says {}x{}",
                raster.label,
                raster.href,
                cog.shape().0,
                cog.shape().1,
                raster.size.0,
                raster.size.1
            )));
        }
        if raster.band >= cog.bands() {
            return Err(Error::Stac(format!(
                "{} ({}) has {} bands, not the {} its metadata lists",
                raster.label,
                raster.href,
                cog.bands(),
                raster.band + 1
            )));
        }
        let values = cog
            .read_window(0, wrows.clone(), wcols.clone())
            .map_err(|e| Error::Stac(format!("cannot read {}: {e}", raster.label)))?;
        // Without nodata in the metadata, the file's own holds (read with its header).
        let nodata = raster.nodata.or(cog.nodata());
        let pixels = values.raster_band(raster.band, nodata, raster.scale, raster.offset)?;
        let source = Source {
            pixels: pixels.view(),
            rows: wrows,
            cols: wcols,
            size: raster.size,
        };
        warp::fill(&source, out.view_mut(), &mapping, self.resampling);
        Ok(())
    }
}

impl ChunkSource for StackSource {
    fn name(&self) -> &'static str {
        "stack"
    }

    fn shape(&self) -> &[usize] {
        &self.shape
    }

    fn chunks(&self) -> &Chunks {
        &self.chunks
    }

    fn meta(&self) -> Values {
        let zero = Values::from_array(ArrayD::<f64>::zeros(vec![1; 4]));
        zero.cast(self.dtype)
            .unwrap_or_else(|_| Values::from_array(ArrayD::<f64>::zeros(vec![1; 4])))
    }

    fn read(&self, index: &[usize]) -> Result<Values, Error> {
        let region = self.chunks.region(index);
        let (time, band) = (region[0].start, region[1].start);
        let (rows, cols) = (&region[2], &region[3]);
        let t = &self.transform;
        let (x0, y0) = warp::apply(t, cols.start as f64, rows.start as f64);
        let transform = [x0, t[1], t[2], y0, t[4], t[5]];
        let mut out = Array2::from_elem((rows.len(), cols.len()), f64::NAN);
        for raster in &self.layers[time][band] {
            self.lay(raster, &mut out, &transform)?;
        }
        let values = Values::from_array(out.insert_axis(Axis(0)).insert_axis(Axis(0)));
        values.into_dtype(self.dtype)
    }
}
