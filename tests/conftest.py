"""Shared fixtures: the small demo data set, generated once per test run.

With pytest-xdist every worker asks for the same folder; a file lock makes the first
one generate it and the others wait and reuse it.
"""

from __future__ import annotations

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
