"""Invalid calibration files and options: exit status 2, one line per problem naming the file, line and field; unknown names get a suggestion."""

from __future__ import annotations

import subprocess
import sys

import pytest
import yaml

from spacesim.calibration.spec import date_to_step, load_calibration
from spacesim.cli import main

from .synthetic import write_calibration

ACCESSIONS = {"USA": 0, "JPN": 0, "GBR": 0, "FRA": 3, "CAN": 8}


@pytest.fixture
def calib(tmp_path):
    return write_calibration(tmp_path, ACCESSIONS)


def edit(path, change):
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def errors(capsys, *argv):
    code = main(list(argv))
    return code, capsys.readouterr().err


def test_valid_file_loads(calib):
    c = load_calibration(calib)
    assert c.fitted == ["accords_count", "accords_members"] and c.held_out == ["accords_order"]
    assert c.observations["accords_members"]["accessions"] == ACCESSIONS
    assert c.observations["accords_count"]["step"] == 40


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (lambda d: d["fit"].update(membership_rat=d["fit"].pop("membership_rate")), "fit.membership_rat", "did you mean 'membership_rate'?"),
        (lambda d: d["patterns"]["accords_count"].update(kind="member_cout"), "patterns.accords_count.kind", "did you mean 'member_count'?"),
        (lambda d: d["patterns"]["accords_count"].update(framework="ARTEMS"), "patterns.accords_count.framework", "did you mean 'ARTEMIS'?"),
        (lambda d: d.update(patern=1), "patern", "unknown field"),
        (lambda d: d["fit"].update(membership_rate={"low": 0.1, "high": 2.0}), "fit.membership_rate", "leaves the declared range [0.0, 1.0]"),
        (
            lambda d: d["fit"].update(membership_rate={"prior": "log_uniform", "low": 0.0, "high": 0.5}),
            "fit.membership_rate.low",
            "log-uniform prior needs low > 0",
        ),
        (lambda d: d["fit"].update(membership_rate={"prior": "truncnorm", "mean": 0.2}), "fit.membership_rate", "needs mean and sd"),
        (lambda d: d["fit"].update(membership_rate={"prior": "normal"}), "fit.membership_rate.prior", "uniform"),
        (lambda d: d["fit"].update(legal_clarity={}), "fit.legal_clarity", "policy lever"),
        (lambda d: d["fit"].update(allow_bilateral={}), "fit.allow_bilateral", "true/false"),
        (lambda d: d.update(parameters={"membership_rate": 0.3}), "fit.membership_rate", "either fixed or fitted"),
        (lambda d: [p.update(held_out=True) for p in d["patterns"].values()], "patterns", "at least one must be fitted"),
        (lambda d: d["patterns"]["accords_members"].update(date=99), "patterns.accords_members.date", "after the last step (40)"),
        (lambda d: d["patterns"]["accords_members"].update(date="2031-13-01"), "patterns.accords_members.date", "YYYY-MM-DD"),
        (lambda d: d["patterns"]["accords_members"].pop("date"), "patterns.accords_members.date", "needs the date"),
        (lambda d: d["patterns"]["accords_members"].update(accessions_file="nowhere.csv"), "patterns.accords_members", "not several"),
        (lambda d: d["patterns"]["accords_members"].update(tolerance=0.1), "patterns.accords_members.tolerance", "takes no tolerance"),
        (lambda d: d["abc"].update(population=2), "abc.population", "greater than or equal to 5"),
        (lambda d: d.update(scenario="missing.yaml"), "scenario", "no such scenario file"),
    ],
)
def test_invalid_files_name_the_field(calib, capsys, change, field, words):
    edit(calib, change)
    code = main(["calibrate", str(calib), "--out", str(calib.parent / "out")])
    err = capsys.readouterr().err
    assert code == 2, err
    assert f"{calib}:" in err and f" {field}:" in err and words in err, err
    assert "Traceback" not in err
    assert not (calib.parent / "out").exists()


def test_observation_files_are_read_and_checked(calib, tmp_path, capsys):
    (tmp_path / "acc.csv").write_text("# signatories\ncode,date\nUSA,2020-10-13\nFRA,2022-06-07\nXXX,2021-01-01\n")
    (tmp_path / "votes.csv").write_text("code,vote\nUSA,yes\nRUS,no\nCHN,maybe\n")

    def change(d):
        d["scenario"] = "world2020.yaml"
        d["patterns"]["accords_members"] = {"kind": "member_set", "framework": "ARTEMIS", "accessions_file": "acc.csv", "date": "2023-01-01"}
        d["patterns"]["vote"] = {"kind": "vote_split", "framework": "ARTEMIS", "votes_file": "votes.csv", "date": "2022-12-07", "held_out": True}

    world = yaml.safe_load((tmp_path / "small_world.yaml").read_text())
    world["start_year"] = 2020
    world["history"] = [h for h in world["history"] if h["year"] <= 2020]
    (tmp_path / "world2020.yaml").write_text(yaml.safe_dump(world))
    edit(calib, change)
    assert main(["calibrate", str(calib), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "patterns.vote.votes_file: votes must be yes, no or abstain (not for CHN)" in err
    (tmp_path / "votes.csv").write_text("code,vote\nUSA,yes\nRUS,no\nCHN,abstain\n")
    c = load_calibration(calib)
    assert c.observations["accords_members"]["accessions"] == {"USA": 4, "FRA": 10}
    assert c.observations["accords_members"]["outside"] == ["XXX"]
    assert c.observations["vote"]["step"] == 12


def test_date_to_step_counts_quarters_from_the_start_year():
    from spacesim.scenario import load_scenario
    from spacesim.scenario.library import shipped_scenario

    s = load_scenario(shipped_scenario()).model_copy(update={"start_year": 2020})
    assert [date_to_step(d, s) for d in ("2020-03-31", "2020-04-01", "2021-12-31", "2022-01-01")] == [1, 2, 8, 9]


def test_existing_folders_are_never_overwritten_without_force(calib, capsys):
    out = calib.parent / "someone_elses"
    out.mkdir()
    (out / "thesis.tex").write_text("precious")
    assert main(["calibrate", str(calib), "--out", str(out)]) == 2
    assert "--out: folder exists and is not empty" in capsys.readouterr().err
    assert main(["calibrate", str(calib), "--out", str(out), "--force"]) == 2
    assert "not a calibration folder" in capsys.readouterr().err
    assert (out / "thesis.tex").read_text() == "precious"
    assert main(["calibrate", str(calib), "--out", str(out), "--resume"]) == 2
    capsys.readouterr()
    assert main(["calibrate", str(calib), "--out", str(calib.parent / "none"), "--resume"]) == 2
    assert "--resume: no calibration to resume there" in capsys.readouterr().err
    assert main(["calibrate", str(calib), "--workers", "2", "--cluster", "tcp://127.0.0.1:1"]) == 2
    assert "--workers: 2: cannot be combined with --cluster" in capsys.readouterr().err


def test_subprocess_exit_status_is_2_without_traceback(calib):
    edit(calib, lambda d: d["fit"].update(trust_flor={}))
    proc = subprocess.run([sys.executable, "-m", "spacesim", "calibrate", str(calib)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "fit.trust_flor: not a parameter of the model; did you mean 'trust_floor'?" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_validate_checks_calibration_files(calib, capsys):
    assert main(["validate", str(calib)]) == 0
    edit(calib, lambda d: d["patterns"]["accords_count"].update(kind="order"))
    assert main(["validate", str(calib)]) == 2
    assert "patterns.accords_count.kind: unknown pattern kind 'order'" in capsys.readouterr().err


def test_the_shipped_calibration_is_valid():
    from spacesim.calibration.spec import load_calibration
    from spacesim.scenario.library import shipped_scenario

    c = load_calibration(shipped_scenario("baseline").parent.parent / "calibrations" / "history_2020.yaml")
    assert c.fitted == ["accords_count", "accords_members", "pledge_count"]
    assert all(not o.get("outside") for n, o in c.observations.items() if n != "unga_vote")  # every observed member is a nation of the scenario


def test_undated_accessions_count_from_their_latest_day_or_are_dropped(tmp_path):
    from spacesim.calibration.spec import load_calibration
    from spacesim.scenario.library import shipped_scenario

    shipped = shipped_scenario("baseline").parent.parent / "calibrations" / "history_2020.yaml"
    assert len(load_calibration(shipped).observations["pledge_count"]["accessions"]) == 37  # 11 dated + 26 at their not_after bound
    data = yaml.safe_load(shipped.read_text())
    data["scenario"] = str((shipped.parent / data["scenario"]).resolve())
    data["patterns"]["pledge_count"]["undated"] = "drop"
    (tmp_path / "c.yaml").write_text(yaml.safe_dump(data))
    assert len(load_calibration(tmp_path / "c.yaml").observations["pledge_count"]["accessions"]) == 11


def test_force_replaces_only_what_calibrate_wrote_and_never_a_folder_in_use(calib, capsys):
    """A calibration folder with a user's file in it is not deleted by --force; a folder another spacesim holds is refused, with or without --force."""
    import json

    from spacesim.output.folder import FolderLock

    out = calib.parent / "calib_out"
    out.mkdir()
    (out / "manifest.json").write_text(json.dumps({"kind": "calibration"}))
    (out / "abc.db").write_bytes(b"")
    (out / "notes.md").write_text("mine")
    assert main(["calibrate", str(calib), "--out", str(out), "--force"]) == 2
    assert "it holds what spacesim did not write: notes.md" in capsys.readouterr().err
    assert (out / "notes.md").read_text() == "mine" and (out / "abc.db").exists()
    (out / "notes.md").unlink()
    with FolderLock(out).acquire():
        assert main(["calibrate", str(calib), "--out", str(out), "--force"]) == 2
        assert "in use by another spacesim" in capsys.readouterr().err
    assert (out / "abc.db").exists()
