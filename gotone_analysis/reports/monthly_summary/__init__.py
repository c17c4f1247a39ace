"""The monthly summary: between survey waves, what moved on the KPI side since last month,
which 139 milestones fall due in the next quarter and where they stand (``tables``,
``sentences``, ``page``, ``catalog``)."""
