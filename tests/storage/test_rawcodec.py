"""Raw pages are stored compressed; pages stored by older versions (zlib) stay readable."""

from __future__ import annotations

import zlib

from sqlalchemy import update

from crawler.parse import parse_document
from storage import rawcodec
from storage.models import Fetch
from tests.storage.conftest import SAMPLES


def test_pack_and_unpack_give_back_the_bytes() -> None:
    for raw in (b"", b"x", "巡察整改进展情况的通报".encode() * 1000, bytes(range(256)) * 64):
        packed = rawcodec.pack(raw)
        assert rawcodec.unpack(packed) == raw
    page = SAMPLES[0].read_bytes()
    assert len(rawcodec.pack(page)) < len(page) / 2


def test_a_page_stored_zlib_compressed_by_an_older_version_is_read_back(store) -> None:
    raw = SAMPLES[0].read_bytes()
    result = store.ingest(parse_document(raw, name=SAMPLES[0].name), raw=raw)
    with store.engine.begin() as conn:  # as versions before Zstandard wrote it
        conn.execute(update(Fetch).values(raw=zlib.compress(raw, 1)))
    assert store.raw_bytes(result.report_id) == raw
