import Foundation
import S2MCore
import S2MSAM

/// Shared pieces of the SAM benchmarks: model choice, timing, memory.
enum SAMBenchmarkSupport {
    /// The fixture MobileSAM checkpoint (full-size TinyViT, seeded random weights), relative to
    /// the package root where benchmarks run.
    static let fixtureMobileSAM = "../shared/fixtures/sam/mobilesam_vit_t_random/checkpoint.pth"
    static let fixtureImage = "../shared/fixtures/sam/image.png"

    /// Loads a model: a checkpoint file, or a random-weight full-size ViT (`vit-b`, `vit-l`, `vit-h`).
    static func loadModel(_ name: String, checkpoint: String?) throws -> SAMModel {
        switch name {
        case "mobilesam":
            return try SAMModel(checkpointPath: checkpoint ?? fixtureMobileSAM)
        case "vit-b", "vit-l", "vit-h":
            if let checkpoint { return try SAMModel(checkpointPath: checkpoint) }
            let shapes = name == "vit-b" ? SAMShapes.vitB : (name == "vit-l" ? SAMShapes.vitL : SAMShapes.vitH)
            return try SAMModel(checkpoint: RandomStateDictionary(shapes: shapes, description: "random \(name)"))
        default:
            throw S2MError(file: nil, .invalid("unknown model '\(name)' (mobilesam, vit-b, vit-l, vit-h)"))
        }
    }

    /// Seconds taken by `body`.
    static func time(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    /// CPU seconds (user + system, all threads) used by the process so far.
    static var cpuSeconds: Double {
        var usage = rusage()
        getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// Peak resident memory of this process so far, in MB (getrusage's ru_maxrss).
    static var peakResidentMB: Double {
        var usage = rusage()
        getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_maxrss) / 1024
    }

    /// A 1024x1024 test input: the fixture image if present, else a synthetic gradient.
    static func benchmarkImage() throws -> RGBImage {
        if FileManager.default.fileExists(atPath: fixtureImage) { return try ImageReader.read(fixtureImage) }
        var pixels: [RGB] = []
        for y in 0..<768 { for x in 0..<1024 { pixels.append(RGB(UInt8(x % 256), UInt8(y % 256), UInt8((x + y) % 256))) } }
        return RGBImage(width: 1024, height: 768, pixels: pixels)
    }
}
