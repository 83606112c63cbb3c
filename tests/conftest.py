"""Shared fixtures (small hand-written scenarios, a Dask cluster) and the test lanes' markers."""

from __future__ import annotations

import inspect
import multiprocessing.util
import os
import sys
import textwrap
import types
from pathlib import Path

import pytest

from spacesim import SpaceModel, parse_scenario

from .clusters import start_cluster, venv_worker

TINY = textwrap.dedent(
    """\
    schema_version: 1
    name: tiny
    description: Three nations for rule tests.
    steps: 10
    seed: 1
    initial_debris: 10000
    nations:
      - {name: Alpha, code: AAA, sovereignty: 0.5, capability: 1.0, threat_perception: 0.0, political_stability: 1.0, bloc: west}
      - {name: Beta, code: BBB, sovereignty: 0.5, capability: 1.0, threat_perception: 0.0, political_stability: 1.0, bloc: west}
      - {name: Gamma, code: CCC, sovereignty: 0.5, capability: 0.5, threat_perception: 0.0, political_stability: 1.0, bloc: east, counterspace: 1.0}
    trust:
      default: 0.5
      same_bloc: 0.675
    frameworks:
      - {name: Club, code: CLUB, members: [AAA, BBB], integration: 1.0, domain: joint_command}
    """
)


@pytest.fixture
def tiny_text() -> str:
    """YAML text of a three-nation scenario."""
    return TINY


@pytest.fixture
def tiny_spec():
    """The three-nation scenario, validated."""
    return parse_scenario(TINY, "tiny.yaml")


@pytest.fixture
def quiet_params() -> dict:
    """Overrides that switch off every random event, so rules can be tested alone."""
    return dict(
        asat_rate=0.0,
        cyber_rate=0.0,
        government_change_rate=0.0,
        collision_rate=0.0,
        leak_rate=0.0,
        defection_temptation=0.0,
        misperception=0.0,
    )


@pytest.fixture
def tiny_model(tiny_spec, quiet_params):
    """A model of the tiny scenario with no random events."""
    return SpaceModel(tiny_spec, rng=0, **quiet_params)


@pytest.fixture(scope="session")
def dask_cluster(tmp_path_factory: pytest.TempPathFactory):
    """A real Dask scheduler and two single-threaded workers of this venv (which import spacesim) on 127.0.0.1, shared by the session.

    Started when a test first asks for it, stopped at the end of the session.
    Tests that harm or reconfigure their workers start their own (tests/clusters.py).
    """
    folder = tmp_path_factory.mktemp("dask-cluster")
    with start_cluster(folder, venv_worker(), {}) as address:
        yield address


# ---------------------------------------------------------------------------
# Test lanes (see pyproject.toml's markers and `make check` / `make test`).
#
# `make check` runs the fast lane: every test that carries none of the slow
# lanes' markers (unit, doctest and property tests). `make test` and CI run
# everything. The markers are set here where they follow from what a test
# uses, so that a new test lands in the right lane without remembering to:
#
# * cluster     - it uses a fixture that starts a Dask scheduler and workers;
# * browser     - it uses the ``chromium`` fixture;
# * subprocess  - its code, one of its fixtures, or a function of the tests
#                 that these call, starts a process with the ``subprocess``
#                 module (the command line, a server, a probe); a test that
#                 starts a pool of worker processes is marked by hand;
# * statistical - it is marked ``slow`` (the older name, still accepted).
#
# A test without any of these markers that starts this environment's Python
# (the command line, a Dask worker, a probe, a pool's worker) or forks is an
# error at its teardown, so the fast lane cannot quietly grow a subprocess.
# ---------------------------------------------------------------------------

SLOW_LANES = ("statistical", "subprocess", "cluster", "browser")
CLUSTER_FIXTURES = frozenset({"dask_cluster", "bare_dask_cluster", "dask_cluster_own_cache"})
BROWSER_FIXTURES = frozenset({"chromium"})
_STARTERS = frozenset({"run", "Popen", "check_call", "check_output", "call", "getoutput", "getstatusoutput"})


def _names_a_subprocess(code: types.CodeType, space: dict, seen: set) -> bool:
    """Whether ``code`` (or code nested in it, or a function of the tests' own modules it names) calls the ``subprocess`` module."""
    if code in seen:
        return False
    seen.add(code)
    names = set(code.co_names)
    if "subprocess" in names and names & _STARTERS:
        return True
    for const in code.co_consts:
        if isinstance(const, types.CodeType) and _names_a_subprocess(const, space, seen):
            return True
    for name in names:
        helper = space.get(name)
        if isinstance(helper, types.FunctionType) and helper.__module__.startswith("tests.") and _names_a_subprocess(helper.__code__, helper.__globals__, seen):
            return True
    return False


def _starts_a_subprocess(item: pytest.Item) -> bool:
    if not isinstance(item, pytest.Function):  # a doctest
        return False
    functions = [item.function]
    for defs in item._fixtureinfo.name2fixturedefs.values():
        functions += [d.func for d in defs if d.func.__module__.startswith("tests")]
    seen: set = set()
    for function in functions:
        function = inspect.unwrap(function)
        if _names_a_subprocess(function.__code__, function.__globals__, seen):
            return True
    return False


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        if item.get_closest_marker("slow"):
            item.add_marker(pytest.mark.statistical)
        if used & CLUSTER_FIXTURES:
            item.add_marker(pytest.mark.cluster)
        if used & BROWSER_FIXTURES:
            item.add_marker(pytest.mark.browser)
        if _starts_a_subprocess(item):
            item.add_marker(pytest.mark.subprocess)


_LAUNCHED: list[str] = []


def _program(executable: object, argv: object) -> Path | None:
    """The program that ``subprocess.Popen(argv, executable=executable)`` starts."""
    if isinstance(executable, (str, bytes, os.PathLike)):
        return Path(os.fsdecode(executable))
    if isinstance(argv, (str, bytes, os.PathLike)):
        words = os.fsdecode(argv).split()
        return Path(words[0]) if words else None
    if isinstance(argv, (list, tuple)) and argv and isinstance(argv[0], (str, bytes, os.PathLike)):
        return Path(os.fsdecode(argv[0]))
    return None


def _audit(event: str, args: tuple) -> None:
    """Note each start of this environment's Python or of one of its scripts (spacesim, dask)."""
    if event == "os.fork":  # a pool of the fork kind (calibration's), or a fork by hand
        _LAUNCHED.append("a forked process")
    elif event == "subprocess.Popen":
        program = _program(args[0], args[1])
        here = Path(sys.executable)
        if program is not None and (program in (here, Path(getattr(sys, "_base_executable", here))) or program.parent == here.parent):
            _LAUNCHED.append(str(args[1])[:200])


sys.addaudithook(_audit)
_spawn = multiprocessing.util.spawnv_passfds  # how a process pool of the spawn or forkserver kind starts each worker


def _spawning(path, args, passfds):  # noqa: ANN001, ANN202 - multiprocessing's own signature
    if any("spawn_main" in str(a) for a in args):  # a pool's worker (not the resource tracker, which is started once per process)
        _LAUNCHED.append(f"a process pool's worker: {os.fsdecode(path)}")
    return _spawn(path, args, passfds)


multiprocessing.util.spawnv_passfds = _spawning


@pytest.fixture(autouse=True)
def _lane_guard(request: pytest.FixtureRequest):
    """Fail a test of the fast lane (none of the slow lanes' markers) that started this environment's Python or forked."""
    start = len(_LAUNCHED)
    yield
    launched = _LAUNCHED[start:]
    if launched and not any(request.node.get_closest_marker(m) for m in SLOW_LANES):
        what = f"{request.node.nodeid} started {len(launched)} process(es) of this environment ({launched[0]})"
        pytest.fail(f"{what} but is in the fast lane: mark it @pytest.mark.subprocess", pytrace=False)
