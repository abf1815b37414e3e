"""The bundled sample notices against their hand-made answer keys (scored like score_parse.py)."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest

from crawler.parse import parse_text

SAMPLES = Path(__file__).resolve().parents[3] / "crawler" / "samples"
GOLD = Path(__file__).resolve().parents[2] / "fixtures" / "gold"
HEADER = [("title",), ("issuer",), ("published_on",), ("declared_issue_count",), ("unit", "name"),
          ("unit", "province"), ("unit", "city"), ("unit", "level"), ("inspection", "inspector"),
          ("inspection", "inspector_level"), ("inspection", "started_on"), ("inspection", "ended_on"),
          ("inspection", "feedback_on")]


def norm(text) -> str:
    text = unicodedata.normalize("NFKC", "" if text is None else str(text))
    for a, b in (("“", '"'), ("”", '"'), ("、", ","), ("。", ".")):
        text = text.replace(a, b)
    return "".join(ch for ch in text if not ch.isspace()).rstrip(".,;:")


def flatten(issues):
    return [x for i in issues for x in [i, *i.get("sub_issues", [])]]


def matches(pred, gold) -> bool:
    if gold.get("title_start"):
        return norm(pred.get("title")).startswith(norm(gold["title_start"]))
    return norm(pred.get("rectification")).startswith(norm(gold.get("rect_start")))


def dig(obj, path):
    for key in path:
        obj = obj.get(key) if isinstance(obj, dict) else None
    return obj


def score(name: str) -> dict[str, int]:
    report = parse_text((SAMPLES / f"{name}.txt").read_text(encoding="utf-8")).to_dict()
    gold = json.loads((GOLD / f"{name}.gold.json").read_text(encoding="utf-8"))
    preds, golds = flatten(report["issues"]), flatten(gold["issues"])
    tp = st = 0
    j = 0
    for want in golds:  # in-order greedy alignment is enough for these documents
        for k in range(j, len(preds)):
            if matches(preds[k], want):
                tp += 1
                st += preds[k]["status"] == want["status"]
                j = k + 1
                break
    hdr = [norm(dig(report, p)) == norm(dig(gold, p)) for p in HEADER if dig(gold, p) is not None]
    return {"tp": tp, "npred": len(preds), "ngold": len(golds), "st": st, "hdr_ok": sum(hdr), "hdr_n": len(hdr)}


NAMES = sorted(p.name.removesuffix(".gold.json") for p in GOLD.glob("*.gold.json"))


@pytest.mark.parametrize("name", NAMES)
def test_every_issue_found(name):
    s = score(name)
    assert s["tp"] == s["ngold"] == s["npred"]


def test_corpus_bars():
    total = {k: sum(score(n)[k] for n in NAMES) for k in ("tp", "npred", "ngold", "st", "hdr_ok", "hdr_n")}
    precision, recall = total["tp"] / total["npred"], total["tp"] / total["ngold"]
    assert 2 * precision * recall / (precision + recall) >= 0.98
    assert total["st"] / total["tp"] >= 0.90
    assert total["hdr_ok"] / total["hdr_n"] >= 0.95
