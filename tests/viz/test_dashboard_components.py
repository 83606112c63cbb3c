"""Headless tests of the dashboard's page, rendered with ``solara.render`` as Mesa's own visualization tests do."""

from __future__ import annotations

import ipyvuetify as v
import pytest
import solara

from spacesim import PARAMETERS_BY_NAME, SpaceModel, shipped_scenarios
from spacesim.viz.app import Dashboard
from spacesim.viz.controls import controls, key_parameters
from spacesim.viz.pictures import NETWORK_SIZE
from spacesim.viz.session import FRAMEWORK_GAP, Choices, network_layout, spec_of

SEED = "Random seed (same seed, same run)"


def render(scenario=None):
    """Render the page the way ``solara run`` does (inside Solara's app layout, which holds the sidebar)."""
    choices = Choices(scenario)
    model = solara.reactive(choices.build())
    _, rc = solara.render(solara.AppLayout(children=[Dashboard(choices=choices, model=model)]), handle_error=False)
    return rc, choices, model


def text_of(rc, cls: str) -> str:
    return rc.find(v.Html, class_=cls).widget.children[0]


def pictures(rc, cls: str) -> list[str]:
    """The SVG markup of every picture of CSS class ``cls`` on the page."""
    return [w.unsafe_innerHTML for w in rc.find(solara.widgets.HTML).widgets if cls in w.attributes.get("class", "").split()]


def button(rc, label: str):
    return rc.find(v.Btn, children=[label]).widget


def slider(rc, label: str):
    return rc.find(v.Slider, label=label).widget


def pick(rc, name: str) -> None:
    picker = rc.find(v.Select, label="Scenario (loaded by Reset)").widget
    picker.v_model = next(item for item in picker.items if item.startswith(f"{name}: "))


@pytest.mark.parametrize("name", sorted(shipped_scenarios()))
def test_the_page_renders_for_every_shipped_scenario(name):
    rc, _, model = render(shipped_scenarios()[name])
    assert text_of(rc, "spacesim-step-counter").startswith(f"{name}, step 0 of ")
    (network,) = pictures(rc, "spacesim-network-view")
    assert network.count('class="nation"') == model.value.state.n
    assert network.count('class="framework"') == len(model.value.state.framework_codes)
    (trust,) = pictures(rc, "spacesim-trust-view")
    assert trust.count('class="cell"') == model.value.state.n * (model.value.state.n - 1)
    charts = pictures(rc, "spacesim-plot")
    assert [c.split("font-weight=\"bold\">")[1].split("<")[0] for c in charts] == ["Partnerships", "Mean trust", "Collective security", "Debris (tracked pieces)"]
    assert model.value.spec.name == name


def test_step_advances_the_model_and_the_page():
    rc, _, model = render(shipped_scenarios()["teaching_small"])
    step = button(rc, "Step")
    step.click()
    step.click()
    assert model.value.steps == 2
    assert text_of(rc, "spacesim-step-counter").startswith("teaching_small, step 2 of 40")
    assert "step 2 of 40" in pictures(rc, "spacesim-network-view")[0]  # the network was redrawn
    assert all(chart.count("<polyline") >= 1 for chart in pictures(rc, "spacesim-plot"))


def test_a_slider_change_applies_at_reset():
    rc, _, model = render(shipped_scenarios()["teaching_small"])
    first = model.value
    assert first.p.legal_clarity != 0.8
    slider(rc, "legal clarity").v_model = 0.8
    assert model.value is first and first.p.legal_clarity != 0.8  # nothing changes before Reset
    button(rc, "Reset").click()
    assert model.value is not first
    assert model.value.p.legal_clarity == 0.8
    assert model.value.steps == 0


def test_a_switch_change_applies_at_reset():
    rc, _, model = render(shipped_scenarios()["teaching_small"])
    rc.find(v.Switch, label="allow bilateral").widget.v_model = False
    button(rc, "Reset").click()
    assert model.value.p.allow_bilateral is False


def test_picking_a_scenario_loads_it_at_reset_with_its_own_values():
    rc, choices, model = render(shipped_scenarios()["teaching_small"])
    picker = rc.find(v.Select, label="Scenario (loaded by Reset)").widget
    label = next(item for item in picker.items if item.startswith("strong_regime: "))
    picker.v_model = label
    assert slider(rc, "legal clarity").v_model == 0.9  # the sliders show the picked scenario's values
    button(rc, "Reset").click()
    assert model.value.spec.name == "strong_regime"
    assert model.value.p.legal_clarity == 0.9
    assert text_of(rc, "spacesim-step-counter").startswith("strong_regime, step 0 of ")


def test_the_seed_applies_at_reset():
    rc, _, model = render(shipped_scenarios()["teaching_small"])
    slider(rc, SEED).v_model = 42
    button(rc, "Reset").click()
    reference = Choices(shipped_scenarios()["teaching_small"]).build(seed=42)
    model.value.run(5)
    reference.run(5)
    assert model.value.steps_frame().equals(reference.steps_frame())


@pytest.mark.parametrize("label, kind", [("ASAT test", "asat_test"), ("Leak", "leak"), ("Cyber attack", "cyber_attack"), ("Government change", "government_change")])
def test_a_shock_button_adds_an_event_now(label, kind):
    rc, _, model = render(shipped_scenarios()["teaching_small"])
    button(rc, "Step").click()
    actor, target = "JPN", "FRA"  # both in CSPO: a leak has something to leak
    rc.find(v.Select, label="Nation").widget.v_model = actor
    rc.find(v.Select, label="Target (leak, cyber attack)").widget.v_model = target
    before = len(model.value.log.rows)
    button(rc, label).click()
    rows = model.value.log.rows
    assert len(rows) == before + 1
    event = rows[-1]
    assert event["kind"] == kind and event["step"] == 1 and event["actor"] == actor
    if kind in ("leak", "cyber_attack"):
        assert event["target"] == target
    assert model.value.events_frame()["narrative"].iloc[-1] == event["narrative"]  # logged like any other event
    events = rc.find(v.Html, class_="spacesim-event").widgets
    assert events[0].children[0] == f"• {event['narrative']}"  # newest first


def test_a_shock_shows_at_once_and_its_asat_mark_sits_at_its_step():
    rc, _, model = render(shipped_scenarios()["teaching_small"])
    for _ in range(3):
        button(rc, "Step").click()
    m = model.value
    debris = m.state.debris
    headline = text_of(rc, "spacesim-headline")
    button(rc, "ASAT test").click()
    assert m.state.debris == debris + m.p.asat_debris
    # No Step yet: the headline, the record the charts read and the ASAT mark show the test at once, at step 3, as its event says.
    assert m.log.rows[-1]["step"] == 3 and m.steps == 3
    assert m.recorder.latest["debris"] == m.state.debris and len(m.recorder.steps["step"]) == 4
    assert text_of(rc, "spacesim-headline") != headline and f"debris {m.state.debris:,.0f}" in text_of(rc, "spacesim-headline")
    assert list(m.datacollector.model_vars["debris"])[-1] == m.state.debris
    debris_chart = pictures(rc, "spacesim-plot")[3]
    assert debris_chart.count('class="mark"') == 1 and "ASAT test in 2025 Q4 (step 3)<" in debris_chart
    assert m.recorder.steps["n_asat_tests"].tolist() == [0, 0, 0, 1]
    button(rc, "Step").click()
    assert m.recorder.steps["n_asat_tests"][3:].tolist() == [1, 0]  # counted once, at its own step
    assert "ASAT test in 2025 Q4 (step 3)<" in pictures(rc, "spacesim-plot")[3]


def test_a_shock_keeps_the_counts_of_the_step_it_joins():
    model = Choices(shipped_scenarios()["teaching_small"]).build()
    plain = Choices(shipped_scenarios()["teaching_small"]).build()
    for m in (model, plain):
        m.run(12)  # step 12 has the scheduled ASAT test
    model.trigger("government_change", model.state.index["IND"])
    assert model.recorder.steps["n_asat_tests"][12] == plain.recorder.steps["n_asat_tests"][12] == 1
    assert model.recorder.steps["n_government_changes"][12] == plain.recorder.steps["n_government_changes"][12] + 1
    assert len(model.nations_frame()) == len(plain.nations_frame()) == 13 * model.state.n
    assert len(model.datacollector.model_vars["debris"]) == 13


def test_a_leak_is_offered_only_between_nations_that_share_something():
    rc, _, model = render(shipped_scenarios()["teaching_small"])
    rc.find(v.Select, label="Nation").widget.v_model = "IND"
    rc.find(v.Select, label="Target (leak, cyber attack)").widget.v_model = "FRA"
    assert button(rc, "Leak").disabled  # step 0: India and France share nothing
    assert "share nothing" in text_of(rc, "spacesim-shock-pair")
    assert not button(rc, "Cyber attack").disabled
    rc.find(v.Select, label="Nation").widget.v_model = "JPN"
    assert not button(rc, "Leak").disabled and "share CSPO" in text_of(rc, "spacesim-shock-pair")
    from spacesim.viz.shocks import SHOCKS, fire

    with pytest.raises(ValueError, match="No leak possible: France shares nothing with India"):
        fire(model.value, next(s for s in SHOCKS if s.button == "Leak"), "IND", "FRA")
    rc.find(v.Select, label="Nation").widget.v_model = "IND"
    for _ in range(7):  # France and India sign at step 7: the card follows the run
        button(rc, "Step").click()
    assert not button(rc, "Leak").disabled and "share a bilateral agreement" in text_of(rc, "spacesim-shock-pair")


def test_the_page_words_names_and_counts_well():
    rc, _, model = render(shipped_scenarios()["teaching_small"])
    assert text_of(rc, "spacesim-scenario-facts").startswith("6 nations, 1 framework, 40 steps")
    model.value.trigger("cyber_attack", model.value.state.index["RUS"], model.value.state.index["USA"])
    button(rc, "Step").click()
    shown = [w.children[0] for w in rc.find(v.Html, class_="spacesim-event").widgets]
    assert any("United States' space systems" in t and "United States' trust in Russia" in t for t in shown)
    assert not any("States's" in t for t in shown)


def test_controls_come_from_the_parameter_declaration():
    shown = {c.name: c for c in controls()}
    assert {p.name for p in key_parameters() if p.group == "policy"} == {p.name for p in PARAMETERS_BY_NAME.values() if p.group == "policy"}
    for name, control in shown.items():
        p = PARAMETERS_BY_NAME[name]
        assert control.help.startswith(p.meaning)
        if p.kind is not bool:
            assert (control.low, control.high) == (p.low, p.high)
            assert abs(round(p.default / control.step) * control.step - p.default) < 1e-9
    rc, _, _ = render(shipped_scenarios()["teaching_small"])
    tooltips = [w for w in rc.find(v.Tooltip).widgets]
    texts = {w.children[0] for w in tooltips}
    assert all(c.help in texts for c in shown.values())
    for control in shown.values():
        widget_type = v.Switch if control.kind is bool else v.Slider
        assert rc.find(widget_type, label=control.label).widget is not None


def test_a_scenario_file_from_the_command_line_comes_first_in_the_picker(tmp_path):
    mine = tmp_path / "my_class.yaml"
    mine.write_text(shipped_scenarios()["teaching_small"].read_text().replace("name: teaching_small", "name: my_class"))
    rc, _, model = render(mine)
    picker = rc.find(v.Select, label="Scenario (loaded by Reset)").widget
    assert picker.items[0].startswith("my_class: Six nations") and picker.v_model == picker.items[0]
    assert len(picker.items) == len(shipped_scenarios()) + 1
    assert model.value.spec.name == "my_class"
    assert text_of(rc, "spacesim-step-counter").startswith("my_class, step 0 of 40")


def test_shocks_after_a_reset_into_another_world_use_its_nations(tmp_path, tiny_text):
    mine = tmp_path / "tiny.yaml"
    mine.write_text(tiny_text)
    rc, _, model = render(mine)
    rc.find(v.Select, label="Nation").widget.v_model = "CCC"
    picker = rc.find(v.Select, label="Scenario (loaded by Reset)").widget
    picker.v_model = next(item for item in picker.items if item.startswith("teaching_small: "))
    button(rc, "Reset").click()
    assert rc.find(v.Select, label="Nation").widget.items == model.value.state.codes
    button(rc, "ASAT test").click()
    assert model.value.log.rows[-1]["actor"] == model.value.state.codes[0]


def test_a_picked_scenario_loads_with_its_own_seed():
    rc, choices, model = render(shipped_scenarios()["teaching_small"])  # seed 7
    assert slider(rc, SEED).v_model == 7
    pick(rc, "bipolar_rivalry")  # seed 1 in its file
    assert slider(rc, SEED).v_model == 1
    button(rc, "Reset").click()
    model.value.run(5)
    assert model.value.steps_frame().equals(SpaceModel(shipped_scenarios()["bipolar_rivalry"]).run(5))


def test_a_seed_changed_after_picking_is_kept_until_the_next_pick():
    rc, choices, model = render(shipped_scenarios()["teaching_small"])
    pick(rc, "bipolar_rivalry")
    slider(rc, SEED).v_model = 3
    button(rc, "Reset").click()
    reference = SpaceModel(shipped_scenarios()["bipolar_rivalry"], rng=3).run(3)
    model.value.run(3)
    assert model.value.steps_frame().equals(reference)
    button(rc, "Reset").click()  # Reset again: same seed, same run
    model.value.run(3)
    assert model.value.steps_frame().equals(reference)
    pick(rc, "strong_regime")
    assert slider(rc, SEED).v_model == spec_of(choices.choice).seed


def test_restore_puts_the_scenarios_own_settings_back():
    rc, choices, model = render(shipped_scenarios()["teaching_small"])
    restore = button(rc, "Restore scenario settings")
    assert restore.disabled  # nothing to restore yet
    slider(rc, "legal clarity").v_model = 0.9
    slider(rc, SEED).v_model = 11
    assert not button(rc, "Restore scenario settings").disabled
    assert text_of(rc, "spacesim-changed") == "changed: legal clarity, seed"
    button(rc, "Restore scenario settings").click()
    assert slider(rc, "legal clarity").v_model == 0.3 and slider(rc, SEED).v_model == 7
    button(rc, "Reset").click()
    assert model.value.p.legal_clarity == 0.3
    model.value.run(5)
    assert model.value.steps_frame().equals(SpaceModel(shipped_scenarios()["teaching_small"]).run(5))


def test_only_the_mesa_controls_the_lesson_uses_are_on_the_page():
    rc, _, _ = render(shipped_scenarios()["teaching_small"])
    labels = {w.label for w in rc.find(v.Slider).widgets} | {w.label for w in rc.find(v.Checkbox).widgets}
    assert "Play Interval (ms between steps)" in labels
    assert not {label for label in labels if "Render Interval" in label or "Use Threads" in label}
    titles = [w.children[0] for w in rc.find(v.CardTitle).widgets]
    assert "Controls" in titles and "Information" not in titles
    assert not [w for w in rc.find(v.Html).widgets if str(w.children[0]).startswith("Time:")]
    assert {button(rc, label) is not None for label in ("Reset", "▶", "Step")} == {True}


def test_every_slider_shows_its_value():
    rc, _, _ = render(shipped_scenarios()["teaching_small"])
    sliders = rc.find(v.Slider).widgets
    assert {w.label for w in sliders} >= {"Play Interval (ms between steps)", SEED, "legal clarity"}
    # Ours ask for it; Mesa's (thumb label while dragging) are made to show it always by the page's CSS.
    assert all(w.thumb_label in ("always", True) for w in sliders)
    assert all(w.thumb_label == "always" for w in sliders if w.label in {c.label for c in controls()})
    from spacesim.viz.app import PAGE_CSS

    assert ".v-slider__thumb-label-container { display: block !important; }" in PAGE_CSS


@pytest.mark.parametrize("name", sorted(shipped_scenarios()))
def test_frameworks_are_drawn_apart(name):
    spec = spec_of(Choices(shipped_scenarios()[name]).choice)
    pos = network_layout(spec)
    codes = [f.code for f in spec.frameworks]
    for a in range(len(codes)):
        for b in range(a + 1, len(codes)):
            (xa, ya), (xb, yb) = pos[codes[a]], pos[codes[b]]
            assert abs(xa - xb) >= FRAMEWORK_GAP[0] - 1e-9 or abs(ya - yb) >= FRAMEWORK_GAP[1] - 1e-9, (codes[a], codes[b])


def test_pictures_follow_the_theme_and_keep_legends_off_the_data():
    import re

    rc, _, model = render(shipped_scenarios()["teaching_small"])
    button(rc, "Step").click()
    svgs = pictures(rc, "spacesim-network-view") + pictures(rc, "spacesim-trust-view") + pictures(rc, "spacesim-plot")
    for svg in svgs:
        assert 'fill="currentColor"' in svg.split(">")[0]  # text takes the theme's colour
        assert not re.search(r'(fill|stroke)="#(000|000000|333|555|666|eee|bbb)"', svg)
        assert min(float(x) for x in re.findall(r'font-size="([\d.]+)"', svg)) >= 12
    partnerships = pictures(rc, "spacesim-plot")[0]
    plot_top = float(re.search(r'<rect x="[\d.]+" y="([\d.]+)"', partnerships).group(1))
    assert all(float(y) < plot_top for y in re.findall(r'<text class="legend" x="[\d.]+" y="([\d.]+)"', partnerships))
    assert NETWORK_SIZE[0] <= 460


def test_a_copy_of_a_shipped_scenario_is_listed_once_by_name_and_never_as_a_path(tmp_path):
    from pathlib import Path

    checkout_copy = Path(__file__).resolve().parents[2] / "scenarios" / "teaching_small.yaml"  # what docs/teaching.md runs
    copy = tmp_path / "teaching_small.yaml"
    copy.write_bytes(shipped_scenarios()["teaching_small"].read_bytes())
    for given in [p for p in (checkout_copy, copy) if p.exists()]:
        rc, _, model = render(given)
        picker = rc.find(v.Select, label="Scenario (loaded by Reset)").widget
        assert len(picker.items) == len(shipped_scenarios()) and sum(item.startswith("teaching_small") for item in picker.items) == 1
        assert picker.v_model.startswith("teaching_small: Six nations")
        header = text_of(rc, "spacesim-step-counter")
        assert header.startswith("teaching_small, step 0 of 40") and "/" not in header
        assert text_of(rc, "spacesim-scenario-description").startswith("Six nations")
        assert not any(str(tmp_path) in item or "/" in item.split(":")[0] for item in picker.items)
    # Another scenario under a shipped name is a scenario of its own, named without its path.
    other = tmp_path / "elsewhere" / "teaching_small.yaml"
    other.parent.mkdir()
    other.write_text(shipped_scenarios()["teaching_small"].read_text().replace("seed: 7", "seed: 8"))
    rc, _, _ = render(other)
    picker = rc.find(v.Select, label="Scenario (loaded by Reset)").widget
    assert picker.items[0].startswith("teaching_small (your file): ") and text_of(rc, "spacesim-step-counter").startswith("teaching_small (your file), step 0")
    assert not any(str(tmp_path) in item for item in picker.items)


def test_the_events_panel_names_agreements_signed_deepened_and_ended():
    rc, _, model = render(shipped_scenarios()["teaching_small"])
    for _ in range(2):
        button(rc, "Step").click()
    shown = [w.children[0] for w in rc.find(v.Html, class_="spacesim-event").widgets]
    assert shown[0] == "• step 2: new bilateral agreements: United States–Japan (missile warning); China–India (sharing surveillance data)"
    m = model.value
    # No agreement of teaching_small ends by itself in 37 steps: a new government in Washington that ends them all makes the panel name ended agreements too.
    m.p.reversal_withdrawal = 1.0
    m.trigger("government_change", m.state.index["USA"])
    m.p.reversal_withdrawal = 0.15
    m.run(35)
    kinds = {row["kind"] for row in m.happenings}
    assert {"agreements_signed", "agreements_deepened", "agreements_ended", "accession"} <= kinds
    deepened = [row["narrative"] for row in m.happenings if row["kind"] == "agreements_deepened"]
    assert "step 8: bilateral agreement deepens: China–Russia (now missile warning)" in deepened
    # Every agreement the ledger opened or closed is named at its step.
    ties = m.partnerships_frame()
    ties = ties[ties["kind"] == "bilateral"]
    names = dict(zip(m.state.codes, m.state.names))
    for row in ties.itertuples():
        pair = f"{names[row.party_a]}–{names[row.party_b]}"
        assert any(h["step"] == row.start_step and h["kind"] == "agreements_signed" and pair in h["narrative"] for h in m.happenings), pair
        if not __import__("pandas").isna(row.end_step):
            assert any(h["step"] == row.end_step and h["kind"] == "agreements_ended" and pair in h["narrative"] for h in m.happenings), pair
