import Testing
@testable import S2MCore

/// A synthetic photo: textured grey road with an orange ellipse (the object) centred at (cx, cy).
func syntheticScene(width: Int, height: Int, cx: Double, cy: Double, rx: Double, ry: Double,
                    seed: UInt64 = 1) -> (RGBImage, Mask) {
    var rng = SplitMix64(seed: seed)
    var image = RGBImage(width: width, height: height, repeating: RGB(0, 0, 0))
    var truth = Mask(width: width, height: height, repeating: false)
    for y in 0..<height {
        for x in 0..<width {
            let dx = (Double(x) + 0.5 - cx) / rx, dy = (Double(y) + 0.5 - cy) / ry
            let noise = Int(rng.next() % 31) - 15
            if dx * dx + dy * dy <= 1 {
                truth[x, y] = true
                image[x, y] = RGB(UInt8(220 + noise / 2), UInt8(110 + noise), UInt8(30 + noise / 2))
            } else {
                let g = UInt8(120 + noise)
                image[x, y] = RGB(g, g, UInt8(Int(g) + 5))
            }
        }
    }
    return (image, truth)
}

func iou(_ a: Mask, _ b: Mask) -> Double {
    var i = 0, u = 0
    for (p, q) in zip(a.pixels, b.pixels) {
        if p && q { i += 1 }
        if p || q { u += 1 }
    }
    return u == 0 ? 0 : Double(i) / Double(u)
}

@Suite struct GrabCutTests {
    @Test func smallObjectInABoxIsFound() throws {
        let (image, truth) = syntheticScene(width: 80, height: 60, cx: 40, cy: 30, rx: 6, ry: 9)
        let session = try GrabCutSegmenter().prepare(image: image, scores: nil)
        let s = try session.segment(Prompt(box: Box(x0: 28, y0: 14, x1: 52, y1: 46), confidence: 1, source: "test"))
        #expect(iou(s.mask, truth) > 0.9, "IoU \(iou(s.mask, truth))")
    }
}

extension GrabCutTests {
    @Test func negativePointExcludesASecondObjectOfTheSameColour() throws {
        // Two orange ellipses in one box; a negative point on the right one keeps only the left.
        let (left, leftTruth) = syntheticScene(width: 100, height: 60, cx: 35, cy: 30, rx: 8, ry: 10)
        let (right, rightTruth) = syntheticScene(width: 100, height: 60, cx: 65, cy: 30, rx: 8, ry: 10, seed: 2)
        var image = left
        for i in 0..<image.count where rightTruth.pixels[i] { image.pixels[i] = right.pixels[i] }
        let session = try GrabCutSegmenter().prepare(image: image, scores: nil)
        let box = Box(x0: 20, y0: 12, x1: 80, y1: 48)
        let both = try session.segment(Prompt(box: box, confidence: 1, source: "test"))
        var union = leftTruth
        for i in 0..<union.count where rightTruth.pixels[i] { union.pixels[i] = true }
        #expect(iou(both.mask, union) > 0.85)
        let one = try session.segment(Prompt(box: box, points: [PromptPoint(x: 65.5, y: 30.5, isPositive: false)],
                                             confidence: 1, source: "test"))
        #expect(iou(one.mask, leftTruth) > 0.85, "IoU \(iou(one.mask, leftTruth))")
        #expect(!one.mask[65, 30])
    }

    @Test func positivePointAloneSegmentsTheObjectUnderIt() throws {
        let (image, truth) = syntheticScene(width: 120, height: 90, cx: 60, cy: 45, rx: 10, ry: 14)
        let session = try GrabCutSegmenter().prepare(image: image, scores: nil)
        let s = try session.segment(Prompt(points: [PromptPoint(x: 60, y: 45, isPositive: true)], confidence: 1, source: "test"))
        #expect(iou(s.mask, truth) > 0.85, "IoU \(iou(s.mask, truth))")
    }

    @Test func scoresSeparateAnObjectWithTheBackgroundsColours() throws {
        // A camouflaged object: same grey texture as the road; only the anomaly scores tell it apart.
        let (road, _) = syntheticScene(width: 80, height: 60, cx: -100, cy: -100, rx: 1, ry: 1)
        let (_, truth) = syntheticScene(width: 80, height: 60, cx: 40, cy: 30, rx: 9, ry: 12)
        let scores = truth.map { $0 ? Float(0.9) : Float(0.1) }
        let box = Prompt(box: Box(x0: 24, y0: 12, x1: 56, y1: 48), confidence: 1, source: "test")
        // Without any colour edge the smoothness term (about 100 per boundary pixel) outweighs a
        // weak score term; a strong one (20 x log(0.88 / 0.12) = 40 per pixel) wins.
        var strong = GrabCutParameters()
        strong.scoreWeight = 20
        let withScores = try GrabCutSegmenter(parameters: strong).prepare(image: road, scores: scores).segment(box)
        #expect(iou(withScores.mask, truth) > 0.9, "IoU \(iou(withScores.mask, truth))")
        var off = GrabCutParameters()
        off.scoreWeight = 0
        let colourOnly = try GrabCutSegmenter(parameters: off).prepare(image: road, scores: scores).segment(box)
        #expect(iou(colourOnly.mask, truth) < 0.6, "IoU \(iou(colourOnly.mask, truth))")
    }

    @Test func largeBoxesAreSolvedShrunkAndScaledBack() throws {
        let (image, truth) = syntheticScene(width: 160, height: 120, cx: 80, cy: 60, rx: 30, ry: 40)
        var p = GrabCutParameters()
        p.maxWorkingPixels = 1500  // the 74 x 94 box is solved at about 34 x 43
        let s = try GrabCutSegmenter(parameters: p).prepare(image: image, scores: nil)
            .segment(Prompt(box: Box(x0: 43, y0: 13, x1: 117, y1: 107), confidence: 1, source: "test"))
        #expect(iou(s.mask, truth) > 0.9, "IoU \(iou(s.mask, truth))")
    }

    @Test func emptyPromptsGiveEmptyMasks() throws {
        let (image, _) = syntheticScene(width: 40, height: 30, cx: 20, cy: 15, rx: 5, ry: 5)
        let session = try GrabCutSegmenter().prepare(image: image, scores: nil)
        let none = try session.segment(Prompt(confidence: 1, source: "test"))
        #expect(none.mask.trueCount == 0 && none.quality == 0 && none.mask.size == image.size)
        let outside = try session.segment(Prompt(box: Box(x0: 50, y0: 0, x1: 60, y1: 10), confidence: 1, source: "test"))
        #expect(outside.mask.trueCount == 0)
        let onlyNegative = try session.segment(Prompt(points: [PromptPoint(x: 20, y: 15, isPositive: false)], confidence: 1, source: "test"))
        #expect(onlyNegative.mask.trueCount == 0)
    }

    @Test func qualityIsInTheUnitInterval() throws {
        let (image, _) = syntheticScene(width: 80, height: 60, cx: 40, cy: 30, rx: 6, ry: 9)
        let s = try GrabCutSegmenter().prepare(image: image, scores: nil)
            .segment(Prompt(box: Box(x0: 28, y0: 14, x1: 52, y1: 46), confidence: 1, source: "test"))
        #expect(s.quality > 0.5 && s.quality <= 1)
    }

    @Test func mismatchedScoresAreRejected() throws {
        let (image, _) = syntheticScene(width: 40, height: 30, cx: 20, cy: 15, rx: 5, ry: 5)
        #expect(throws: S2MError.self) {
            _ = try GrabCutSegmenter().prepare(image: image, scores: ScoreMap(width: 30, height: 40, repeating: 0))
        }
    }

    @Test func cancellationStopsBetweenRounds() async throws {
        let (image, _) = syntheticScene(width: 80, height: 60, cx: 40, cy: 30, rx: 6, ry: 9)
        let task = Task { () throws -> Int in
            withUnsafeCurrentTask { $0?.cancel() }
            let s = try GrabCutSegmenter().prepare(image: image, scores: nil)
                .segment(Prompt(box: Box(x0: 28, y0: 14, x1: 52, y1: 46), confidence: 1, source: "test"))
            return s.mask.trueCount
        }
        await #expect(throws: CancellationError.self) { try await task.value }
    }
}
