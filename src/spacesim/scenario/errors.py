"""The one exception that input problems raise, and its parts."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file: where it is and what is wrong."""

    file: str
    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
        field = f" {self.path}:" if self.path else ""
        return f"{where}:{field} {self.message}"


class InputError(Exception):
    """A user's file or option is invalid. Carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @classmethod
    def single(cls, file: str | Path, path: str, message: str, line: int | None = None) -> InputError:
        """An error with one problem."""
        return cls([Problem(str(file), path, message, line)])


class RunFailed(Exception):
    """A simulation could not go on (its state overflowed, for instance): the run is reported as failed, never completed."""


class LargeInputWarning(UserWarning):
    """A valid input that will take long or use much of this machine's memory (the message says how much)."""
