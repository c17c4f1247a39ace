"""Catalog section: report titles, the run card, the batch's index and error pages."""

from __future__ import annotations

from .. import config

SECTION: dict[str, tuple[str, str]] = {
    **{f"report.title.{name}": pair for name, pair in config.REPORTS.items()},
    **{f"report.title.{name}": pair for name, pair in config.MONTHLY_REPORTS.items()},
    "report.synthetic_banner": ("合成演示数据，非真实结果", "Synthetic demo data — not real findings"),
    "report.parameters": ("参数", "Parameters"),
    "report.inputs": ("输入文件", "Input files"),
    "report.versions": ("软件版本", "Versions"),
    "report.code": ("代码版本", "Code version"),
    "report.path": ("文件", "File"),
    "report.rows": ("行数", "Rows"),
    "report.warnings": ("注意", "Notes"),
    "report.contents": ("目录", "Contents"),
    "report.headline": ("关键指标", "Headline numbers"),
    "report.headline_note": ("本报告发布的机器可读指标在 metrics.json，表格在 tables.xlsx；"
                             "其中「结论与依据」表逐句列出本页的结论，以及每句所依据的指标、"
                             "方向和规则。",
                             "The machine-readable numbers this report publishes are in "
                             "metrics.json and its tables in tables.xlsx, whose Findings sheet "
                             "lists every sentence of this page with the numbers, the direction "
                             "and the rule it rests on."),
    "report.headline_count": ("本报告发布 {n} 项指标、{k} 条结论。",
                              "This report publishes {n} numbers and {k} findings."),
    "report.index_title": ("全球通季度分析报告", "GoTone quarterly reports"),
    "report.quarter": ("季度", "Quarter"),
    "report.month": ("月份", "Month"),
    "report.scope": ("范围", "Scope"),
    "report.report": ("报告", "Report"),
    "report.status": ("状态", "Status"),
    "report.finished": ("完成时间", "Finished"),
    "report.status_count": ("（{n} 份报告：{ok} 份成功，{failed} 份失败，{missing} 份未运行）",
                            "({n} reports: {ok} ok, {failed} failed, {missing} not run)"),
    "report.seconds": ("用时(秒)", "Seconds"),
    "report.links": ("链接", "Links"),
    "report.error": ("错误页", "error page"),
    "report.ok": ("成功", "ok"),
    "report.failed": ("失败", "failed"),
    "report.missing": ("未运行", "not run"),
    "report.error_title": ("报告运行失败", "Report failed"),
    "report.failing_cell": ("出错的单元格", "Failing cell"),
    "report.traceback": ("完整错误信息", "Full traceback"),
    "report.last_good": ("上一次成功的报告仍保留。", "The last good report stays in place."),
    "report.run_details": ("运行信息", "Run details"),
    "report.compare_with": ("{quarter}（{label}）", "{quarter} ({label})"),
    "report.data.demo": ("演示数据", "Demo data"),
    "report.lang.zh": ("中文", "Chinese"),
    "report.lang.en": ("英文", "English"),
    "report.engine.duckdb": ("DuckDB", "DuckDB"),
    "report.engine.spark": ("Spark", "Spark"),
    # parameter labels of the run details
    "report.param.quarter": ("季度", "Quarter"),
    "report.param.month": ("月份", "Month"),
    "report.param.scope": ("范围", "Scope"),
    "report.param.data_dir": ("数据目录", "Data folder"),
    "report.param.compare_to": ("对比期", "Compared with"),
    "report.param.lang": ("语言", "Language"),
    "report.param.min_base": ("最小样本量", "Minimum base"),
    "report.param.seed": ("随机种子", "Random seed"),
    "report.param.engine": ("面板查询引擎", "Panel engine"),
}
