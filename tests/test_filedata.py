"""filedata.py: a big file's blocks hash and write to exactly the bytes they join to."""

from __future__ import annotations

import os

from paradetimeline.render import filedata
from paradetimeline.render.filedata import joined, output_digest, utf8_blocks, utf8_join, write_all


def test_utf8_join_is_the_joined_text_encoded_whatever_the_batch():
    pieces = ["Парад", " «80»", "", " — ", "ok"] * 5
    for batch in (1, 2, 3, 4096):
        assert utf8_join(iter(pieces), batch) == "".join(pieces).encode("utf-8")
    assert utf8_join([]) == b""


def test_utf8_blocks_cut_by_pieces_or_by_characters():
    pieces = ["Парад «80» "] * 10
    assert utf8_blocks(pieces, batch=4) == [("Парад «80» " * 4).encode()] * 2 + \
        [("Парад «80» " * 2).encode()]
    assert [len(b.decode()) for b in utf8_blocks(pieces, size=30)] == [33, 33, 33, 11]
    assert utf8_blocks([]) == [b""]
    assert utf8_blocks(["x" * 5], size=1) == [b"xxxxx"]  # a piece is never cut


def test_blocks_hash_as_the_bytes_they_join_to():
    data = "Парад «80» ".encode() * 1000
    blocks = [data[:7], memoryview(data)[7:3000], data[3000:]]
    assert joined(blocks) == data and joined(data) is data
    assert output_digest(blocks) == output_digest(data) == output_digest([data])
    assert output_digest([b""]) == output_digest(b"")
    assert output_digest(blocks) != output_digest(data + b" ")


def test_write_all_gathers_small_blocks_and_writes_every_byte(tmp_path, monkeypatch):
    monkeypatch.setattr(filedata, "BLOCK", 64)
    small = [bytes([65 + n % 26]) * 5 for n in range(40)]
    data = [*small[:20], b"B" * 100, *small[20:]]
    real_write = os.write
    for cut_short in (False, True):  # as a signal or a nearly full disk may make a write
        sizes = []

        def write(descriptor, block, cut_short=cut_short, sizes=sizes):
            sizes.append(len(block))
            return real_write(descriptor, bytes(block)[:len(block) // 2 or 1] if cut_short
                              else block)

        monkeypatch.setattr(os, "write", write)
        target = tmp_path / f"out-{cut_short}.bin"
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
        try:
            write_all(descriptor, data)
        finally:
            os.close(descriptor)
        assert target.read_bytes() == b"".join(data)
        if not cut_short:  # small blocks gathered to BLOCK bytes; a big one on its own
            assert sizes == [65, 35, 100, 65, 35]
