import ArgumentParser
import Foundation
import S2MCore

/// `s2m-bench grabcut-opencv`: our GrabCut against OpenCV's `cv2.grabCut` on the same boxes of the
/// 12 shared frames: mean IoU against the ground truth inside each box, and time per box.
/// Ours must be at least as accurate with the score term off, better with it on, and faster.
struct GrabCutOpenCVBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grabcut-opencv",
        abstract: "GrabCut (ours, scores off and on) vs OpenCV cv2.grabCut on ground-truth boxes of the shared frames.",
        discussion: """
            Boxes: every 8-connected ground-truth object of at least --min-area pixels, its tight box \
            grown by 10% of its size on each side (at least 4 px), clipped to the image. IoU is \
            measured inside the box (prediction vs ground truth there). Both run 5 iterations on one \
            thread; OpenCV through Sources/S2MBench/Scripts/grabcut_opencv.py (which installs \
            opencv-python-headless into .build/bench-venv on first use).
            """)

    @Option(help: "The shared RoadAnomaly folder.")
    var data = PipelineBenchSupport.defaultData

    @Option(help: "Smallest ground-truth object boxed, in pixels.")
    var minArea = 200

    @Option(help: "Python interpreter for the OpenCV helper.")
    var python = "python3"

    @Flag(name: .customLong("skip-opencv"), help: "Skip OpenCV (ours only).")
    var skipOpenCV = false

    @Flag(name: .customLong("full-resolution"), help: "Add a row: ours with scores off and no shrinking of large boxes (max-working-pixels 0).")
    var fullResolution = false

    func run() throws {
        let frames = try PipelineBenchSupport.frames(data)
        var boxesOf: [String: [Box]] = [:]
        for f in frames {
            let cc = try ConnectedComponents(mask: f.truth).removingComponents(smallerThan: minArea)
            boxesOf[f.stem] = cc.components.map { c in
                let b = c.box
                let mx = max(4, 0.1 * b.width), my = max(4, 0.1 * b.height)
                let g = Box(x0: b.x0 - mx, y0: b.y0 - my, x1: b.x1 + mx, y1: b.y1 + my)
                    .clamped(width: f.image.width, height: f.image.height)
                return Box(x0: g.x0.rounded(.down), y0: g.y0.rounded(.down), x1: g.x1.rounded(.up), y1: g.y1.rounded(.up))
            }
        }
        let boxCount = boxesOf.values.map(\.count).reduce(0, +)
        print("\(frames.count) frames, \(boxCount) boxes (ground-truth objects >= \(minArea) px, +10% margin)")

        // Ours: score term off (no scores given) and on (simulated scores, s2m simulate defaults).
        var off = GrabCutParameters()
        off.scoreWeight = 0
        var rows: [(name: String, ious: [Double], seconds: [Double])] = []
        var variants = [("ours, scores off", off, false), ("ours, scores on", GrabCutParameters(), true)]
        if fullResolution {
            var full = off
            full.maxWorkingPixels = 0
            variants.append(("ours, scores off, full res.", full, false))
        }
        for (name, parameters, useScores) in variants {
            var ious: [Double] = [], seconds: [Double] = []
            for f in frames {
                let scores = useScores ? try PipelineBenchSupport.simulatedScores(f) : nil
                let (session, prepare) = try PipelineBenchSupport.time {
                    try GrabCutSegmenter(parameters: parameters).prepare(image: f.image, scores: scores)
                }
                let boxes = boxesOf[f.stem]!
                for b in boxes {
                    let (s, t) = try PipelineBenchSupport.time { try session.segment(Prompt(box: b, confidence: 1, source: "gt")) }
                    ious.append(PipelineBenchSupport.iou(s.mask, f.truth, in: b))
                    seconds.append(t + prepare / Double(boxes.count))  // per-image preparation shared out
                }
            }
            rows.append((name, ious, seconds))
        }

        if !skipOpenCV {
            let scratch = try PipelineBenchSupport.scratch("grabcut-opencv")
            let job: [String: Any] = [
                "mode": "boxes", "iterations": 5,
                "frames": frames.map { f in
                    ["stem": f.stem, "image": f.imagePath,
                     "boxes": boxesOf[f.stem]!.map { [Int($0.x0), Int($0.y0), Int($0.x1), Int($0.y1)] }] as [String: Any]
                },
            ]
            let jobPath = (scratch as NSString).appendingPathComponent("job.json")
            try JSONSerialization.data(withJSONObject: job).write(to: URL(fileURLWithPath: jobPath))
            print("running OpenCV (\(python) \(PipelineBenchSupport.scriptsFolder)/grabcut_opencv.py) ...")
            try PipelineBenchSupport.runPython(python, script: "grabcut_opencv.py", arguments: ["--job", jobPath, "--out", scratch])
            let resultData = try Data(contentsOf: URL(fileURLWithPath: (scratch as NSString).appendingPathComponent("results.json")))
            guard let results = try JSONSerialization.jsonObject(with: resultData) as? [String: Any],
                  let resultFrames = results["frames"] as? [[String: Any]] else {
                throw S2MError(file: "results.json", .corrupt("unexpected OpenCV helper output"))
            }
            var ious: [Double] = [], seconds: [Double] = []
            for f in frames {
                guard let r = resultFrames.first(where: { $0["stem"] as? String == f.stem }),
                      let times = r["seconds"] as? [Double] else {
                    throw S2MError(file: "results.json", .invalid("no OpenCV result for \(f.stem)"))
                }
                for (k, b) in boxesOf[f.stem]!.enumerated() {
                    let crop = try ScoreReader.read((scratch as NSString).appendingPathComponent("\(f.stem)_\(k).npy"))
                    var mask = Mask(width: f.image.width, height: f.image.height, repeating: false)
                    for y in 0..<crop.height { for x in 0..<crop.width where crop[x, y] > 0 { mask[Int(b.x0) + x, Int(b.y0) + y] = true } }
                    ious.append(PipelineBenchSupport.iou(mask, f.truth, in: b))
                }
                seconds += times
            }
            rows.append(("OpenCV \(results["opencv"] as? String ?? "?") cv2.grabCut", ious, seconds))
        }

        print("")
        print("method                          boxes   mean IoU   median s/box   mean s/box   total s")
        for r in rows {
            print(PipelineBenchSupport.pad(r.name, 32) + String(format: " %5d   %.4f     %.4f         %.4f       %.2f", r.ious.count,
                                                                PipelineBenchSupport.mean(r.ious), PipelineBenchSupport.median(r.seconds),
                                                                PipelineBenchSupport.mean(r.seconds), r.seconds.reduce(0, +)))
        }
        if !skipOpenCV {
            let cv = rows[rows.count - 1], offRow = rows[0], onRow = rows[1]
            let speed = cv.seconds.reduce(0, +) / offRow.seconds.reduce(0, +)
            print("")
            print(String(format: "scores off vs OpenCV: IoU %.4f vs %.4f (%@), %.1fx faster (total time)",
                         PipelineBenchSupport.mean(offRow.ious), PipelineBenchSupport.mean(cv.ious),
                         (PipelineBenchSupport.mean(offRow.ious) >= PipelineBenchSupport.mean(cv.ious) ? "at least as accurate" : "LESS accurate") as NSString, speed))
            print(String(format: "scores on  vs OpenCV: IoU %.4f vs %.4f (%@), %.1fx faster (total time)",
                         PipelineBenchSupport.mean(onRow.ious), PipelineBenchSupport.mean(cv.ious),
                         (PipelineBenchSupport.mean(onRow.ious) > PipelineBenchSupport.mean(cv.ious) ? "better" : "NOT better") as NSString,
                         cv.seconds.reduce(0, +) / onRow.seconds.reduce(0, +)))
        }
    }
}
