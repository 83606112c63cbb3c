"""Scenario files: validation with precise, located errors; safe YAML."""

from __future__ import annotations

import pytest

from spacesim import InputError, load_scenario, parse_scenario, shipped_scenarios
from spacesim.scenario import apply_overrides


def problems(text: str) -> list[str]:
    with pytest.raises(InputError) as info:
        parse_scenario(text, "s.yaml")
    return [str(p) for p in info.value.problems]


def test_tiny_scenario_is_valid(tiny_spec):
    assert [n.code for n in tiny_spec.nations] == ["AAA", "BBB", "CCC"]
    assert tiny_spec.frameworks[0].members == ["AAA", "BBB"]


def test_every_shipped_scenario_validates():
    found = shipped_scenarios()
    assert {"baseline", "teaching_small"} <= set(found)
    for path in found.values():
        spec = load_scenario(path)
        assert spec.description


def test_unknown_key_is_an_error_with_line(tiny_text):
    text = tiny_text.replace("seed: 1", "seed: 1\nsteps_per_year: 4")
    (msg,) = problems(text)
    assert msg.startswith("s.yaml:6: steps_per_year: unknown field; the fields are: schema_version, name, description, steps, step_meaning, start_year")


def test_misspelt_parameter_suggests_the_right_name(tiny_text):
    (msg,) = problems(tiny_text + "parameters:\n  trust_gian: 1.0\n")
    assert "parameters.trust_gian: unknown field; did you mean 'trust_gain'?" in msg
    assert msg.startswith("s.yaml:17:")


def test_out_of_range_value_names_field_and_line(tiny_text):
    (msg,) = problems(tiny_text.replace("sovereignty: 0.5, capability: 0.5", "sovereignty: 1.5, capability: 0.5"))
    assert msg.startswith("s.yaml:10: nations[2].sovereignty:")
    assert "less than or equal to 1" in msg


def test_every_problem_is_reported_not_just_the_first(tiny_text):
    text = tiny_text.replace("seed: 1", "seed: -1").replace("integration: 1.0", "integration: 2.0")
    assert len(problems(text)) == 2


def test_unknown_nation_in_framework_is_named(tiny_text):
    (msg,) = problems(tiny_text.replace("members: [AAA, BBB]", "members: [AAA, ZZZ]"))
    assert "frameworks[0].members[1]" in msg and "'ZZZ'" in msg


def test_event_references_are_checked(tiny_text):
    events = (
        "events:\n"
        "  - {step: 3, kind: asat_test, actor: XYZ}\n"
        "  - {step: 4, kind: framework_opens, framework: NOPE}\n"
        "  - {step: 99, kind: government_change, actor: AAA}\n"
    )
    text = tiny_text + events
    msgs = problems(text)
    assert any("events[0].actor" in m and "'XYZ'" in m for m in msgs)
    assert any("events[1].framework" in m and "'NOPE'" in m for m in msgs)
    assert any("events[2].step" in m and "after the last step" in m for m in msgs)


def test_event_needs_its_fields(tiny_text):
    (msg,) = problems(tiny_text + "events:\n  - {step: 3, kind: cyber_attack, actor: AAA}\n")
    assert "events[0].target: an event of kind cyber_attack needs a target" in msg


def test_duplicate_codes_and_self_trust(tiny_text):
    text = tiny_text.replace("code: BBB", "code: AAA").replace("members: [AAA, BBB]", "members: [AAA]")
    assert any("nations[1].code" in m and "used twice" in m for m in problems(text))
    text = tiny_text.replace("same_bloc: 0.675", "same_bloc: 0.675\n  pairs:\n    - {from: AAA, to: AAA, value: 0.3}")
    assert any("trust of a nation in itself" in m for m in problems(text))


def test_aliases_of_mappings_are_refused(tiny_text):
    text = tiny_text.replace("  - {name: Club,", "  - &club {name: Club,") + "  - *club\n"
    (msg,) = problems(text)
    # The path names the alias; the line is the anchored original (the parser gives aliases no position of their own).
    assert msg == "s.yaml:15: frameworks[1]: YAML aliases (*name) are not allowed"


def test_billion_laughs_is_refused_quickly():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n" for p, c in zip("abcdefgh", "bcdefghi")
    )
    with pytest.raises(InputError, match="aliases"):
        parse_scenario(bomb)


def test_python_objects_are_not_constructed():
    with pytest.raises(InputError, match="invalid YAML"):
        parse_scenario("!!python/object/apply:os.system ['echo hacked']\n")


def test_duplicate_key_is_an_error(tiny_text):
    (msg,) = problems(tiny_text.replace("seed: 1", "seed: 1\nseed: 2"))
    assert "seed: key given twice" in msg


def test_syntax_error_gives_line():
    (msg,) = problems("schema_version: 1\nname: [unclosed\n")
    assert msg.startswith("s.yaml:") and "invalid YAML" in msg


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        load_scenario(tmp_path / "nope.yaml")


def test_not_a_mapping():
    (msg,) = problems("- just\n- a list\n")
    assert "must be a mapping" in msg


def test_overrides_are_validated(tiny_spec):
    spec = apply_overrides(tiny_spec, {"legal_clarity": 0.9, "trust_gain": 2.0, "steps": 5})
    assert spec.policy.legal_clarity == 0.9 and spec.parameters.trust_gain == 2.0 and spec.steps == 5
    with pytest.raises(InputError, match="not a parameter"):
        apply_overrides(tiny_spec, {"legal_clarty": 0.9})
    with pytest.raises(InputError, match="legal_clarity"):
        apply_overrides(tiny_spec, {"legal_clarity": 3.0})


def test_unknown_names_are_reported_beside_schema_errors(tmp_path):
    """Every problem in one pass: a bad type, an out-of-range value and names that do not exist."""
    path = tmp_path / "bad.yaml"
    path.write_text(
        "schema_version: 1\nname: bad\ndescription: several problems at once\nsteps: forty\n"
        "nations:\n"
        "  - {name: A, code: AAA, sovereignty: 1.6, capability: 1.0, threat_perception: 0.2}\n"
        "  - {name: B, code: BBB, sovereignty: 0.5, capability: 1.0, threat_perception: 0.2}\n"
        "frameworks:\n  - {name: F, code: FFF, members: [AAA, CCC], integration: 0.3, domain: ssa_sharing}\n"
        "events:\n  - {step: 3, kind: asat_test, actor: RUZ}\n"
    )
    with pytest.raises(InputError) as caught:
        load_scenario(path)
    found = {(p.path, p.line) for p in caught.value.problems}
    assert {("steps", 4), ("nations[0].sovereignty", 6), ("frameworks[0].members[1]", 9), ("events[0].actor", 11)} <= found
    assert any("'RUZ'" in p.message for p in caught.value.problems)
