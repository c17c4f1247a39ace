"""Brand equity (品牌资产): the influence index and its four components by quarter, city, tier and brand, against the comparison quarter, a year earlier and the network.

Modules: see :mod:`gotone_analysis.reports`.
"""
