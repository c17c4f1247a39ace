"""No personal data in anything a batch publishes.

The demo inputs hold respondent ids, pseudonymous customer keys and (invented) 11-digit
mobile numbers; none of them may appear in a reader page, a workbook or a
``metrics.json`` of the demo batch (``demo_batches``). The scan reads the text of
every HTML page (inline images left out), every cell and sheet name of every workbook
and every metrics file.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pandas as pd
import pyarrow.dataset as pads
import pytest

#: An 11-digit mainland mobile number, not part of a longer (ASCII) word, number or
#: decimal; Chinese text may touch it.
PHONE_RE = re.compile(r"(?<![A-Za-z0-9_.])1[3-9][0-9]{9}(?![A-Za-z0-9_]|\.[0-9])")
_TOKEN_RE = re.compile(r"[A-Za-z0-9_\-]+")
_DATA_URI_RE = re.compile(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=]+")


def _identifiers(demo: Path) -> dict[str, set[str]]:
    resp, cust, phones = set(), set(), set()
    for f in sorted((demo / "survey").glob("survey_*.csv")):
        df = pd.read_csv(f, dtype=str, usecols=lambda c: c in ("resp_id", "cust_key", "phone"))
        resp |= set(df["resp_id"].dropna())
        if "cust_key" in df:
            cust |= set(df["cust_key"].dropna())
        if "phone" in df:
            phones |= set(df["phone"].dropna())
    panel = pads.dataset(str(demo / "panel"), format="parquet", partitioning="hive")
    cust |= set(panel.to_table(columns=["cust_key"]).column("cust_key").unique().to_pylist())
    return {"respondent id": resp, "customer key": cust, "phone": phones}


def _xlsx_text(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist()
                         if n.endswith(".xml"))


def _published(batches) -> list[Path]:
    files = []
    for out in batches.values():
        files += [p for p in out.rglob("*") if p.is_file()
                  and not any(part.startswith(".") for part in p.relative_to(out).parts)
                  and p.suffix in (".html", ".xlsx", ".json")]
    return sorted(files)


def _text(path: Path) -> str:
    if path.suffix == ".xlsx":
        return _xlsx_text(path)
    return _DATA_URI_RE.sub("", path.read_text(encoding="utf-8"))


def _leaks(text: str, ids: dict[str, set[str]]) -> dict[str, list[str]]:
    tokens = set(_TOKEN_RE.findall(text))
    out = {kind: sorted(tokens & values)[:3] for kind, values in ids.items()}
    out["mobile number"] = PHONE_RE.findall(text)[:3]
    return {k: v for k, v in out.items() if v}


@pytest.fixture(scope="module")
def identifiers(small_demo):
    ids = _identifiers(small_demo)
    # the inputs hold each kind, so the scan can fail
    assert len(ids["respondent id"]) > 1000 and len(ids["customer key"]) > 1000
    assert len(ids["phone"]) > 1000 and all(PHONE_RE.fullmatch(p) for p in ids["phone"])
    return ids


def test_the_scan_finds_what_it_looks_for(identifiers):
    phone = sorted(identifiers["phone"])[0]
    key = sorted(identifiers["customer key"])[0]
    resp = sorted(identifiers["respondent id"])[0]
    found = _leaks(f"<td>{resp}</td> 客户{key}，电话{phone}。", identifiers)
    assert set(found) >= {"respondent id", "customer key", "phone", "mobile number"}
    assert not _leaks("0.1391234567 ab13912345678 sha 9f13912345678e 2010Q4", identifiers)


def test_no_personal_data_in_published_files(demo_batches, identifiers):
    files = _published(demo_batches)
    kinds = {p.suffix for p in files}
    assert kinds == {".html", ".xlsx", ".json"}
    assert sum(p.name == "metrics.json" for p in files) == 2
    leaks = {}
    for path in files:
        found = _leaks(_text(path), identifiers)
        if found:
            leaks[str(path.relative_to(path.parents[2]))] = found
    assert not leaks, leaks


def test_no_personal_data_in_the_batch_cache(demo_batches, identifiers):
    """The typed frames a batch keeps in ``<out>/.cache`` hold no phone number, respondent
    id or customer key."""
    files = [p for out in demo_batches.values() for p in (out / ".cache").rglob("*")
             if p.is_file()]
    assert any(p.parent.name == "input_file" for p in files)  # the frames are cached
    phones = {p.encode() for p in identifiers["phone"]}
    resp = {r.encode() for r in sorted(identifiers["respondent id"])}
    cust = {c.encode() for c in sorted(identifiers["customer key"])}
    found = {}
    for path in files:
        raw = path.read_bytes()
        hits = [p for p in re.findall(rb"1[3-9][0-9]{9}", raw) if p in phones][:3]
        hits += [t for t in re.findall(rb"[0-9]{4}Q[1-4]-[0-9]{5}", raw) if t in resp][:3]
        hits += [t for t in re.findall(rb"C[0-9a-f]{10}", raw) if t in cust][:3]
        if hits:
            found[path.name] = hits
    assert not found, found
