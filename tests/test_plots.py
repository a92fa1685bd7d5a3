"""Plots from kernel cells: each kind comes back as an `image/png` execute_result with
matplotlib's figure text and its size, a bad argument is an error naming it that loses
nothing, and every kind shown in Debian's Chromium (Playwright) has the pixels that
matter: data in the plotting area, a colour bar for 2-D kinds, the page showing through
NaN cells. Screenshots go to build/screenshots.
"""

import base64
import io

import pytest
from PIL import Image

import conftest
from conftest import shot

# A field on a descending latitude, warmer to the north, with a NaN block in rows 5-9 of
# 20 and columns 10-19 of 30.
FIELD = """
let lats: Vec<f64> = (0..20).map(|i| 75.0 - 2.5 * f64::from(i)).collect();
let lons: Vec<f64> = (0..30).map(|i| 200.0 + 2.5 * f64::from(i)).collect();
let values = ndarray::Array2::from_shape_fn((20, 30), |(i, j)| {
    if (5..10).contains(&i) && (10..20).contains(&j) { f64::NAN } else { 300.0 - 2.0 * i as f64 + 0.1 * j as f64 }
});
let field = DataArray::new(["lat", "lon"], values)?
    .assign_coords("lat", lats)?
    .assign_coords("lon", lons)?
    .assign_attrs([("long_name", "Air temperature"), ("units", "K")])
    .with_name("air");
"""

KINDS = {
    "line": ('field.isel("lat", 0)?.plot()?', False),
    "line_hue": ('field.isel("lat", vec![0, 10, 19])?.plot_with(Plot::line().hue("lat"))?', False),
    "pcolormesh": ("field.plot()?", True),
    "imshow": ("field.plot_with(Plot::imshow().robust(true))?", True),
    "contourf": ("field.plot_with(Plot::contourf())?", True),
    "scatter": ('field.isel("lat", 3)?.plot_with(Plot::scatter())?', False),
    "hist": ("field.plot_with(Plot::hist())?", False),
    "facets": ('DataArray::concat(&[&field, &field], "time")?.plot_with(Plot::pcolormesh().col("time"))?', True),
}

# A page colour no plot uses, to see where a PNG is transparent.
BACKGROUND = (255, 0, 255)


@pytest.fixture(scope="module")
def figures(kc):
    reply, _ = conftest.run(kc, FIELD)
    assert reply["status"] == "ok", reply
    out = {}
    for name, (code, _) in KINDS.items():
        reply, messages = conftest.run(kc, code)
        assert reply["status"] == "ok", (name, reply)
        (result,) = [m for m in messages if m["msg_type"] == "execute_result"]
        out[name] = result["content"]
    return out


def test_every_kind_returns_a_png_with_its_size(figures):
    for name, content in figures.items():
        assert set(content["data"]) == {"image/png", "text/plain"}, name
        png = base64.b64decode(content["data"]["image/png"])
        assert png.startswith(b"\x89PNG"), name
        width, height = Image.open(io.BytesIO(png)).size
        assert content["metadata"]["image/png"] == {"width": width, "height": height}, name
        axes = 1 + (name in ("pcolormesh", "imshow", "contourf")) + 2 * (name == "facets")
        assert content["data"]["text/plain"] == f"<Figure size {width}x{height} with {axes} Axes>", name
    assert Image.open(io.BytesIO(base64.b64decode(figures["pcolormesh"]["data"]["image/png"]))).size == (640, 480)


def test_svg_and_kernel_wide_defaults(kc):
    reply, messages = conftest.run(kc, 'set_options(|o| { o.plot_format = Format::Svg; o.plot_size = (5.0, 3.0); });\nfield.plot()?')
    assert reply["status"] == "ok", reply
    (result,) = [m for m in messages if m["msg_type"] == "execute_result"]
    svg = result["content"]["data"]["image/svg+xml"]
    assert svg.startswith('<svg') and 'width="500"' in svg and "<text" not in svg
    conftest.run(kc, "set_options(|o| { o.plot_format = Format::Png; o.plot_size = (6.4, 4.8); });")


def test_a_bad_argument_names_itself_and_loses_nothing(kc):
    reply, messages = conftest.run(kc, 'field.plot_with(Plot::line().hue("height"))?')
    assert reply["status"] == "error"
    text = reply["evalue"] + "".join(m["content"].get("evalue", "") for m in messages if m["msg_type"] == "error")
    assert "no dimension `height`" in text, text
    assert conftest.evaluate(kc, "field.dims().join(\",\")") == '"lat,lon"'


def pixels_of(page, name):
    """The rendered image of figure `name` as the browser shows it, as RGB pixels."""
    shot_bytes = page.locator(f"img#{name}").screenshot()
    return Image.open(io.BytesIO(shot_bytes)).convert("RGB")


def plot_box(image, across=3):
    """The plotting area (of the first panel): inside the black frame, found from a point
    a third of the way across the figure (a sixth where two panels share a row)."""
    w, h = image.size
    row = h // 2 if across == 3 else h // 4
    start = w // across
    black = lambda x, y: image.getpixel((x, y)) == (0, 0, 0)  # noqa: E731
    left = next(x for x in range(start, 0, -1) if black(x, row)) + 1
    right = next(x for x in range(start, w) if black(x, row))
    top = next(y for y in range(row, 0, -1) if black(left + 3, y)) + 1
    bottom = next(y for y in range(row, h) if black(left + 3, y))
    return left, top, right, bottom


def test_every_kind_in_a_browser_has_the_pixels_that_matter(figures, browser):
    images = "".join(
        f"<div><img id='{name}' src='data:image/png;base64,{content['data']['image/png']}'></div>"
        for name, content in figures.items()
    )
    page = browser.new_page(viewport={"width": 1000, "height": 800})
    page.set_content(f"<html><body style='margin: 0; background: rgb{BACKGROUND}'>{images}</body></html>")
    shot(page, "plots.png")
    for name, (_, two_d) in KINDS.items():
        image = pixels_of(page, name)
        image.save(conftest.SHOTS / f"plot_{name}.png")
        left, top, right, bottom = plot_box(image, 6 if name == "facets" else 3)
        assert right - left > 100 and bottom - top > 100, name
        # Data in the plotting area: pixels that are neither the figure's white, the page,
        # nor the frame.
        inside = [image.getpixel((x, y)) for x in range(left + 2, right - 2, 3) for y in range(top + 2, bottom - 2, 3)]
        coloured = sum(p not in ((255, 255, 255), BACKGROUND, (0, 0, 0)) for p in inside)
        assert coloured > len(inside) * (0.5 if two_d else 0.005), (name, coloured, len(inside))
        if two_d:
            if name == "facets":  # the colour bar is right of the second panel
                right = next(x for x in range(image.size[0] * 5 // 8, image.size[0]) if image.getpixel((x, top + 5)) == (0, 0, 0))
            # A colour bar: right of the plot, several colours from top to bottom (bands for
            # contourf).
            w, _ = image.size
            column = next(
                x for x in range(right + 4, w) if image.getpixel((x, (top + bottom) // 2)) not in ((255, 255, 255), (0, 0, 0))
            )
            shades = {image.getpixel((column + 3, y)) for y in range(top + 3, bottom - 3)}
            assert len(shades) >= 4, (name, len(shades))
    # NaN cells (rows 5-9 of 20 from the top, north up; columns 10-19 of 30) show the page.
    for name in ("pcolormesh", "imshow"):
        image = pixels_of(page, name)
        left, top, right, bottom = plot_box(image)
        centre = (left + (right - left) * 15 // 30, top + (bottom - top) * 15 // 40)
        assert image.getpixel(centre) == BACKGROUND, name
        # North up: the warm first latitude row is at the top (yellow), the cold last at the
        # bottom (purple).
        r, g, b = image.getpixel((left + 5, top + 3))
        assert r > 200 and g > 200 and b < 100, (name, (r, g, b))
    page.close()
