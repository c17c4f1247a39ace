"""One satisfaction score: the satisfaction report and the program effects read the same one."""

from __future__ import annotations

import numpy as np
import pandas as pd

from gotone_analysis import scoring


def test_the_satisfaction_score_needs_two_of_three_items():
    df = pd.DataFrame({"sat_overall": [10, 1, 5, np.nan], "sat_expect": [10, 1, np.nan, np.nan],
                       "sat_ideal": [10, np.nan, np.nan, 4]})
    score = scoring.satisfaction_score(df)
    assert score.iloc[0] == 100 and score.iloc[1] == 0
    assert score.iloc[2:].isna().all()  # one item answered is not a score


def test_every_report_reads_the_one_score(small_demo):
    from gotone_analysis.io import open_dataset
    from gotone_analysis.reports.program_effects import survey_levers
    from gotone_analysis.reports.satisfaction import tables as S

    survey = open_dataset(small_demo).survey("2010Q4")
    sat = S.respondent_scores(survey)["satisfaction"]
    assert sat.equals(scoring.satisfaction_score(survey))
    # a respondent with two of the three items answered counts in both reports
    two = survey.assign(sat_ideal=np.nan)
    effects, _, _ = survey_levers.survey_lever_effects(two, quarter="2010Q4", scope="xiamen")
    n = effects.loc[(effects["outcome"] == "satisfaction") & (effects["kind"] == "naive"),
                    ["n_treated", "n_control"]].sum(axis=1)
    base = S.respondent_scores(two.query("brand == 'gotone' and city == 'xiamen'"))
    assert (n <= base["satisfaction"].notna().sum()).all() and (n > 0).all()
