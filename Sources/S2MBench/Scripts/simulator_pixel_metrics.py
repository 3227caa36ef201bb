#!/usr/bin/env python3
"""Pixel-level AP, AUROC and FPR95 of simulated score maps over RoadAnomaly frames, pooled over
all pixels (SMIYC definitions: AP = sum (r_i - r_{i-1}) p_i over thresholds from high to low;
FPR95 = false-positive rate at the first threshold where TPR >= 0.95; AUROC = trapezoid area).
Used to check the simulator's defaults against published detectors (docs/simulator.md).
Needs numpy only (labels are decoded here with zlib).

    swift run -c release s2m simulate --road-anomaly ../shared/data/road_anomaly --out-dir /tmp/sim
    python3 Sources/S2MBench/Scripts/simulator_pixel_metrics.py ../shared/data/road_anomaly /tmp/sim
"""
import glob
import os
import struct
import sys
import zlib

import numpy as np


def read_gray_png(path):
    """Decodes a non-interlaced 8-bit grayscale PNG (what RoadAnomaly's labels_semantic.png are)."""
    data = open(path, "rb").read()
    pos, idat = 8, b""
    while pos < len(data):
        n = struct.unpack(">I", data[pos:pos + 4])[0]
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]
        pos += 12 + n
        if kind == b"IHDR":
            w, h, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or color != 0 or interlace != 0:
                sys.exit(f"{path}: expected 8-bit gray non-interlaced PNG")
        elif kind == b"IDAT":
            idat += body
    raw = np.frombuffer(zlib.decompress(idat), np.uint8).reshape(h, w + 1)
    out = np.zeros((h, w), np.int32)
    prev = np.zeros(w, np.int32)
    for y in range(h):
        f, line = raw[y, 0], raw[y, 1:].astype(np.int32)
        if f == 0:
            cur = line
        elif f == 2:
            cur = (line + prev) & 255
        else:  # Sub, Average, Paeth: sequential along the row
            cur = np.zeros(w, np.int32)
            for x in range(w):
                a = cur[x - 1] if x else 0
                b, c = prev[x], (prev[x - 1] if x else 0)
                if f == 1:
                    p = a
                elif f == 3:
                    p = (a + b) // 2
                else:
                    pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                    p = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                cur[x] = (line[x] + p) & 255
        out[y] = cur
        prev = cur
    return out


def main():
    root, scores_dir = sys.argv[1], sys.argv[2]
    ood = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    all_scores, all_truth = [], []
    for path in sorted(glob.glob(os.path.join(scores_dir, "*.npy"))):
        name = os.path.basename(path)[:-4]
        label = os.path.join(root, "frames", name + ".labels", "labels_semantic.png")
        all_scores.append(np.load(path).astype(np.float64).ravel())
        all_truth.append((read_gray_png(label) == ood).ravel())
    s, g = np.concatenate(all_scores), np.concatenate(all_truth)
    order = np.argsort(-s, kind="stable")
    s, g = s[order], g[order]
    tp, fp = np.cumsum(g), np.cumsum(~g)
    last = np.r_[np.nonzero(np.diff(s))[0], len(s) - 1]  # one point per distinct threshold
    tpr, fpr = tp[last] / g.sum(), fp[last] / (~g).sum()
    precision = tp[last] / (last + 1)
    ap = np.sum(np.diff(np.r_[0, tpr]) * precision)
    auroc = np.trapezoid(np.r_[0, tpr], np.r_[0, fpr])
    fpr95 = fpr[np.argmax(tpr >= 0.95)]
    print(f"frames {len(all_scores)}  pixels {len(s)}  AP {ap:.3f}  AUROC {auroc:.3f}  FPR95 {fpr95:.3f}")


if __name__ == "__main__":
    main()
