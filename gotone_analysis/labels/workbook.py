"""Catalog section: the scope workbook ``tables.xlsx`` (:mod:`gotone_analysis.workbook`).

The first sheet's texts, each report's short name for sheet names and each table's
name (``workbook.table.<report>.<table>``), the headings of the columns the reader tables
do not show (``workbook.column.<column>``; one table's own heading:
``workbook.heading.<report>.<table>.<column>``), the words for the codes of those columns
(``workbook.value.<kind>.<code>``), the survey items by their question
(``workbook.item.<item>``) and why an empty table is empty (``workbook.empty.*``).
"""

from __future__ import annotations

_REPORTS: dict[str, tuple[str, str]] = {
    "summary": ("概览", "Summary"),
    "data_quality": ("数据质量", "Quality"),
    "brand_equity": ("品牌", "Brand"),
    "satisfaction": ("满意度", "Satisfaction"),
    "program_effects": ("成效", "Effects"),
    "scorecard_139": ("记分卡", "Scorecard"),
    "monthly_summary": ("月度概览", "Monthly"),
}

#: The claim ledger of every report (:mod:`gotone_analysis.findings`).
_FINDINGS: tuple[str, str] = ("结论与依据", "Findings")

_TABLES: dict[str, dict[str, tuple[str, str]]] = {
    "summary": {"headline": ("关键指标", "Headline")},
    "monthly_summary": {"kpi_moves": ("BI 月度变化", "KPI moves"),
                        "milestones": ("到期里程碑", "Milestones due"),
                        "status_changes": ("状态变化", "Status changes")},
    "data_quality": {"bases": ("样本量", "Bases"), "weights": ("权重诊断", "Weights"),
                     "missing": ("缺失值", "Missingness"),
                     "validation": ("数据校验", "Validation")},
    "brand_equity": {"components": ("四要素及变化", "Components"),
                     "benchmark": ("与全网比较", "Network"),
                     "year_ago": ("与去年同期比较", "Year ago"),
                     "year_to_date": ("年度累计", "Year to date"), "trend": ("趋势", "Trend"),
                     "cities": ("分城市", "Cities"), "tiers": ("分层级", "Tiers"),
                     "brands": ("分品牌", "Brands"), "funnel": ("品牌漏斗", "Funnel")},
    "satisfaction": {"trend": ("指数趋势", "Trend"), "what_moved": ("变化了什么", "What moved"),
                     "decomposition": ("变化的分解", "Decomposition"),
                     "ecsi_index": ("模型指数", "Model indices"),
                     "ecsi_paths": ("模型路径", "Model paths"),
                     "importance_performance": ("重要性–表现", "Importance-performance"),
                     "segments_tier": ("细分（层级）", "Segments by tier"),
                     "segments_city": ("细分（城市）", "Segments by city")},
    "program_effects": {"care": ("客户经理关怀", "Customer-manager care"),
                        "care_att_gt_churn": ("关怀-流失-分组", "Care churn ATT(g,t)"),
                        "care_att_gt_arpu": ("关怀-ARPU-分组", "Care ARPU ATT(g,t)"),
                        "care_dynamic_churn": ("关怀-流失-动态", "Care churn by month"),
                        "care_dynamic_arpu": ("关怀-ARPU-动态", "Care ARPU by month"),
                        "panel_levers": ("举措ARPU", "Levers ARPU"),
                        "survey_levers": ("举措调查", "Levers survey"),
                        "overlap": ("重叠", "Overlap"), "balance": ("平衡", "Balance")},
    "scorecard_139": {"scorecard": ("目标", "Targets"), "levers": ("举措一览", "Levers"),
                      "series": ("走势", "Series"), "projections": ("预测", "Projections"),
                      "reference": ("对比期", "Comparison quarter"),
                      "status_changes": ("状态变化", "Status changes"),
                      "cities": ("分城市", "Cities"), "city_lever": ("城市×举措", "City x lever"),
                      "contributions": ("城市贡献", "City contributions")},
}

#: Headings of table columns the reader tables do not show (the workbook shows every column).
_COLUMNS: dict[str, tuple[str, str]] = {
    "ci_low": ("置信区间下限", "Interval low"), "ci_high": ("置信区间上限", "Interval high"),
    "diff_ci_low": ("变化区间下限", "Change, interval low"),
    "diff_ci_high": ("变化区间上限", "Change, interval high"),
    "lead_ci_low": ("领先区间下限", "Lead, interval low"),
    "lead_ci_high": ("领先区间上限", "Lead, interval high"),
    "lead_significant": ("领先显著", "Lead significant"),
    "significant": ("显著", "Significant"), "mark": ("标记", "Mark"),
    "suppressed": ("样本不足不予显示", "Suppressed (base too small)"),
    "note": ("说明", "Note"), "kind": ("类型", "Kind"), "sentence": ("句子", "Sentence"),
    "keys": ("所依据的指标键", "Metric keys it rests on"),
    "direction": ("方向", "Direction"), "rule": ("所依规则", "Rule that allowed it"),
    "name": ("名称", "Name"), "key": ("指标键", "Metric key"),
    "unit": ("单位", "Unit"), "report": ("报告", "Report"),
    "z": ("z 值", "z value"), "waves": ("调查波次数", "Survey waves"),
    "lead_p": ("领先的 p 值", "p of the lead"), "reason": ("原因", "Reason"),
    "n_comparison": ("对比期完整样本量", "Complete base then"),
    "base": ("基期月份", "Base month"), "post": ("推广后", "After roll-out"),
    "n_cells": ("单元数", "Cells"),
    "p01": ("1% 分位", "1st pct"), "p25": ("25% 分位", "25th pct"),
    "p75": ("75% 分位", "75th pct"), "p99": ("99% 分位", "99th pct"),
    "mean_treated_w": ("加权后参与者均值", "Participants' mean, weighted"),
    "mean_control_w": ("加权后其他客户均值", "Others' mean, weighted"),
    "var_ratio_raw": ("加权前方差比", "Variance ratio before"),
    "var_ratio_weighted": ("加权后方差比", "Variance ratio after"),
    "target_id": ("目标编号", "Target ID"),
    "actual_low": ("实际值区间下限", "Actual, interval low"),
    "actual_high": ("实际值区间上限", "Actual, interval high"),
    "projected_low": ("预测区间下限", "Projection, interval low"),
    "projected_high": ("预测区间上限", "Projection, interval high"),
    "worst": ("最差状态", "Worst status"), "light": ("信号灯", "Light"),
    "horizon": ("距期限月数", "Months ahead"), "level": ("区间水平", "Interval level"),
    "model": ("预测模型", "Model"), "changed": ("状态有变化", "Status changed"),
    "r2_target": ("终点变量的 R²", "R² of the construct led to"),
    "raw": ("未归一的重要性", "Raw importance"), "sign": ("方向（+1/−1）", "Sign (+1/−1)"),
    "importance_ci_low": ("重要性区间下限", "Importance, interval low"),
    "importance_ci_high": ("重要性区间上限", "Importance, interval high"),
    "performance_se": ("表现的标准误", "Performance SE"),
    "performance_ci_low": ("表现区间下限", "Performance, interval low"),
    "performance_ci_high": ("表现区间上限", "Performance, interval high"),
    "weight": ("权重（城市占比）", "Weight (the city's share)"),
    "contribution": ("贡献", "Contribution"),
}

#: One table's own headings: effects headed as effects, with their unit.
_HEADINGS: dict[str, tuple[str, str]] = {
    "program_effects.care.estimate": ("效应（单位见结果指标）", "Effect (in the outcome's unit)"),
    **{f"program_effects.care_{k}_churn.estimate": ("对月流失率的效应（百分点）",
                                                   "Effect on monthly churn (percentage points)")
       for k in ("att_gt", "dynamic")},
    **{f"program_effects.care_{k}_arpu.estimate": ("对 ARPU 的效应（元）",
                                                  "Effect on ARPU (yuan)")
       for k in ("att_gt", "dynamic")},
    **{f"program_effects.{t}.estimate": ("效应（单位见结果指标）",
                                         "Effect (in the outcome's unit)")
       for t in ("panel_levers", "survey_levers")},
    "summary.headline.estimate": ("数值", "Value"),
    "satisfaction.ecsi_index.estimate": ("指数（0–100）", "Index (0–100)"),
    "satisfaction.ecsi_paths.estimate": ("路径系数", "Path coefficient"),
    "scorecard_139.series.estimate": ("实际值", "Actual"),
    "scorecard_139.projections.estimate": ("预测值", "Projection"),
}

#: Words for the codes of columns the catalog does not name elsewhere: kind -> code -> pair.
_VALUES: dict[str, dict[str, tuple[str, str]]] = {
    "reason": {"base_below_minimum": ("样本量低于最低要求", "Base below the minimum")},
    "light": {"green": ("绿灯", "Green"), "blue": ("蓝灯", "Blue"), "amber": ("黄灯", "Amber"),
              "red": ("红灯", "Red"), "grey": ("灰灯", "Grey")},
    "direction": {">=": ("不低于", "At least"), ">": ("高于", "Above"),
                  "<=": ("不高于", "At most"), "<": ("低于", "Below"),
                  # a finding's direction (gotone_analysis.findings.DIRECTIONS)
                  "up": ("上升或更高", "Up or higher"), "down": ("下降或更低", "Down or lower"),
                  "level": ("水平或状态", "Level or status"),
                  "mixed": ("方向不一", "Mixed"), "none": ("不能认定", "Nothing claimed")},
    # the rule that allowed a finding (gotone_analysis.findings.RULES)
    "rule": {
        "estimate_with_interval": ("附置信区间的估计", "Estimate with its interval"),
        "beyond_sampling_error": ("超出抽样误差（多重比较校正后）",
                                  "Beyond sampling error (adjusted p below alpha)"),
        "interval_excludes_zero": ("区间不含 0", "Interval excludes zero"),
        "main_share": ("份额及其下限均超过一半", "Share and its lower bound above one half"),
        "family_holm": ("效应族 Holm 校正后显著", "Significant in the page's family (Holm)"),
        "family_bonferroni": ("效应族 Bonferroni 校正后显著",
                              "Significant in the page's family (Bonferroni)"),
        "family_fdr_bh": ("效应族 Benjamini–Hochberg 校正后显著",
                          "Significant in the page's family (Benjamini–Hochberg)"),
        "family_none": ("未校正即显著", "Significant without adjustment"),
        "status_rule": ("记分卡状态规则", "The scorecard's status rules"),
        "census_count": ("BI 统计为全量数据，月度变化如实陈述",
                         "A month's move of a BI count, a census, stated as it is"),
        "naive_above_adjusted": ("简单对比大多高于调整后效应",
                                 "Most naive comparisons above the adjusted ones"),
        "min_base": ("样本量低于最低要求不予显示", "Below the minimum base: not shown"),
        "no_comparison": ("无可比较的数据", "No comparison possible"),
    },
    "scorecard_unit": {"rate": ("比率", "Rate"), "customers": ("客户数", "Customers"),
                       "accounts": ("账户数", "Accounts"), "points": ("积分", "Loyalty points"),
                       "score": ("得分（0–100）", "Score (0–100)"), "rank": ("名次", "Rank")},
    "summary_unit": {"rate": ("比率", "Rate"), "count": ("数量", "Number"),
                     "points": ("分", "Points"), "score": ("得分（0–100）", "Score (0–100)")},
    "input_kind": {"survey": ("调查", "Survey"), "kpi": ("经营指标（KPI）", "KPI counts"),
                   "benchmark": ("全网基准", "Network benchmark"),
                   "panel": ("客户面板", "Customer panel"), "targets": ("目标", "Targets")},
    "check": {"ok": ("通过", "Passed"), "failed": ("未通过", "Failed"),
              "warning": ("需留意", "Warning")},
    "total": {"all": ("全部", "All")},
    "event_time": {"overall": ("推广后各月平均", "Average after roll-out")},
}

#: The survey items by their question (the data-quality table of missing answers).
_ITEMS: dict[str, tuple[str, str]] = {
    "aw_unaided": ("品牌无提示认知", "Brand awareness, unaided"),
    "aw_aided": ("品牌提示认知", "Brand awareness, aided"),
    **{f"img_{i}": (f"品牌形象 {i}", f"Brand image item {i}") for i in range(1, 6)},
    "pref_score": ("品牌偏好", "Brand preference"),
    "loy_stay": ("继续使用意愿", "Intention to stay"),
    "ltr": ("推荐意愿", "Likelihood to recommend"),
    "sat_overall": ("总体满意度", "Overall satisfaction"),
    "sat_expect": ("与期望相比", "Satisfaction against expectation"),
    "sat_ideal": ("与理想相比", "Distance to the ideal operator"),
    "exp_overall": ("使用前期望", "Expected quality before using"),
    "val_price": ("价格价值感", "Value for the price"),
    "val_quality": ("质量价值感", "Value for the quality"),
    "complaint": ("近三月投诉", "Complained in the last 3 months"),
    "pq_network": ("网络质量", "Network quality"), "pq_tariff": ("资费", "Tariffs"),
    "pq_hall": ("营业厅服务", "Service in the shops"), "pq_hotline": ("10086热线", "10086 hotline"),
    "pq_manager": ("客户经理服务", "Customer manager's service"),
    "pq_points": ("积分兑换服务", "Points redemption service"),
    "pq_club": ("俱乐部服务", "Club service"), "pq_family": ("家庭产品", "Family products"),
    "pq_roaming": ("漫游产品", "Roaming products"), "pq_info": ("信息产品", "Information products"),
    "pq_eservice": ("电子渠道服务", "Electronic service channels"),
    "rights_aware": ("全球通权益知晓数", "GoTone rights known"),
}

#: Why a table is empty, where the reason is known (else ``workbook.empty``).
_EMPTY: dict[str, tuple[str, str]] = {
    "scorecard_139.projections": (
        "本季度没有预测：只为期限未到、且有足够数据的目标作预测。",
        "No projections this quarter: only targets whose deadline is still ahead, with "
        "enough data, are projected."),
}

SECTION: dict[str, tuple[str, str]] = {
    **{f"workbook.column.{c}": pair for c, pair in _COLUMNS.items()},
    **{f"workbook.heading.{k}": pair for k, pair in _HEADINGS.items()},
    **{f"workbook.value.{kind}.{code}": pair for kind, values in _VALUES.items()
       for code, pair in values.items()},
    **{f"workbook.item.{item}": pair for item, pair in _ITEMS.items()},
    **{f"workbook.empty.{k}": pair for k, pair in _EMPTY.items()},
    "workbook.empty": ("本季度此表没有数据。", "This table has no rows this quarter."),
    "workbook.aware": ("{lever}知晓", "Knows of {lever}"),
    "workbook.use": ("{lever}使用", "Uses {lever}"),
    "workbook.versus": ("{level} vs {reference}", "{level} vs {reference}"),
    "workbook.lang.zh": ("中文", "Chinese"),
    "workbook.lang.en": ("英文", "English"),
    **{f"workbook.report.{r}": pair for r, pair in _REPORTS.items()},
    **{f"workbook.table.{r}.{t}": pair for r, tables in _TABLES.items()
       for t, pair in tables.items()},
    **{f"workbook.table.{r}.findings": _FINDINGS for r in _REPORTS},
    "workbook.about": ("说明", "About"),
    "workbook.title": ("全球通季度分析：{quarter} {scope} 的表格",
                       "GoTone quarterly reports: the tables of {quarter}, {scope}"),
    "workbook.item": ("项目", "Item"),
    "workbook.value": ("内容", "Value"),
    "workbook.quarter": ("季度", "Quarter"),
    "workbook.month": ("月份", "Month"),
    "workbook.scope": ("范围", "Scope"),
    "workbook.synthetic": ("数据", "Data"),
    "workbook.synthetic_yes": ("合成演示数据，非真实结果", "Synthetic demo data — not real "
                                                         "findings"),
    "workbook.synthetic_no": ("真实数据", "Real data"),
    "workbook.language": ("语言", "Language"),
    "workbook.compare_to": ("对比期", "Compared with"),
    "workbook.min_base": ("最小样本量", "Minimum base"),
    "workbook.seed": ("随机种子", "Random seed"),
    "workbook.code": ("代码版本", "Code version"),
    "workbook.inputs": ("输入文件", "Input files"),
    "workbook.input_file": ("输入文件：{path}", "Input file: {path}"),
    "workbook.input_detail": ("{rows} 行，SHA-256 {sha256}", "{rows} rows, SHA-256 {sha256}"),
    "workbook.report_status": ("报告：{title}", "Report: {title}"),
    "workbook.sheets": ("工作表", "Sheets"),
    "workbook.sheet": ("工作表：{sheet}", "Sheet: {sheet}"),
    "workbook.marks": ("▲/▼ 与报告中相同：显著上升/下降（已做多重比较校正）；— 表示样本量不足，不予显示。",
                       "▲/▼ as in the reports: significantly up/down (adjusted for multiple "
                       "comparisons); — marks a base too small to show."),
    "workbook.yes": ("是", "yes"),
    "workbook.no": ("否", "no"),
}
