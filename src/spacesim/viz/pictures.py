"""The network, the trust heatmap and the outcome charts drawn as SVG: crisp at any size and cheap enough to redraw at every step.

Matplotlib takes a few hundred milliseconds per figure on a classroom laptop;
these pictures take a few milliseconds, which keeps play smooth.
Colours and shapes follow the run plots of :mod:`spacesim.analysis.plots`.

Sizes are chosen for a projector. Each picture's text is at least
:data:`MIN_FONT` units high and the page never draws a picture narrower
than its width in units (see ``app.PAGE_CSS``), so labels are never smaller
than :data:`MIN_FONT` pixels on screen. Legends and colour keys are HTML
beside the pictures (:func:`network_legend_html`, :func:`trust_key_html`,
chart legends above their plot), so they never sit on the data.

The pictures follow the page's light or dark theme: text, axes and
bilateral lines are drawn in ``currentColor`` (the theme's text colour), and
the halos that keep labels readable over lines use ``--spacesim-bg`` (the
theme's card colour, set by the page's CSS); bloc, trust and line colours
are mid-tones that read on both.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

import numpy as np

from ..analysis.plots import BLOC_COLOURS, UNALIGNED, Calendar, step_date
from ..model.state import WorldState

FRAMEWORK_FILL, FRAMEWORK_EDGE, FRAMEWORK_EMPTY = "#f2c14e", "#8a6d1d", "#f7e3b0"

#: The smallest text in any picture, in picture units (= pixels at the narrowest width the page draws it).
MIN_FONT = 12.0

#: Width and height (units) of the network picture; the page never draws it narrower than this.
NETWORK_SIZE = (460, 420)

#: Width and height (units) of an outcome chart; the page never draws it narrower than this.
CHART_SIZE = (300, 180)

#: The trust scale: ColorBrewer's red-yellow-blue (11 classes, as Matplotlib's ``RdYlBu``), from no trust (0) to full trust (1).
#: Distrust is red, neutral (about 0.5) pale yellow, trust light to dark blue: 0.7 is light blue.
TRUST_STOPS = ("#a50026", "#d73027", "#f46d43", "#fdae61", "#fee090", "#ffffbf", "#e0f3f8", "#abd9e9", "#74add1", "#4575b4", "#313695")

_SVG_OPEN = (
    '<svg xmlns="http://www.w3.org/2000/svg" class="{cls}" viewBox="0 0 {w:g} {h:g}" width="100%" role="img" aria-label="{label}" '
    'font-family="sans-serif" fill="currentColor">'
)


def bloc_colour(state: WorldState, i: int) -> str:
    """Nation i's colour: its bloc's, as in the run plots, or grey when unaligned."""
    b = int(state.bloc[i])
    return BLOC_COLOURS[b % len(BLOC_COLOURS)] if b >= 0 else UNALIGNED


def _fit(layout: dict[str, tuple[float, float]], width: float, height: float, margin_x: float, margin_y: float) -> dict[str, tuple[float, float]]:
    """Layout coordinates to picture units, one scale for both axes (a circle stays a circle), centred."""
    xy = np.array(list(layout.values()), dtype=float)
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    span = np.where(hi - lo > 0, hi - lo, 1.0)
    scale = min((width - 2 * margin_x) / span[0], (height - 2 * margin_y) / span[1])
    cx, cy = (lo + hi) / 2
    return {key: (width / 2 + (x - cx) * scale, height / 2 - (y - cy) * scale) for key, (x, y) in layout.items()}


def _halo_text(x: float, y: float, text: str, size: float = MIN_FONT, anchor: str = "middle", extra: str = "") -> str:
    """A label with a halo in the card's colour, so lines under it do not cut through it."""
    return f'<text class="halo" x="{x:.1f}" y="{y:.1f}" font-size="{size:g}" text-anchor="{anchor}" pointer-events="none"{extra}>{escape(text)}</text>'


def _nation_label(x: float, y: float, radius: float, code: str, centre: tuple[float, float]) -> str:
    """A nation's code: inside its circle when it fits, else just outside it, pointing away from the ring's centre."""
    if radius >= 15:
        return (
            f'<text x="{x:.1f}" y="{y + MIN_FONT * 0.36:.1f}" font-size="{MIN_FONT:g}" fill="white" font-weight="bold" '
            f'text-anchor="middle" pointer-events="none">{escape(code)}</text>'
        )
    dx, dy = x - centre[0], y - centre[1]
    norm = float(np.hypot(dx, dy)) or 1.0
    ux, uy = dx / norm, dy / norm
    ax, ay = x + ux * (radius + 3), y + uy * (radius + 3)
    if ux > 0.4:
        return _halo_text(ax, ay + MIN_FONT * 0.36, code, anchor="start")
    if ux < -0.4:
        return _halo_text(ax, ay + MIN_FONT * 0.36, code, anchor="end")
    return _halo_text(ax, ay - 1 if uy < 0 else ay + MIN_FONT * 0.85, code)


def network_svg(state: WorldState, layout: dict[str, tuple[float, float]], title: str, width: int = NETWORK_SIZE[0], height: int = NETWORK_SIZE[1]) -> str:
    """The partnership network: nations sized by capability and coloured by bloc; bilateral
    agreements as solid lines (wider when deeper); framework memberships as dotted lines to diamonds.

    The legend is :func:`network_legend_html`.

    >>> from spacesim.viz.session import Choices
    >>> m = Choices().build()
    >>> svg = network_svg(m.state, m.layout, "t")
    >>> svg.startswith("<svg") and svg.count('class="nation"') == m.state.n
    True
    """
    s = state
    pos = _fit(layout, width, height, 58, 34)
    nation_xy = np.array([pos[c] for c in s.codes])
    centre = (float(nation_xy[:, 0].mean()), float(nation_xy[:, 1].mean()))
    parts = [_SVG_OPEN.format(cls="spacesim-network", w=width, h=height, label=escape(title)), f"<title>{escape(title)}</title>"]
    for f, code in enumerate(s.framework_codes):
        fx, fy = pos[code]
        for i in np.flatnonzero(s.membership[:, f]).tolist():
            x, y = pos[s.codes[i]]
            parts.append(
                f'<line class="membership" x1="{x:.1f}" y1="{y:.1f}" x2="{fx:.1f}" y2="{fy:.1f}" stroke="#8c8c8c" stroke-width="1.2" stroke-dasharray="2,3"/>'
            )
    ii, jj = np.nonzero(np.triu(s.tie_depth > 0, 1))
    for i, j in zip(ii.tolist(), jj.tolist()):
        (x1, y1), (x2, y2) = pos[s.codes[i]], pos[s.codes[j]]
        depth = float(s.tie_depth[i, j])
        parts.append(
            f'<line class="bilateral" x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
            f'stroke="currentColor" stroke-opacity="0.7" stroke-width="{1 + 3.5 * depth:.2f}">'
            f"<title>{escape(s.names[i])} and {escape(s.names[j])}: bilateral agreement, depth {depth:.2f}</title></line>"
        )
    members = s.membership.sum(axis=0)
    for f, code in enumerate(s.framework_codes):
        x, y = pos[code]
        fill = FRAMEWORK_FILL if members[f] else FRAMEWORK_EMPTY
        parts.append(
            f'<g class="framework"><polygon points="{x:.1f},{y - 10:.1f} {x + 10:.1f},{y:.1f} {x:.1f},{y + 10:.1f} {x - 10:.1f},{y:.1f}" '
            f'fill="{fill}" stroke="{FRAMEWORK_EDGE}">'
            f"<title>{escape(s.framework_names[f])}: {int(members[f])} members, integration {s.integration[f]:.2f}</title></polygon>"
            + _halo_text(x, y + 10 + MIN_FONT, code)
            + "</g>"
        )
    cap = s.capability
    radius = 5 + 12 * np.sqrt(cap / max(float(cap.max()), 1e-9))
    partners = (s.tie_depth > 0).sum(axis=1)
    for i, code in enumerate(s.codes):
        x, y = pos[code]
        parts.append(
            f'<g class="nation"><circle class="node" cx="{x:.1f}" cy="{y:.1f}" r="{radius[i]:.1f}" fill="{bloc_colour(s, i)}" stroke-width="1.2">'
            f"<title>{escape(s.names[i])}: capability {cap[i]:.2f}, {int(partners[i])} bilateral partners, "
            f"{int(s.membership[i].sum())} frameworks</title></circle>" + _nation_label(x, y, float(radius[i]), code, centre) + "</g>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _swatch(shape: str, colour: str) -> str:
    body = {
        "line": f'<line x1="1" y1="7" x2="19" y2="7" stroke="{colour}" stroke-width="2.5"/>',
        "dash": f'<line x1="1" y1="7" x2="19" y2="7" stroke="{colour}" stroke-width="1.5" stroke-dasharray="2,3"/>',
        "diamond": f'<polygon points="10,1 16,7 10,13 4,7" fill="{colour}" stroke="{FRAMEWORK_EDGE}"/>',
        "dot": f'<circle cx="10" cy="7" r="6" fill="{colour}"/>',
    }[shape]
    return f'<svg width="20" height="14" viewBox="0 0 20 14" aria-hidden="true" style="vertical-align: -2px">{body}</svg>'


def network_legend_html(state: WorldState) -> str:
    """The network's legend as HTML (it wraps to the picture's width and keeps the page's text size).

    >>> from spacesim.viz.session import Choices
    >>> "unaligned" in network_legend_html(Choices().build().state)
    True
    """
    s = state
    items = [("line", "currentColor", "bilateral agreement"), ("dash", "#8c8c8c", "framework membership"), ("diamond", FRAMEWORK_FILL, "framework")]
    items += [("dot", BLOC_COLOURS[b % len(BLOC_COLOURS)], f"{name} bloc") for b, name in enumerate(s.bloc_names)]
    if (s.bloc < 0).any():
        items.append(("dot", UNALIGNED, "unaligned"))
    spans = "".join(f'<span style="white-space: nowrap; margin-right: 12px">{_swatch(shape, colour)} {escape(label)}</span>' for shape, colour, label in items)
    return f'<div class="spacesim-legend">{spans}</div>'


def trust_colour(value: float) -> str:
    """The colour of a trust level on :data:`TRUST_STOPS`: red (no trust) through pale yellow (0.5) to blue (full trust).

    >>> trust_colour(0.0), trust_colour(0.5), trust_colour(0.7), trust_colour(1.0)
    ('#a50026', '#ffffbf', '#abd9e9', '#313695')
    """
    v = min(max(float(value), 0.0), 1.0) * (len(TRUST_STOPS) - 1)
    k = min(int(v), len(TRUST_STOPS) - 2)
    w = v - k
    a, b = (tuple(int(c[i : i + 2], 16) for i in (1, 3, 5)) for c in TRUST_STOPS[k : k + 2])
    return "#" + "".join(f"{round(x + (y - x) * w):02x}" for x, y in zip(a, b))


#: trust_colour at every thousandth: the heatmap draws a thousand cells per step in the baseline.
_TRUST_TABLE: tuple[str, ...] = ()


def _trust_colours(values: np.ndarray) -> list[list[str]]:
    """trust_colour of every entry of a matrix, to the nearest thousandth.

    >>> _trust_colours(np.array([[0.0, 0.7], [0.5, 1.0]]))
    [['#a50026', '#abd9e9'], ['#ffffbf', '#313695']]
    """
    global _TRUST_TABLE
    if not _TRUST_TABLE:
        _TRUST_TABLE = tuple(trust_colour(k / 1000) for k in range(1001))
    table = _TRUST_TABLE
    return [[table[k] for k in row] for row in np.rint(np.clip(values, 0.0, 1.0) * 1000).astype(int).tolist()]


def trust_order(state: WorldState) -> list[int]:
    """Nations ordered by bloc (unaligned last), then by code, so blocs show as blocks."""
    return sorted(range(state.n), key=lambda i: (state.bloc[i] < 0, int(state.bloc[i]), state.codes[i]))


def trust_size(n: int) -> float:
    """Width (= height) in units of the heatmap of ``n`` nations: cells at least :data:`MIN_FONT` + 0.5 units, so each label fits its row.

    >>> trust_size(6), trust_size(34)
    (460.0, 465.0)
    """
    return 36 + max(420.0, (MIN_FONT + 0.5) * n) + 4


def trust_svg(state: WorldState, title: str) -> str:
    """Who trusts whom: row = the nation that trusts, column = the nation trusted. The colour key is :func:`trust_key_html`.

    >>> from spacesim.viz.session import Choices
    >>> m = Choices().build()
    >>> trust_svg(m.state, "t").count('class="cell"') == m.state.n * (m.state.n - 1)
    True
    """
    s = state
    order = trust_order(s)
    t = s.trust
    label_w = 36
    size = trust_size(s.n)
    cell = (size - label_w - 4) / s.n
    parts = [_SVG_OPEN.format(cls="spacesim-trust", w=size, h=size, label=escape(title)), f"<title>{escape(title)}</title>"]
    colours = _trust_colours(t)
    for r, i in enumerate(order):
        y = label_w + r * cell
        colour = bloc_colour(s, i)
        parts.append(
            f'<text x="{label_w - 4}" y="{y + cell / 2 + MIN_FONT * 0.36:.1f}" font-size="{MIN_FONT:g}" text-anchor="end" '
            f'fill="{colour}">{escape(s.codes[i])}</text>'
        )
        x = label_w + r * cell + cell / 2 + MIN_FONT * 0.36
        parts.append(
            f'<text x="{x:.1f}" y="{label_w - 4}" font-size="{MIN_FONT:g}" transform="rotate(-90 {x:.1f} {label_w - 4})" '
            f'fill="{colour}">{escape(s.codes[i])}</text>'
        )
        for c, j in enumerate(order):
            if i == j:
                continue
            v = float(t[i, j])
            parts.append(
                f'<rect class="cell" x="{label_w + c * cell:.2f}" y="{y:.2f}" width="{cell + 0.3:.2f}" height="{cell + 0.3:.2f}" fill="{colours[i][j]}">'
                f"<title>{escape(s.names[i])} trusts {escape(s.names[j])}: {v:.2f}</title></rect>"
            )
    parts.append("</svg>")
    return "".join(parts)


def trust_key_html() -> str:
    """The heatmap's colour key as HTML: the scale as a gradient, with what its ends and middle mean.

    >>> "neutral" in trust_key_html()
    True
    """
    gradient = ", ".join(f"{c} {100 * k / (len(TRUST_STOPS) - 1):.0f}%" for k, c in enumerate(TRUST_STOPS))
    return (
        '<div class="spacesim-legend" style="max-width: 360px">'
        f'<div style="height: 12px; border-radius: 2px; background: linear-gradient(to right, {gradient})"></div>'
        '<div style="display: flex; justify-content: space-between"><span>0 distrust</span><span>0.5 neutral</span><span>1 full trust</span></div>'
        "</div>"
    )


#: Line colours of the outcome charts: Okabe-Ito's blue, orange, bluish green and vermillion (colour-blind safe).
LINE_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#D55E00")


def _ticks(lo: float, hi: float, count: int = 4, integer: bool = False, steps: tuple[float, ...] | None = None) -> list[float]:
    from matplotlib.ticker import MaxNLocator

    if hi <= lo:
        hi = lo + 1.0
    return [float(v) for v in MaxNLocator(count, integer=integer, steps=steps).tick_values(lo, hi)]


def tick_labels(ticks: list[float]) -> list[str]:
    """Labels for evenly spaced ticks, short enough for the axis and as precise as their spacing: 30k for 30,000, 1.2M for 1,200,000.

    >>> tick_labels([0.0, 0.25, 0.5]), tick_labels([0.0, 1.5, 3.0]), tick_labels([0.0, 100.0, 200.0])
    (['0', '0.25', '0.5'], ['0', '1.5', '3'], ['0', '100', '200'])
    >>> tick_labels([29000.0, 29500.0, 30000.0]), tick_labels([0.0, 1e6, 2e6])
    (['29k', '29.5k', '30k'], ['0', '1M', '2M'])
    """
    step = abs(ticks[1] - ticks[0]) if len(ticks) > 1 else 1.0
    top = max(abs(v) for v in ticks)
    unit, scale = ("M", 1e6) if top >= 1e6 and step >= 1e4 else ("k", 1e3) if top >= 1e4 and step >= 10 else ("", 1.0)
    digits = next((d for d in range(7) if all(abs(round(v / scale, d) - v / scale) < 1e-9 * max(1.0, top / scale) for v in ticks)), 6)
    out = []
    for v in ticks:
        text = f"{v / scale:,.{digits}f}"
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        out.append("0" if v == 0 else text + unit)
    return out


def _fmt_now(v: float) -> str:
    """The latest value as the legend shows it: counts whole, shares to two decimals, debris with thousands separators."""
    if v != v:
        return "–"
    if float(v).is_integer() or abs(v) >= 100:
        return f"{v:,.0f}"
    return f"{v:.2f}"


def calendar_ticks(last_step: int, calendar: Calendar | None, count: int = 5) -> list[tuple[float, str]]:
    """Where the time axis has ticks (in steps) and their labels: whole years from the calendar, or steps without one.

    A run shorter than two years has a tick per quarter ("2025 Q3") instead.

    >>> calendar_ticks(40, (2025, 4))
    [(0.0, '2025'), (8.0, '2027'), (16.0, '2029'), (24.0, '2031'), (32.0, '2033'), (40.0, '2035')]
    >>> calendar_ticks(6, (2025, 4))[:3]
    [(0.0, '2025 Q1'), (2.0, '2025 Q3'), (4.0, '2026 Q1')]
    >>> calendar_ticks(10, None)[:2]
    [(0.0, '0'), (2.0, '2')]
    """
    xmax = max(last_step, 1)
    if calendar is None:
        return [(v, f"{v:g}") for v in _ticks(0, xmax, count, integer=True) if v <= xmax]
    start, per_year = calendar
    years = xmax / per_year
    if years < 2 and per_year > 1:
        return [(v, step_date(int(v), calendar)) for v in _ticks(0, xmax, min(count, 4), integer=True) if v <= xmax]
    out = []
    for offset in _ticks(0, years, count, integer=True, steps=(1, 2, 5, 10)):  # years since the start: the first tick is the start year
        step = offset * per_year
        if 0 <= step <= xmax:
            out.append((float(step), f"{start + offset:g}"))
    return out


def chart_svg(
    title: str,
    series: dict[str, list[float]],
    last_step: int,
    marks: Sequence[int] = (),
    y_range: tuple[float, float] | None = None,
    width: int = CHART_SIZE[0],
    height: int = CHART_SIZE[1],
    calendar: Calendar | None = None,
) -> str:
    """A line chart of outcomes over steps 0..``last_step`` (values at steps 0, 1, ...); dotted lines at ``marks``.

    The title is on the first line; the legend, with each line's latest value, on the second, above the plot.
    The time axis is in years when the scenario has a ``calendar`` (its start year and steps per year), else in steps.

    >>> svg = chart_svg("Debris", {"debris": [1.0, 2.0, 4.0]}, 10, marks=[1], calendar=(2025, 4))
    >>> svg.count("<polyline"), svg.count('class="mark"'), "ASAT test in 2025 Q2 (step 1)" in svg, ">step<" in svg
    (1, 1, True, False)
    """
    left, right, top, bottom = 44, 16, 42, 22  # right: room for half the last date ("2035")
    pw, ph = width - left - right, height - top - bottom
    values = [v for vs in series.values() for v in vs if v == v]
    if y_range is not None:
        lo, hi = y_range
    else:
        lo, hi = (min(values), max(values)) if values else (0.0, 1.0)
        lo = min(lo, 0.0) if lo >= 0 and lo < 0.2 * hi else lo
        if hi - lo < 1e-9:  # a flat line: show it mid-way, on an axis about 10% of its value high
            pad = max(abs(hi) * 0.05, 1.0)
            lo, hi = lo - pad if lo else 0.0, hi + pad
    counts = bool(values) and all(float(v).is_integer() for v in values)
    yticks = _ticks(lo, hi, integer=counts and y_range is None, steps=(1, 2, 5, 10))  # they cover [lo, hi]: the axis runs from the first to the last
    lo, hi = yticks[0], yticks[-1]
    xmax = max(last_step, 1)
    sx = lambda step: left + step / xmax * pw  # noqa: E731
    sy = lambda v: top + (hi - v) / (hi - lo) * ph  # noqa: E731
    parts = [_SVG_OPEN.format(cls="spacesim-chart", w=width, h=height, label=escape(title))]
    parts.append(f'<text x="2" y="15" font-size="14" font-weight="bold">{escape(title)}</text>')
    x = 2.0
    for k, (name, vs) in enumerate(series.items()):
        colour = LINE_COLOURS[k % len(LINE_COLOURS)]
        now = next((v for v in reversed(vs) if v == v), float("nan"))
        label = f"{name} {_fmt_now(now)}" if len(series) > 1 else f"now {_fmt_now(now)}"
        parts.append(f'<line x1="{x:.1f}" y1="29" x2="{x + 14:.1f}" y2="29" stroke="{colour}" stroke-width="2.5"/>')
        parts.append(f'<text class="legend" x="{x + 18:.1f}" y="33" font-size="{MIN_FONT:g}">{escape(label)}</text>')
        x += 18 + 6.8 * len(label) + 12
    parts.append(f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="currentColor" stroke-opacity="0.35"/>')
    for v, text in zip(yticks, tick_labels(yticks)):
        y = sy(v)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + pw}" y2="{y:.1f}" stroke="currentColor" stroke-opacity="0.12"/>'
            f'<text x="{left - 4}" y="{y + 4:.1f}" font-size="{MIN_FONT:g}" text-anchor="end">{text}</text>'
        )
    ticks = calendar_ticks(xmax, calendar, 4 if calendar and calendar[1] == 4 and xmax < 2 * calendar[1] else 5)
    for v, text in ticks:
        parts.append(f'<text class="xtick" x="{sx(v):.1f}" y="{top + ph + 14}" font-size="{MIN_FONT:g}" text-anchor="middle">{escape(text)}</text>')
    if calendar is None:
        parts.append(f'<text x="{left - 8}" y="{top + ph + 14}" font-size="{MIN_FONT:g}" text-anchor="end" fill-opacity="0.7">step</text>')
    for step in marks:
        x = sx(step)
        when = f"in {step_date(step, calendar)} (step {step})" if calendar else f"at step {step}"
        parts.append(
            f'<line class="mark" x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + ph}" stroke="currentColor" stroke-opacity="0.6" '
            f'stroke-dasharray="3,3"><title>ASAT test {when}</title></line>'
        )
    for k, (name, vs) in enumerate(series.items()):
        colour = LINE_COLOURS[k % len(LINE_COLOURS)]
        points = " ".join(f"{sx(i):.1f},{sy(v):.1f}" for i, v in enumerate(vs) if v == v)
        parts.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"><title>{escape(name)}</title></polyline>')
    parts.append("</svg>")
    return "".join(parts)
