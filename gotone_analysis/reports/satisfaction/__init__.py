"""Satisfaction (满意度): the satisfaction index and its trend, the ECSI model, what moved and why (drivers, decomposition, segments).

Modules: see :mod:`gotone_analysis.reports`.
"""
