"""Catalog section: the scope workbook ``tables.xlsx`` (:mod:`gotone_analysis.workbook`).

The first sheet's texts, each report's short name for sheet names and each table's
name (``workbook.table.<report>.<table>``).
"""

from __future__ import annotations

_REPORTS: dict[str, tuple[str, str]] = {
    "summary": ("概览", "Summary"),
    "data_quality": ("数据质量", "Quality"),
    "brand_equity": ("品牌", "Brand"),
    "satisfaction": ("满意度", "Satisfaction"),
    "program_effects": ("成效", "Effects"),
    "scorecard_139": ("记分卡", "Scorecard"),
}

#: The claim ledger of every report (:mod:`gotone_analysis.findings`).
_FINDINGS: tuple[str, str] = ("结论与依据", "Findings")

_TABLES: dict[str, dict[str, tuple[str, str]]] = {
    "summary": {"headline": ("关键指标", "Headline")},
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
}

SECTION: dict[str, tuple[str, str]] = {
    **{f"workbook.column.{c}": pair for c, pair in _COLUMNS.items()},
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
