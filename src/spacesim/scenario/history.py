"""Observed history shipped as data (``history/`` in the repository): typed, validated, as tables.

Each file in ``src/spacesim/history/`` (linked as ``history/`` at the top
level) is one set of observations, in YAML read through the same safe reader
as scenarios (so a problem is reported as ``file:line: rows[3].date: ...``,
exit status 2). A file declares its ``kind``, the ``sources`` it cites (by a
short key: publisher, title, date, URL) and ``rows``, one per observation,
each naming its ``source`` and carrying ``uncertain`` and ``note``. A date
that could not be found is left empty (``date: null``) with a note saying so:
never guessed.

Kinds of file and their rows:

- ``accessions`` (a framework's members and the day each joined): ``nation``,
  ``name``, ``date``, and where the day is unknown the bounds the sources
  allow (``not_before``, ``not_after``). The file names the scenario
  ``framework`` code and the day the framework was ``opened``.
- ``votes`` (a recorded vote): ``nation``, ``name``, ``vote`` (yes, no,
  abstain). ``complete: false`` when only some states' votes could be
  found; ``missing`` then says what is not there, and ``totals`` gives the
  published totals all the same.
- ``asat_tests`` (destructive direct-ascent ASAT tests): ``year``, ``date``,
  ``actor``, ``target``, ``altitude_km``, ``debris``.

Every file gives ``totals`` (the published counts, cited by
``totals_source``) and ``as_of`` (the day the file is complete to).

The API (stable; other modules build on it):

- :data:`HISTORY_DIR`, :func:`shipped_histories` ``-> {name: Path}``;
  ``spacesim validate history/*.yaml`` checks the files (exit status 2 on a
  problem)
- :func:`load_history` ``(name_or_path) -> History`` (a typed, validated
  file: ``.spec`` is the pydantic object, ``.frame()`` a tidy DataFrame with
  one row per observation and a ``citation`` and ``url`` column)
- :func:`framework_accessions` ``(name="artemis_accords", *, until=None,
  nations=None) -> DataFrame`` columns ``nation, name, date, not_before,
  not_after, uncertain, note, source, citation, url``, sorted by date
  (undated rows last)
- :func:`membership_counts` ``(name, start_year, steps, step_meaning="quarter",
  *, nations=None, undated="drop") -> DataFrame`` columns ``step, date,
  members`` (members at the end of each step; undated rows dropped or
  counted from ``not_after``)
- :func:`votes` ``(name="unga_77_41") -> DataFrame`` columns ``nation, name,
  vote, ...``; :func:`asat_tests` ``(name="asat_tests") -> DataFrame``
- :func:`history_from_data` ``(data, filename, lines=None) -> spec`` and
  :func:`is_history_data` ``(data) -> bool`` for already-parsed YAML
- :func:`date_to_step` ``(day, start_year, step_meaning="quarter") -> int``
  and :func:`step_start` ``(step, start_year, step_meaning="quarter") -> date``:
  step 1 is the first period of ``start_year`` (with quarters, January to
  March), the step during which something dated in it happens; step 0 and
  below are before the run.

A run is set against an accessions file through the file's ``framework``
code: it is the code of the framework in the scenario (``history_2020``
founds ``ARTEMIS`` and ``DAASAT`` on their real days), and the model's
``partnerships_frame()`` has a ``membership`` row per nation and framework
with its ``start_step`` and ``end_step``.

>>> date_to_step(datetime.date(2020, 10, 13), 2020)
4
>>> step_start(4, 2020)
datetime.date(2020, 10, 1)
>>> accessions = framework_accessions("artemis_accords", until=datetime.date(2020, 10, 13))
>>> sorted(accessions.nation)
['ARE', 'AUS', 'CAN', 'GBR', 'ITA', 'JPN', 'LUX', 'USA']
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Literal

import pandas as pd
from pydantic import Field, StrictBool, ValidationError, model_validator

from .errors import InputError, Problem
from .loader import _line, pydantic_problems
from .schema import STEPS_PER_YEAR, Float, Int, NationCode, Strict
from .yamlfile import LineMap, dotted_path, read_yaml

HISTORY_DIR = Path(__file__).resolve().parent.parent / "history"


SourceKey = str


class Source(Strict):
    """A citation: who published what, when, and where to find it."""

    publisher: str = Field(min_length=1)
    title: str = Field(min_length=1)
    date: datetime.date | None = Field(None, description="Publication date, if known.")
    url: str | None = Field(None, min_length=8)
    note: str = ""


class Observation(Strict):
    """Fields every row has: where it comes from and how sure it is."""

    source: SourceKey = Field(min_length=1)
    uncertain: StrictBool = False
    note: str = ""


class _Dated(Observation):
    date: datetime.date | None = Field(description="The day; null when it could not be found (then say so in note).")

    @model_validator(mode="after")
    def _unknown_date_is_explained(self) -> "_Dated":
        if self.date is None and not (self.uncertain and self.note.strip()):
            raise ValueError("a row without a date must be marked uncertain: true and say in note why the date is unknown")
        return self


class Accession(_Dated):
    """A state joins a framework on a day (or, when the day is unknown, within the bounds found)."""

    nation: NationCode
    name: str = Field(min_length=1)
    not_before: datetime.date | None = Field(None, description="Earliest day the sources allow, when the day itself is unknown.")
    not_after: datetime.date | None = Field(None, description="Latest day the sources allow, when the day itself is unknown.")

    @model_validator(mode="after")
    def _bounds_hold(self) -> "Accession":
        low, high = self.not_before or self.date, self.not_after or self.date
        if low is not None and high is not None and low > high:
            raise ValueError(f"not_before/date/not_after are out of order ({self.not_before}, {self.date}, {self.not_after})")
        if self.date is not None and (self.not_before is not None and self.not_before > self.date or self.not_after is not None and self.not_after < self.date):
            raise ValueError("date lies outside not_before..not_after")
        return self


class Vote(Observation):
    """One state's vote on a resolution."""

    nation: NationCode
    name: str = Field(min_length=1)
    vote: Literal["yes", "no", "abstain"]


class AsatTest(_Dated):
    """A destructive direct-ascent anti-satellite test."""

    year: Int = Field(ge=1957, le=2100)
    actor: NationCode
    target: str = Field(min_length=1, description="The satellite destroyed.")
    altitude_km: Float | None = Field(None, gt=0)
    debris: Int | None = Field(None, ge=0, description="Pieces catalogued or tracked, where a figure was found (see note for what and when).")

    @model_validator(mode="after")
    def _year_matches_date(self) -> "AsatTest":
        if self.date is not None and self.date.year != self.year:
            raise ValueError(f"date {self.date} is not in year {self.year}")
        return self


class _HistoryBase(Strict):
    schema_version: Literal[1]
    name: str = Field(min_length=1)
    title: str = Field(min_length=1)
    description: str = Field(min_length=1)
    as_of: datetime.date = Field(description="The rows are complete (or as complete as said) to this day.")
    totals: dict[str, Int] = Field(description="Published counts, e.g. {members: 59} or {yes: 155, no: 9, abstain: 9}.")
    totals_source: SourceKey = Field(min_length=1)
    complete: StrictBool = Field(True, description="Whether every observation behind totals is a row.")
    missing: str = Field("", description="What is not in the rows when complete is false.")
    sources: dict[SourceKey, Source] = Field(min_length=1)

    @model_validator(mode="after")
    def _incomplete_says_what_is_missing(self) -> "_HistoryBase":
        if not self.complete and not self.missing.strip():
            raise ValueError("a file with complete: false must say in missing what is not there")
        return self


class AccessionHistory(_HistoryBase):
    """Who joined a framework, and when."""

    kind: Literal["accessions"]
    framework: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_-]{0,31}$", description="The framework's code in scenarios.")
    opened: datetime.date = Field(description="The day the framework was founded.")
    rows: list[Accession] = Field(min_length=1)


class VoteHistory(_HistoryBase):
    """How states voted on a resolution."""

    kind: Literal["votes"]
    resolution: str = Field(min_length=1)
    voted: datetime.date
    rows: list[Vote] = Field(min_length=1)


class AsatTestHistory(_HistoryBase):
    """Destructive ASAT tests."""

    kind: Literal["asat_tests"]
    rows: list[AsatTest] = Field(min_length=1)


HistorySpec = AccessionHistory | VoteHistory | AsatTestHistory
_KINDS: dict[str, type[_HistoryBase]] = {"accessions": AccessionHistory, "votes": VoteHistory, "asat_tests": AsatTestHistory}


@dataclass(frozen=True)
class History:
    """A loaded history file: its validated ``spec`` and where it came from."""

    spec: HistorySpec
    path: Path

    @property
    def kind(self) -> str:
        return self.spec.kind

    def citation(self, key: SourceKey) -> str:
        """``Publisher, "Title", 2020-10-13`` for a source key."""
        s = self.spec.sources[key]
        return f'{s.publisher}, "{s.title}"' + (f", {s.date.isoformat()}" if s.date else ", date unknown")

    def frame(self) -> pd.DataFrame:
        """One row per observation, with its citation and URL; dates as ``datetime64`` (NaT when unknown)."""
        records = []
        for row in self.spec.rows:
            record = row.model_dump()
            record["citation"] = self.citation(row.source)
            record["url"] = self.spec.sources[row.source].url
            records.append(record)
        frame = pd.DataFrame.from_records(records)
        for column in ("date", "not_before", "not_after"):
            if column in frame:
                frame[column] = pd.to_datetime(frame[column])
        for column in ("source", "note", "citation", "url", "nation", "name", "vote", "actor", "target"):
            if column in frame:
                frame[column] = frame[column].astype("string")
        return frame


def shipped_histories() -> dict[str, Path]:
    """Shipped history files by name (file stem), sorted."""
    return {p.stem: p for p in sorted(HISTORY_DIR.glob("*.yaml"))}


def load_history(name_or_path: str | Path) -> History:
    """Read and validate a history file, by shipped name (``"artemis_accords"``) or path.

    Raises :class:`InputError` naming the file, the row, the field and what is wrong.
    """
    shipped = shipped_histories()
    path = shipped[name_or_path] if isinstance(name_or_path, str) and name_or_path in shipped else Path(name_or_path)
    if isinstance(name_or_path, str) and not path.suffix and not path.exists():
        raise InputError.single(name_or_path, "", f"no shipped history {name_or_path!r}; there are: {', '.join(shipped)}")
    data, lines = read_yaml(path)
    return History(history_from_data(data, str(path), lines), path)


def is_history_data(data: Any) -> bool:
    """Whether parsed YAML looks like an observed-history file (a ``kind`` of history and ``rows``) rather than a scenario or experiment."""
    return isinstance(data, dict) and data.get("kind") in _KINDS and "rows" in data and "nations" not in data


def history_from_data(data: Any, filename: str, lines: LineMap | None = None) -> HistorySpec:
    """Validate already-parsed history data (see :func:`load_history`)."""
    lines = lines or {}
    if not isinstance(data, dict):
        raise InputError.single(filename, "", "a history file must be a mapping of fields (schema_version, kind, sources, rows, ...)", lines.get(()))
    totals = data.get("totals")
    if isinstance(totals, dict) and any(isinstance(key, bool) for key in totals):
        raise InputError.single(filename, "totals", "a key reads as true/false: YAML takes bare yes/no as booleans, so write \"yes\" and \"no\" in quotes", _line(lines, ("totals",)))
    kind = data.get("kind")
    if kind not in _KINDS:
        raise InputError.single(filename, "kind", f"must be one of {', '.join(_KINDS)} (got {kind!r})", _line(lines, ("kind",)))
    try:
        spec = _KINDS[kind].model_validate(data)
    except ValidationError as exc:
        raise InputError(pydantic_problems(exc, filename, lines)) from None
    problems = _cross_problems(spec, filename, lines)  # type: ignore[arg-type]
    if problems:
        raise InputError(problems)
    return spec  # type: ignore[return-value]


def _cross_problems(spec: HistorySpec, filename: str, lines: LineMap) -> list[Problem]:
    problems: list[Problem] = []

    def bad(loc: tuple, message: str) -> None:
        problems.append(Problem(filename, dotted_path(loc), message, _line(lines, loc)))

    if spec.totals_source not in spec.sources:
        bad(("totals_source",), f"no source {spec.totals_source!r} in sources")
    seen: set[str] = set()
    for i, row in enumerate(spec.rows):
        if row.source not in spec.sources:
            bad(("rows", i, "source"), f"no source {row.source!r} in sources; there are: {', '.join(spec.sources)}")
        day = getattr(row, "date", None)
        if day is not None and day > spec.as_of:
            bad(("rows", i, "date"), f"{day} is after as_of ({spec.as_of})")
        if isinstance(spec, AccessionHistory) and day is not None and day < spec.opened:
            bad(("rows", i, "date"), f"{day} is before the framework opened ({spec.opened})")
        if isinstance(row, Accession):
            if row.not_after is not None and row.not_after > spec.as_of:
                bad(("rows", i, "not_after"), f"{row.not_after} is after as_of ({spec.as_of})")
            if row.not_before is not None and isinstance(spec, AccessionHistory) and row.not_before < spec.opened:
                bad(("rows", i, "not_before"), f"{row.not_before} is before the framework opened ({spec.opened})")
        nation = getattr(row, "nation", None)
        if nation is not None:
            if nation in seen:
                bad(("rows", i, "nation"), f"{nation!r} is listed twice")
            seen.add(nation)
    if isinstance(spec, AccessionHistory):
        counts = {"members": len(spec.rows)}
    elif isinstance(spec, VoteHistory):
        counts = {v: sum(r.vote == v for r in spec.rows) for v in ("yes", "no", "abstain")}
    else:
        counts = {"tests": len(spec.rows)}
    for key, total in spec.totals.items():
        if key not in counts:
            bad(("totals", key), f"unknown total; a {spec.kind} file counts {', '.join(counts)}")
        elif spec.complete and counts[key] != total:
            bad(("totals", key), f"the file is complete but has {counts[key]} rows for {key}, not {total}")
        elif counts[key] > total:
            bad(("totals", key), f"{counts[key]} rows for {key}, more than the total {total}")
    return problems


# ------------------------------------------------------------------ tables
def framework_accessions(name: str | Path = "artemis_accords", *, until: datetime.date | None = None, nations: Iterable[str] | None = None) -> pd.DataFrame:
    """Members of a framework with the day each joined, sorted by date (undated rows last).

    ``until`` keeps accessions on or before that day (undated rows are then
    dropped: they cannot be placed); ``nations`` keeps only those codes (e.g.
    a scenario's nations).
    """
    history = load_history(name)
    if history.kind != "accessions":
        raise InputError.single(history.path, "kind", f"is {history.kind!r}; framework_accessions needs an accessions file")
    frame = history.frame()
    if until is not None:
        frame = frame[frame["date"].notna() & (frame["date"] <= pd.Timestamp(until))]
    if nations is not None:
        frame = frame[frame["nation"].isin(set(nations))]
    columns = ["nation", "name", "date", "not_before", "not_after", "uncertain", "note", "source", "citation", "url"]
    return frame.sort_values(["date", "nation"], na_position="last", kind="stable")[columns].reset_index(drop=True)


def membership_counts(name: str | Path, start_year: int, steps: int, step_meaning: str = "quarter", *, nations: Iterable[str] | None = None, undated: Literal["drop", "not_after"] = "drop") -> pd.DataFrame:
    """Observed members at the end of each step 0..steps of a run whose step 1 begins on 1 January of ``start_year``.

    Columns ``step``, ``date`` (the first day of the next step, i.e. the end
    of this one) and ``members``. Rows without a date are left out
    (``undated="drop"``) or counted from their ``not_after`` bound
    (``undated="not_after"``: the latest day the sources allow).
    """
    accessions = framework_accessions(name, nations=nations)
    days = accessions["date"]
    if undated == "not_after":
        days = days.fillna(accessions["not_after"])
    joined = [date_to_step(d.date(), start_year, step_meaning) for d in days.dropna()]
    rows = [{"step": k, "date": pd.Timestamp(step_start(k + 1, start_year, step_meaning)), "members": sum(j <= k for j in joined)} for k in range(steps + 1)]
    return pd.DataFrame(rows)


def votes(name: str | Path = "unga_77_41") -> pd.DataFrame:
    """Each state's recorded vote (only the states found, when the file is not complete: see its ``missing``)."""
    history = load_history(name)
    if history.kind != "votes":
        raise InputError.single(history.path, "kind", f"is {history.kind!r}; votes needs a votes file")
    return history.frame()


def asat_tests(name: str | Path = "asat_tests") -> pd.DataFrame:
    """Destructive direct-ascent ASAT tests, one row each, in time order."""
    history = load_history(name)
    if history.kind != "asat_tests":
        raise InputError.single(history.path, "kind", f"is {history.kind!r}; asat_tests needs an asat_tests file")
    return history.frame().sort_values("year", kind="stable").reset_index(drop=True)


# ------------------------------------------------------------------ calendar
def _per_year(step_meaning: str) -> int:
    per_year = STEPS_PER_YEAR.get(step_meaning.strip().lower())
    if per_year is None:
        raise ValueError(f"step_meaning {step_meaning!r} has no calendar; use one of {', '.join(STEPS_PER_YEAR)}")
    return per_year


def date_to_step(day: datetime.date, start_year: int, step_meaning: str = "quarter") -> int:
    """The step during which ``day`` falls, for a run whose step 1 begins on 1 January of ``start_year``.

    >>> date_to_step(datetime.date(2022, 4, 18), 2020)
    10
    >>> date_to_step(datetime.date(2019, 12, 31), 2020)
    0
    """
    per_year = _per_year(step_meaning)
    return (day.year - start_year) * per_year + (day.month - 1) * per_year // 12 + 1


def step_start(step: int, start_year: int, step_meaning: str = "quarter") -> datetime.date:
    """The first day of ``step`` (step 1 begins on 1 January of ``start_year``)."""
    per_year = _per_year(step_meaning)
    year, period = divmod(step - 1, per_year)
    return datetime.date(start_year + year, period * 12 // per_year + 1, 1)
