"""Stable hash buckets: the one way strife picks a split or a sample by id.

Python's ``hash()`` is salted per process, so every choice that must be the same on
every machine and every run (M2E2's held-out documents, the dev sentences of the
annotated set, the silver negatives kept) hashes its key with SHA-1 and reads some
bytes of the digest as a number. The callers read different bytes so that their
choices are independent of one another (M2E2 dev reads the second byte of the same
digest that chose its test documents); changing a caller's bytes or modulus changes
its split, and with it every figure measured on that split.
"""

from __future__ import annotations

import hashlib


def hash_bucket(key: str, buckets: int, *, first_byte: int = 0, width: int = 1) -> int:
    """``key``'s bucket in ``range(buckets)``: bytes ``first_byte .. first_byte + width``
    of its SHA-1 digest, read big-endian, modulo ``buckets``.

    >>> hash_bucket("VOA_EN_NW_2016.04.19.3291980", 5)
    2
    """
    if buckets < 1 or first_byte < 0 or width < 1 or first_byte + width > hashlib.sha1().digest_size:
        raise ValueError(f"hash_bucket: bad buckets={buckets}, first_byte={first_byte}, width={width}")
    digest = hashlib.sha1(key.encode("utf-8")).digest()
    return int.from_bytes(digest[first_byte:first_byte + width], "big") % buckets
