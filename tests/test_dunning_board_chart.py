"""The board's age chart, pure: well-formed SVG that scales (viewBox, width 100%), named for
screen readers, one bar per bucket with heights proportional to the amounts."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from skod.dunning.board import chart as board_chart
from skod.dunning.board.chart import Bar, render

SVG = "{http://www.w3.org/2000/svg}"


def _chart(amounts: list[int]) -> ET.Element:
    bars = [Bar(f"{i} d", a, f"{a / 100:.2f} €") for i, a in enumerate(amounts)]
    return ET.fromstring(str(render(bars, "Age <of> debts", "what & when", "EUR")))


@pytest.mark.parametrize(("amounts", "expected"), [
    # the drawing has 144 units between its top (24) and its baseline (168)
    ([1_000, 2_500, 0, 500, 12_345], [11.66, 29.16, 0.0, 5.83, 144.0]),
    ([0, 0, 0, 0, 7], [0.0, 0.0, 0.0, 0.0, 144.0]),
    ([3, 3, 3, 3, 3], [144.0] * 5),
    ([1_000, 2_000, 0, 0, 0], [72.0, 144.0, 0.0, 0.0, 0.0]),
])
def test_one_bar_per_bucket_with_heights_proportional(amounts, expected):
    svg = _chart(amounts)
    rects = svg.findall(f"{SVG}g/{SVG}rect")
    assert len(rects) == len(amounts)
    heights = [float(r.get("height")) for r in rects]
    assert heights == pytest.approx(expected, abs=0.01)
    # every bar stands on the baseline and stays inside the drawing
    for rect in rects:
        assert float(rect.get("y")) + float(rect.get("height")) == pytest.approx(
            board_chart.BASELINE)
        assert float(rect.get("x")) >= 0 and float(rect.get("x")) + board_chart.BAR_WIDTH <= (
            board_chart.WIDTH)


def test_scales_and_is_named_and_labelled():
    svg = _chart([100, 200, 300, 400, 500])
    assert svg.get("viewBox") == f"0 0 {board_chart.WIDTH} {board_chart.HEIGHT}"
    assert svg.get("width") == "100%" and svg.get("role") == "img"
    assert svg.find(f"{SVG}title").text == "Age <of> debts"  # escaped, then parsed back
    assert svg.find(f"{SVG}desc").text == "what & when"
    labels = [t.text for t in svg.iter(f"{SVG}text")]
    assert "3.00 €" in labels and "4 d" in labels


def test_nothing_owed_draws_flat_bars():
    assert board_chart.heights([0, 0, 0, 0, 0]) == [0.0] * 5


def _luminance(colour: str) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


@pytest.mark.parametrize("colour", [*board_chart.COLOURS, board_chart.TEXT])
def test_colours_contrast_with_white(colour):
    assert 1.05 / (_luminance(colour) + 0.05) >= 4.5  # WCAG AA for text
