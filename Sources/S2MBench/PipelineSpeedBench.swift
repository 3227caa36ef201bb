import ArgumentParser
import Foundation
import S2MCore

/// `s2m-bench s2m-speed`: the whole pipeline (prompts + segmentation + confidence map) on the
/// shared 1280x720 frames: median wall time per frame (target <= 0.5 s on the 2-core machine),
/// and the ratio to the OpenCV-based variant of the same pipeline (the same prompts segmented by
/// cv2.grabCut and painted with numpy).
struct PipelineSpeedBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "s2m-speed",
        abstract: "Whole-pipeline time per 1280x720 frame (median), and the ratio to an OpenCV-based variant.")

    @Option(help: "The shared RoadAnomaly folder.")
    var data = PipelineBenchSupport.defaultData

    @Option(help: "Timed runs of our pipeline per frame (after one warm-up run).")
    var rounds = 3

    @Option(help: "Timed runs of the OpenCV variant per frame (it takes seconds per box).")
    var opencvRounds = 1

    @Option(help: "Python interpreter for the OpenCV helper.")
    var python = "python3"

    @Flag(name: .customLong("skip-opencv"), help: "Skip the OpenCV variant.")
    var skipOpenCV = false

    func run() throws {
        let frames = try PipelineBenchSupport.frames(data)
        let scores = try frames.map { try PipelineBenchSupport.simulatedScores($0) }
        print("\(frames.count) frames of \(frames[0].image.size), simulated scores (s2m simulate defaults, seed 0), \(ProcessInfo.processInfo.activeProcessorCount) cores")
        var promptSeconds: [String: Double] = [:]
        var promptsOf: [String: [Prompt]] = [:]
        var rows: [(name: String, perFrame: [Double], all: [Double])] = []
        var cpuPerRun: [String: Double] = [:]
        for threads in [ProcessInfo.processInfo.activeProcessorCount, 1] {
            let pipeline = S2MPipeline(generator: ComponentTreeGenerator(), segmenter: GrabCutSegmenter(), jobs: threads)
            var perFrame: [Double] = [], all: [Double] = []
            var cpu = 0.0
            for (f, s) in zip(frames, scores) {
                _ = try pipeline.run(image: f.image, scores: s)   // warm-up
                let cpu0 = PipelineBenchSupport.processCPUSeconds
                defer { cpu += PipelineBenchSupport.processCPUSeconds - cpu0 }
                var times: [Double] = []
                for _ in 0..<rounds {
                    let (r, t) = try PipelineBenchSupport.time { try pipeline.run(image: f.image, scores: s) }
                    times.append(t)
                    promptSeconds[f.stem] = min(promptSeconds[f.stem] ?? .infinity, r.promptSeconds)
                    promptsOf[f.stem] = r.prompts
                }
                perFrame.append(PipelineBenchSupport.median(times))
                all += times
            }
            let name = "ours, \(threads) thread\(threads == 1 ? "" : "s")"
            cpuPerRun[name] = cpu / Double(frames.count * rounds)
            rows.append((name, perFrame, all))
        }

        if !skipOpenCV {
            let scratch = try PipelineBenchSupport.scratch("s2m-speed")
            let job: [String: Any] = [
                "mode": "pipeline", "iterations": 5, "rounds": opencvRounds,
                "frames": frames.map { f in
                    let ps = promptsOf[f.stem]!.filter { $0.box != nil }
                    return ["stem": f.stem, "image": f.imagePath,
                            "boxes": ps.map { p -> [Int] in
                                let b = p.box!
                                return [Int(b.x0.rounded(.down)), Int(b.y0.rounded(.down)), Int(b.x1.rounded(.up)), Int(b.y1.rounded(.up))]
                            },
                            "confidences": ps.map(\.confidence)] as [String: Any]
                },
            ]
            let jobPath = (scratch as NSString).appendingPathComponent("job.json")
            try JSONSerialization.data(withJSONObject: job).write(to: URL(fileURLWithPath: jobPath))
            print("running the OpenCV variant (\(promptsOf.values.map(\.count).reduce(0, +)) boxes, \(opencvRounds) round\(opencvRounds == 1 ? "" : "s")) ...")
            try PipelineBenchSupport.runPython(python, script: "grabcut_opencv.py", arguments: ["--job", jobPath, "--out", scratch])
            let resultData = try Data(contentsOf: URL(fileURLWithPath: (scratch as NSString).appendingPathComponent("results.json")))
            guard let results = try JSONSerialization.jsonObject(with: resultData) as? [String: Any],
                  let resultFrames = results["frames"] as? [[String: Any]] else {
                throw S2MError(file: "results.json", .corrupt("unexpected OpenCV helper output"))
            }
            var perFrame: [Double] = [], all: [Double] = []
            for f in frames {
                guard let r = resultFrames.first(where: { $0["stem"] as? String == f.stem }), let times = r["seconds"] as? [Double] else {
                    throw S2MError(file: "results.json", .invalid("no OpenCV result for \(f.stem)"))
                }
                // The same prompts: our generator's time is added to OpenCV's segmentation + painting.
                let withPrompts = times.map { $0 + promptSeconds[f.stem]! }
                perFrame.append(PipelineBenchSupport.median(withPrompts))
                all += withPrompts
            }
            rows.append(("OpenCV \(results["opencv"] as? String ?? "?") variant, 1 thread", perFrame, all))
        }

        print("")
        print("pipeline                              median s/frame   mean s/frame   max s/frame   CPU s/frame")
        for r in rows {
            let cpu = cpuPerRun[r.name].map { String(format: "%.3f", $0) } ?? "-"
            print(PipelineBenchSupport.pad(r.name, 38) + String(format: " %.3f            %.3f          %.3f         ",
                                                                PipelineBenchSupport.median(r.all), PipelineBenchSupport.mean(r.all), r.all.max() ?? .nan) + cpu)
        }
        let ours = PipelineBenchSupport.median(rows[0].all)
        print("")
        print(String(format: "target: <= 0.5 s median per 1280x720 frame: %.3f s (%@)", ours, (ours <= 0.5 ? "met" : "MISSED") as NSString))
        if rows.count == 3 {
            print(String(format: "OpenCV variant / ours (medians): %.1fx (same prompts; ours on %d threads), %.1fx with ours on 1 thread",
                         PipelineBenchSupport.median(rows[2].all) / ours, ProcessInfo.processInfo.activeProcessorCount,
                         PipelineBenchSupport.median(rows[2].all) / PipelineBenchSupport.median(rows[1].all)))
        }
        print("")
        print("per frame (median s): " + zip(frames, rows[0].perFrame).map { String(format: "%@ %.2f", String($0.stem.prefix(12)) as NSString, $1) }.joined(separator: ", "))
        let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "?"
        print("load average at the end: \(load) (other processes on the machine slow every figure)")
    }
}
