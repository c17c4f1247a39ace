"""Catalog section: the one-page summary report (:mod:`gotone_analysis.reports.summary.tables`).

Headings, the headline numbers' names, the "based on" note and the sentences of
:func:`gotone_analysis.reports.summary.sentences.summary_sentences` (``narrative.summary.*``),
plus the section headings of every report notebook (``section.<report>.*``): a
notebook prints its headings from the catalog so that a page is in one language.
"""

from __future__ import annotations

SECTION: dict[str, tuple[str, str]] = {
    # the summary page
    "summary.heading.headline": ("关键指标", "Headline numbers"),
    "summary.heading.changed": ("变化了什么、为什么", "What changed and why"),
    "summary.heading.levers": ("九大举措状态", "The nine levers"),
    "summary.heading.reports": ("详细报告", "Detailed reports"),
    "summary.intro": (
        "本页每句话都由各详细报告发布的指标生成；只陈述超出抽样误差的变化和置信区间不含 0 "
        "的效应，样本量不足的部分不作为结论。每句话后注明所依据的指标。",
        "Every sentence on this page is generated from the metrics the detailed reports "
        "published; only moves outside sampling error and effects whose interval excludes "
        "zero are stated, and parts with too small a base are never findings. Each "
        "sentence names the metrics it is based on."),
    "summary.based_on": ("依据", "Based on"),
    "summary.no_findings": ("本季度没有超出抽样误差的变化可报告。",
                            "Nothing moved outside sampling error this quarter."),
    "summary.column.measure": ("指标", "Measure"),
    "summary.column.value": ("数值", "Value"),
    "summary.column.interval": ("95% 置信区间", "95% interval"),
    "summary.column.status": ("状态", "Status"),
    "summary.column.lever": ("举措", "Lever"),
    "summary.column.based_on": ("依据", "Based on"),
    "summary.metric.influence": ("品牌影响力指数", "Brand influence index"),
    "summary.metric.satisfaction": ("满意度指数", "Satisfaction index"),
    "summary.metric.satisfaction_lead": ("满意度领先全网", "Satisfaction lead over the network"),
    "summary.metric.gotone_customers": ("全球通客户数", "GoTone customers"),
    "summary.metric.target_share": ("目标市场份额", "Target-market share"),
    "summary.metric.purity": ("目标市场纯度", "Purity"),
    "summary.not_available": ("—", "—"),
    "summary.suppressed": ("样本量不足", "base too small"),
    # sentences (narrative.summary)
    "narrative.summary.satisfaction_level": (
        "满意度指数为 {estimate:.1f}（{level} 置信区间 {lo:.1f}–{hi:.1f}）",
        "The satisfaction index stands at {estimate:.1f} ({level} interval "
        "{lo:.1f}–{hi:.1f})"),
    "narrative.summary.lead": ("，领先全网均值 {lead:.1f} 分，超出抽样误差。",
                               ", {lead:.1f} points above the network average, outside "
                               "sampling error."),
    "narrative.summary.behind": ("，落后全网均值 {lead:.1f} 分，超出抽样误差。",
                                 ", {lead:.1f} points below the network average, outside "
                                 "sampling error."),
    "narrative.summary.level_with_network": ("，与全网均值的差距在抽样误差范围内。",
                                             ", level with the network average within "
                                             "sampling error."),
    "narrative.summary.no_network": ("。", "."),
    "narrative.summary.satisfaction_moved.up": (
        "满意度自 {compare} 以来上升 {diff:.1f} 分，超出抽样误差（{level} 置信区间 "
        "{lo:+.1f} 至 {hi:+.1f}）。",
        "Satisfaction rose {diff:.1f} points since {compare}, outside sampling error "
        "({level} interval {lo:+.1f} to {hi:+.1f})."),
    "narrative.summary.satisfaction_moved.down": (
        "满意度自 {compare} 以来下降 {diff:.1f} 分，超出抽样误差（{level} 置信区间 "
        "{lo:+.1f} 至 {hi:+.1f}）。",
        "Satisfaction fell {diff:.1f} points since {compare}, outside sampling error "
        "({level} interval {lo:+.1f} to {hi:+.1f})."),
    "narrative.summary.satisfaction_steady": (
        "满意度与 {compare} 相比的差异在抽样误差范围内，不能认为有变化。",
        "Satisfaction is where it was in {compare}: the difference is within sampling "
        "error."),
    "narrative.summary.drivers.up": (
        "其中约 {share} 来自{drivers}表现的提升（变化分解中区间不含 0 的驱动因素）。",
        "About {share} of it comes from better {drivers} (the drivers of the "
        "decomposition whose interval excludes zero)."),
    "narrative.summary.drivers.down": (
        "其中约 {share} 来自{drivers}表现的下降（变化分解中区间不含 0 的驱动因素）。",
        "About {share} of it comes from weaker {drivers} (the drivers of the "
        "decomposition whose interval excludes zero)."),
    "narrative.summary.segments.up": (
        "上升主要发生在{segments}内部（按{segment}的分解，区间不含 0）。",
        "The rise happened mostly within {segments} (split by {segment}; intervals "
        "exclude zero)."),
    "narrative.summary.segments.down": (
        "下降主要发生在{segments}内部（按{segment}的分解，区间不含 0）。",
        "The fall happened mostly within {segments} (split by {segment}; intervals "
        "exclude zero)."),
    "narrative.summary.mix": (
        "客户结构（按{segment}）的变化也有显著贡献：{mix:+.2f} 分。",
        "The change of the segment mix (by {segment}) also contributed significantly: "
        "{mix:+.2f} points."),
    "narrative.summary.influence_level": (
        "品牌影响力指数为 {estimate:.1f}（{level} 置信区间 {lo:.1f}–{hi:.1f}）",
        "The brand influence index stands at {estimate:.1f} ({level} interval "
        "{lo:.1f}–{hi:.1f})"),
    "narrative.summary.influence_moved.up": ("，自 {compare} 以来显著上升 {diff:.1f} 分。",
                                             ", up {diff:.1f} points since {compare}, "
                                             "outside sampling error."),
    "narrative.summary.influence_moved.down": ("，自 {compare} 以来显著下降 {diff:.1f} 分。",
                                               ", down {diff:.1f} points since {compare}, "
                                               "outside sampling error."),
    "narrative.summary.influence_steady": ("，与 {compare} 相比的差异在抽样误差范围内。",
                                           ", where it was in {compare} within sampling "
                                           "error."),
    "narrative.summary.component_moved.up": (
        "{component}自 {compare} 以来显著上升 {diff:.1f} 分。",
        "{component} rose {diff:.1f} points since {compare}, outside sampling error."),
    "narrative.summary.component_moved.down": (
        "{component}自 {compare} 以来显著下降 {diff:.1f} 分。",
        "{component} fell {diff:.1f} points since {compare}, outside sampling error."),
    "narrative.summary.care_effect": (
        "关怀回访使{outcome}平均变化 {estimate}（{level} 置信区间 {lo} 至 {hi}），"
        "区间不含 0。",
        "Care calls changed the {outcome} by {estimate} on average ({level} interval {lo} "
        "to {hi}), an interval that excludes zero."),
    "narrative.summary.lever_effect": (
        "{lever}使{outcome}变化 {estimate}（{level} 置信区间 {lo} 至 {hi}，已调整自选择）。",
        "{lever} changed {outcome} by {estimate} ({level} interval {lo} to {hi}, adjusted "
        "for who chose to take part)."),
    "narrative.summary.no_effect": (
        "以下效应的置信区间包含 0，数据不足以认定：{items}。",
        "For these the interval includes zero, so the data do not establish an effect: "
        "{items}."),
    "narrative.summary.effect_item": ("{lever}对{outcome}", "{lever} on {outcome}"),
    "narrative.summary.targets": (
        "139 工程的目标中有 {n_bad} 项需要关注：{items}。",
        "{n_bad} targets of the 139 plan need attention: {items}."),
    "narrative.summary.more": ("等（共 {n} 项，见记分卡）", " and {n} more (see the scorecard)"),
    "narrative.summary.outcome.churn": ("月流失率", "monthly churn"),
    "narrative.summary.outcome.arpu": ("ARPU", "ARPU"),
    "narrative.summary.outcome.satisfaction": ("满意度", "satisfaction"),
    "narrative.summary.outcome.loyalty": ("留网意愿", "intention to stay"),
    "narrative.summary.target_item": ("{label}（{status}）", "{label} ({status})"),
    "narrative.summary.targets_fine": ("所有可衡量的 139 目标均已达成或有望达成。",
                                       "Every measurable 139 target is met or on track."),
    "narrative.summary.targets_inconclusive": (
        "{n} 项 139 目标无定论，既不算达成也不算未达成（调查值在抽样误差范围内，或在分解城市目标的"
        "容差以内）：{items}。",
        "{n} targets of the 139 plan are inconclusive, neither met nor missed (a survey "
        "estimate within sampling error, or within the tolerance of an apportioned city "
        "target): {items}."),
    "narrative.summary.worse": (
        "与 {compare} 相比，{n} 项目标的状态变差（预测跨越了界限，或实际值的变化超出抽样误差）。",
        "Since {compare}, {n} targets changed status for the worse (the forecast crossed a "
        "boundary, or the actual moved beyond sampling error)."),
    "narrative.summary.none_worse": (
        "与 {compare} 相比，没有目标的状态变差。",
        "Since {compare}, no target changed status for the worse."),
    "narrative.summary.final": (
        "另有 {n} 项目标到期，状态由预测变为最终结果（预测与最终结果不可比，不计为变好或变差）。",
        " {n} targets reached their deadline and their forecast became a final verdict "
        "(neither better nor worse: a forecast and a verdict are not alike)."),
    "narrative.summary.list_sep": ("、", ", "),
    "narrative.summary.list_and": ("和", " and "),
    "narrative.summary.points": ("{value:+.2f} 个百分点", "{value:+.2f} percentage points"),
    "narrative.summary.yuan": ("{value:+.1f} 元", "{value:+.1f} yuan"),
    "narrative.summary.score": ("{value:+.1f} 分", "{value:+.1f} points"),
}
