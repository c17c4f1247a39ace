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


# --- a rewrite keeping size and modification time, damaged entries, personal data, clear ------


def _rewrite_keeping_size_and_mtime(path, data: bytes) -> None:
    """Write ``data`` over ``path`` (same size) and put its modification time back."""
    import os

    st = path.stat()
    assert len(data) == st.st_size
    path.write_bytes(data)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert path.stat().st_mtime_ns == st.st_mtime_ns


def _parquet_bytes(frame) -> bytes:
    """A Parquet file whose size does not depend on the values (plain, uncompressed)."""
    import io as _bytes_io

    buf = _bytes_io.BytesIO()
    frame.to_parquet(buf, index=False, compression=None, engine="pyarrow",
                     use_dictionary=False, write_statistics=False)
    return buf.getvalue()


def test_a_panel_rewritten_with_the_same_size_and_mtime_is_not_served_stale(
        data, cache_env, monkeypatch):
    """Fuzhou and Xiamen ARPU x3 in the last month, same size, mtime restored: the next
    batch's ATT is the new one (it was the cached one), equal to a computation without cache."""
    import pandas as pd

    from gotone_analysis import panel
    from gotone_analysis.reports.program_effects import tables as program

    part = data / "panel" / "month=2010-12" / "part-0.parquet"
    frame = pd.read_parquet(part)
    part.write_bytes(_parquet_bytes(frame))  # the same content, in a fixed-size layout
    tripled = frame.copy()
    cities = tripled["city"].isin(["fuzhou", "xiamen"])
    tripled.loc[cities, "arpu"] = tripled.loc[cities, "arpu"] * 3

    def att() -> pd.DataFrame:
        table = panel.panel_table(data)
        return program.care_did(table, outcome="arpu", quarter="2010Q4",
                                scope="xiamen").att_gt

    monkeypatch.setenv(provenance.RUN_ID_ENV, "batch-1")
    before = att()
    _rewrite_keeping_size_and_mtime(part, _parquet_bytes(tripled))
    monkeypatch.setenv(provenance.RUN_ID_ENV, "batch-2")
    after = att()
    assert not after["estimate"].equals(before["estimate"])
    monkeypatch.delenv(provenance.CACHE_DIR_ENV)
    pd.testing.assert_frame_equal(after, att())  # what --no-cache gives


def test_every_batch_hashes_its_inputs_again(data, cache_env, monkeypatch):
    """With the file's identity faked unchanged, a digest still holds only within its batch;
    the run card shows the digest of the bytes there now, also from the records on disk."""
    import hashlib

    wave = data / "survey" / "survey_2010Q4.csv"
    raw = bytearray(wave.read_bytes())
    at = raw.rindex(b"\n", 0, len(raw) - 1) + 1
    while not chr(raw[at]).isdigit():
        at += 1
    raw[at] = ord("1") if raw[at] != ord("1") else ord("2")
    monkeypatch.setattr(provenance, "file_identity", lambda path: "never changes")

    def shown() -> str:
        rows = io.open_dataset(data).inputs(cache_env).set_index("path")
        return rows.loc["survey/survey_2010Q4.csv", "sha256"]

    monkeypatch.setenv(provenance.RUN_ID_ENV, "batch-1")
    old = hashlib.sha256(wave.read_bytes()).hexdigest()
    assert shown() == old and provenance.file_digest(wave) == old
    _rewrite_keeping_size_and_mtime(wave, bytes(raw))
    assert shown() == old  # within one batch a digest is trusted while the identity holds
    monkeypatch.setenv(provenance.RUN_ID_ENV, "batch-2")
    new = hashlib.sha256(bytes(raw)).hexdigest()
    assert shown() == new and provenance.file_digest(wave) == new


def test_a_survey_rewrite_keeping_size_and_mtime_reaches_the_run_card(data, cache_env,
                                                                       monkeypatch):
    import hashlib

    from gotone_analysis import report
    from gotone_analysis.params import PARAMETERS, check_parameters

    wave = data / "survey" / "survey_2009Q4.csv"  # a wave of the report's trends
    P = check_parameters(**{**PARAMETERS, "data_dir": str(data), "lang": "en"})
    monkeypatch.setenv(provenance.RUN_ID_ENV, "batch-1")
    old = hashlib.sha256(wave.read_bytes()).hexdigest()
    assert old in report.run_card(P, P.open_dataset(), "brand_equity")._repr_html_()
    raw = wave.read_bytes()
    _rewrite_keeping_size_and_mtime(wave, raw.replace(b"2009Q4-00001", b"2009Q4-00000", 1))
    monkeypatch.setenv(provenance.RUN_ID_ENV, "batch-2")
    card = report.run_card(P, P.open_dataset(), "brand_equity")._repr_html_()
    assert hashlib.sha256(wave.read_bytes()).hexdigest() in card and old not in card


@pytest.mark.parametrize("damage", ["truncated", "garbage", "bad json", "json list",
                                    "no json", "empty json object"])
def test_a_damaged_entry_is_discarded_and_computed_again(tmp_path, capfd, damage):
    calls = []

    def compute():
        calls.append(1)
        return {"value": 42}

    assert cache.shared("n", compute, depends={}, directory=tmp_path) == {"value": 42}
    key = cache.entry_key("n", {})
    pkl, meta = tmp_path / "n" / f"{key}.pkl", tmp_path / "n" / f"{key}.json"
    if damage == "truncated":
        pkl.write_bytes(pkl.read_bytes()[:-5])
    elif damage == "garbage":
        pkl.write_bytes(b"\x80\x05garbage" + bytes(range(40)))
    elif damage == "bad json":
        meta.write_text("{not json", encoding="utf-8")
    elif damage == "json list":
        meta.write_text("[]", encoding="utf-8")
    elif damage == "no json":
        meta.unlink()
    else:
        meta.write_text("{}", encoding="utf-8")
    capfd.readouterr()
    for _ in range(2):  # discarded once, then read back
        assert cache.shared("n", compute, depends={}, directory=tmp_path) == {"value": 42}
    assert calls == [1, 1]
    err = capfd.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "discarded the damaged entry n/" in err[0], err
    assert len(cache.entries(tmp_path)) == 1


def test_damaged_input_frames_and_records_are_computed_again(data, cache_env, capfd):
    first = io.open_dataset(data).survey("2010Q4")
    for pkl in (cache_env / cache.SHARED_NAME / "input_file").glob("*.pkl"):
        pkl.write_bytes(pkl.read_bytes()[: len(pkl.read_bytes()) // 2])
    (cache_env / "inputs.json").write_text("[]", encoding="utf-8")
    capfd.readouterr()
    ds = io.open_dataset(data)
    again = ds.survey("2010Q4")
    assert again.equals(first)
    assert len(ds.inputs()) > 10
    err = capfd.readouterr().err
    assert "discarded the damaged entry input_file/" in err
    assert "discarded the input records cache/inputs.json" in err


def test_the_cache_holds_no_personal_columns(data, cache_env, monkeypatch):
    import pickle

    from gotone_analysis.contract import TABLES

    assert set(TABLES["survey"].personal) == {"resp_id", "cust_key", "phone"}
    ds = io.open_dataset(data)
    survey = ds.survey()
    assert not set(TABLES["survey"].personal) & set(survey.columns)
    phones = pd_read_phones(data)
    kept = sorted((cache_env / cache.SHARED_NAME).rglob("*.pkl"))
    assert kept
    for pkl in kept:
        value = pickle.loads(pkl.read_bytes())
        frames = [v for v in (value if isinstance(value, tuple) else (value,))
                  if hasattr(v, "columns")]
        for frame in frames:
            assert not set(TABLES["survey"].personal) & set(frame.columns), pkl
        raw = pkl.read_bytes()
        assert not any(p.encode() in raw for p in phones[:200]), pkl
    # the personal columns are still validated: a duplicated respondent id is refused
    wave = data / "survey" / "survey_2010Q4.csv"
    lines = wave.read_text(encoding="utf-8").splitlines(keepends=True)
    wave.write_text("".join([*lines, lines[1]]), encoding="utf-8")
    with pytest.raises(Exception, match="resp_id"):
        io.open_dataset(data).survey("2010Q4")
    # outside a batch (no cache folder) a notebook still gets them
    monkeypatch.delenv(provenance.CACHE_DIR_ENV)
    assert "phone" in io.open_dataset(data).survey("2010Q3").columns


def pd_read_phones(data) -> list[str]:
    import pandas as pd

    frame = pd.read_csv(data / "survey" / "survey_2010Q4.csv", dtype=str, usecols=["phone"])
    return sorted(frame["phone"].dropna())


def test_gotone_cache_clear(data, tmp_path, capsys):
    from filelock import FileLock

    from gotone_analysis import cli, runner
    from gotone_analysis.errors import UsageError

    out = tmp_path / "out"
    assert cli.main(["cache", "clear", "--out", str(out)]) == 0  # nothing to clear
    assert "removed 0 files" in capsys.readouterr().out
    cache.shared("n", lambda: 1, depends={}, directory=out / cache.CACHE_NAME / "shared")
    io.open_dataset(data).inputs(out / cache.CACHE_NAME)
    with FileLock(str(out / runner.LOCK_NAME)):  # a batch running there
        with pytest.raises(UsageError, match="a batch is running on out/"):
            cache.clear(out, lock=out / runner.LOCK_NAME, timeout=0.1)
    assert (out / cache.CACHE_NAME / "inputs.json").exists()
    assert cli.main(["cache", "clear", "--out", str(out)]) == 0
    said = capsys.readouterr().out
    assert "removed 3 files" in said and "out/.cache" in said
    assert not (out / cache.CACHE_NAME).exists()


def test_a_result_shared_by_a_data_sets_inputs(data, cache_env, monkeypatch, tmp_path):
    calls: list[int] = []

    def compute():
        calls.append(1)
        return len(calls)

    ds = io.open_dataset(data)
    for _ in range(2):  # made once, keyed by the survey waves
        assert cache.shared_by_inputs("by_survey", compute, dataset=ds, kinds="survey",
                                      params={"level": 0.95}) == 1
    listed = cache.entries().set_index("name")
    assert "survey/survey_2010Q4.csv" in listed.loc["by_survey", "depends"]
    assert "panel/" not in listed.loc["by_survey", "depends"]
    # a data set made only when a cache holds the result; none to key by: made in place
    assert cache.shared_by_inputs("by_survey", compute, dataset=lambda: ds,
                                  kinds="survey", params={"level": 0.95}) == 1
    assert cache.shared_by_inputs("none", compute, dataset=ds, kinds="nothing") == 2
    assert cache.shared_by_inputs("broken", compute, dataset=lambda: io.open_dataset(
        tmp_path / "missing"), kinds="survey") == 3
    monkeypatch.setenv(cache.NO_CACHE_ENV, "1")
    assert cache.shared_by_inputs("by_survey", compute, dataset=ds, kinds="survey",
                                  params={"level": 0.95}) == 4
    assert calls == [1, 1, 1, 1]
