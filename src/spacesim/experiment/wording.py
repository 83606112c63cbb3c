"""How a batch's refusals name its options: as the command line's flags, or as ``run_batch``'s arguments.

A message that tells a notebook user to "pass --resume" names something
they cannot type; one that tells a shell user "resume=True" likewise.
``run_batch`` words its refusals for Python unless the command line asks
for its own wording.

>>> PYTHON.resume, CLI.resume, PYTHON.another_out, CLI.another_out
('resume=True', '--resume', 'another out folder', 'another --out')
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Wording:
    """The names of the batch options in one interface's terms."""

    resume: str
    force: str
    out: str
    another_out: str
    workers: str
    cluster: str
    method: str
    allow_large: str = "allow_large=True"


CLI = Wording(
    resume="--resume",
    force="--force",
    out="--out",
    another_out="another --out",
    workers="--workers",
    cluster="--cluster",
    method="another --method",
    allow_large="--allow-large",
)
PYTHON = Wording(
    resume="resume=True",
    force="force=True",
    out="out",
    another_out="another out folder",
    workers="workers",
    cluster="cluster",
    method="another sensitivity method",
)
