"""``python -m crawler.samplesite [--port 8000] [--scale N] [--seed S]``: serve the sample site until Ctrl-C."""

from __future__ import annotations

import argparse
import threading

from . import SampleSite


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m crawler.samplesite", description=__doc__.split(":", 1)[1].strip())
    ap.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    ap.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 = any free port)")
    ap.add_argument("--scale", type=int, default=0, help="extra synthesised notices (default 0)")
    ap.add_argument("--seed", type=int, default=0, help="seed for ids, dates and texts (default 0)")
    args = ap.parse_args(argv)
    site = SampleSite(scale=args.scale, seed=args.seed, port=args.port, host=args.host)
    with site:
        print(f"sample site at {site.base_url} ({len(site.notice_urls)} notices, {len(site.news_urls)} news items)")
        for key, url in site.list_urls.items():
            print(f"  {key:10} {url}")
        print("Ctrl-C to stop", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
