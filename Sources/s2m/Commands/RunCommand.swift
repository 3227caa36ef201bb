import ArgumentParser
import Foundation
import S2MCore

/// `s2m run`: the S2M method on one image or a manifest of images, writing masks, confidence
/// maps and prompts.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Segment out-of-distribution objects from anomaly scores (S2M): prompts -> masks -> confidence map.",
        discussion: """
            One image:  s2m run --image IMG --scores S [--label L] [--out DIR]
            Many:       s2m run --manifest FILE.csv [--out DIR]   (lines: image,scores[,label[,prompts]]; \
            a header line is skipped; paths are relative to the manifest)

            Prompts come from the generator (--generator, default component-tree), a prompts file \
            (--prompts, the format s2m writes and the viewer saves) or detector results in the COCO \
            format (--detections, e.g. detectron2's coco_instances_results.json). Each image writes \
            <stem>_mask.png (0/1), <stem>_confidence.npy (float32 HxW), <stem>_prompts.json and, \
            with --threshold, <stem>_threshold.png (the thresholded-scores baseline). Files are \
            replaced atomically; inputs are never overwritten. See docs/pipeline.md.
            """)

    @Option(name: .customLong("image"), help: "The photo (PNG, JPEG, WebP).")
    var image: String?

    @Option(name: .customLong("scores"), help: "Its anomaly scores (NPY, NPZ or grayscale PNG), same size.")
    var scores: String?

    @Option(name: .customLong("label"), help: "Ground truth, to print IoU and F1 of the outputs.")
    var label: String?

    @Option(name: .customLong("manifest"), help: "A CSV file of image,scores[,label[,prompts]] lines.")
    var manifest: String?

    @Option(name: .customLong("prompts"), help: "Use these prompts (an s2m prompts JSON file) instead of the generator.")
    var prompts: String?

    @Option(name: .customLong("detections"), help: "Use boxes from COCO-format detector results (list of {image_id, bbox, score}).")
    var detections: String?

    @Option(name: .customLong("coco-annotations"), help: "A COCO annotations file whose images list maps ids to file names, for --detections.")
    var cocoAnnotations: String?

    @Option(name: .customLong("image-id"), help: "With --detections and one image: its image_id in the results.")
    var imageID: String?

    @Option(name: .customLong("min-detection-score"), help: "With --detections: keep boxes scoring above this.")
    var minDetectionScore: Double = 0.05

    @Option(name: .customLong("max-detections"), help: "With --detections: at most this many boxes per image.")
    var maxDetections: Int = 100

    @Option(name: .customLong("threshold"),
            help: "Also write the threshold baseline on normalised scores: a number, otsu, or with labels oracle-iou (the paper's best-IoU threshold over all images) or tpr95 (95% of anomaly pixels found).",
            transform: { try BaselineThreshold.parse($0) })
    var threshold: BaselineThreshold?

    @Option(name: .customLong("out"), help: "Output folder (created if missing).")
    var out: String = "s2m-out"

    @OptionGroup var pipeline: PipelineOptions
    @OptionGroup var single: SinglePromptOptions
    @OptionGroup var input: InputOptions
    @OptionGroup var labels: LabelEncodingOptions

    func validate() throws {
        guard (image == nil) != (manifest == nil) else { throw ValidationError("give --image (one image) or --manifest (many), not both") }
        if manifest != nil && (scores != nil || label != nil || prompts != nil || imageID != nil) {
            throw ValidationError("--scores, --label, --prompts and --image-id go with --image; a manifest lists them per line")
        }
        if prompts != nil && detections != nil { throw ValidationError("give --prompts or --detections, not both") }
        if imageID != nil && detections == nil { throw ValidationError("--image-id goes with --detections") }
        if cocoAnnotations != nil && detections == nil { throw ValidationError("--coco-annotations goes with --detections") }
        if let threshold, threshold.needsLabels, manifest == nil, label == nil {
            throw ValidationError("--threshold \(threshold) chooses the threshold with the ground truth: give --label")
        }
        guard maxDetections >= 0 else { throw ValidationError("--max-detections must be >= 0") }
        try single.check(image: image, otherPromptSources: prompts != nil || detections != nil)
        guard minDetectionScore.isFinite, minDetectionScore >= 0, minDetectionScore < 1 else {
            throw ValidationError("--min-detection-score must be in [0, 1)")
        }
    }

    /// One image to process.
    struct Case {
        var image: String
        var scores: String?
        var label: String?
        var prompts: String?
    }

    func run() throws {
        if single.isActive { return try runSinglePrompt(single) }
        var oracle: Float?
        let cases: [Case]
        let s2m: S2MPipeline
        let results: DetectionResults?
        do {
            if let manifest {
                cases = try Self.readManifest(manifest)
            } else {
                cases = [Case(image: image!, scores: scores, label: label, prompts: prompts)]
            }
            try Self.checkDistinctStems(cases)
            s2m = try pipeline.makePipeline()
            results = try detections.map { try DetectionResults.read(path: $0, annotations: cocoAnnotations) }
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            if let threshold, threshold.needsLabels { oracle = try oracleThreshold(threshold, cases) }
        } catch let error as S2MError {
            Self.fail(error)
            throw ExitCode(1)
        } catch {
            Self.fail(S2MError(file: out, .writeFailed(error.localizedDescription)))
            throw ExitCode(1)
        }

        var failures = 0
        for c in cases {
            do {
                print(try process(c, pipeline: s2m, detections: results, oracle: oracle))
            } catch let error as S2MError {
                Self.fail(error)
                failures += 1
            } catch is CancellationError {
                throw ExitCode(130)
            }
        }
        if failures > 0 {
            Self.fail(S2MError(file: nil, .invalid("\(failures) of \(cases.count) image\(cases.count == 1 ? "" : "s") failed")))
            throw ExitCode(1)
        }
    }

    /// Runs one image and writes its outputs; returns the summary line.
    func process(_ c: Case, pipeline s2m: S2MPipeline, detections results: DetectionResults?, oracle: Float?) throws -> String {
        let start = Date()
        let loaded = try InputCase.load(image: c.image, scores: c.scores, label: c.label, options: input.readOptions)
        var given: [Prompt]?
        if let path = c.prompts {
            let file = try PromptsFile.read(path: path)
            try file.checkSize(loaded.image.size, file: path)
            given = file.prompts
        } else if let results {
            var selection = DetectionResults.Selection()
            selection.minimumScore = minDetectionScore
            selection.maximumCount = maxDetections
            given = results.prompts(forImage: c.image, imageID: imageID.map(DetectionResults.ImageID.init), selection: selection)
        }
        if given == nil && loaded.scores == nil {
            throw S2MError(file: c.image, .invalid("no scores: give --scores (or prompts with --prompts / --detections)"))
        }
        let result: S2MResult
        do {
            result = try s2m.run(image: loaded.image, scores: loaded.scores, prompts: given)
        } catch let e as S2MError where e.file == nil {
            throw e.attributed(to: c.image)
        }

        let stem = Self.stem(c.image)
        let inputs = [c.image, c.scores, c.label, c.prompts].compactMap { $0 }
        func path(_ suffix: String) -> String { (out as NSString).appendingPathComponent("\(stem)_\(suffix)") }
        try RasterWriter.writeMask(result.mask, to: path("mask.png"), trueValue: 1, protecting: inputs)
        try NPYWriter.write(result.confidence, to: path("confidence.npy"), protecting: inputs)
        let promptsFile = PromptsFile(image: c.image, size: loaded.image.size, prompts: result.prompts)
        try AtomicFileWriter.write(try promptsFile.encoded(), to: path("prompts.json"), protecting: inputs)

        let n = loaded.image.size.pixelCount
        var line = String(format: "%@: %d prompt%@, mask %.1f%% of %d px", stem, result.prompts.count,
                          result.prompts.count == 1 ? "" : "s", 100 * Double(result.mask.trueCount) / Double(max(n, 1)), n)
        let truth = loaded.label.map { labels.labelEncoding.oodMask($0) }
        if let truth { line += Self.scoreText(result.mask, truth) }
        if let rule = threshold, let scores = loaded.scores {
            let normalized = pipeline.normalization.apply(to: scores)
            let baseline: Mask
            let t: Float?
            switch rule {
            case .rule(let r):
                t = r.threshold(for: normalized)
                baseline = t.map { thresholdMask(normalized, above: $0) } ?? normalized.map { _ in false }
            case .oracleIoU:
                t = oracle
                baseline = t.map { thresholdMask(normalized, above: $0) } ?? normalized.map { _ in false }
            case .tpr95:
                t = oracle
                baseline = t.map { OracleThreshold.inclusiveMask(normalized, atLeast: $0) } ?? normalized.map { _ in false }
            }
            try RasterWriter.writeMask(baseline, to: path("threshold.png"), trueValue: 1, protecting: inputs)
            line += "; threshold \(rule)" + (t.map { String(format: " (t=%.3f)", $0) } ?? " (none)")
            if let truth { line += Self.scoreText(baseline, truth) }
        }
        line += String(format: ", %.2f s", Date().timeIntervalSince(start))
        return line
    }

    /// The ground-truth threshold over every case (all need labels and scores), on normalised scores.
    func oracleThreshold(_ rule: BaselineThreshold, _ cases: [Case]) throws -> Float? {
        let collector = OracleThreshold.Collector()
        for c in cases {
            guard let labelFile = c.label, c.scores != nil else {
                throw S2MError(file: c.image, .invalid("--threshold \(rule) needs scores and a label for every image"))
            }
            let loaded = try InputCase.load(image: c.image, scores: c.scores, label: labelFile, options: input.readOptions)
            let truth = try labels.labelEncoding.truthMap(loaded.label!, file: labelFile)
            do {
                try collector.add(scores: pipeline.normalization.apply(to: loaded.scores!), truth: truth)
            } catch let e as S2MError where e.file == nil { throw e.attributed(to: c.scores!) }
        }
        return rule == .tpr95 ? collector.tpr95() : collector.bestIoU()
    }

    /// `", IoU 0.612 F1 0.759"` of a prediction against ground truth (void counts as background).
    static func scoreText(_ prediction: Mask, _ truth: Mask) -> String {
        var i = 0, u = 0
        for (p, g) in zip(prediction.pixels, truth.pixels) {
            if p && g { i += 1 }
            if p || g { u += 1 }
        }
        let iou = u > 0 ? Double(i) / Double(u) : 0
        let f1 = u > 0 ? 2 * Double(i) / Double(i + u) : 0
        return String(format: ", IoU %.3f F1 %.3f", iou, f1)
    }

    static func stem(_ path: String) -> String {
        ((path as NSString).lastPathComponent as NSString).deletingPathExtension
    }

    /// Two images with the same stem would write the same output files.
    static func checkDistinctStems(_ cases: [Case]) throws {
        var seen: [String: String] = [:]
        for c in cases {
            let s = stem(c.image)
            if let other = seen[s], other != c.image {
                throw S2MError(file: c.image, .invalid("has the same name as \(other): their outputs (\(s)_mask.png, ...) would collide"))
            }
            seen[s] = c.image
        }
    }

    /// Reads `image,scores[,label[,prompts]]` lines; a first line starting with `image` is a header.
    static func readManifest(_ path: String) throws -> [Case] {
        let data = try InputFile.read(path)
        guard let text = String(data: data, encoding: .utf8) else { throw S2MError(file: path, .corrupt("not UTF-8 text")) }
        let base = (path as NSString).deletingLastPathComponent
        func resolve(_ field: String) -> String? {
            let t = field.trimmingCharacters(in: .whitespaces)
            if t.isEmpty { return nil }
            return t.hasPrefix("/") || base.isEmpty ? t : (base as NSString).appendingPathComponent(t)
        }
        var cases: [Case] = []
        for (number, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let fields = trimmed.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            if number == 0 && fields[0].trimmingCharacters(in: .whitespaces).lowercased() == "image" { continue }
            guard fields.count <= 4 else {
                throw S2MError(file: path, .invalid("line \(number + 1): \(fields.count) fields, expected image,scores[,label[,prompts]]"))
            }
            guard let image = resolve(fields[0]) else { throw S2MError(file: path, .invalid("line \(number + 1): no image")) }
            cases.append(Case(image: image, scores: fields.count > 1 ? resolve(fields[1]) : nil,
                              label: fields.count > 2 ? resolve(fields[2]) : nil,
                              prompts: fields.count > 3 ? resolve(fields[3]) : nil))
        }
        guard !cases.isEmpty else { throw S2MError(file: path, .invalid("the manifest lists no images")) }
        return cases
    }

    static func fail(_ error: S2MError) {
        FileHandle.standardError.write(Data("s2m run: \(error)\n".utf8))
    }
}

/// The baseline's threshold: a rule applied per image, or one chosen with the ground truth.
enum BaselineThreshold: Equatable, CustomStringConvertible {
    case rule(ThresholdRule)
    case oracleIoU
    case tpr95

    static func parse(_ text: String) throws -> BaselineThreshold {
        switch text.lowercased() {
        case "oracle-iou", "best-iou": return .oracleIoU
        case "tpr95": return .tpr95
        default:
            do { return .rule(try ThresholdRule.parse(text)) } catch {
                throw S2MError(file: nil, .invalid("unknown threshold '\(text)' (a number, fixed:T, otsu, oracle-iou or tpr95)"))
            }
        }
    }

    var needsLabels: Bool { self != .oracleIoU && self != .tpr95 ? false : true }

    var description: String {
        switch self {
        case .rule(let r): return r.description
        case .oracleIoU: return "oracle-iou"
        case .tpr95: return "tpr95"
        }
    }
}
