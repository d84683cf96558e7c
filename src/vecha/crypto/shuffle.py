"""A verifiable re-encryption shuffle of ElGamal ballots over ristretto255 (spec §4.5).

A mixer takes N ballots, each a row of w ciphertexts, permutes the rows with a secret
permutation ψ and re-encrypts every ciphertext: output row i is input row ψ(i) with each
ciphertext (α, β) replaced by (α + r'·G, β + r'·K) for a fresh r' per ciphertext. Nobody
who lacks ψ can tell which output row came from which input row; the messages are kept.

The proof is Terelius–Wikström's, in the form of Haenni, Locher, Koenig and Dubuis's
pseudo-code (CHVote), written additively and extended to rows of w ciphertexts (one
permutation commitment and one set of responses s'_i binds the same ψ in every column).
With independent generators H_0, H_1, …, H_N (hash-to-point, §4.5), the mixer commits to
ψ as c_j = r_j·G + H_i for j = ψ(i), draws challenges u_1…u_N by hashing the statement,
commits to the permuted challenges u'_i = u_ψ(i) with the chain ĉ_0 = H_0,
ĉ_i = r̂_i·G + u'_i·ĉ_{i−1}, and proves with one Σ-protocol that

- the c_j commit to a permutation matrix (Σc_j − ΣH_i = r̄·G and ĉ_N − (Πu_i)·H_0 = r̂·G),
- the same matrix maps u to u' (Σu_j·c_j = r̃·G + Σu'_i·H_i and the chain), and
- the outputs are the inputs permuted that way and re-encrypted (per column k:
  Σu'_i·β'_{i,k} = Σu_j·β_{j,k} + R_k·K, and the same for α with G).

The proof carries its commitments (t1, t2, t3, t4, t̂): the verifier recomputes the
challenge by hashing and checks linear equations, which is what batch verification needs.
Strong Fiat–Shamir: the election fingerprint, the key, the context, every input and
output ciphertext, every permutation commitment, the chain and every t go into the hash.

Pure: no I/O; randomness from `secrets` (through `Scalar.random`).
"""

from __future__ import annotations

import binascii
import functools
import re
import secrets
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from vecha.crypto.encoding import point_from_hex, scalar_from_hex
from vecha.crypto.group import IDENTITY, ORDER, Point, Scalar, public_weighted_sum, weighted_sum
from vecha.crypto.rows import PackedRows, Row
from vecha.crypto.transcript import Transcript
from vecha.errors import InvalidEncoding, InvalidProof

__all__ = [
    "Row",
    "ShuffleProof",
    "generators",
    "random_permutation",
    "shuffle",
    "prove_shuffle",
    "verify_shuffle",
    "proof_from_canonical",
    "PackedPoints",
    "PackedScalars",
    "PROOF_SHAPE",
    "MAX_WIDTH",
]

MAX_WIDTH = 1024  #: ciphertexts per ballot that a shuffle carries
VERIFY_CHUNK = 2048  #: ballots whose generators, challenges and sums a verifier holds at once


@functools.lru_cache(maxsize=8)
def _generator_prefix(fingerprint: bytes) -> Transcript:
    return Transcript("shuffle-generator").raw("election", fingerprint)


def generator(fingerprint: bytes, index: int) -> Point:
    """H_index = from_uniform_bytes(T("shuffle-generator", [("election", fp), ("index", i)])):
    nobody knows a discrete logarithm between any two of them, nor of G."""
    t = _generator_prefix(fingerprint)
    return Point.from_uniform_bytes(t.fork().number("index", index).digest())


def generators(fingerprint: bytes, count: int) -> tuple[Point, ...]:
    """H_0 … H_count."""
    return tuple(generator(fingerprint, i) for i in range(count + 1))


def random_permutation(n: int) -> tuple[int, ...]:
    """A uniformly random permutation of 0…n−1 (Fisher–Yates with `secrets`)."""
    p = list(range(n))
    for i in range(n - 1, 0, -1):
        j = secrets.randbelow(i + 1)
        p[i], p[j] = p[j], p[i]
    return tuple(p)


def _check_rows(rows: Sequence[Row], what: str) -> int:
    if not rows:
        raise InvalidEncoding(f"a shuffle has at least one {what} ballot")
    width = len(rows[0])
    if not 1 <= width <= MAX_WIDTH or any(len(r) != width for r in rows):
        raise InvalidEncoding(f"every {what} ballot has the same number (1 to {MAX_WIDTH}) of ciphertexts")
    return width


def shuffle(key: Point, rows: Sequence[Row]) -> tuple[PackedRows, tuple[int, ...], list[list[Scalar]]]:
    """Permute and re-encrypt: (outputs, ψ, r'), output i being input ψ(i) re-encrypted.
    The outputs are packed as they are made (a decoded point costs some 450 bytes: a mix of
    100k ballots of 5 would hold 1M of them)."""
    width = _check_rows(rows, "input")
    psi = random_permutation(len(rows))
    randomness = [[Scalar.random() for _ in range(width)] for _ in rows]
    out = bytearray()
    for i in range(len(rows)):
        for ct, r in zip(rows[psi[i]], randomness[i], strict=True):
            out += (ct.alpha + Point.base_mul(r)).encoding
            out += (ct.beta + key.mul_fixed(r)).encoding
    return PackedRows(bytes(out), width), psi, randomness


class PackedPoints(Sequence[Point]):
    """Points given as their 32-byte encodings end to end, each checked once when made and
    decoded when it is read: a proof of a large shuffle without an object per point."""

    __slots__ = ("data",)

    def __init__(self, data: bytes, what: str = "point") -> None:
        if len(data) % 32:
            raise InvalidEncoding(f"{what}: packed points are 32 bytes each")
        for k in range(0, len(data), 32):
            if not Point.is_valid(data[k : k + 32]):
                raise InvalidEncoding(f"{what}: point {k // 32} is not a ristretto255 point")
        self.data = data

    def __len__(self) -> int:
        return len(self.data) // 32

    def __getitem__(self, i: int) -> Point:  # type: ignore[override]
        if isinstance(i, slice):  # as a tuple of points would answer
            return tuple(self[k] for k in range(*i.indices(len(self))))
        n = len(self)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError(i)
        return Point(self.data[32 * i : 32 * i + 32])

    def __iter__(self) -> Iterator[Point]:
        for k in range(0, len(self.data), 32):
            yield Point(self.data[k : k + 32])

    def __eq__(self, other: object) -> bool:
        """The same points as another packed list, or as a tuple or list of points."""
        if isinstance(other, PackedPoints):
            return self.data == other.data
        if isinstance(other, tuple | list) and all(isinstance(p, Point) for p in other):
            return b"".join(p.encoding for p in other) == self.data
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # compared by value, as a list is

    @classmethod
    def made_here(cls, data: bytes) -> PackedPoints:
        """Points this process computed (a prover's), packed without checking them again."""
        packed = cls.__new__(cls)
        packed.data = data
        return packed


class PackedScalars(Sequence[Scalar]):
    """Scalars given as their 32-byte little-endian encodings end to end, each checked to be
    canonical (below ℓ) when made."""

    __slots__ = ("data",)

    def __init__(self, data: bytes, what: str = "scalar") -> None:
        if len(data) % 32:
            raise InvalidEncoding(f"{what}: packed scalars are 32 bytes each")
        for k in range(0, len(data), 32):
            if int.from_bytes(data[k : k + 32], "little") >= ORDER:
                raise InvalidEncoding(f"{what}: scalar {k // 32} is not below the group order")
        self.data = data

    def __len__(self) -> int:
        return len(self.data) // 32

    def __getitem__(self, i: int) -> Scalar:  # type: ignore[override]
        n = len(self)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError(i)
        return Scalar(int.from_bytes(self.data[32 * i : 32 * i + 32], "little"))

    def __iter__(self) -> Iterator[Scalar]:
        for k in range(0, len(self.data), 32):
            yield Scalar(int.from_bytes(self.data[k : k + 32], "little"))


_HEX = rb"[0-9a-f]{64}"


def _hex_list(name: str) -> bytes:
    return b'"' + name.encode() + rb'":\[(?P<' + name.encode() + rb'>(?:"' + _HEX + rb'",)*+"' + _HEX + rb'")\]'


def _hex_one(name: str) -> bytes:
    return b'"' + name.encode() + rb'":"(?P<' + name.encode() + rb">" + _HEX + rb')"'


_PAIR = rb'\{"alpha":"' + _HEX + rb'","beta":"' + _HEX + rb'"\}'
#: a shuffle proof in canonical JSON (spec §7.5): its members in key order, every value a
#: 64-hex-digit string or a non-empty list of them (t4: of {"alpha", "beta"} pairs). The
#: repetitions are possessive (`*+`): an item followed by a comma is never given back, so
#: the matcher keeps no backtracking state per item (seen here: 32 MB for a 20k-ballot proof)
PROOF_SHAPE = re.compile(
    rb"\{"
    + b",".join(
        [
            _hex_list("chain"),
            _hex_list("commitments"),
            _hex_one("s1"),
            _hex_one("s2"),
            _hex_one("s3"),
            _hex_list("s4"),
            _hex_list("s_hat"),
            _hex_list("s_prime"),
            _hex_one("t1"),
            _hex_one("t2"),
            _hex_one("t3"),
            rb'"t4":\[(?P<t4>(?:' + _PAIR + rb",)*+" + _PAIR + rb")\]",
            _hex_list("t_hat"),
        ]
    )
    + rb"\}"
)


def _unhex(span: bytes) -> bytes:
    """The hex strings of a canonical JSON list's inside ("h1","h2",…), decoded end to end."""
    return binascii.unhexlify(span.replace(b'","', b"").strip(b'"'))


@dataclass(frozen=True, slots=True)
class ShuffleProof:
    """Spec §4.5: the permutation commitments c_1…c_N (by input), the chain ĉ_1…ĉ_N, the
    commitments t1, t2, t3, t4 (one (β, α) pair per column) and t̂_1…t̂_N, and the responses
    s1, s2, s3, s4 (one per column), ŝ_1…ŝ_N and s'_1…s'_N."""

    # tuples, or (read from the board) packed sequences decoded one element at a time
    commitments: Sequence[Point]
    chain: Sequence[Point]
    t1: Point
    t2: Point
    t3: Point
    t4: tuple[tuple[Point, Point], ...]
    t_hat: Sequence[Point]
    s1: Scalar
    s2: Scalar
    s3: Scalar
    s4: Sequence[Scalar]
    s_hat: Sequence[Scalar]
    s_prime: Sequence[Scalar]

    def to_json(self) -> dict[str, Any]:
        return {
            "commitments": [p.hex() for p in self.commitments],
            "chain": [p.hex() for p in self.chain],
            "t1": self.t1.hex(),
            "t2": self.t2.hex(),
            "t3": self.t3.hex(),
            "t4": [{"beta": b.hex(), "alpha": a.hex()} for b, a in self.t4],
            "t_hat": [p.hex() for p in self.t_hat],
            "s1": self.s1.hex(),
            "s2": self.s2.hex(),
            "s3": self.s3.hex(),
            "s4": [s.hex() for s in self.s4],
            "s_hat": [s.hex() for s in self.s_hat],
            "s_prime": [s.hex() for s in self.s_prime],
        }

    @classmethod
    def from_json(cls, obj: Any, ballots: int, width: int) -> ShuffleProof:
        """Parse a proof for `ballots` rows of `width` ciphertexts; `InvalidEncoding` for
        anything else (a wrong member, length, point or scalar)."""
        keys = {"commitments", "chain", "t1", "t2", "t3", "t4", "t_hat", "s1", "s2", "s3", "s4", "s_hat", "s_prime"}
        if not isinstance(obj, dict) or set(obj) != keys:
            raise InvalidEncoding(f"a shuffle proof is {{{', '.join(sorted(keys))}}}")

        def points(name: str, n: int) -> tuple[Point, ...]:
            v = obj[name]
            if not isinstance(v, list) or len(v) != n:
                raise InvalidEncoding(f"shuffle proof: {name} has {n} points")
            return tuple(point_from_hex(x, name) for x in v)

        def scalars(name: str, n: int) -> tuple[Scalar, ...]:
            v = obj[name]
            if not isinstance(v, list) or len(v) != n:
                raise InvalidEncoding(f"shuffle proof: {name} has {n} scalars")
            return tuple(scalar_from_hex(x, name) for x in v)

        t4 = obj["t4"]
        if not isinstance(t4, list) or len(t4) != width:
            raise InvalidEncoding(f"shuffle proof: t4 has one pair per column ({width})")
        pairs = []
        for pair in t4:
            if not isinstance(pair, dict) or set(pair) != {"beta", "alpha"}:
                raise InvalidEncoding("shuffle proof: a t4 pair is {beta, alpha}")
            pairs.append((point_from_hex(pair["beta"], "t4.beta"), point_from_hex(pair["alpha"], "t4.alpha")))
        return cls(
            points("commitments", ballots),
            points("chain", ballots),
            point_from_hex(obj["t1"], "t1"),
            point_from_hex(obj["t2"], "t2"),
            point_from_hex(obj["t3"], "t3"),
            tuple(pairs),
            points("t_hat", ballots),
            scalar_from_hex(obj["s1"], "s1"),
            scalar_from_hex(obj["s2"], "s2"),
            scalar_from_hex(obj["s3"], "s3"),
            scalars("s4", width),
            scalars("s_hat", ballots),
            scalars("s_prime", ballots),
        )


def proof_from_canonical(data: bytes, ballots: int, width: int) -> ShuffleProof:
    """Parse a proof from its canonical JSON (as the board holds it): when it has the shape
    `PROOF_SHAPE` gives, its long lists are read straight into packed points and scalars
    (a 100k-ballot proof is then 16 MB, not half a million objects); anything else goes
    through the ordinary parser, which says what is wrong."""
    from vecha.crypto.canonical import parse_canonical

    m = PROOF_SHAPE.fullmatch(data)
    if m is None:
        return ShuffleProof.from_json(parse_canonical(data), ballots, width)

    def points(name: str, n: int) -> PackedPoints:
        packed = PackedPoints(_unhex(m.group(name)), f"shuffle proof: {name}")
        if len(packed) != n:
            raise InvalidEncoding(f"shuffle proof: {name} has {n} points")
        return packed

    def scalars(name: str, n: int) -> PackedScalars:
        packed = PackedScalars(_unhex(m.group(name)), f"shuffle proof: {name}")
        if len(packed) != n:
            raise InvalidEncoding(f"shuffle proof: {name} has {n} scalars")
        return packed

    def point(name: str) -> Point:
        return point_from_hex(m.group(name).decode("ascii"), name)

    def scalar(name: str) -> Scalar:
        return scalar_from_hex(m.group(name).decode("ascii"), name)

    t4 = re.findall(_HEX, m.group("t4"))  # alpha, beta of each pair, in order
    if len(t4) != 2 * width:
        raise InvalidEncoding(f"shuffle proof: t4 has one pair per column ({width})")
    pairs = tuple(
        (point_from_hex(t4[k + 1].decode(), "t4.beta"), point_from_hex(t4[k].decode(), "t4.alpha"))
        for k in range(0, len(t4), 2)
    )
    return ShuffleProof(
        points("commitments", ballots),
        points("chain", ballots),
        point("t1"),
        point("t2"),
        point("t3"),
        pairs,
        points("t_hat", ballots),
        scalar("s1"),
        scalar("s2"),
        scalar("s3"),
        scalars("s4", width),
        scalars("s_hat", ballots),
        scalars("s_prime", ballots),
    )


# ---- the challenges -----------------------------------------------------------------------


def _statement(
    fingerprint: bytes,
    key: Point,
    context: bytes,
    inputs: Sequence[Row],
    outputs: Sequence[Row],
    commitments: Sequence[Point],
) -> bytes:
    """The seed: T("shuffle", [election, key, context, N, w, every input and output
    ciphertext (α then β, row by row), every permutation commitment])."""
    t = (
        Transcript("shuffle")
        .raw("election", fingerprint)
        .point("key", key)
        .raw("context", context)
        .number("ballots", len(inputs))
        .number("width", len(inputs[0]))
    )
    for name, rows in (("input", inputs), ("output", outputs)):
        if isinstance(rows, PackedRows):
            t.packed_points(name, rows.data)
        else:
            t.points(name, [p for row in rows for ct in row for p in (ct.alpha, ct.beta)])
    _hash_points(t, "commitments", commitments)
    return t.digest()


def _challenges(seed: bytes, stop: int, start: int = 0) -> list[Scalar]:
    """u_j = T("shuffle-u", [("seed", seed), ("index", j)]) reduced mod ℓ, for j = start+1…stop."""
    prefix = Transcript("shuffle-u").raw("seed", seed)
    return [prefix.fork().number("index", j).challenge() for j in range(start + 1, stop + 1)]


def _challenge(
    seed: bytes,
    chain: Sequence[Point],
    t1: Point,
    t2: Point,
    t3: Point,
    t4: Sequence[tuple[Point, Point]],
    t_hat: Sequence[Point],
) -> Scalar:
    t = Transcript("shuffle-challenge").raw("seed", seed)
    _hash_points(t, "chain", chain)
    t.point("t1", t1).point("t2", t2).point("t3", t3)
    t.points("t4", [p for pair in t4 for p in pair])
    return _hash_points(t, "t_hat", t_hat).challenge()


def _hash_points(t: Transcript, label: str, points: Sequence[Point]) -> Transcript:
    """`t.points(label, points)`; packed points are hashed as the bytes they are."""
    if isinstance(points, PackedPoints):
        return t.packed_points(label, points.data)
    return t.points(label, list(points))


def _column_sums(rows: Sequence[Row], weights: Sequence[Scalar], width: int) -> tuple[list[Point], list[Point]]:
    """Per column k: (Σ_i w_i·β_{i,k}, Σ_i w_i·α_{i,k}), reading each row once (two rows per
    pass, a double-scalar multiplication each), so packed rows are decoded once and no more
    than two rows are held decoded."""
    betas, alphas = [IDENTITY] * width, [IDENTITY] * width
    n = len(rows)
    for i in range(0, n - 1, 2):
        a, b = rows[i], rows[i + 1]
        wa, wb = weights[i], weights[i + 1]
        for k in range(width):
            betas[k] = betas[k] + Point.double_mul(wa, a[k].beta, wb, b[k].beta)
            alphas[k] = alphas[k] + Point.double_mul(wa, a[k].alpha, wb, b[k].alpha)
    if n % 2:
        last, wl = rows[n - 1], weights[n - 1]
        for k in range(width):
            betas[k] = betas[k] + last[k].beta * wl
            alphas[k] = alphas[k] + last[k].alpha * wl
    return betas, alphas


# ---- proving ------------------------------------------------------------------------------


def prove_shuffle(
    fingerprint: bytes,
    key: Point,
    context: bytes,
    inputs: Sequence[Row],
    outputs: Sequence[Row],
    permutation: Sequence[int],
    randomness: Sequence[Sequence[Scalar]],
) -> ShuffleProof:
    """The proof that `outputs` are `inputs` permuted by `permutation` (output i is input
    permutation[i]) and re-encrypted with `randomness[i][k]`."""
    n, width = len(inputs), _check_rows(inputs, "input")
    if sorted(permutation) != list(range(n)) or len(outputs) != n:
        raise ValueError("not a permutation of the inputs")
    # The generators, commitments, chain and t̂ are kept as encodings (32 bytes each, not a
    # decoded point of some 450): a prover of 100k ballots holds 400k of them.
    h0 = generator(fingerprint, 0)
    h = PackedPoints.made_here(b"".join(generator(fingerprint, i).encoding for i in range(1, n + 1)))  # H_1…H_N
    r = [Scalar.random() for _ in range(n)]  # r_j: the commitment of input j
    packed_commitments = bytearray(32 * n)
    for i, j in enumerate(permutation):
        packed_commitments[32 * j : 32 * j + 32] = (Point.base_mul(r[j]) + h[i]).encoding
    commitments = PackedPoints.made_here(bytes(packed_commitments))
    del packed_commitments
    seed = _statement(fingerprint, key, context, inputs, outputs, commitments)
    u = _challenges(seed, n)
    u_perm = [u[permutation[i]] for i in range(n)]
    r_hat = [Scalar.random() for _ in range(n)]
    packed_chain = bytearray()
    previous = h0
    for i in range(n):
        previous = Point.base_mul(r_hat[i]) + previous * u_perm[i]
        packed_chain += previous.encoding
    chain = PackedPoints.made_here(bytes(packed_chain))
    del packed_chain
    w1, w2, w3 = Scalar.random(), Scalar.random(), Scalar.random()
    w4 = [Scalar.random() for _ in range(width)]
    w_hat = [Scalar.random() for _ in range(n)]
    w_prime = [Scalar.random() for _ in range(n)]
    t1, t2 = Point.base_mul(w1), Point.base_mul(w2)
    t3 = Point.base_mul(w3)
    for a in range(0, n, VERIFY_CHUNK):  # the secret w' stay on the constant-time path
        b = min(n, a + VERIFY_CHUNK)
        t3 = t3 + weighted_sum(w_prime[a:b], [h[i] for i in range(a, b)])
    out_betas, out_alphas = _column_sums(outputs, w_prime, width)
    t4 = tuple((out_betas[k] - key.mul_fixed(w4[k]), out_alphas[k] - Point.base_mul(w4[k])) for k in range(width))
    packed_t_hat = bytearray()
    for i in range(n):
        previous = h0 if i == 0 else chain[i - 1]
        packed_t_hat += (Point.base_mul(w_hat[i]) + previous * w_prime[i]).encoding
    t_hat = PackedPoints.made_here(bytes(packed_t_hat))
    del packed_t_hat
    c = _challenge(seed, chain, t1, t2, t3, t4, t_hat)
    # the secrets the responses open: r̄ = Σr_j, r̂ = Σr̂_i·v_i (v_i = Π_{l>i} u'_l), r̃ = Σr_j·u_j,
    # R_k = Σr'_{i,k}·u'_i
    v = [Scalar.of(1)] * n
    for i in range(n - 2, -1, -1):
        v[i] = v[i + 1] * u_perm[i + 1]
    r_bar = _scalar_sum(r)
    r_hat_total = _scalar_sum([r_hat[i] * v[i] for i in range(n)])
    r_tilde = _scalar_sum([r[j] * u[j] for j in range(n)])
    big_r = [_scalar_sum([randomness[i][k] * u_perm[i] for i in range(n)]) for k in range(width)]
    return ShuffleProof(
        commitments,
        chain,
        t1,
        t2,
        t3,
        t4,
        t_hat,
        w1 - c * r_bar,
        w2 - c * r_hat_total,
        w3 - c * r_tilde,
        tuple(w4[k] - c * big_r[k] for k in range(width)),
        tuple(w_hat[i] - c * r_hat[i] for i in range(n)),
        tuple(w_prime[i] - c * u_perm[i] for i in range(n)),
    )


def _scalar_sum(values: Sequence[Scalar]) -> Scalar:
    total = Scalar.of(0)
    for x in values:
        total = total + x
    return total


# ---- verifying ----------------------------------------------------------------------------


def verify_shuffle(
    fingerprint: bytes,
    key: Point,
    context: bytes,
    inputs: Sequence[Row],
    outputs: Sequence[Row],
    proof: ShuffleProof,
) -> None:
    """Raise `InvalidProof` unless `proof` shows that `outputs` are `inputs` permuted and
    re-encrypted under `key` (`InvalidEncoding` if the shapes do not match).

    Streamed: the generators H_i, the challenges u_j and the sums of the equations are made
    and added up `VERIFY_CHUNK` ballots at a time, so what is held beyond the rows and the
    proof themselves does not grow with the number of ballots."""
    n, width = len(inputs), _check_rows(inputs, "input")
    if len(outputs) != n or _check_rows(outputs, "output") != width:
        raise InvalidEncoding("a shuffle has as many output ballots as inputs, of the same width")
    if len(proof.commitments) != n or len(proof.chain) != n or len(proof.t_hat) != n:
        raise InvalidEncoding("the shuffle proof is for another number of ballots")
    if len(proof.s_hat) != n or len(proof.s_prime) != n or len(proof.s4) != width or len(proof.t4) != width:
        raise InvalidEncoding("the shuffle proof is for another shape of ballots")
    # a row passed on unchanged (re-encrypted with 0) would let anyone follow it through
    if _shares_an_alpha(inputs, outputs):
        raise InvalidProof("an output ciphertext is an input ciphertext: the mixer did not re-encrypt it")
    seed = _statement(fingerprint, key, context, inputs, outputs, proof.commitments)
    c = _challenge(seed, proof.chain, proof.t1, proof.t2, proof.t3, proof.t4, proof.t_hat)
    h0 = generator(fingerprint, 0)
    u_product = Scalar.of(1)
    sum_c = sum_h = c_tilde = h_weighted = IDENTITY  # Σc_j, ΣH_i, Σu_j·c_j, Σs'_i·H_i
    in_betas, in_alphas = [IDENTITY] * width, [IDENTITY] * width
    out_betas, out_alphas = [IDENTITY] * width, [IDENTITY] * width
    previous, broken = h0, None  # the chain ĉ_{i−1}; the first ballot whose t̂ fails
    for a in range(0, n, VERIFY_CHUNK):
        b = min(n, a + VERIFY_CHUNK)
        h = [generator(fingerprint, i + 1) for i in range(a, b)]
        u = _challenges(seed, b, a)
        commitments = [proof.commitments[j] for j in range(a, b)]
        s_prime = [proof.s_prime[i] for i in range(a, b)]
        for x in u:
            u_product = u_product * x
        sum_c, sum_h = sum_c + _point_sum(commitments), sum_h + _point_sum(h)
        c_tilde = c_tilde + public_weighted_sum(u, commitments)
        h_weighted = h_weighted + public_weighted_sum(s_prime, h)
        _add_column_sums(in_betas, in_alphas, inputs, a, u)
        _add_column_sums(out_betas, out_alphas, outputs, a, s_prime)
        for i in range(a, b):
            if broken is not None:
                break
            chain_i = proof.chain[i]
            expected = Point.base_double_mul(proof.s_hat[i], c, chain_i) + previous * s_prime[i - a]
            if expected != proof.t_hat[i]:
                broken = i
            previous = chain_i
    failed = []
    if Point.base_double_mul(proof.s1, c, sum_c - sum_h) != proof.t1:
        failed.append("t1 (the commitments do not sum to a permutation's)")
    if Point.base_double_mul(proof.s2, c, proof.chain[-1] - h0 * u_product) != proof.t2:
        failed.append("t2 (the chain does not end at the challenges' product)")
    if Point.base_double_mul(proof.s3, c, c_tilde) + h_weighted != proof.t3:
        failed.append("t3 (the commitments do not map the challenges)")
    for k in range(width):
        beta = in_betas[k] * c - key * proof.s4[k] + out_betas[k]
        alpha = in_alphas[k] * c - Point.base_mul(proof.s4[k]) + out_alphas[k]
        if (beta, alpha) != proof.t4[k]:
            failed.append(f"t4 of column {k} (the outputs are not the inputs re-encrypted)")
    if broken is not None:
        failed.append(f"t̂ of ballot {broken} (the chain is broken)")
    if failed:
        raise InvalidProof("the shuffle proof does not verify: " + "; ".join(failed))


def _add_column_sums(
    betas: list[Point], alphas: list[Point], rows: Sequence[Row], start: int, weights: Sequence[Scalar]
) -> None:
    """Add Σ_i w_i·β_{start+i,k} and Σ_i w_i·α_{start+i,k} to column k's sums (public
    weights: a verifier's, one multi-scalar multiplication per column and half)."""
    chunk = [rows[start + i] for i in range(len(weights))]
    for k in range(len(betas)):
        betas[k] = betas[k] + public_weighted_sum(weights, [row[k].beta for row in chunk])
        alphas[k] = alphas[k] + public_weighted_sum(weights, [row[k].alpha for row in chunk])


def _shares_an_alpha(inputs: Sequence[Row], outputs: Sequence[Row]) -> bool:
    """Whether some output ciphertext has the α of some input ciphertext. The first eight
    bytes of every α are compared sorted, as integers (8 bytes per ciphertext, not an object
    each: a large mix holds millions); only the few that agree there are compared whole."""
    import numpy  # here: only a verifier of a mix needs it

    ins, outs = _Alphas(inputs), _Alphas(outputs)
    common = numpy.intersect1d(ins.heads, outs.heads)
    if not len(common):
        return False
    whole = {ins.alpha(k) for k in numpy.flatnonzero(numpy.isin(ins.heads, common))}
    return any(outs.alpha(k) in whole for k in numpy.flatnonzero(numpy.isin(outs.heads, common)))


class _Alphas:
    """Every α of some rows, row by row: as 32-byte encodings, and their first 8 bytes as
    little-endian integers (a view, not a copy, of packed rows' α ‖ β blocks)."""

    def __init__(self, rows: Sequence[Row]) -> None:
        import numpy

        if isinstance(rows, PackedRows):
            self.data, self.stride = rows.data, 64
        else:
            self.data, self.stride = b"".join(ct.alpha.encoding for row in rows for ct in row), 32
        self.heads = numpy.frombuffer(self.data, dtype="<u8").reshape(-1, self.stride // 8)[:, 0]

    def alpha(self, k: int) -> bytes:
        return self.data[self.stride * k : self.stride * k + 32]


def _point_sum(points: Sequence[Point]) -> Point:
    total = IDENTITY
    for p in points:
        total = total + p
    return total
