"""GoTone quarterly analysis suite: brand equity, satisfaction drivers, program effects."""

import sys as _sys

from . import timings as _timings

__version__ = "0.1.0"

if "ipykernel" in _sys.modules:  # a batch's kernel times its phases ($GOTONE_TIMINGS_FILE)
    _timings.start()
