"""The 139 scorecard (139 工程目标记分卡): each target's actual, projection to its deadline and status, by lever and city.

Modules: see :mod:`gotone_analysis.reports`.
"""
