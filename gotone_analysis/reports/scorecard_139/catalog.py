"""Catalog section: the 139 scorecard report (:mod:`gotone_analysis.reports.scorecard_139`).

Statuses, the status rules in words (``scorecard.rule.<status>``, one a status of
:data:`gotone_analysis.reports.scorecard_139.status.STATUS_RULES`), status changes, table
headings, figure labels and the sentences of
:func:`gotone_analysis.reports.scorecard_139.sentences.scorecard_narrative`.
"""

from __future__ import annotations

_STATUSES: dict[str, tuple[str, str]] = {
    "met": ("已达成", "met"),
    "on_track": ("有望达成", "on track"),
    "inconclusive": ("无定论", "inconclusive"),
    "at_risk": ("存在风险", "at risk"),
    "off_track": ("进度落后", "off track"),
    "missed": ("未达成", "missed"),
    "not_measurable": ("无法衡量", "not measurable"),
}

_COLUMNS: dict[str, tuple[str, str]] = {
    "lever": ("举措", "Lever"),
    "label": ("目标", "Target"),
    "target": ("目标值", "Target value"),
    "deadline": ("期限", "Deadline"),
    "actual": ("实际值", "Actual"),
    "actual_ci": ("实际值 95% 置信区间", "Actual, 95% interval"),
    "actual_ref": ("对比期实际值", "Actual then"),
    "projected": ("期限预测值", "Projected at deadline"),
    "projected_pi": ("{level} 预测区间", "{level} prediction interval"),
    "gap": ("差距", "Gap"),
    "change": ("变化", "Change"),
    "status": ("状态", "Status"),
    "status_ref": ("对比期状态", "Status then"),
    "direction_of_change": ("状态变化", "Status change"),
    "source": ("来源与口径", "Source and method"),
    "scope": ("范围", "Scope"),
    "targets": ("目标数", "Targets"),
    "measurable": ("可衡量", "Measurable"),
    "attainment": ("达成或有望达成比例", "Share met or on track"),
    "rule": ("规则", "Rule"),
}

#: The status rules in readers' words (fields: ``{level}`` of the projection intervals,
#: ``{actual_level}`` of the survey intervals, ``{tolerance}`` of an apportioned city target).
_RULES: dict[str, tuple[str, str]] = {
    "not_measurable": (
        "现有数据无法衡量该指标（原因见“来源与口径”），或本期没有实际值。",
        "The data cannot measure the metric (the reason is under “Source and method”), or "
        "there is no actual for the period scored."),
    "inconclusive": (
        "期限已到，但期限时的实际值与目标无法区分：调查估计值的 {actual_level} 置信区间包含"
        "目标值（在抽样误差范围内），或由全省数量目标分解而来的城市目标（分解是本套件的假设）"
        "与实际值相差不超过目标的 {tolerance}。既不算已达成，也不算未达成。",
        "The deadline is reached but the actual at the deadline cannot be told apart from "
        "the target: a survey estimate whose {actual_level} confidence interval includes the "
        "target (within sampling error), or a city target apportioned from a province count "
        "target (the split is the suite's assumption) that the actual is within {tolerance} "
        "of. Neither met nor missed."),
    "met": (
        "期限已到，期限时的实际值满足目标（调查估计值：整个置信区间满足；分解的城市目标："
        "超出 {tolerance} 容差）；或期限未到，但年内不会下降的累计值已满足目标。",
        "The deadline is reached and the actual at the deadline clears the target (a survey "
        "estimate: its whole interval does; an apportioned city target: beyond the "
        "{tolerance} tolerance); or, before the deadline, a year-to-date count, which cannot "
        "fall, already clears it."),
    "missed": (
        "期限已到，期限时的实际值未满足目标（调查估计值：整个置信区间未满足；分解的城市目标："
        "超出 {tolerance} 容差）。",
        "The deadline is reached and the actual at the deadline falls short of the target (a "
        "survey estimate: its whole interval does; an apportioned city target: beyond the "
        "{tolerance} tolerance)."),
    "on_track": (
        "期限未到，期限时的 {level} 预测区间整体满足目标（分解的城市目标：整体超出容差）；"
        "目标为刻度端点（如 100%）时，预测值本身达到目标。",
        "Before the deadline, the whole {level} prediction interval at the deadline clears "
        "the target (an apportioned city target: beyond its tolerance); for a target at the "
        "end of its scale (such as 100%), the projection itself reaches it."),
    "off_track": (
        "期限未到，{level} 预测区间整体达不到目标（分解的城市目标：连容差的近端也达不到）。",
        "Before the deadline, the whole {level} prediction interval falls short of the target "
        "(an apportioned city target: even of the near end of its tolerance)."),
    "at_risk": (
        "期限未到，{level} 预测区间跨越目标，或观测期太短无法预测。",
        "Before the deadline, the {level} prediction interval straddles the target, or the "
        "series is too short to project."),
}

SECTION: dict[str, tuple[str, str]] = {
    "code.goal": ("总体目标", "Goal targets"),
    **{f"scorecard.status.{s}": pair for s, pair in _STATUSES.items()},
    **{f"scorecard.rule.{s}": pair for s, pair in _RULES.items()},
    "scorecard.rules_caption": ("状态规则（按此顺序判定）", "The status rules, in the order applied"),
    "scorecard.change.better": ("好转", "better"),
    "scorecard.change.worse": ("变差", "worse"),
    "scorecard.change.final": ("转为最终结果", "now final"),
    "scorecard.change.same": ("不变", "unchanged"),
    **{f"scorecard.column.{c}": pair for c, pair in _COLUMNS.items()},
    # figures
    "scorecard.plot.lights_title": ("九大举措一览：{quarter}，{scope}",
                                    "The nine levers at a glance: {quarter}, {scope}"),
    "scorecard.plot.light_line": ("{label}：实际 {actual}，目标 {target}，{projection}{status}",
                                  "{label}: actual {actual}, target {target}, "
                                  "{projection}{status}"),
    "scorecard.plot.light_projection": ("预测 {projected}（{interval}），",
                                        "projected {projected} ({interval}), "),
    "scorecard.plot.counts": ("{met} 达成 · {good} 有望 · {unclear} 无定论 · {risk} 风险 · "
                              "{bad} 落后/未达成",
                              "{met} met · {good} on track · {unclear} inconclusive · {risk} "
                              "at risk · {bad} off track/missed"),
    "scorecard.plot.actual": ("实际值", "actual"),
    "scorecard.plot.survey_ci": ("调查 95% 置信区间", "survey 95% interval"),
    "scorecard.plot.target": ("目标 {target}", "target {target}"),
    "scorecard.plot.deadline": ("期限 {deadline}", "deadline {deadline}"),
    "scorecard.plot.projection": ("预测", "projection"),
    "scorecard.plot.target_line": ("目标", "target"),
    "scorecard.plot.deadline_line": ("期限", "deadline"),
    "scorecard.plot.fan": ("{level} 预测区间", "{level} prediction interval"),
    "scorecard.plot.no_data": ("无法衡量", "not measurable"),
    "scorecard.plot.percent": ("%", "%"),
    "scorecard.plot.city_lever_title": ("各城市各举措：达成或有望达成的目标比例",
                                        "Cities x levers: share of targets met or on track"),
    # the narrative: counts
    "scorecard.narrative.counts": (
        "{quarter}，{scope}共 {n} 项目标（其中 {m} 项可衡量）：{parts}。",
        "{quarter}, {scope}: {n} targets ({m} measurable) – {parts}."),
    "scorecard.narrative.count_part": ("{k} 项{status}", "{k} {status}"),
    "scorecard.narrative.sep": ("，", ", "),
    "scorecard.narrative.list_sep": ("；", "; "),
    "scorecard.narrative.met_list": ("**已达成**：{labels}。", "**Met**: {labels}."),
    # the monthly scorecard: a survey actual is the latest wave's, never this month's
    "scorecard.wave_label": ("{value}（{wave} 调查）", "{value} ({wave} survey)"),
    "scorecard.narrative.wave_note": (
        "（实际值取自 {wave} 季度调查，并非本月测量。）",
        "(The actual is the {wave} survey wave's, not a measurement of this month.)"),
    # the narrative: one sentence a target, by status
    "scorecard.narrative.met": (
        "**{label}**：{deadline} 实际值 {actual}，目标 {target}，**已达成**。",
        "**{label}**: {actual} at {deadline} against a target of {target} – **met**."),
    "scorecard.narrative.met_early": (
        "**{label}**：今年截至目前累计 {actual}，已超过 {deadline} 的目标 {target}，**已达成**"
        "（累计值年内不会下降）。",
        "**{label}**: {actual} so far this year, already beyond the {deadline} target of "
        "{target} – **met** (a year-to-date count cannot fall)."),
    "scorecard.narrative.missed": (
        "**{label}**：{deadline} 实际值 {actual}，目标 {target}，差距 {gap}，**未达成**。",
        "**{label}**: {actual} at {deadline} against a target of {target}, a gap of {gap} "
        "– **missed**."),
    "scorecard.narrative.on_track": (
        "**{label}**：目前 {actual}，预计 {deadline} 达到 {projected}，{level} 预测区间 "
        "{interval} 整体满足目标 {target}，**有望达成**。",
        "**{label}**: {actual} now, projected {projected} at {deadline}; the whole {level} "
        "prediction interval {interval} clears the target of {target} – **on track**."),
    "scorecard.narrative.on_track_end": (
        "**{label}**：目前 {actual}，预计 {deadline} 达到目标 {target}（{level} 预测区间 "
        "{interval}），**有望达成**；{target} 是刻度的端点，预测区间不可能整体越过它。",
        "**{label}**: {actual} now, projected to reach the target of {target} by "
        "{deadline} ({level} prediction interval {interval}) – **on track**; {target} is "
        "the end of the scale, which no interval can lie beyond."),
    "scorecard.narrative.at_risk": (
        "**{label}**：目前 {actual}，预计 {deadline} 为 {projected}，{level} 预测区间 "
        "{interval} 跨越目标 {target}，能否达成尚不确定，**存在风险**。",
        "**{label}**: {actual} now, projected {projected} at {deadline}; the {level} "
        "prediction interval {interval} straddles the target of {target}, so it may or may "
        "not be met – **at risk**."),
    "scorecard.narrative.at_risk_end": (
        "**{label}**：目前 {actual}，预计 {deadline} 为 {projected}；{level} 预测区间 "
        "{interval} 触及目标 {target}，但预测值本身未达到，**存在风险**。",
        "**{label}**: {actual} now, projected {projected} at {deadline}; the {level} "
        "prediction interval {interval} reaches the target of {target} but the projection "
        "itself does not – **at risk**."),
    "scorecard.narrative.at_risk_none": (
        "**{label}**：目前 {actual}，目标 {target}（{deadline}）；观测期太短，无法预测，"
        "**存在风险**。",
        "**{label}**: {actual} now against a target of {target} ({deadline}); the series is "
        "too short to project – **at risk**."),
    "scorecard.narrative.off_track": (
        "**{label}**：目前 {actual}，预计 {deadline} 为 {projected}，{level} 预测区间 "
        "{interval} 整体达不到目标 {target}，**进度落后**。",
        "**{label}**: {actual} now, projected {projected} at {deadline}; the whole {level} "
        "prediction interval {interval} falls short of the target of {target} – "
        "**off track**."),
    "scorecard.narrative.inconclusive": (
        "**{label}**：{deadline} 实际值 {actual}，目标 {target}；该值来自抽样调查，"
        "{actual_level} 置信区间 {actual_interval} 包含目标值，结论在抽样误差范围内，"
        "**无定论**（既不算已达成，也不算未达成）。",
        "**{label}**: {actual} at {deadline} against a target of {target}; this is a survey "
        "estimate whose {actual_level} interval {actual_interval} includes the target, so the "
        "verdict is within sampling error – **inconclusive** (neither met nor missed)."),
    "scorecard.narrative.inconclusive_apportioned": (
        "**{label}**：{deadline} 实际值 {actual}，城市目标 {target}，差距 {gap}；城市目标由全省"
        "目标按本市占比分解（本套件的假设），差距在目标的 ±{tolerance} 以内，**无定论**"
        "（既不算已达成，也不算未达成）。",
        "**{label}**: {actual} at {deadline} against a city target of {target}, a gap of "
        "{gap}; the city target is the province's split by the city's share (the suite's "
        "assumption) and the gap is within ±{tolerance} of it – **inconclusive** (neither met "
        "nor missed)."),
    "scorecard.narrative.not_measurable": (
        "{k} 项目标无法用现有数据衡量：{labels}（原因见表）。",
        "{k} target(s) cannot be measured from the data: {labels} (reasons in the table)."),
    # the narrative: what changed
    "scorecard.narrative.changes": (
        "与{what}相比，{k} 项目标状态发生变化：",
        "Since {what}, {k} target(s) changed status:"),
    "scorecard.narrative.changes.worse": (
        "**变差**（{k} 项；预测跨越了界限，或实际值的变化超出抽样误差）：{items}。",
        "**worse** ({k}; the forecast crossed a boundary, or the actual moved beyond sampling "
        "error): {items}."),
    "scorecard.narrative.changes.better": (
        "**好转**（{k} 项；预测跨越了界限，或实际值的变化超出抽样误差）：{items}。",
        "**better** ({k}; the forecast crossed a boundary, or the actual moved beyond sampling "
        "error): {items}."),
    "scorecard.narrative.changes.final": (
        "**转为最终结果**（{k} 项；期限已到，预测状态变为最终判定，预测与判定不可比，不计为"
        "好转或变差）：{items}。",
        "**now final** ({k}; the deadline passed and a forecast became a verdict, which are "
        "not alike, so neither better nor worse): {items}."),
    "scorecard.narrative.changes.same": (
        "**无实质变化**（{k} 项；实际值的变化在抽样误差范围内，或涉及无法衡量）：{items}。",
        "**no real change** ({k}; the actual moved within sampling error, or a status was not "
        "measurable): {items}."),
    "scorecard.narrative.change_item": ("{label}（{before} → {after}）",
                                        "{label} ({before} → {after})"),
    "scorecard.narrative.no_changes": ("与{what}相比，没有目标的状态发生变化。",
                                       "Since {what}, no target changed status."),
    # the narrative: cities
    "scorecard.narrative.cities_behind": (
        "未达成或进度落后的目标最多的城市：{items}。",
        "Cities with the most targets missed or off track: {items}."),
    "scorecard.narrative.city_item": ("{city}（{n} 项可衡量目标中 {k} 项）",
                                      "{city} ({k} of {n} measurable targets)"),
    "scorecard.narrative.city_own": (
        "{city}：{n} 项可衡量目标中 {k} 项未达成或进度落后。",
        "{city}: {k} of its {n} measurable targets missed or off track."),
    "scorecard.narrative.city_own_none": (
        "{city}：{n} 项可衡量目标中没有未达成或进度落后的。",
        "{city}: none of its {n} measurable targets missed or off track."),
    "scorecard.narrative.city_unmeasured": (
        "另有 {k} 项目标无法衡量（共 {total} 项）。",
        "{k} more of its {total} targets cannot be measured."),
    "scorecard.narrative.cities_none": ("没有城市存在未达成或进度落后的目标。",
                                        "No city has a target missed or off track."),
    "scorecard.narrative.contributions": (
        "**{label}**（全省目前差距 {gap}）：拉大差距最多的城市为 {items}。",
        "**{label}** (province gap now {gap}): the cities adding most to it are {items}."),
    "scorecard.narrative.contribution_item": ("{city} {value}", "{city} {value}"),
    "scorecard.narrative.contributions_none": (
        "没有未达成、进度落后或存在风险且目前有差距的全省目标。",
        "No province target missed, off track or at risk has a gap now."),
    "scorecard.note.contributions": (
        "城市贡献：比率类目标按城市在全省分母中的占比加权（城市实际值 − 目标）×占比，"
        "数量类目标为城市实际值 − 城市目标；各城市贡献之和等于全省差距（其他城市可能抵消一部分）。"
        "调查类目标的城市贡献含抽样误差。",
        "City contributions: for a rate, (city actual − target) × the city's share of the "
        "province base; for a count, city actual − city target; they add up to the "
        "province gap (other cities may offset part of it). For survey targets the cities' "
        "contributions carry sampling error."),
    "scorecard.note.city_targets": (
        "城市目标：比率类目标与全省相同；数量类目标按该城市上年 12 月在全省中的占比分解"
        "（本套件的假设，见“来源与口径”），因此按 ±{tolerance} 的容差判定：实际值在容差以内为"
        "“无定论”。",
        "City targets: rate targets are the province's; count targets are split by the "
        "city's share of the province count in December of the year before (the suite's "
        "assumption, see “Source and method”), so they are judged at a tolerance of "
        "±{tolerance}: an actual within it is “inconclusive”."),
    "scorecard.note.rules": (
        "状态规则：期限已到按期限时的实际值判定（已达成/未达成；调查值的置信区间包含目标，"
        "或在分解城市目标的容差以内，为“无定论”）；期限未到时，{level} 预测区间"
        "整体满足目标为“有望达成”，跨越目标为“存在风险”，整体达不到为“进度落后”。完整规则见下表。",
        "Status rules: once the deadline is reached, the actual at the deadline decides (met "
        "/ missed; “inconclusive” when a survey estimate's interval includes the target or "
        "the actual is within the tolerance of an apportioned city target); before it, a "
        "{level} prediction interval wholly clearing the target is “on track”, one "
        "straddling it “at risk”, one wholly short of it “off track”. The full rules are in "
        "the table below."),
    # headings and notes of the notebook (labels.section)
    'section.scorecard_139.key_points': (
        '要点',
        'Key points'),
    'section.scorecard_139.key_points.note': (
        '每项 139 目标与其实际值比较，并预测到期限（90% 预测区间）；期限已到的目标按期限时的实际值判定。',
        'Every 139 target against its actual, projected to its deadline (90% prediction interval); a target whose deadline has passed is judged on its actual at the deadline.'),
    'section.scorecard_139.the_nine_levers_at_a_glance': (
        '九大举措一览',
        'The nine levers at a glance'),
    'section.scorecard_139.the_nine_levers_at_a_glance.note': (
        '每项举措一盏灯（取其目标中最差的状态）：绿色为已达成或有望达成，蓝色为无定论（在抽样误差或分解目标的容差以内，既不算达成也不算未达成），黄色为存在风险，红色为进度落后或未达成，灰色为无法衡量。',
        'One light a lever (the worst status among its targets): green met or on track, blue inconclusive (within sampling error or the tolerance of an apportioned target: neither met nor missed), amber at risk, red off track or missed, grey not measurable.'),
    'section.scorecard_139.each_target_s_series': (
        '各目标走势',
        "Each target's series"),
    'section.scorecard_139.each_target_s_series.note': (
        '月度 KPI（调查指标为季度）、目标线、期限，以及期限未到的目标的预测及其 90% 预测区间。',
        'Monthly KPI values (survey metrics by wave), the target line, the deadline, and for targets not yet due the projection with its 90% prediction interval.'),
    'section.scorecard_139.status_changes': (
        '状态变化',
        'What changed since the comparison period'),
    'section.scorecard_139.cities_by_lever': (
        '分城市、分举措',
        'Cities by lever'),
    'section.scorecard_139.cities_by_lever.note': (
        '全省报告：各城市每项举措中已达成或有望达成的目标占可衡量目标的比例，以及各城市对全省差距的贡献。'
        '城市报告只有本城市，不作城市间比较，只给出本城市的计数（各举措见“九大举措一览”）。',
        "The province report: for each city and lever, the share of its measurable targets "
        "met or on track, and where the province gaps come from. A city's report holds the "
        "city alone: no comparison of cities, only the city's own counts (its levers are in "
        "\"The nine levers at a glance\")."),
    'section.scorecard_139.published_numbers': (
        '发布',
        'Published numbers'),
}
