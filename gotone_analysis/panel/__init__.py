"""Customer-panel queries through Ibis: DuckDB over the Parquet files, or Spark.

The panel (``<data>/panel/month=YYYY-MM/*.parquet``, one row per customer and month,
columns of :data:`gotone_analysis.contract.PANEL`) is queried where it lives: the engine
aggregates, pandas sees only the aggregates, and the same call gives the same numbers on
both engines.

* :mod:`~gotone_analysis.panel.engine`: the engines (:data:`ENGINES`), Java discovery,
  the shared Spark session (:func:`spark_session`; its master, local mode or a
  cluster, from :func:`spark_master`: ``$GOTONE_SPARK_MASTER``) and :func:`connect`;
* :mod:`~gotone_analysis.panel.queries`: the panel as an Ibis table
  (:func:`panel_table`, :func:`source_folder`, :func:`month_number`) and its aggregates
  (:func:`group_moments`, :func:`segment_month_summary`, :func:`participation`,
  :func:`churn_hazard`);
* :mod:`~gotone_analysis.panel.moments`: per-cohort moments of a balanced panel for the
  staggered difference-in-differences (:func:`cohort_moments`).
"""

from .engine import (
    ENGINES,
    SPARK_JAVA_VERSIONS,
    SPARK_MASTER_ENV,
    connect,
    spark_master,
    spark_session,
)
from .moments import MOMENTS_MEMORY_LIMIT, cohort_moments
from .queries import (
    LEVERS,
    MONTH_ORIGIN,
    churn_hazard,
    group_moments,
    materialized,
    month_number,
    panel_table,
    participation,
    segment_month_summary,
    source_folder,
)

__all__ = [
    "ENGINES",
    "LEVERS",
    "MOMENTS_MEMORY_LIMIT",
    "MONTH_ORIGIN",
    "SPARK_JAVA_VERSIONS",
    "SPARK_MASTER_ENV",
    "churn_hazard",
    "cohort_moments",
    "connect",
    "group_moments",
    "materialized",
    "month_number",
    "panel_table",
    "participation",
    "segment_month_summary",
    "source_folder",
    "spark_master",
    "spark_session",
]
