"""The 2010Q4 survey as a fieldwork vendor delivers it: GBK, Chinese headers and labels."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml

from ..config import BRANDS, CITIES, LEVERS, TIERS
from ..contract import SURVEY

#: Chinese vendor headers for the canonical survey columns.
_FIXED: dict[str, str] = {
    "resp_id": "受访者编号", "quarter": "调查季度", "city": "城市", "brand": "品牌",
    "tier": "客户级别", "stratum": "抽样层", "weight": "权重", "stratum_pop": "层总体规模",
    "psu": "初级抽样单元", "cust_key": "客户标识", "phone": "手机号码", "gender": "性别",
    "age_band": "年龄段",
    "tenure_years": "网龄(年)", "arpu": "月均消费(元)", "aw_unaided": "品牌无提示认知",
    "aw_aided": "品牌提示认知", "img_1": "品牌形象1", "img_2": "品牌形象2",
    "img_3": "品牌形象3", "img_4": "品牌形象4", "img_5": "品牌形象5",
    "pref_score": "品牌偏好", "loy_stay": "继续使用意愿", "ltr": "推荐意愿",
    "sat_overall": "总体满意度", "sat_expect": "与期望相比", "sat_ideal": "与理想相比",
    "exp_overall": "使用前期望", "val_price": "价格价值感", "val_quality": "质量价值感",
    "complaint": "近三月投诉", "pq_network": "网络质量", "pq_tariff": "资费",
    "pq_hall": "营业厅服务", "pq_hotline": "10086热线", "pq_manager": "客户经理服务",
    "pq_points": "积分兑换服务", "pq_club": "俱乐部服务", "pq_family": "亲情产品",
    "pq_roaming": "漫游产品", "pq_info": "信息产品", "pq_eservice": "电子渠道服务",
    "rights_aware": "全球通权益知晓数",
}
GENDER: dict[str, str] = {"男": "M", "女": "F"}
MISSING_LABEL = "98=拒答 99=不知道"


def vendor_columns() -> dict[str, str]:
    """Canonical column -> vendor (Chinese) header, for every survey contract column."""
    out = dict(_FIXED)
    for lv in LEVERS:
        if lv.code == "scale":
            continue
        out[f"aw_{lv.code}"] = f"{lv.label_zh}_知晓"
        out[f"use_{lv.code}"] = f"{lv.label_zh}_使用"
    missing = [n for n in SURVEY.names if n not in out]
    if missing:
        raise AssertionError(f"vendor headers missing for {missing}")
    return {n: out[n] for n in SURVEY.names}


def mapping() -> dict:
    """The mapping file's content: vendor headers and labels -> canonical names and codes."""
    cols = vendor_columns()
    return {
        "columns": {zh: canon for canon, zh in cols.items()},
        "values": {
            "city": {zh: code for code, (zh, _en) in CITIES.items()},
            "brand": {zh: code for code, (zh, _en) in BRANDS.items()},
            "tier": {zh: code for code, (zh, _en) in TIERS.items()},
            "gender": dict(GENDER),
        },
        "missing_codes": [98, 99],
        "encoding": "gbk",
    }


def write_vendor(survey: pd.DataFrame, folder: Path, quarter: str = "2010Q4") -> list[Path]:
    """Write ``survey`` (canonical, 98/99 kept) as the vendor file plus ``mapping.yaml``.

    Parameters
    ----------
    survey : pandas.DataFrame
        One wave in canonical form with the 98/99 codes as in the demo's CSV files.
    folder : pathlib.Path
        Destination folder (created).
    quarter : str
        The wave, used in the file name.

    Returns
    -------
    list of pathlib.Path
        The CSV file and the mapping file written.
    """
    folder.mkdir(parents=True, exist_ok=True)
    cols = vendor_columns()
    df = survey.copy()
    for col, table in (("city", CITIES), ("brand", BRANDS), ("tier", TIERS)):
        df[col] = df[col].map({code: zh for code, (zh, _en) in table.items()})
    df["gender"] = df["gender"].map({v: k for k, v in GENDER.items()})
    df = df.rename(columns=cols)
    csv = folder / f"survey_{quarter}_vendor.csv"
    with open(csv, "w", encoding="gbk", newline="") as fh:
        df.to_csv(fh, index=False, lineterminator="\r\n")
    yml = folder / "mapping.yaml"
    text = "# 供应商问卷字段映射 / vendor column and label mapping (synthetic demo data)\n"
    text += yaml.safe_dump(mapping(), allow_unicode=True, sort_keys=False)
    yml.write_text(text, encoding="utf-8")
    return [csv, yml]
