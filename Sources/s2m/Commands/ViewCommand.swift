import ArgumentParser
import Foundation
import S2MCore
import S2MRender
import S2MTerminal
import S2MViewer

/// `s2m view`: the interactive terminal viewer, on one image, a folder, a manifest or a saved session.
struct ViewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "view",
        abstract: "Inspect images, anomaly scores, threshold and S2M masks in the terminal.",
        discussion: """
            One image: s2m view IMAGE --scores S [--label L]. Several: --dataset DIR (a SMIYC, \
            Fishyscapes or RoadAnomaly folder, detected or given with --layout; --scores DIR for \
            score maps kept elsewhere, keyed by image stem) or --manifest FILE (CSV or JSON). Labels \
            use the layout's encoding unless --label-encoding says otherwise. A saved session \
            reopens with --session FILE. Press ? in the viewer for every key; docs/viewer.md has \
            the key map.
            """)

    @Argument(help: "The photo (PNG, JPEG or WebP).")
    var image: String?

    @Option(help: "Anomaly scores of the image (.npy, .npz or PNG); with --dataset or --manifest, a folder of score maps keyed by image stem.")
    var scores: String?

    @Option(help: "Ground-truth label of the image (PNG).")
    var label: String?

    @Option(help: "A dataset folder (SMIYC, Fishyscapes or RoadAnomaly layout).")
    var dataset: String?

    @Option(help: "The dataset's layout: smiyc, fishyscapes or road-anomaly (default: detected).")
    var layout: String?

    @Option(help: "A CSV or JSON manifest of cases (image, scores, label, prompts).")
    var manifest: String?

    @Option(help: "A session saved by the viewer (s) to reopen.")
    var session: String?

    @Option(name: .customLong("label-encoding"),
            help: ArgumentHelp("Label values: smiyc, fishyscapes, road-anomaly or ood=V[,void=W|none] (default: the dataset layout's, else smiyc).",
                               valueName: "encoding"),
            transform: { try LabelEncoding(parsing: $0) })
    var labelEncoding: LabelEncoding?

    @OptionGroup var display: ViewerDisplayOptions
    @OptionGroup var pipeline: PipelineOptions
    @OptionGroup var input: InputOptions

    func validate() throws {
        let sources = [image != nil, dataset != nil, manifest != nil].filter { $0 }.count
        if sources > 1 { throw ValidationError("give one of IMAGE, --dataset or --manifest") }
        if sources == 0 && session == nil { throw ValidationError("give an IMAGE, --dataset, --manifest or --session") }
        if image == nil && label != nil { throw ValidationError("--label goes with an IMAGE") }
        if image == nil && dataset == nil && manifest == nil && scores != nil {
            throw ValidationError("--scores goes with an IMAGE, --dataset or --manifest")
        }
        if layout != nil && dataset == nil { throw ValidationError("--layout goes with --dataset") }
        try display.check()
    }

    func run() throws {
        try ViewerLauncher.run(name: "view") {
            var saved: SessionFile?
            if let session { saved = try SessionFile.read(path: session) }
            var items: [DatasetItem]
            var encoding = labelEncoding ?? .default
            if let image {
                items = [DatasetItem(name: ViewerLauncher.stem(image), image: image, scores: scores, label: label)]
            } else if let dataset {
                let opened = try Dataset.open(root: dataset, layout: try layout.map { try DatasetLayout(parsing: $0) },
                                              scores: scores, allowUnpaired: true)
                items = DatasetDiscovery.items(opened)
                encoding = labelEncoding ?? opened.layout.defaultEncoding
            } else if let manifest {
                items = DatasetDiscovery.items(try Dataset.manifest(manifest, scores: scores, allowUnpaired: true))
            } else {
                items = saved?.items.map(\.datasetItem) ?? []
            }
            return ViewerLauncher.Inputs(items: items, session: saved, sessionPath: session,
                                         encoding: encoding, readOptions: input.readOptions, startTour: false)
        } display: { display } pipeline: { pipeline }
    }
}

/// Display options shared by `s2m view` and `s2m demo`.
struct ViewerDisplayOptions: ParsableArguments {
    @Option(help: "Colours: auto, truecolor, 256, 16 or mono (never above what the terminal supports).")
    var color: String = "auto"

    @Flag(help: "No Unicode: one pixel per cell, ASCII frames.")
    var ascii = false

    @Option(help: "Heatmap colormap: viridis, inferno, magma, turbo or gray.")
    var colormap: String = "viridis"

    @Option(help: "Order of the images: file, worst-s2m, worst-threshold, s2m-loses or gap.")
    var order: String = "file"

    @Option(name: .customLong("save"), help: "Where s saves the session (default: the --session file, else s2m-session.json).")
    var savePath: String?

    @Option(name: .customLong("export-dir"), help: "Where e writes mask PNGs.")
    var exportDirectory: String = "s2m-out"

    @Option(help: "Open this image first (its name: the file stem).")
    var start: String?

    func check() throws {
        if color != "auto" && ColorModeKind(argument: color) == nil {
            throw ValidationError("--color must be auto, truecolor, 256, 16 or mono")
        }
        if Colormap.named(colormap) == nil { throw ValidationError("--colormap must be viridis, inferno, magma, turbo or gray") }
        if DatasetOrder(rawValue: order) == nil {
            throw ValidationError("--order must be one of \(DatasetOrder.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }
}

/// What `view` and `demo` have in common: checking inputs, building the configuration and the
/// backends, running the shell, and reporting how it ended.
enum ViewerLauncher {
    struct Inputs {
        var items: [DatasetItem]
        var session: SessionFile?
        var sessionPath: String?
        var encoding: LabelEncoding
        var readOptions: ReadOptions
        var startTour: Bool
        /// The image to open first when --start does not say.
        var defaultStart: String? = nil
    }

    static func stem(_ path: String) -> String {
        ((path as NSString).lastPathComponent as NSString).deletingPathExtension
    }

    static func run(name: String, inputs makeInputs: () throws -> Inputs, display: () -> ViewerDisplayOptions,
                    pipeline: () -> PipelineOptions) throws {
        let ending: ViewerShell.Ending
        do {
            let inputs = try makeInputs()
            let display = display()
            guard !inputs.items.isEmpty else { throw S2MError(file: nil, .invalid("no images to show")) }
            if let start = display.start, !inputs.items.contains(where: { $0.name == start }) {
                throw S2MError(file: nil, .invalid("--start \(start): no image of that name (e.g. \(inputs.items[0].name))"))
            }
            let names = inputs.items.map(\.name)
            if Set(names).count != names.count {
                let duplicated = Dictionary(grouping: names, by: { $0 }).filter { $1.count > 1 }.keys.sorted()
                throw S2MError(file: nil, .invalid("two images share the name \(duplicated.first!); names must be unique"))
            }
            // Check the first image before taking over the terminal, so that a bad path is a
            // plain one-line error.
            let loader = CaseLoading.loader(options: inputs.readOptions, encoding: inputs.encoding,
                                            promptReader: ViewerBackends.readPrompts)
            _ = try loader(inputs.items[0])
            let backends = try ViewerBackends.make(pipeline())
            let configuration = ViewerConfiguration(
                items: inputs.items, segmenterNames: backends.segmenters.map(\.name),
                generators: backends.promptSources.map(GeneratorDescription.init),
                defaultThreshold: backends.defaultThreshold,
                sessionPath: display.savePath ?? inputs.sessionPath ?? "s2m-session.json",
                exportDirectory: display.exportDirectory, colormap: Colormap.named(display.colormap)!,
                order: DatasetOrder(rawValue: display.order)!, session: inputs.session, startTour: inputs.startTour,
                startItem: display.start ?? inputs.defaultStart)
            ending = try ViewerShell.run(
                configuration: configuration, promptSources: backends.promptSources, segmenters: backends.segmenters,
                loader: loader, requestedColor: display.color == "auto" ? nil : ColorModeKind(argument: display.color),
                ascii: display.ascii)
        } catch let error as S2MError {
            FileHandle.standardError.write(Data("s2m \(name): \(error)\n".utf8))
            throw ExitCode(1)
        }
        switch ending {
        case .quit:
            return
        case .endOfInput:
            FileHandle.standardError.write(Data("s2m \(name): the terminal closed its input\n".utf8))
            throw ExitCode(1)
        case .signal(let sig):
            throw ExitCode(128 + sig)
        }
    }
}

/// The prompt generators and segmenters the viewer offers: every entry of the pipeline's
/// catalogs, the ones chosen with --generator / --segmenter first (with their options). SAM
/// backends join through the segmenter catalog; the viewer only sees `any PromptableSegmenter`.
enum ViewerBackends {
    struct Backends {
        var promptSources: [any TunablePromptSource]
        var segmenters: [any PromptableSegmenter]
        var defaultThreshold: @Sendable (ScoreMap) -> Float
    }

    /// A catalog generator as the viewer's form sees it; values given on the command line
    /// become the form's defaults.
    struct CatalogSource: TunablePromptSource {
        var entry: GeneratorCatalog.Entry
        var given: [String: Double]
        var normalization: ScoreNormalization

        var name: String { entry.name }
        var parameters: [ParameterSpec] {
            entry.specs.map { spec in
                var s = spec
                if let v = given[spec.key] { s.defaultValue = v }
                return s
            }
        }
        func generator(values: [String: Double]) throws -> any PromptGenerator {
            try entry.make(values, normalization)
        }
    }

    static func make(_ pipeline: PipelineOptions) throws -> Backends {
        let chosen = try GeneratorCatalog.entry(pipeline.generator)
        let given = try ComponentTreeParameters.parseAssignments(pipeline.generatorOptions)
        _ = try pipeline.makeGenerator()  // checks the options
        var sources: [any TunablePromptSource] = [CatalogSource(entry: chosen, given: given, normalization: pipeline.normalization)]
        for entry in GeneratorCatalog.entries where entry.name != chosen.name {
            sources.append(CatalogSource(entry: entry, given: [:], normalization: pipeline.normalization))
        }
        // --checkpoint belongs to SAM: the chosen segmenter gets it only when it is SAM, and SAM
        // then also joins the list beside it (below).
        var chosenOptions = pipeline
        if pipeline.segmenter != SAMCatalog.entry.name { chosenOptions.checkpoint = nil }
        var segmenters: [any PromptableSegmenter] = [try chosenOptions.makeSegmenter()]
        for entry in SegmenterCatalog.entries where entry.name != pipeline.segmenter {
            // --checkpoint also offers SAM beside another chosen segmenter.
            let options = entry.name == SAMCatalog.entry.name ? pipeline.checkpoint.map { ["checkpoint": $0] } ?? [:] : [:]
            if let segmenter = try? entry.make(options) { segmenters.append(segmenter) }
        }
        return Backends(promptSources: sources, segmenters: segmenters, defaultThreshold: otsuOrMiddle)
    }

    /// Otsu's threshold of the scores (the baseline's usual automatic choice), or the middle of
    /// the score range for a constant map.
    static let otsuOrMiddle: @Sendable (ScoreMap) -> Float = { scores in
        ThresholdRule.otsu.threshold(for: scores) ?? ViewerConfiguration.midRange(scores)
    }

    /// Reads an s2m prompts file, checked against the image's size.
    static let readPrompts: CaseLoading.PromptReader = { path, size in
        let file = try PromptsFile.read(path: path)
        try file.checkSize(size, file: path)
        return file.prompts
    }
}

/// Datasets through S2MCore's readers (layouts and manifests, files paired by name).
enum DatasetDiscovery {
    static func items(_ dataset: Dataset) -> [DatasetItem] {
        dataset.cases.map { DatasetItem(name: $0.name, image: $0.image, scores: $0.scores, label: $0.label, prompts: $0.prompts) }
    }
}
