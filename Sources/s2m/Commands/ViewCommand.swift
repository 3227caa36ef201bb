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
            One image: s2m view IMAGE --scores S [--label L]. Several: --dataset DIR (images with \
            <stem>.npy / <stem>_scores.npy scores and <stem>_label.png or RoadAnomaly's \
            <stem>.labels/labels_semantic.png labels) or --manifest FILE (CSV: image,scores,label). \
            A saved session reopens with --session FILE. Press ? in the viewer for every key; \
            docs/viewer.md has the key map.
            """)

    @Argument(help: "The photo (PNG, JPEG or WebP).")
    var image: String?

    @Option(help: "Anomaly scores of the image (.npy, .npz or PNG).")
    var scores: String?

    @Option(help: "Ground-truth label of the image (PNG).")
    var label: String?

    @Option(help: "A folder of images with scores and labels beside them.")
    var dataset: String?

    @Option(help: "A CSV manifest: image,scores[,label] per line (paths relative to the manifest).")
    var manifest: String?

    @Option(help: "A session saved by the viewer (s) to reopen.")
    var session: String?

    @OptionGroup var display: ViewerDisplayOptions
    @OptionGroup var input: InputOptions
    @OptionGroup var labels: LabelEncodingOptions

    func validate() throws {
        let sources = [image != nil, dataset != nil, manifest != nil].filter { $0 }.count
        if sources > 1 { throw ValidationError("give one of IMAGE, --dataset or --manifest") }
        if sources == 0 && session == nil { throw ValidationError("give an IMAGE, --dataset, --manifest or --session") }
        if image == nil && (scores != nil || label != nil) {
            throw ValidationError("--scores and --label go with an IMAGE")
        }
        try display.check()
    }

    func run() throws {
        try ViewerLauncher.run(name: "view") {
            var saved: SessionFile?
            if let session { saved = try SessionFile.read(path: session) }
            var items: [DatasetItem]
            if let image {
                items = [DatasetItem(name: ViewerLauncher.stem(image), image: image, scores: scores, label: label)]
            } else if let dataset {
                items = try DatasetDiscovery.folder(dataset)
            } else if let manifest {
                items = try DatasetDiscovery.manifest(manifest)
            } else {
                items = saved?.items.map(\.datasetItem) ?? []
            }
            return ViewerLauncher.Inputs(items: items, session: saved, sessionPath: session,
                                         encoding: labels.labelEncoding, readOptions: input.readOptions,
                                         startTour: false)
        } display: { display }
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
    }

    static func stem(_ path: String) -> String {
        ((path as NSString).lastPathComponent as NSString).deletingPathExtension
    }

    static func run(name: String, inputs makeInputs: () throws -> Inputs, display: () -> ViewerDisplayOptions) throws {
        let ending: ViewerShell.Ending
        do {
            let inputs = try makeInputs()
            let display = display()
            guard !inputs.items.isEmpty else { throw S2MError(file: nil, .invalid("no images to show")) }
            let names = inputs.items.map(\.name)
            if Set(names).count != names.count {
                let duplicated = Dictionary(grouping: names, by: { $0 }).filter { $1.count > 1 }.keys.sorted()
                throw S2MError(file: nil, .invalid("two images share the name \(duplicated.first!); names must be unique"))
            }
            // Check the first image before taking over the terminal, so that a bad path is a
            // plain one-line error.
            let loader = CaseLoading.loader(options: inputs.readOptions, encoding: inputs.encoding)
            _ = try loader(inputs.items[0])
            let backends = ViewerBackends.make()
            let configuration = ViewerConfiguration(
                items: inputs.items, segmenterNames: backends.segmenters.map(\.name),
                generatorName: backends.promptSource?.name,
                generatorParameters: backends.promptSource?.parameters ?? [],
                defaultThreshold: backends.defaultThreshold,
                sessionPath: display.savePath ?? inputs.sessionPath ?? "s2m-session.json",
                exportDirectory: display.exportDirectory, colormap: Colormap.named(display.colormap)!,
                order: DatasetOrder(rawValue: display.order)!, session: inputs.session, startTour: inputs.startTour)
            ending = try ViewerShell.run(
                configuration: configuration, promptSource: backends.promptSource, segmenters: backends.segmenters,
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

/// The prompt generator and segmenters the viewer offers. SAM backends join the list here; the
/// viewer itself only sees `any PromptableSegmenter`.
enum ViewerBackends {
    struct Backends {
        var promptSource: (any TunablePromptSource)?
        var segmenters: [any PromptableSegmenter]
        var defaultThreshold: @Sendable (ScoreMap) -> Float
    }

    static func make() -> Backends {
        Backends(promptSource: nil, segmenters: [], defaultThreshold: ViewerConfiguration.midRange)
    }
}

/// Finding images and their scores and labels.
enum DatasetDiscovery {
    static let imageExtensions: Set<String> = ["png", "jpg", "jpeg", "webp"]

    /// The images of a folder (sorted by name) with scores and labels found beside them.
    static func folder(_ path: String) throws -> [DatasetItem] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw S2MError(file: path, .missingFile)
        }
        guard isDirectory.boolValue else { throw S2MError(file: path, .invalid("not a folder")) }
        let fm = FileManager.default
        let names = try fm.contentsOfDirectory(atPath: path).sorted()
        func exists(_ name: String) -> String? {
            let p = (path as NSString).appendingPathComponent(name)
            return fm.fileExists(atPath: p) ? p : nil
        }
        var items = [DatasetItem]()
        for name in names {
            let ext = (name as NSString).pathExtension.lowercased()
            let stem = (name as NSString).deletingPathExtension
            guard imageExtensions.contains(ext) else { continue }
            if ["_label", "_labels", "_labels_semantic", "_scores", "_mask", "_gt"].contains(where: { stem.hasSuffix($0) }) { continue }
            let scores = ["\(stem)_scores.npy", "\(stem).npy", "\(stem)_scores.npz", "\(stem).npz", "\(stem)_scores.png",
                          "scores/\(stem).npy", "scores/\(stem).npz"].lazy.compactMap(exists).first
            let label = ["\(stem)_label.png", "\(stem)_labels.png", "\(stem)_labels_semantic.png",
                         "\(stem).labels/labels_semantic.png", "labels/\(stem).png"].lazy.compactMap(exists).first
            items.append(DatasetItem(name: stem, image: (path as NSString).appendingPathComponent(name),
                                     scores: scores, label: label))
        }
        guard !items.isEmpty else { throw S2MError(file: path, .invalid("no images (PNG, JPEG, WebP) in this folder")) }
        return items
    }

    /// A CSV manifest: `image,scores[,label]` per line; a header line naming the columns is
    /// skipped; paths are relative to the manifest's folder.
    static func manifest(_ path: String) throws -> [DatasetItem] {
        let data = try InputFile.read(path)
        guard let text = String(data: data, encoding: .utf8) else { throw S2MError(file: path, .corrupt("not UTF-8 text")) }
        let base = (path as NSString).deletingLastPathComponent
        func resolve(_ p: String) -> String? {
            let t = p.trimmingCharacters(in: .whitespaces)
            if t.isEmpty { return nil }
            return t.hasPrefix("/") ? t : (base as NSString).appendingPathComponent(t)
        }
        var items = [DatasetItem]()
        for (number, line) in text.split(whereSeparator: \.isNewline).enumerated() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            if number == 0 && fields.first?.trimmingCharacters(in: .whitespaces).lowercased() == "image" { continue }
            if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            guard let image = fields.first.flatMap(resolve) else {
                throw S2MError(file: path, .invalid("line \(number + 1): no image"))
            }
            items.append(DatasetItem(name: ViewerLauncher.stem(image), image: image,
                                     scores: fields.count > 1 ? resolve(fields[1]) : nil,
                                     label: fields.count > 2 ? resolve(fields[2]) : nil))
        }
        guard !items.isEmpty else { throw S2MError(file: path, .invalid("the manifest lists no images")) }
        return items
    }
}
