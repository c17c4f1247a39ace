"""Tests of the once-per-batch cache: keys, reuse, and invalidation by input and code."""

from __future__ import annotations

import shutil

import pytest

from gotone_analysis import cache, io, provenance


@pytest.fixture()
def data(small_demo, tmp_path):
    """A private copy of the small demo (its files are changed by the tests)."""
    dest = tmp_path / "demo"
    shutil.copytree(small_demo, dest)
    return dest


@pytest.fixture()
def cache_env(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv(provenance.CACHE_DIR_ENV, str(folder))
    monkeypatch.delenv(cache.NO_CACHE_ENV, raising=False)
    return folder


def _entries(ds, calls):
    """Three shared results: one on the panel, one on the 2010Q4 wave, one on the KPIs."""
    specs = {
        "on_panel": ("panel", None),
        "on_wave": ("survey", "2010Q4"),
        "on_kpi": ("kpi", None),
    }
    out = {}
    for name, (kind, quarter) in specs.items():
        def compute(name=name):
            calls.append(name)
            return {"value": name}
        out[name] = cache.shared(name, compute, depends=cache.input_digests(ds, kind, quarter),
                                 params={"quarter": "2010Q4"})
    return out


def test_shared_result_computed_once_then_read(data, cache_env):
    calls: list[str] = []
    ds = io.open_dataset(data)
    first = _entries(ds, calls)
    assert calls == ["on_panel", "on_wave", "on_kpi"]
    again = _entries(io.open_dataset(data), calls)
    assert calls == ["on_panel", "on_wave", "on_kpi"]  # nothing recomputed
    assert again == first
    listed = cache.entries()
    assert sorted(listed["name"]) == ["on_kpi", "on_panel", "on_wave"]
    assert listed.set_index("name").loc["on_wave", "depends"] == "survey/survey_2010Q4.csv"


def test_one_changed_byte_invalidates_exactly_its_dependants(data, cache_env):
    calls: list[str] = []
    _entries(io.open_dataset(data), calls)
    calls.clear()
    wave = data / "survey" / "survey_2010Q4.csv"
    raw = bytearray(wave.read_bytes())
    at = raw.rindex(b"\n", 0, len(raw) - 1) + 1  # a digit of the last row
    while not chr(raw[at]).isdigit():
        at += 1
    raw[at] = ord("1") if raw[at] != ord("1") else ord("2")
    wave.write_bytes(bytes(raw))
    _entries(io.open_dataset(data), calls)
    assert calls == ["on_wave"]
    # the superseded entry of the wave is gone; one entry per result remains
    assert sorted(cache.entries()["name"]) == ["on_kpi", "on_panel", "on_wave"]

    calls.clear()
    part = sorted((data / "panel").rglob("*.parquet"))[0]
    raw = bytearray(part.read_bytes())
    raw[len(raw) // 2] ^= 0x01  # one byte of one panel file (its footer stays readable)
    part.write_bytes(bytes(raw))
    _entries(io.open_dataset(data), calls)
    assert calls == ["on_panel"]


def test_code_version_and_parameters_are_part_of_the_key():
    deps = {"survey/survey_2010Q4.csv": "ab" * 32}
    base = cache.entry_key("x", deps, {"quarter": "2010Q4"}, code="v1")
    assert base == cache.entry_key("x", dict(deps), {"quarter": "2010Q4"}, code="v1")
    assert base != cache.entry_key("x", deps, {"quarter": "2010Q4"}, code="v2")
    assert base != cache.entry_key("x", deps, {"quarter": "2010Q3"}, code="v1")
    assert base != cache.entry_key("y", deps, {"quarter": "2010Q4"}, code="v1")
    assert len(provenance.code_digest()) == 64


def test_without_cache_folder_or_disabled_it_computes(tmp_path, monkeypatch):
    calls = []
    monkeypatch.delenv(provenance.CACHE_DIR_ENV, raising=False)
    for _ in range(2):
        cache.shared("n", lambda: calls.append(1) or 7, depends={})
    assert calls == [1, 1]
    monkeypatch.setenv(provenance.CACHE_DIR_ENV, str(tmp_path))
    monkeypatch.setenv(cache.NO_CACHE_ENV, "1")
    assert cache.cache_dir() is None
    cache.shared("n", lambda: calls.append(1) or 7, depends={})
    assert calls == [1, 1, 1]


def test_failed_computation_is_not_kept(tmp_path):
    def boom():
        raise ValueError("bad")

    with pytest.raises(ValueError):
        cache.shared("bad", boom, depends={}, directory=tmp_path)
    assert cache.entries(tmp_path).empty
    assert cache.shared("bad", lambda: 3, depends={}, directory=tmp_path) == 3


def test_panel_validated_once_per_panel_version(data, cache_env, monkeypatch):
    from gotone_analysis import schema

    seen = []
    real = schema.validate_panel
    monkeypatch.setattr(schema, "validate_panel",
                        lambda *a, **k: seen.append(1) or real(*a, **k))
    io.open_dataset(data).panel_path()
    io.open_dataset(data).panel_path()
    assert len(seen) == 1
    assert "panel_validation" in set(cache.entries()["name"])


def test_input_files_read_once_per_batch_and_again_only_when_changed(data, cache_env,
                                                                     monkeypatch):
    """A kernel reads each survey file from the batch's cache; one changed byte re-reads it."""
    import pandas as pd

    from gotone_analysis.io import dataset as dataset_module

    seen = []
    real = dataset_module.load_file
    monkeypatch.setattr(dataset_module, "load_file",
                        lambda f, *a, **k: seen.append(f.name) or real(f, *a, **k))
    first = io.open_dataset(data).survey()
    files = sorted(set(seen))
    assert len(files) == len(seen) > 1
    seen.clear()
    ds = io.open_dataset(data)
    again = ds.survey()
    assert seen == []  # every file came from the cache
    pd.testing.assert_frame_equal(again, first)
    assert set(ds.sources()["path"]) >= {f"survey/{f}" for f in files}  # still on the run card
    target = sorted((data / "survey").glob("survey_*.csv"))[-1]
    raw = target.read_bytes()
    target.write_bytes(raw.replace(b"\n", b"\r\n", 1))  # one byte more, same content
    io.open_dataset(data).survey()
    assert seen == [target.name]
    # a bad file is refused by every kernel, never cached
    target.write_bytes(b"")
    for _ in range(2):
        with pytest.raises(Exception, match=target.name):
            io.open_dataset(data).survey()
