import ArgumentParser
import Foundation
import S2MCore

/// The prompt generators `--generator NAME` offers. A new generator is one more entry here.
enum GeneratorCatalog {
    struct Entry: Sendable {
        var name: String
        var summary: String
        var specs: [ParameterSpec]
        var make: @Sendable (_ values: [String: Double], _ normalization: ScoreNormalization) throws -> any PromptGenerator
    }

    static let entries: [Entry] = [
        Entry(name: "component-tree", summary: "boxes around stable high-score regions of the component tree (default)",
              specs: ComponentTreeParameters.specs) { values, normalization in
            var p = try ComponentTreeParameters().applying(values)
            p.normalization = normalization
            try p.validate()
            return ComponentTreeGenerator(parameters: p)
        },
        Entry(name: "peaks", summary: "one point prompt per score peak (optionally with negative points)",
              specs: PeakPointParameters.specs) { values, normalization in
            var p = try PeakPointParameters().applying(values)
            p.normalization = normalization
            try p.validate()
            return PeakPointGenerator(parameters: p)
        },
    ]

    static func entry(_ name: String) throws -> Entry {
        guard let e = entries.first(where: { $0.name == name }) else {
            throw S2MError(file: nil, .invalid("unknown generator '\(name)' (known: \(entries.map(\.name).joined(separator: ", ")))"))
        }
        return e
    }
}

/// The promptable segmenters `--segmenter NAME` offers. SAM backends join as more entries; an
/// entry receives the `--segmenter-option KEY=VALUE` pairs (numbers for GrabCut, paths such as
/// `checkpoint=...` for a model).
enum SegmenterCatalog {
    struct Entry: Sendable {
        var name: String
        var summary: String
        var make: @Sendable (_ options: [String: String]) throws -> any PromptableSegmenter
    }

    static let entries: [Entry] = [
        Entry(name: "grabcut", summary: "GrabCut with the anomaly score as an extra data term (built in, no weights)") { options in
            var numbers: [String: Double] = [:]
            for (k, v) in options {
                guard let d = Double(v) else { throw S2MError(file: nil, .invalid("grabcut option '\(k)' needs a number, got '\(v)'")) }
                numbers[k] = d
            }
            return GrabCutSegmenter(parameters: try GrabCutParameters().applying(numbers))
        },
        SAMCatalog.entry,
    ]

    static func entry(_ name: String) throws -> Entry {
        guard let e = entries.first(where: { $0.name == name }) else {
            throw S2MError(file: nil, .invalid("unknown segmenter '\(name)' (known: \(entries.map(\.name).joined(separator: ", ")))"))
        }
        return e
    }
}

/// Options of the S2M method shared by `s2m run` and `s2m eval`: which generator and segmenter,
/// their settings, how masks are painted. Include with `@OptionGroup var pipeline: PipelineOptions`.
struct PipelineOptions: ParsableArguments {
    @Option(name: .customLong("generator"),
            help: ArgumentHelp("Prompt generator: component-tree (default) or peaks.", valueName: "name"))
    var generator = "component-tree"

    @Option(name: .customLong("generator-option"),
            help: ArgumentHelp("A generator setting, e.g. maximum-growth=0.4 (repeatable; see docs/pipeline.md).", valueName: "key=value"))
    var generatorOptions: [String] = []

    @Option(name: .customLong("segmenter"),
            help: ArgumentHelp("Promptable segmenter: grabcut (default) or sam (with --checkpoint).", valueName: "name"))
    var segmenter = "grabcut"

    @Option(name: .customLong("checkpoint"),
            help: ArgumentHelp("For --segmenter sam: an official SAM or MobileSAM checkpoint (sam_vit_b_01ec64.pth, mobile_sam.pt; docs/models.md).", valueName: "path"))
    var checkpoint: String?

    @Option(name: .customLong("segmenter-option"),
            help: ArgumentHelp("A segmenter setting, e.g. score-weight=0 (repeatable; see docs/pipeline.md).", valueName: "key=value"))
    var segmenterOptions: [String] = []

    @Option(name: .customLong("normalization"),
            help: ArgumentHelp("Score normalisation before prompts and the threshold baseline: none, minmax (default), percentile or percentile:LOW,HIGH.", valueName: "name"),
            transform: { try ScoreNormalization.parse($0) })
    var normalization: ScoreNormalization = .minMax

    @Option(name: .customLong("overlap"),
            help: ArgumentHelp("Where masks overlap: paper (the lower confidence wins, default) or max.", valueName: "policy"))
    var overlap: OverlapPolicy = .paper

    @Option(name: .customLong("mask-confidence"),
            help: ArgumentHelp("Confidence painted per mask: prompt (default, as the paper) or prompt*quality.", valueName: "rule"))
    var maskConfidence: MaskConfidenceRule = .prompt

    @Option(name: .customLong("segment-threads"),
            help: ArgumentHelp("Threads segmenting one image's prompts at once (default: all cores); results do not depend on it.", valueName: "n"))
    var segmentThreads: Int = ProcessInfo.processInfo.activeProcessorCount

    func validate() throws {
        guard segmentThreads >= 1 else { throw ValidationError("--segment-threads must be at least 1") }
    }

    func makeGenerator() throws -> any PromptGenerator {
        let entry = try GeneratorCatalog.entry(generator)
        let values = try ComponentTreeParameters.parseAssignments(generatorOptions)
        do {
            return try entry.make(values, normalization)
        } catch let e as S2MError {
            throw S2MError(file: nil, .invalid("--generator-option: \(e.reason)"))
        }
    }

    func makeSegmenter() throws -> any PromptableSegmenter {
        let entry = try SegmenterCatalog.entry(segmenter)
        var options: [String: String] = [:]
        for item in segmenterOptions {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw S2MError(file: nil, .invalid("--segmenter-option '\(item)' is not KEY=VALUE")) }
            options[parts[0]] = parts[1]
        }
        // --checkpoint belongs to SAM; another chosen segmenter ignores it (the viewer offers SAM beside it).
        if let checkpoint, entry.name == SAMCatalog.entry.name, options["checkpoint"] == nil { options["checkpoint"] = checkpoint }
        do {
            return try entry.make(options)
        } catch let e as S2MError where e.file == nil {
            throw S2MError(file: nil, .invalid("--segmenter-option: \(e.reason)"))
        }
    }

    func makePipeline() throws -> S2MPipeline {
        S2MPipeline(generator: try makeGenerator(), segmenter: try makeSegmenter(), overlap: overlap,
                    maskConfidence: maskConfidence, jobs: segmentThreads)
    }
}

extension OverlapPolicy: ExpressibleByArgument {}
extension MaskConfidenceRule: ExpressibleByArgument {}
