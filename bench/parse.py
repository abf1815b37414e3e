"""Parser speed on the bundled sample notices, as text and as HTML pages of three site styles.

Prints documents/s and MB/s for the whole parse (decode + extraction + structure + status),
and trafilatura's text extraction alone on the same HTML as a reference.
Run: ``pip install -e '.[bench]' && python bench/parse.py [--seconds 3]``. One process, one core.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawler.parse import decode_page, parse_document, parse_text  # noqa: E402
from tests.fixtures.html_pages import KINDS, render  # noqa: E402


def measure(label: str, docs: list, fn, seconds: float) -> float:
    """Run ``fn`` over ``docs`` repeatedly for about ``seconds``; print and return seconds per document."""
    for doc in docs:  # warm-up (caches, lazy indexes)
        fn(doc)
    size = sum(len(d) if isinstance(d, bytes) else len(d.encode("utf-8")) for d in docs)
    n, bytes_done, start = 0, 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for doc in docs:
            fn(doc)
        n += len(docs)
        bytes_done += size
    elapsed = time.perf_counter() - start
    per_doc = elapsed / n
    print(f"{label:48} {n / elapsed:9.1f} docs/s {bytes_done / elapsed / 1e6:7.2f} MB/s {per_doc * 1e3:7.2f} ms/doc")
    return per_doc


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=3.0, help="time per measurement")
    args = ap.parse_args()
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "crawler" / "samples").glob("*.txt"))]
    pages = [render(kind, text) for kind in KINDS for text in texts]
    print(f"{len(texts)} notices; {len(pages)} HTML pages ({', '.join(KINDS)}), "
          f"mean page {sum(map(len, pages)) / len(pages) / 1024:.0f} KB")
    measure("rectrack parse, text input", texts, parse_text, args.seconds)
    full = measure("rectrack parse, HTML input (decode+extract+parse)", pages,
                   lambda page: parse_document(page), args.seconds)
    try:
        import trafilatura
    except ImportError:
        print("trafilatura not installed (pip install -e '.[bench]'): reference skipped")
        return 0
    decoded = [decode_page(page) for page in pages]
    ref = measure("trafilatura.extract alone (reference)", decoded,
                  lambda html: trafilatura.extract(html, include_comments=False), args.seconds)
    print(f"rectrack full parse / trafilatura extraction alone: {full / ref:.2f}x the time "
          f"({'faster' if full < ref else 'slower'}); target: >= 200 docs/s and <= 1.0x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
