"""Catalog section: headings and codes of the data-quality tables (:mod:`gotone_analysis.reports.data_quality.tables`)."""

from __future__ import annotations

_COLUMNS: dict[str, tuple[str, str]] = {
    "city": ("城市", "City"), "tier": ("客户层级", "Tier"), "brand": ("品牌", "Brand"),
    "n": ("样本量", "Base (n)"), "weighted_n": ("加权样本量", "Weighted N"),
    "share": ("加权占比", "Weighted share"), "low_base": ("样本不足", "Low base"),
    "weight_sum": ("权重合计", "Sum of weights"), "weight_min": ("最小权重", "Min weight"),
    "weight_max": ("最大权重", "Max weight"),
    "max_min_ratio": ("最大/最小", "Max/min"), "cv": ("权重变异系数", "Weight CV"),
    "deff_kish": ("设计效应(Kish)", "Design effect (Kish)"),
    "n_eff": ("有效样本量", "Effective base"), "item": ("题目", "Item"),
    "n_missing": ("缺失数", "Missing"), "share_missing": ("缺失比例", "Share missing"),
    "flagged": ("需关注", "Flagged"), "variable": ("题目", "Item"),
    "estimate": ("估计值", "Estimate"), "se": ("标准误", "SE"),
    "deff": ("设计效应", "Design effect"), "n_compare": ("对比期样本量", "Comparison base"),
    "change": ("变化", "Change"), "kind": ("类别", "Kind"), "path": ("文件", "File"),
    "rows": ("行数", "Rows"), "status": ("状态", "Status"), "problems": ("问题数", "Problems"),
    "detail": ("说明", "Detail"), "sha256": ("SHA-256", "SHA-256"),
    "asked_of": ("询问对象", "Asked of"),
}

SECTION: dict[str, tuple[str, str]] = {
    **{f"quality.column.{c}": pair for c, pair in _COLUMNS.items()},
    # who an item is asked of (contract ``asked_of`` codes)
    "quality.asked_of.all": ("全部受访者", "all respondents"),
    "quality.asked_of.gotone": ("全球通客户", "GoTone customers"),
    "quality.asked_of.users": ("业务使用者（其余按设计缺失）",
                               "users of the service (others missing by design)"),
    "quality.total": ("合计", "Total"),
    "quality.yes": ("是", "yes"),
    # headings and notes of the notebook (labels.section)
    'section.data_quality.bases': (
        '样本量',
        'Bases'),
    'section.data_quality.bases.note': (
        '未加权样本量、加权样本量与加权占比；样本量低于最小基数的格子标为“样本不足”。',
        'Unweighted and weighted bases and weighted shares; cells below the minimum base are marked.'),
    'section.data_quality.weight_diagnostics': (
        '权重诊断',
        'Weight diagnostics'),
    'section.data_quality.weight_diagnostics.note': (
        '加权造成的设计效应（Kish：1 + 权重变异系数²）与有效样本量。',
        'Kish design effect of weighting (1 + CV² of the weights) and effective base.'),
    'section.data_quality.design_effects_of_key_estimates': (
        '关键估计的设计效应',
        'Design effects of key estimates'),
    'section.data_quality.design_effects_of_key_estimates.note': (
        '分层抽样与加权合计的设计效应（泰勒线性化）。',
        'Design effects of stratification and weighting together (Taylor linearisation).'),
    'section.data_quality.missingness': (
        '缺失值',
        'Missingness'),
    'section.data_quality.missingness.note': (
        '98/99（拒答、不知道）按缺失计。服务感知题（pq_*）未使用该服务时本应缺失。'
        '所有被访者均未作答的题目一律标为“需关注”（含 pq_*）：该题可能未被询问，或答案在数据中丢失。',
        "Codes 98/99 (refused, don't know) count as missing; pq_* items are missing where the service was not used. "
        "An item that no one asked answered is always flagged, pq_* included: the question was not asked or its answers were lost."),
    'section.data_quality.bases_against_the_comparison_quarter': (
        '样本量变化',
        'Bases against the comparison quarter'),
    'section.data_quality.validation_summary': (
        '数据校验',
        'Validation summary'),
    'section.data_quality.validation_summary.note': (
        '读取并按数据约定校验的每个文件。“warning”行为可能但不合常理的取值'
        '（相对本文件自身分布的离群值，如权重超过该期中位数的 50 倍），不影响运行，请核实。',
        'Every file read and validated against the data contract. Rows marked "warning" are '
        "possible but implausible values (outliers against the file's own distribution, e.g. a "
        "weight above 50 times its wave's median): they do not stop the run; check them."),
}
