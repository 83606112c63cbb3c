"""A harness for testing the design brief's claims (C1-C14) as paired contrasts.

A *claim test* compares two *arms* of the baseline scenario that differ in
one thing: a parameter at two moderate values, or a scenario variant (an
added scheduled event, shifted initial attributes). Both arms run the same
replicate seeds (common random numbers), spawned from one
:class:`numpy.random.SeedSequence` by :func:`spacesim.experiment.design.replicate_seeds`,
so replicate ``r`` of arm A and of arm B meet the same luck until the
contrast makes them differ. For each replicate a *measure* (a number computed
from the run: a mean over steps, a total over a window) is taken in both arms;
the effect is the mean paired difference B - A with its 95% percentile
bootstrap interval and Cohen's d_z, computed by
:func:`spacesim.analysis.comparison.paired_comparison` (the same statistics
that ``spacesim compare`` reports for a batch).

The threshold of every claim is fixed before running, in :data:`CLAIMS` and in
the docstring of its test in ``test_hypotheses.py``: "the 95% interval of the
paired mean difference lies above 0" (``direction=+1``) or "below 0"
(``direction=-1``).

Runs are the baseline scenario for :data:`STEPS` steps with
:data:`REPLICATES` seeds per arm. Each arm is run once per process
(:func:`arm_values` caches it) and every measure is computed from each run, so
claims that share an arm share its runs.

Run as a script to evaluate every claim and record the results::

    .venv/bin/python -m tests.model.claims            # writes tests/model/claims_results.json
    .venv/bin/python -m tests.model.claims --markdown # and prints the table for docs/model.md section 6
"""

from __future__ import annotations

import argparse
import functools
import json
import math
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from spacesim import SpaceModel, load_scenario, shipped_scenario
from spacesim.analysis.comparison import paired_comparison
from spacesim.experiment.design import replicate_seeds
from spacesim.scenario.loader import scenario_from_data

#: Steps per run (15 years of quarters): long enough for agreements to form and end, short enough for CI.
STEPS = 60
#: Replicate seeds per arm.
REPLICATES = 40
#: Base seed of the replicate seeds (SeedSequence(BASE_SEED).spawn(1)[0].spawn(REPLICATES)).
BASE_SEED = 20261505
SEEDS: tuple[int, ...] = tuple(int(s) for s in replicate_seeds(BASE_SEED, 1, REPLICATES)[0])
#: Step of the scheduled event in event contrasts, and the window after it over which its effect is measured.
EVENT_STEP = 10
WINDOW = (EVENT_STEP + 1, EVENT_STEP + 8)
#: Bootstrap resamples for the intervals.
N_BOOT = 10_000
CONFIDENCE = 0.95

RESULTS = Path(__file__).with_name("claims_results.json")

#: How the table names the measures reported alongside a claim's own (without a threshold).
REPORTED_TEXT = {
    "n_bilateral": "active bilateral agreements, mean over steps 1-60",
    "hostile_acts": "ASAT tests and cyber attacks, total over steps 1-60",
    "debris_window": f"debris stock, mean over steps {WINDOW[0]}-{WINDOW[1]}",
}


# --------------------------------------------------------------------- arms
def _baseline_data() -> dict[str, Any]:
    data = load_scenario(shipped_scenario("baseline")).model_dump(mode="json", by_alias=True)
    data["steps"] = STEPS
    return data


def _asat_test_by_china(data: dict[str, Any]) -> dict[str, Any]:
    """A destructive ASAT test by China scheduled at EVENT_STEP (the baseline schedules no event)."""
    data["events"] = [*data["events"], {"step": EVENT_STEP, "kind": "asat_test", "actor": "CHN"}]
    return data


def _lower_initial_trust(data: dict[str, Any]) -> dict[str, Any]:
    """Every initial trust value 0.1 lower (clipped at 0): more tension everywhere."""
    t = data["trust"]
    t["default"] = max(0.0, t["default"] - 0.1)
    if t.get("same_bloc") is not None:
        t["same_bloc"] = max(0.0, t["same_bloc"] - 0.1)
    for entry in [*t.get("between_blocs", []), *t.get("pairs", [])]:
        entry["value"] = max(0.0, entry["value"] - 0.1)
    return data


def _stronger_japan(data: dict[str, Any]) -> dict[str, Any]:
    """Japan's capability 0.1 higher (0.485 -> 0.585; about France's distance from the UK)."""
    for nation in data["nations"]:
        if nation["code"] == "JPN":
            nation["capability"] = round(nation["capability"] + 0.1, 6)
    return data


#: Scenario variants by name: each changes a copy of the baseline's data.
VARIANTS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "baseline": lambda data: data,
    "asat_test_by_china": _asat_test_by_china,
    "lower_initial_trust": _lower_initial_trust,
    "stronger_japan": _stronger_japan,
}


@dataclass(frozen=True)
class Arm:
    """One arm of a contrast: a scenario variant and parameter overrides."""

    label: str
    variant: str = "baseline"
    parameters: tuple[tuple[str, Any], ...] = ()


def arm(label: str, variant: str = "baseline", **parameters: Any) -> Arm:
    return Arm(label, variant, tuple(sorted(parameters.items())))


# ----------------------------------------------------------------- measures
_BASE = load_scenario(shipped_scenario("baseline"))
_CAPABILITY = {n.code: n.capability for n in _BASE.nations}
#: The weaker half of the nations by initial capability.
WEAK_HALF = frozenset(sorted(_CAPABILITY, key=lambda c: (_CAPABILITY[c], c))[: len(_CAPABILITY) // 2])
#: Nations without commercial capacity of their own.
NO_COMMERCIAL = frozenset(n.code for n in _BASE.nations if n.commercial_capacity == 0)


def _over_run(steps: pd.DataFrame, column: str) -> float:
    """Mean of a per-step outcome over steps 1 to the last (step 0 is the initial state)."""
    return float(steps.loc[steps["step"] >= 1, column].mean())


def _in_window(frame: pd.DataFrame, column: str, first: int, last: int, how: str) -> float:
    rows = frame.loc[(frame["step"] >= first) & (frame["step"] <= last), column]
    return float(rows.sum() if how == "sum" else rows.mean())


def _nation_mean(nations: pd.DataFrame, codes: frozenset[str], column: str) -> float:
    """Mean over steps 1 to the last of the mean of ``column`` over the nations ``codes``."""
    rows = nations[(nations["step"] >= 1) & nations["nation"].isin(codes)]
    return float(rows.groupby("step")[column].mean().mean())


def measures_of(model: SpaceModel, steps: pd.DataFrame) -> dict[str, float]:
    """Every measure any claim uses, for one run (cheap enough to compute them all)."""
    nations = model.nations_frame()
    first, last = WINDOW
    china = nations[nations["nation"] == "CHN"]
    return {
        "mean_security": _over_run(steps, "mean_security"),
        "collective_security": _over_run(steps, "collective_security"),
        "bilateral_share": _over_run(steps, "bilateral_share"),
        "n_memberships": _over_run(steps, "n_memberships"),
        "n_bilateral": _over_run(steps, "n_bilateral"),
        "mean_trust": _over_run(steps, "mean_trust"),
        "hostile_acts": float(steps.loc[steps["step"] >= 1, ["n_asat_tests", "n_cyber_attacks"]].to_numpy().sum()),
        "security_of_others_than_japan": _nation_mean(nations, frozenset(_CAPABILITY) - {"JPN"}, "security"),
        "security_of_weak_half": _nation_mean(nations, WEAK_HALF, "security"),
        "security_without_commercial": _nation_mean(nations, NO_COMMERCIAL, "security"),
        "trust_in_china_window": _in_window(china, "mean_trust_received", first, last, "mean"),
        "formed_in_window": _in_window(steps, "n_agreements_formed", first, last, "sum"),
        "collisions_after_event": _in_window(steps, "n_collisions", EVENT_STEP + 1, STEPS, "sum"),
        "debris_window": _in_window(steps, "debris", first, last, "mean"),
    }


@functools.cache
def _spec(variant: str):
    return scenario_from_data(VARIANTS[variant](_baseline_data()), f"<baseline: {variant}>")


@functools.cache
def arm_values(a: Arm) -> pd.DataFrame:
    """Every measure for each replicate seed of arm ``a`` (rows: replicates 0..REPLICATES-1); run once per process."""
    spec = _spec(a.variant)
    rows = []
    for seed in SEEDS:
        model = SpaceModel(spec, rng=seed, steps=STEPS, **dict(a.parameters))
        rows.append(measures_of(model, model.run()))
    return pd.DataFrame(rows)


# ------------------------------------------------------------------- claims
@dataclass(frozen=True)
class Contrast:
    """Arm B against arm A on one measure; the claim holds if the interval of B - A lies on the side ``direction``."""

    a: Arm
    b: Arm
    measure: str
    direction: int  # +1: interval above 0; -1: interval below 0


@dataclass(frozen=True)
class Claim:
    id: str
    statement: str
    contrasts: tuple[Contrast, ...]
    measure_text: str
    why_not_arithmetic: str
    also: tuple[str, ...] = field(default=())  # other measures reported alongside (no threshold)


@dataclass(frozen=True)
class Result:
    claim: str
    a: str
    b: str
    measure: str
    direction: int
    n_pairs: int
    mean_a: float
    mean_b: float
    mean_diff: float
    ci_low: float
    ci_high: float
    effect_size: float
    share_b_larger: float
    share_tied: float

    @property
    def holds(self) -> bool:
        return self.ci_low > 0 if self.direction > 0 else self.ci_high < 0

    @property
    def threshold(self) -> str:
        return f"95% CI of B - A {'above' if self.direction > 0 else 'below'} 0"

    def describe(self) -> str:
        return (
            f"{self.claim} {self.measure}: {self.b} - {self.a} = {self.mean_diff:+.4g} "
            f"[95% CI {self.ci_low:+.4g}, {self.ci_high:+.4g}], d_z {self.effect_size:+.2f}, "
            f"B larger in {self.share_b_larger:.0%} and tied in {self.share_tied:.0%} of {self.n_pairs} pairs "
            f"(A mean {self.mean_a:.4g}, B mean {self.mean_b:.4g}); threshold: {self.threshold}"
        )


def evaluate(claim_id: str, contrast: Contrast, measure: str | None = None) -> Result:
    """The paired effect of ``contrast`` on its measure (or on ``measure``), with its bootstrap interval."""
    measure = measure or contrast.measure
    a, b = arm_values(contrast.a)[measure], arm_values(contrast.b)[measure]
    n = len(a)
    runs = pd.DataFrame(
        {
            "point": 0,
            "variant": ["a"] * n + ["b"] * n,
            "replicate": list(range(n)) * 2,
            "status": "completed",
            f"final_{measure}": np.concatenate([a.to_numpy(), b.to_numpy()]),
        }
    )
    row = paired_comparison(runs, [measure], ["a", "b"], n_boot=N_BOOT, seed=0, confidence=CONFIDENCE).iloc[0]
    return Result(
        claim_id,
        contrast.a.label,
        contrast.b.label,
        measure,
        contrast.direction,
        int(row["n_pairs"]),
        float(row["mean_a"]),
        float(row["mean_b"]),
        float(row["mean_diff"]),
        float(row["ci_low"]),
        float(row["ci_high"]),
        float(row["effect_size"]),
        float(row["share_b_better"]),
        float(row["share_tied"]),
    )


def check(claim: Claim) -> list[Result]:
    """Evaluate every contrast of ``claim`` and assert that each holds; the message reports effect and interval."""
    results = [evaluate(claim.id, c) for c in claim.contrasts]
    failed = [r for r in results if not r.holds]
    assert not failed, "; ".join(r.describe() for r in failed)
    return results


def lever(name: str, low: float, high: float, measure: str, direction: int) -> Contrast:
    """The parameter ``name`` at ``high`` (arm B) against ``low`` (arm A)."""
    return Contrast(arm(f"{name} {low:g}", **{name: low}), arm(f"{name} {high:+g}" if low < 0 else f"{name} {high:g}", **{name: high}), measure, direction)


BASE = arm("baseline")
ASAT = arm("ASAT test by CHN at step 10", "asat_test_by_china")
_UP, _DOWN = +1, -1

CLAIMS: dict[str, Claim] = {
    c.id: c
    for c in (
        Claim(
            "C1",
            "Cooperation pools resources: partners gain security from each other's capability.",
            (Contrast(BASE, arm("Japan capability +0.1", "stronger_japan"), "security_of_others_than_japan", _UP),),
            "mean security of the 33 nations other than Japan, mean over steps 1-60",
            (
                "Japan's capability reaches others only through agreements and memberships that form, deepen and end by their "
                "own choices; its own security is left out."
            ),
        ),
        Claim(
            "C2",
            "Trust is destroyed by hostile acts (and must be rebuilt).",
            (Contrast(BASE, ASAT, "trust_in_china_window", _DOWN),),
            f"others' mean trust in China over steps {WINDOW[0]}-{WINDOW[1]} (after the test at step {EVENT_STEP})",
            (
                "the damage is a constant at the event's step; whether it persists over the next 8 steps depends on decay and "
                "on what China's cooperation rebuilds."
            ),
        ),
        Claim(
            "C3",
            "Political tensions and distrust hinder joint missions and sharing.",
            (Contrast(BASE, arm("initial trust -0.1", "lower_initial_trust"), "collective_security", _DOWN),),
            "collective security (share of security from partners), mean over steps 1-60",
            (
                "the contrast is in the initial state, not a rule's coefficient; security from partners depends on which "
                "agreements form and how deep they grow as trust evolves."
            ),
        ),
        Claim(
            "C4",
            "Nations guard their sovereignty: they prefer bilateral deals to deep multilateral structures.",
            (lever("sovereignty_shift", -0.15, 0.15, "bilateral_share", _UP),),
            "bilateral share n_bilateral / (n_bilateral + n_memberships), mean over steps 1-60",
            "sovereignty is a cost in each nation's utility; the share is the composition of partnerships that nations choose, weighed against benefits.",
        ),
        Claim(
            "C5",
            "Clear legal frameworks lower friction (and so raise cooperation).",
            (lever("legal_clarity", 0.2, 0.4, "collective_security", _UP),),
            "collective security, mean over steps 1-60",
            (
                "clarity multiplies trust gained per cooperation and lowers costs; the measure is the security nations draw "
                "from partners, which needs that trust to turn into agreements."
            ),
        ),
        Claim(
            "C6",
            "Technological disparity inhibits collaboration (the weaker lose most).",
            (lever("export_control", 0.4, 0.6, "security_of_weak_half", _DOWN),),
            "mean security of the 17 nations with the lowest initial capability, mean over steps 1-60",
            "export control raises the stronger side's reluctance; the weak half's security depends on which agreements the strong still accept.",
        ),
        Claim(
            "C7",
            "Combining bilateral and multilateral partnerships serves security best.",
            (
                Contrast(arm("bilateral only", allow_multilateral=False), BASE, "mean_security", _UP),
                Contrast(arm("multilateral only", allow_bilateral=False), BASE, "mean_security", _UP),
            ),
            "mean security, mean over steps 1-60",
            (
                "partly arithmetic: coverage adds across channels (docs/model.md section 6); with both allowed nations may "
                "substitute one channel for the other, so the sum is not guaranteed."
            ),
        ),
        Claim(
            "C8",
            "Emerging threats push nations to cooperate.",
            (Contrast(BASE, ASAT, "formed_in_window", _UP),),
            f"bilateral agreements formed over steps {WINDOW[0]}-{WINDOW[1]}",
            "the test raises threat perception; new agreements need a partner to accept, trust above the floor and benefits above costs.",
        ),
        Claim(
            "C9",
            "Political change reverses policy (and so costs cooperation).",
            (lever("government_change_rate", 0.04, 0.12, "collective_security", _DOWN),),
            "collective security, mean over steps 1-60",
            "a new government ends agreements by rule, but they can re-form; the net loss in security from partners depends on re-formation.",
        ),
        Claim(
            "C10",
            "Sharing intelligence brings the risk of leaks, which damage cooperation.",
            (lever("leak_rate", 0.005, 0.015, "collective_security", _DOWN),),
            "collective security, mean over steps 1-60",
            "leaks are counted by rule; whether the trust they cost shrinks the security nations draw from partners is the feedback under test.",
            ("n_bilateral",),
        ),
        Claim(
            "C11",
            "Multinational command structures demand the most trust.",
            (lever("integration_trust_requirement", 0.4, 0.6, "n_memberships", _DOWN),),
            "framework memberships, mean over steps 1-60",
            (
                "the requirement is a threshold, not a multiplier: memberships fall only if members' mutual trust lies near it, "
                "which depends on the trust dynamics."
            ),
        ),
        Claim(
            "C12",
            "Public-private partnerships add commercial capacity.",
            (lever("commercial_integration", 0.4, 0.6, "security_without_commercial", _UP),),
            "mean security of the nations with no commercial capacity, mean over steps 1-60",
            "these nations gain nothing directly; they gain only through partners whose commercial capacity counts more.",
        ),
        Claim(
            "C13",
            "Shared norms deter aggression and stabilise behaviour.",
            (lever("norm_deterrence", 0.6, 0.8, "mean_trust", _UP),),
            "mean trust, mean over steps 1-60",
            "deterrence lowers the rate of hostile acts by rule; the test is whether fewer hostile acts leave a more trusting system.",
            ("hostile_acts",),
        ),
        Claim(
            "C14",
            "Debris is a shared problem: every destructive test makes orbit more dangerous for all.",
            (Contrast(BASE, ASAT, "collisions_after_event", _UP),),
            f"collisions over steps {EVENT_STEP + 1}-{STEPS}",
            "the test's fragments are a constant; collisions among all objects over the following 50 steps follow from the Kessler term and decay.",
            ("debris_window",),
        ),
    )
}


# ------------------------------------------------------------------- script
def _fmt(x: float) -> str:
    return "nan" if math.isnan(x) else f"{x:+.3g}"


def markdown(results: list[dict[str, Any]]) -> str:
    lines = [
        "| claim | contrast (A → B) | measure | threshold | A mean | effect B − A [95% CI] | d_z | holds |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        claim = CLAIMS[r["claim"]]
        star = "" if r["thresholded"] else " (also reported)"
        holds = ("yes" if r["holds"] else "**no**") if r["thresholded"] else "–"
        threshold = r["threshold"] if r["thresholded"] else "none"
        measure = claim.measure_text if r["thresholded"] else REPORTED_TEXT[r["measure"]]
        lines.append(
            f"| {r['claim']}{star} | {r['a']} → {r['b']} | {measure} | {threshold} | {r['mean_a']:.4g} | "
            f"{_fmt(r['mean_diff'])} [{_fmt(r['ci_low'])}, {_fmt(r['ci_high'])}] | {r['effect_size']:+.2f} | {holds} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--markdown", action="store_true", help="print the table for docs/model.md section 6")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    records = []
    for claim in CLAIMS.values():
        for contrast in claim.contrasts:
            for measure, thresholded in [(contrast.measure, True), *((m, False) for m in claim.also)]:
                r = evaluate(claim.id, contrast, measure)
                if thresholded:
                    records.append({**r.__dict__, "threshold": r.threshold, "holds": r.holds, "thresholded": True})
                    print(r.describe(), file=sys.stderr)
                else:  # reported alongside the claim's measure, with no threshold of its own
                    records.append({**r.__dict__, "direction": None, "threshold": None, "holds": None, "thresholded": False})
                    print(r.describe().split("; threshold")[0] + " (reported only, no threshold)", file=sys.stderr)
    elapsed = time.perf_counter() - start
    payload = {
        "steps": STEPS,
        "replicates": REPLICATES,
        "base_seed": BASE_SEED,
        "event_step": EVENT_STEP,
        "window": list(WINDOW),
        "n_boot": N_BOOT,
        "confidence": CONFIDENCE,
        "results": records,
    }
    args.out.write_text(json.dumps(payload, indent=1) + "\n")
    if args.markdown:
        print(markdown(records))
    print(f"{len(records)} effects in {elapsed:.0f} s; written to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
