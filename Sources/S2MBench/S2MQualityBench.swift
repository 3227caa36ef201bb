import ArgumentParser
import Foundation
import S2MCore

/// `s2m-bench s2m-quality`: the paper's protocol on the 12 shared frames with simulated scores:
/// thresholded scores vs the S2M confidence map (default pipeline), and the ratios the issue asks
/// for (S2M >= 1.3x the best IoU and >= 1.4x the mean F1 of the thresholded scores).
struct S2MQualityBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "s2m-quality",
        abstract: "Quality table: threshold baseline vs S2M (paper protocol) on the shared RoadAnomaly frames with simulated scores.")

    @Option(help: "The shared RoadAnomaly folder.")
    var data = PipelineBenchSupport.defaultData

    @Option(help: "Simulator seed (as s2m simulate --seed).")
    var seed: UInt64 = 0

    @Flag(inversion: .prefixedNo, help: "Also evaluate S2M variants: GrabCut's score term off, prompt*quality confidences.")
    var ablation = true

    @Option(help: "Images evaluated at once.")
    var jobs = 1

    func run() throws {
        let frames = try PipelineBenchSupport.frames(data)
        let scoreFolder = try PipelineBenchSupport.scratch("road_anomaly_scores_seed\(seed)")
        for f in frames {
            let path = (scoreFolder as NSString).appendingPathComponent("\(f.stem).npy")
            try NPYWriter.write(try PipelineBenchSupport.simulatedScores(f, seed: seed), to: path)
        }
        print("scores: s2m simulate defaults, seed \(seed), \(frames.count) frames -> \(scoreFolder)")
        let dataset = try Dataset.open(root: data, layout: .roadAnomaly, scores: scoreFolder)
        let range = try ThresholdMethod.datasetRange(dataset.cases, options: ReadOptions())
        var methods: [any EvaluationMethod] = [
            ThresholdMethod(scaling: .dataset(lo: range.lo, hi: range.hi)),
            S2MMethod(pipeline: S2MPipeline(generator: ComponentTreeGenerator(), segmenter: GrabCutSegmenter()),
                      details: "defaults: component-tree + grabcut"),
        ]
        if ablation {
            var colourOnly = GrabCutParameters()
            colourOnly.scoreWeight = 0
            methods.append(S2MMethod(pipeline: S2MPipeline(generator: ComponentTreeGenerator(),
                                                           segmenter: GrabCutSegmenter(parameters: colourOnly)),
                                     details: "grabcut score-weight=0", name: "s2m (score term off)"))
            var prompt = S2MPipeline(generator: ComponentTreeGenerator(), segmenter: GrabCutSegmenter())
            prompt.maskConfidence = .promptTimesQuality
            methods.append(S2MMethod(pipeline: prompt, details: "mask confidence prompt*quality", name: "s2m (prompt*quality)"))
        }
        let engine = EvaluationEngine(dataset: dataset, methods: methods,
                                      settings: EvaluationSettings(encoding: .roadAnomaly, void: .paper))
        let (outcome, seconds) = try PipelineBenchSupport.time {
            try engine.run(indices: Array(dataset.cases.indices), jobs: jobs)
        }
        let summaries = outcome.results.map { $0.summary(void: .paper) }
        print("")
        print("method                     best IoU (t)     AuIoU   mean F1    IoU ratio  mean-F1 ratio")
        let base = summaries[0].paper!
        for s in summaries {
            let p = s.paper!
            print(PipelineBenchSupport.pad(s.name, 26) + String(format: " %.3f (%.2f)    %.3f   %.3f      %.2fx      %.2fx",
                         p.bestIoU, p.bestThreshold, p.auIoU, p.meanF1OverThresholds,
                         p.bestIoU / base.bestIoU, p.meanF1OverThresholds / base.meanF1OverThresholds))
        }
        let s2m = summaries[1].paper!
        let iouRatio = s2m.bestIoU / base.bestIoU, f1Ratio = s2m.meanF1OverThresholds / base.meanF1OverThresholds
        print("")
        print(String(format: "target: S2M >= 1.3x best IoU (%.2fx: %@) and >= 1.4x mean F1 (%.2fx: %@)",
                     iouRatio, (iouRatio >= 1.3 ? "met" : "MISSED") as NSString,
                     f1Ratio, (f1Ratio >= 1.4 ? "met" : "MISSED") as NSString))
        print(String(format: "%d frames, %.1f s in all", frames.count, seconds))
        print("")
        print("per frame: IoU at t = 0 (S2M mask) and at the baseline's best threshold")
        let t = base.bestThresholdIndex
        for (k, record) in outcome.results[1].images.enumerated() {
            let s2mIoU = record.paper.scores(void: .paper).iou[0]
            let thrIoU = outcome.results[0].images[k].paper.scores(void: .paper).iou[t]
            print("  " + PipelineBenchSupport.pad(record.name, 54) + String(format: " S2M %.3f  threshold %.3f", s2mIoU, thrIoU))
        }
    }
}
