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


# -- compressing to an exact size ------------------------------------------------------------------
#
# olefile rewrites a stream in place only at its old size, so the patched ``dir`` stream must
# compress to exactly the template's length.  The greedy parse above is not the shortest one: a
# shortest parse (dynamic programming over the chunk) is found first, then copy tokens are split
# (a token of length L becomes one of L-1 and a literal, one byte more) until the size is exact.
# Any parse is a valid MS-OVBA stream: the decompressor does not care which matches were chosen.


def _match_lengths(data: bytes, start: int, end: int) -> list[tuple[int, int]]:
    """For each position: (longest match length, its offset) within the chunk."""
    out = []
    for pos in range(start, end):
        _, max_len = _copy_token_split(pos - start) if pos > start else (4, 0)
        limit = min(max_len, end - pos)
        best_len, best_off = 0, 0
        for cand in range(pos - 1, start - 1, -1):
            length = 0
            while length < limit and data[cand + length] == data[pos + length]:
                length += 1
            if length > best_len:
                best_len, best_off = length, pos - cand
                if length == limit:
                    break
        out.append((best_len, best_off))
    return out


def _shortest_parse(data: bytes, start: int, end: int) -> list[tuple[int, int]]:
    """Tokens (length, offset) — length 1 and offset 0 for a literal — of least encoded size."""
    n = end - start
    matches = _match_lengths(data, start, end)
    cost = [0.0] * (n + 1)  # bits from position i to the end
    choice: list[tuple[int, int]] = [(1, 0)] * (n + 1)
    for i in range(n - 1, -1, -1):
        best, pick = 9 + cost[i + 1], (1, 0)
        length, off = matches[i]
        for L in range(3, length + 1):
            c = 17 + cost[i + L]
            if c < best:
                best, pick = c, (L, off)
        cost[i], choice[i] = best, pick
    out, i = [], 0
    while i < n:
        out.append(choice[i])
        i += choice[i][0]
    return out


def _encode_chunk(data: bytes, start: int, tokens: list[tuple[int, int]]) -> bytes:
    out = bytearray()
    pos = start
    for k in range(0, len(tokens), 8):
        flag_index = len(out)
        out.append(0)
        flags = 0
        for bit, (length, off) in enumerate(tokens[k: k + 8]):
            if off:
                bit_count, _ = _copy_token_split(pos - start)
                out += (((off - 1) << (16 - bit_count)) | (length - 3)).to_bytes(2, "little")
                flags |= 1 << bit
            else:
                out.append(data[pos])
            pos += length
        out[flag_index] = flags
    return bytes(out)


def compress_to(data: bytes, size: int) -> bytes | None:
    """``data`` compressed (one chunk, i.e. under 4096 bytes) to exactly ``size`` bytes, or None."""
    if len(data) > CHUNK:
        return None
    tokens = _shortest_parse(data, 0, len(data))

    def total(toks: list[tuple[int, int]]) -> int:
        return 1 + 2 + len(_encode_chunk(data, 0, toks))

    if total(tokens) > size:
        return None
    def variants(toks: list[tuple[int, int]]):
        for k in range(len(toks) - 1, -1, -1):
            length, off = toks[k]
            if off and length >= 4:  # one byte longer
                yield toks[:k] + [(length - 1, off), (1, 0)] + toks[k + 1:]
            if off and length == 3:  # three literals for a token
                yield toks[:k] + [(1, 0)] * 3 + toks[k + 1:]

    while total(tokens) < size:
        tokens = next((v for v in variants(tokens) if total(v) <= size), None)
        if tokens is None:
            return None
    body = _encode_chunk(data, 0, tokens)
    header = (len(body) + 2 - 3) | (0b011 << 12) | 0x8000
    return b"\x01" + header.to_bytes(2, "little") + body
