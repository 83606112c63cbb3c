"""Statistical tests of the model's hypotheses over seeded replicates.

Each test runs the baseline scenario for 40 steps (10 years) with 20
replicate seeds per arm; arms share seeds (common random numbers). The test
and its threshold are stated in each docstring. Seeds are fixed, so the
outcome is reproducible; the thresholds leave room for other seeds too.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from spacesim import SpaceModel, load_scenario, shipped_scenario

pytestmark = pytest.mark.slow

REPLICATES = 20
STEPS = 40
SEEDS = [1000 + r for r in range(REPLICATES)]
ALPHA = 0.01


@pytest.fixture(scope="module")
def baseline():
    return load_scenario(shipped_scenario("baseline"))


def replicate(spec, measure, **parameters) -> np.ndarray:
    """``measure(model, steps)`` for each replicate seed."""
    out = []
    for seed in SEEDS:
        model = SpaceModel(spec, rng=seed, steps=STEPS, **parameters)
        steps = model.run()
        out.append(measure(model, steps))
    return np.array(out)


def greater(high: np.ndarray, low: np.ndarray) -> float:
    """One-sided Mann-Whitney U p-value that ``high`` tends to exceed ``low``."""
    return stats.mannwhitneyu(high, low, alternative="greater").pvalue


def partnerships(model, steps: pd.DataFrame) -> float:
    return float((steps["n_bilateral"] + steps["n_memberships"]).mean())


def test_more_threat_brings_more_partnerships(baseline):
    """C8: ASAT rate 0.05 vs 0 -> more partnerships (mean over steps); Mann-Whitney one-sided p < 0.01."""
    calm = replicate(baseline, partnerships, asat_rate=0.0)
    threatened = replicate(baseline, partnerships, asat_rate=0.05)
    assert greater(threatened, calm) < ALPHA


def test_more_debris_brings_more_partnerships(baseline):
    """C8, C14: a collision cascade (collision_rate x20) vs today's rate -> more partnerships; Mann-Whitney one-sided p < 0.01.

    (The scenario's initial threat perception already includes today's
    debris, so the contrast is debris events during the run, not a larger
    starting stock.)
    """
    today = replicate(baseline, partnerships)
    cascade = replicate(baseline, partnerships, collision_rate=20 * baseline.parameters.collision_rate)
    assert greater(cascade, today) < ALPHA


def test_sovereignty_favours_bilateral_over_multilateral(baseline):
    """C4: sovereignty +0.5 vs -0.5 -> fewer memberships and a larger bilateral share (means over steps); each p < 0.01."""
    memberships = lambda m, s: float(s["n_memberships"].mean())  # noqa: E731
    share = lambda m, s: float(s["bilateral_share"].mean())  # noqa: E731
    assert greater(replicate(baseline, memberships, sovereignty_shift=-0.5), replicate(baseline, memberships, sovereignty_shift=0.5)) < ALPHA
    assert greater(replicate(baseline, share, sovereignty_shift=0.5), replicate(baseline, share, sovereignty_shift=-0.5)) < ALPHA


def mean_duration(model, steps: pd.DataFrame) -> float:
    """Mean duration of partnerships formed during the run (still active ones censored at the last step)."""
    p = model.partnerships_frame()
    p = p[p["start_step"] > 0]
    end = p["end_step"].astype("float").fillna(float(STEPS))
    return float((end - p["start_step"]).mean())


def test_political_instability_shortens_partnerships(baseline):
    """C9: government_change_rate 0.5 vs 0 -> shorter partnerships; Mann-Whitney one-sided p < 0.01."""
    stable = replicate(baseline, mean_duration, government_change_rate=0.0)
    unstable = replicate(baseline, mean_duration, government_change_rate=0.5)
    assert greater(stable, unstable) < ALPHA


def test_clearer_law_raises_trust(baseline):
    """C5: legal_clarity 0.9 vs 0.1 -> higher final mean trust; Mann-Whitney one-sided p < 0.01."""
    final_trust = lambda m, s: float(s["mean_trust"].iloc[-1])  # noqa: E731
    assert greater(replicate(baseline, final_trust, legal_clarity=0.9), replicate(baseline, final_trust, legal_clarity=0.1)) < ALPHA


def test_an_asat_test_costs_the_tester_trust_and_raises_debris(baseline):
    """C2, C8, C14: a scheduled ASAT test by China at step 10 vs none, same seeds (paired).

    In every replicate, others' mean trust in China at step 10 is lower and
    debris higher than without the test; Wilcoxon signed-rank one-sided p < 0.01.
    """
    event = {"step": 10, "kind": "asat_test", "actor": "CHN"}
    data = baseline.model_dump(mode="json", by_alias=True)
    data["events"] = [e for e in data["events"] if e["step"] != 10] + [event]
    from spacesim.scenario.loader import scenario_from_data

    shocked = scenario_from_data(data, "<test>")

    def at_step_10(model, steps):
        nations = model.nations_frame()
        row = nations[(nations["step"] == 10) & (nations["nation"] == "CHN")]
        return float(row["mean_trust_received"].iloc[0]), float(steps.loc[steps["step"] == 10, "debris"].iloc[0])

    without = replicate(baseline, at_step_10)
    with_test = replicate(shocked, at_step_10)
    trust_drop = without[:, 0] - with_test[:, 0]
    debris_rise = with_test[:, 1] - without[:, 1]
    assert (trust_drop > 0).all() and (debris_rise > 0).all()
    assert stats.wilcoxon(trust_drop, alternative="greater").pvalue < ALPHA
    assert stats.wilcoxon(debris_rise, alternative="greater").pvalue < ALPHA


def test_combining_bilateral_and_multilateral_serves_security_best(baseline):
    """C7: both channels vs bilateral only and vs multilateral only -> higher mean security (mean over steps), same seeds.

    Wilcoxon signed-rank one-sided p < 0.01 for each comparison.
    """
    security = lambda m, s: float(s["mean_security"].mean())  # noqa: E731
    both = replicate(baseline, security)
    bilateral_only = replicate(baseline, security, allow_multilateral=False)
    multilateral_only = replicate(baseline, security, allow_bilateral=False)
    assert stats.wilcoxon(both - bilateral_only, alternative="greater").pvalue < ALPHA
    assert stats.wilcoxon(both - multilateral_only, alternative="greater").pvalue < ALPHA
