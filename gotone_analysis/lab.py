"""JupyterLab for analysts: the command ``make lab`` runs, for root and non-root alike.

JupyterLab refuses to start as root ("Running as root is not recommended. Use
--allow-root to bypass."), and containers and many analysis servers run as root. The
command here allows root explicitly (``ServerApp.allow_root``, which changes nothing for
other users), serves ``notebooks/`` and uses the project's kernel installed into
``.venv`` ("Python 3 (gotone)", kernel name ``python3``). ``python -m
gotone_analysis.lab [folder] [jupyter options]`` starts it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

from . import config

__all__ = ["KERNEL_NAME", "lab_command", "main"]

#: Kernel the notebooks declare and ``make setup`` installs into ``.venv``.
KERNEL_NAME = "python3"


def lab_command(notebook_dir: str | Path | None = None, *, port: int | None = None,
                open_browser: bool = True, token: str | None = None,
                extra: Sequence[str] = ()) -> list[str]:
    """The command line that starts JupyterLab on the report notebooks.

    Parameters
    ----------
    notebook_dir : str or Path, optional
        Folder served (default ``notebooks/`` of the project).
    port : int, optional
        Port to listen on (default JupyterLab's, 8888 or the next free one).
    open_browser : bool, default True
        Open a browser tab.
    token : str, optional
        Access token (default JupyterLab's generated one).
    extra : sequence of str
        Further JupyterLab options, passed as they are.

    Returns
    -------
    list of str
        ``[python, -m, jupyterlab, ...]`` with the interpreter of this environment;
        root is allowed (``--ServerApp.allow_root=True``) and the server listens on
        the local machine only.
    """
    folder = Path(notebook_dir) if notebook_dir else config.project_root() / "notebooks"
    argv = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={folder}",
            "--ServerApp.allow_root=True", "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.open_browser={open_browser}",
            f"--MappingKernelManager.default_kernel_name={KERNEL_NAME}"]
    if port is not None:
        argv += [f"--ServerApp.port={int(port)}", "--ServerApp.port_retries=0"]
    if token is not None:
        argv.append(f"--IdentityProvider.token={token}")
    return [*argv, *extra]


def main(argv: Sequence[str] | None = None) -> int:
    """Start JupyterLab (replaces this process).

    Parameters
    ----------
    argv : sequence of str, optional
        ``[folder] [jupyter options...]``; default the command line.

    Returns
    -------
    int
        Only when the server could not be started (the exec failed).
    """
    args = list(sys.argv[1:] if argv is None else argv)
    folder = args.pop(0) if args and not args[0].startswith("-") else None
    cmd = lab_command(folder, extra=args)
    os.execv(cmd[0], cmd)
    return 1  # pragma: no cover


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
