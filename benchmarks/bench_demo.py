"""Benchmark: generate the full-scale demo data set (the province panel) in a child process.

Prints ``demo_full_seconds=<float>`` (wall time of the child) and
``demo_full_peak_gib=<float>`` (its peak resident memory). Goal on 2 cores: under
180 s and under 4 GiB. Also ``simulate_survey_seconds`` (one simulated quarter, as the
coverage tests draw them).
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_CHILD = (
    "import sys\n"
    "from gotone_analysis.demo import generate\n"
    "generate(sys.argv[1], scale='full', seed=20100330)\n"
)


def run(out: Path | None = None) -> dict[str, float]:
    """Generate the full-scale demo once in a child process and measure it.

    Parameters
    ----------
    out : pathlib.Path, optional
        Destination folder; a temporary folder (removed afterwards) by default.

    Returns
    -------
    dict
        ``demo_full_seconds`` and ``demo_full_peak_gib``.
    """
    with tempfile.TemporaryDirectory(prefix="gotone-bench-") as tmp:
        out = out or Path(tmp) / "demo"
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", _CHILD, str(out)], check=True)
        seconds = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux
    return {"demo_full_seconds": round(seconds, 2),
            "demo_full_peak_gib": round(peak_kib / 1024**2, 3)}


def simulate_survey_seconds(reps: int = 20) -> float:
    """Mean seconds of one :func:`gotone_analysis.demo.simulate_survey` quarter (3,000
    respondents): the coverage tests draw dozens of them."""
    from gotone_analysis.demo import simulate_survey

    simulate_survey("2010Q4", seed=0)  # the model's cached tables
    started = time.perf_counter()
    for seed in range(1, reps + 1):
        simulate_survey("2010Q4", seed=seed)
    return round((time.perf_counter() - started) / reps, 4)


def validate_survey_seconds(reps: int = 5) -> float:
    """Mean seconds to validate one survey quarter (3,000 respondents) against the contract."""
    from gotone_analysis import schema
    from gotone_analysis.demo import simulate_survey

    raw = simulate_survey("2010Q4", seed=1, raw=True).astype(str)
    schema.validate(raw, "survey", expected_quarter="2010Q4")  # warm up
    started = time.perf_counter()
    for _ in range(reps):
        schema.validate(raw, "survey", expected_quarter="2010Q4")
    return round((time.perf_counter() - started) / reps, 4)


def main() -> int:
    """Run the benchmark and print ``name=value`` lines."""
    for name, value in run().items():  # first: the peak memory is that of this child
        print(f"{name}={value}", flush=True)
    print(f"simulate_survey_seconds={simulate_survey_seconds()}")
    print(f"validate_survey_seconds={validate_survey_seconds()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
