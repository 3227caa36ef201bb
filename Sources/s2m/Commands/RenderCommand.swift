import ArgumentParser
import Foundation
import S2MCore
import S2MRender
import S2MTerminal
import S2MViewer

/// `s2m render`: one panel as ANSI half-block art on stdout, for logs, CI, docs and slides.
struct RenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Print one panel (image, scores, threshold, s2m, label, diff) as ANSI half-block art.",
        discussion: """
            The s2m panel runs the S2M pipeline (--generator, --segmenter and their options, as in \
            s2m run) or uses --prompts. Each character cell shows two pixels stacked (▀): every pixel is the area average of the \
            image pixels it covers, and image pixels stay square. Without --width the terminal's \
            width is used (80 when stdout is not a terminal); with --height the picture fits in \
            WIDTHxHEIGHT cells. Colours follow the terminal (COLORTERM, TERM, NO_COLOR) unless \
            --color says otherwise.
            """)

    @Argument(help: "The photo (PNG, JPEG or WebP).")
    var image: String

    @Option(help: "Anomaly scores (.npy, .npz or PNG), the image's size.")
    var scores: String?

    @Option(help: "Ground-truth label (PNG), the image's size.")
    var label: String?

    @Option(help: "Prompts (an s2m prompts JSON file) for the s2m panel instead of the generator.")
    var prompts: String?

    @Option(help: "What the diff panel compares with the label: s2m or threshold.")
    var diff: DiffSource = .s2m

    @Option(help: "Highlight this prompt (1 = the first) on the s2m panel, with its own mask and confidence.")
    var select: Int?

    @Option(help: "What to draw: image, scores, threshold, s2m, label or diff.")
    var panel: PanelKind = .image

    @Option(help: "Width in character cells.")
    var width: Int?

    @Option(help: "Height in character cells (the picture fits in width x height).")
    var height: Int?

    @Option(help: "Colours: auto, truecolor, 256, 16 or mono.")
    var color: String = "auto"

    @Option(help: "Heatmap colormap: viridis, inferno, magma, turbo or gray.")
    var colormap: String = "viridis"

    @Option(help: "Threshold of the baseline (threshold and diff panels); default: the middle of the score range.")
    var threshold: Float?

    @Flag(help: "Fill the whole width x height, ignoring the image's aspect ratio (like chafa --stretch).")
    var stretch = false

    @Flag(help: "No Unicode: one pixel per cell (the fallback for terminals without UTF-8).")
    var ascii = false

    @Flag(name: .customLong("no-color-bar"), help: "Leave out the colour bar under the scores panel.")
    var noColorBar = false

    @OptionGroup var pipeline: PipelineOptions
    @OptionGroup var input: InputOptions
    @OptionGroup var labels: LabelEncodingOptions

    func validate() throws {
        if let width, width < 1 || width > 10_000 { throw ValidationError("--width must be between 1 and 10000") }
        if let height, height < 1 || height > 10_000 { throw ValidationError("--height must be between 1 and 10000") }
        if color != "auto" && ColorModeKind(argument: color) == nil {
            throw ValidationError("--color must be auto, truecolor, 256, 16 or mono")
        }
        if Colormap.named(colormap) == nil { throw ValidationError("--colormap must be viridis, inferno, magma, turbo or gray") }
        if stretch && height == nil { throw ValidationError("--stretch needs --height") }
    }

    func run() throws {
        do {
            try render()
        } catch let error as S2MError {
            FileHandle.standardError.write(Data("s2m render: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }

    func render() throws {
        let utf8 = TerminalCapabilities.setUpLocale()
        let geometry: CellGeometry = ascii || !utf8 ? .fullCell : .halfBlock
        let mode = color == "auto" ? ColorModeKind.detect(environment: TerminalCapabilities.environment)
            : ColorModeKind(argument: color)!
        let item = DatasetItem(name: "image", image: image, scores: scores, label: label, prompts: prompts)
        let data = try CaseLoading.load(item, options: input.readOptions, encoding: labels.labelEncoding,
                                        promptReader: ViewerBackends.readPrompts)
        var scene = try RenderScene.make(data, panel: panel, threshold: threshold, files: item, diff: diff)
        if panel == .s2m || (panel == .diff && diff == .s2m) {
            let result = try pipeline.makePipeline().run(image: data.image, scores: data.scores, prompts: data.prompts)
            scene.s2mMask = Versioned(result.mask)
            scene.prompts = result.prompts.map { PromptMarker(prompt: $0) }
            if let select {
                guard (1...max(result.prompts.count, 1)).contains(select), !result.prompts.isEmpty else {
                    throw S2MError(file: nil, .invalid("--select \(select): there \(result.prompts.count == 1 ? "is 1 prompt" : "are \(result.prompts.count) prompts")"))
                }
                scene.selectedPrompt = select - 1
                scene.selectedMask = Versioned(result.segmentations[select - 1].mask)
            }
        }
        let columns = width ?? TerminalCapabilities.size()?.columns ?? 80
        let options = RenderOptions(colorMode: mode, geometry: geometry, colormap: Colormap.named(colormap)!,
                                    stretch: stretch, colorBar: !noColorBar)
        let barRows = panel == .scores && !noColorBar ? 1 : 0
        let rows: Int
        if let height {
            rows = height
        } else {
            // The rows the picture needs at this width (square pixels), plus the colour bar.
            let pixelsHigh = Double(columns) * Double(data.image.height) / Double(max(data.image.width, 1))
            rows = max(Int((pixelsHigh / geometry.pixelAspect / Double(geometry.pixelsPerRow)).rounded(.up)), 1) + barRows
        }
        var panelGrid = PanelRenderer(options: options).render(panel, scene: scene, columns: columns, rows: rows).grid
        if height == nil { panelGrid = RenderScene.trimmingBlankRows(panelGrid) }
        RenderScene.writeToStandardOutput(ANSIWriter.bytes(panelGrid))
    }
}

extension PanelKind: ExpressibleByArgument {}
extension DiffSource: ExpressibleByArgument {}

/// The scene `s2m render` draws: the data of one image and the panel's derived masks.
enum RenderScene {
    static func make(_ data: LoadedCase, panel: PanelKind, threshold: Float?, files: DatasetItem, diff: DiffSource) throws -> Scene {
        var scene = Scene(image: Versioned(data.image))
        if let scores = data.scores {
            scene.scores = Versioned(scores)
            scene.scoreRange = Scene.defaultScoreRange(scores)
            let t = threshold ?? ViewerBackends.otsuOrMiddle(scores)
            scene.threshold = t
            scene.thresholdMask = Versioned(scores.map { $0 > t })
        }
        scene.groundTruth = data.groundTruth.map { Versioned($0) }
        scene.void = data.void.map { Versioned($0) }
        switch panel {
        case .scores, .threshold:
            if data.scores == nil { throw S2MError(file: nil, .invalid("the \(panel.rawValue) panel needs --scores")) }
        case .label:
            if data.groundTruth == nil { throw S2MError(file: nil, .invalid("the label panel needs --label")) }
        case .diff:
            if data.groundTruth == nil { throw S2MError(file: nil, .invalid("the diff panel needs --label")) }
            if data.scores == nil && (diff == .threshold || data.prompts == nil) {
                throw S2MError(file: nil, .invalid("the diff panel needs --scores\(diff == .s2m ? " (or --prompts)" : "")"))
            }
            scene.diffSource = diff
        case .s2m:
            if data.scores == nil && data.prompts == nil {
                throw S2MError(file: nil, .invalid("the s2m panel needs --scores (or --prompts)"))
            }
        case .image:
            break
        }
        return scene
    }

    /// Writes all of `bytes` to stdout (retrying short writes; a closed pipe ends quietly).
    static func writeToStandardOutput(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = write(STDOUT_FILENO, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += n
            }
        }
    }

    /// Drops blank rows left above and below a letterboxed picture.
    static func trimmingBlankRows(_ grid: CellGrid) -> CellGrid {
        func blank(_ y: Int) -> Bool { (0..<grid.width).allSatisfy { grid[$0, y] == .blank } }
        var top = 0, bottom = grid.height
        while top < bottom && blank(top) { top += 1 }
        while bottom > top && blank(bottom - 1) { bottom -= 1 }
        guard top > 0 || bottom < grid.height else { return grid }
        var out = CellGrid(width: grid.width, height: bottom - top)
        out.blit(grid, x: 0, y: -top)
        return out
    }
}
