"""Generated sentences of the reports, built on the catalog :mod:`gotone_analysis.labels`.

Estimators return numbers only; the sentences that say what the numbers mean are
written here, one module per report area, every word looked up in the catalog (keys
``narrative.*``) so that each sentence exists in both languages.

* :mod:`gotone_analysis.narrative.brand`: what moved in a brand-equity comparison
  table (:func:`brand_narrative`).
* :mod:`gotone_analysis.narrative.summary`: the one-page summary's sentences, each with
  the metric keys it is built from (:func:`summary_sentences`, :func:`summary_html`).
* :mod:`gotone_analysis.narrative.sections`: the notebooks' headings in the report's
  language (:func:`section`).

To add an area, create ``narrative/<area>.py`` with its functions (and their words as
a catalog section ``labels/<area>.py``) and re-export its public names here.
"""

from __future__ import annotations

from .brand import brand_narrative
from .satisfaction import driver_model_note, reader_table, satisfaction_narrative
from .scorecard import changes_narrative, cities_narrative, scorecard_narrative
from .sections import section
from .summary import Sentence, findings_table, headline_table, summary_html, summary_sentences

__all__ = ["Sentence", "brand_narrative", "changes_narrative", "cities_narrative",
           "driver_model_note", "findings_table", "headline_table", "reader_table", "satisfaction_narrative",
           "scorecard_narrative", "section", "summary_html", "summary_sentences"]
