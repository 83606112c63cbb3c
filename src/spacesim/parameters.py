"""The one declaration of every global model parameter and policy lever.

Each :class:`Parameter` names a rule's knob once: its type, default, allowed
range, one-line meaning and the claim (C1–C14 of the design brief) it serves.
The scenario schema, the ``SpaceModel`` keyword arguments, the docs table and
the dashboard all read this tuple; nothing else declares a parameter.

>>> PARAMETERS_BY_NAME["legal_clarity"].default
0.3
>>> PARAMETERS_BY_NAME["trust_loss"].default > PARAMETERS_BY_NAME["trust_gain"].default
True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

Group = Literal["rule", "policy"]


@dataclass(frozen=True)
class Parameter:
    """A model parameter: declared once, read everywhere."""

    name: str
    default: float | int | bool
    low: float | None
    high: float | None
    meaning: str
    claim: str
    group: Group = "rule"
    unit: str = ""

    @property
    def kind(self) -> type:
        """The Python type of the parameter's values (bool, int or float)."""
        return type(self.default)


def _p(name, default, low, high, meaning, claim, group: Group = "rule", unit=""):
    return Parameter(name, default, low, high, meaning, claim, group, unit)


PARAMETERS: tuple[Parameter, ...] = (
    # --- policy levers: what a government or a treaty chooses -------------
    _p("allow_bilateral", True, None, None, "Bilateral partnerships may form.", "C7", "policy"),
    _p("allow_multilateral", True, None, None, "Nations may join or stay in multilateral frameworks.", "C7", "policy"),
    _p("legal_clarity", 0.3, 0.0, 1.0, "Clarity of the legal framework for military space activity: lowers transaction costs and misperception, makes defections verifiable (seen more often).", "C5", "policy"),
    _p("sharing_strictness", 0.5, 0.0, 1.0, "Strictness of data-sharing protocols: lowers the chance of leaks but also the benefit of what is shared.", "C10", "policy"),
    _p("export_control", 0.5, 0.0, 1.0, "Strictness of export controls: raises the stronger side's reluctance to partner with weaker nations and slows technology transfer.", "C6", "policy"),
    _p("commercial_integration", 0.5, 0.0, 1.0, "Share of each nation's commercial satellite and cyber capacity that its security draws on (public-private partnership).", "C12", "policy"),
    # --- cooperation and security -------------------------------------------
    _p("security_scale", 3.0, 0.01, 10.0, "Coverage at which a nation's security reaches 63% (1 - 1/e): the scale of diminishing returns.", "C1", unit="capability"),
    _p("threat_benefit_weight", 3.0, 0.0, 10.0, "How strongly threat perception raises the value of partners' coverage.", "C8"),
    _p("framework_standard_bonus", 0.3, 0.0, 2.0, "Extra value of coverage pooled through a multilateral framework (standards, collective response).", "C7"),
    _p("proposal_rate", 0.5, 0.0, 1.0, "Chance per quarter that a nation proposes a new bilateral partnership.", "C7", unit="1/quarter"),
    _p("membership_rate", 0.2, 0.0, 1.0, "Chance per quarter that a nation reconsiders its framework memberships.", "C7", unit="1/quarter"),
    _p("exit_margin", 0.02, 0.0, 1.0, "Net utility below minus this margin ends an agreement (inertia against churn).", "C7"),
    # --- trust ---------------------------------------------------------------
    _p("trust_prior_strength", 10.0, 0.5, 1000.0, "Pseudo-observations behind initial trust: how hard first impressions are to change.", "C2", unit="observations"),
    _p("trust_gain", 0.5, 0.0, 10.0, "Evidence of trustworthiness added by one observed cooperation.", "C2", unit="observations"),
    _p("trust_loss", 2.0, 0.0, 20.0, "Evidence of untrustworthiness added by one observed defection (larger than the gain: trust is lost faster than won).", "C2", unit="observations"),
    _p("trust_memory", 0.98, 0.0, 1.0, "Share of accumulated evidence kept each quarter; the rest decays back to the prior.", "C2", unit="per quarter"),
    _p("reputation_spread", 0.2, 0.0, 1.0, "Share of what an observer reports about an actor that a third party adds to its own evidence, times its trust in the observer (image scoring).", "C2"),
    _p("trust_floor", 0.35, 0.0, 0.99, "Trust below which a nation shares nothing sensitive; depth of sharing rises linearly from here to full trust.", "C3"),
    _p("misperception", 0.1, 0.0, 1.0, "Chance that a cooperation is misread as a defection when the law is wholly unclear.", "C5"),
    _p("transaction_cost", 0.005, 0.0, 1.0, "Cost of negotiating and running one agreement under wholly unclear law.", "C5"),
    # --- learned trust: hidden reliability, defection as a choice (issue 15) ---
    _p("reliability_mean", 0.8, 0.0, 1.0, "Mean of the Beta distribution each government's hidden reliability (chance to honour a commitment when defecting pays) is drawn from. Judgement: most governments keep most commitments.", "C2"),
    _p("reliability_concentration", 5.0, 0.1, 1000.0, "Concentration (a + b) of that Beta distribution: 5 gives Beta(4, 1) at mean 0.8, standard deviation 0.16. Judgement.", "C2", unit="observations"),
    _p("defection_temptation", 0.006, 0.0, 1.0, "Mean one-step gain of a defection opportunity (exponentially distributed); defecting pays when it exceeds w x b, the partner's value to the defector discounted by the shadow of the future (Nowak 2006). Judgement: at 0.006 a partner is tempted in about one step of five (median over the baseline's partnerships), and about 6% of acts are defections, near the former shirking (4.5%).", "C2", unit="security"),
    _p("continuation", 0.95, 0.0, 1.0, "Chance per quarter that a partnership is expected to go on, apart from a change of government: the shadow of the future w (Nowak 2006). Judgement.", "C2", unit="per quarter"),
    _p("defection_detection", 0.5, 0.0, 1.0, "Chance that the wronged partner sees a defection under wholly unclear law; clearer law raises it toward 1 (defection becomes verifiable). Judgement.", "C5", unit="probability"),
    _p("leak_protection", 0.5, 0.0, 1.0, "Share by which the strictest sharing protocols cut the chance of a leak (formerly the constant 0.5). Judgement.", "C10"),
    _p("reputation_reset", 0.5, 0.0, 1.0, "Share of the evidence others gathered about a nation that they set aside when its government changes (the new government has a new reliability to learn). Judgement.", "C9"),
    # --- sovereignty and integration -----------------------------------------
    _p("sovereignty_cost_bilateral", 0.001, 0.0, 2.0, "Sovereignty cost of a bilateral agreement of full depth, per unit of sovereignty: small, as tailored bilateral deals cede little control.", "C4"),
    _p("sovereignty_cost_multilateral", 0.5, 0.0, 5.0, "Sovereignty cost of membership per unit of sovereignty and of framework integration.", "C4"),
    _p("sovereignty_shift", 0.0, -1.0, 1.0, "Added to every nation's sovereignty (then clipped to [0, 1]): a global knob for sweeps.", "C4"),
    _p("integration_trust_requirement", 0.5, 0.0, 1.0, "How far above the trust floor, per unit of integration, mutual trust with members must be to join or stay: required = floor + this x integration x (1 - floor).", "C11"),
    # --- technology -----------------------------------------------------------
    _p("disparity_aversion", 0.05, 0.0, 5.0, "Cost to the stronger side per unit of relative capability gap and depth.", "C6"),
    _p("incompatibility", 0.5, 0.0, 1.0, "Initial loss of interoperability per unit of relative capability gap.", "C6"),
    _p("interoperability_growth", 0.02, 0.0, 1.0, "Share of the remaining interoperability gap closed per quarter between co-members of a framework.", "C6", unit="1/quarter"),
    _p("tech_transfer_rate", 0.01, 0.0, 0.5, "Share of the capability gap closed per quarter by a deep partnership (technology transfer).", "C1", unit="1/quarter"),
    # --- threats and events ---------------------------------------------------
    _p("threat_inertia", 0.9, 0.0, 1.0, "Share of threat perception kept per quarter; the rest moves toward the assessed threat.", "C8", unit="per quarter"),
    _p("debris_threat_weight", 0.5, 0.0, 2.0, "Weight of orbital debris in assessed threat.", "C8"),
    _p("debris_reference", 30000.0, 1.0, 1e7, "Debris stock at which the debris threat is half its maximum.", "C14", unit="pieces"),
    _p("rival_threat_weight", 0.4, 0.0, 2.0, "Weight of distrusted nations' counterspace capability in assessed threat.", "C8"),
    _p("asat_threat_shock", 0.15, 0.0, 1.0, "Rise in every nation's threat perception after a destructive ASAT test.", "C8"),
    _p("history_half_life", 10.0, 0.1, 1000.0, "Years after which a past hostile act (the scenario's history) weighs half as much on first impressions.", "C2", unit="years"),
    _p("hostile_trust_damage", 3.0, 0.0, 50.0, "Evidence of untrustworthiness every observer adds against the actor of an ASAT test (a cyber attack: cyber_trust_share of it, and twice that for its victim).", "C2"),
    _p("asat_rate", 0.004, 0.0, 1.0, "Chance per quarter of a destructive ASAT test by a nation with full counterspace capability, before norms, times (asat_distrust_offset + its mean distrust of others).", "C8", unit="1/quarter"),
    _p("cyber_rate", 0.05, 0.0, 1.0, "Chance per quarter of a cyber attack by a nation with full counterspace capability (before deterrence).", "C8", unit="1/quarter"),
    _p("militarisation_response", 0.05, 0.0, 1.0, "Counterspace capability that nations distrusting a tester add after its ASAT test (escalation).", "C8"),
    _p("leak_rate", 0.01, 0.0, 1.0, "Chance per quarter of a leak from a partnership of full depth with a wholly untrusted partner.", "C10", unit="1/quarter"),
    _p("leak_trust_damage", 4.0, 0.0, 50.0, "Evidence of untrustworthiness the victim of a leak adds against the leaker.", "C10"),
    # --- politics --------------------------------------------------------------
    _p("government_change_rate", 0.08, 0.0, 1.0, "Chance per quarter of a change of government in a wholly unstable nation (scaled by 1 - stability).", "C9", unit="1/quarter"),
    _p("reversal_withdrawal", 0.0, 0.0, 1.0, "Chance that a new government ends each of its nation's agreements and memberships by doctrine (a platform of withdrawal); 0 by default: learning about the new government's reliability ends agreements instead.", "C9"),
    _p("reversal_trust_reset", 0.5, 0.0, 1.0, "Share of its accumulated trust evidence that a new government forgets.", "C9"),
    _p("reversal_sovereignty_shift", 0.1, 0.0, 1.0, "Standard deviation of the change in sovereignty a new government brings.", "C9"),
    # --- norms and deterrence ---------------------------------------------------
    _p("norm_growth", 0.05, 0.0, 1.0, "Share of the gap to the current level of framework participation that norm strength closes per quarter.", "C13", unit="1/quarter"),
    _p("norm_deterrence", 0.7, 0.0, 1.0, "Share by which full norm strength lowers the rate of hostile events.", "C13"),
    _p("alliance_deterrence", 0.1, 0.0, 5.0, "Hostile acts against a nation fall as 1 / (1 + this x its number of partners).", "C13"),
    # --- debris ------------------------------------------------------------------
    _p("debris_source", 100.0, 0.0, 1e5, "Tracked pieces added per quarter by launches and minor fragmentations (A in dD/dt = A + B D + C D^2).", "C14", unit="pieces/quarter"),
    _p("debris_decay", 0.005, 0.0, 1.0, "Share of the debris stock that re-enters per quarter (-B).", "C14", unit="1/quarter"),
    _p("collision_rate", 2e-10, 0.0, 1e-6, "Expected collisions per quarter per squared piece of debris (C D^2 / fragments).", "C14", unit="1/(quarter piece^2)"),
    _p("debris_capacity", 1e6, 1.0, 1e9, "Debris stock at which collisions stop adding debris: the cascade saturates as there is little left intact to break (collisions scale by 1 - D / capacity).", "C14", unit="pieces"),
    _p("collision_fragments", 500.0, 0.0, 1e5, "Tracked pieces created by one collision.", "C14", unit="pieces"),
    _p("asat_debris", 1500.0, 0.0, 1e5, "Tracked pieces created by a destructive ASAT test when the event does not say (Russia, 2021: over 1,500).", "C14", unit="pieces"),
    # --- constants made parameters (issue 15, honest outcomes): each default is the constant it replaces ---------
    _p("strictness_share_loss", 0.25, 0.0, 1.0, "Share of what partners pool that full sharing strictness withholds: share factor sf = 1 - this x sharing_strictness (judgement: strict protocols cost a quarter of the benefit at most).", "C10"),
    _p("depth_joint_exercises", 0.25, 0.0, 1.0, "Depth of sharing at which a bilateral agreement reaches joint exercises (from SSA sharing); keep <= depth_missile_warning (judgement: an even ladder of four domains).", "C3"),
    _p("depth_missile_warning", 0.5, 0.0, 1.0, "Depth of sharing at which a bilateral agreement reaches missile warning; keep between the other two thresholds (judgement).", "C3"),
    _p("depth_technology_transfer", 0.75, 0.0, 1.0, "Depth of sharing at which a bilateral agreement reaches technology transfer; keep >= depth_missile_warning (judgement).", "C3"),
    _p("cyber_capability_loss", 0.02, 0.0, 1.0, "Share of its capability a cyber attack's victim loses (judgement: a disruption, not a destruction).", "C8"),
    _p("cyber_threat_share", 0.5, 0.0, 1.0, "A cyber attack's rise in its victim's threat perception, as a share of asat_threat_shock (judgement: half an ASAT test's).", "C8"),
    _p("cyber_trust_share", 0.5, 0.0, 1.0, "A cyber attack's evidence against the attacker, as a share of hostile_trust_damage (judgement: half an ASAT test's; its victim adds it twice).", "C2"),
    _p("arming_threshold", 0.5, 0.0, 1.0, "Trust in an ASAT tester below which a nation raises its counterspace capability (judgement: nations that do not trust the tester more than not).", "C8"),
    _p("arming_factor", 2.0, 0.0, 10.0, "Counterspace added per unit of trust below arming_threshold, times militarisation_response (2 = 1 / 0.5: full response at zero trust; judgement).", "C8"),
    _p("asat_distrust_offset", 0.5, 0.0, 5.0, "ASAT test rate factor at full trust in others: rate x (this + mean distrust), so distrust at most triples the rate (judgement).", "C8"),
    _p("initial_trust_clip", 1e-3, 1e-9, 0.5, "Initial trust is clipped to [this, 1 - this] so both Beta counts stay positive and first impressions can change (judgement).", "C2"),
    # --- frameworks as clubs: consent and invitation (3.3.6; issue 15) ------------
    _p("unanimity_integration", 0.3, 0.0, 1.0, "Integration at or above which admission to a framework needs every member's consent; below it, a majority of the members suffices. Judgement: NATO admits by unanimous agreement (North Atlantic Treaty, art. 10; integration 0.5), declarations such as the Artemis Accords (0.15) and the DA-ASAT pledge (0.05) by the lead's and most members' assent; clubs exclude (Nordhaus 2015).", "C11"),
    _p("invitation_rate", 0.5, 0.0, 1.0, "Chance per quarter that the lead of a framework of integration 0 invites one outsider (times 1 - integration: deep frameworks enlarge rarely): the one it trusts most among those it trusts enough, the members would admit and that would gain by joining (the invitee decides at once). Judgement: the Accords gained about 2 signatories a quarter in 2021-2025 (history/artemis_accords.yaml).", "C7", unit="1/quarter"),
)

PARAMETERS_BY_NAME: dict[str, Parameter] = {p.name: p for p in PARAMETERS}

if len(PARAMETERS_BY_NAME) != len(PARAMETERS):  # pragma: no cover - guards the table above
    raise RuntimeError("a parameter is declared twice")


#: The unit of time every per-step rate is declared in (issue 15): a scenario whose ``step_meaning`` is
#: another unit of the calendar has its rates converted per step (spacesim.model.state.per_step_values).
RATE_UNIT = "quarter"

#: How each rate declared per :data:`RATE_UNIT` becomes a rate per step of ``dt`` units (equations 3.3.16):
#: ``chance`` 1 - (1 - p)^dt, ``kept`` (a share kept) x^dt, ``amount`` x dt, ``growth`` (1 + g)^dt - 1.
#: Every parameter whose unit is per quarter is here; chances per event (misperception, reversal_withdrawal) are not rates.
RATE_SCALING: dict[str, str] = {
    "proposal_rate": "chance",
    "membership_rate": "chance",
    "continuation": "kept",
    "asat_rate": "chance",
    "cyber_rate": "chance",
    "leak_rate": "chance",
    "government_change_rate": "chance",
    "trust_memory": "kept",
    "threat_inertia": "kept",
    "interoperability_growth": "chance",
    "tech_transfer_rate": "chance",
    "norm_growth": "chance",
    "debris_decay": "chance",
    "debris_source": "amount",
    "collision_rate": "amount",
    "invitation_rate": "chance",  # frameworks as clubs (3.3.6)
}


def defaults() -> dict[str, float | int | bool]:
    """Every parameter's default value, by name."""
    return {p.name: p.default for p in PARAMETERS}


def value_label(v: Any) -> str:
    """A parameter value as a label: ``true``/``false``, ``0.5`` rather than ``0.500000``.

    >>> value_label(True), value_label(0.5), value_label(3)
    ('true', '0.5', '3')
    """
    if isinstance(v, bool | np.bool_):
        return "true" if v else "false"
    if isinstance(v, float | np.floating):
        return f"{v:g}"
    return str(v)
