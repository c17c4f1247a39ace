"""GoTone quarterly analysis suite: brand equity, satisfaction drivers, program effects."""

from . import timings as _timings

__version__ = "0.1.0"

# a kernel of a batch times its phases ($GOTONE_TIMINGS_FILE); elsewhere this does nothing
_timings.start()
