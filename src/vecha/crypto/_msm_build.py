"""Build `vecha.crypto._msm`, the multi-scalar multiplication in C over libdecaf (`msm.c`),
next to this file: `python -m vecha.crypto._msm_build` (the set-up script runs it where
libdecaf's headers are installed: Debian's `libdecaf-dev`). Without it,
`public_weighted_sum` takes the pure path, two terms per double-scalar multiplication."""

from __future__ import annotations

import sys
from pathlib import Path

from cffi import FFI, VerificationError

HERE = Path(__file__).resolve().parent
HEADERS = Path("/usr/include/decaf")  #: where Debian's libdecaf-dev puts <decaf/point_255.h>


def builder() -> FFI:
    ffi = FFI()
    ffi.cdef(
        "int vecha_msm(uintptr_t out, const uintptr_t *points, const uint8_t *scalars, size_t n);\n"
        "long vecha_decode_many(uintptr_t out, const uint8_t *encodings, size_t n);\n"
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
    # built in a temporary directory under the package's parent, the module landing in place
    try:
        builder().compile(tmpdir=str(HERE.parent.parent), verbose=False)
    except VerificationError as e:
        print(f"the multi-scalar multiplication did not build: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
