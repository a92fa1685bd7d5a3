"""STAC items with Cloud-Optimised GeoTIFF assets, written by rasterio (GDAL's COG
driver) and pystac, and the (time, band, y, x) cubes rasterio makes of them, for
runtime/tests/stack.rs.

* items/: four Sentinel-2-like items in UTM zone 31N (EPSG:32631), each with a `red`
  and a `nir` band at 10 m and a `swir16` band at 20 m, uint16 with nodata 0 and
  raster:bands scale 0.0001 / offset -0.1 (Sentinel-2 L2A's since baseline 04.00), tiled
  128 x 128, DEFLATE with a predictor, with overviews. Two items share a solar day and
  overlap; one is offset by 3 m from the 10 m grid; edges carry nodata as real scenes
  do. Half the items give projection metadata as proj:epsg (projection extension
  v1.1), half as proj:code (v2.0). `items.json` is their item collection; `mixed.json`
  adds a fifth item in UTM zone 32N (EPSG:32632) over the same ground, for reprojection.
* expected/: for each cube, the grid (CRS, transform, shape, pixel-centre coordinates),
  the times and bands, and every value as a float64 .npy. Each is made the way stackstac
  makes its: every asset warped onto the grid through a `rasterio.vrt.WarpedVRT` (nodata
  in, NaN out), scaled and offset, and the items of a group laid over one another with the first valid
  value winning, items in time order. Grids in another CRS than an item's take their
  default bounds from `rasterio.warp.transform_bounds` (21 points a side). GDAL's
  bilinear kernel is given its scale (XSCALE / YSCALE: source over destination pixel
  size), as rangeo computes it: left to itself, GDAL takes it from the bounding box of
  the source window of each block it splits the grid into, so a 4-degree rotation
  between UTM zones widens the kernel in some blocks and not in others. Pixel centres
  are reprojected exactly (a tolerance of 1e-9 pixels; GDAL refuses 0), where GDAL's
  default interpolates within 0.125 pixels: the tests stack with `.tolerance(0.0)`.

Run: .venv/bin/python tests/reference/make_stack.py [OUT]  (scripts/test.sh does).
"""

import datetime as dt
import json
import math
import pathlib
import shutil
import sys

import numpy as np
import pystac
import rasterio
from rasterio.crs import CRS
from rasterio.enums import Resampling
from rasterio.transform import from_origin
from rasterio.vrt import WarpedVRT
from rasterio.warp import transform_bounds

ROOT = pathlib.Path(__file__).resolve().parents[2]
EPSG = 32631
SCALE, OFFSET, NODATA = 0.0001, -0.1, 0
EXACT = 1e-9
BANDS = {"red": 10.0, "nir": 10.0, "swir16": 20.0}
PROJ_V1 = "https://stac-extensions.github.io/projection/v1.1.0/schema.json"
PROJ_V2 = "https://stac-extensions.github.io/projection/v2.0.0/schema.json"
RASTER = "https://stac-extensions.github.io/raster/v1.1.0/schema.json"

# id, datetime, west, north, width and height in metres, projection extension version.
ITEMS = [
    ("S2A_31UDQ_20190105_0", "2019-01-05T10:58:01Z", 400000.0, 5502560.0, 3000, 2560, 1),
    ("S2A_31UDQ_20190105_1", "2019-01-05T10:58:15Z", 402480.0, 5503520.0, 3040, 2560, 2),
    ("S2B_31UDQ_20190115_0", "2019-01-15T10:57:42Z", 400003.0, 5502557.0, 3000, 2560, 1),
    ("S2A_31UDQ_20190125_0", "2019-01-25T10:58:07Z", 401000.0, 5503000.0, 2560, 2560, 2),
]
# The same ground seen from UTM zone 32N, in mixed.json only.
ITEM_32632 = ("S2B_32ULV_20190120_0", "2019-01-20T10:57:55Z", -30600.0, 5529000.0, 2400, 2200, 2, 32632)


def pixels(seed, height, width):
    """Smooth, field-like reflectances (uint16, 1..10000) with nodata at one corner, as
    a scene's swath edge leaves it."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width]
    field = 3000 + 1500 * np.sin(x / 17.0 + seed) * np.cos(y / 23.0) + rng.normal(0, 300, (height, width))
    values = np.clip(field, 1, 10000).astype("uint16")
    values[y + x < min(height, width) // 3] = NODATA
    return values


def write_cog(path, values, transform, epsg):
    profile = dict(
        driver="COG", width=values.shape[1], height=values.shape[0], count=1, dtype="uint16",
        crs=CRS.from_epsg(epsg), transform=transform, nodata=NODATA, blocksize=128,
        compress="DEFLATE", predictor=2, overview_resampling="average",
    )
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(values, 1)


def make_item(out, n, item_id, when, west, north, width, height, proj, epsg=EPSG):
    item = pystac.Item(
        id=item_id,
        geometry=None,
        bbox=None,
        datetime=dt.datetime.fromisoformat(when.replace("Z", "+00:00")),
        properties={"eo:cloud_cover": 10.0 * n},
        collection="sentinel-2-l2a-like",
    )
    item.stac_extensions = [PROJ_V1 if proj == 1 else PROJ_V2, RASTER]
    if proj == 1:
        item.properties["proj:epsg"] = epsg
    else:
        item.properties["proj:code"] = f"EPSG:{epsg}"
    for b, (band, res) in enumerate(BANDS.items()):
        shape = (int(height / res), int(width / res))
        transform = from_origin(west, north, res, res)
        values = pixels(100 * n + b, *shape)
        if band == "nir":
            # Vegetation reflects near-infrared more than red: NDVI around 0.3.
            values = np.clip(values * 1.8, 0, 10000).astype("uint16")
        name = f"{item_id}_{band}.tif"
        write_cog(out / name, values, transform, epsg)
        asset = pystac.Asset(
            href=name,
            media_type=pystac.MediaType.COG,
            roles=["data"],
            extra_fields={
                "proj:shape": list(shape),
                "proj:transform": list(transform)[:6],
                "raster:bands": [{
                    "nodata": NODATA, "data_type": "uint16", "scale": SCALE,
                    "offset": OFFSET, "spatial_resolution": res,
                }],
            },
        )
        item.add_asset(band, asset)
    east, south = west + width, north - height
    corners = rasterio.warp.transform(CRS.from_epsg(epsg), CRS.from_epsg(4326),
                                      [west, east, east, west], [north, north, south, south])
    ring = [[x, y] for x, y in zip(*corners)]
    item.geometry = {"type": "Polygon", "coordinates": [ring + ring[:1]]}
    item.bbox = [min(corners[0]), min(corners[1]), max(corners[0]), max(corners[1])]
    return item


def make_items(out):
    """items.json, and mixed.json with the zone 32N item too; asset hrefs stay relative,
    so readers resolve them against where the collection is served."""
    items = [make_item(out, n, *spec) for n, spec in enumerate(ITEMS)]
    mixed = items + [make_item(out, len(ITEMS), *ITEM_32632)]
    for name, members in (("items.json", items), ("mixed.json", mixed)):
        collection = pystac.ItemCollection(members)
        (out / name).write_text(json.dumps(collection.to_dict(transform_hrefs=False), indent=1))
    return items, mixed


def solar_day(item):
    """The local solar date at the item's centre, as odc-stac groups by it."""
    lon = (item.bbox[0] + item.bbox[2]) / 2
    return (item.datetime + dt.timedelta(hours=lon / 15)).date()


def footprints(items, epsg):
    """The union of the assets' footprints in EPSG:`epsg`."""
    boxes = []
    for item in items:
        for asset in item.assets.values():
            (a, b, west, d, e, north), (rows, cols) = asset.extra_fields["proj:transform"], asset.extra_fields["proj:shape"]
            box = (west, north + e * rows, west + a * cols, north)
            own = item.properties.get("proj:epsg") or int(item.properties["proj:code"].split(":")[1])
            if own != epsg:
                box = transform_bounds(CRS.from_epsg(own), CRS.from_epsg(epsg), *box, densify_pts=21)
            boxes.append(box)
    return [min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes)]


def snap(value, res, up):
    return (math.ceil if up else math.floor)(value / res) * res


def snapped(bounds, res):
    west, south, east, north = bounds
    return [snap(west, res, False), snap(south, res, False), snap(east, res, True), snap(north, res, True)]


def cube(out, items, name, resolution, bounds, resampling, group, bounds_given=False,
         epsg=EPSG, collection="items.json"):
    """Every band of every item warped onto one grid, as stackstac / odc-stac do. The
    stack is told the EPSG code (epsg_given) where it is not the items' only CRS."""
    west, south, east, north = bounds
    width = round((east - west) / resolution)
    height = round((north - south) / resolution)
    transform = from_origin(west, north, resolution, resolution)
    ordered = sorted(items, key=lambda i: i.datetime)
    groups = []
    for item in ordered:
        key = solar_day(item) if group else item.id
        if groups and groups[-1][0] == key:
            groups[-1][1].append(item)
        else:
            groups.append((key, [item]))
    data = np.full((len(groups), len(BANDS), height, width), np.nan)
    for t, (_, members) in enumerate(groups):
        for b, band in enumerate(BANDS):
            for item in members:
                with rasterio.open(out / "items" / item.assets[band].href) as src:
                    scale = str(src.transform.a / resolution)
                    with WarpedVRT(
                        src, crs=CRS.from_epsg(epsg), transform=transform, width=width,
                        height=height, resampling=resampling, src_nodata=NODATA, nodata=np.nan,
                        dtype="float64", tolerance=EXACT, XSCALE=scale, YSCALE=scale,
                    ) as vrt:
                        warped = vrt.read(1)
                warped = warped * SCALE + OFFSET
                layer = data[t, b]
                layer[np.isnan(layer)] = warped[np.isnan(layer)]
    np.save(out / "expected" / f"{name}.npy", data)
    xs = west + resolution * (np.arange(width) + 0.5)
    ys = north - resolution * (np.arange(height) + 0.5)
    return {
        "name": name,
        "items": collection,
        "epsg_given": epsg != EPSG or collection == "mixed.json",
        "resolution": resolution,
        "bounds": [west, south, east, north],
        "bounds_given": bounds_given,
        "resampling": resampling.name,
        "group_by_solar_day": group,
        "epsg": epsg,
        "transform": list(transform)[:6],
        "shape": list(data.shape),
        "x": [xs[0], xs[-1]],
        "y": [ys[0], ys[-1]],
        "time": [g[1][0].datetime.strftime("%Y-%m-%dT%H:%M:%S") for g in groups],
        "band": list(BANDS),
        "values": f"{name}.npy",
        "valid": int(np.isfinite(data).sum()),
    }


def main():
    out = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "build/reference/stack"
    shutil.rmtree(out, ignore_errors=True)
    (out / "items").mkdir(parents=True)
    (out / "expected").mkdir()
    items, mixed = make_items(out / "items")
    native = footprints(items, EPSG)
    cubes = [
        # The items' own grid: every item but one lands on it pixel for pixel.
        cube(out, items, "native_nearest", 10.0, snapped(native, 10.0), Resampling.nearest, False),
        # Items of one solar day laid into one time step.
        cube(out, items, "solar_day_nearest", 10.0, snapped(native, 10.0), Resampling.nearest, True),
        # 20 m bands brought to 10 m, and the offset item, bilinearly.
        cube(out, items, "native_bilinear", 10.0, snapped(native, 10.0), Resampling.bilinear, False),
        # 10 m and 20 m bands brought to 30 m bilinearly: GDAL's kernel widens.
        cube(out, items, "native_bilinear_30m", 30.0, snapped(native, 30.0), Resampling.bilinear, False),
        # A coarser grid over part of the area (given bounds, 30 m).
        cube(out, items, "bounds_30m_nearest", 30.0, [400500.0, 5500500.0, 404400.0, 5503200.0],
             Resampling.nearest, False, bounds_given=True),
        # The zone 32N item reprojected onto the others' grid (bounds: every footprint).
        cube(out, mixed, "mixed_crs_bilinear", 10.0, snapped(footprints(mixed, EPSG), 10.0),
             Resampling.bilinear, False, collection="mixed.json"),
        cube(out, mixed, "mixed_crs_nearest", 20.0, snapped(footprints(mixed, EPSG), 20.0),
             Resampling.nearest, False, collection="mixed.json"),
        # What notebooks/stac-datacube.ipynb stacks: both zones, 10 m, by solar day.
        cube(out, mixed, "mixed_solar_day_nearest", 10.0, snapped(footprints(mixed, EPSG), 10.0),
             Resampling.nearest, True, collection="mixed.json"),
        # Everything reprojected to the European LAEA grid (EPSG:3035), by solar day.
        cube(out, items, "laea_nearest", 20.0, snapped(footprints(items, 3035), 20.0),
             Resampling.nearest, True, epsg=3035),
    ]
    (out / "expected" / "cubes.json").write_text(json.dumps(cubes, indent=1))
    print(f"{len(items)} items and {len(cubes)} cubes from rasterio {rasterio.__version__} "
          f"(GDAL {rasterio.__gdal_version__}) and pystac {pystac.__version__} in {out}")


if __name__ == "__main__":
    main()
