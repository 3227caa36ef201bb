import ArgumentParser
import Foundation
import S2MCore
import S2MSAM

/// `--segmenter sam`: Segment Anything or MobileSAM from an official checkpoint. Options (from
/// `--checkpoint PATH` and `--segmenter-option KEY=VALUE`): `checkpoint` (required), `threads`
/// (default: all cores), `cache` (a folder, or `off`; default ~/.cache/s2m/sam-embeddings),
/// `masks` (single, best or automatic) and `pixel-mean` / `pixel-std` (R,G,B on the 0-255 scale,
/// for models trained with other statistics than SamPredictor's); see docs/models.md.
enum SAMCatalog {
    static let entry = SegmenterCatalog.Entry(
        name: "sam", summary: "Segment Anything / MobileSAM from an official checkpoint (--checkpoint PATH; docs/models.md)"
    ) { options in
        try makeSegmenter(options)
    }

    static func makeSegmenter(_ options: [String: String]) throws -> SAMSegmenter {
        let known: Set<String> = ["checkpoint", "threads", "cache", "masks", "pixel-mean", "pixel-std"]
        if let unknown = options.keys.sorted().first(where: { !known.contains($0) }) {
            throw S2MError(file: nil, .invalid("unknown sam option '\(unknown)' (known: \(known.sorted().joined(separator: ", ")))"))
        }
        guard let checkpoint = options["checkpoint"], !checkpoint.isEmpty else {
            throw S2MError(file: "--checkpoint", .invalid("needed by --segmenter sam: the path of an official checkpoint (sam_vit_b_01ec64.pth, mobile_sam.pt, ...; see docs/models.md)"))
        }
        var compute = Compute.allCores
        if let text = options["threads"] {
            guard let n = Int(text), (1...256).contains(n) else {
                throw S2MError(file: nil, .invalid("sam option threads needs a whole number from 1 to 256, got '\(text)'"))
            }
            compute = Compute(threads: n)
        }
        var cache: EmbeddingCache? = EmbeddingCache(directory: EmbeddingCache.defaultDirectory)
        if let folder = options["cache"] {
            cache = folder == "off" ? nil : EmbeddingCache(directory: URL(fileURLWithPath: folder))
        }
        var selection = SAMSegmenter.MaskSelection.automatic
        if let text = options["masks"] {
            guard let s = SAMSegmenter.MaskSelection(rawValue: text) else {
                throw S2MError(file: nil, .invalid("sam option masks must be single, best or automatic, got '\(text)'"))
            }
            selection = s
        }
        func triple(_ key: String, positive: Bool) throws -> [Double]? {
            guard let text = options[key] else { return nil }
            let values = text.split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard values.count == 3, values.allSatisfy({ $0.isFinite && (!positive || $0 > 0) }) else {
                throw S2MError(file: nil, .invalid("sam option \(key) needs three\(positive ? " positive" : "") numbers R,G,B, got '\(text)'"))
            }
            return values
        }
        let model = try SAMModel(checkpointPath: checkpoint,
                                 pixelMean: try triple("pixel-mean", positive: false) ?? SAMModel.defaultPixelMean,
                                 pixelStd: try triple("pixel-std", positive: true) ?? SAMModel.defaultPixelStd)
        return SAMSegmenter(model: model, compute: compute, cache: cache, selection: selection)
    }
}

/// `s2m run --box ... | --point ...`: one prompt instead of the S2M prompt generator, in
/// SamPredictor's own coordinates so results compare one to one with the official code.
struct SinglePromptOptions: ParsableArguments {
    @Option(name: .customLong("box"),
            help: ArgumentHelp("Segment this box instead of generating prompts: x0,y0,x1,y1 in SamPredictor's convention (pixel indices, x1 and y1 inclusive).",
                               valueName: "x0,y0,x1,y1"))
    var box: String?

    @Option(name: .customLong("point"),
            help: ArgumentHelp("A point prompt x,y,label (pixel indices; label 1 = object, 0 = background); repeatable.",
                               valueName: "x,y,label"))
    var points: [String] = []

    @Flag(name: .customLong("multimask"), help: "With --segmenter sam: SAM's three multimask outputs (else its single-mask output).")
    var multimask = false

    @Option(name: .customLong("logits-out"),
            help: ArgumentHelp("With --segmenter sam: write the full-size mask logits here (NPY, float32, masks x height x width).",
                               valueName: "file.npy"))
    var logitsOut: String?

    /// True when a prompt was given on the command line.
    var isActive: Bool { box != nil || !points.isEmpty }

    func check(image: String?, otherPromptSources: Bool) throws {
        if !isActive {
            if multimask || logitsOut != nil { throw ValidationError("--multimask and --logits-out go with --box or --point") }
            return
        }
        if image == nil { throw ValidationError("--box and --point go with --image (one image)") }
        if otherPromptSources { throw ValidationError("--box/--point replace --prompts and --detections; give one of them") }
        _ = try prompt()
    }

    /// The prompt in SamPredictor's coordinates.
    func prompt() throws -> SAMPrompt {
        func numbers(_ text: String, count: Int, option: String) throws -> [Double] {
            let parts = text.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard parts.count == count, parts.allSatisfy({ $0 != nil && $0!.isFinite }) else {
                throw ValidationError("\(option) '\(text)' needs \(count) comma-separated numbers")
            }
            return parts.map { $0! }
        }
        var prompt = SAMPrompt()
        if let box {
            let v = try numbers(box, count: 4, option: "--box")
            guard v[2] >= v[0], v[3] >= v[1] else { throw ValidationError("--box '\(box)' needs x0 <= x1 and y0 <= y1") }
            prompt.box = SAMPrompt.Box(x0: v[0], y0: v[1], x1: v[2], y1: v[3])
        }
        for text in points {
            let v = try numbers(text, count: 3, option: "--point")
            guard v[2] == 0 || v[2] == 1 else { throw ValidationError("--point '\(text)': the label must be 1 (object) or 0 (background)") }
            prompt.points.append(SAMPrompt.Point(x: v[0], y: v[1], isForeground: v[2] == 1))
        }
        return prompt
    }

    /// The same prompt in s2m's conventions (half-open box, continuous point coordinates), for
    /// segmenters other than SAM.
    static func s2mPrompt(_ p: SAMPrompt) -> Prompt {
        Prompt(box: p.box.map { Box(x0: $0.x0, y0: $0.y0, x1: $0.x1 + 1, y1: $0.y1 + 1) },
               points: p.points.map { PromptPoint(x: $0.x + 0.5, y: $0.y + 0.5, isPositive: $0.isForeground) },
               confidence: 1, source: "user")
    }
}

extension RunCommand {
    /// `s2m run --image IMG --box ... | --point ...`: segments one prompt, writes `<stem>_mask.png`
    /// and, with SAM, the logits; prints a summary line.
    func runSinglePrompt(_ options: SinglePromptOptions) throws {
        let imagePath = image!
        let segmenter: any PromptableSegmenter
        do {
            segmenter = try pipeline.makeSegmenter()
        } catch let error as S2MError {
            Self.fail(error)
            throw ExitCode(1)
        }
        do {
            let prompt = try options.prompt()
            let loaded = try InputCase.load(image: imagePath, scores: scores, label: label, options: input.readOptions)
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            let inputs = [imagePath, scores, label].compactMap { $0 }
            let start = Date()
            let mask: Mask
            var line = "\(Self.stem(imagePath)): \(segmenter.name)"
            if let sam = segmenter as? SAMSegmenter {
                let session = try sam.prepare(image: loaded.image, scores: loaded.scores) as! SAMSession
                let prediction = try session.predictor.predict(prompt, on: session.image, multimask: options.multimask)
                if let path = options.logitsOut {
                    let logits = prediction.logits
                    try NPYWriter.write(NDArray(shape: logits.shape, values: logits.values), to: path, protecting: inputs)
                }
                let ious = prediction.iouPredictions
                let best = ious.indices.max { ious[$0] < ious[$1] }!
                mask = prediction.mask(best)
                line += " (\(sam.model.architecture)), \(ious.count) mask\(ious.count == 1 ? "" : "s"), predicted IoU "
                    + ious.map { String(format: "%.3f", $0) }.joined(separator: " ")
                if ious.count > 1 { line += ", mask \(best) kept" }
            } else {
                if options.multimask || options.logitsOut != nil {
                    throw S2MError(file: nil, .invalid("--multimask and --logits-out need --segmenter sam"))
                }
                let session = try segmenter.prepare(image: loaded.image, scores: loaded.scores)
                let segmentation = try session.segment(SinglePromptOptions.s2mPrompt(prompt))
                mask = segmentation.mask
                line += String(format: ", quality %.3f", segmentation.quality)
            }
            let maskPath = (out as NSString).appendingPathComponent("\(Self.stem(imagePath))_mask.png")
            try RasterWriter.writeMask(mask, to: maskPath, trueValue: 1, protecting: inputs)
            line += String(format: "; mask %.1f%% of %d px", 100 * Double(mask.trueCount) / Double(max(1, mask.count)), mask.count)
            if let truth = loaded.label.map({ labels.labelEncoding.oodMask($0) }) { line += Self.scoreText(mask, truth) }
            line += String(format: ", %.2f s", Date().timeIntervalSince(start))
            print(line)
        } catch let error as S2MError {
            Self.fail(error.file == nil ? error.attributed(to: imagePath) : error)
            throw ExitCode(1)
        } catch is CancellationError {
            throw ExitCode(130)
        }
    }
}
