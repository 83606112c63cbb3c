"""Every formula of docs/model.md section 3.3, each written once, as a small compiled function.

Each function is named as the doc names the quantity, carries the doc's
equation in its docstring, and works on scalars. It is compiled with numba
(``njit``), so the kernels in :mod:`spacesim.model.rules` compose it inside
their loops (numba inlines it: no call cost), and it is callable from Python
as it is (a few hundred nanoseconds a call), which is how the tests and the
readable reference versions in ``tests/model/reference.py`` use it.

Parameter values come either as plain numbers or, for the formulas that read
many, as ``p``: one element of the compiled rules' parameter record
(:attr:`spacesim.model.state.RuleParameters.record`, ``p.record[0]`` from
Python), read as ``p.trust_floor``.

No kernel restates any of these formulas; a change to a rule is a change
here (and in docs/model.md, which names each function).

>>> round(security(3.0, 3.0), 4)
0.6321
>>> sharing_depth(0.9, 0.6, 0.5)
0.19999999999999996
"""

from __future__ import annotations

import numpy as np
from numba import njit

# ---------------------------------------------------------------- trust (3.3.2, 3.3.3)


@njit(cache=True)
def trust(alpha: float, beta: float) -> float:
    """Trust, the mean of the Beta belief (3.3.2)::

    T[i,j] = alpha[i,j] / (alpha[i,j] + beta[i,j])
    """
    return alpha / (alpha + beta)


@njit(cache=True)
def toward_prior(count: float, prior: float, keep: float) -> float:
    """Evidence returning toward first impressions (3.3.2 decay, with ``keep = trust_memory``; 3.3.13 a new government,
    with ``keep = 1 - reversal_trust_reset``)::

    alpha = prior_alpha + keep * (alpha - prior_alpha)        (likewise beta)
    """
    return prior + keep * (count - prior)


@njit(cache=True)
def hearsay(heard: float, n: int, reputation_spread: float) -> float:
    """What third party i adds about actor j from what the observers k (the tellers) report, each weighted by i's trust
    in the teller (3.3.2; image scoring, Nowak & Sigmund 1998), with ``heard`` = sum_{k != i} T[i,k] * e[k,j]::

    ρ * sum_{k != i} T[i,k] * e[k,j] / max(N - 1, 1)          (i != j)
    """
    return reputation_spread * heard / max(n - 1, 1)


@njit(cache=True)
def sharing_depth(t_ij: float, t_ji: float, trust_floor: float) -> float:
    """Depth of sharing both sides accept (3.3.3)::

    mutual[i,j] = min(T[i,j], T[j,i])
    depth[i,j]  = clip((mutual[i,j] - trust_floor) / (1 - trust_floor), 0, 1)
    """
    depth = (min(t_ij, t_ji) - trust_floor) / (1.0 - trust_floor)
    if depth < 0.0:
        return 0.0
    if depth > 1.0:
        return 1.0
    return depth


# ---------------------------------------------------------------- security and coverage (3.3.1)


@njit(cache=True)
def effective_capability(capability: float, commercial: float, commercial_integration: float) -> float:
    """Own capability plus the commercial capacity the nation buys into (3.3.1, C12)::

    k_eff[i] = k_i + commercial_integration * c_i
    """
    return capability + commercial_integration * commercial


@njit(cache=True)
def share_factor(sharing_strictness: float, strictness_share_loss: float) -> float:
    """Share of a partner's coverage that reaches the other side (3.3.1, C10)::

    sf = 1 - strictness_share_loss * sharing_strictness
    """
    return 1.0 - strictness_share_loss * sharing_strictness


@njit(cache=True)
def bilateral_pooled(depth: float, interop: float, sf: float, k_eff_j: float) -> float:
    """Coverage i receives from j through an agreement of depth ``depth`` (3.3.1; 3.3.4's ``added`` and ``current``)::

    X[i,j] = d[i,j] * interop[i,j] * sf * k_eff[j]
    """
    return depth * interop * sf * k_eff_j


@njit(cache=True)
def framework_pooled(member_coverage: float, integration: float, sf: float, framework_standard_bonus: float) -> float:
    """Coverage framework f pools for i, from ``member_coverage`` = sum_{j != i} interop[i,j] * k_eff[j] * M[j,f] (3.3.1)::

    Y[i,f] = (1 + framework_standard_bonus) * I_f * sf * member_coverage
    """
    return (1.0 + framework_standard_bonus) * integration * sf * member_coverage


@njit(cache=True)
def exposure(coverage: float, security_scale: float) -> float:
    """The part of full security a nation lacks (3.3.1)::

    exp(-total[i] / κ) = 1 - S_i
    """
    return np.exp(coverage / -security_scale)  # x / -κ = -x / κ exactly


@njit(cache=True)
def security(coverage: float, security_scale: float) -> float:
    """Security from coverage, in [0, 1), with diminishing returns (3.3.1)::

    S_i = 1 - exp(-total[i] / κ)
    """
    return 1.0 - exposure(coverage, security_scale)


@njit(cache=True)
def gain_of_adding(base: float, added: float, security_scale: float) -> float:
    """Rise in security when coverage ``added`` joins coverage ``base`` (3.3.4, 3.3.6)::

    security(base + added) - security(base) = exp(-base / κ) * (1 - exp(-added / κ))
    """
    return exposure(base, security_scale) * (1.0 - exposure(added, security_scale))


@njit(cache=True)
def threat_multiplier(threat: float, threat_benefit_weight: float) -> float:
    """How threat raises the value of partners' coverage (3.3.4, 3.3.6, C8)::

    1 + threat_benefit_weight * θ_i
    """
    return 1.0 + threat_benefit_weight * threat


@njit(cache=True)
def collective_share(sec: float, own: float) -> float:
    """Share of a nation's security that comes from partners (3.3.1)::

    collective_share_i = (S_i - own_i) / S_i        (0 if S_i = 0)
    """
    return (sec - own) / max(sec, 1e-12) if sec > 0 else 0.0


# ---------------------------------------------------------------- bilateral agreements (3.3.4)


@njit(cache=True)
def capability_gap(k_i: float, k_j: float) -> float:
    """Relative capability gap, felt by the stronger side only (3.3.4, C6)::

    gap[i,j] = max(0, k_i - k_j) / max(k_i + k_j, 1e-12)
    """
    return max(0.0, k_i - k_j) / max(k_i + k_j, 1e-12)


@njit(cache=True)
def leak_probability(depth: float, reliable: float, leak_rate: float, sharing_strictness: float, leak_protection: float) -> float:
    """Chance per step that j leaks what i shares at depth (or intensity) ``depth`` (3.3.4, 3.3.7, C10)::

    L = leak_rate * depth * (1 - reliable) * (1 - leak_protection * sharing_strictness)

    In the cooperation round ``reliable`` is j's hidden reliability r_j (what
    happens); in i's valuation of an agreement it is i's belief T[i,j] about
    it (what i expects).
    """
    return leak_rate * depth * (1.0 - reliable) * (1.0 - leak_protection * sharing_strictness)


@njit(cache=True)
def agreement_cost(depth: float, t_ij: float, sovereignty_i: float, gap: float, security_i: float, p) -> float:  # noqa: ANN001
    """What an agreement at depth ``depth`` costs i (3.3.4; C5, C4, C6, C10, in that order)::

    cost[i,j] = transaction_cost * (1 - legal_clarity)
              + sovereignty_cost_bilateral * s_i * depth[i,j]
              + disparity_aversion * (1 + export_control) * depth[i,j] * gap[i,j]
              + L[i,j] * S_i          (L with reliable = T[i,j])
    """
    return (
        p.transaction_cost * (1.0 - p.legal_clarity)
        + p.sovereignty_cost_bilateral * sovereignty_i * depth
        + p.disparity_aversion * (1.0 + p.export_control) * depth * gap
        + leak_probability(depth, t_ij, p.leak_rate, p.sharing_strictness, p.leak_protection) * security_i
    )


@njit(cache=True)
def bilateral_value(
    t_ij: float,
    t_ji: float,
    interop_ij: float,
    tie: float,
    total_i: float,
    exposure_i: float,
    k_eff_j: float,
    threat_i: float,
    k_i: float,
    k_j: float,
    sovereignty_i: float,
    p,
) -> tuple[float, float]:  # noqa: ANN001
    """U[i,j], the net value to i of an agreement with j (i != j), and depth[i,j] (3.3.4)::

    added[i,j]   = X at depth[i,j];  current[i,j] = X at d[i,j] = ``tie`` (0 if none)
    gain[i,j]    = gain_of_adding(total[i] - current[i,j], added[i,j]) * (1 + threat_benefit_weight * θ_i)
    U[i,j]       = gain[i,j] - cost[i,j]

    With no agreement (``tie`` 0) the gain is the value of adding one; with
    one, of keeping it: the security lost if it ended (at today's depth).
    ``exposure_i`` is ``exposure(total_i)`` (= 1 - S_i), which every pair
    of a row shares: the caller computes it once per nation.
    """
    depth = sharing_depth(t_ij, t_ji, p.trust_floor)
    sf = share_factor(p.sharing_strictness, p.strictness_share_loss)
    added = bilateral_pooled(depth, interop_ij, sf, k_eff_j)
    if tie > 0:
        remaining = exposure(total_i - bilateral_pooled(tie, interop_ij, sf, k_eff_j), p.security_scale)
    else:
        remaining = exposure_i  # = exposure(total_i)
    gain = remaining * (1.0 - exposure(added, p.security_scale)) * threat_multiplier(threat_i, p.threat_benefit_weight)  # = gain_of_adding(base, added)
    cost = agreement_cost(depth, t_ij, sovereignty_i, capability_gap(k_i, k_j), 1.0 - exposure_i, p)  # 1 - exposure_i = security(total_i)
    return gain - cost, depth


# ---------------------------------------------------------------- frameworks (3.3.6)


@njit(cache=True)
def required_trust(integration: float, trust_floor: float, integration_trust_requirement: float) -> float:
    """Trust a framework demands of its members and applicants (3.3.6, C11)::

    required[f] = trust_floor + integration_trust_requirement * I_f * (1 - trust_floor)
    """
    return trust_floor + integration_trust_requirement * integration * (1.0 - trust_floor)


@njit(cache=True)
def membership_value(current: float, expected: float, total_i: float, threat_i: float, sovereignty_i: float, integration: float, p) -> float:  # noqa: ANN001
    """V[i,f]: the value to i of being in f: of staying for a member, of joining for an outsider (3.3.6).

    ``current`` is what f pools for i now (``Y[i,f] * M[i,f]``: 0 for an
    outsider), ``expected`` what i values it for: for a member, what f
    pools for it from the members it expects (``Y^e[i,f]``,
    :func:`expected_member`); for an outsider, from the members f has
    (``Y[i,f]``)::

    current[i,f] = Y[i,f] * M[i,f]
    value_of[i,f] = Y^e[i,f] if M[i,f] else Y[i,f]
    gain[i,f]    = gain_of_adding(total[i] - current[i,f], value_of[i,f]) * (1 + threat_benefit_weight * θ_i)
    V[i,f]       = gain[i,f] - sovereignty_cost_multilateral * s_i * I_f - transaction_cost * (1 - legal_clarity)
    """
    gain = gain_of_adding(total_i - current, expected, p.security_scale) * threat_multiplier(threat_i, p.threat_benefit_weight)
    cost = p.sovereignty_cost_multilateral * sovereignty_i * integration + p.transaction_cost * (1.0 - p.legal_clarity)
    return gain - cost


# ---------------------------------------------------------------- frameworks as clubs: consent, invitation, expected members (3.3.6)


@njit(cache=True)
def admitted_by_consent(votes: int, members: int, integration: float, unanimity_integration: float) -> bool:
    """Whether f's members admit an outsider, from ``votes``, the number of members whose trust in it reaches
    required[f] (3.3.6; Nordhaus 2015: clubs exclude)::

    admitted[j,f] = votes[j,f] = n_f                if I_f >= unanimity_integration   (unanimity)
                    2 * votes[j,f] > n_f            otherwise                          (a majority)

    with n_f = sum_m M[m,f] the number of members; a framework with no
    members admits nobody.
    """
    if members <= 0:
        return False
    if integration >= unanimity_integration:
        return votes == members
    return 2 * votes > members


@njit(cache=True)
def invitation_chance(integration: float, invitation_rate: float) -> float:
    """Chance per step that f's lead invites an outsider (3.3.6): the deeper the integration, the rarer and more deliberate an enlargement (judgement)::

    invite[f] = invitation_rate * (1 - I_f)
    """
    return invitation_rate * (1.0 - integration)


@njit(cache=True)
def expected_member(member: bool, invitable: bool, admitted: bool, trusting: bool, value_now: float) -> bool:
    """Whether a nation is one of the members of f that the others expect: a member, or a prospect (3.3.6)::

    E[j,f] = M[j,f]  or  (invitable[j,f] and admitted[j,f] and given[j,f] >= required[f] and V[j,f] > 0)

    where invitable[j,f] = open_f or ever_member[j,f] or T[lead_f, j] >= required[f]
    (it may apply, or the lead would invite it) and V[j,f] is its value of
    joining what f pools today (``value_now``: expected = current members).
    """
    return member or (invitable and admitted and trusting and value_now > 0.0)


# ---------------------------------------------------------------- cooperation round (3.3.7): learned trust, issue 15


@njit(cache=True)
def shadow_of_future(stability: float, continuation: float, government_change_rate: float) -> float:
    """w_j, the chance j's government expects to meet its partner again next step: the partnership goes on and the government stays (3.3.7, C9)::

    w_j = continuation * (1 - P_gov[j])          (P_gov: equations.government_change_chance)
    """
    return continuation * (1.0 - government_change_chance(stability, government_change_rate))


@njit(cache=True)
def partner_benefit(intensity: float, interop_ji: float, sf: float, k_eff_i: float, total_j: float, threat_j: float, p) -> float:  # noqa: ANN001
    """b[j,i], what j gains each step from i's cooperation at intensity W (3.3.7), the security i's coverage adds to j's::

    X      = W[i,j] * interop[j,i] * sf * k_eff[i]
    b[j,i] = gain_of_adding(total[j] - X, X) * (1 + threat_benefit_weight * θ_j)
    """
    added = bilateral_pooled(intensity, interop_ji, sf, k_eff_i)
    return gain_of_adding(total_j - added, added, p.security_scale) * threat_multiplier(threat_j, p.threat_benefit_weight)


@njit(cache=True)
def defection_pays_chance(w: float, benefit: float, defection_temptation: float) -> float:
    """Chance that defecting on a partner pays this step (3.3.7; Nowak 2006: cooperation is kept while w b > c)::

    P(c > w_j * b[j,i]) = exp(-w_j * b[j,i] / defection_temptation)     with c ~ Exponential(mean defection_temptation)

    c is the one-step gain of the defection opportunity that arises; b is what
    the partner's cooperation is worth each step, lost once a defection is
    punished. 0 when ``defection_temptation`` is 0.
    """
    if defection_temptation <= 0.0:
        return 0.0
    return np.exp(-w * benefit / defection_temptation)


@njit(cache=True)
def defection_chance(reliability: float, pays: float) -> float:
    """Chance that j defects on a partner (3.3.7): defection pays, and j's government does not honour the commitment anyway::

    P_defect[j,i] = (1 - r_j) * P(c > w_j b[j,i])
    """
    return (1.0 - reliability) * pays


@njit(cache=True)
def detection_chance(defection_detection: float, legal_clarity: float) -> float:
    """Chance that a defection is seen (verified) by the partner it wrongs (3.3.7, C5): clearer law makes commitments verifiable::

    P_detect = defection_detection + (1 - defection_detection) * legal_clarity
    """
    return defection_detection + (1.0 - defection_detection) * legal_clarity


@njit(cache=True)
def misread_chance(misperception: float, legal_clarity: float) -> float:
    """Chance that a cooperation is misread as a defection (3.3.7, C5)::

    misperception * (1 - legal_clarity)
    """
    return misperception * (1.0 - legal_clarity)


@njit(cache=True)
def reliability_shape(reliability_mean: float, reliability_concentration: float) -> tuple[float, float]:
    """Shape parameters of the Beta distribution governments' reliabilities are drawn from (3.1, 3.3.13)::

    r ~ Beta(m * c, (1 - m) * c)      m = reliability_mean, c = reliability_concentration
    """
    return reliability_mean * reliability_concentration, (1.0 - reliability_mean) * reliability_concentration


# ---------------------------------------------------------------- threat (3.3.8)


@njit(cache=True)
def debris_threat(debris: float, debris_threat_weight: float, debris_reference: float) -> float:
    """The debris part of the assessed threat (3.3.8)::

    debris_threat_weight * D / (D + debris_reference)
    """
    return debris_threat_weight * debris / (debris + debris_reference)


@njit(cache=True)
def rival_threat(hostile: float, others_capability: float, rival_threat_weight: float) -> float:
    """The rivals' part of the assessed threat, from ``hostile`` = sum_{j != i} (1 - T[i,j]) * a_j * k_j and ``others_capability`` = sum_{j != i} k_j (3.3.8)::

    rival_threat_weight * hostile / max(others_capability, 1e-12)
    """
    return rival_threat_weight * hostile / max(others_capability, 1e-12)


@njit(cache=True)
def moved_threat(threat: float, base: float, assessed: float, threat_inertia: float) -> float:
    """Threat perception moving toward the baseline plus the assessed threat (3.3.8)::

    θ*_i = clip(b_i + A_i, 0, 1)
    θ_i  = clip(threat_inertia * θ_i + (1 - threat_inertia) * θ*_i, 0, 1)
    """
    target = min(max(base + assessed, 0.0), 1.0)
    return min(max(threat_inertia * threat + (1.0 - threat_inertia) * target, 0.0), 1.0)


# ---------------------------------------------------------------- hostile events, norms (3.3.9-3.3.11), their effects (3.3.15), history (3.1)


@njit(cache=True)
def shocked_threat(threat: float, shock: float) -> float:
    """Threat perception after a hostile act's shock (3.3.15: ``asat_threat_shock`` for every nation after an ASAT test,
    half of it for a cyber attack's victim)::

    θ = clip(θ + shock, 0, 1)
    """
    return min(max(threat + shock, 0.0), 1.0)


@njit(cache=True)
def attacked_capability(capability: float, cyber_capability_loss: float) -> float:
    """Capability of a cyber attack's victim (3.3.15)::

    k_target = (1 - cyber_capability_loss) * k_target
    """
    return capability * (1.0 - cyber_capability_loss)


@njit(cache=True)
def history_weight(age: float, hostile_trust_damage: float, history_half_life: float) -> float:
    """Evidence against the tester of a past destructive ASAT test, ``age`` years before the start (3.1, item 7)::

    w_h = hostile_trust_damage * 0.5 ** ((start_year - year) / history_half_life)
    """
    return hostile_trust_damage * 0.5 ** (age / history_half_life)


@njit(cache=True)
def hostile_rate_factor(norm: float, norm_deterrence: float) -> float:
    """Factor by which norms lower every hostile act's rate (3.3.9, C13)::

    h = 1 - norm_deterrence * ν
    """
    return 1.0 - norm_deterrence * norm


@njit(cache=True)
def probability(rate: float) -> float:
    """A rate clipped to a probability: clip(rate, 0, 1)."""
    return min(max(rate, 0.0), 1.0)


@njit(cache=True)
def asat_rate(counterspace: float, mean_distrust: float, h: float, asat_rate_: float, asat_distrust_offset: float) -> float:
    """Rate of a destructive ASAT test by nation i, before clipping (3.3.9)::

    asat_rate * a_i * h * (asat_distrust_offset + (1 / max(N-1, 1)) * sum_{j != i} (1 - T[i,j]))

    ``mean_distrust`` is the last factor's mean.
    """
    return asat_rate_ * counterspace * h * (asat_distrust_offset + mean_distrust)


@njit(cache=True)
def cyber_rate(counterspace: float, target_partners: float, h: float, cyber_rate_: float, alliance_deterrence: float) -> float:
    """Rate of a cyber attack by nation i on its target, before clipping (3.3.9)::

    cyber_rate * a_i * h / (1 + alliance_deterrence * P[target(i)])
    """
    return cyber_rate_ * counterspace * h * (1.0 / (1.0 + alliance_deterrence * target_partners))


@njit(cache=True)
def militarised(counterspace: float, trust_in_tester: float, militarisation_response: float, arming_threshold: float, arming_factor: float) -> float:
    """Counterspace capability of a nation after an ASAT test by a nation it distrusts (``T[j,a] < arming_threshold``) (3.3.10)::

    a_j = min(1, a_j + militarisation_response * arming_factor * (arming_threshold - T[j,a]))
    """
    return min(1.0, counterspace + militarisation_response * arming_factor * (arming_threshold - trust_in_tester))


@njit(cache=True)
def next_norm(norm: float, participation: float, norm_growth: float) -> float:
    """Norm strength tracking participation in frameworks (3.3.11)::

    ν = ν + norm_growth * (participation - ν)
    """
    return norm + norm_growth * (participation - norm)


# ---------------------------------------------------------------- debris (3.3.12)


@njit(cache=True)
def expected_collisions(debris: float, collision_rate: float, debris_capacity: float) -> float:
    """Expected collisions this step (3.3.12)::

    λ = collision_rate * D^2 * max(0, 1 - D / debris_capacity)
    """
    return collision_rate * debris * debris * max(0.0, 1.0 - debris / debris_capacity)


@njit(cache=True)
def next_debris(debris: float, collisions: int, debris_source: float, debris_decay: float, collision_fragments: float) -> float:
    """Debris after launches, decay and this step's collisions (3.3.12)::

    D = max(D + debris_source - debris_decay * D + n_collisions * collision_fragments, 0)
    """
    return max(debris + debris_source - debris_decay * debris + collisions * collision_fragments, 0.0)


# ---------------------------------------------------------------- politics (3.3.13)


@njit(cache=True)
def government_change_chance(stability: float, government_change_rate: float) -> float:
    """Chance of a change of government in nation i this step (3.3.13)::

    P_gov[i] = government_change_rate * (1 - σ_i)
    """
    return government_change_rate * (1.0 - stability)


# ---------------------------------------------------------------- capability (3.3.14)


@njit(cache=True)
def grown_capability(k: float, growth: float, transfer: float, transfer_rate: float) -> float:
    """Capability after own growth and technology transfer (3.3.14), with ``transfer_rate = tech_transfer_rate * (1 - export_control)``::

    k_i = max(k_i * (1 + g_i) + tech_transfer_rate * (1 - export_control) * transfer_i, 0)
    """
    value = k * (1.0 + growth) + transfer_rate * transfer
    return value if value >= 0.0 else 0.0


@njit(cache=True)
def harmonised(interop: float, interoperability_growth: float) -> float:
    """Interoperability of co-members after a step of common standards (3.3.14)::

    interop[i,j] = interop[i,j] + interoperability_growth * (1 - interop[i,j])
    """
    return interop + interoperability_growth * (1.0 - interop)


# ---------------------------------------------------------------- honest outcomes and time steps (issue 15: 3.3.16, 3.3.17, 3.3.18, section 5)

#: Bins of directed trust for :func:`esteban_ray_polarisation` (width 0.1, 3.3.17) and its α (Esteban & Ray 1994: admissible α in (0, 1.6]).
TRUST_BINS = 10
POLARISATION_ALPHA = 1.0


@njit(cache=True)
def trust_bin(t: float) -> int:
    """The bin of a trust value in [0, 1] for :func:`esteban_ray_polarisation` (3.3.17)::

    bin(T) = min(floor(10 T), 9)
    """
    b = int(t * TRUST_BINS)
    return min(max(b, 0), TRUST_BINS - 1)


@njit(cache=True)
def esteban_ray_polarisation(counts, sums, alpha: float) -> float:  # noqa: ANN001
    """Esteban-Ray polarisation of values in [0, 1] grouped in bins, scaled to [0, 1] (3.3.17; Esteban & Ray 1994, Econometrica 62(4))::

    π_g = counts[g] / sum counts,  y_g = sums[g] / counts[g]
    P   = sum_g sum_h π_g^(1+α) π_h |y_g − y_h| / 0.5^(1+α)

    0.5^(1+α) is P of two equal groups at 0 and 1, the largest for α >= 1; 0 if all values share a bin (NaN if there are none).
    """
    total = counts.sum()
    if total <= 0:
        return np.nan
    p = 0.0
    for g in range(counts.size):
        if counts[g] == 0:
            continue
        pg = counts[g] / total
        yg = sums[g] / counts[g]
        for h in range(counts.size):
            if counts[h] == 0 or h == g:
                continue
            p += pg ** (1.0 + alpha) * (counts[h] / total) * abs(yg - sums[h] / counts[h])
    return p / 0.5 ** (1.0 + alpha)


#: Spread below which the reliabilities (or the trust received) count as all equal for
#: :func:`trust_reliability_correlation`: both lie in [0, 1], and equal values summed in different
#: orders differ by a few ulps, whose "correlation" would be noise.
CONSTANT_SPREAD = 1e-12


@njit(cache=True)
def trust_reliability_correlation(reliability, received) -> float:  # noqa: ANN001
    """Whether trust has learned who is reliable (3.3.18): the Pearson correlation across the N nations of each government's
    hidden reliability ``r_i`` and the mean trust others place in it, ``received_i = sum_{j != i} T[j,i] / (N − 1)``::

    ρ = sum_i (r_i − mean r)(R_i − mean R) / sqrt(sum_i (r_i − mean r)^2 * sum_i (R_i − mean R)^2)

    In [−1, 1]; NaN when it is not defined: ``N < 3``, or either the reliabilities or the trust received are all equal
    (their spread, max − min, at most ``CONSTANT_SPREAD``).
    """
    n = reliability.size
    if n < 3:
        return np.nan
    if reliability.max() - reliability.min() <= CONSTANT_SPREAD or received.max() - received.min() <= CONSTANT_SPREAD:
        return np.nan
    mean_r = reliability.mean()
    mean_t = received.mean()
    sxy = 0.0
    sxx = 0.0
    syy = 0.0
    for i in range(n):
        x = reliability[i] - mean_r
        y = received[i] - mean_t
        sxy += x * y
        sxx += x * x
        syy += y * y
    return min(max(sxy / np.sqrt(sxx * syy), -1.0), 1.0)


@njit(cache=True)
def chance_per_step(chance: float, dt: float) -> float:
    """A chance declared per unit of time (a quarter) as a chance per step of ``dt`` units (3.3.16; the step is ``dt`` quarters)::

    p_step = 1 − (1 − p_unit)^dt            (p_unit itself when dt = 1)
    """
    if dt == 1.0:
        return chance
    return 1.0 - (1.0 - min(max(chance, 0.0), 1.0)) ** dt


@njit(cache=True)
def kept_per_step(kept: float, dt: float) -> float:
    """A share kept per unit of time (a quarter) as the share kept per step of ``dt`` units (3.3.16)::

    keep_step = keep_unit^dt
    """
    if dt == 1.0:
        return kept
    return kept**dt


@njit(cache=True)
def amount_per_step(amount: float, dt: float) -> float:
    """An amount (or expected count) per unit of time as the amount per step of ``dt`` units (3.3.16)::

    a_step = a_unit * dt
    """
    if dt == 1.0:
        return amount
    return amount * dt


@njit(cache=True)
def growth_per_step(growth: float, dt: float) -> float:
    """A growth rate per unit of time (a quarter), compounded over a step of ``dt`` units (3.3.16)::

    g_step = (1 + g_unit)^dt − 1
    """
    if dt == 1.0:
        return growth
    return (1.0 + growth) ** dt - 1.0
