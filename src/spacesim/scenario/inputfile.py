"""The one reader of a user's input files (scenarios, experiments, and any later file kind).

A path given by a user may name anything: a device that never ends
(``/dev/zero``), a FIFO that blocks until someone writes, a folder, a
symbolic link loop, a file this user may not read. Only a regular file is
read, through a descriptor opened without blocking and checked again once
open (the path may have been swapped in between), and never more than a
hard byte limit, whatever size the file claims. Every refusal is an
:class:`InputError` naming the file and saying what it is.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from .errors import InputError

#: Largest input file read, in bytes (a scenario of a thousand nations is about 200 kB).
MAX_BYTES = 5_000_000

#: The message for a path that does not exist (callers that look elsewhere match it).
NOT_FOUND = "no such file"

_KINDS = (
    (stat.S_ISDIR, "is a folder, not a file"),
    (stat.S_ISFIFO, "is a FIFO (named pipe), not a regular file"),
    (stat.S_ISCHR, "is a character device, not a regular file"),
    (stat.S_ISBLK, "is a block device, not a regular file"),
    (stat.S_ISSOCK, "is a socket, not a regular file"),
)


def read_input_text(path: str | Path, max_bytes: int = MAX_BYTES) -> str:
    """The UTF-8 text of a regular file of at most ``max_bytes`` bytes.

    Raises :class:`InputError` naming the file when it is missing, not a
    regular file, unreadable, too large or not UTF-8.

    >>> read_input_text("/dev/null")
    Traceback (most recent call last):
    ...
    spacesim.scenario.errors.InputError: /dev/null: is a character device, not a regular file
    """
    data = read_input_bytes(path, max_bytes)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError.single(path, "", f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None


def read_input_bytes(path: str | Path, max_bytes: int = MAX_BYTES) -> bytes:
    """The bytes of a regular file of at most ``max_bytes`` bytes (see :func:`read_input_text`)."""
    try:
        _check_kind(path, os.stat(path), max_bytes)
        # O_NONBLOCK: should a FIFO take the file's place after the check, opening it does not wait for a writer.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise InputError.single(path, "", _os_problem(exc)) from None
    try:
        _check_kind(path, os.fstat(fd), max_bytes)  # what was opened, not what the path named a moment before
        chunks, size = [], 0
        while size <= max_bytes:
            chunk = os.read(fd, min(1 << 20, max_bytes + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise InputError.single(path, "", _os_problem(exc)) from None
    finally:
        os.close(fd)
    if size > max_bytes:
        raise InputError.single(path, "", f"file is more than {max_bytes:,} bytes (the limit); it grew while being read")
    return b"".join(chunks)


def _check_kind(path: str | Path, st: os.stat_result, max_bytes: int) -> None:
    for test, what in _KINDS:
        if test(st.st_mode):
            raise InputError.single(path, "", what)
    if not stat.S_ISREG(st.st_mode):
        raise InputError.single(path, "", "is not a regular file")
    if st.st_size > max_bytes:
        raise InputError.single(path, "", f"file is {st.st_size:,} bytes; the limit is {max_bytes:,}")


def _os_problem(exc: OSError) -> str:
    """What an operating-system error on opening or reading an input file means, in a few words."""
    code = exc.errno
    if code == errno.ENOENT:
        return NOT_FOUND
    if code == errno.ELOOP:
        return "cannot read: a loop of symbolic links"
    if code in (errno.EACCES, errno.EPERM):
        return "cannot read: permission denied"
    if code == errno.ENOTDIR:
        return "no such file (a part of the path is not a folder)"
    if code == errno.ENAMETOOLONG:
        return "cannot read: the name is too long"
    if code == errno.EISDIR:
        return "is a folder, not a file"
    return f"cannot read: {exc.strerror or exc}"
