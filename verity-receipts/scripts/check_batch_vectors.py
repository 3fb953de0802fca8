#!/usr/bin/env python3
"""Recomputes the format 2 (batch) golden vectors with a separate, pure-Python Keccak-256.

Checks, from src/test/resources/receipts/golden-batch-vectors.properties and the
golden-batch-receipt-*.json files: each receipt's EIP-712 digest (recomputed from its JSON
fields), the batch typeHash, the RFC 9162 root over the receipt digests, every inclusion path, batchStructHash and
batchDigest, and the batch fields of every canonical encoding. Run: python3 scripts/check_batch_vectors.py
"""
import hashlib
import json
import pathlib
import sys

RC = [0x0000000000000001, 0x0000000000008082, 0x800000000000808A, 0x8000000080008000,
      0x000000000000808B, 0x0000000080000001, 0x8000000080008081, 0x8000000000008009,
      0x000000000000008A, 0x0000000000000088, 0x0000000080008009, 0x000000008000000A,
      0x000000008000808B, 0x800000000000008B, 0x8000000000008089, 0x8000000000008003,
      0x8000000000008002, 0x8000000000000080, 0x000000000000800A, 0x800000008000000A,
      0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008]
ROT = [[0, 36, 3, 41, 18], [1, 44, 10, 45, 2], [62, 6, 43, 15, 61], [28, 55, 25, 21, 56],
       [27, 20, 39, 8, 14]]
M = (1 << 64) - 1


def rol(x, n):
    return ((x << n) | (x >> (64 - n))) & M if n else x


def keccak_f(a):
    for rc in RC:
        c = [a[x][0] ^ a[x][1] ^ a[x][2] ^ a[x][3] ^ a[x][4] for x in range(5)]
        d = [c[(x - 1) % 5] ^ rol(c[(x + 1) % 5], 1) for x in range(5)]
        a = [[a[x][y] ^ d[x] for y in range(5)] for x in range(5)]
        b = [[0] * 5 for _ in range(5)]
        for x in range(5):
            for y in range(5):
                b[y][(2 * x + 3 * y) % 5] = rol(a[x][y], ROT[x][y])
        a = [[b[x][y] ^ (~b[(x + 1) % 5][y] & b[(x + 2) % 5][y]) for y in range(5)]
             for x in range(5)]
        a[0][0] ^= rc
    return a


def keccak256(data: bytes) -> bytes:
    rate = 136
    # Original Keccak padding (0x01 ... 0x80), not SHA3's 0x06.
    p = bytearray(data) + b"\x01" + b"\x00" * ((-len(data) - 1) % rate)
    p[-1] |= 0x80
    a = [[0] * 5 for _ in range(5)]
    for off in range(0, len(p), rate):
        block = p[off:off + rate]
        for i in range(rate // 8):
            a[i % 5][i // 5] ^= int.from_bytes(block[8 * i:8 * i + 8], "little")
        a = keccak_f(a)
    return b"".join(a[i % 5][i // 5].to_bytes(8, "little") for i in range(4))


def sha256(b):
    return hashlib.sha256(b).digest()


def mth(leaves):
    if len(leaves) == 1:
        return leaves[0]
    k = 1 << ((len(leaves) - 1).bit_length() - 1)
    return sha256(b"\x01" + mth(leaves[:k]) + mth(leaves[k:]))


def path(m, leaves):
    if len(leaves) <= 1:
        return []
    k = 1 << ((len(leaves) - 1).bit_length() - 1)
    if m < k:
        return path(m, leaves[:k]) + [mth(leaves[k:])]
    return path(m - k, leaves[k:]) + [mth(leaves[:k])]


RECEIPT_TYPE = (b"Receipt(bytes32 modelDigest,string engineId,string engineVersion,"
                b"bytes32 engineConfigDigest,uint8 numericMode,bytes32 inputDigest,"
                b"bytes32 outputDigest,bytes32 traceRoot,uint64 traceLeaves,address node,"
                b"string requestId,uint64 timeMillis,string policy,uint64 seed)")


def receipt_digest(r, domain_separator):
    """The receipt's EIP-712 digest, from its JSON (docs/RECEIPTS.md, "EIP-712 hashing")."""
    b32 = lambda s: bytes.fromhex(s.split(":")[-1].removeprefix("0x"))
    uint = lambda v: int(v).to_bytes(32, "big")
    string = lambda s: keccak256(s.encode())
    words = [b32(r["modelDigest"]), string(r["engineId"]), string(r["engineVersion"]),
             b32(r["engineConfigDigest"]), uint(0 if r["numericMode"] == "bitwise" else 1),
             b32(r["inputDigest"]), b32(r["outputDigest"]), b32(r["traceRoot"]),
             uint(r["traceLeaves"]), bytes(12) + b32(r["node"]), string(r["requestId"]),
             uint(r["timeMillis"]), string(r["policy"]), uint(r["seed"])]
    struct_hash = keccak256(keccak256(RECEIPT_TYPE) + b"".join(words))
    return keccak256(b"\x19\x01" + domain_separator + struct_hash)


def main():
    root_dir = pathlib.Path(__file__).resolve().parent.parent
    props = {}
    text = (root_dir / "src/test/resources/receipts/golden-batch-vectors.properties").read_text()
    for line in text.splitlines():
        k, v = line.split("=", 1)
        props[k] = v
    assert keccak256(b"").hex() == "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    type_hash = keccak256(b"ReceiptBatch(bytes32 root,uint64 size)")
    assert type_hash.hex() == props["batchTypeHash"], "batchTypeHash"
    n = int(props["size"])
    separator = bytes.fromhex(props["domainSeparator"])
    digests = []
    for i in range(n):
        r = json.loads((root_dir / ("src/test/resources/receipts/golden-batch-receipt-%d.json" % i))
                       .read_text())
        digests.append(receipt_digest(r, separator))
        assert digests[i].hex() == props["digest.%d" % i], "digest.%d" % i
        assert r["batch"] == {"size": n, "index": i,
                              "path": ["0x" + h for h in props["path.%d" % i].split(",")]}
    leaves = [sha256(b"\x00" + d) for d in digests]
    root = mth(leaves)
    assert root.hex() == props["root"], "root"
    for i in range(n):
        expected = ",".join(h.hex() for h in path(i, leaves))
        assert expected == props["path.%d" % i], "path.%d" % i
        canonical = bytes.fromhex(props["canonical.%d" % i])
        assert canonical[:4] == b"vrc\x02", "magic"
        tail = n.to_bytes(4, "big") + i.to_bytes(4, "big") + bytes([len(path(i, leaves))])
        tail += b"".join(path(i, leaves)) + bytes.fromhex(props["signature"])
        assert canonical.endswith(tail), "canonical.%d batch fields" % i
        assert sha256(b"\x00" + canonical).hex() == props["leafHash.%d" % i], "leafHash.%d" % i
    struct_hash = keccak256(type_hash + root + n.to_bytes(32, "big"))
    assert struct_hash.hex() == props["batchStructHash"], "batchStructHash"
    digest = keccak256(b"\x19\x01" + bytes.fromhex(props["domainSeparator"]) + struct_hash)
    assert digest.hex() == props["batchDigest"], "batchDigest"
    print("batch golden vectors match: typeHash %s, root %s, batchDigest %s"
          % (type_hash.hex(), root.hex(), digest.hex()))


if __name__ == "__main__":
    sys.exit(main())
