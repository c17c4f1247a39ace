"""The reports: one folder per notebook of :data:`gotone_analysis.config.REPORTS`.

Each folder is named exactly like its notebook and holds everything that report
publishes, in modules whose names say which is which:

* ``tables.py``: the report's tables and ``headline()``, the numbers it publishes, built
  on the generic estimators (:mod:`gotone_analysis.survey`, :mod:`~gotone_analysis.compare`,
  :mod:`~gotone_analysis.drivers`, :mod:`~gotone_analysis.effects`,
  :mod:`~gotone_analysis.panel`) under the one policy (:mod:`gotone_analysis.policy`);
  never imports matplotlib;
* ``figures.py``: its figures, drawn from those tables (nothing estimated);
* ``sentences.py``: its generated sentences, every word from the catalog;
* ``view.py``: how its own columns are shown (cell formats for the one table renderer,
  :func:`gotone_analysis.tables.reader_table`), where it has any;
* ``catalog.py``: its zh/en texts (``SECTION``), found by :mod:`gotone_analysis.labels`.

A report whose numbers need more than one module splits its compute part by what each
piece holds: the brand index's respondent scores and components (``brand_equity/scores``),
the scorecard's status rules, actuals and projection (``scorecard_139/status``,
``actuals``, ``projection``).

A notebook imports its own report folder and the shared presentation helpers
(:mod:`gotone_analysis.tables`, :mod:`gotone_analysis.plots`,
:mod:`gotone_analysis.labels`), nothing of another report. The folders' ``__init__``
modules import nothing, so that the catalog can read ``catalog.py`` alone.
"""
