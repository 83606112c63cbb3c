"""Synthetic scenarios of any size, for benchmarking and scaling studies.

``synthetic_scenario(n)`` builds a valid :class:`ScenarioSpec` with ``n``
nations programmatically (through the same validation as a scenario file):

* codes ``N0001``, ``N0002``, ... (``^[A-Z][A-Z0-9]{1,5}$``);
* three blocs (two when n < 9), each about a quarter of the nations, the rest
  unaligned;
* capability drawn log-normally (median about 0.1, the strongest nation
  rescaled to 1, as in the shipped scenarios), likewise commercial capacity;
* three frameworks, each with about 20% of the nations as members and a
  different integration level: a loose, open SSA-sharing forum drawn from
  everyone (0.2), and two bloc-based arrangements (0.5 and 0.8), so that
  deeper frameworks are not dissolved at once for lack of trust;
* no scheduled events and no history.

Everything is drawn from one ``numpy.random.default_rng(seed)``, so the result
is deterministic in ``seed``.

>>> spec = synthetic_scenario(20, seed=3, steps=5)
>>> len(spec.nations), len(spec.frameworks), spec.steps
(20, 3, 5)
>>> synthetic_scenario(20, seed=3) == synthetic_scenario(20, seed=3)
True
"""

from __future__ import annotations

from typing import Any

import numpy as np

from spacesim.scenario.loader import scenario_from_data
from spacesim.scenario.schema import ScenarioSpec

BLOC_NAMES = ("west", "east", "south")

#: (code, name, integration, domain, open, bloc the members mostly come from or None for everyone)
FRAMEWORKS = (
    ("FORUM", "Synthetic SSA forum", 0.2, "ssa_sharing", True, None),
    ("ALLY", "Synthetic alliance", 0.5, "joint_exercises", True, 0),
    ("PACT", "Synthetic integrated pact", 0.8, "missile_warning", False, 1),
)


def _codes(n: int) -> list[str]:
    width = max(4, len(str(n)))
    if width > 5:
        raise ValueError(f"at most 99999 nations (codes are 2-6 characters), got {n}")
    return [f"N{i:0{width}d}" for i in range(1, n + 1)]


def synthetic_data(n_nations: int, seed: int = 0, steps: int = 100) -> dict[str, Any]:
    """The raw scenario mapping (as a YAML file would give it) behind :func:`synthetic_scenario`."""
    if n_nations < 2:
        raise ValueError("a scenario needs at least 2 nations")
    rng = np.random.default_rng(seed)
    n = n_nations
    codes = _codes(n)

    n_blocs = 3 if n >= 9 else 2
    # About a quarter of the nations in each bloc, the rest unaligned.
    bloc_of = rng.choice(np.arange(-1, n_blocs), size=n, p=[1 - 0.25 * n_blocs] + [0.25] * n_blocs)

    capability = rng.lognormal(mean=np.log(0.1), sigma=1.0, size=n)
    capability = np.clip(capability / capability.max(), 0.001, 1.0)
    commercial = np.clip(rng.lognormal(mean=np.log(0.05), sigma=1.0, size=n), 0.0, 2.0)
    counterspace = np.clip(rng.beta(1.0, 4.0, size=n) * (0.5 + capability), 0.0, 1.0)
    sovereignty = rng.uniform(0.5, 0.95, size=n)
    growth = rng.uniform(0.0, 0.012, size=n)
    threat = rng.uniform(0.2, 0.5, size=n)
    stability = rng.uniform(0.7, 0.95, size=n)

    nations = []
    for i in range(n):
        nation: dict[str, Any] = {
            "name": f"Nation {codes[i][1:]}",
            "code": codes[i],
            "sovereignty": round(float(sovereignty[i]), 3),
            "capability": round(float(capability[i]), 4),
            "capability_growth": round(float(growth[i]), 4),
            "threat_perception": round(float(threat[i]), 3),
            "political_stability": round(float(stability[i]), 3),
            "commercial_capacity": round(float(commercial[i]), 4),
            "counterspace": round(float(counterspace[i]), 3),
        }
        if bloc_of[i] >= 0:
            nation["bloc"] = BLOC_NAMES[bloc_of[i]]
        nations.append(nation)

    used_blocs = [BLOC_NAMES[b] for b in range(n_blocs) if (bloc_of == b).any()]
    between = [{"blocs": [a, b], "value": 0.2} for k, a in enumerate(used_blocs) for b in used_blocs[k + 1 :]]

    frameworks = []
    size = max(2, round(0.2 * n))
    for code, name, integration, domain, is_open, home in FRAMEWORKS:
        if home is None or home >= n_blocs:
            pool = np.arange(n)
        else:
            # Mostly the home bloc, topped up from the unaligned if the bloc is small.
            pool = np.concatenate([rng.permutation(np.flatnonzero(bloc_of == home)), rng.permutation(np.flatnonzero(bloc_of == -1))])
        members = pool[:size] if home is not None else rng.choice(pool, size=min(size, n), replace=False)
        frameworks.append(
            {
                "name": name,
                "code": code,
                "members": [codes[i] for i in sorted(int(m) for m in members)],
                "integration": integration,
                "domain": domain,
                "open": is_open,
            }
        )

    return {
        "schema_version": 1,
        "name": f"synthetic_{n}",
        "description": f"Synthetic scenario of {n} nations (seed {seed}) for benchmarks.",
        "steps": steps,
        "step_meaning": "quarter",
        "start_year": 2025,
        "seed": seed,
        "initial_debris": 30000,
        "nations": nations,
        "trust": {"default": 0.45, "same_bloc": 0.7, "between_blocs": between},
        "frameworks": frameworks,
    }


def synthetic_scenario(n_nations: int, seed: int = 0, steps: int = 100) -> ScenarioSpec:
    """A valid scenario of ``n_nations`` synthetic nations, deterministic in ``seed``."""
    return scenario_from_data(synthetic_data(n_nations, seed, steps), "<synthetic>")
