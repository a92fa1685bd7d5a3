"""The HTML reprs in a real browser: Debian's Chromium, driven by Playwright. A dataset and a
lazy array come from cells run in the kernel; their `text/html` is put on a page as a
notebook shows outputs, and looked at collapsed, expanded, without its stylesheet, and in
a dark theme. Screenshots go to build/screenshots (kept by CI as artefacts).
"""

import conftest
from conftest import shot

DATASET = """
let time: Vec<f64> = (0..40).map(f64::from).collect();
let air: Vec<f64> = time.iter().map(|t| 270.0 + t * 0.5).collect();
let wind: Vec<f64> = time.iter().map(|t| (t / 5.0).sin()).collect();
Dataset::new()
    .assign("air", DataArray::new(["time"], air)?.assign_attrs([("units", "K"), ("long_name", "air temperature")]))?
    .assign("wind", DataArray::new(["time"], wind)?)?
    .assign_coords("time", time)?
    .assign_attrs([("title", "<b>not bold</b>")])
"""

LAZY = """
let values: Vec<f64> = (0..4000).map(f64::from).collect();
DataArray::new(["time"], values)?.with_name("air").chunk([("time", 500)])?
"""


def html_of(kc, code):
    reply, messages = conftest.run(kc, code)
    assert reply["status"] == "ok", reply
    (result,) = [m for m in messages if m["msg_type"] == "execute_result"]
    return result["content"]["data"]["text/html"]


def page_with(browser, *outputs, style=""):
    page = browser.new_page(viewport={"width": 900, "height": 800})
    cells = "".join(f"<div class='output'>{html}</div>" for html in outputs)
    page.set_content(f"<html><body style='font-family: sans-serif; {style}'>{cells}</body></html>")
    return page


def test_a_dataset_repr_opens_and_closes_without_javascript(kc, browser):
    html = html_of(kc, DATASET)
    page = page_with(browser, html)
    # Styled: the rich repr shows and the text fallback does not.
    assert page.locator(".rg-wrap").is_visible()
    assert not page.locator(".rg-fallback").is_visible()
    rows = page.locator(".rg-var-name")
    assert rows.count() == 3
    assert page.locator(".rg-var-attrs").first.is_hidden()
    shot(page, "dataset_collapsed.png")
    # The attributes and data of the first data variable open with their toggles.
    air = page.locator("li.rg-var").filter(has_text="air").first
    air.locator("label[title='Show/Hide attributes']").click()
    assert air.locator(".rg-var-attrs").is_visible()
    assert "air temperature" in air.locator(".rg-var-attrs").inner_text()
    air.locator("label[title='Show/Hide data repr']").click()
    assert "270.5" in air.locator(".rg-var-data").inner_text()
    # Markup in attributes is text.
    assert page.locator("b", has_text="not bold").count() == 0
    page.locator("label", has_text="Indexes").click()
    assert page.locator(".rg-index-summary").is_visible()
    shot(page, "dataset_expanded.png")
    # A section closes.
    page.locator("label", has_text="Data variables").click()
    assert air.locator(".rg-var-name").is_hidden()
    page.close()


def test_the_text_repr_shows_where_css_is_stripped(kc, browser):
    html = html_of(kc, DATASET)
    start, end = html.index("<style>"), html.index("</style>") + len("</style>")
    page = page_with(browser, html[:start] + html[end:])
    assert page.locator(".rg-fallback").is_visible()
    assert not page.locator(".rg-wrap").is_visible()
    assert "<rangeo.Dataset>" in page.locator(".rg-fallback").inner_text()
    shot(page, "dataset_without_css.png")
    page.close()


def test_two_reprs_on_a_page_keep_to_themselves_and_follow_a_dark_theme(kc, browser):
    first, second = html_of(kc, DATASET), html_of(kc, DATASET)
    # The theme variables a dark JupyterLab theme sets, as the notebook page has them.
    dark = (
        "--jp-content-font-color0: rgb(230, 230, 230); --jp-content-font-color2: rgba(255, 255, 255, 0.54);"
        "--jp-content-font-color3: rgba(255, 255, 255, 0.38); --jp-layout-color0: rgb(17, 17, 17);"
        "--jp-layout-color2: rgb(66, 66, 66); --jp-border-color2: rgb(66, 66, 66);"
        "--jp-brand-color1: rgb(100, 181, 246); --jp-brand-color3: rgb(21, 101, 192); background: rgb(17, 17, 17);"
    )
    page = page_with(browser, first, second, style=dark)
    # Every checkbox id is unique (only the two icon symbols, alike in every repr, repeat).
    ids = page.evaluate("() => [...document.querySelectorAll('input[id]')].map(e => e.id)")
    assert len(ids) == 2 * (5 + 3 * 2) and len(ids) == len(set(ids))  # 5 sections, 3 rows
    # Opening the first repr's attributes leaves the second's closed.
    air = [page.locator(".rg-repr").nth(i).locator("li.rg-var").filter(has_text="air").first for i in (0, 1)]
    air[0].locator("label[title='Show/Hide attributes']").click()
    assert air[0].locator(".rg-var-attrs").is_visible()
    assert air[1].locator(".rg-var-attrs").is_hidden()
    color = page.locator(".rg-var-name").first.evaluate("e => getComputedStyle(e).color")
    assert color == "rgb(230, 230, 230)"
    shot(page, "two_datasets_dark.png")
    page.close()


def test_a_lazy_array_shows_its_chunk_block_and_diagram(kc, browser):
    page = page_with(browser, html_of(kc, LAZY))
    table = page.locator(".rg-lazy-table")
    assert table.is_visible()
    assert "8 chunks in 1 graph layer" in table.inner_text()
    diagram = page.locator("svg.rg-chunk-diagram")
    box = diagram.bounding_box()
    assert box["width"] > 100 and box["height"] > 15
    # One line per inner chunk boundary: 7 for 8 chunks.
    assert diagram.locator("line").count() == 7
    shot(page, "lazy_array.png")
    page.close()
