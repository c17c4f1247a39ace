"""Catalog section: the program-effects report (:mod:`gotone_analysis.effects`)."""

from __future__ import annotations

_COLUMNS: dict[str, tuple[str, str]] = {
    "lever": ("举措", "Lever"), "outcome": ("结果指标", "Outcome"),
    "kind": ("口径", "Comparison"), "event_time": ("距推广月数", "Months since roll-out"),
    "cohort": ("推广月份", "Roll-out month"), "time": ("月份", "Month"),
    "n_treated": ("参与者样本", "Participants (n)"), "n_control": ("对照样本", "Others (n)"),
    "n_units": ("单元数", "Units"), "estimate": ("效应", "Effect"), "pretest_p": ("平行趋势检验 p 值", "Pre-trend test p"),
    "arm": ("组别", "Arm"), "covariate": ("协变量", "Covariate"),
    "smd_raw": ("加权前标准化差异", "Std. difference before"),
    "smd_weighted": ("加权后标准化差异", "Std. difference after"),
    "mean_treated": ("参与者均值", "Participants' mean"),
    "mean_control": ("其他客户均值", "Others' mean"),
    "p05": ("5% 分位", "5th pct"), "p50": ("中位数", "Median"), "p95": ("95% 分位", "95th pct"),
    "min": ("最小值", "Min"), "max": ("最大值", "Max"), "mean": ("均值", "Mean"),
    "below": ("低于下限", "Below bound"), "above": ("高于上限", "Above bound"),
    "direct_estimate": ("本市直接比较", "This city's own comparison"),
    "direct_se": ("直接比较的标准误", "Its standard error"),
    "shrinkage": ("向各市均值收缩的权重", "Weight of the cities' mean"),
    "cities_pooled": ("合并的城市数", "Cities pooled"),
}

SECTION: dict[str, tuple[str, str]] = {
    **{f"effects.column.{c}": pair for c, pair in _COLUMNS.items()},
    "effects.kind.naive": ("简单对比（未调整）", "naive (unadjusted)"),
    "effects.kind.adjusted": ("调整后效应", "adjusted effect"),
    "effects.outcome.churn": ("月流失率", "monthly churn hazard"),
    "effects.outcome.arpu": ("ARPU（元）", "ARPU (yuan)"),
    "effects.outcome.satisfaction": ("满意度（0–100）", "satisfaction (0–100)"),
    "effects.outcome.loyalty": ("留网意愿（0–100）", "intention to stay (0–100)"),
    # the outcome with the unit of its effects, in the tables
    "effects.outcome_unit.churn": ("月流失率（个百分点）", "Monthly churn hazard (pp)"),
    "effects.outcome_unit.arpu": ("ARPU（元）", "ARPU (yuan)"),
    "effects.outcome_unit.satisfaction": ("满意度（分，0–100）", "Satisfaction (points, 0–100)"),
    "effects.outcome_unit.loyalty": ("留网意愿（分，0–100）", "Intention to stay (points, 0–100)"),
    "effects.covariate_level": ("{column}：{level}", "{column}: {level}"),
    "effects.arm.treated": ("参与者", "participants"),
    "effects.arm.control": ("其他客户", "others"),
    "effects.plot.event_time": ("距推广的月数", "Months since the roll-out"),
    "effects.plot.effect": ("效应（95% 置信区间）", "Effect (95% interval)"),
    "effects.plot.event_title": ("客户经理关怀：{outcome}的事件研究",
                                 "Customer-manager care: event study of the {outcome}"),
    "effects.plot.pre": ("推广前（平行趋势检验）", "before roll-out (parallel-trends check)"),
    "effects.plot.post": ("推广后", "after roll-out"),
    "effects.plot.naive_vs_adjusted": ("{outcome}：简单对比与调整后效应",
                                       "{outcome}: naive comparison and adjusted effect"),
    "effects.narrative.care_effect": (
        "客户经理关怀使{outcome}平均变化 {estimate}（{level} 置信区间 {low} 至 {high}；"
        "多重比较校正后 p {p_adj}）。",
        "Customer-manager care changed the {outcome} by {estimate} on average ({level} interval {low} "
        "to {high}; adjusted p {p_adj})."),
    "effects.narrative.care_none": (
        "不能认定客户经理关怀改变了{outcome}：估计 {estimate}（{level} 置信区间 {low} 至 {high}）"
        "经多重比较校正后不显著（校正后 p {p_adj}）。",
        "No effect of customer-manager care on the {outcome} can be claimed: the estimate "
        "{estimate} ({level} interval {low} to {high}) is not significant once adjusted "
        "for the number of comparisons (adjusted p {p_adj})."),
    "effects.narrative.assumption_ok": (
        "这一因果解读基于平行趋势假设：若没有回访，各批推广的客户群与从未推广的客户群"
        "{outcome}走势相同；推广前各月未见差异（平行趋势检验 p = {p}）。",
        "Reading this as caused by the calls rests on parallel trends: without the calls, "
        "the segments rolled out would have moved like the segments never rolled out; "
        "before the roll-out they did (parallel-trends test p = {p})."),
    "effects.narrative.assumption_bad": (
        "注意：这一因果解读基于平行趋势假设（若没有回访，各批推广的客户群与从未推广的客户群"
        "{outcome}走势相同），但推广前已有差异（平行趋势检验 p = {p}），该估计需谨慎解读。",
        "Caution: reading this as caused by the calls rests on parallel trends (without "
        "the calls, the segments rolled out would have moved like those never rolled out), "
        "but the groups already differed before the roll-out (parallel-trends test p = "
        "{p}); read this estimate with care."),
    "effects.narrative.pretrend_ok": (
        "推广前各月没有显著差异（平行趋势检验 p = {p}）。",
        "Before the roll-out the groups moved alike (parallel-trends test p = {p})."),
    "effects.narrative.pretrend_bad": (
        "注意：推广前已有差异（平行趋势检验 p = {p}），该估计需谨慎解读。",
        "Caution: the groups already differed before the roll-out (parallel-trends test "
        "p = {p}); read this estimate with care."),
    "effects.narrative.panel_effect": (
        "{lever}：参与的月份，同一客户的{outcome}比其未参与的月份{direction} {value}"
        "（{level} 置信区间 {low} 至 {high}；多重比较校正后 p {p_adj}）；"
        "简单对比（参与与未参与的客户月之差）为 {naive}。",
        "{lever}: in the months customers take part, their {outcome} is {value} "
        "{direction} than in their own months without it ({level} interval {low} to "
        "{high}; adjusted p {p_adj}); the naive comparison of customer-months says "
        "{naive}."),
    "effects.narrative.panel_none": (
        "{lever}：不能认定同一客户参与与未参与月份的{outcome}有差异：估计 {estimate}"
        "（{level} 置信区间 {low} 至 {high}）经多重比较校正后不显著（校正后 p {p_adj}）；"
        "简单对比为 {naive}。",
        "{lever}: no difference in {outcome} between customers' months with and without "
        "it can be claimed: the estimate {estimate} ({level} interval {low} to {high}) is "
        "not significant once adjusted for the number of comparisons (adjusted p "
        "{p_adj}); the naive comparison says {naive}."),
    "effects.narrative.survey_effect": (
        "使用{lever}的客户比{adjusted_for}相同的未使用客户{outcome}{direction} {value}"
        "（{level} 置信区间 {low} 至 {high}；多重比较校正后 p {p_adj}）；"
        "未调整的简单对比为 {naive}。",
        "Customers who use {lever} score {value} {direction} on {outcome} than non-users "
        "of the same {adjusted_for} ({level} interval {low} to {high}; adjusted p "
        "{p_adj}); the unadjusted comparison says {naive}."),
    "effects.narrative.survey_none": (
        "{lever}：不能认定使用者与{adjusted_for}相同的未使用者在{outcome}上有差异：估计 "
        "{estimate}（{level} 置信区间 {low} 至 {high}）经多重比较校正后不显著（校正后 p "
        "{p_adj}）；未调整的简单对比为 {naive}。",
        "{lever}: no difference in {outcome} between users and non-users of the same "
        "{adjusted_for} can be claimed: the estimate {estimate} ({level} interval {low} "
        "to {high}) is not significant once adjusted for the number of comparisons "
        "(adjusted p {p_adj}); the unadjusted comparison says {naive}."),
    "effects.narrative.higher": ("高", "higher"),
    "effects.narrative.lower": ("低", "lower"),
    "effects.narrative.and": ("、", " and "),
    "effects.narrative.adjusted_for_unknown": ("可比", "comparable profile"),
    "effects.outcome_name.satisfaction": ("满意度", "satisfaction"),
    "effects.outcome_name.loyalty": ("留网意愿", "intention to stay"),
    "effects.outcome_name.arpu": ("ARPU", "ARPU"),
    "effects.outcome_name.churn": ("月流失率", "monthly churn hazard"),
    "effects.value.points": ("{value:.2f} 分", "{value:.2f} points"),
    "effects.value.yuan": ("{value:.2f} 元", "{value:.2f} yuan"),
    "effects.p_adjust.fdr_bh": ("Benjamini–Hochberg 法，控制错误发现率",
                                "Benjamini–Hochberg, controlling the false discovery rate"),
    "effects.p_adjust.holm": ("Holm 法，控制族错误率",
                              "Holm, controlling the family-wise error rate"),
    "effects.p_adjust.bonferroni": ("Bonferroni 法，控制族错误率",
                                    "Bonferroni, controlling the family-wise error rate"),
    "effects.p_adjust.none": ("未校正", "no adjustment"),
    "effects.note.family": (
        "以上共 {n} 项效应（客户经理关怀 {n_care} 项、客户面板举措 {n_panel} 项、调查举措 "
        "{n_survey} 项）作为一个整体做多重比较校正（{method}）：只有校正后 p < {alpha} "
        "的才被认定；所列区间为未校正的 {level} 置信区间，区间不含 0 的效应校正后仍可能"
        "不显著。",
        "The {n} effects above (customer-manager care {n_care}, panel levers {n_panel}, survey levers "
        "{n_survey}) are tested as one family ({method}): only those with an adjusted p "
        "below {alpha} are claimed; the intervals shown are unadjusted {level} intervals, "
        "so an effect whose interval excludes zero may still not be significant once "
        "adjusted."),
    "effects.narrative.bias": (
        "参与者本来就消费更高、更满意，简单对比高估了调整后的差异。",
        "Participants already spend more and are more satisfied: naive comparisons "
        "overstate the adjusted differences."),
    "effects.note.support_dropped": (
        "{lever}：{covariate}为“{level}”的 {n} 位受访者中{who}，无可比对象，不计入比较。",
        "{lever}: of the {n} respondents whose {covariate} is “{level}”, {who}; with no one "
        "comparable to compare with, they are left out of the comparison."),
    "effects.note.support_nobody_uses": ("无人使用", "nobody uses it"),
    "effects.note.support_everybody_uses": ("人人使用", "everybody uses it"),
    "effects.note.not_estimable.no_contrast": (
        "{lever}：本季度受访者中没有使用者与未使用者之分，无法估计。",
        "{lever}: this wave has no contrast between users and non-users; not estimable."),
    "effects.note.not_estimable.no_overlap": (
        "{lever}：去掉无可比对象的受访者后，使用者与未使用者不再并存，无法估计。",
        "{lever}: once respondents without comparable counterparts are left out, users and "
        "non-users no longer both remain; not estimable."),
    "effects.note.not_estimable.no_fit": (
        "{lever}：倾向得分模型无法拟合（{detail}），无法估计。",
        "{lever}: the propensity model cannot be fitted ({detail}); not estimable."),
    "effects.plot.not_started": (
        "客户经理关怀本季度尚未开始，暂无可评估的效果", "Customer-manager care had not begun this quarter: "
        "nothing to evaluate yet"),
    "effects.narrative.care_not_started": (
        "客户经理关怀自 {start} 起分批推出，本季度结束时尚未开始，因此尚无可评估的效果。",
        "Customer-manager care was rolled out from {start}; by the end of this quarter it had not "
        "begun, so there is no effect to evaluate yet."),
    "effects.note.not_estimable.no_panel_contrast": (
        "{lever}：客户面板在本季度所在年份中没有足够的参与与未参与客户月，无法估计。",
        "{lever}: the customer panel holds too few months with and without taking part in "
        "this quarter's year; not estimable."),
    "effects.note.overlap_rule": (
        "未修剪样本；倾向得分在 [{low:g}, {high:g}] 之外的样本计为“低于下限”“高于上限”。",
        "No trimming; units with a propensity outside [{low:g}, {high:g}] are counted as "
        "below / above the bound."),
    "effects.note.churn_estimand": (
        "流失率 = 当月在网客户中当月离网的比例；客户经理关怀按客户群推广（意向处理），"
        "对照为从未推广的客户群。",
        "Churn hazard = share of the customers present in a month who leave at its end; "
        "customer-manager care is evaluated by segment roll-out (intention to treat) against "
        "segments never rolled out."),
    "effects.note.arpu_estimand": (
        "ARPU 效应以评估期内每月均在网的客户计算；举措效应为同一客户参与月与未参与月之差。",
        "ARPU effects are measured on the customers active in every month of the window; "
        "a lever's effect compares each customer's months with and without it."),
    "effects.note.survey_estimand": (
        "调查对比：本季全球通受访者中使用者与{adjusted_for}相同的未使用者之差（按{adjusted_for}"
        "双重稳健加权）。只调整了{adjusted_for}，使用者与未使用者在其他方面的差异未调整，"
        "因此这些差异不能解读为举措的因果效应。",
        "Survey comparisons: users against non-users of the same {adjusted_for} among this "
        "quarter's GoTone respondents (doubly robust weighting on {adjusted_for}). Only "
        "{adjusted_for} are held equal; any other way users differ from non-users is not, "
        "so these differences are not effects caused by the levers."),
    "effects.note.pooled": (
        "城市的调查对比为小区域估计：一个城市每季只有一两百名全球通受访者，单市的对比抽样误差很大。"
        "本市的对比与其他城市同一举措、同一指标的对比合并（随机效应模型，DerSimonian–Laird 城市间方差，"
        "共 {n} 个城市），再按本市抽样误差所占比例向各市均值收缩（经验贝叶斯）；"
        "区间由该模型的参数自助法校准，计入了均值与城市间方差的不确定性。这一估计假定各市的差异来自同一分布；"
        "本市自己的对比及收缩权重列在表中。",
        "City survey comparisons are small-area estimates: a city has only one or two hundred "
        "GoTone respondents a quarter, so one city's comparison carries a large sampling error. "
        "This city's comparison is combined with the other cities' comparisons of the same "
        "lever and outcome (random-effects model, DerSimonian–Laird between-city variance, "
        "{n} cities) and shrunk towards the cities' mean by the share of its variance that is "
        "sampling error (empirical Bayes); the interval is calibrated by a parametric bootstrap "
        "of that model and includes the uncertainty of the mean and of the between-city "
        "variance. The estimate assumes the cities' differences come "
        "from one common distribution; the city's own comparison and the weight of the mean "
        "are in the table."),
    # headings and notes of the notebook (labels.section)
    'section.program_effects.key_points': (
        '要点',
        'Key points'),
    'section.program_effects.key_points.note': (
        '客户经理关怀按客户群分批推广评估（双重差分，基于平行趋势假设）；积分、俱乐部、家庭产品的 ARPU 为同一客户参与月与未参与月之差；调查举措为使用者与客户层级（省级另加城市）相同的未使用者之差，不是因果效应；城市页的调查对比为与其他城市合并的小区域估计。本页全部效应作为一个整体做多重比较校正，只有校正后显著的才被认定。',
        'Customer-manager care is evaluated by its staggered roll-out (difference-in-differences, assuming parallel trends); the ARPU of points, clubs and family products compares each customer\'s months with and without the lever; the survey levers compare users with non-users of the same tier (and city, in the province), which are differences, not effects; on city pages they are small-area estimates pooled with the other cities. All effects of the page are tested as one family, and only those significant after the adjustment are claimed.'),
    'section.program_effects.care_calls_event_study': (
        '客户经理关怀：事件研究',
        'Customer-manager care: event study'),
    'section.program_effects.care_calls_event_study.note': (
        '按推广后月数汇总的效应及其 95% 置信区间；推广前各月接近 0 说明对照组可比（平行趋势）。',
        'Effects by months since the roll-out with 95% intervals; estimates near zero before the roll-out show that the comparison segments are comparable (parallel trends).'),
    'section.program_effects.points_clubs_family_products_arpu': (
        '积分、俱乐部、家庭产品：ARPU',
        'Points, clubs, family products: ARPU'),
    'section.program_effects.points_clubs_family_products_arpu.note': (
        '简单对比（参与月与未参与月之差）与调整后效应（同一客户参与月与未参与月之差）。',
        "Naive comparison (participating against other customer-months) and the adjusted effect (each customer's months with and without the lever)."),
    'section.program_effects.satisfaction_and_loyalty_survey': (
        '满意度与留网意愿（调查）',
        'Satisfaction and loyalty (survey)'),
    'section.program_effects.overlap_and_balance': (
        '重叠与平衡',
        'Overlap and balance'),
    'section.program_effects.overlap_and_balance.note': (
        '倾向得分在参与者与其他客户中的分布（修剪规则见表注），以及加权前后的标准化差异（|差异| < 0.1 视为平衡）。',
        'The propensity score among participants and others (the trimming rule under the table), and standardised differences before and after weighting (|difference| < 0.1 counts as balanced).'),
    'section.program_effects.published_numbers': (
        '发布',
        'Published numbers'),
}
