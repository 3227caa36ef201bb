import ArgumentParser
import Foundation
import S2MCore
import Synchronization

/// `s2m eval`: methods x metrics on a dataset (the paper's protocol and the SMIYC metrics), and
/// `s2m eval merge` for shards.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate methods on a dataset: the paper's IoU/AuIoU/mean F1 and the SMIYC pixel and component metrics.",
        discussion: """
            s2m eval --dataset DIR [--layout smiyc|fishyscapes|road-anomaly] [--scores DIR] --methods threshold,s2m
            s2m eval --manifest cases.csv --methods threshold,map:mine=outputs/
            s2m eval --dataset DIR --shard 3/8 --partial part3.s2mpart     (one job of an array)
            s2m eval merge part*.s2mpart --json results.json               (exactly a single run's numbers)

            Every option: s2m eval run --help. Metric definitions, layouts and sharding: docs/evaluation.md.
            """,
        subcommands: [EvalRunCommand.self, EvalMergeCommand.self],
        defaultSubcommand: EvalRunCommand.self)
}

/// Where the results go; shared by `eval` and `eval merge`.
struct EvalOutputOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Write the results as JSON (dataset-level and per-image; '-' for stdout).", valueName: "file"))
    var json: String?

    @Option(help: ArgumentHelp("Write the results as CSV (a 'dataset' row per method, then 'image' rows; '-' for stdout).", valueName: "file"))
    var csv: String?

    func write(_ report: EvaluationReport, protecting inputs: [String]) throws {
        if let json {
            let data = try report.json()
            if json == "-" { FileHandle.standardOutput.write(data + Data("\n".utf8)) } else {
                try AtomicFileWriter.write(data + Data("\n".utf8), to: json, protecting: inputs, createDirectories: true)
            }
        }
        if let csv {
            let data = Data(report.csv().utf8)
            if csv == "-" { FileHandle.standardOutput.write(data) } else {
                try AtomicFileWriter.write(data, to: csv, protecting: inputs, createDirectories: true)
            }
        }
    }

    /// The table goes to stdout unless stdout carries JSON or CSV.
    var tableOnStdout: Bool { json != "-" && csv != "-" }
}

/// Prints an error the s2m way and exits with status 1.
func failEval(_ command: String, _ error: Error) -> ExitCode {
    FileHandle.standardError.write(Data("s2m \(command): \(error)\n".utf8))
    return ExitCode(1)
}

struct EvalRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Evaluate methods on a dataset (the default subcommand of eval).")

    @Option(help: ArgumentHelp("A dataset folder (SMIYC, Fishyscapes or RoadAnomaly layout).", valueName: "dir"))
    var dataset: String?

    @Option(help: ArgumentHelp("A CSV or JSON manifest of cases (image, scores, label, prompts).", valueName: "file"))
    var manifest: String?

    @Option(help: "The dataset layout: smiyc, fishyscapes, road-anomaly (default: detected from the folders).",
            transform: { try DatasetLayout(parsing: $0) })
    var layout: DatasetLayout?

    @Option(help: ArgumentHelp("A folder of score maps keyed by image stem (<stem>.npy|.npz|.png).", valueName: "dir"))
    var scores: String?

    @Option(help: ArgumentHelp("Methods to compare, comma-separated: threshold, s2m (with the pipeline options below), map:NAME=DIR (maps computed elsewhere, e.g. by s2m run).",
                               valueName: "list"))
    var methods: String = "threshold,s2m"

    @Option(name: .customLong("detections"), help: ArgumentHelp("For s2m: boxes from COCO-format detector results (e.g. detectron2's coco_instances_results.json), matched to images by file name, instead of the generator.", valueName: "file"))
    var detections: String?

    @Option(name: .customLong("coco-annotations"), help: ArgumentHelp("A COCO annotations file mapping image ids to file names, for --detections.", valueName: "file"))
    var cocoAnnotations: String?

    @Option(name: .customLong("min-detection-score"), help: "With --detections: keep boxes scoring above this.")
    var minDetectionScore: Double = 0.05

    @Option(name: .customLong("max-detections"), help: "With --detections: at most this many boxes per image.")
    var maxDetections: Int = 100

    @Option(name: .customLong("label-encoding"),
            help: ArgumentHelp("Label values: smiyc, fishyscapes, road-anomaly or ood=V[,void=W|none] (default: the layout's).", valueName: "encoding"),
            transform: { try LabelEncoding(parsing: $0) })
    var labelEncoding: LabelEncoding?

    @Flag(name: .customLong("allow-other-labels"), help: "Count label values the encoding does not define as in-distribution instead of failing.")
    var allowOtherLabels = false

    @Option(help: "Void in the paper's protocol: paper (background, as the paper's code) or ignore.")
    var void: VoidHandlingArgument = .paper

    @Option(help: "Component size filters: anomaly (500/100 px), obstacle (50/10 px) or PRED/GT.",
            transform: { try ComponentFilter(parsing: $0) })
    var track: ComponentFilter = .anomalyTrack

    @Option(name: .customLong("component-threshold"),
            help: ArgumentHelp("METHOD=T: binarise METHOD's map at map >= T for the component metrics (default: the best pixel-F1 threshold; needed with --shard).",
                               valueName: "method=t"))
    var componentThresholds: [String] = []

    @Option(name: .customLong("threshold-scaling"), help: "How the threshold method scales scores to [0,1]: dataset (one min-max for all images), image, none.")
    var thresholdScaling: ScalingArgument = .dataset

    @Option(name: .customLong("score-range"), help: ArgumentHelp("LO,HI: the dataset score range for --threshold-scaling dataset (default: read from all score maps).", valueName: "lo,hi"))
    var scoreRange: String?

    @Option(help: ArgumentHelp("Save each method's outputs under DIR/<method>/ (<name>_map.npy, <name>_mask.png, ...).", valueName: "dir"))
    var save: String?

    @Option(help: "Worker threads (default: all cores).")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: ArgumentHelp("Evaluate only shard K of N (images i with i % N == K-1) and write its partial counts to --partial.", valueName: "k/n"),
            transform: { try ShardSpec(parsing: $0) })
    var shard: ShardSpec?

    @Option(help: ArgumentHelp("Where to write the shard's partial counts (for s2m eval merge).", valueName: "file"))
    var partial: String?

    @Flag(name: .customLong("allow-unpaired"), help: "Ignore score files that match no image instead of failing.")
    var allowUnpaired = false

    @Option(help: "Progress on stderr: auto (a bar on a terminal, lines otherwise), bar, lines, none.")
    var progress: ProgressReporter.Mode = .auto

    @OptionGroup var output: EvalOutputOptions
    @OptionGroup var pipeline: PipelineOptions
    @OptionGroup var input: InputOptions

    enum VoidHandlingArgument: String, ExpressibleByArgument, CaseIterable {
        case paper, ignore
        var value: VoidHandling { self == .paper ? .paper : .ignore }
    }

    enum ScalingArgument: String, ExpressibleByArgument, CaseIterable {
        case dataset, image, none
    }

    func validate() throws {
        if (dataset == nil) == (manifest == nil) { throw ValidationError("give one of --dataset DIR or --manifest FILE") }
        if layout == .manifest { throw ValidationError("use --manifest FILE for manifests") }
        if jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        if shard != nil && partial == nil { throw ValidationError("--shard needs --partial FILE for the partial counts") }
        if partial != nil && shard == nil { throw ValidationError("--partial goes with --shard K/N") }
        if scoreRange != nil && thresholdScaling != .dataset { throw ValidationError("--score-range goes with --threshold-scaling dataset") }
        if cocoAnnotations != nil && detections == nil { throw ValidationError("--coco-annotations goes with --detections") }
        guard maxDetections >= 0 else { throw ValidationError("--max-detections must be >= 0") }
        guard minDetectionScore.isFinite, minDetectionScore >= 0, minDetectionScore < 1 else {
            throw ValidationError("--min-detection-score must be in [0, 1)")
        }
    }

    func run() throws {
        do {
            try evaluate()
        } catch let exit as ExitCode {
            throw exit
        } catch {
            throw failEval("eval", error)
        }
    }

    func evaluate() throws {
        let options = input.readOptions
        var ds: Dataset
        if let manifest {
            ds = try Dataset.manifest(manifest, scores: scores, allowUnpaired: allowUnpaired)
        } else {
            ds = try Dataset.open(root: dataset!, layout: layout, scores: scores, allowUnpaired: allowUnpaired)
        }
        try ds.requireLabels()
        let settings = EvaluationSettings(encoding: labelEncoding ?? ds.layout.defaultEncoding,
                                          allowOtherLabels: allowOtherLabels, void: void.value, components: track,
                                          componentThresholds: try parseComponentThresholds())
        let methodList = try makeMethods(ds, options: options)
        if methodList.contains(where: { $0.needsScores }) { try ds.requireScores() }
        let indices = shard?.indices(of: ds.cases.count) ?? Array(ds.cases.indices)
        let reporter = ProgressReporter(mode: progress, prefix: "s2m eval")
        let stop = Atomic<Bool>(false)
        let interrupts = InterruptHandler {
            stop.store(true, ordering: .relaxed)
            reporter.note("s2m eval: stopping after the images in progress (Ctrl-C again to quit at once)")
        }
        let engine = EvaluationEngine(dataset: ds, methods: methodList, settings: settings, readOptions: options,
                                      saveDirectory: save, promptsReader: { path, size in
                                          let file = try PromptsFile.read(path: path)
                                          try file.checkSize(size, file: path)
                                          return file.prompts
                                      })
        let outcome = try interrupts.run {
            try engine.run(indices: indices, jobs: jobs, completeComponents: shard == nil,
                           progress: { p in reporter.update(phase: p.phase, done: p.done, total: p.total, item: p.image) },
                           isCancelled: { stop.load(ordering: .relaxed) })
        }
        reporter.finish()
        let inputs = ds.cases.flatMap { [$0.image, $0.scores, $0.label, $0.prompts].compactMap { $0 } }
        if let shard, let partial {
            try EvaluationPartial(dataset: ds, settings: settings, shard: shard, outcome: outcome).write(to: partial, protecting: inputs)
            FileHandle.standardError.write(Data("s2m eval: shard \(shard): \(outcome.evaluated.count) images, partial counts in \(partial)\n".utf8))
        }
        let report = EvaluationReport(dataset: DatasetIdentity(ds), settings: settings, results: outcome.results,
                                      evaluated: outcome.evaluated, cancelled: outcome.cancelled, scoresSource: ds.scoresSource)
        if output.tableOnStdout {
            if shard != nil { print("shard \(shard!) only: merge all shards with s2m eval merge for the dataset's numbers") }
            print(report.table(), terminator: "")
        }
        try output.write(report, protecting: inputs)
        if outcome.cancelled { throw ExitCode(130) }
    }

    func parseComponentThresholds() throws -> [String: Float] {
        var out: [String: Float] = [:]
        for item in componentThresholds {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let t = Float(parts[1]), t.isFinite else {
                throw ValidationError("--component-threshold '\(item)': expected METHOD=T, e.g. threshold=0.42")
            }
            out[parts[0]] = t
        }
        return out
    }

    func makeMethods(_ ds: Dataset, options: ReadOptions) throws -> [any EvaluationMethod] {
        var list: [any EvaluationMethod] = []
        for spec in methods.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !spec.isEmpty {
            let method: any EvaluationMethod
            if spec == "threshold" {
                let scaling: ThresholdScaling
                switch thresholdScaling {
                case .none: scaling = .none
                case .image: scaling = .image
                case .dataset:
                    if let scoreRange {
                        let v = scoreRange.split(separator: ",").map { Float($0.trimmingCharacters(in: .whitespaces)) }
                        guard v.count == 2, let lo = v[0], let hi = v[1], lo < hi else {
                            throw ValidationError("--score-range '\(scoreRange)': expected LO,HI with LO < HI")
                        }
                        scaling = .dataset(lo: lo, hi: hi)
                    } else {
                        try ds.requireScores()
                        let r = try ThresholdMethod.datasetRange(ds.cases, options: options)
                        scaling = .dataset(lo: r.lo, hi: r.hi)
                    }
                }
                method = ThresholdMethod(scaling: scaling)
            } else if spec == "s2m" {
                var selection = DetectionResults.Selection()
                selection.minimumScore = minDetectionScore
                selection.maximumCount = maxDetections
                let results = try detections.map { try DetectionResults.read(path: $0, annotations: cocoAnnotations) }
                var details = "generator \(pipeline.generator)\(pipeline.generatorOptions.isEmpty ? "" : " (" + pipeline.generatorOptions.joined(separator: ", ") + ")"), "
                    + "segmenter \(pipeline.segmenter)\(pipeline.segmenterOptions.isEmpty ? "" : " (" + pipeline.segmenterOptions.joined(separator: ", ") + ")"), "
                    + "normalization \(pipeline.normalization), overlap \(pipeline.overlap.rawValue), mask confidence \(pipeline.maskConfidence.rawValue)"
                if let detections { details += "; prompts from \(detections)" }
                if ds.cases.contains(where: { $0.prompts != nil }) { details += "; prompts files from the manifest where given" }
                method = S2MMethod(pipeline: try pipeline.makePipeline(), details: details, detections: results, selection: selection)
            } else if spec.hasPrefix("map:") {
                let body = spec.dropFirst(4)
                let parts = body.split(separator: "=", maxSplits: 1).map(String.init)
                let folder = parts.count == 2 ? parts[1] : parts[0]
                let name = parts.count == 2 ? parts[0] : "map:" + DatasetPaths.lastComponent(folder)
                guard DirectoryListing.isDirectory(folder) else { throw S2MError(file: folder, .invalid("--methods \(spec): not a folder")) }
                method = PrecomputedMethod(name: name, folder: folder, options: options)
            } else {
                throw ValidationError("unknown method '\(spec)' (use threshold, s2m or map:NAME=DIR)")
            }
            guard !list.contains(where: { $0.name == method.name }) else { throw ValidationError("method \(method.name) given twice") }
            list.append(method)
        }
        guard !list.isEmpty else { throw ValidationError("--methods lists no method") }
        return list
    }
}

extension ProgressReporter.Mode: ExpressibleByArgument {}

struct EvalMergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Merge the partial counts of shards (s2m eval --shard K/N --partial FILE) into the dataset's numbers.",
        discussion: """
            The result equals a single run over all images exactly. Methods without a mask of their own \
            (threshold) need the dataset's best pixel-F1 threshold for their component metrics: the merge \
            prints it; rerun the shards with --component-threshold METHOD=T and merge again.
            """)

    @Argument(help: "Partial files written by s2m eval --shard.")
    var files: [String]

    @Flag(name: .customLong("allow-incomplete"), help: "Merge even when some images of the dataset are in no file.")
    var allowIncomplete = false

    @OptionGroup var output: EvalOutputOptions

    func run() throws {
        do {
            let parts = try files.map { (path: $0, partial: try EvaluationPartial(reading: $0)) }
            let merged = try EvaluationPartial.merge(parts, allowIncomplete: allowIncomplete)
            let report = EvaluationReport(dataset: merged.header.dataset, settings: merged.header.settings,
                                          results: merged.results, evaluated: merged.header.evaluated,
                                          cancelled: merged.header.cancelled)
            if output.tableOnStdout {
                if !merged.missing.isEmpty { print("incomplete: \(merged.missing.count) of \(merged.header.dataset.caseCount) images are missing") }
                print(report.table(), terminator: "")
                for s in report.summaries where s.binarisation == .pending {
                    if let t = s.pixel.bestF1Threshold {
                        print("component metrics of \(s.name): rerun the shards with --component-threshold \(s.name)=\(t) and merge again")
                    }
                }
            }
            try output.write(report, protecting: files)
        } catch let exit as ExitCode {
            throw exit
        } catch {
            throw failEval("eval merge", error)
        }
    }
}
