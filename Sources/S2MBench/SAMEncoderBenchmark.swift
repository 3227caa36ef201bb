import ArgumentParser
import Foundation
import S2MCore
import S2MSAM

/// `s2m-bench sam-encoder`: time of SAM's image encoder on one 1024x1024 input.
struct SAMEncoderBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sam-encoder",
        abstract: "Image encoder time on a 1024x1024 input (MobileSAM target 0.8 s, ViT-B target 9 s, 2 threads).")

    @Option(help: "mobilesam (the fixture's full-size MobileSAM unless --checkpoint), vit-b, vit-l or vit-h (random weights at full size unless --checkpoint).")
    var model = "mobilesam"
    @Option(help: "A checkpoint to load instead of the default.")
    var checkpoint: String?
    @Option(help: "Threads.")
    var threads = 2
    @Option(help: "Timed runs after one warm-up run; the best and the median are reported.")
    var runs = 3

    func run() throws {
        let compute = Compute(threads: threads)
        var model: SAMModel!
        let load = try SAMBenchmarkSupport.time { model = try SAMBenchmarkSupport.loadModel(self.model, checkpoint: checkpoint) }
        let predictor = SAMPredictor(model: model, compute: compute)
        let input = try predictor.preprocess(try SAMBenchmarkSupport.benchmarkImage())
        _ = try model.encode(input, compute: compute)
        var times: [Double] = []
        let cpuBefore = SAMBenchmarkSupport.cpuSeconds
        for _ in 0..<max(1, runs) {
            times.append(try SAMBenchmarkSupport.time { _ = try model.encode(input, compute: compute) })
        }
        let cpuPerRun = (SAMBenchmarkSupport.cpuSeconds - cpuBefore) / Double(max(1, runs))
        times.sort()
        let (target, reference): (Double?, Double?) = switch self.model {
        case "mobilesam": (0.8, 1.10)
        case "vit-b": (9.0, 11.3)
        default: (nil, nil)
        }
        print("model: \(model.architecture)")
        print(String(format: "load: %.2f s; threads: %d; runs: %d", load, threads, times.count))
        print(String(format: "image encoder: best %.3f s, median %.3f s (CPU time per run, all threads: %.3f s)",
                     times[0], times[times.count / 2], cpuPerRun))
        if let target, let reference {
            print(String(format: "target <= %.2f s: %@; official PyTorch (2 threads): %.2f s, %.2fx faster",
                         target, times[0] <= target ? "met" : "NOT met", reference, reference / times[0]))
        }
        print(String(format: "peak resident memory: %.0f MB", SAMBenchmarkSupport.peakResidentMB))
    }
}
