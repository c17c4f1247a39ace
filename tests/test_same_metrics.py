"""tools/same_metrics.py: the check that a restructuring left every published number as it was."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

TOOL = Path(__file__).resolve().parent.parent / "tools" / "same_metrics.py"


def _tool():
    spec = importlib.util.spec_from_file_location("same_metrics", TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _write(root: Path, scope: str, metrics: dict) -> None:
    folder = root / "2010Q4" / scope
    folder.mkdir(parents=True)
    (folder / "metrics.json").write_text(json.dumps(metrics, indent=2, sort_keys=True),
                                         encoding="utf-8")


def test_identical_folders_pass_and_a_changed_number_fails(tmp_path, capsys):
    tool = _tool()
    m = {"brand_equity": {"influence": 82.7, "code_version": "git aaa"}, "summary": {"n": 3}}
    _write(tmp_path / "old", "province", m)
    _write(tmp_path / "new", "province", {**m, "brand_equity": {**m["brand_equity"],
                                                                 "code_version": "git bbb"}})
    assert tool.main([str(tmp_path / "old"), str(tmp_path / "new")]) == 0
    assert "1 identical, 0 differ" in capsys.readouterr().out
    _write(tmp_path / "changed", "province",
           {**m, "brand_equity": {"influence": 82.70000001, "code_version": "git aaa"}})
    assert tool.main([str(tmp_path / "old"), str(tmp_path / "changed")]) == 1
    assert "DIFFERS in brand_equity.influence" in capsys.readouterr().out


def test_a_scope_missing_from_the_new_folder_fails(tmp_path, capsys):
    tool = _tool()
    _write(tmp_path / "old", "province", {"a": {"x": 1}})
    _write(tmp_path / "old", "xiamen", {"a": {"x": 1}})
    _write(tmp_path / "new", "province", {"a": {"x": 1}})
    assert tool.main([str(tmp_path / "old"), str(tmp_path / "new")]) == 1
    assert "xiamen: missing" in capsys.readouterr().out.replace("2010Q4/", "")
