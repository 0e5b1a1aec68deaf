"""MS-OVBA 2.4.1 compression, for writing VBA source into a vbaProject.bin.

The algorithm of the specification (greedy longest match within the 4096-byte chunk, copy tokens
whose offset/length split depends on the position in the chunk).  Its output decompresses with
oletools' independent decompressor (tested).
"""

from __future__ import annotations

CHUNK = 4096


def _copy_token_split(difference: int) -> tuple[int, int]:
    """(bit count of the offset, maximum length) for a position ``difference`` into the chunk."""
    bit_count = max((difference - 1).bit_length(), 4)
    return bit_count, (0xFFFF >> bit_count) + 3


def _compress_chunk(data: bytes, start: int, end: int) -> bytes:
    out = bytearray()
    pos = start
    while pos < end:
        flag_index = len(out)
        out.append(0)
        flags = 0
        for bit in range(8):
            if pos >= end:
                break
            bit_count, max_len = _copy_token_split(pos - start)
            best_len, best_off = 0, 0
            limit = min(max_len, end - pos)
            cand = pos - 1
            while cand >= start:
                length = 0
                while length < limit and data[cand + length] == data[pos + length]:
                    length += 1
                if length > best_len:
                    best_len, best_off = length, pos - cand
                cand -= 1
            if best_len >= 3:
                token = ((best_off - 1) << (16 - bit_count)) | (best_len - 3)
                out += token.to_bytes(2, "little")
                flags |= 1 << bit
                pos += best_len
            else:
                out.append(data[pos])
                pos += 1
        out[flag_index] = flags
    return bytes(out)


def compress(data: bytes) -> bytes:
    out = bytearray(b"\x01")
    for start in range(0, len(data), CHUNK):
        end = min(start + CHUNK, len(data))
        body = _compress_chunk(data, start, end)
        if len(body) > CHUNK and end - start == CHUNK:  # incompressible: a raw chunk
            header = (CHUNK - 1) | (0b011 << 12)
            out += header.to_bytes(2, "little") + data[start:end]
        else:
            header = (len(body) + 2 - 3) | (0b011 << 12) | 0x8000
            out += header.to_bytes(2, "little") + body
    return bytes(out)
