"""Input files: read them, map vendor columns to the contract, validate, open a data set.

* :mod:`~gotone_analysis.io.readers`: encodings, CSV/TSV, Excel, Parquet, SPSS, header
  checks (:func:`detect_encoding`, :func:`read_raw`);
* :mod:`~gotone_analysis.io.mapping`: column-mapping files (:class:`ColumnMapping`,
  :func:`load_mapping`, :func:`apply_mapping`, which mapping applies to a file);
* :mod:`~gotone_analysis.io.dataset`: :func:`read_table`, :func:`load`,
  :func:`file_record`, :class:`Dataset` and :func:`open_dataset`, the entry point of
  every report;
* :mod:`~gotone_analysis.io.validate`: :func:`validate_paths` behind ``gotone validate``.

Nothing in this package writes files.
"""

from __future__ import annotations

from .dataset import (
    KIND_FOLDERS,
    Dataset,
    data_files,
    file_record,
    infer_kind,
    load,
    open_dataset,
    quarter_from_name,
    read_table,
)
from .mapping import FILE_MAPPING_SUFFIX, MAPPING_NAME, ColumnMapping, apply_mapping, load_mapping
from .readers import NA_STRINGS, SUPPORTED_EXTENSIONS, detect_encoding, read_raw
from .validate import Validation, validate_paths

__all__ = [
    "FILE_MAPPING_SUFFIX",
    "KIND_FOLDERS",
    "MAPPING_NAME",
    "NA_STRINGS",
    "SUPPORTED_EXTENSIONS",
    "ColumnMapping",
    "Dataset",
    "Validation",
    "apply_mapping",
    "data_files",
    "detect_encoding",
    "file_record",
    "infer_kind",
    "load",
    "load_mapping",
    "open_dataset",
    "quarter_from_name",
    "read_raw",
    "read_table",
    "validate_paths",
]
