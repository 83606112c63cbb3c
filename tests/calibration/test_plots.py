"""The calibration's figures, drawn from a small real calibration: every file the manifest lists, with labels and the palette."""

from __future__ import annotations

import matplotlib.colors as mcolors
import pandas as pd

from spacesim.analysis.plots import OKABE_ITO
from spacesim.calibration import plots as cplots
from spacesim.calibration.results import calibrate
from spacesim.calibration.spec import load_calibration

from .synthetic import TRUTH, observed_accessions, write_calibration


def test_a_calibration_draws_every_figure_it_lists(tmp_path):
    calib = load_calibration(write_calibration(tmp_path, observed_accessions(TRUTH, 3), abc={"population": 20, "generations": 2, "posterior_draws": 2}))
    manifest = calibrate(calib, tmp_path / "out", workers=1, plots=True, echo=lambda line: None)
    listed = manifest.plots
    assert {"plots/posterior_marginals.png", "plots/posterior_pairs.png", "plots/generations.png"} <= set(listed)
    assert {f"plots/predictive_{name}.png" for name in ("accords_count", "accords_members", "accords_order")} <= set(listed)
    for name in listed:
        assert (tmp_path / "out" / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name

    posterior = pd.read_parquet(tmp_path / "out" / "posterior.parquet")
    fig = cplots.marginals(posterior, calib)
    ax = fig.axes[0]
    assert fig.get_suptitle() and ax.get_xlabel() == "membership_rate"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["posterior", "prior"]
    safe = {mcolors.to_hex(c) for c in OKABE_ITO.values()} | {"#7f7f7f"}
    colours = {mcolors.to_hex(p.get_facecolor()) for p in ax.patches} | {mcolors.to_hex(line.get_color()) for line in ax.lines}
    assert colours <= safe, colours
