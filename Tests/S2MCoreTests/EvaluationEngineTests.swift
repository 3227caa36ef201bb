import Foundation
import Synchronization
import Testing
@testable import S2MCore

/// A test method with its own mask: scores above 0.5.
struct HalfMaskMethod: EvaluationMethod {
    var name: String { "half" }
    var details: String { "scores > 0.5 as mask" }
    var needsImage: Bool { false }
    var needsScores: Bool { true }
    func output(for input: MethodInput) throws -> MethodOutput {
        let s = input.scores!
        return MethodOutput(map: s, mask: s.map { $0 > 0.5 })
    }
}

/// A small on-disk dataset (manifest layout): random scores with blobs, SMIYC labels with void.
func makeEvaluationDataset(images: Int, seed: UInt64) throws -> Dataset {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("s2m-eval-engine-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    var rng = MetricsTestRandom(seed: seed)
    var lines = ["image,scores,label"]
    for i in 0..<images {
        let w = 40 + i % 3, h = 30
        var labels = [UInt16](repeating: 0, count: w * h)
        var scores = [Float](repeating: 0, count: w * h)
        for j in 0..<(w * h) { scores[j] = rng.unit() * 0.6 }
        for _ in 0..<2 {
            let x0 = rng.int(w - 8), y0 = rng.int(h - 8), bw = 3 + rng.int(6), bh = 3 + rng.int(6)
            for y in y0..<(y0 + bh) { for x in x0..<(x0 + bw) {
                labels[y * w + x] = 1
                scores[y * w + x] = 0.3 + rng.unit() * 0.7
            } }
        }
        for x in 0..<w { labels[(h - 1) * w + x] = 255 }            // a void row
        let name = String(format: "frame%02d", i)
        try RasterWriter.writeLabels(LabelMap(width: w, height: h, pixels: labels), to: "\(root)/\(name)_label.png")
        try NPYWriter.write(ScoreMap(width: w, height: h, pixels: scores), to: "\(root)/\(name).npy")
        _ = FileManager.default.createFile(atPath: "\(root)/\(name).jpg", contents: Data())
        lines.append("\(name).jpg,\(name).npy,\(name)_label.png")
    }
    try lines.joined(separator: "\n").write(toFile: "\(root)/cases.csv", atomically: true, encoding: .utf8)
    return try Dataset.manifest("\(root)/cases.csv")
}

/// Records without their timings (which differ from run to run).
func untimed(_ records: [ImageRecord]) -> [ImageRecord] { records.map { var r = $0; r.seconds = 0; return r } }

@Suite struct EvaluationEngineTests {
    static func engine(_ dataset: Dataset, thresholds: [String: Float] = [:]) throws -> EvaluationEngine {
        let range = try ThresholdMethod.datasetRange(dataset.cases, options: ReadOptions())
        return EvaluationEngine(dataset: dataset,
                                methods: [ThresholdMethod(scaling: .dataset(lo: range.lo, hi: range.hi)), HalfMaskMethod()],
                                settings: EvaluationSettings(encoding: .smiyc, components: ComponentFilter(minPredictionArea: 4, minGroundTruthArea: 2),
                                                             componentThresholds: thresholds))
    }

    @Test func resultsDoNotDependOnJobs() throws {
        let dataset = try makeEvaluationDataset(images: 7, seed: 1)
        let engine = try Self.engine(dataset)
        let one = try engine.run(indices: Array(0..<7), jobs: 1)
        let three = try engine.run(indices: Array(0..<7), jobs: 3)
        #expect(one.evaluated == Array(0..<7) && three.evaluated == Array(0..<7) && !one.cancelled)
        for (a, b) in zip(one.results, three.results) {
            #expect(a.summary(void: .paper) == b.summary(void: .paper))
            #expect(untimed(a.images) == untimed(b.images))
        }
        let threshold = one.results[0].summary(void: .paper)
        guard case .bestF1(let t) = threshold.binarisation else { Issue.record("threshold not binarised at best F1"); return }
        #expect(t == threshold.pixel.bestF1Threshold && threshold.components != nil)
        #expect(one.results[1].binarisation == .mask)
    }

    /// Shards written to files and merged give exactly a single run's numbers: first the pixel
    /// and paper metrics with the components pending, then, rerun with the merged best pixel-F1
    /// threshold, the component metrics too.
    @Test func shardsMergeExactly() throws {
        let dataset = try makeEvaluationDataset(images: 8, seed: 2)
        let single = try Self.engine(dataset).run(indices: Array(0..<8), jobs: 2)
        let singleSummaries = single.results.map { $0.summary(void: .paper) }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("s2m-shards-\(UUID().uuidString)").path

        func runShards(_ engine: EvaluationEngine, tag: String) throws -> [(path: String, partial: EvaluationPartial)] {
            try (1...3).map { k in
                let shard = try ShardSpec(index: k, count: 3)
                let outcome = try engine.run(indices: shard.indices(of: 8), jobs: 1, completeComponents: false)
                let path = "\(folder)/\(tag)-\(k).s2mpart"
                try EvaluationPartial(dataset: dataset, settings: engine.settings, shard: shard, outcome: outcome).write(to: path)
                return (path, try EvaluationPartial(reading: path))
            }
        }
        let phaseA = try EvaluationPartial.merge(try runShards(try Self.engine(dataset), tag: "a"))
        let a = phaseA.results.map { $0.summary(void: .paper) }
        #expect(a[0].paper == singleSummaries[0].paper && a[0].pixel == singleSummaries[0].pixel)
        #expect(a[0].binarisation == .pending && a[0].components == nil)
        #expect(a[1] == singleSummaries[1])                     // the mask method is complete already
        let best = try #require(a[0].pixel.bestF1Threshold)
        let phaseB = try EvaluationPartial.merge(try runShards(try Self.engine(dataset, thresholds: ["threshold": best]), tag: "b"))
        #expect(phaseB.results.map { $0.summary(void: .paper) } == singleSummaries)
        for (m, s) in zip(phaseB.results, single.results) { #expect(untimed(m.images) == untimed(s.images)) }
        #expect(phaseB.header.evaluated == Array(0..<8))
    }

    @Test func mergeRefusesGapsOverlapsAndMismatches() throws {
        let dataset = try makeEvaluationDataset(images: 4, seed: 3)
        let engine = try Self.engine(dataset)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("s2m-shards-\(UUID().uuidString)").path
        func part(_ k: Int, _ n: Int, engine e: EvaluationEngine) throws -> (path: String, partial: EvaluationPartial) {
            let shard = try ShardSpec(index: k, count: n)
            let path = "\(folder)/\(k)-\(n)-\(UUID().uuidString).s2mpart"
            let outcome = try e.run(indices: shard.indices(of: 4), completeComponents: false)
            try EvaluationPartial(dataset: dataset, settings: e.settings, shard: shard, outcome: outcome).write(to: path)
            return (path, try EvaluationPartial(reading: path))
        }
        let p1 = try part(1, 2, engine: engine)
        #expect(throws: S2MError.self) { try EvaluationPartial.merge([p1]) }                      // images 1, 3 missing
        #expect(try EvaluationPartial.merge([p1], allowIncomplete: true).missing == [1, 3])
        #expect(throws: S2MError.self) { try EvaluationPartial.merge([p1, p1]) }                  // overlap
        var other = engine
        other.settings.void = .ignore
        #expect(throws: S2MError.self) { try EvaluationPartial.merge([p1, try part(2, 2, engine: other)]) }
        // A damaged file is refused with its name.
        var bytes = try Data(contentsOf: URL(fileURLWithPath: p1.path))
        bytes.removeLast(3)
        try bytes.write(to: URL(fileURLWithPath: p1.path + ".cut"))
        #expect(throws: S2MError.self) { try EvaluationPartial(reading: p1.path + ".cut") }
        #expect(throws: S2MError.self) { try EvaluationPartial(reading: dataset.cases[0].scores!) }
    }

    @Test func cancellationKeepsFinishedImages() throws {
        let dataset = try makeEvaluationDataset(images: 6, seed: 4)
        let engine = try Self.engine(dataset)
        let counter = Mutex(0)
        let outcome = try engine.run(indices: Array(0..<6), jobs: 1,
                                     progress: { _ in counter.withLock { $0 += 1 } },
                                     isCancelled: { counter.withLock { $0 >= 2 } })
        #expect(outcome.cancelled && outcome.evaluated == [0, 1])
        #expect(outcome.results.allSatisfy { $0.images.map(\.index) == [0, 1] })
    }

    @Test func errorsNameTheFile() throws {
        let dataset = try makeEvaluationDataset(images: 2, seed: 5)
        var broken = dataset
        broken.cases[1].scores = dataset.cases[1].scores! + ".missing"
        let engine = EvaluationEngine(dataset: broken, methods: [ThresholdMethod(scaling: .none)],
                                      settings: EvaluationSettings(encoding: .smiyc))
        #expect(throws: S2MError(file: broken.cases[1].scores!, .missingFile)) {
            try engine.run(indices: [0, 1], jobs: 2)
        }
        // Labels in the wrong encoding are refused, naming the label file.
        let road = EvaluationEngine(dataset: dataset, methods: [ThresholdMethod(scaling: .none)],
                                    settings: EvaluationSettings(encoding: .roadAnomaly))
        #expect(throws: S2MError.self) { try road.run(indices: [0]) }
    }

    @Test func shardIndices() throws {
        #expect(try ShardSpec(parsing: "2/3").indices(of: 8) == [1, 4, 7])
        #expect(try ShardSpec(parsing: "3/3").indices(of: 2) == [])
        #expect(throws: S2MError.self) { try ShardSpec(parsing: "0/3") }
        #expect(throws: S2MError.self) { try ShardSpec(parsing: "4/3") }
    }
}

/// A generator with one fixed box prompt, and a segmenter that fills the box.
struct EvalFixedBoxGenerator: PromptGenerator {
    var name: String { "fixed" }
    func prompts(scores: ScoreMap, image: RGBImage?) throws -> [Prompt] {
        [Prompt(box: Box(x0: 2, y0: 1, x1: 6, y1: 4), confidence: 0.8, source: name)]
    }
}

struct EvalBoxFillSegmenter: PromptableSegmenter {
    var name: String { "box-fill" }
    final class Session: SegmentationSession {
        let size: RasterSize
        init(size: RasterSize) { self.size = size }
        func segment(_ prompt: Prompt) throws -> Segmentation {
            var mask = Mask(width: size.width, height: size.height, repeating: false)
            if let b = prompt.box {
                for y in Int(b.y0)..<Int(b.y1) { for x in Int(b.x0)..<Int(b.x1) { mask[x, y] = true } }
            }
            return Segmentation(mask: mask, quality: 1)
        }
    }
    func prepare(image: RGBImage, scores: ScoreMap?) throws -> any SegmentationSession { Session(size: image.size) }
}

@Suite struct S2MMethodTests {
    @Test func confidenceMapMaskAndPrompts() throws {
        let method = S2MMethod(pipeline: S2MPipeline(generator: EvalFixedBoxGenerator(), segmenter: EvalBoxFillSegmenter()), details: "test")
        let image = RGBImage(width: 8, height: 5, repeating: RGB(gray: 100))
        let out = try method.output(for: MethodInput(name: "a", imageFile: "a.jpg", image: image,
                                                     scores: ScoreMap(width: 8, height: 5, repeating: 0.1)))
        #expect(out.map[2, 1] == 0.8 && out.map[5, 3] == 0.8 && out.map[6, 3] == 0 && out.map[1, 1] == 0)
        #expect(out.mask?.trueCount == 12)
        let prompts = try PromptsFile.decode(try #require(out.attachments["_prompts.json"]))
        #expect(prompts.prompts.count == 1 && prompts.size == RasterSize(width: 8, height: 5))
        // Imported prompts replace the generator's.
        let given = [Prompt(box: Box(x0: 0, y0: 0, x1: 1, y1: 1), confidence: 0.5, source: "user")]
        let out2 = try method.output(for: MethodInput(name: "a", image: image, scores: nil, prompts: given))
        #expect(out2.mask?.trueCount == 1 && out2.map[0, 0] == 0.5)
    }

    @Test func reportHasAlignedRowsAndRatios() throws {
        let dataset = try makeEvaluationDataset(images: 3, seed: 9)
        let range = try ThresholdMethod.datasetRange(dataset.cases, options: ReadOptions())
        let methods: [any EvaluationMethod] = [ThresholdMethod(scaling: .dataset(lo: range.lo, hi: range.hi)), HalfMaskMethod()]
        let settings = EvaluationSettings(encoding: .smiyc)
        let outcome = try EvaluationEngine(dataset: dataset, methods: methods, settings: settings).run(indices: [0, 1, 2])
        let report = EvaluationReport(dataset: DatasetIdentity(dataset), settings: settings, results: outcome.results,
                                      evaluated: outcome.evaluated, cancelled: false)
        let table = report.table()
        #expect(table.contains("\nthreshold ") && table.contains("\nhalf ") && table.contains("\nhalf/threshold "))
        let csv = report.csv().split(separator: "\n")
        #expect(csv.count == 1 + 2 + 2 * 3)
        #expect(csv.allSatisfy { $0.split(separator: ",", omittingEmptySubsequences: false).count == EvaluationReport.csvColumns.count })
        let rows = report.imageRows()
        // Per-image IoU at the dataset's best threshold averages to the dataset's best IoU.
        let thresholdRows = rows.filter { $0.method == "threshold" }
        let mean = thresholdRows.map(\.iou).reduce(0, +) / 3
        #expect(abs(mean - report.summaries[0].paper!.bestIoU) < 1e-12)
        let json = try JSONSerialization.jsonObject(with: try report.json()) as? [String: Any]
        #expect((json?["images"] as? [Any])?.count == 6)
    }
}

/// The whole chain on the bundled samples (real photos, labels and float16 scores): dataset
/// layout, readers, label encoding, engine, metrics, against the oracles.
@Suite struct SamplesEvaluationTests {
    static var samplesRoot: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("samples").path
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: SamplesEvaluationTests.samplesRoot + "/images"), "samples/ not found: skipped"))
    func samplesEqualTheOracles() throws {
        var dataset = try Dataset.open(root: Self.samplesRoot)
        #expect(dataset.layout == .smiyc && dataset.cases.count >= 2)
        dataset.cases = Array(dataset.cases.prefix(2))
        let engine = EvaluationEngine(dataset: dataset, methods: [ThresholdMethod(scaling: .none)],
                                      settings: EvaluationSettings(encoding: .smiyc))
        let outcome = try engine.run(indices: [0, 1], jobs: 2)
        let summary = outcome.results[0].summary(void: .paper)
        var images: [(scores: ScoreMap, truth: TruthMap)] = []
        for c in dataset.cases {
            let labels = try LabelReader.read(c.label!)
            images.append((try ScoreReader.read(c.scores!), try LabelEncoding.smiyc.truthMap(labels)))
        }
        #expect(summary.paper == ReferenceMetrics.paperSummary(images: images, void: .paper))
        var scored: [(score: Float, isPositive: Bool)] = []
        for (s, t) in images {
            for (v, c) in zip(s.pixels, t.pixels) where c != .void { scored.append((v, c == .anomaly)) }
        }
        expectEqual(summary.pixel, PixelMetrics(runs: ScoreCountRuns(scored: scored)))
        #expect(summary.pixel.positives > 0 && summary.components != nil)
    }
}
