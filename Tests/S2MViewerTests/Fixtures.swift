import Foundation
import S2MCore
import S2MRender
@testable import S2MViewer

/// A segmenter for tests: a box prompt gives the box's pixels (shrunk by `inset`), each positive
/// point adds a 3x3 square, each negative point removes one.
struct RectSegmenter: PromptableSegmenter {
    var name: String
    var inset: Int = 0

    func prepare(image: RGBImage, scores: ScoreMap?) throws -> any SegmentationSession {
        RectSession(width: image.width, height: image.height, inset: inset)
    }
}

final class RectSession: SegmentationSession {
    let width: Int, height: Int, inset: Int
    init(width: Int, height: Int, inset: Int) {
        self.width = width
        self.height = height
        self.inset = inset
    }

    func segment(_ prompt: Prompt) throws -> Segmentation {
        var mask = Mask(width: width, height: height, repeating: false)
        if let box = prompt.box {
            for y in (Int(box.y0) + inset)..<max(Int(box.y1) - inset, Int(box.y0) + inset)
            where y >= 0 && y < height {
                for x in (Int(box.x0) + inset)..<max(Int(box.x1) - inset, Int(box.x0) + inset)
                where x >= 0 && x < width { mask[x, y] = true }
            }
        }
        for point in prompt.points {
            let cx = Int(point.x), cy = Int(point.y)
            for y in (cy - 1)...(cy + 1) {
                for x in (cx - 1)...(cx + 1) where mask.contains(x: x, y: y) { mask[x, y] = point.isPositive }
            }
        }
        return Segmentation(mask: mask, quality: 1)
    }
}

/// A generator for tests: `count` boxes of 8x8 pixels along the top, confidence 1, 0.9, ...
struct StripGenerator: PromptGenerator {
    var count: Int
    var name: String { "strip" }
    func prompts(scores: ScoreMap, image: RGBImage?) throws -> [Prompt] {
        var out = [Prompt]()
        for k in 0..<count {
            let x0 = Double(k * 10)
            let box = Box(x0: x0, y0: 0, x1: x0 + 8, y1: 8)
            out.append(Prompt(box: box, confidence: 1.0 - 0.1 * Double(k), source: name))
        }
        return out
    }
}

struct StripSource: TunablePromptSource {
    var name: String { "strip" }
    var parameters: [ParameterSpec] {
        [ParameterSpec(key: "count", help: "number of boxes", defaultValue: 2, minimum: 0, maximum: 4, step: 1, isInteger: true),
         ParameterSpec(key: "score-blur", help: "unused", defaultValue: 1, minimum: 0, maximum: 5, step: 0.5)]
    }
    func generator(values: [String: Double]) throws -> any PromptGenerator {
        StripGenerator(count: Int(values["count"] ?? 2))
    }
}

/// A second generator: one box over the whole top-left 8x16 block.
struct BlockSource: TunablePromptSource {
    struct Generator: PromptGenerator {
        var name: String { "block" }
        func prompts(scores: ScoreMap, image: RGBImage?) throws -> [Prompt] {
            [Prompt(box: Box(x0: 0, y0: 0, x1: 16, y1: 8), confidence: 0.8, source: "block")]
        }
    }
    var name: String { "block" }
    var parameters: [ParameterSpec] { [] }
    func generator(values: [String: Double]) throws -> any PromptGenerator { Generator() }
}

/// A 40x20 case: grey photo, scores 0.9 in the object (x 0..<8, y 0..<8, the first strip box) and
/// 0.3 elsewhere, ground truth = the object.
func makeCase(objectX: Int = 0, hasLabel: Bool = true) -> LoadedCase {
    let w = 40, h = 20
    var scores = ScoreMap(width: w, height: h, repeating: 0.3)
    var truth = Mask(width: w, height: h, repeating: false)
    for y in 0..<8 {
        for x in objectX..<(objectX + 8) {
            scores[x, y] = 0.9
            truth[x, y] = true
        }
    }
    return LoadedCase(image: RGBImage(width: w, height: h, repeating: RGB(gray: 120)), scores: scores,
                      groundTruth: hasLabel ? truth : nil)
}

struct Harness {
    var model: ViewerModel
    let runner: SynchronousRunner
    let directory: String

    /// A viewer over `items` (default: one item "a"); loads the first image.
    init(items: [DatasetItem] = [DatasetItem(name: "a", image: "/in/a.png", scores: "/in/a.npy", label: "/in/a_label.png")],
         cases: [String: LoadedCase]? = nil, session: SessionFile? = nil, columns: Int = 160, rows: Int = 50,
         segmenters: [any PromptableSegmenter] = [RectSegmenter(name: "rect"), RectSegmenter(name: "inset", inset: 1)],
         generator: Bool = true, order: DatasetOrder = .file, startTour: Bool = false, immediate: Bool = true) {
        let directory = NSTemporaryDirectory() + "s2m-viewer-tests-\(UUID().uuidString)"
        self.directory = directory
        let allCases = cases ?? ["a": makeCase()]
        let sources: [any TunablePromptSource] = generator ? [StripSource(), BlockSource()] : []
        let configuration = ViewerConfiguration(
            items: items, segmenterNames: segmenters.map(\.name), generators: sources.map(GeneratorDescription.init),
            sessionPath: directory + "/session.json", exportDirectory: directory + "/out",
            order: order, session: session, startTour: startTour)
        let engine = ComputeEngine(promptSources: sources, segmenters: segmenters)
        runner = SynchronousRunner(engine: engine, loader: { item in
            guard let c = allCases[item.name] else { throw S2MError(file: item.image, .missingFile) }
            return c
        })
        runner.runsComputeImmediately = immediate
        model = ViewerModel(configuration: configuration)
        runner.perform(model.start(columns: columns, rows: rows), on: &model)
    }

    mutating func press(_ names: String...) {
        for name in names {
            guard let key = ViewerKey(name: name) else { fatalError("bad key name \(name)") }
            runner.send(.key(key), to: &model)
        }
    }

    mutating func resize(_ columns: Int, _ rows: Int) {
        runner.send(.resize(columns: columns, rows: rows), to: &model)
    }

    var status: String { ScreenRenderer(colorMode: .truecolor, geometry: .halfBlock).statusText(model) }
}

func count(_ mask: Mask?) -> Int { mask?.trueCount ?? -1 }
