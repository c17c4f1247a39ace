"""Shared fixtures: the small demo data set, generated once per test run.

With pytest-xdist every worker asks for the same folder; a file lock makes the first
one generate it and the others wait and reuse it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import matplotlib
import pytest
from filelock import FileLock

matplotlib.use("Agg")

DEMO_SEED = 20100330


@pytest.fixture(scope="session")
def small_demo(tmp_path_factory) -> Path:
    """The default small demo data set (seed 20100330), generated once per test run."""
    from gotone_analysis import demo

    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # shared by all workers of this run
    target = root / f"demo_small_{DEMO_SEED}"
    with FileLock(str(target) + ".lock"):
        if not (target / ".complete").exists():
            demo.generate(target, scale="small", seed=DEMO_SEED)
    return target


@pytest.fixture(scope="session")
def demo_batches(small_demo, tmp_path_factory) -> dict[str, Path]:
    """Two published demo batches of 2010Q4, every report, shared by the page checks
    (browser, privacy, language, summary): ``zh`` the province in Chinese, ``en`` Xiamen
    in English. Made once per test run (a file lock, as for :func:`small_demo`)."""
    import io

    from gotone_analysis.report import remove_path
    from gotone_analysis.runner import run_batch

    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent
    target = root / "demo_batches"
    out = {"zh": target / "zh", "en": target / "en"}
    with FileLock(str(target) + ".lock"):
        if not (target / ".complete").exists():
            remove_path(target)
            for lang, scope in (("zh", "province"), ("en", "xiamen")):
                result = run_batch("2010Q4", scope, jobs=2, data_dir=small_demo,
                                   out_dir=out[lang], lang=lang, progress=False,
                                   stream=io.StringIO())
                assert result.exit_code == 0, result.table()
            (target / ".complete").touch()
    return out


@pytest.fixture
def fake_data(tmp_path: Path) -> Path:
    """A one-wave data folder (2010Q4, a valid survey file, marked synthetic) for batches
    of the test notebooks."""
    from fixtures.frames import valid_survey

    root = tmp_path / "data"
    (root / "survey").mkdir(parents=True)
    (root / "MANIFEST.json").write_text(json.dumps({"synthetic": True}), encoding="utf-8")
    valid_survey(quarter="2010Q4").to_csv(root / "survey" / "survey_2010Q4.csv", index=False)
    return root
