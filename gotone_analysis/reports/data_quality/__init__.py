"""Data quality (数据质量): bases, weights, design effects, missingness and the validation of every input file.

Modules: see :mod:`gotone_analysis.reports`.
"""
