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
    assert len(results) == 4
    assert {r["legal_clarity"] for r in results} == {0.2, 0.8}
    assert all(r["Step"] == 5 and 0 <= r["mean_trust"] <= 1 for r in results)


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
