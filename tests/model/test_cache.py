"""Numba's cache of the model's kernels follows every file of the model, not only each kernel's own file."""

from __future__ import annotations

from spacesim.model import _cache, equations, step
from spacesim.model.rules import bilateral


def test_every_kernel_is_cached_under_the_whole_packages_stamp():
    """A kernel inlines formulas from equations.py; a change there must recompile it, so its stamp is the package's."""
    for kernel in (equations.sharing_depth, bilateral._review, step._step):
        locator = kernel._cache._impl.locator
        assert isinstance(locator, _cache.LOCATORS)
        assert locator.get_source_stamp() == _cache.source_stamp()


def test_the_stamp_changes_when_any_file_changes(tmp_path):
    (tmp_path / "a.py").write_text("x = 1\n")
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "b.py").write_text("y = 2\n")
    before = _cache.source_stamp(tmp_path)
    assert _cache.source_stamp(tmp_path) == before
    (tmp_path / "rules" / "b.py").write_text("y = 20\n")
    assert _cache.source_stamp(tmp_path) != before


def test_the_stamp_follows_the_declarations_whose_codes_compiled_code_holds(monkeypatch):
    """Event kinds and domains are compile-time codes in the handlers: a change to the catalogue or the schema recompiles them."""
    assert all(f.exists() for f in _cache.DECLARATIONS)
    with_declarations = _cache.source_stamp()
    monkeypatch.setattr(_cache, "DECLARATIONS", ())
    assert _cache.source_stamp() != with_declarations
