"""``make lab``: JupyterLab comes up as root and non-root, lists the notebooks, offers the kernel."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from gotone_analysis import config
from gotone_analysis.lab import KERNEL_NAME, lab_command

ROOT = config.project_root()
TOKEN = "gotone-test-token"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(port: int, path: str) -> dict:
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}",
                                 headers={"Authorization": f"token {TOKEN}"})
    with urllib.request.urlopen(req, timeout=5) as resp:
        return json.loads(resp.read().decode("utf-8"))


def _wait(port: int, proc: subprocess.Popen, timeout: float = 60.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            out = proc.stdout.read().decode("utf-8", "replace") if proc.stdout else ""
            pytest.fail(f"JupyterLab exited with {proc.returncode}:\n{out[-2000:]}")
        try:
            return _get(port, "/api/status")
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    pytest.fail("JupyterLab did not come up")


def test_make_lab_runs_the_lab_module():
    recipe = (ROOT / "Makefile").read_text(encoding="utf-8").split("\nlab:", 1)[1]
    assert "-m gotone_analysis.lab notebooks" in recipe.split("\n\n")[0]
    assert "--ServerApp.allow_root=True" in lab_command(open_browser=False)


@pytest.mark.parametrize("user", ["current", "non_root"])
def test_lab_lists_the_notebooks_and_offers_the_project_kernel(user, tmp_path: Path):
    if user == "non_root" and os.geteuid() != 0:
        pytest.skip("the current user is not root already")
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
           "JUPYTER_CONFIG_DIR": str(home / "config"), "IPYTHONDIR": str(home / "ipython"),
           "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces")}
    preexec = None
    if user == "non_root":
        os.chown(home, 65534, 65534)

        def preexec():  # drop to the unprivileged "nobody" user
            os.setgid(65534)
            os.setuid(65534)

    port = _free_port()
    cmd = lab_command(ROOT / "notebooks", port=port, open_browser=False, token=TOKEN)
    try:
        proc = subprocess.Popen(cmd, env=env, cwd=home, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, preexec_fn=preexec)
    except PermissionError:
        pytest.skip("this environment's interpreter is not open to an unprivileged user")
    try:
        _wait(port, proc)
        names = {item["name"] for item in _get(port, "/api/contents")["content"]}
        assert {"brand_equity.ipynb", "data_quality.ipynb"} <= names
        specs = _get(port, "/api/kernelspecs")
        assert specs["default"] == KERNEL_NAME
        assert specs["kernelspecs"][KERNEL_NAME]["spec"]["display_name"] == "Python 3 (gotone)"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
