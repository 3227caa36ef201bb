#!/usr/bin/env python3
"""OpenCV's GrabCut on the boxes s2m-bench gives it (the comparison of issue 3).

Run by `s2m-bench grabcut-opencv` and `s2m-bench s2m-speed`; not part of the product. On first use
it creates a virtual environment (--venv, default .build/bench-venv) and installs
opencv-python-headless and numpy there, then re-runs itself inside it.

  grabcut_opencv.py --job JOB.json --out DIR [--venv DIR]

JOB.json: {"mode": "boxes" | "pipeline", "iterations": 5, "rounds": 1,
           "frames": [{"stem": ..., "image": path, "boxes": [[x0, y0, x1, y1], ...],
                       "confidences": [...]}]}
mode "boxes": one cv2.grabCut(GC_INIT_WITH_RECT) per box; writes DIR/<stem>_<k>.npy, the box crop
of the object mask (uint8 0/1, box height x width), and DIR/results.json with the seconds per box.
mode "pipeline": per frame, every box segmented and the masks painted into a float32 confidence
map in descending confidence (the paper's order: lower confidence wins overlaps); the seconds per
frame per round go to DIR/results.json. OpenCV runs on one thread (cv2.setNumThreads(1)).
"""
import argparse
import json
import os
import subprocess
import sys
import time


def ensure_environment(venv):
    try:
        import cv2  # noqa: F401
        import numpy  # noqa: F401
        return
    except ImportError:
        pass
    if os.environ.get("S2M_BENCH_VENV_ACTIVE"):
        sys.exit("grabcut_opencv.py: opencv-python-headless is still missing inside " + venv)
    python = os.path.join(venv, "bin", "python")
    if not os.path.exists(python):
        print(f"grabcut_opencv.py: creating {venv} with opencv-python-headless and numpy", file=sys.stderr)
        subprocess.check_call([sys.executable, "-m", "venv", venv])
        subprocess.check_call([python, "-m", "pip", "install", "-q", "opencv-python-headless", "numpy"])
    env = dict(os.environ, S2M_BENCH_VENV_ACTIVE="1")
    os.execve(python, [python] + sys.argv, env)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--job", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--venv", default=".build/bench-venv")
    args = parser.parse_args()
    ensure_environment(args.venv)
    import cv2
    import numpy as np

    cv2.setNumThreads(1)
    with open(args.job) as f:
        job = json.load(f)
    iterations = int(job.get("iterations", 5))
    rounds = int(job.get("rounds", 1))
    os.makedirs(args.out, exist_ok=True)
    results = {"opencv": cv2.__version__, "frames": []}
    for frame in job["frames"]:
        image = cv2.imread(frame["image"], cv2.IMREAD_COLOR)
        if image is None:
            sys.exit(f"grabcut_opencv.py: cannot read {frame['image']}")
        h, w = image.shape[:2]
        boxes = [[int(v) for v in b] for b in frame["boxes"]]

        def segment(box):
            x0, y0, x1, y1 = box
            mask = np.zeros((h, w), np.uint8)
            bgd = np.zeros((1, 65), np.float64)
            fgd = np.zeros((1, 65), np.float64)
            if x1 - x0 < 2 or y1 - y0 < 2:
                return mask
            cv2.grabCut(image, mask, (x0, y0, x1 - x0, y1 - y0), bgd, fgd, iterations, cv2.GC_INIT_WITH_RECT)
            return ((mask == cv2.GC_FGD) | (mask == cv2.GC_PR_FGD)).astype(np.uint8)

        if job["mode"] == "boxes":
            seconds = []
            for k, box in enumerate(boxes):
                t0 = time.perf_counter()
                mask = segment(box)
                seconds.append(time.perf_counter() - t0)
                x0, y0, x1, y1 = box
                np.save(os.path.join(args.out, f"{frame['stem']}_{k}.npy"), mask[y0:y1, x0:x1])
            results["frames"].append({"stem": frame["stem"], "seconds": seconds})
        else:
            confidences = frame["confidences"]
            order = sorted(range(len(boxes)), key=lambda i: (-confidences[i], i))
            per_round = []
            for _ in range(rounds):
                t0 = time.perf_counter()
                confidence = np.zeros((h, w), np.float32)
                for i in order:
                    confidence[segment(boxes[i]) > 0] = confidences[i]
                per_round.append(time.perf_counter() - t0)
            results["frames"].append({"stem": frame["stem"], "seconds": per_round})
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump(results, f)


if __name__ == "__main__":
    main()
