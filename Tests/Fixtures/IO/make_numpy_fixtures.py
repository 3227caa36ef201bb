#!/usr/bin/env python3
"""One-off generator of the small NPY/NPZ fixtures in this folder, written by numpy itself so the
tests check s2m's reader against the reference implementation. Needs numpy; run from this folder:

    python3 make_numpy_fixtures.py

The values here are repeated in Tests/S2MCoreTests/IONumpyFixtureTests.swift; change both together.
"""
import io
import numpy as np

# Values per dtype kind (shape (2, 3)); each is exactly representable in every size of its kind
# except where the Swift test rounds the same way (Float(value)).
FLOATS = [0.0, 0.5, -1.25, 3.75, 1000.0, -0.0009765625]
SIGNED = {1: [0, 1, -1, 127, -128, 42], 2: [0, 1, -1, 32767, -32768, 300],
          4: [0, 1, -1, 2147483647, -2147483648, 70000], 8: [0, 1, -1, 2**63 - 1, -2**63, 2**40 + 3]}
UNSIGNED = {1: [0, 1, 2, 255, 128, 7], 2: [0, 1, 65535, 256, 1000, 7],
            4: [0, 1, 4294967295, 65536, 16777217, 7], 8: [0, 1, 2**64 - 1, 2**53 + 1, 2**32, 7]}
BOOLS = [True, False, True, True, False, False]

arrays = {}
for order_char, order_name in (("<", "le"), (">", "be")):
    for kind, sizes in (("f", (2, 4, 8)), ("i", (1, 2, 4, 8)), ("u", (1, 2, 4, 8)), ("b", (1,))):
        for size in sizes:
            if kind == "f":
                values = FLOATS
            elif kind == "i":
                values = SIGNED[size]
            elif kind == "u":
                values = UNSIGNED[size]
            else:
                values = BOOLS
            dtype = np.dtype(f"{order_char}{kind}{size}" if kind != "b" else "?")
            if size == 1 and order_name == "be":
                continue  # byte order does not apply to 1-byte types
            a = np.array(values, dtype=dtype).reshape(2, 3)
            arrays[f"{order_name}_{kind}{size}_C"] = a
            arrays[f"{order_name}_{kind}{size}_F"] = np.asfortranarray(a)
# A 3-D Fortran array: value = 100 * i + 10 * j + k at index (i, j, k).
cube = np.fromfunction(lambda i, j, k: 100 * i + 10 * j + k, (2, 3, 4), dtype=np.float32)
arrays["cube_F"] = np.asfortranarray(cube)
np.savez("numpy_all_dtypes.npz", **arrays)

# One score map (3, 4) in each NPY format version.
scores = (np.arange(12, dtype=np.float32).reshape(3, 4) / 11.0).astype(np.float32)
for version in ((1, 0), (2, 0), (3, 0)):
    with open(f"numpy_scores_v{version[0]}.npy", "wb") as f:
        np.lib.format.write_array(f, scores, version=version)
# S2M's own score format: savez_compressed with the positional name arr_0 (deflated member).
np.savez_compressed("numpy_scores_compressed.npz", scores)
# Two named arrays, no arr_0: readers must ask which one.
np.savez("numpy_two_arrays.npz", first=scores, second=scores * 2)
