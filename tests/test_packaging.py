"""The environment and the notebooks as committed: pins in step, notebooks stripped and thin."""

import json
import re
import tomllib
from pathlib import Path

import pytest
import yaml

from gotone_analysis import config

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def _pins(deps):
    out = {}
    for d in deps:
        m = re.fullmatch(r"([A-Za-z0-9_.\-]+)(?:\[[A-Za-z0-9_,\-]+\])?==([^\s;]+)", d.strip())
        assert m, f"dependency {d!r} is not pinned exactly"
        out[m.group(1).lower()] = m.group(2)
    return out


def test_environment_yml_has_the_same_pins_as_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    wanted = _pins(project["dependencies"] + extras["dev"] + extras["spark"])
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    got = _pins([d for d in pip_section if not d.startswith("-e")])
    assert got == wanted
    assert "python=3.11" in env["dependencies"]


def test_constraints_agree_with_pyproject_pins():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    wanted = _pins(project["dependencies"] + extras["dev"] + extras["spark"])
    lines = [ln for ln in (ROOT / "constraints.txt").read_text().splitlines()
             if ln and not ln.startswith("#")]
    constraints = _pins(lines)
    for name, version in wanted.items():
        key = name.replace("_", "-")
        found = constraints.get(key) or constraints.get(name)
        assert found == version, f"{name}: pyproject {version}, constraints {found}"


def test_constraints_pin_every_installed_dependency():
    """Every package the project and its dev/spark extras pull in (as installed) is pinned."""
    import importlib.metadata as md

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    lines = [ln for ln in (ROOT / "constraints.txt").read_text().splitlines()
             if ln and not ln.startswith("#")]
    pinned = {canonicalize_name(k): v for k, v in _pins(lines).items()}
    seen: set[str] = set()
    todo = [("gotone-analysis", {"dev", "spark"})]
    unpinned = []
    while todo:
        name, extras = todo.pop()
        key = canonicalize_name(name)
        if key in seen:
            continue
        seen.add(key)
        dist = md.distribution(name)
        if key != "gotone-analysis":
            if pinned.get(key) != dist.version:
                unpinned.append(f"{name}=={dist.version} (constraints: {pinned.get(key)})")
        for r in dist.requires or []:
            req = Requirement(r)
            envs = [{"extra": e} for e in (extras or {""})] + [{"extra": ""}]
            if req.marker is None or any(req.marker.evaluate(e) for e in envs):
                todo.append((req.name, set(req.extras)))
    assert not unpinned, unpinned


def test_the_panel_stack_is_pinned_where_ibis_works():
    """ibis 12.0.0 breaks with duckdb 2 and sqlglot >= 30.18 and needs pyspark < 4.1."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = _pins(project["dependencies"] + project["optional-dependencies"]["spark"])
    assert pins["ibis-framework"] == "12.0.0"
    assert int(pins["duckdb"].split(".")[0]) < 2
    assert tuple(map(int, pins["sqlglot"].split("."))) < (30, 18)
    assert tuple(map(int, pins["pyspark"].split(".")[:2])) < (4, 1)


def test_make_test_installs_the_spark_extra():
    make = (ROOT / "Makefile").read_text()
    install = [ln for ln in make.splitlines() if "pip install" in ln and "-e " in ln]
    assert install and all("spark" in ln and "dev" in ln for ln in install)


def test_readme_leads_with_the_two_commands():
    head = "\n".join((ROOT / "README.md").read_text(encoding="utf-8").splitlines()[:12])
    assert "make report" in head and "make test" in head


def test_ci_runs_the_readme_test_command():
    assert "make test" in (ROOT / ".ci" / "run").read_text()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_is_stripped_and_thin(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code), \
        "committed with outputs"
    tagged = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1 and tagged[0] is code[0], "exactly one parameters cell, first"
    names = re.findall(r"^(\w+)\s*=", "".join(tagged[0]["source"]), flags=re.M)
    common = ["quarter", "scope", "data_dir", "compare_to", "lang", "min_base", "seed", "engine"]
    # a report that also runs monthly (gotone run --month) declares its month last
    assert names == (common + ["month"] if path.stem in config.MONTHLY_REPORTS else common)
    assert "check_parameters" in "".join(code[1]["source"])
    for cell in code:
        src = "".join(cell["source"])
        assert not re.search(r"^\s*(def|class)\s", src, flags=re.M), "notebooks define no functions"
        assert "read_csv" not in src and "open(" not in src and "../" not in src


def test_every_report_has_a_notebook():
    from gotone_analysis.config import REPORTS

    present = {p.stem for p in NOTEBOOKS}
    assert set(REPORTS) <= present, f"missing notebooks: {set(REPORTS) - present}"
