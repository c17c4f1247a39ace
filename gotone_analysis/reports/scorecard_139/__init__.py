"""The 139 scorecard (139 工程目标记分卡): each target's actual, projection to its deadline and status, by lever and city.

Modules: see :mod:`gotone_analysis.reports`. The report's tables are built in four
modules, lowest first: ``status`` (the status rules and how statuses are counted and
compared), ``actuals`` (each target's actual from the KPI counts or the survey),
``projection`` (a series projected to its deadline) and ``tables`` (the scorecard and
every table of the report); ``view`` formats them for readers (values, intervals, status
colours, the reader table).
"""
