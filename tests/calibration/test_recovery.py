"""Parameter recovery: the model's own history, made with known parameters, is calibrated again.

Ten synthetic histories (fixed seeds) from the small world with
membership_rate 0.1 and sovereignty_cost_multilateral 0.5; each is
calibrated on the member count and member set of the Accords. The truth
must lie inside the 90% credible interval in at least 8 of the 10 for each
parameter (a calibrated 90% interval misses about once in ten).
"""

from __future__ import annotations

import pytest

from spacesim.calibration.results import calibrate
from spacesim.calibration.spec import load_calibration

from .synthetic import TRUTH, observed_accessions, write_calibration


@pytest.mark.slow
def test_true_parameters_fall_inside_the_90_percent_intervals(tmp_path):
    inside = dict.fromkeys(TRUTH, 0)
    intervals = []
    for k in range(10):
        folder = tmp_path / f"d{k}"
        calib = write_calibration(
            folder, observed_accessions(TRUTH, 100 + k), abc={"population": 60, "generations": 4, "posterior_draws": 2}, seed=k, held_out=False
        )
        manifest = calibrate(load_calibration(calib), folder / "out", workers=1, plots=False, echo=lambda line: None)
        summary = manifest.posterior_summary
        intervals.append({n: (round(s.q05, 3), round(s.q95, 3)) for n, s in summary.items()})
        for name, truth in TRUTH.items():
            inside[name] += summary[name].q05 <= truth <= summary[name].q95
    for name in TRUTH:
        assert inside[name] >= 8, (name, inside, intervals)
    # the data inform membership_rate: its intervals are narrower than the prior's [0.02, 0.6]
    assert sum(hi - lo for lo, hi in (i["membership_rate"] for i in intervals)) / 10 < 0.4
