"""Build `vecha.crypto._msm`, the multi-scalar multiplication in C over libdecaf (`msm.c`),
next to this file: `python -m vecha.crypto._msm_build` (the set-up script runs it where
libdecaf's headers are installed: Debian's `libdecaf-dev`). Without it,
`public_weighted_sum` takes the pure path, two terms per double-scalar multiplication."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from cffi import FFI, VerificationError

HERE = Path(__file__).resolve().parent
HEADERS = Path("/usr/include/decaf")  #: where Debian's libdecaf-dev puts <decaf/point_255.h>


def builder() -> FFI:
    ffi = FFI()
    ffi.cdef(
        "int vecha_msm(uintptr_t out, const uintptr_t *points, const uint8_t *scalars, size_t n);\n"
        "long vecha_decode_many(uintptr_t out, const uint8_t *encodings, size_t n);\n"
        "void vecha_sum(uintptr_t out, const uintptr_t *points, size_t n);\n"
        "size_t vecha_point_size(void);"
    )
    ffi.set_source(
        "vecha.crypto._msm",
        (HERE / "msm.c").read_text(),
        include_dirs=[str(HEADERS)],
        libraries=["decaf"],
        extra_compile_args=["-O2", "-Wall"],
    )
    return ffi


def main() -> int:
    if not (HEADERS / "decaf" / "point_255.h").is_file():
        print(f"libdecaf's headers are not in {HEADERS} (Debian: apt-get install libdecaf-dev)", file=sys.stderr)
        return 1
    # built in a temporary directory, then moved into place in one rename: a process that has
    # the old module loaded (a verifier, a box) keeps its copy intact
    with tempfile.TemporaryDirectory(dir=HERE) as tmp:
        try:
            built = Path(builder().compile(tmpdir=tmp, verbose=False))
        except VerificationError as e:
            print(f"the multi-scalar multiplication did not build: {e}", file=sys.stderr)
            return 1
        os.replace(built, HERE / built.name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
