"""Synthetic, seeded demo data for the suite (``gotone demo-data``).

The demo data set is generated, never edited by hand, and labelled synthetic in its
``MANIFEST.json`` and ``README.txt``. It reproduces the 2009 facts of the source deck
and plants known program effects whose ground truth is written to ``_truth/``.

Public API: :func:`generate`, :func:`simulate_survey`,
:func:`survey_truth`.
"""

from __future__ import annotations

from .build import DEFAULT_SEED, generate
from .survey import simulate_survey, survey_truth

__all__ = ["DEFAULT_SEED", "generate", "simulate_survey", "survey_truth"]
