"""Program effects (项目成效): the care-call roll-out on the customer panel (staggered DiD), the panel levers' ARPU effects and the survey levers' adjusted comparisons.

Modules: see :mod:`gotone_analysis.reports`.
"""
