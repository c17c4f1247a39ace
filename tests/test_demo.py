"""Tests of the synthetic demo data generator (gotone_analysis.demo)."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
import yaml

from gotone_analysis import __version__, cli
from gotone_analysis.config import CARE_ROLLOUT, CITY_CODES
from gotone_analysis.contract import BENCHMARK, KPI, PANEL, SURVEY
from gotone_analysis.demo import generate, simulate_survey, survey_truth
from gotone_analysis.demo.build import SCALES
from gotone_analysis.targets import targets

SEED = 20100330


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    """The default small demo, generated once for the module."""
    out = tmp_path_factory.mktemp("demo") / "demo"
    generate(out, scale="small", seed=SEED)
    return out


@pytest.fixture(scope="module")
def kpi(demo) -> pd.DataFrame:
    return pd.concat([pd.read_csv(p) for p in sorted((demo / "kpi").glob("kpi_*.csv"))],
                     ignore_index=True)


@pytest.fixture(scope="module")
def truth(demo) -> dict:
    return json.loads((demo / "_truth" / "ground_truth.json").read_text(encoding="utf-8"))


def _province(kpi: pd.DataFrame, month: str) -> pd.Series:
    return kpi[kpi["month"] == month].drop(columns=["month", "city"]).sum()


def _scores(df: pd.DataFrame) -> pd.DataFrame:
    """Linear brand and satisfaction scores (the brand-index spec), 98/99 already NA."""
    f = {c: df[c].astype("float64") for c in ("aw_unaided", "aw_aided", "pref_score", "loy_stay", "ltr")}
    out = pd.DataFrame(index=df.index)
    out["awareness"] = 100 * (0.4 * f["aw_unaided"] + 0.6 * f["aw_aided"])
    img = df[[f"img_{i}" for i in range(1, 6)]].astype("float64")
    out["association"] = ((img.mean(axis=1) - 1) / 9 * 100).where(img.notna().sum(axis=1) >= 3)
    out["preference"] = (f["pref_score"] - 1) / 9 * 100
    out["loyalty"] = 0.5 * (f["loy_stay"] - 1) / 9 * 100 + 0.5 * f["ltr"] * 10
    out["influence"] = out[["awareness", "association", "preference", "loyalty"]].mean(
        axis=1, skipna=False)
    sat = df[["sat_overall", "sat_expect", "sat_ideal"]].astype("float64")
    out["satisfaction"] = (sat.mean(axis=1, skipna=False) - 1) / 9 * 100
    return out


def _truth_scores(t: pd.DataFrame) -> pd.DataFrame:
    """True component values per cell, linear in the item expectations (the documented contract)."""
    out = t[["quarter", "city", "brand", "tier", "N"]].copy()
    out["awareness"] = 100 * (0.4 * t["aw_unaided"] + 0.6 * t["aw_aided"])
    out["association"] = (t[[f"img_{i}" for i in range(1, 6)]].mean(axis=1) - 1) / 9 * 100
    out["preference"] = (t["pref_score"] - 1) / 9 * 100
    out["loyalty"] = 0.5 * (t["loy_stay"] - 1) / 9 * 100 + 0.5 * t["ltr"] * 10
    out["influence"] = out[["awareness", "association", "preference", "loyalty"]].mean(axis=1)
    out["satisfaction"] = (t[["sat_overall", "sat_expect", "sat_ideal"]].mean(axis=1) - 1) / 9 * 100
    return out


def _pooled(scores: pd.DataFrame, key: str) -> pd.DataFrame:
    g = scores[scores["brand"] == "gotone"]
    cols = ["awareness", "association", "preference", "loyalty", "influence", "satisfaction"]
    w = g["N"].astype(float)
    return g[cols].mul(w, axis=0).groupby(g[key]).sum().div(w.groupby(g[key]).sum(), axis=0)


# --- labelling and layout ----------------------------------------------------------------


def test_manifest_says_synthetic_and_lists_every_file(demo):
    manifest = json.loads((demo / "MANIFEST.json").read_text(encoding="utf-8"))
    assert manifest["synthetic"] is True
    assert manifest["generator"] == "gotone_analysis.demo"
    assert manifest["version"] == __version__
    assert manifest["seed"] == SEED and manifest["scale"] == "small"
    on_disk = {p.relative_to(demo).as_posix() for p in demo.rglob("*") if p.is_file()}
    assert set(manifest["files"]) == on_disk - {"MANIFEST.json", ".complete"}
    for rel, info in manifest["files"].items():
        assert hashlib.sha256((demo / rel).read_bytes()).hexdigest() == info["sha256"], rel
    assert (demo / ".complete").is_file()


def test_readme_says_synthetic_in_chinese_and_english(demo):
    text = (demo / "README.txt").read_text(encoding="utf-8")
    assert "合成演示数据" in text and "不是真实" in text
    assert "synthetic demo data" in text.lower() and "not real" in text.lower()


def test_layout(demo):
    quarters = [f"{y}Q{q}" for y in (2008, 2009, 2010) for q in range(1, 5)]
    assert sorted(p.name for p in (demo / "survey").iterdir()) == \
        sorted(f"survey_{q}.csv" for q in quarters)
    assert sorted(p.name for p in (demo / "kpi").iterdir()) == \
        ["kpi_2008.csv", "kpi_2009.csv", "kpi_2010.csv"]
    months = sorted(p.name for p in (demo / "panel").iterdir())
    assert months == [f"month={y}-{m:02d}" for y in (2009, 2010) for m in range(1, 13)]
    assert all((demo / "panel" / m / "part-0.parquet").is_file() for m in months)
    assert (demo / "benchmark" / "benchmark.csv").is_file()
    assert (demo / "vendor" / "survey_2010Q4_vendor.csv").is_file()
    assert not list(demo.parent.glob(".demo.tmp-*")), "temporary folder left behind"


# --- survey ----------------------------------------------------------------------------------


def test_survey_columns_types_and_design(demo):
    df = pd.read_csv(demo / "survey" / "survey_2009Q3.csv")
    assert tuple(df.columns) == SURVEY.names
    assert df["resp_id"].is_unique
    assert 2900 <= len(df) <= 3200
    assert (df["weight"] > 0).all()
    assert np.allclose(df["weight"] * df.groupby("stratum")["resp_id"].transform("size"),
                       df["stratum_pop"])
    assert (df["stratum"] == df["city"] + "_" + df["tier"]).all()
    assert df["weight"].max() / df["weight"].min() > 20, "weights should vary across strata"
    gotone = df[df["brand"] == "gotone"]
    assert set(gotone["tier"]) == {"diamond", "gold", "silver", "regular"}
    assert set(df.loc[df["brand"] != "gotone", "tier"]) == {"mid_high"}
    assert gotone.groupby("stratum").size().min() >= 30
    # linked to the panel in 2009-2010 waves, GoTone respondents only
    assert gotone["cust_key"].notna().all()
    assert df.loc[df["brand"] != "gotone", "cust_key"].isna().all()
    assert pd.read_csv(demo / "survey" / "survey_2008Q4.csv")["cust_key"].isna().all()


def test_survey_missing_structure(demo):
    df = pd.read_csv(demo / "survey" / "survey_2010Q2.csv")
    opinion = ["pref_score", "loy_stay", "ltr", "sat_overall", "val_price", "pq_network"]
    for col in opinion:
        rate = df[col].isin([98, 99]).mean()
        assert 0.004 < rate < 0.04, (col, rate)
    img = df[[f"img_{i}" for i in range(1, 6)]]
    coded = img.isin([98, 99])
    assert (coded.all(axis=1) | ~coded.any(axis=1)).all(), "DK applies to the whole image battery"
    g = df["brand"] == "gotone"
    assert df.loc[~g, ["aw_points", "use_club", "rights_aware"]].isna().all().all()
    assert df.loc[g, ["aw_points", "use_club"]].notna().all().all()
    assert (df.loc[df["use_club"] != 1, "pq_club"].isna()).all()
    assert df.loc[df["use_club"] == 1, "pq_club"].notna().all()
    assert ((df["use_points"] == 1) <= (df["aw_points"] == 1)).all()
    assert df["pq_manager"].isna().mean() > 0.3


def test_simulate_survey_is_the_file_model(demo):
    # (its speed matters to the coverage tests; it is timed in benchmarks, not here)
    raw = simulate_survey("2010Q1", seed=SEED, raw=True)
    file = pd.read_csv(demo / "survey" / "survey_2010Q1.csv")
    again = pd.read_csv(io.StringIO(raw.to_csv(index=False)))
    pd.testing.assert_frame_equal(again.drop(columns="cust_key"),
                                  file.drop(columns="cust_key"))
    clean = simulate_survey("2010Q1", seed=SEED)
    assert clean["pref_score"].isin([98, 99]).sum() == 0
    assert clean["pref_score"].isna().sum() == raw["pref_score"].isin([98, 99]).sum()
    other = simulate_survey("2010Q1", seed=SEED + 1)
    assert not other["sat_overall"].equals(clean["sat_overall"])


def test_survey_truth_table():
    t = survey_truth()
    assert len(t) == 12 * 9 * 7
    assert {"quarter", "city", "brand", "tier", "N", "aw_unaided", "img_1", "ltr",
            "sat_ideal", "val_price", "pq_network", "use_care"} <= set(t.columns)
    assert survey_truth("2009Q1")["quarter"].eq("2009Q1").all()
    assert len(survey_truth(["2009Q1", "2009Q2"])) == 2 * 63
    with pytest.raises(ValueError):
        survey_truth(["2007Q4"])
    assert t.loc[t["brand"] != "gotone", "use_points"].isna().all()
    g = t[(t["brand"] == "gotone") & (t["quarter"] == "2008Q4")]
    assert g["N"].sum() == pytest.approx(2_720_000, abs=1)


def test_truth_influence_calibrated_to_the_deck():
    y = _pooled(_truth_scores(survey_truth()).assign(
        year=lambda d: d["quarter"].str[:4]), "year")
    assert y.loc["2009", "influence"] == pytest.approx(82.70, abs=1e-9)
    assert y.loc["2008", "influence"] == pytest.approx(82.68, abs=1e-9)
    for comp in ("awareness", "association"):
        assert -2.0 <= y.loc["2009", comp] - y.loc["2008", comp] <= -1.0, comp
    for comp in ("preference", "loyalty"):
        assert 1.0 <= y.loc["2009", comp] - y.loc["2008", comp] <= 2.0, comp


def test_sample_estimates_are_close_to_truth(demo):
    frames = [pd.read_csv(demo / "survey" / f"survey_2009Q{q}.csv") for q in range(1, 5)]
    df = pd.concat(frames, ignore_index=True)
    df = df[df["brand"] == "gotone"]
    items = [c for c in df.columns if df[c].isin([98, 99]).any()]
    df[items] = df[items].where(~df[items].isin([98, 99]))
    s = _scores(df)
    w = df["weight"]
    est = {c: float((s[c] * w).sum() / w[s[c].notna()].sum()) for c in s}
    assert est["influence"] == pytest.approx(82.7, abs=0.4)
    y = _pooled(_truth_scores(survey_truth()).assign(year=lambda d: d["quarter"].str[:4]),
                "year")
    assert est["satisfaction"] == pytest.approx(y.loc["2009", "satisfaction"], abs=0.6)


def test_satisfaction_above_network_and_falling(demo, truth):
    q = _pooled(_truth_scores(survey_truth()), "quarter")["satisfaction"]
    own_2009 = _pooled(_truth_scores(survey_truth()).assign(
        year=lambda d: d["quarter"].str[:4]), "year").loc["2009", "satisfaction"]
    bench = pd.read_csv(demo / "benchmark" / "benchmark.csv")
    b = bench.pivot(index="quarter", columns="metric", values="value")
    net_2009 = b.loc[[f"2009Q{i}" for i in range(1, 5)], "satisfaction"].mean()
    assert own_2009 - net_2009 == pytest.approx(1.4, abs=1e-4)
    assert q["2009Q1"] - q["2009Q4"] > 1.0
    assert (np.diff(q.loc["2009Q1":"2009Q4"].to_numpy()) < 0).all()
    model = truth["survey"]["satisfaction_model"]
    assert model["driver_beta_p_scale"]["img_mean"] > 0
    assert model["driver_beta_p_scale"]["val_price"] > 0
    # the fall is image and value: performance items are flat through 2009
    t = survey_truth([f"2009Q{i}" for i in range(1, 5)])
    t = t[t["brand"] == "gotone"]
    by_q = t.groupby("quarter")[["img_1", "val_price", "val_quality", "pq_network"]].apply(
        lambda d: d.mul(t.loc[d.index, "N"], axis=0).sum() / t.loc[d.index, "N"].sum())
    assert by_q["val_price"].iloc[-1] < by_q["val_price"].iloc[0] - 0.5
    assert by_q["img_1"].iloc[-1] < by_q["img_1"].iloc[0]
    assert abs(by_q["pq_network"].iloc[-1] - by_q["pq_network"].iloc[0]) < 0.01


def test_points_and_clubs_awareness(truth):
    t = survey_truth()
    g = t[t["brand"] == "gotone"].assign(year=lambda d: d["quarter"].str[:4])

    def pooled(col: str) -> pd.Series:
        return (g[col] * g["N"]).groupby(g["year"]).sum() / g["N"].groupby(g["year"]).sum()

    assert pooled("aw_points")["2009"] - pooled("aw_points")["2008"] > 0.08
    assert pooled("use_points")["2009"] - pooled("use_points")["2008"] > 0.05
    assert abs(pooled("aw_club")["2009"] - pooled("aw_club")["2008"]) < 0.01
    assert pooled("aw_g3")["2010"] > pooled("aw_g3")["2009"]


def test_benchmark(demo):
    bench = pd.read_csv(demo / "benchmark" / "benchmark.csv")
    assert tuple(bench.columns) == BENCHMARK.names
    assert len(bench) == 12 * 6 and bench["value"].between(0, 100).all()
    b = bench.pivot(index="quarter", columns="metric", values="value")
    year = b.groupby(b.index.str[:4]).mean()
    assert year.loc["2009", "influence"] - year.loc["2008", "influence"] == \
        pytest.approx(-2.0, abs=0.1)
    assert year.loc["2009", "influence"] < 82.7 - 2  # Fujian well above the network


# --- KPI -------------------------------------------------------------------------------------


def test_kpi_facts_of_december_2009(kpi):
    dec = _province(kpi, "2009-12")
    assert 100 * dec["gotone_in_target"] / dec["target_customers"] == pytest.approx(47.28, abs=0.01)
    assert 100 * dec["gotone_midhigh"] / dec["gotone_customers"] == pytest.approx(69.65, abs=0.01)
    change = dec["gotone_customers"] - _province(kpi, "2008-12")["gotone_customers"]
    assert change == pytest.approx(-200_000, rel=0.01)
    before = _province(kpi, "2008-12")
    assert before["gotone_in_target"] / before["target_customers"] > 0.4728
    assert before["gotone_midhigh"] / before["gotone_customers"] > 0.6965


def test_kpi_contract_and_trajectories(kpi):
    assert tuple(kpi.columns) == KPI.names
    assert not kpi.duplicated(["month", "city"]).any()
    assert set(kpi["city"]) == set(CITY_CODES) and kpi["month"].nunique() == 36
    counts = kpi.columns[2:]
    assert all(pd.api.types.is_integer_dtype(kpi[c]) for c in counts)
    assert (kpi[counts] >= 0).all().all()
    for num, den in KPI.ratios:
        assert (kpi[num] <= kpi[den]).all(), (num, den)
    kpi = kpi.assign(year=kpi["month"].str[:4])
    for col in ("redeemers_ytd", "club_users_ytd", "care_covered", "care_attained",
                "care_other_covered"):
        d = kpi.sort_values("month").groupby(["year", "city"])[col].diff().dropna()
        assert (d >= 0).all(), col
    jun = _province(kpi.drop(columns="year"), "2010-06")
    dec = _province(kpi.drop(columns="year"), "2010-12")
    assert jun["gotone_customers"] > 2_600_000
    assert _province(kpi.drop(columns="year"), "2010-03")["gotone_customers"] >= 2_550_000
    assert 2_600_000 < dec["gotone_customers"] < 2_800_000
    assert jun["family_users"] / jun["gotone_customers"] >= 0.30
    assert 0.70 <= dec["midhigh_bundled"] / dec["midhigh_customers"] < 0.75
    assert 0.50 < dec["gotone_in_target"] / dec["target_customers"] < 0.55
    assert dec["ebill_users"] / dec["gotone_customers"] >= 0.90
    points_2010 = kpi.loc[kpi["year"] == "2010", "points_redeemed"].sum()
    assert points_2010 == pytest.approx(3e9, rel=0.05)
    assert dec["points_expired"] / dec["points_due"] < 0.005
    care = [_province(kpi.drop(columns="year"), f"2010-{m:02d}") for m in range(1, 13)]
    cover = [c["care_covered"] / c["care_target"] for c in care]
    assert cover[1] < 0.2 and cover[5] > cover[2] and cover[-1] > 0.9
    # some targets reached, some not
    t = targets().set_index("id")
    assert dec["midhigh_bundled"] / dec["midhigh_customers"] < t.loc["bundling", "value"]
    assert dec["ebill_users"] / dec["gotone_customers"] >= t.loc["ebill_coverage", "value"]


# --- vendor ----------------------------------------------------------------------------------


def test_vendor_file_maps_back_to_the_canonical_wave(demo):
    mapping = yaml.safe_load((demo / "vendor" / "mapping.yaml").read_text(encoding="utf-8"))
    raw = (demo / "vendor" / "survey_2010Q4_vendor.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    vendor = pd.read_csv(demo / "vendor" / "survey_2010Q4_vendor.csv", encoding="gbk")
    assert "受访者编号" in vendor.columns and "城市" in vendor.columns
    assert set(vendor["城市"]) <= {"福州", "厦门", "泉州", "漳州", "莆田", "三明", "南平",
                                   "龙岩", "宁德"}
    df = vendor.rename(columns=mapping["columns"])
    for col, values in mapping["values"].items():
        df[col] = df[col].map(values)
    canon = pd.read_csv(demo / "survey" / "survey_2010Q4.csv")
    assert tuple(df.columns) == tuple(canon.columns)
    pd.testing.assert_frame_equal(df, canon, check_dtype=False)
    assert (df[["sat_overall", "pref_score"]].isin([98, 99])).any().all()


# --- panel -----------------------------------------------------------------------------------


def _panel(demo: Path, sql: str) -> pd.DataFrame:
    src = f"read_parquet('{(demo / 'panel').as_posix()}/*/*.parquet', hive_partitioning=false)"
    return duckdb.sql(sql.replace("PANEL", src)).df()


def test_panel_contract_and_dynamics(demo):
    one = pd.read_parquet(demo / "panel" / "month=2010-07" / "part-0.parquet")
    assert tuple(one.columns) == PANEL.names
    assert one["month"].eq("2010-07").all() and one["cust_key"].is_unique
    assert one["cust_key"].str.fullmatch(r"C[0-9a-f]{10}").all()
    stats = _panel(demo, "select count(*) n, count(distinct cust_key) k, "
                         "min(arpu) lo from PANEL")
    assert 1_000_000 < stats.loc[0, "n"] < 1_400_000
    assert 55_000 < stats.loc[0, "k"] < 90_000
    assert stats.loc[0, "lo"] >= 0
    seg = _panel(demo, "select segment, any_value(care_start) cs, count(distinct tier) nt, "
                       "min(tier) t from PANEL group by segment")
    seg = seg.set_index("segment")
    for s, start in CARE_ROLLOUT.items():
        assert seg.loc[s, "cs"] == start
    assert pd.isna(seg.loc["other_mass", "cs"])
    assert seg.loc["gotone_regular", "t"] == "regular" and seg.loc["vip", "nt"] == 2
    # churned customers leave: nothing after a churn month
    after = _panel(demo, "with c as (select cust_key, min(month) m from PANEL where churned=1 "
                         "group by 1) select count(*) n from PANEL p join c using (cust_key) "
                         "where p.month > c.m")
    assert after.loc[0, "n"] == 0
    care = _panel(demo, "select segment, month, avg(part_care) r from PANEL group by all")
    care = care.set_index(["segment", "month"])["r"]
    assert care[("vip", "2010-02")] == 0 and care[("vip", "2010-03")] > 0.6
    assert care[("gotone_regular", "2010-08")] == 0 and care[("gotone_regular", "2010-09")] > 0.2


def test_survey_links_to_panel_keys(demo):
    wave = pd.read_csv(demo / "survey" / "survey_2010Q2.csv")
    keys = wave["cust_key"].dropna()
    panel = pd.read_parquet(demo / "panel" / "month=2010-06" / "part-0.parquet",
                            columns=["cust_key", "city", "tier"]).set_index("cust_key")
    assert keys.isin(panel.index).all()
    linked = wave.dropna(subset=["cust_key"]).set_index("cust_key")
    assert (panel.loc[linked.index, "city"].to_numpy() == linked["city"].to_numpy()).all()
    assert (panel.loc[linked.index, "tier"].to_numpy() == linked["tier"].to_numpy()).all()


def test_naive_participant_comparison_is_biased(demo, truth):
    levers = truth["panel"]["levers"]
    for lever in ("points", "club", "family"):
        d = _panel(demo, f"select part_{lever} p, avg(arpu) a, avg(churned) c from PANEL "
                         "group by 1 order by 1")
        naive_arpu = d.loc[1, "a"] - d.loc[0, "a"]
        naive_churn = d.loc[1, "c"] - d.loc[0, "c"]
        eff = levers[lever]
        assert naive_arpu == pytest.approx(eff["naive_arpu_difference"], rel=1e-6)
        assert naive_arpu > eff["effect_arpu"] + 20, lever  # self-selection inflates it
        assert naive_churn < eff["effect_churn"] - 0.001, lever


def test_care_att_truth(demo, truth):
    att = pd.read_csv(demo / "_truth" / "care_att.csv")
    assert set(att["segment"]) == set(CARE_ROLLOUT)
    vip = att[att["segment"] == "vip"].set_index("month")
    assert vip.index.min() == "2010-03"
    assert vip.loc["2010-03", "att_arpu"] < vip.loc["2010-05", "att_arpu"]
    assert (att["att_churn"] < 0).all() and (att["att_arpu"] > 0).all()
    # a simple DiD on segment means recovers the VIP ARPU effect in 2010-08
    d = _panel(demo, "select segment, month, avg(arpu) a from PANEL where month in "
                     "('2010-02', '2010-08') and segment in ('vip', 'other_mass') group by all")
    d = d.set_index(["segment", "month"])["a"]
    did = (d[("vip", "2010-08")] - d[("vip", "2010-02")]) - (
        d[("other_mass", "2010-08")] - d[("other_mass", "2010-02")])
    assert did == pytest.approx(vip.loc["2010-08", "att_arpu"], abs=4.0)
    assert truth["panel"]["care"]["rollout"] == CARE_ROLLOUT


# --- validation, determinism, CLI ------------------------------------------------------------


def test_demo_passes_the_validator(demo):
    try:
        from gotone_analysis.cli import main
        from gotone_analysis.io import validate_paths  # noqa: F401
    except ImportError as exc:  # pragma: no cover - only while io is being written
        pytest.skip(f"gotone_analysis.io not importable yet: {exc}")
    paths = [str(demo / k) for k in ("survey", "kpi", "benchmark", "panel")]
    assert main(["validate", *paths]) == 0
    assert main(["validate", "--kind", "survey", "--mapping",
                 str(demo / "vendor" / "mapping.yaml"),
                 str(demo / "vendor" / "survey_2010Q4_vendor.csv")]) == 0


def _digests(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_same_seed_gives_identical_bytes(tmp_path):
    a = _digests(Path(generate(tmp_path / "a", seed=7, panel_customers=2000)["out"]))
    b = _digests(Path(generate(tmp_path / "b", seed=7, panel_customers=2000)["out"]))
    assert a == b and len(a) > 40
    c = _digests(Path(generate(tmp_path / "c", seed=8, panel_customers=2000)["out"]))
    differ = {k for k in a if a[k] != c.get(k)}
    assert "survey/survey_2009Q1.csv" in differ and "panel/month=2009-01/part-0.parquet" in differ
    assert "benchmark/benchmark.csv" not in differ  # deterministic by design


def test_generate_replaces_atomically_and_cli_summary(tmp_path, capsys, monkeypatch):
    out = tmp_path / "demo"
    out.mkdir()
    (out / "stale.txt").write_text("old", encoding="utf-8")
    (out / ".complete").write_text("", encoding="utf-8")  # an earlier demo: replaceable
    monkeypatch.setitem(SCALES["small"], "panel_customers", 1000)
    assert cli.main(["demo-data", "--scale", "small", "--seed", "3", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "survey" in printed and "panel" in printed and " s" in printed
    assert not (out / "stale.txt").exists() and (out / ".complete").is_file()
    assert json.loads((out / "MANIFEST.json").read_text(encoding="utf-8"))["seed"] == 3
    assert [p.name for p in tmp_path.iterdir()] == ["demo"]


def test_survey_naive_use_differences_are_biased(truth):
    naive = truth["survey"]["survey_naive_sat_difference"]
    assert set(naive) == {"care", "points", "club", "family"}
    for lever, years in naive.items():
        for year, d in years.items():
            assert d["naive"] > d["effect"] + 0.3, (lever, year)
    assert set(naive["care"]) == {"2010"}  # care calls start in March 2010


def test_demo_data_never_replaces_a_folder_that_is_not_a_demo(tmp_path):
    from gotone_analysis import cli

    precious = tmp_path / "reports"
    precious.mkdir()
    (precious / "thesis.docx").write_text("important", encoding="utf-8")
    assert cli.main(["demo-data", "--out", str(precious)]) == 2
    assert [p.name for p in precious.iterdir()] == ["thesis.docx"]
    a_file = tmp_path / "file.txt"
    a_file.write_text("x", encoding="utf-8")
    assert cli.main(["demo-data", "--out", str(a_file)]) == 2
    assert a_file.read_text(encoding="utf-8") == "x"
