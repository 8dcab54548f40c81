"""Charts of the analytics page as inline SVG drawn on the server: no script, no CDN, no
inline style (the console's Content-Security-Policy forbids both), readable offline.

Each chart is an ``<svg role="img">`` whose ``<title>`` names it and ``<desc>`` gives its
figures in words; every bar carries its own ``<title>`` (a tooltip, read by screen readers)
with its number, and the numbers are printed beside the bars. Right-to-left pages get the
chart mirrored: time and bars run from the right.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Final

from markupsafe import Markup, escape

#: Colours of the series (colour-blind safe, Okabe-Ito), as SVG presentation attributes.
PALETTE: Final = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#999999")
WIDTH: Final = 720
BAR_HEIGHT: Final = 22


def _svg(width: int, height: int, title: str, desc: str, body: list[str], rtl: bool) -> Markup:
    # Mirrored by hand (x and text-anchor), so the SVG's direction stays ltr: inherited from an
    # Arabic page, rtl would flip the anchors a second time.
    kind = "chart rtl" if rtl else "chart"
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{kind}" role="img" '
        f'viewBox="0 0 {width} {height}" width="100%" direction="ltr" '
        f'aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title><desc>{escape(desc)}</desc>"
    )
    return Markup(head + "".join(body) + "</svg>")


def _x(x: float, w: float, rtl: bool, width: int = WIDTH) -> float:
    """The left edge of a box ``w`` wide at ``x`` from the start (mirrored when rtl)."""
    return width - x - w if rtl else x


def _anchor(rtl: bool, at_end: bool = False) -> str:
    start = "end" if rtl else "start"
    end = "start" if rtl else "end"
    return end if at_end else start


def stacked_days(
    days: Sequence[date],
    series: Mapping[str, Sequence[int]],
    *,
    title: str,
    rtl: bool = False,
    names: Mapping[str, str] | None = None,
) -> Markup:
    """One column per day, stacked by series (channels, languages), a legend below."""
    names = names or {}
    height, top, bottom, side = 240, 24, 56, 36
    totals = [sum(values[i] for values in series.values()) for i in range(len(days))]
    peak = max(totals, default=0) or 1
    step = (WIDTH - 2 * side) / max(len(days), 1)
    scale = (height - top - bottom) / peak
    body = [
        f'<line x1="{side}" y1="{height - bottom}" x2="{WIDTH - side}" '
        f'y2="{height - bottom}" stroke="#5b6472"/>',
        f'<text x="{_x(side, 0, rtl)}" y="{top - 8}" font-size="12" '
        f'text-anchor="{_anchor(rtl)}">{peak}</text>',
    ]
    label_every = max(1, len(days) // 10)
    for i, day in enumerate(days):
        base = float(height - bottom)
        x = _x(side + i * step + step * 0.1, step * 0.8, rtl)
        for n, (name, values) in enumerate(series.items()):
            value = values[i]
            if not value:
                continue
            h = value * scale
            base -= h
            tip = f"{day.isoformat()} · {names.get(name, name)}: {value}"
            body.append(
                f'<rect x="{x:.1f}" y="{base:.1f}" width="{step * 0.8:.1f}" height="{h:.1f}" '
                f'fill="{PALETTE[n % len(PALETTE)]}"><title>{escape(tip)}</title></rect>'
            )
        if totals[i] and len(days) <= 31:
            body.append(
                f'<text x="{x + step * 0.4:.1f}" y="{base - 3:.1f}" font-size="10" '
                f'text-anchor="middle">{totals[i]}</text>'
            )
        if i % label_every == 0:
            body.append(
                f'<text x="{x + step * 0.4:.1f}" y="{height - bottom + 14}" font-size="10" '
                f'text-anchor="middle" direction="ltr">{day:%m-%d}</text>'
            )
    for n, name in enumerate(series):
        x = _x(side + n * 120, 12, rtl)
        label_x = x - 6 if rtl else x + 18
        total = sum(series[name])
        body.append(
            f'<rect x="{x}" y="{height - 24}" width="12" height="12" '
            f'fill="{PALETTE[n % len(PALETTE)]}"/>'
            f'<text x="{label_x}" y="{height - 14}" font-size="12" '
            f'text-anchor="{_anchor(rtl)}">{escape(names.get(name, name))} ({total})</text>'
        )
    desc = "; ".join(f"{names.get(name, name)}: {sum(values)}" for name, values in series.items())
    return _svg(WIDTH, height, title, desc, body, rtl)


def horizontal_bars(
    items: Sequence[tuple[str, float]],
    *,
    title: str,
    rtl: bool = False,
    shown: Sequence[str] | None = None,
) -> Markup:
    """One bar per item (label, value), the value printed at its end; ``shown`` replaces the
    printed values (a percentage, a duration)."""
    label_width, gap = 240, 8
    height = max(len(items), 1) * (BAR_HEIGHT + gap) + gap
    peak = max((value for _label, value in items), default=0) or 1
    room = WIDTH - label_width - 80
    body = []
    for n, (label, value) in enumerate(items):
        y = gap + n * (BAR_HEIGHT + gap)
        w = max(value / peak * room, 1 if value else 0)
        text = shown[n] if shown is not None else f"{value:g}"
        x = _x(label_width, w, rtl)
        label_x = _x(label_width - gap, 0, rtl)
        value_x = x - gap if rtl else x + w + gap
        body.append(
            f'<text x="{label_x}" y="{y + 15}" font-size="12" '
            f'text-anchor="{_anchor(rtl, at_end=True)}">{escape(label[:40])}</text>'
            f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{BAR_HEIGHT}" '
            f'fill="{PALETTE[0]}"><title>{escape(f"{label}: {text}")}</title></rect>'
            f'<text x="{value_x:.1f}" y="{y + 15}" font-size="12" '
            f'text-anchor="{_anchor(rtl)}">{escape(text)}</text>'
        )
    desc = "; ".join(
        f"{label}: {shown[n] if shown is not None else f'{value:g}'}"
        for n, (label, value) in enumerate(items)
    )
    return _svg(WIDTH, height, title, desc, body, rtl)
