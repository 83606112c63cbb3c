"""The network picture of a run (``network.png``, and each batch's representative network), checked on its artists."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from spacesim import SpaceModel, shipped_scenario
from spacesim.analysis.plots import BLOC_COLOURS, UNALIGNED, network

OKABE_ITO = {"#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000"}


def draw(name: str, steps: int):
    model = SpaceModel(shipped_scenario(name))
    model.run(steps)
    fig = Figure(figsize=(9, 9), layout="constrained")
    ax = network(model.nations_frame(), model.partnerships_frame(), ax=fig.add_subplot())
    FigureCanvasAgg(fig).draw()  # lays the figure out as savefig does, so the boxes are the PNG's
    return model, fig, ax


def boxes(fig, artists):
    renderer = fig.canvas.get_renderer()
    return [a.get_window_extent(renderer) for a in artists]


@pytest.mark.parametrize("name, steps", [("teaching_small", 10), ("baseline", 20)])
def test_every_nation_is_labelled_and_no_label_overlaps_another_or_a_node(name, steps):
    model, fig, ax = draw(name, steps)
    codes = model.state.codes
    labels = [t for t in ax.texts if (t.get_gid() or "").startswith("nation-label-")]
    assert sorted(t.get_text() for t in labels) == sorted(codes)
    framework_labels = [t for t in ax.texts if (t.get_gid() or "").startswith("framework-label-")]
    assert framework_labels
    label_boxes = boxes(fig, labels + framework_labels)
    for (a, box_a), (b, box_b) in itertools.combinations(zip(labels + framework_labels, label_boxes), 2):
        assert not box_a.overlaps(box_b), (a.get_text(), b.get_text())
    # No nation's circle covers any label (its own included): labels sit outside the circles.
    nodes = ax.collections[2]
    centres = ax.transData.transform(nodes.get_offsets())
    radii = np.sqrt(nodes.get_sizes()) / 2 * fig.dpi / 72
    for text, box in zip(labels + framework_labels, label_boxes):
        for (cx, cy), r in zip(centres, radii):
            nearest_x, nearest_y = min(max(cx, box.x0), box.x1), min(max(cy, box.y0), box.y1)
            assert np.hypot(cx - nearest_x, cy - nearest_y) >= r - 0.5, text.get_text()


def test_blocs_are_apart_coloured_colour_blind_safe_and_the_legend_is_outside_the_data():
    model, fig, ax = draw("baseline", 5)
    assert set(BLOC_COLOURS) <= OKABE_ITO
    nodes = ax.collections[2]
    shown = {tuple(np.round(c, 3)) for c in nodes.get_facecolors()}
    from matplotlib.colors import to_rgba

    allowed = {tuple(np.round(to_rgba(c), 3)) for c in (*BLOC_COLOURS, UNALIGNED)}
    assert shown <= allowed and len(shown) == len(model.state.bloc_names) + 1  # every bloc, and the unaligned
    # Each bloc holds one arc of the ring: going round it, the bloc changes only once per bloc (plus the unaligned).
    xy = nodes.get_offsets()
    order = np.argsort(-np.arctan2(xy[:, 1], xy[:, 0]) % (2 * np.pi))
    colours = [tuple(np.round(nodes.get_facecolors()[k], 3)) for k in order]
    changes = sum(a != b for a, b in zip(colours, colours[1:] + colours[:1]))
    assert changes == len(shown)
    legend = ax.get_legend()
    renderer = fig.canvas.get_renderer()
    assert legend.get_window_extent(renderer).y1 <= ax.get_window_extent(renderer).y0 + 1  # below the picture, not on it
    assert {t.get_text() for t in legend.get_texts()} >= {f"bloc: {b}" for b in model.state.bloc_names} | {"unaligned", "framework"}
