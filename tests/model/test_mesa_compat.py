"""SpaceModel works with Mesa's own tools."""

from __future__ import annotations

import mesa

from spacesim import SpaceModel, shipped_scenario


def test_batch_run_drives_the_model():
    results = mesa.batch_run(
        SpaceModel,
        parameters={"spec": [str(shipped_scenario("teaching_small"))], "legal_clarity": [0.2, 0.8]},
        rng=[1, 2],
        max_steps=5,
        data_collection_period=-1,
        display_progress=False,
    )
    nations = len(SpaceModel(shipped_scenario("teaching_small")).nations)
    assert len(results) == 4 * nations  # a row per nation (agent reporters) per run
    assert {r["legal_clarity"] for r in results} == {0.2, 0.8}
    assert all(r["Step"] == 5 and 0 <= r["mean_trust"] <= 1 and 0 <= r["mean_trust_given"] <= 1 for r in results)


def test_datacollector_and_running():
    model = SpaceModel(shipped_scenario("teaching_small"), rng=3, steps=4)
    while model.running:
        model.step()
    assert model.steps == 4
    assert len(model.datacollector.get_model_vars_dataframe()) == 5


def test_default_model_is_the_baseline():
    model = SpaceModel(rng=1)
    assert model.spec.name == "baseline" and len(model.nations) >= 25
    assert isinstance(model.nations[0], mesa.Agent)


def test_agent_reporters_serve_every_nation_outcome_as_the_nations_table():
    """Mesa's agent table holds the nations table's values: every nation outcome, every recorded step, one row per Nation agent."""
    import numpy as np

    from spacesim.catalogue import NATION_OUTCOMES

    model = SpaceModel(shipped_scenario("teaching_small"), rng=5, steps=6)
    model.run()
    agents = model.datacollector.get_agent_vars_dataframe()
    nations = model.nations_frame()
    assert list(agents.columns) == list(NATION_OUTCOMES)
    assert len(agents) == len(nations) == 7 * len(model.nations)
    ids = {n.unique_id: n.code for n in model.nations}
    codes = [ids[i] for i in agents.index.get_level_values("AgentID")]
    assert codes == list(nations["nation"]) and list(agents.index.get_level_values("Step")) == list(nations["step"])
    for outcome in NATION_OUTCOMES:
        np.testing.assert_array_equal(agents[outcome].to_numpy(), nations[outcome].to_numpy())
