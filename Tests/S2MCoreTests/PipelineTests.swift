import Foundation
import Testing
@testable import S2MCore

/// A segmenter whose mask is exactly the prompt's box (for pipeline tests).
struct BoxFillSegmenter: PromptableSegmenter {
    var name: String { "box-fill" }
    func prepare(image: RGBImage, scores: ScoreMap?) throws -> any SegmentationSession { Session(size: image.size) }
    final class Session: SegmentationSession {
        let size: RasterSize
        init(size: RasterSize) { self.size = size }
        func segment(_ prompt: Prompt) throws -> Segmentation {
            var m = Mask(width: size.width, height: size.height, repeating: false)
            if let b = prompt.box?.clamped(width: size.width, height: size.height) {
                for y in Int(b.y0)..<Int(b.y1) { for x in Int(b.x0)..<Int(b.x1) { m[x, y] = true } }
            }
            return Segmentation(mask: m, quality: 1)
        }
    }
}

/// A generator returning fixed prompts.
struct FixedGenerator: PromptGenerator {
    var name: String { "fixed" }
    var fixed: [Prompt]
    func prompts(scores: ScoreMap, image: RGBImage?) throws -> [Prompt] { fixed }
}

@Suite struct ConfidencePaintingTests {
    let a = maskFromRows(["##..", "##..", "...."])
    let b = maskFromRows([".##.", ".##.", ".##."])

    @Test func paperPolicyLetsTheLowerConfidenceWin() {
        // Painted in descending confidence whatever the input order: 0.9 first, then 0.4 on top.
        let size = RasterSize(width: 4, height: 3)
        for input in [[(a, 0.9), (b, 0.4)], [(b, 0.4), (a, 0.9)]] {
            let map = paintConfidenceMap(input.map { (mask: $0.0, confidence: $0.1) }, size: size)
            #expect(map.pixels == [0.9, 0.4, 0.4, 0,
                                   0.9, 0.4, 0.4, 0,
                                   0, 0.4, 0.4, 0])
        }
    }

    @Test func maxPolicyKeepsTheHigherConfidence() {
        let map = paintConfidenceMap([(a, 0.4), (b, 0.9)], size: RasterSize(width: 4, height: 3), policy: .max)
        #expect(map.pixels == [0.4, 0.9, 0.9, 0,
                               0.4, 0.9, 0.9, 0,
                               0, 0.9, 0.9, 0])
    }

    @Test func tiesKeepInputOrderAndNonPositiveConfidencesPaintNothing() {
        let size = RasterSize(width: 4, height: 3)
        // Equal confidences: painted in input order, so the second (b) lies on top of a.
        let tie = paintConfidenceMap([(a, 0.5), (b, 0.5)], size: size)
        #expect(tie[1, 0] == 0.5 && tie[0, 0] == 0.5)
        let zero = paintConfidenceMap([(a, 0.7), (b, 0)], size: size)
        #expect(zero.pixels == [0.7, 0.7, 0, 0, 0.7, 0.7, 0, 0, 0, 0, 0, 0])
        #expect(paintConfidenceMap([], size: size).pixels.allSatisfy { $0 == 0 })
    }
}

@Suite struct S2MPipelineTests {
    let image = RGBImage(width: 8, height: 6, repeating: RGB(gray: 100))
    let scores = ScoreMap(width: 8, height: 6, repeating: 0)

    @Test func promptsBecomeAConfidenceMapAndAMask() throws {
        let prompts = [Prompt(box: Box(x0: 0, y0: 0, x1: 4, y1: 4), confidence: 0.8, source: "fixed"),
                       Prompt(box: Box(x0: 2, y0: 2, x1: 6, y1: 6), confidence: 0.3, source: "fixed")]
        let pipeline = S2MPipeline(generator: FixedGenerator(fixed: prompts), segmenter: BoxFillSegmenter())
        let r = try pipeline.run(image: image, scores: scores)
        #expect(r.prompts == prompts && r.segmentations.count == 2)
        #expect(r.confidence[0, 0] == 0.8 && r.confidence[3, 3] == 0.3 && r.confidence[5, 5] == 0.3 && r.confidence[7, 0] == 0)
        #expect(r.mask.trueCount == 16 + 16 - 4)
        // The same inputs give the same outputs.
        #expect(try pipeline.run(image: image, scores: scores).confidence == r.confidence)
        let maxPolicy = S2MPipeline(generator: FixedGenerator(fixed: prompts), segmenter: BoxFillSegmenter(), overlap: .max)
        #expect(try maxPolicy.run(image: image, scores: scores).confidence[3, 3] == 0.8)
    }

    @Test func importedPromptsReplaceTheGenerator() throws {
        let pipeline = S2MPipeline(generator: FixedGenerator(fixed: []), segmenter: BoxFillSegmenter())
        let r = try pipeline.run(image: image, scores: scores,
                                 prompts: [Prompt(box: Box(x0: 0, y0: 0, x1: 1, y1: 1), confidence: 1, source: "user")])
        #expect(r.mask.trueCount == 1)
    }

    @Test func noPromptIsAnEmptyResultAndMismatchIsAnError() throws {
        let pipeline = S2MPipeline(generator: FixedGenerator(fixed: []), segmenter: BoxFillSegmenter())
        let r = try pipeline.run(image: image, scores: scores)
        #expect(r.prompts.isEmpty && r.mask.trueCount == 0 && r.confidence.size == image.size)
        #expect(throws: S2MError.self) { try pipeline.run(image: image, scores: ScoreMap(width: 6, height: 8, repeating: 0)) }
    }
}

@Suite struct PromptsFileTests {
    @Test func roundTripKeepsEveryField() throws {
        let file = PromptsFile(image: "frames/a.jpg", size: RasterSize(width: 640, height: 360), prompts: [
            Prompt(box: Box(x0: 1.5, y0: 2, x1: 30.25, y1: 40), confidence: 0.93, source: "component-tree"),
            Prompt(points: [PromptPoint(x: 10.5, y: 11.5, isPositive: true), PromptPoint(x: 3, y: 4, isPositive: false)],
                   confidence: 0.5, source: "peaks"),
            Prompt(box: Box(x0: 0, y0: 0, x1: 5, y1: 5), points: [PromptPoint(x: 2.5, y: 2.5, isPositive: true)],
                   confidence: 1, source: "user"),
        ])
        let data = try file.encoded()
        #expect(try PromptsFile.decode(data) == file)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"format\" : \"s2m-prompts\""))
        #expect(text.contains("\"kind\" : \"box+points\""))
    }

    @Test func readsAHandWrittenFile() throws {
        let json = """
        {"format": "s2m-prompts", "version": 1,
         "prompts": [{"box": [10, 20, 30, 40], "confidence": 0.5, "source": "me"},
                     {"kind": "points", "points": [{"x": 1, "y": 2, "positive": false}], "confidence": 1, "source": "me"}]}
        """
        let f = try PromptsFile.decode(Data(json.utf8))
        #expect(f.size == nil && f.image == nil)
        #expect(f.prompts[0].box == Box(x0: 10, y0: 20, x1: 30, y1: 40) && f.prompts[0].kind == .box)
        #expect(f.prompts[1].points == [PromptPoint(x: 1, y: 2, isPositive: false)])
    }

    @Test func badFilesGiveClearErrors() {
        func reason(_ json: String) -> String {
            do { _ = try PromptsFile.decode(Data(json.utf8)); return "no error" } catch let e as S2MError { return e.reason } catch { return "\(error)" }
        }
        let head = "\"format\": \"s2m-prompts\", \"version\": 1"
        #expect(reason("{\(head), \"prompts\": [").hasPrefix("corrupt: not valid JSON"))
        #expect(reason("{\"format\": \"coco\", \"version\": 1, \"prompts\": []}").contains("not an s2m prompts file"))
        #expect(reason("{\"format\": \"s2m-prompts\", \"version\": 9, \"prompts\": []}").contains("version 9"))
        #expect(reason("{\(head)}").contains("missing 'prompts'"))
        #expect(reason("{\(head), \"prompts\": [{\"box\": [1, 2, 3], \"confidence\": 1, \"source\": \"x\"}]}") == "prompt 1: 'box' needs 4 numbers [x0, y0, x1, y1], got 3")
        #expect(reason("{\(head), \"prompts\": [{\"box\": [5, 2, 3, 4], \"confidence\": 1, \"source\": \"x\"}]}").contains("x1 < x0"))
        #expect(reason("{\(head), \"prompts\": [{\"box\": [1, 2, 3, 4], \"confidence\": 0, \"source\": \"x\"}]}") == "prompt 1: confidence 0.0 is not in (0, 1]")
        #expect(reason("{\(head), \"prompts\": [{\"box\": [1, 2, 3, 4], \"confidence\": 1.5, \"source\": \"x\"}]}").contains("not in (0, 1]"))
        #expect(reason("{\(head), \"prompts\": [{\"confidence\": 1, \"source\": \"x\"}]}") == "prompt 1: neither 'box' nor 'points'")
        #expect(reason("{\(head), \"prompts\": [{\"kind\": \"points\", \"box\": [1, 2, 3, 4], \"confidence\": 1, \"source\": \"x\"}]}").contains("does not match"))
        #expect(reason("{\(head), \"width\": 10, \"prompts\": []}").contains("both 'width' and 'height'"))
    }

    @Test func sizeIsCheckedAgainstTheImage() throws {
        let f = PromptsFile(size: RasterSize(width: 10, height: 20), prompts: [])
        try f.checkSize(RasterSize(width: 10, height: 20), file: "p.json")
        #expect(throws: S2MError.self) { try f.checkSize(RasterSize(width: 20, height: 10), file: "p.json") }
    }

    @Test func readNamesTheFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("s2m-prompts-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("bad.json").path
        try Data("[]".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: S2MError.self) { try PromptsFile.read(path: path) }
        do { _ = try PromptsFile.read(path: path) } catch let e as S2MError { #expect(e.file == path) }
        do { _ = try PromptsFile.read(path: path + ".missing") } catch let e as S2MError { #expect(e.problem == .missingFile) }
    }
}

@Suite struct DetectionResultsTests {
    static let results = """
    [{"image_id": 42, "category_id": 1, "bbox": [10, 20, 30, 40], "score": 0.5},
     {"image_id": 42, "category_id": 1, "bbox": [0, 0, 5, 5], "score": 0.97},
     {"image_id": 42, "category_id": 1, "bbox": [1, 1, 2, 2], "score": 0.05},
     {"image_id": 7, "category_id": 1, "bbox": [3, 3, 4, 4], "score": 0.9},
     {"image_id": "road_07", "bbox": [0, 0, 1, 1], "score": 0.6}]
    """

    @Test func mapsImagesByIdAndByName() throws {
        let r = try DetectionResults.decode(Data(Self.results.utf8), file: "r.json")
        #expect(r.detections.count == 5)
        // Numeric stem -> id 42; boxes converted from x, y, w, h; sorted by score; 0.05 is dropped.
        let p = r.prompts(forImage: "frames/000042.png")
        #expect(p.map(\.confidence) == [0.97, 0.5])
        #expect(p[1].box == Box(x0: 10, y0: 20, x1: 40, y1: 60) && p[1].source == "coco")
        #expect(r.prompts(forImage: "x/road_07.jpg").map(\.confidence) == [0.6])
        #expect(r.prompts(forImage: "anything.jpg", imageID: .number(7)).count == 1)
        #expect(r.prompts(forImage: "unknown.jpg").isEmpty)
        var top1 = DetectionResults.Selection()
        top1.maximumCount = 1
        #expect(r.prompts(forImage: "42.png", selection: top1).map(\.confidence) == [0.97])
    }

    @Test func cocoImagesListMapsFileNames() throws {
        let json = """
        {"images": [{"id": 3, "file_name": "val/animals01.jpg"}],
         "annotations": [{"image_id": 3, "bbox": [0, 0, 10, 10], "score": 0.8}]}
        """
        let r = try DetectionResults.decode(Data(json.utf8), file: "r.json")
        #expect(r.prompts(forImage: "/data/frames/animals01.jpg").count == 1)
        #expect(r.prompts(forImage: "/data/frames/animals01.png").count == 1)  // same stem
    }

    @Test func badDetectionsAreRefused() {
        func reason(_ json: String) -> String {
            do { _ = try DetectionResults.decode(Data(json.utf8), file: "r.json"); return "no error" }
            catch let e as S2MError { return e.description } catch { return "\(error)" }
        }
        #expect(reason("[{\"image_id\": 1, \"bbox\": [0, 0, 1], \"score\": 0.5}]") == "r.json: detection 1: 'bbox' must be [x, y, width, height]")
        #expect(reason("[{\"image_id\": 1, \"bbox\": [0, 0, -1, 1], \"score\": 0.5}]").contains("non-negative size"))
        #expect(reason("[{\"image_id\": 1, \"bbox\": [0, 0, 1, 1]}]").contains("no 'score'"))
        #expect(reason("[{\"image_id\": 1, \"bbox\": [0, 0, 1, 1], \"score\": 3}]").contains("not in [0, 1]"))
        #expect(reason("[{\"bbox\": [0, 0, 1, 1], \"score\": 0.5}]").contains("image_id"))
        #expect(reason("{\"foo\": 1}").contains("not COCO detection results"))
        #expect(reason("[{").contains("not valid JSON"))
    }
}

@Suite struct ConcurrentPipelineTests {
    @Test func threadsDoNotChangeTheResult() throws {
        // Three orange ellipses on a grey road, with scores high on each.
        var (image, truth) = syntheticScene(width: 160, height: 100, cx: 30, cy: 30, rx: 8, ry: 10)
        for (cx, cy, seed) in [(90.0, 40.0, UInt64(2)), (130.0, 70.0, UInt64(3))] {
            let (img, t) = syntheticScene(width: 160, height: 100, cx: cx, cy: cy, rx: 9, ry: 12, seed: seed)
            for i in 0..<image.count where t.pixels[i] { image.pixels[i] = img.pixels[i]; truth.pixels[i] = true }
        }
        let scores = try GaussianBlur(kernelSize: 0, sigma: 2).apply(to: truth.map { $0 ? 0.9 : 0.1 })
        var p = ComponentTreeParameters()
        p.workingSize = 0
        let one = S2MPipeline(generator: ComponentTreeGenerator(parameters: p), segmenter: GrabCutSegmenter(), jobs: 1)
        let two = S2MPipeline(generator: ComponentTreeGenerator(parameters: p), segmenter: GrabCutSegmenter(), jobs: 2)
        let a = try one.run(image: image, scores: scores), b = try two.run(image: image, scores: scores)
        #expect(a.prompts.count == 3)
        #expect(a.confidence == b.confidence)
        #expect(zip(a.segmentations, b.segmentations).allSatisfy { $0.mask == $1.mask && $0.quality == $1.quality })
        #expect(iou(a.mask, truth) > 0.85, "IoU \(iou(a.mask, truth))")
    }
}
