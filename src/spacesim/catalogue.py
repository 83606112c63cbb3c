"""The one declaration of every event kind and every outcome the model records.

An :class:`EventKindDef` declares an event kind once: the fields a scenario
gives to schedule it, the per-step count it adds to, the sentence and effect
its log row carries, its shock button on the dashboard, and its rows in
docs/model.md. An :class:`Outcome` declares a recorded outcome once: its
name, type, meaning, whether a run's value of it is its total over the run
(``total_<x>``), and its definition in docs/model.md.

Everything else derives from these tuples: the scenario schema's
``EventKind`` and ``EVENT_FIELDS``, the event log's counts, the recorder's
columns and Mesa's DataCollector, the step outcomes of experiments and
summaries (``output/outcomes.py``), the dashboard's shock buttons, and the
tables of docs/model.md (a test checks that the doc shows what
:func:`events_table` and :func:`outcomes_table` write). This module is a
leaf: it imports nothing of the model, so validating a scenario file never
loads the compiled rules.

An event's effect is a handler registered for its kind in
:mod:`spacesim.model.events`; README.md ("Extending the model") shows how to
add a kind or an outcome.

>>> EVENTS["cyber_attack"].fields, EVENTS["cyber_attack"].count
(('actor', 'target'), 'n_cyber_attacks')
>>> STEP_OUTCOMES["n_leaks"]
'leaks this step'
>>> "n_leaks" in PER_STEP_COUNTS, "mean_trust" in PER_STEP_COUNTS
(True, False)
"""

from __future__ import annotations

from dataclasses import dataclass, field

# ---------------------------------------------------------------- events


@dataclass(frozen=True)
class ShockButton:
    """How the dashboard offers an event kind as a shock: its button, whether it needs a second nation, its help text."""

    button: str
    needs_target: bool
    help: str


@dataclass(frozen=True)
class EventKindDef:
    """One kind of event, declared once.

    ``fields`` are what a scenario's timeline must give to schedule it
    (``None``: it cannot be scheduled); ``optional`` fields may be given too.
    ``count`` names the per-step outcome that counts it (``None``: not
    counted), with its meaning (``count_meaning``, "... this step") and its
    fuller definition in the docs. ``narrative`` and ``effect`` are the log
    row's sentence and effect, as :meth:`str.format` templates of the values
    the handler gives and of ``name``, ``code``, ``possessive`` (the actor),
    ``target_name``, ``target_code``, ``target_possessive`` and
    ``framework_name``, ``framework_code``. ``values`` declares, once, the
    numbers the handler writes in the log row's value columns, in column
    order, each with the type its templates read it as: the handler writes
    each by name (:data:`spacesim.model.ledger.VALUE`), and the log reads
    them back by name (a describer registered in :mod:`spacesim.model.events`
    adds only text derived from them). ``source`` and ``effects`` (and
    ``fields_doc``, for a kind that comes about otherwise than by a
    timeline's fields) are its row of the events table in docs/model.md 3.3.15.
    """

    kind: str
    fields: tuple[str, ...] | None
    narrative: str
    effect: str
    source: str
    effects: str
    optional: tuple[str, ...] = ()
    values: dict[str, type] = field(default_factory=dict)
    field_roles: dict[str, str] = field(default_factory=dict)
    fields_doc: str = ""
    count: str | None = None
    count_meaning: str = ""
    count_definition: str = ""
    shock: ShockButton | None = None

    @property
    def schedulable(self) -> bool:
        """Whether a scenario's timeline may schedule it (and the dashboard or code trigger it)."""
        return self.fields is not None


EVENT_KINDS: tuple[EventKindDef, ...] = (
    EventKindDef(
        "asat_test",
        fields=("actor",),
        values={"pieces": float, "drop": float, "fearful": int},
        optional=("debris",),
        narrative="{name} conducts a destructive ASAT test; debris rises by {pieces:,.0f} pieces; trust in {name} falls across {others} nations",
        effect="debris +{pieces:,.0f}; others' trust in {code} -{drop:.3f} on average; {fearful} nations raise counterspace capability",
        source="scheduled; triggered; random (3.3.9)",
        effects=(
            "`D += debris` (default `asat_debris`); `θ_j = clip(θ_j + asat_threat_shock, 0, 1)` for every nation, the tester included; condemnation "
            "with `w = hostile_trust_damage` (3.3.2); militarisation response (3.3.10)"
        ),
        count="n_asat_tests",
        count_meaning="destructive ASAT tests this step",
        count_definition="destructive ASAT tests this step (scheduled, triggered and random)",
        shock=ShockButton(
            "ASAT test",
            False,
            "The nation destroys one of its own satellites with a missile: debris rises, every nation feels more threatened, trust in the tester falls.",
        ),
    ),
    EventKindDef(
        "cyber_attack",
        fields=("actor", "target"),
        values={"victim_drop": float, "drop": float, "loss": float},
        narrative="{name} attacks {target_possessive} space systems in cyberspace; {target_possessive} trust in {name} falls by {victim_drop:.2f}",
        effect="{target_code} capability -{loss:.0%}; victim's trust -{victim_drop:.3f}; others' trust -{drop:.3f} on average",
        source="scheduled; triggered; random (3.3.9)",
        effects=(
            "`k_target *= 1 − cyber_capability_loss`; `θ_target = min(1, θ_target + cyber_threat_share × asat_threat_shock)`; condemnation with "
            "`w = cyber_trust_share × hostile_trust_damage`, victim twice"
        ),
        count="n_cyber_attacks",
        count_meaning="cyber attacks this step",
        shock=ShockButton("Cyber attack", True, "The nation attacks the target's space systems: the target loses capability and trust in the attacker."),
    ),
    EventKindDef(
        "leak",
        fields=("actor", "target"),
        values={"drop": float},
        field_roles={"actor": "leaker", "target": "victim"},
        narrative="intelligence {target_name} shared with {name} leaks; {target_possessive} trust in {name} falls by {drop:.2f}",
        effect="{target_code}'s trust in {code} -{drop:.3f}",
        source="scheduled; triggered; random in the cooperation round (3.3.7)",
        effects=(
            "`beta[victim, leaker] += leak_trust_damage`, recorded as evidence with its reputation share: "
            "`beta[i, leaker] += reputation_spread * T[i, victim] * leak_trust_damage / (N − 1)` for every third party `i` (neither leaker nor "
            "victim) (a random leak's damage is part of the round's evidence and the event only logs it; a scheduled or triggered leak adds the "
            "damage when it happens, through the same `record_evidence_at`)"
        ),
        count="n_leaks",
        count_meaning="leaks this step",
        shock=ShockButton(
            "Leak",
            True,
            "Intelligence the target shared with the nation leaks: the target's trust in it falls, and others hear of it. Only between nations that "
            "share something (an agreement or a framework).",
        ),
    ),
    EventKindDef(
        "government_change",
        fields=("actor",),
        values={"shift": float, "ended": int, "left": int, "reliability": float, "uniform": float},
        narrative="a new government takes office in {name}; {consequences}",
        effect="sovereignty {shift:+.3f}; new reliability {reliability:.2f}; {ended} agreements ended; {left} memberships ended",
        source="scheduled; triggered; random (3.3.13)",
        effects=(
            "a new hidden reliability `r_i` (drawn as at the start, 3.1); others set aside a share `reputation_reset` of their evidence about the "
            "nation; its own evidence reset by `reversal_trust_reset`; sovereignty shift; each agreement and membership ends with probability "
            "`reversal_withdrawal` (0 by default)"
        ),
        count="n_government_changes",
        count_meaning="government changes this step",
        shock=ShockButton(
            "Government change",
            False,
            "A new government takes office in the nation: others must learn whether it keeps its commitments, and its attitudes shift.",
        ),
    ),
    EventKindDef(
        "withdrawal",
        fields=("actor", "framework"),
        values={"reason": int, "members": int},
        narrative="{name} withdraws from {framework_name} {why}",
        effect="{members} members remain",
        source="scheduled; triggered; also logged whenever a nation leaves a framework (distrust, not worth it, government change, policy)",
        effects="membership ends (only if the actor is a member; ledger reason `scheduled`, for a triggered withdrawal too)",
        count="n_withdrawals",
        count_meaning="framework withdrawals this step",
        count_definition="framework withdrawals this step (any reason)",
    ),
    EventKindDef(
        "accession",
        fields=None,
        values={"members": int},
        narrative="{name} joins {framework_name}",
        effect="{members} members",
        source="logged when a nation joins a framework",
        effects="—",
        count="n_accessions",
        count_meaning="framework accessions this step",
    ),
    EventKindDef(
        "collision",
        fields=None,
        values={"pieces": float},
        narrative="{collisions} in orbit {create} {pieces:,.0f} pieces of debris",
        effect="debris +{pieces:,.0f}",
        source="logged once per step with collisions (3.3.12); the row carries their number, and each collision counts in `n_collisions`",
        effects="`n_collisions × collision_fragments` pieces added",
        count="n_collisions",
        count_meaning="collisions this step",
        count_definition=(
            "collisions this step: the number of collisions, not of event rows (the model logs one `collision` event per step with collisions, "
            "carrying their number)"
        ),
    ),
    EventKindDef(
        "framework_opens",
        fields=("framework",),
        narrative="{framework_name} opens for new members",
        effect="open to applicants",
        source="scheduled; triggered",
        effects="`open_f = true`",
    ),
    EventKindDef(
        "framework_founded",
        fields=None,
        fields_doc="— (the framework's `founded_step`)",
        narrative="{framework_name} is founded by {founders}: {names}",
        effect="{founders_count} founding members; {status} to applicants",
        source="scenario frameworks with a `founded_step`, at that step before the scheduled events",
        effects="logged with `scheduled` true, then each founder joins (an `accession` each, ledger start step = this step); `open_f` stays as declared",
    ),
    # Frameworks as clubs (3.3.6): a lead's invitation that the invitee accepts.
    EventKindDef(
        "invitation",
        fields=None,
        narrative="{lead_name}, leading {framework_name}, invites {name} to join",
        effect="{name} accepts; its accession follows",
        source="logged when a nation joins a framework at its lead's invitation (3.3.6), just before the `accession`",
        effects="— (the accession that follows is the membership; the row's `target` is the lead)",
    ),
    EventKindDef(
        "history",
        fields=None,
        values={"year": int, "drop": float},
        narrative=(
            "before the start ({year}): {possessive} destructive ASAT test still colours trust; trust in {name} is {drop:.3f} lower across {others} nations"
        ),
        effect="others' initial trust in {code} -{drop:.3f}",
        source="logged at step 0 for each past ASAT test (3.1)",
        effects="first impressions of the tester lowered",
    ),
)

#: Every event kind by name, in declaration order.
EVENTS: dict[str, EventKindDef] = {e.kind: e for e in EVENT_KINDS}

#: The kinds a scenario may schedule, and the fields each needs.
SCHEDULABLE: dict[str, tuple[str, ...]] = {e.kind: e.fields for e in EVENT_KINDS if e.fields is not None}

#: Event kinds counted per step, by the outcome that counts them.
EVENT_COUNTS: dict[str, str] = {e.count: e.kind for e in EVENT_KINDS if e.count}

#: How a withdrawal's log sentence names the ledger's end reason.
WITHDRAWAL_REASONS: dict[str, str] = {
    "government_change": "after a change of government",
    "distrust": "for lack of trust in its members",
    "not worth it": "as membership no longer pays",
    "policy": "as policy no longer allows it",
    "scheduled": "as scheduled",
}

# ---------------------------------------------------------------- outcomes


@dataclass(frozen=True)
class Outcome:
    """A recorded outcome, declared once: its name, type, meaning (plots, summaries), definition (docs) and whether a run's value is its total."""

    name: str
    type: type
    meaning: str
    definition: str = ""
    per_step: bool = False

    @property
    def doc(self) -> str:
        """Its definition in docs/model.md (the meaning when no fuller definition is given)."""
        return self.definition or self.meaning


_STATE_OUTCOMES: tuple[Outcome, ...] = (
    Outcome("n_bilateral", int, "active bilateral agreements", "active bilateral agreements: number of pairs with `d[i,j] > 0`"),
    Outcome("n_memberships", int, "framework memberships (nation-framework pairs)", "framework memberships: number of (nation, framework) pairs with `M = 1`"),
    Outcome(
        "bilateral_share",
        float,
        "bilateral agreements / (bilateral agreements + memberships)",
        "`n_bilateral / (n_bilateral + n_memberships)`; NaN when both are 0",
    ),
    Outcome(
        "tie_density",
        float,
        "density of the tie network (a bilateral agreement or a shared framework)",
        "share of ordered pairs of distinct nations that are tied, by a bilateral agreement or a shared framework: `sum linked / (N (N − 1))` "
        "(shared membership alone counts: it is not 0 at step 0)",
    ),
    Outcome(
        "tie_clustering",
        float,
        "mean local clustering coefficient of the tie network (a bilateral agreement or a shared framework)",
        "mean local clustering coefficient of the `linked` network (nodes of degree < 2 count as 0, as in networkx; 0 if `N < 3`); a framework's "
        "members form a clique, so shared membership alone makes it high",
    ),
    Outcome(
        "bilateral_density",
        float,
        "density of the bilateral network alone",
        "share of ordered pairs of distinct nations with a bilateral agreement: `sum (d > 0) / (N (N − 1))` (0 with no agreement)",
    ),
    Outcome(
        "bilateral_clustering",
        float,
        "mean local clustering coefficient of the bilateral network alone",
        "mean local clustering coefficient of the network of bilateral agreements (`d[i,j] > 0`), as `tie_clustering` (0 with no agreement)",
    ),
    Outcome("mean_trust", float, "mean directed trust between distinct nations", "mean of `T[i,j]` over distinct nations"),
    Outcome(
        "trust_within_blocs",
        float,
        "mean trust between nations of the same bloc",
        "mean `T[i,j]` over distinct pairs in the same bloc (non-aligned nations excluded); NaN if none",
    ),
    Outcome(
        "trust_between_blocs", float, "mean trust between nations of different blocs", "mean `T[i,j]` over pairs in different blocs (both aligned); NaN if none"
    ),
    Outcome(
        "bloc_trust_gap",
        float,
        "trust within blocs minus trust between blocs (polarisation along the blocs)",
        "`trust_within_blocs − trust_between_blocs`, in [−1, 1]; NaN if either is",
    ),
    Outcome(
        "esteban_ray_polarisation",
        float,
        "Esteban-Ray polarisation of directed trust, scaled to [0, 1]",
        "Esteban & Ray (1994) polarisation of the `N (N − 1)` directed trusts `T[i,j]`, grouped in 10 bins of width 0.1 (group `g`: share `π_g`, "
        "mean trust `y_g`): `P = sum_g sum_h π_g^(1+α) π_h |y_g − y_h| / 0.5^(1+α)` with `α = 1`; 1 when trust is split in two equal groups at 0 and "
        "1, 0 when all trusts fall in one bin (3.3.17)",
    ),
    Outcome(
        "trust_spread",
        float,
        "standard deviation of directed trust, scaled to [0, 1] (dispersion, not polarisation)",
        "standard deviation of `T` over distinct nations divided by 0.5 (the largest possible), so in [0, 1]; called `trust_polarisation` before it "
        "was renamed",
    ),
    Outcome(
        "trust_reliability_correlation",
        float,
        "correlation across nations of a government's hidden reliability and the trust others place in it (has trust learned?)",
        "Pearson correlation across the `N` nations of the current government's hidden reliability `r_i` and the mean trust others place in it, "
        "`sum_{j != i} T[j,i] / (N − 1)` (the nation outcomes `reliability` and `mean_trust_received`), in [−1, 1]; NaN if `N < 3` or either is "
        "the same for every nation (3.3.18)",
    ),
    Outcome(
        "capability_gini",
        float,
        "Gini coefficient of capability",
        "Gini coefficient of capability `k` (own capability, without commercial capacity): `2 sum_r r v_(r) / (N sum v) − (N + 1)/N` over sorted "
        "values; 0 if all are 0",
    ),
    Outcome("mean_security", float, "mean security (1 - exp(-coverage / security_scale))", "mean of `S_i = 1 − exp(−total_i / security_scale)`"),
    Outcome(
        "collective_security",
        float,
        "mean share of each nation's security that comes from partners",
        "mean over nations of `(S_i − own_i) / S_i`, the share of security that comes from partners",
    ),
    Outcome("debris", float, "tracked debris pieces", "debris stock `D` (tracked pieces)"),
    Outcome("threat_level", float, "mean threat perception", "mean threat perception `θ`"),
    Outcome("norm_strength", float, "strength of shared norms (C13)", "norm strength `ν`"),
)

_AGREEMENT_COUNTS: tuple[Outcome, ...] = (
    Outcome("n_agreements_formed", int, "bilateral agreements formed this step", per_step=True),
    Outcome("n_agreements_ended", int, "bilateral agreements ended this step", "bilateral agreements ended this step (any reason)", per_step=True),
)

#: Every per-step outcome, in the order of the steps table: the state's, then the event counts (from :data:`EVENT_KINDS`), then agreements formed and ended.
STEP_OUTCOME_DEFS: tuple[Outcome, ...] = (
    *_STATE_OUTCOMES,
    *(Outcome(e.count, int, e.count_meaning, e.count_definition, per_step=True) for e in EVENT_KINDS if e.count),
    *_AGREEMENT_COUNTS,
)

#: Every per-nation outcome, in the order of the nations table.
NATION_OUTCOME_DEFS: tuple[Outcome, ...] = (
    Outcome("sovereignty", float, "`s_i`"),
    Outcome("capability", float, "`k_i` (own capability)"),
    Outcome("threat_perception", float, "`θ_i`"),
    Outcome(
        "reliability",
        float,
        "`r_i`, the hidden reliability of the nation's current government, in [0, 1] (drawn at the start and at each government change, 3.1, 3.3.13; "
        "the partners never see it)",
    ),
    Outcome("n_partners", int, "number of bilateral agreements (`d[i,j] > 0`); co-members are not counted"),
    Outcome("n_memberships", int, "number of frameworks the nation belongs to"),
    Outcome("mean_trust_given", float, "`sum_{j != i} T[i,j] / (N − 1)`"),
    Outcome("mean_trust_received", float, "`sum_{j != i} T[j,i] / (N − 1)`"),
    Outcome("security", float, "`S_i`"),
    Outcome("collective_security_share", float, "`(S_i − own_i) / S_i`"),
)

#: Every per-step outcome with its meaning (the docs, the plots and the experiment files read this).
STEP_OUTCOMES: dict[str, str] = {o.name: o.meaning for o in STEP_OUTCOME_DEFS}

#: Every per-nation outcome.
NATION_OUTCOMES: tuple[str, ...] = tuple(o.name for o in NATION_OUTCOME_DEFS)

#: Step outcomes that are counts (stored as int64 in the tables).
COUNT_OUTCOMES: frozenset[str] = frozenset(o.name for o in STEP_OUTCOME_DEFS if o.type is int)

#: Per-nation outcomes that are counts.
NATION_COUNTS: frozenset[str] = frozenset(o.name for o in NATION_OUTCOME_DEFS if o.type is int)

#: The per-step counts: a run's value of one is its total over the run (``total_<x>``), not its last step's count.
PER_STEP_COUNTS: tuple[str, ...] = tuple(o.name for o in STEP_OUTCOME_DEFS if o.per_step)

#: Outcomes renamed (issue 15, honest outcomes): old name -> what to ask for now and why. Experiment files and
#: result folders written before the rename name the old outcomes; their errors point here.
RENAMED_OUTCOMES: dict[str, str] = {
    "network_density": "tie_density (ties include shared framework membership; bilateral_density is the bilateral network alone)",
    "clustering": "tie_clustering (ties include shared framework membership; bilateral_clustering is the bilateral network alone)",
    "trust_polarisation": "trust_spread (the standard deviation it was; esteban_ray_polarisation or bloc_trust_gap measure polarisation)",
}


def renamed_hint(name: str) -> str:
    """What to say of an outcome that is not known: its new name if it was renamed, the old name if it is new (a folder written before), else "".

    >>> renamed_hint("clustering")
    "; 'clustering' was renamed: ask for tie_clustering (ties include shared framework membership; bilateral_clustering is the bilateral network alone)"
    >>> renamed_hint("tie_density")
    "; 'tie_density' was called 'network_density' before (results written before the rename have that name)"
    >>> renamed_hint("mean_trust")
    ''
    """
    if name in RENAMED_OUTCOMES:
        return f"; '{name}' was renamed: ask for {RENAMED_OUTCOMES[name]}"
    for old, new in RENAMED_OUTCOMES.items():
        if new.split(" ", 1)[0] == name:
            return f"; '{name}' was called '{old}' before (results written before the rename have that name)"
    return ""


if (
    len(STEP_OUTCOMES) != len(STEP_OUTCOME_DEFS) or len(set(NATION_OUTCOMES)) != len(NATION_OUTCOMES) or len(EVENTS) != len(EVENT_KINDS)
):  # pragma: no cover - guards the tables above
    raise RuntimeError("an outcome or event kind is declared twice")

# ---------------------------------------------------------------- the docs' tables


def outcomes_table(outcomes: tuple[Outcome, ...]) -> str:
    """The Markdown table of ``outcomes`` that docs/model.md section 5 shows.

    >>> print(outcomes_table(NATION_OUTCOME_DEFS[:1]))
    | outcome | definition |
    |---|---|
    | `sovereignty` | `s_i` |
    """
    return "\n".join(["| outcome | definition |", "|---|---|", *(f"| `{o.name}` | {o.doc} |" for o in outcomes)])


def events_table() -> str:
    """The Markdown table of event kinds that docs/model.md 3.3.15 shows."""

    def fields(e: EventKindDef) -> str:
        if e.fields_doc:
            return e.fields_doc
        if not e.fields:
            return "—"
        named = ", ".join(f"`{f}` ({e.field_roles[f]})" if f in e.field_roles else f"`{f}`" for f in e.fields)
        return named + "".join(f" (optional `{o}`)" for o in e.optional)

    rows = [f"| `{e.kind}` | {fields(e)} | {e.source} | {e.effects} |" for e in EVENT_KINDS]
    return "\n".join(["| kind | scheduled fields | source | effects |", "|---|---|---|---|", *rows])


if __name__ == "__main__":  # pragma: no cover - prints the docs' tables: python -m spacesim.catalogue
    print(events_table(), outcomes_table(STEP_OUTCOME_DEFS), outcomes_table(NATION_OUTCOME_DEFS), sep="\n\n")
