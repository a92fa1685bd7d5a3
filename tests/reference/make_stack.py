"""STAC items with Cloud-Optimised GeoTIFF assets, written by rasterio (GDAL's COG
driver) and pystac, and the (time, band, y, x) cubes rasterio makes of them, for
runtime/tests/stack.rs.

* items/: four Sentinel-2-like items in UTM zone 31N (EPSG:32631), each with a `red`
  and a `nir` band at 10 m and a `swir16` band at 20 m, uint16 with nodata 0 and
  raster:bands scale 0.0001 / offset -0.1 (Sentinel-2 L2A's since baseline 04.00), tiled
  128 x 128, DEFLATE with a predictor, with overviews. Two items share a solar day and
  overlap; one is offset by 3 m from the 10 m grid; edges carry nodata as real scenes
  do. Half the items give projection metadata as proj:epsg (projection extension
  v1.1), half as proj:code (v2.0). `items.json` is their item collection.
* expected/: for each cube, the grid (CRS, transform, shape, pixel-centre coordinates),
  the times and bands, and every value as a float64 .npy. Each is made the way stackstac
  and odc-stac make theirs: every asset warped onto the grid with
  `rasterio.warp.reproject` (nodata in, NaN out), scaled and offset, and the items of a
  group laid over one another with the first valid value winning, items in time order.

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
from rasterio.warp import reproject

ROOT = pathlib.Path(__file__).resolve().parents[2]
EPSG = 32631
SCALE, OFFSET, NODATA = 0.0001, -0.1, 0
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


def pixels(seed, height, width):
    """Smooth, field-like reflectances (uint16, 1..10000) with nodata at one corner, as
    a scene's swath edge leaves it."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width]
    field = 3000 + 1500 * np.sin(x / 17.0 + seed) * np.cos(y / 23.0) + rng.normal(0, 300, (height, width))
    values = np.clip(field, 1, 10000).astype("uint16")
    values[y + x < min(height, width) // 3] = NODATA
    return values


def write_cog(path, values, transform):
    profile = dict(
        driver="COG", width=values.shape[1], height=values.shape[0], count=1, dtype="uint16",
        crs=CRS.from_epsg(EPSG), transform=transform, nodata=NODATA, blocksize=128,
        compress="DEFLATE", predictor=2, overview_resampling="average",
    )
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(values, 1)


def make_items(out):
    items = []
    for n, (item_id, when, west, north, width, height, proj) in enumerate(ITEMS):
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
            item.properties["proj:epsg"] = EPSG
        else:
            item.properties["proj:code"] = f"EPSG:{EPSG}"
        for b, (band, res) in enumerate(BANDS.items()):
            shape = (int(height / res), int(width / res))
            transform = from_origin(west, north, res, res)
            values = pixels(100 * n + b, *shape)
            name = f"{item_id}_{band}.tif"
            write_cog(out / name, values, transform)
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
        corners = rasterio.warp.transform(CRS.from_epsg(EPSG), CRS.from_epsg(4326),
                                          [west, east, east, west], [north, north, south, south])
        ring = [[x, y] for x, y in zip(*corners)]
        item.geometry = {"type": "Polygon", "coordinates": [ring + ring[:1]]}
        item.bbox = [min(corners[0]), min(corners[1]), max(corners[0]), max(corners[1])]
        items.append(item)
    # Asset hrefs stay relative: readers resolve them against where items.json is served.
    collection = pystac.ItemCollection(items)
    (out / "items.json").write_text(json.dumps(collection.to_dict(transform_hrefs=False), indent=1))
    return items


def solar_day(item):
    """The local solar date at the item's centre, as odc-stac groups by it."""
    lon = (item.bbox[0] + item.bbox[2]) / 2
    return (item.datetime + dt.timedelta(hours=lon / 15)).date()


def cube(out, items, name, resolution, bounds, resampling, group, bounds_given=False):
    """Every band of every item warped onto one grid, as stackstac / odc-stac do."""
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
                    source = src.read(1).astype("float64")
                    warped = np.full((height, width), np.nan)
                    reproject(
                        source, warped, src_transform=src.transform, src_crs=src.crs,
                        src_nodata=NODATA, dst_transform=transform, dst_crs=CRS.from_epsg(EPSG),
                        dst_nodata=np.nan, resampling=resampling,
                    )
                warped = warped * SCALE + OFFSET
                layer = data[t, b]
                layer[np.isnan(layer)] = warped[np.isnan(layer)]
    np.save(out / "expected" / f"{name}.npy", data)
    xs = west + resolution * (np.arange(width) + 0.5)
    ys = north - resolution * (np.arange(height) + 0.5)
    return {
        "name": name,
        "resolution": resolution,
        "bounds": [west, south, east, north],
        "bounds_given": bounds_given,
        "resampling": resampling.name,
        "group_by_solar_day": group,
        "epsg": EPSG,
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
    items = make_items(out / "items")
    west = min(i.assets["red"].extra_fields["proj:transform"][2] for i in items)
    north = max(i.assets["red"].extra_fields["proj:transform"][5] for i in items)
    east = max(
        a.extra_fields["proj:transform"][2] + a.extra_fields["proj:shape"][1] * a.extra_fields["proj:transform"][0]
        for i in items for a in i.assets.values()
    )
    south = min(
        a.extra_fields["proj:transform"][5] - a.extra_fields["proj:shape"][0] * a.extra_fields["proj:transform"][0]
        for i in items for a in i.assets.values()
    )

    def snap(value, res, up):
        return (math.ceil if up else math.floor)(value / res) * res

    def snapped(res):
        return [snap(west, res, False), snap(south, res, False), snap(east, res, True), snap(north, res, True)]

    cubes = [
        # The items' own grid: every item but one lands on it pixel for pixel.
        cube(out, items, "native_nearest", 10.0, snapped(10.0), Resampling.nearest, False),
        # Items of one solar day laid into one time step.
        cube(out, items, "solar_day_nearest", 10.0, snapped(10.0), Resampling.nearest, True),
        # 20 m bands brought to 10 m, and the offset item, bilinearly.
        cube(out, items, "native_bilinear", 10.0, snapped(10.0), Resampling.bilinear, False),
        # A coarser grid over part of the area (given bounds, 30 m).
        cube(out, items, "bounds_30m_nearest", 30.0, [400500.0, 5500500.0, 404400.0, 5503200.0],
             Resampling.nearest, False, bounds_given=True),
    ]
    (out / "expected" / "cubes.json").write_text(json.dumps(cubes, indent=1))
    print(f"{len(items)} items and {len(cubes)} cubes from rasterio {rasterio.__version__} "
          f"(GDAL {rasterio.__gdal_version__}) and pystac {pystac.__version__} in {out}")


if __name__ == "__main__":
    main()
