"""Statistical tests of the design brief's claims C1-C14, at moderate contrasts.

Each test compares two arms of the baseline scenario (60 steps, 40 replicate
seeds per arm from ``SeedSequence``, the same seeds in both arms: common
random numbers) on one measure of what emerges from the run, and requires
the 95% percentile bootstrap interval of the paired mean difference B - A to
lie on the side the claim predicts. Contrasts are moderate: a [0, 1] lever
at its default +/- 0.1 (``sovereignty_shift`` +/- 0.15, a quarter of the
spread of the baseline's sovereignties), an event against the same seed
without it, measured over the 8 steps after it. Contrast, measure and
threshold were fixed in each docstring before the tests were first run;
claims that did not hold are marked ``xfail(strict=True)`` with the measured
effect as the finding (docs/model.md section 6).

The harness, the arms and the measures are in ``tests/model/claims.py``;
``python -m tests.model.claims --markdown`` records every effect in
``tests/model/claims_results.json`` and prints the table of docs/model.md
section 6. Each arm runs once per session and is shared between tests.
"""

from __future__ import annotations

import pytest

from .claims import CLAIMS, check

pytestmark = pytest.mark.slow


def test_c1_a_stronger_partner_raises_others_security():
    """C1: Japan's capability +0.1 (0.485 -> 0.585) vs the baseline, same seeds.

    Measure: mean security of the 33 other nations, mean over steps 1-60.
    Threshold: 95% CI of the paired mean difference (stronger Japan - baseline) above 0.
    Not arithmetic: Japan's capability reaches others only through the
    agreements and memberships they choose; Japan's own security is excluded.
    """
    check(CLAIMS["C1"])


def test_c2_an_asat_test_costs_the_tester_trust_over_the_following_window():
    """C2: a destructive ASAT test by China scheduled at step 10 vs none, same seeds.

    Measure: others' mean trust in China, mean over steps 11-18 (not at step 10).
    Threshold: 95% CI of the paired mean difference (with test - without) below 0.
    Not arithmetic: the damage at step 10 is a constant; its persistence over
    the window depends on decay of evidence and on cooperation rebuilding trust.
    """
    check(CLAIMS["C2"])


def test_c3_distrust_lowers_security_from_partners():
    """C3: every initial trust value -0.1 (clipped at 0) vs the baseline, same seeds.

    Measure: collective security (share of security from partners), mean over steps 1-60.
    Threshold: 95% CI of the paired mean difference (lower trust - baseline) below 0.
    Not arithmetic: the contrast is in the initial state; security from partners
    depends on which agreements form and deepen as trust evolves.
    """
    check(CLAIMS["C3"])


@pytest.mark.xfail(
    strict=True,
    reason=(
        "C4 does not hold at this contrast in the revised model (issue 15: learned trust, frameworks as clubs): "
        "sovereignty_shift +0.15 - (-0.15) changes the bilateral share by -0.0017 [95% CI -0.0032, -0.0002], d_z -0.35 "
        "(A mean 0.458), the wrong sign; before the revision +0.0095 [+0.0069, +0.0122]. More sovereign nations hold fewer "
        "partnerships of both kinds (active bilateral agreements 68.7 -> 68.0, memberships 77.3 -> 77.1, means over the "
        "run), and bilateral deals fall proportionally more, so sovereignty no longer favours bilateral deals at this contrast"
    ),
)
def test_c4_sovereignty_favours_bilateral_deals():
    """C4: sovereignty_shift +0.15 vs -0.15, same seeds.

    Measure: bilateral share n_bilateral / (n_bilateral + n_memberships), mean over steps 1-60.
    Threshold: 95% CI of the paired mean difference (+0.15 - (-0.15)) above 0.
    Not arithmetic: sovereignty is one cost among benefits in each nation's
    utility; the share is the composition of partnerships nations choose.
    """
    check(CLAIMS["C4"])


def test_c5_clearer_law_raises_security_from_partners():
    """C5: legal_clarity 0.4 vs 0.2, same seeds.

    Measure: collective security, mean over steps 1-60 (not trust, which the
    rule multiplies by (1 + bonus x clarity)).
    Threshold: 95% CI of the paired mean difference (0.4 - 0.2) above 0.
    """
    check(CLAIMS["C5"])


def test_c6_export_controls_cost_the_weaker_nations_security():
    """C6: export_control 0.6 vs 0.4, same seeds.

    Measure: mean security of the 17 nations with the lowest initial capability, mean over steps 1-60.
    Threshold: 95% CI of the paired mean difference (0.6 - 0.4) below 0.
    Not arithmetic: the rule raises the stronger side's reluctance; the weak
    half's security depends on which agreements the strong still accept.
    """
    check(CLAIMS["C6"])


def test_c7_combining_bilateral_and_multilateral_serves_security_best():
    """C7: both kinds allowed vs bilateral only, and vs multilateral only, same seeds.

    Measure: mean security, mean over steps 1-60.
    Threshold: for each comparison, 95% CI of the paired mean difference (both - one) above 0.
    Partly arithmetic (coverage adds across channels, docs/model.md section 6);
    kept because a policy switch is the only contrast C7 admits.
    """
    check(CLAIMS["C7"])


def test_c8_an_asat_test_brings_new_agreements_in_the_following_window():
    """C8: a destructive ASAT test by China scheduled at step 10 vs none, same seeds.

    Measure: bilateral agreements formed over steps 11-18.
    Threshold: 95% CI of the paired mean difference (with test - without) above 0.
    Not arithmetic: the shock raises threat perception; an agreement also needs
    a willing partner, trust above the floor and benefits above costs.
    """
    check(CLAIMS["C8"])


@pytest.mark.xfail(
    strict=True,
    reason=(
        "C9 does not hold at this contrast with learned trust (issue 15): with reversal_withdrawal 0 (a new government ends "
        "nothing by rule; it has a new reliability that partners must learn, and a shorter horizon), 0.12 - 0.04 = -0.00069 "
        "[95% CI -0.0019, +0.0004], d_z -0.18 (A mean 0.837; with clubs merged; -0.00082 [-0.0024, +0.0007] before): the "
        "learning a new government triggers costs too little security from partners to detect; under the former rule "
        "(withdrawal 0.15) the effect was -0.0061 [-0.0085, -0.0036]"
    ),
)
def test_c9_political_instability_lowers_security_from_partners():
    """C9: government_change_rate 0.12 vs 0.04, same seeds.

    Measure: collective security, mean over steps 1-60 (not agreement
    duration, which a government change shortens by rule).
    Threshold: 95% CI of the paired mean difference (0.12 - 0.04) below 0.
    """
    check(CLAIMS["C9"])


def test_c10_leaks_lower_security_from_partners():
    """C10: leak_rate 0.015 vs 0.005, same seeds.

    Measure: collective security, mean over steps 1-60 (not the number of
    leaks, which the rate sets).
    Threshold: 95% CI of the paired mean difference (0.015 - 0.005) below 0.
    """
    check(CLAIMS["C10"])


def test_c11_a_higher_trust_requirement_lowers_memberships():
    """C11: integration_trust_requirement 0.6 vs 0.4, same seeds.

    Measure: framework memberships, mean over steps 1-60.
    Threshold: 95% CI of the paired mean difference (0.6 - 0.4) below 0.
    Not arithmetic: the requirement is a threshold; memberships fall only if
    members' mutual trust lies near it.
    """
    check(CLAIMS["C11"])


def test_c12_commercial_capacity_reaches_nations_without_it():
    """C12: commercial_integration 0.6 vs 0.4, same seeds.

    Measure: mean security of the 11 nations with no commercial capacity, mean over steps 1-60.
    Threshold: 95% CI of the paired mean difference (0.6 - 0.4) above 0.
    Not arithmetic: these nations gain only through partners.
    """
    check(CLAIMS["C12"])


def test_c13_stronger_norms_leave_a_more_trusting_system():
    """C13: norm_deterrence 0.8 vs 0.6, same seeds.

    Measure: mean trust, mean over steps 1-60 (not the number of hostile
    acts, which the rule scales).
    Threshold: 95% CI of the paired mean difference (0.8 - 0.6) above 0.
    """
    check(CLAIMS["C13"])


@pytest.mark.xfail(
    strict=True,
    reason=(
        "C14 does not hold at this contrast in the revised model (issue 15): one test's ~1,500 fragments (+5% debris) add "
        "+0.33 collisions [95% CI -0.25, +0.95] over steps 11-60, d_z +0.17, 75% of the 40 pairs tied (A mean 9.15); before "
        "the revision +1.1 [+0.38, +1.9]. Collisions are rare Poisson events and the revision's new random draws reshuffle "
        "them: at today's debris density the Kessler term is too weak for one test to show against chance in 40 pairs "
        "(the debris itself rises: +1,529 [+1,462, +1,624] over steps 11-18)"
    ),
)
def test_c14_an_asat_test_brings_more_collisions_later():
    """C14: a destructive ASAT test by China scheduled at step 10 vs none, same seeds.

    Measure: collisions over steps 11-60.
    Threshold: 95% CI of the paired mean difference (with test - without) above 0.
    Not arithmetic: the test's fragments are a constant; later collisions among
    all objects follow from the Kessler term, decay and chance.
    """
    check(CLAIMS["C14"])
