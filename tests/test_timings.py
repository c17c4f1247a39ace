"""Where a notebook's seconds go: the phases timed in a kernel (gotone_analysis.timings)."""

from __future__ import annotations

import builtins
import time

import pytest

from gotone_analysis import timings


@pytest.fixture
def recording(tmp_path, monkeypatch):
    path = tmp_path / "timings.json"
    monkeypatch.setenv(timings.TIMINGS_ENV, str(path))
    assert timings.start()
    yield path
    timings.stop()


def test_phases_are_exclusive_and_written_as_they_grow(recording):
    with timings.phase("data"):
        time.sleep(0.05)
        with timings.phase("figures"):
            time.sleep(0.1)
    got = timings.read(recording)
    assert got["figures"] == pytest.approx(0.1, abs=0.04)
    # the inner figure's seconds are not counted again as data
    assert got["data"] == pytest.approx(0.05, abs=0.04)
    assert got == pytest.approx(timings.totals(), abs=1e-3)


def test_first_imports_are_timed_once_and_stop_removes_the_timer(tmp_path, monkeypatch):
    original = builtins.__import__
    monkeypatch.setenv(timings.TIMINGS_ENV, str(tmp_path / "t.json"))
    assert timings.start()
    assert builtins.__import__ is not original  # the timer wraps the original
    import sys

    sys.modules.pop("this_module_does_not_exist", None)
    with pytest.raises(ImportError):
        import this_module_does_not_exist  # noqa: F401
    import colorsys  # noqa: F401 - cheap, maybe first time
    assert timings.totals().get("imports", 0.0) > 0
    timings.stop()
    assert builtins.__import__ is original
    timings.stop()  # twice: harmless
    assert builtins.__import__ is original


def test_nothing_is_recorded_without_the_variable(tmp_path, monkeypatch):
    monkeypatch.delenv(timings.TIMINGS_ENV, raising=False)
    original = builtins.__import__
    assert not timings.start()
    assert builtins.__import__ is original
    with timings.phase("data"):
        pass
    assert timings.totals() == {}


def test_timed_decorator_keeps_the_function():
    @timings.timed("figures")
    def draw(x, *, y=1):
        """Draw."""
        return x + y

    assert draw(1, y=2) == 3
    assert draw.__name__ == "draw" and draw.__doc__ == "Draw."


def test_breakdown_adds_up_to_the_task_seconds():
    got = timings.breakdown(5.0, {"data": 1.0, "figures": 0.5, "imports": 0.25,
                                  "publish": 0.25, "other": 9.0},
                            kernel_wait=1.5, export=0.5)
    assert list(got) == list(timings.PHASES)
    assert got["compute"] == pytest.approx(3.0)
    assert sum(got.values()) == pytest.approx(1.5 + 5.0 + 0.5)
    # phases the kernel over-counted never make compute negative
    assert timings.breakdown(1.0, {"data": 2.0}, kernel_wait=0.1, export=0.1)["compute"] == 0


def test_a_missing_or_broken_file_reads_as_nothing(tmp_path):
    assert timings.read(tmp_path / "none.json") == {}
    (tmp_path / "bad.json").write_text("{", encoding="utf-8")
    assert timings.read(tmp_path / "bad.json") == {}
