import ArgumentParser
import Foundation
import S2MCore
import S2MSAM

/// `s2m-bench sam-memory`: peak resident memory of a whole MobileSAM run in this process.
struct SAMMemoryBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sam-memory",
        abstract: "Peak resident memory of loading MobileSAM, encoding an image and decoding prompts (target 400 MB).")

    @Option(help: "A checkpoint (default: the fixture's full-size MobileSAM).")
    var checkpoint: String?
    @Option(help: "Threads.")
    var threads = 2
    @Option(help: "An image (default: the fixture image, or a synthetic 1024x768 one).")
    var image: String?

    func run() throws {
        let before = SAMBenchmarkSupport.peakResidentMB
        let model = try SAMBenchmarkSupport.loadModel("mobilesam", checkpoint: checkpoint)
        let afterLoad = SAMBenchmarkSupport.peakResidentMB
        let segmenter = SAMSegmenter(model: model, compute: Compute(threads: threads), cache: nil)
        let picture = try image.map { try ImageReader.read($0) } ?? SAMBenchmarkSupport.benchmarkImage()
        let session = try segmenter.prepare(image: picture, scores: nil)
        let afterEncode = SAMBenchmarkSupport.peakResidentMB
        let w = Double(picture.width), h = Double(picture.height)
        for i in 0..<20 {
            let f = Double(i) / 20
            _ = try session.segment(Prompt(box: Box(x0: w * 0.1 * f, y0: h * 0.1, x1: w * (0.5 + 0.4 * f), y1: h * 0.9),
                                           confidence: 1, source: "bench"))
            _ = try session.segment(Prompt(points: [PromptPoint(x: w * (0.2 + 0.6 * f), y: h / 2, isPositive: true)],
                                           confidence: 1, source: "bench"))
        }
        let peak = SAMBenchmarkSupport.peakResidentMB
        print("model: \(model.architecture); image \(picture.width)x\(picture.height); threads: \(threads)")
        print(String(format: "peak resident memory: %.0f MB at start, %.0f MB after loading, %.0f MB after encoding, %.0f MB after 40 prompts",
                     before, afterLoad, afterEncode, peak))
        print(String(format: "target <= 400 MB: %@", peak <= 400 ? "met" : "NOT met"))
    }
}
