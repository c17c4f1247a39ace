"""The batch's shared work started before its kernels: the customer panel validated once.

:func:`prepare_batch` validates the panel in a background thread of the batch process
and keeps the outcome in the batch's cache (:func:`gotone_analysis.cache.shared`), so the
kernels of the reports that read the panel (:data:`PANEL_REPORTS`) read it back instead
of scanning the panel again. It sits above both the cache and the data set reader
(:mod:`gotone_analysis.io`), which reads the same cache entry.
"""

from __future__ import annotations

from pathlib import Path

from .cache import cache_dir, shared

__all__ = ["PANEL_REPORTS", "prepare_batch"]


#: Reports that read the customer panel (and so need it validated).
PANEL_REPORTS = ("data_quality", "program_effects")


def prepare_batch(data_dir: str | Path, reports, *, timeout: float = 60.0,
                  panel_checked: dict | None = None):
    """Start the batch's shared work in the engine, before the kernels start.

    Validates the customer panel once (:meth:`gotone_analysis.io.Dataset.panel_path`,
    kept by :func:`gotone_analysis.cache.shared`) in a background thread of the batch
    process when one of ``reports`` reads the panel, so that the kernels of the other
    reports run meanwhile and the panel's readers wait only for what is not done yet.
    Returns once the thread holds the entry's lock (or found it), so no kernel repeats
    the work.

    Parameters
    ----------
    data_dir : path
        The data folder.
    reports : iterable of str
        The batch's reports.
    timeout : float
        Seconds to wait for the thread to take the lock.
    panel_checked : dict, optional
        What the quick validation of the same panel returned (the batch ran it before the
        lock: :func:`gotone_analysis.runner.check_inputs`): only the checks it left out are
        run then (``validate_panel(..., checked=...)``), with the same outcome.

    Returns
    -------
    threading.Thread or None
        The running thread (join it at the end of the batch), or None when there is
        nothing to prepare (no panel reader, no panel folder, or no cache).
    """
    import threading

    if cache_dir() is None or not set(reports) & set(PANEL_REPORTS) \
            or not (Path(data_dir) / "panel").is_dir():
        return None
    locked = threading.Event()

    def work() -> None:
        from . import io

        ds = io.open_dataset(data_dir)
        try:
            folder = ds.panel_path(validate=False)
            digest = ds.inputs().set_index("path").loc["panel/", "sha256"]
            from . import schema

            shared("panel_validation",
                   lambda: schema.validate_panel(folder, file="panel/", checked=panel_checked),
                   depends={"panel/": str(digest)}, on_lock=locked.set)
        except Exception:  # noqa: BLE001 - the kernels validate and report it themselves
            pass
        finally:
            locked.set()

    thread = threading.Thread(target=work, name="gotone-prepare", daemon=True)
    thread.start()
    locked.wait(timeout)
    return thread
