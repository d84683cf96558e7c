"""The two group backends, libsodium and libdecaf, held to the same bytes (DESIGN §2).

The binding-level tests compare the two libraries operation by operation on random inputs
and on RFC 9496's vectors. The last test runs the whole algebra suite (group, proofs,
ballots, spec vectors) again in a fresh process on the backend this process is not using."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vecha.crypto import _decaf, _sodium
from vecha.crypto.group import ORDER, Point, Scalar, backend, use_backend

VECTORS = json.loads((Path(__file__).parents[1] / "vectors" / "ristretto255.json").read_text())

if not _decaf.available():
    if os.environ.get("VECHA_REQUIRE_LIBDECAF"):
        pytest.fail("VECHA_REQUIRE_LIBDECAF is set but libdecaf is not installed", pytrace=False)
    pytest.skip("libdecaf is not installed (apt-get install libdecaf0)", allow_module_level=True)

scalars = st.integers(min_value=0, max_value=ORDER - 1).map(lambda n: n.to_bytes(32, "little"))
nonzero = st.integers(min_value=1, max_value=ORDER - 1).map(lambda n: n.to_bytes(32, "little"))


def sodium_point(n: bytes) -> bytes:
    return _sodium.scalarmult_base(n)


def decaf_point(data: bytes) -> _decaf.Handle:
    h = _decaf.decode(data)
    assert h is not None
    return h


@given(nonzero, nonzero, scalars)
def test_operations_agree(a: bytes, b: bytes, n: bytes) -> None:
    p, q = sodium_point(a), sodium_point(b)
    assert _decaf.encode(_decaf.base_mul(a)) == p
    assert _decaf.encode(_decaf.add(decaf_point(p), decaf_point(q))) == _sodium.point_add(p, q)
    assert _decaf.encode(_decaf.sub(decaf_point(p), decaf_point(q))) == _sodium.point_sub(p, q)
    product = _decaf.encode(_decaf.mul(decaf_point(p), n))
    assert product == (_sodium.scalarmult(n, p) if int.from_bytes(n, "little") else bytes(32))


@given(scalars, scalars, nonzero)
def test_double_multiplications_agree(a: bytes, b: bytes, c: bytes) -> None:
    q = Point.base_mul(Scalar.from_canonical_bytes(c))
    x, y = Scalar.from_canonical_bytes(a), Scalar.from_canonical_bytes(b)
    expected = (Point.base_mul(x) + q * y).encoding
    assert _decaf.encode(_decaf.base_double_mul(a, decaf_point(q.encoding), b)) == expected
    p = Point.base_mul(Scalar.of(7))
    expected = (p * x + q * y).encoding
    assert _decaf.encode(_decaf.double_mul(decaf_point(p.encoding), a, decaf_point(q.encoding), b)) == expected


@given(nonzero, scalars)
def test_variable_time_multiples_agree(a: bytes, n: bytes) -> None:
    p = sodium_point(a)
    product = _decaf.encode(_decaf.public_mul(decaf_point(p), n))
    assert product == (_sodium.scalarmult(n, p) if int.from_bytes(n, "little") else bytes(32))
    assert _decaf.encode(_decaf.public_mul(decaf_point(p), bytes(32))) == bytes(32)


@given(nonzero, scalars)
def test_multiples_from_a_precomputed_table_agree(a: bytes, n: bytes) -> None:
    p = sodium_point(a)
    table = _decaf.precompute(decaf_point(p))
    product = _decaf.encode(_decaf.table_mul(table, n))
    assert product == (_sodium.scalarmult(n, p) if int.from_bytes(n, "little") else bytes(32))
    assert int(_decaf._ffi.cast("uintptr_t", table.ptr)) % _decaf._lib().decaf_255_alignof_precomputed_s == 0


@given(st.binary(min_size=32, max_size=32))
def test_decoding_agrees(data: bytes) -> None:
    assert (_decaf.decode(data) is not None) == _sodium.is_valid_point(data)


@given(st.binary(min_size=64, max_size=64))
def test_hash_to_point_agrees(data: bytes) -> None:
    assert _decaf.encode(_decaf.from_hash(data)) == _sodium.point_from_hash(data)


def test_rfc9496_vectors_on_libdecaf() -> None:
    for k, hex_point in enumerate(VECTORS["multiples_of_generator"]):
        expected = bytes.fromhex(hex_point)
        got = _decaf.encode(_decaf.base_mul(k.to_bytes(32, "little"))) if k else bytes(32)
        assert got == expected, k
        assert _decaf.decode(expected) is not None
    for why, encodings in VECTORS["invalid_encodings"].items():
        for bad in encodings:
            assert _decaf.decode(bytes.fromhex(bad)) is None, why
    for uniform, expected in VECTORS["from_uniform_bytes"]:
        assert _decaf.encode(_decaf.from_hash(bytes.fromhex(uniform))) == bytes.fromhex(expected)


def test_handles_are_aligned_for_vector_instructions() -> None:
    for _ in range(50):
        h = _decaf.base_mul(os.urandom(31) + b"\x00")
        assert int(_decaf._ffi.cast("uintptr_t", h.ptr)) % 32 == 0


@pytest.mark.slow
def test_the_algebra_suite_passes_on_the_other_backend() -> None:
    other = "libsodium" if backend() == "libdecaf" else "libdecaf"
    root = Path(__file__).parents[2]
    suite = ["tests/unit/test_group.py", "tests/property", "tests/vectors", "tests/unit/test_trustees.py"]
    env = {**os.environ, "VECHA_BACKEND": other}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:randomly", "-p", "no:cacheprovider", *suite],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert " passed" in run.stdout and " failed" not in run.stdout


def _backend_in_worker() -> str:
    return backend()


def test_the_backend_is_chosen_at_the_edge_and_travels_to_workers() -> None:
    """crypto/ reads no environment: a process that only imports it takes the default even
    with VECHA_BACKEND set; the CLI's `apply_environment` is what reads it; worker processes
    take their parent's choice."""
    from vecha.environment import apply_environment
    from vecha.errors import BackendUnavailable
    from vecha.workers import process_pool

    root = Path(__file__).parents[2]
    default = subprocess.run(
        [sys.executable, "-c", "from vecha.crypto.group import backend; print(backend())"],
        cwd=root,
        env={**os.environ, "VECHA_BACKEND": "libsodium"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert default == ("libdecaf" if _decaf.available() else "libsodium")

    before = backend()
    try:
        apply_environment({"VECHA_BACKEND": "libsodium"})
        assert backend() == "libsodium"
        g = Point.base_mul(Scalar.of(7))
        with process_pool(1) as pool:
            assert pool.submit(_backend_in_worker).result() == "libsodium"
        with pytest.raises(BackendUnavailable, match="unknown group backend 'libdeacf'"):
            use_backend("libdeacf")
        assert backend() == "libsodium"  # a refused choice changes nothing
        if _decaf.available():
            use_backend("libdecaf")
            assert Point.base_mul(Scalar.of(7)) == g and g + g == Point.base_mul(Scalar.of(14))
    finally:
        use_backend(before)


def test_an_unknown_backend_is_one_line_from_the_cli(capsys: pytest.CaptureFixture[str]) -> None:
    from vecha.cli.main import main

    before = backend()
    os.environ["VECHA_BACKEND"] = "gpu"
    try:
        assert main(["--help"]) == 1
    finally:
        del os.environ["VECHA_BACKEND"]
        use_backend(before)
    assert capsys.readouterr().err.strip() == "error: unknown group backend 'gpu': expected one of libdecaf, libsodium"
