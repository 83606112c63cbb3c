"""Ctrl-C while SQLAlchemy closes the history's connection is a stop, not an error with a traceback (stop 12's CI flake)."""

from __future__ import annotations

import logging
import time

from spacesim.calibration.runner import quiet_interrupted_closes


def _log_close_failure(exc: BaseException) -> None:
    try:
        raise exc
    except BaseException:
        logging.getLogger("sqlalchemy.pool.impl.NullPool").error("Exception closing connection %r", "<sqlite3.Connection>", exc_info=True)


def test_an_interrupted_close_is_not_logged_but_other_failures_are(caplog):
    quiet_interrupted_closes()
    quiet_interrupted_closes()  # once per process: a second call adds no second handler
    assert len(logging.getLogger("sqlalchemy.pool").handlers) == 1
    with caplog.at_level(logging.WARNING):
        _log_close_failure(KeyboardInterrupt())
        assert not caplog.records
        _log_close_failure(OSError("disk I/O error"))
    assert [r.getMessage() for r in caplog.records] == ["Exception closing connection '<sqlite3.Connection>'"]
    assert caplog.records[0].exc_info[0] is OSError


class _InterruptedFinalizer:
    def __del__(self):
        raise KeyboardInterrupt


def test_an_interrupt_that_lands_in_a_finalizer_is_raised_again():
    from spacesim.calibration.runner import interrupts_redelivered

    caught = False
    with interrupts_redelivered():
        try:
            obj = _InterruptedFinalizer()
            del obj  # Python can only print "Exception ignored in ..." for this one
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:  # the SIGINT sent again arrives within ~10 ms
                time.sleep(0.01)
        except KeyboardInterrupt:
            caught = True
    assert caught
