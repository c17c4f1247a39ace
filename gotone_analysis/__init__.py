"""GoTone quarterly analysis suite: brand equity, satisfaction drivers, program effects."""

__version__ = "0.1.0"
