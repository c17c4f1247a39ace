"""Summary (本季概览): the other reports' published numbers and the findings they support, on one page.

Modules: see :mod:`gotone_analysis.reports`.
"""
