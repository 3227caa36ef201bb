import Foundation
import S2MCore

/// Shared pieces of the pipeline benchmarks (s2m-quality, grabcut-opencv, s2m-speed): the 12
/// shared RoadAnomaly frames, their simulated scores, timing, and running the Python helpers.
enum PipelineBenchSupport {
    /// The shared frames, relative to the package root where benchmarks run.
    static let defaultData = "../shared/data/road_anomaly"

    /// One frame: photo, ground truth (OoD = 2 in RoadAnomaly labels) and its stem.
    struct Frame {
        var stem: String
        var imagePath: String
        var labelPath: String
        var image: RGBImage
        var truth: Mask
    }

    /// The frames of a RoadAnomaly folder (`frames/<name>.jpg`, `frames/<name>.labels/labels_semantic.png`), sorted by name.
    static func frames(_ root: String) throws -> [Frame] {
        let folder = (root as NSString).appendingPathComponent("frames")
        guard FileManager.default.fileExists(atPath: folder) else {
            throw S2MError(file: folder, .invalid("not found: the benchmarks need the shared RoadAnomaly frames (--data DIR)"))
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".jpg") }.sorted()
        return try names.map { name in
            let stem = String(name.dropLast(4))
            let imagePath = (folder as NSString).appendingPathComponent(name)
            let labelPath = (folder as NSString).appendingPathComponent("\(stem).labels/labels_semantic.png")
            let loaded = try InputCase.load(image: imagePath, label: labelPath)
            return Frame(stem: stem, imagePath: imagePath, labelPath: labelPath, image: loaded.image,
                         truth: LabelEncoding.roadAnomaly.oodMask(loaded.label!))
        }
    }

    /// The scores `s2m simulate --road-anomaly DIR --out-dir OUT` writes for a frame (simulator
    /// defaults, seed 0, the frame's own stream), computed in-process with the same library call.
    static func simulatedScores(_ frame: Frame, seed: UInt64 = 0) throws -> ScoreMap {
        let labels = frame.truth.map { $0 ? UInt16(2) : 0 }
        return try DetectorSimulator().scores(image: frame.image, labels: labels, encoding: .roadAnomaly,
                                              seed: SeededGenerator.seed(seed, name: frame.stem))
    }

    /// Writes simulated scores for every frame into `folder` as `<stem>.npy` (float32), as the CLI does.
    static func writeSimulatedScores(_ frames: [Frame], to folder: String) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for f in frames {
            try NPYWriter.write(try simulatedScores(f), to: (folder as NSString).appendingPathComponent("\(f.stem).npy"))
        }
    }

    /// Wall-clock seconds of `body`.
    static func time<T>(_ body: () throws -> T) rethrows -> (T, Double) {
        let start = DispatchTime.now().uptimeNanoseconds
        let value = try body()
        return (value, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }

    /// CPU seconds used by the calling thread so far.
    static var threadCPUSeconds: Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    /// CPU seconds (user + system, all threads) used by the process so far.
    static var processCPUSeconds: Double {
        var usage = rusage()
        getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    static func median(_ values: [Double]) -> Double {
        let s = values.sorted()
        guard !s.isEmpty else { return .nan }
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    /// `text` padded with spaces to `width` characters.
    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    static func mean(_ values: [Double]) -> Double { values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count) }

    /// IoU of a prediction with the truth, both restricted to `box` (integer pixel box).
    static func iou(_ prediction: Mask, _ truth: Mask, in box: Box) -> Double {
        var i = 0, u = 0
        for y in Int(box.y0)..<Int(box.y1) {
            for x in Int(box.x0)..<Int(box.x1) {
                let p = prediction[x, y], g = truth[x, y]
                if p && g { i += 1 }
                if p || g { u += 1 }
            }
        }
        return u > 0 ? Double(i) / Double(u) : 0
    }

    /// The helper scripts' folder (next to this file's folder in the source tree).
    static let scriptsFolder = "Sources/S2MBench/Scripts"

    /// Runs a Python helper script with arguments; its stdout/stderr pass through. The script sets
    /// up its own virtual environment (under .build/bench-venv) on first use.
    static func runPython(_ python: String, script: String, arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python, (scriptsFolder as NSString).appendingPathComponent(script)] + arguments
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw S2MError(file: script, .invalid("the Python helper failed (exit \(process.terminationStatus))"))
        }
    }

    /// A scratch folder for benchmark files under .build.
    static func scratch(_ name: String) throws -> String {
        let folder = ".build/bench/\(name)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }
}
