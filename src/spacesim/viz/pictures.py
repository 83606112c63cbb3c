"""The network and the trust heatmap drawn as SVG: crisp at any size and cheap enough to redraw at every step.

Matplotlib takes a few hundred milliseconds per figure on a classroom laptop;
these pictures take a few milliseconds, which keeps play smooth.
Colours and shapes follow the run plots of :mod:`spacesim.analysis.plots`.
"""

from __future__ import annotations

from html import escape

import numpy as np

from ..analysis.plots import BLOC_COLOURS, UNALIGNED
from ..model.state import WorldState

FRAMEWORK_FILL, FRAMEWORK_EDGE, FRAMEWORK_EMPTY = "#f2c14e", "#8a6d1d", "#f7e3b0"


def bloc_colour(state: WorldState, i: int) -> str:
    """Nation i's colour: its bloc's, as in the run plots, or grey when unaligned."""
    b = int(state.bloc[i])
    return BLOC_COLOURS[b % len(BLOC_COLOURS)] if b >= 0 else UNALIGNED


def _scale(layout: dict[str, tuple[float, float]], width: float, height: float, margin: float) -> dict[str, tuple[float, float]]:
    xy = np.array(list(layout.values()), dtype=float)
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    span = np.where(hi - lo > 0, hi - lo, 1.0)
    out = {}
    for key, (x, y) in layout.items():
        out[key] = (margin + (x - lo[0]) / span[0] * (width - 2 * margin), margin + (hi[1] - y) / span[1] * (height - 2 * margin))
    return out


def _nation_label(x: float, y: float, radius: float, code: str) -> str:
    """A nation's code: inside its circle when it fits, else just below it."""
    if radius >= 10:
        size = min(12.0, radius * 0.8)
        return f'<text x="{x:.1f}" y="{y + size * 0.35:.1f}" font-size="{size:.1f}" fill="white" font-weight="bold" text-anchor="middle" pointer-events="none">{escape(code)}</text>'
    return f'<text x="{x:.1f}" y="{y + radius + 9:.1f}" font-size="8.5" text-anchor="middle" pointer-events="none">{escape(code)}</text>'


def network_svg(state: WorldState, layout: dict[str, tuple[float, float]], title: str, width: int = 560, height: int = 470) -> str:
    """The partnership network: nations sized by capability and coloured by bloc; bilateral
    agreements as solid lines (wider when deeper); framework memberships as dotted lines to diamonds.

    >>> from spacesim.viz.session import Choices
    >>> m = Choices().build()
    >>> svg = network_svg(m.state, m.layout, "t")
    >>> svg.startswith("<svg") and svg.count('class="nation"') == m.state.n
    True
    """
    legend_h = 22
    pos = _scale(layout, width, height - legend_h, 30)
    s = state
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="spacesim-network" viewBox="0 0 {width} {height}" width="100%" role="img" aria-label="{escape(title)}" font-family="sans-serif">']
    parts.append(f'<title>{escape(title)}</title>')
    for f, code in enumerate(s.framework_codes):
        fx, fy = pos[code]
        for i in np.flatnonzero(s.membership[:, f]).tolist():
            x, y = pos[s.codes[i]]
            parts.append(f'<line class="membership" x1="{x:.1f}" y1="{y:.1f}" x2="{fx:.1f}" y2="{fy:.1f}" stroke="#9a9a9a" stroke-width="1" stroke-dasharray="2,3"/>')
    ii, jj = np.nonzero(np.triu(s.tie_depth > 0, 1))
    for i, j in zip(ii.tolist(), jj.tolist()):
        (x1, y1), (x2, y2) = pos[s.codes[i]], pos[s.codes[j]]
        depth = float(s.tie_depth[i, j])
        parts.append(
            f'<line class="bilateral" x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="#333" stroke-opacity="0.8" stroke-width="{0.8 + 3.5 * depth:.2f}">'
            f"<title>{escape(s.names[i])} and {escape(s.names[j])}: bilateral agreement, depth {depth:.2f}</title></line>"
        )
    members = s.membership.sum(axis=0)
    for f, code in enumerate(s.framework_codes):
        x, y = pos[code]
        fill = FRAMEWORK_FILL if members[f] else FRAMEWORK_EMPTY
        parts.append(
            f'<g class="framework"><polygon points="{x:.1f},{y - 9:.1f} {x + 9:.1f},{y:.1f} {x:.1f},{y + 9:.1f} {x - 9:.1f},{y:.1f}" fill="{fill}" stroke="{FRAMEWORK_EDGE}">'
            f"<title>{escape(s.framework_names[f])}: {int(members[f])} members, integration {s.integration[f]:.2f}</title></polygon>"
            f'<text x="{x:.1f}" y="{y + 20:.1f}" font-size="9" text-anchor="middle" fill="{FRAMEWORK_EDGE}">{escape(code)}</text></g>'
        )
    cap = s.capability
    radius = 4 + 14 * np.sqrt(cap / max(float(cap.max()), 1e-9))
    partners = (s.tie_depth > 0).sum(axis=1)
    for i, code in enumerate(s.codes):
        x, y = pos[code]
        parts.append(
            f'<g class="nation"><circle cx="{x:.1f}" cy="{y:.1f}" r="{radius[i]:.1f}" fill="{bloc_colour(s, i)}" stroke="white" stroke-width="1.2">'
            f"<title>{escape(s.names[i])}: capability {cap[i]:.2f}, {int(partners[i])} bilateral partners, {int(s.membership[i].sum())} frameworks</title></circle>"
            + _nation_label(x, y, float(radius[i]), code)
            + "</g>"
        )
    # legend
    y = height - 8
    items = [("line", "#333", "bilateral agreement"), ("dash", "#9a9a9a", "framework membership"), ("diamond", FRAMEWORK_FILL, "framework")]
    items += [("dot", BLOC_COLOURS[b % len(BLOC_COLOURS)], name) for b, name in enumerate(s.bloc_names)]
    if (s.bloc < 0).any():
        items.append(("dot", UNALIGNED, "unaligned"))
    x = 6.0
    for shape, colour, label in items:
        if shape == "line":
            parts.append(f'<line x1="{x}" y1="{y - 3}" x2="{x + 16}" y2="{y - 3}" stroke="{colour}" stroke-width="2.5"/>')
        elif shape == "dash":
            parts.append(f'<line x1="{x}" y1="{y - 3}" x2="{x + 16}" y2="{y - 3}" stroke="{colour}" stroke-width="1.5" stroke-dasharray="2,3"/>')
        elif shape == "diamond":
            parts.append(f'<polygon points="{x + 8},{y - 9} {x + 14},{y - 3} {x + 8},{y + 3} {x + 2},{y - 3}" fill="{colour}" stroke="{FRAMEWORK_EDGE}"/>')
        else:
            parts.append(f'<circle cx="{x + 8}" cy="{y - 3}" r="5" fill="{colour}"/>')
        parts.append(f'<text x="{x + 19}" y="{y}" font-size="9">{escape(label)}</text>')
        x += 26 + 5.2 * len(label)
    parts.append("</svg>")
    return "".join(parts)


def trust_colour(value: float) -> str:
    """Red (no trust) through pale yellow (0.5) to blue (full trust).

    >>> trust_colour(0.0), trust_colour(1.0)
    ('#d73027', '#4575b4')
    """
    stops = ((0.0, (215, 48, 39)), (0.5, (255, 255, 191)), (1.0, (69, 117, 180)))
    v = min(max(float(value), 0.0), 1.0)
    (a, ca), (b, cb) = (stops[0], stops[1]) if v <= 0.5 else (stops[1], stops[2])
    w = (v - a) / (b - a)
    return "#" + "".join(f"{round(x + (y - x) * w):02x}" for x, y in zip(ca, cb))


def trust_order(state: WorldState) -> list[int]:
    """Nations ordered by bloc (unaligned last), then by code, so blocs show as blocks."""
    return sorted(range(state.n), key=lambda i: (state.bloc[i] < 0, int(state.bloc[i]), state.codes[i]))


def trust_svg(state: WorldState, title: str, size: int = 470) -> str:
    """Who trusts whom: row = the nation that trusts, column = the nation trusted.

    >>> from spacesim.viz.session import Choices
    >>> m = Choices().build()
    >>> trust_svg(m.state, "t").count('class="cell"') == m.state.n * (m.state.n - 1)
    True
    """
    s = state
    order = trust_order(s)
    t = s.trust
    label_w, key_h = 34, 26
    cell = (size - label_w - key_h) / s.n
    font = max(5.0, min(10.0, cell * 0.75))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="spacesim-trust" viewBox="0 0 {size} {size}" width="100%" role="img" aria-label="{escape(title)}" font-family="sans-serif">']
    parts.append(f"<title>{escape(title)}</title>")
    for r, i in enumerate(order):
        y = label_w + r * cell
        parts.append(f'<text x="{label_w - 3}" y="{y + cell * 0.75:.1f}" font-size="{font:.1f}" text-anchor="end" fill="{bloc_colour(s, i)}">{escape(s.codes[i])}</text>')
        x = label_w + r * cell + cell * 0.7
        parts.append(f'<text x="{x:.1f}" y="{label_w - 3}" font-size="{font:.1f}" transform="rotate(-90 {x:.1f} {label_w - 3})" fill="{bloc_colour(s, i)}">{escape(s.codes[i])}</text>')
        for c, j in enumerate(order):
            if i == j:
                continue
            v = float(t[i, j])
            parts.append(
                f'<rect class="cell" x="{label_w + c * cell:.2f}" y="{y:.2f}" width="{cell + 0.3:.2f}" height="{cell + 0.3:.2f}" fill="{trust_colour(v)}">'
                f"<title>{escape(s.names[i])} trusts {escape(s.names[j])}: {v:.2f}</title></rect>"
            )
    # colour key
    y = size - key_h + 8
    for k in range(11):
        parts.append(f'<rect x="{label_w + k * 18}" y="{y}" width="18" height="8" fill="{trust_colour(k / 10)}"/>')
    parts.append(f'<text x="{label_w}" y="{y + 18}" font-size="9">0: no trust</text>')
    parts.append(f'<text x="{label_w + 198}" y="{y + 18}" font-size="9" text-anchor="end">1: full trust</text>')
    parts.append(f'<text x="{label_w + 206}" y="{y + 8}" font-size="9">row trusts column</text>')
    parts.append("</svg>")
    return "".join(parts)


#: Line colours of the outcome charts (Matplotlib's first colours, as in the run plots).
LINE_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728")


def _ticks(lo: float, hi: float, count: int = 4) -> list[float]:
    from matplotlib.ticker import MaxNLocator

    if hi <= lo:
        hi = lo + 1.0
    return [float(v) for v in MaxNLocator(count).tick_values(lo, hi)]


def _fmt(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.2g}" if abs(v) < 1 else f"{v:g}"


def chart_svg(title: str, series: dict[str, list[float]], last_step: int, marks: list[int] = (), y_range: tuple[float, float] | None = None, width: int = 330, height: int = 200) -> str:
    """A line chart of outcomes over steps 0..``last_step`` (values at steps 0, 1, ...); dotted lines at ``marks``.

    >>> svg = chart_svg("Debris", {"debris": [1.0, 2.0, 4.0]}, 10, marks=[1])
    >>> svg.count("<polyline"), svg.count('class="mark"')
    (1, 1)
    """
    left, right, top, bottom = 50, 8, 22, 28
    pw, ph = width - left - right, height - top - bottom
    values = [v for vs in series.values() for v in vs if v == v]
    if y_range is not None:
        lo, hi = y_range
    else:
        lo, hi = (min(values), max(values)) if values else (0.0, 1.0)
        lo = min(lo, 0.0) if lo >= 0 and lo < 0.2 * hi else lo
        if hi - lo < 1e-9:
            lo, hi = lo - 1.0 if lo else 0.0, hi + 1.0
    yticks = _ticks(lo, hi)  # they cover [lo, hi]: the axis runs from the first to the last
    lo, hi = yticks[0], yticks[-1]
    xmax = max(last_step, 1)
    sx = lambda step: left + step / xmax * pw  # noqa: E731
    sy = lambda v: top + (hi - v) / (hi - lo) * ph  # noqa: E731
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="spacesim-chart" viewBox="0 0 {width} {height}" width="100%" role="img" aria-label="{escape(title)}" font-family="sans-serif">']
    parts.append(f'<text x="{left}" y="15" font-size="13" font-weight="bold">{escape(title)}</text>')
    parts.append(f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="#bbb"/>')
    for v in yticks:
        y = sy(v)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + pw}" y2="{y:.1f}" stroke="#eee"/><text x="{left - 4}" y="{y + 4:.1f}" font-size="10" text-anchor="end">{_fmt(v)}</text>')
    for v in _ticks(0, xmax, 5):
        if v > xmax:
            continue
        x = sx(v)
        parts.append(f'<text x="{x:.1f}" y="{top + ph + 13}" font-size="10" text-anchor="middle">{v:g}</text>')
    parts.append(f'<text x="{left + pw}" y="{height - 2}" font-size="10" text-anchor="end">step</text>')
    for step in marks:
        x = sx(step)
        parts.append(f'<line class="mark" x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + ph}" stroke="#000" stroke-opacity="0.35" stroke-dasharray="2,2"><title>ASAT test at step {step}</title></line>')
    for k, (name, vs) in enumerate(series.items()):
        colour = LINE_COLOURS[k % len(LINE_COLOURS)]
        points = " ".join(f"{sx(i):.1f},{sy(v):.1f}" for i, v in enumerate(vs) if v == v)
        parts.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="1.6"><title>{escape(name)}</title></polyline>')
        if len(series) > 1:
            parts.append(f'<line x1="{left + 6}" y1="{top + 10 + 13 * k}" x2="{left + 20}" y2="{top + 10 + 13 * k}" stroke="{colour}" stroke-width="2"/>')
            parts.append(f'<text x="{left + 24}" y="{top + 14 + 13 * k}" font-size="10">{escape(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)
