"""Parameters: the notebook's parameters cell, checks before any kernel starts."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gotone_analysis import config
from gotone_analysis.errors import UsageError
from gotone_analysis.params import (
    PARAMETERS,
    check_parameters,
    check_run_parameters,
    read_parameters_cell,
    resolve_comparison,
    survey_quarters,
)
from gotone_analysis.policy import Policy

NOTEBOOKS = config.project_root() / "notebooks"
TEST_NOTEBOOKS = Path(__file__).parent / "notebooks"


@pytest.fixture()
def data_dir(tmp_path: Path) -> Path:
    root = tmp_path / "data"
    (root / "survey").mkdir(parents=True)
    (root / "MANIFEST.json").write_text(json.dumps({"synthetic": True}), encoding="utf-8")
    for q in ("2010Q3", "2010Q4"):
        (root / "survey" / f"survey_{q}.csv").write_text(
            f"resp_id,quarter,city,weight\n1,{q},fuzhou,1.0\n", encoding="utf-8")
    (root / "survey" / "notes.txt").write_text("survey_2009Q1 is not a data file\n")
    return root


def good(folder: Path, **changes) -> dict:
    values = {**PARAMETERS, "data_dir": str(folder)}
    values.update(changes)
    return values


def test_every_report_notebook_declares_exactly_the_parameters():
    # the notebooks that also run monthly declare `month` besides the common parameters
    from gotone_analysis import config
    from gotone_analysis.params import MONTH_PARAMETERS

    notebooks = sorted(NOTEBOOKS.glob("*.ipynb"))
    assert notebooks, "no report notebooks"
    for nb in notebooks:
        declared = read_parameters_cell(nb)
        monthly = {k: declared.pop(k) for k in MONTH_PARAMETERS if k in declared}
        assert declared == PARAMETERS, nb.name
        assert bool(monthly) == (nb.stem in config.MONTHLY_REPORTS), nb.name


def test_report_notebooks_are_stored_without_outputs():
    for nb in sorted(NOTEBOOKS.glob("*.ipynb")):
        doc = json.loads(nb.read_text(encoding="utf-8"))
        assert doc["metadata"]["kernelspec"]["name"] == "python3"
        tagged = [c for c in doc["cells"] if "parameters" in c["metadata"].get("tags", [])]
        assert len(tagged) == 1 and doc["cells"][0] is tagged[0], nb.name
        for cell in doc["cells"]:
            if cell["cell_type"] == "code":
                assert cell["outputs"] == [] and cell["execution_count"] is None, nb.name


def test_check_parameters_resolves(data_dir: Path):
    P = check_parameters(**good(data_dir, scope="xiamen", lang="en"))
    assert P.quarter == "2010Q4" and P.scope == "xiamen"
    assert P.data_dir == data_dir.resolve()
    assert P.compare_to == "2010Q3" and P.compare_label == "previous quarter"
    assert P.has_comparison and P.warnings == ()
    assert P.scope_label == "Xiamen"
    assert P.as_dict()["data_dir"] == "data"  # no machine path in what reports show


def test_missing_comparison_quarter_is_a_warning_not_an_error(data_dir: Path):
    P = check_parameters(**good(data_dir, compare_to="year_ago"))
    assert P.compare_to == "2009Q4" and P.compare_label == "去年同期"
    assert not P.has_comparison
    assert len(P.warnings) == 1 and "2009Q4" in P.warnings[0]


def test_empty_data_dir_means_the_demo_folder(data_dir: Path, monkeypatch):
    monkeypatch.setenv("GOTONE_ROOT", str(data_dir.parent))
    (data_dir.parent / "data" / "demo").mkdir(parents=True, exist_ok=True)
    with pytest.raises(UsageError, match="quarter: no survey data for 2010Q4"):
        check_parameters(**good(data_dir, data_dir=""))


@pytest.mark.parametrize(
    ("changes", "needle"),
    [
        ({"quarter": "2010Q5"}, "quarter"),
        ({"quarter": "10Q4"}, "quarter"),
        ({"quarter": 2010}, "quarter must be str"),
        ({"scope": "beijing"}, "scope"),
        ({"lang": "fr"}, "lang"),
        ({"min_base": 0}, "min_base must be >= 1"),
        ({"min_base": "30"}, "min_base must be int"),
        ({"min_base": True}, "min_base must be int"),
        ({"seed": 1.5}, "seed must be int"),
        ({"compare_to": "2011Q1"}, "compare_to must be a quarter before 2010Q4"),
        ({"compare_to": "last"}, "compare_to must be"),
        ({"quarter": "2010Q2"}, "no survey data for 2010Q2"),
        ({"data_dir": "/nonexistent/folder"}, "data_dir"),
    ],
)
def test_bad_values_name_the_parameter(data_dir: Path, changes: dict, needle: str):
    with pytest.raises(UsageError, match=needle):
        check_parameters(**good(data_dir, **changes))


def test_unknown_and_missing_names(data_dir: Path):
    values = good(data_dir, colour="red")
    with pytest.raises(UsageError, match="unknown parameter.*colour"):
        check_parameters(**values)
    values = good(data_dir)
    del values["seed"]
    with pytest.raises(UsageError, match="missing parameter.*seed"):
        check_parameters(**values)


def test_resolve_comparison():
    assert resolve_comparison("2010Q1", "previous", "zh") == ("2009Q4", "上季度")
    assert resolve_comparison("2010Q4", "year_ago", "en") == ("2009Q4", "same quarter last year")
    assert resolve_comparison("2010Q4", "2010Q1") == ("2010Q1", "2010Q1")


def test_survey_quarters_reads_names_only(data_dir: Path):
    assert survey_quarters(data_dir) == ("2010Q3", "2010Q4")
    assert survey_quarters(data_dir / "nowhere") == ()


def test_scoped_restricts_to_the_city(data_dir: Path):
    df = pd.DataFrame({"city": ["fuzhou", "xiamen", "fuzhou"], "x": [1, 2, 3]})
    assert check_parameters(**good(data_dir)).scoped(df) is df
    fz = check_parameters(**good(data_dir, scope="fuzhou")).scoped(df)
    assert fz["x"].tolist() == [1, 3]


def test_run_parameters_checked_against_the_cell(data_dir: Path, tmp_path: Path):
    nb = TEST_NOTEBOOKS / "ok.ipynb"
    P = check_run_parameters(nb, {"quarter": "2010Q4", "scope": "fuzhou",
                                  "data_dir": str(data_dir)})
    assert P.scope == "fuzhou" and P.min_base == 30  # default from the cell
    with pytest.raises(UsageError, match="ok: unknown parameter.*colour"):
        check_run_parameters(nb, {"colour": "red", "data_dir": str(data_dir)})
    with pytest.raises(UsageError, match="min_base must be int"):
        check_run_parameters(nb, {"min_base": 2.5, "data_dir": str(data_dir)})
    with pytest.raises(UsageError, match="quarter"):
        check_run_parameters(nb, {"quarter": "2010Q5", "data_dir": str(data_dir)})

    doc = json.loads(nb.read_text(encoding="utf-8"))
    cell = doc["cells"][0]
    cell["source"] = "".join(cell["source"]).replace("seed = 20100330", "")
    broken = tmp_path / "broken.ipynb"
    broken.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(UsageError, match="missing parameter.*seed"):
        check_run_parameters(broken, {"data_dir": str(data_dir)})

    doc["cells"][1]["metadata"]["tags"] = ["parameters"]
    broken.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(UsageError, match="exactly one cell tagged 'parameters', found 2"):
        read_parameters_cell(broken)

    cell["source"] = "quarter = compute()\n"
    doc["cells"][1]["metadata"]["tags"] = []
    broken.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(UsageError, match="literal default"):
        read_parameters_cell(broken)


def test_survey_quarters_agree_with_the_reader(data_dir: Path):
    survey = data_dir / "survey"
    (survey / "survey_2009Q4.tsv").write_text("resp_id\n1\n", encoding="utf-8")
    (survey / "survey_2009q3.CSV").write_text("resp_id\n1\n", encoding="utf-8")
    (survey / "survey_2009Q2.xls").write_bytes(b"not read by gotone_analysis.io")
    (survey / "~$survey_2009Q1.xlsx").write_bytes(b"an Excel lock file")
    (survey / "survey_2009Q1.mapping.yaml").write_text("columns: {}\n", encoding="utf-8")
    from gotone_analysis import io

    assert survey_quarters(data_dir) == ("2009Q3", "2009Q4", "2010Q3", "2010Q4")
    assert list(survey_quarters(data_dir)) == io.open_dataset(data_dir).quarters()
    P = check_parameters(**good(data_dir, quarter="2009Q4", compare_to="previous"))
    assert P.quarter == "2009Q4" and P.has_comparison  # 2009Q3 from the lowercase name
    with pytest.raises(UsageError, match="no survey data for 2009Q2"):
        check_parameters(**good(data_dir, quarter="2009Q2"))


# --- the report-wide policy, the seed and the panel engine (issue 7) ------------------------


def test_seed_reaches_the_policy_and_every_random_draw(data_dir):
    P = check_parameters(**good(data_dir, seed=7))
    assert P.policy.seed == 7
    assert P.policy.min_base == P.min_base
    draws = P.rng().integers(0, 1_000_000, 5)
    assert (draws == np.random.default_rng(7).integers(0, 1_000_000, 5)).all()
    assert (P.rng().integers(0, 1_000_000, 5) == draws).all()  # same seed, same draws
    other = check_parameters(**good(data_dir, seed=8)).rng().integers(0, 1_000_000, 5)
    assert (other != draws).any()


def test_policy_carries_the_report_settings(data_dir):
    P = check_parameters(**good(data_dir, min_base=45))
    assert isinstance(P.policy, Policy)
    assert (P.policy.min_base, P.policy.level, P.policy.p_adjust, P.policy.alpha) == (
        45, 0.95, "fdr_bh", 0.05)


def test_engine_is_a_checked_parameter(data_dir):
    assert PARAMETERS["engine"] == "duckdb"
    assert check_parameters(**good(data_dir)).engine == "duckdb"
    assert check_parameters(**good(data_dir, engine="spark")).engine == "spark"
    assert check_parameters(**good(data_dir, engine="spark")).as_dict()["engine"] == "spark"
    with pytest.raises(UsageError, match="engine must be one of duckdb, spark, got 'pandas'"):
        check_parameters(**good(data_dir, engine="pandas"))
    with pytest.raises(UsageError, match="engine must be str"):
        check_parameters(**good(data_dir, engine=1))
    with pytest.raises(UsageError, match="engine must be one of"):
        check_run_parameters(TEST_NOTEBOOKS / "ok.ipynb",
                             {"data_dir": str(data_dir), "engine": "bogus"})
