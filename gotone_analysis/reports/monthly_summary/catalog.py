"""Catalog section: the monthly summary (:mod:`gotone_analysis.reports.monthly_summary`).

Headings and columns of its page, and the sentences of
:func:`gotone_analysis.reports.monthly_summary.sentences.monthly_sentences`; the status
words and the status-change sentences are the scorecard's own (``scorecard.*``).
"""

from __future__ import annotations

SECTION: dict[str, tuple[str, str]] = {
    # the page
    "monthly.heading.headline": ("本月关键指标（BI 统计）", "This month's numbers (BI counts)"),
    "monthly.heading.levers": ("九大举措状态", "The nine levers"),
    "monthly.heading.due": ("本月判定及未来三个月到期的里程碑",
                            "Milestones judged this month or due in the next three months"),
    "monthly.heading.key_points": ("要点", "Key points"),
    "monthly.heading.more": ("其他变化", "Everything else"),
    "monthly.heading.reports": ("详细报告", "Detailed report"),
    "monthly.intro": (
        "本页每句话都由本月 139 记分卡发布的指标和 BI 月度统计生成。BI 统计为全量数据，"
        "月度变化如实陈述；状态只按记分卡的规则变化，预测转为最终结果不计为好转或变差；"
        "调查衡量的目标取最近一期已完成的季度调查，并注明期别。",
        "Every sentence on this page is generated from the metrics this month's 139 "
        "scorecard published and from the monthly BI counts. BI counts are a census: a "
        "month's move is stated as it is. A status changes only by the scorecard's rules; "
        "a forecast that became a verdict is not counted as better or worse. A survey-"
        "measured target shows the latest completed survey wave, named."),
    "monthly.print_more": ("其他变化见本页网页版及工作簿 tables.xlsx（结论与依据）。",
                           "Everything else: the web page and the workbook tables.xlsx "
                           "(Findings)."),
    "monthly.column.measure": ("指标", "Measure"),
    "monthly.column.value": ("本月", "This month"),
    "monthly.column.change_on": ("较{what}", "Change on the {what}"),
    "monthly.column.change": ("变化", "Change"),
    "monthly.column.target": ("139 目标", "139 target"),
    "monthly.column.status": ("状态", "Status"),
    "monthly.column.label": ("里程碑", "Milestone"),
    "monthly.column.deadline": ("到期", "Due"),
    "monthly.column.actual": ("实际值", "Actual"),
    "monthly.column.projected": ("期限预测值", "Projected at deadline"),
    # workbook headings of the monthly tables (gotone_analysis.workbook)
    "monthly.column.metric": ("指标代码", "Metric code"),
    "monthly.column.target_id": ("目标编号", "Target id"),
    "monthly.column.lever": ("举措", "Lever"),
    "monthly.column.label_zh": ("名称（中文）", "Name (Chinese)"),
    "monthly.column.label_en": ("名称（英文）", "Name (English)"),
    "monthly.column.previous": ("对比月", "Comparison month"),
    "monthly.column.comparable": ("可比", "Comparable"),
    "monthly.column.deadline_month": ("到期月份", "Deadline month"),
    "monthly.column.due": ("到期", "Due"),
    "monthly.column.wave": ("调查期别", "Survey wave"),
    "monthly.column.status_previous": ("对比月状态", "Status then"),
    "monthly.column.direction_of_change": ("状态变化", "Status change"),
    "monthly.column.direction": ("方向", "Direction"),
    "monthly.due.this_month": ("{month}（本月）", "{month} (this month)"),
    "monthly.none": ("无", "none"),
    # the sentences: KPI moves
    "monthly.kpi_up": (
        "**{label}**：{previous} → {actual}，较{what}增加 {change}。",
        "**{label}**: {previous} → {actual}, up {change} on the {what}."),
    "monthly.kpi_down": (
        "**{label}**：{previous} → {actual}，较{what}减少 {change}。",
        "**{label}**: {previous} → {actual}, down {change} on the {what}."),
    "monthly.kpi_up_small": (
        "**{label}**：{previous} → {actual}，较{what}略有增加（不足 {change}）。",
        "**{label}**: {previous} → {actual}, up on the {what} by less than {change}."),
    "monthly.kpi_down_small": (
        "**{label}**：{previous} → {actual}，较{what}略有减少（不足 {change}）。",
        "**{label}**: {previous} → {actual}, down on the {what} by less than {change}."),
    "monthly.kpi_unchanged": ("与{what}持平：{labels}。", "Unchanged on the {what}: {labels}."),
    "monthly.kpi_restart": (
        "年累计指标每年 1 月重新起算，不与{what}（上一年）比较：{labels}。",
        "Year-to-date counts restart in January and are not compared with the {what} (last "
        "year): {labels}."),
    "monthly.kpi_no_comparison": (
        "没有{what}（{month}）的 BI 统计，本月不作比较。",
        "There are no BI counts for the {what} ({month}): nothing is compared."),
    "monthly.census_note": ("BI 统计为全量数据，月度变化无抽样误差。",
                            "BI counts are a census: a month's change has no sampling error."),
    # the sentences: milestones
    "monthly.due_verdict": (
        "**{label}**（{deadline} 到期）：实际值 {actual}，目标 {target}，**{status}**。",
        "**{label}** (due {deadline}): {actual} against a target of {target} – **{status}**."),
    "monthly.due_forecast": (
        "**{label}**（{deadline} 到期）：目前 {actual}，目标 {target}，期限预测值 {projected}，"
        "**{status}**。",
        "**{label}** (due {deadline}): now {actual}, target {target}, projected {projected} "
        "– **{status}**."),
    "monthly.due_not_measurable": (
        "**{label}**（{deadline} 到期）：**无法衡量**。",
        "**{label}** (due {deadline}): **not measurable**."),
    "monthly.due_none": ("未来三个月内没有到期的里程碑。",
                         "No milestone falls due in the next three months."),
}
