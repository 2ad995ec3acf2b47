"""The board's age chart as server-rendered SVG (no script, no chart library): one bar per age
bucket, heights proportional to the balance, each bar labelled with its amount and its bucket.

Pure: the caller passes the words and the formatted amounts (skod.web.display.money), so the
chart reads the same in every language and is testable without an app. The SVG has a viewBox
and width 100%: it scales down to a 390 px phone without overflowing; <title> and <desc> name
it for screen readers.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

#: drawing units of the viewBox (the browser scales them to the width available)
WIDTH, HEIGHT = 360, 200
#: room above the bars for the amounts and below them for the bucket names
TOP, BASELINE = 24, 168
BAR_WIDTH = 44
#: from recent to old: each has a contrast of at least 4.5:1 on white (text and bars alike)
COLOURS = ("#1d4ed8", "#6d28d9", "#b45309", "#b91c1c", "#7f1d1d")
TEXT = "#1f2937"


@dataclass(frozen=True)
class Bar:
    label: str
    amount_minor: int
    #: the amount as the page shows it ("1 234,56 €")
    text: str


def heights(amounts: list[int]) -> list[float]:
    """Bar heights in drawing units, proportional to the amounts (the largest fills the
    chart); all zero when nothing is owed."""
    largest = max(amounts, default=0)
    room = BASELINE - TOP
    return [round(room * a / largest, 2) if largest > 0 else 0.0 for a in amounts]


def render(bars: list[Bar], title: str, desc: str, key: str) -> Markup:
    """The chart; `key` makes its ids unique on a page (one chart per currency)."""
    slot = WIDTH / max(len(bars), 1)
    ident = f"age-chart-{escape(key)}"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="age-chart" id="{ident}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" role="img" '
        f'aria-labelledby="{ident}-title {ident}-desc" preserveAspectRatio="xMidYMid meet">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{escape(desc)}</desc>',
        f'<line x1="0" y1="{BASELINE}" x2="{WIDTH}" y2="{BASELINE}" stroke="{TEXT}" '
        f'stroke-width="1"/>',
    ]
    for i, (bar, height) in enumerate(zip(bars, heights([b.amount_minor for b in bars]),
                                          strict=True)):
        parts.append(_bar(i, bar, height, slot))
    parts.append("</svg>")
    return Markup("".join(parts))


def _bar(i: int, bar: Bar, height: float, slot: float) -> str:
    centre = round(slot * i + slot / 2, 2)
    x, y = round(centre - BAR_WIDTH / 2, 2), round(BASELINE - height, 2)
    colour = COLOURS[min(i, len(COLOURS) - 1)]
    return (
        f'<g data-bucket="{i}"><rect x="{x}" y="{y}" width="{BAR_WIDTH}" height="{height}" '
        f'fill="{colour}" data-amount="{bar.amount_minor}"/>'
        f'<text x="{centre}" y="{round(y - 6, 2)}" text-anchor="middle" font-size="11" '
        f'fill="{TEXT}" class="age-amount">{escape(bar.text)}</text>'
        f'<text x="{centre}" y="{BASELINE + 18}" text-anchor="middle" font-size="12" '
        f'fill="{TEXT}" class="age-label">{escape(bar.label)}</text></g>'
    )
