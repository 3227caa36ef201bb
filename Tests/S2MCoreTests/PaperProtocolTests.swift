import Testing
@testable import S2MCore

@Suite struct PaperProtocolTests {
    @Test func thresholdsAreNumpyArange() {
        #expect(PaperProtocol.thresholds.count == 101)
        #expect(PaperProtocol.thresholds[0] == 0)
        #expect(PaperProtocol.thresholds[100] == 1)
        #expect(PaperProtocol.thresholds[7] == 7 * 0.01)          // 0.07000000000000001, as numpy
        #expect(PaperProtocol.floatThresholds[7] == Float(0.07))
    }

    @Test func binCountsThresholdsStrictlyBelow() {
        func bin(_ s: Float) -> Int {
            PaperProtocol.paddedFloatThresholds.withUnsafeBufferPointer { PaperProtocol.bin(s, thresholds: $0.baseAddress!) }
        }
        #expect(bin(-1) == 0)
        #expect(bin(0) == 0)
        #expect(bin(-0.0) == 0)
        #expect(bin(Float.leastNonzeroMagnitude) == 1)   // above t = 0 only
        #expect(bin(0.07) == 7)                          // equal to t_7: not above it
        #expect(bin(Float(0.07).nextUp) == 8)
        #expect(bin(1) == 100)
        #expect(bin(Float(1).nextUp) == 101)
        #expect(bin(.infinity) == 101)
        // Every float threshold and its neighbours, against the definition.
        for t in PaperProtocol.floatThresholds {
            for s in [t.nextDown, t, t.nextUp] {
                let expected = PaperProtocol.floatThresholds.filter { $0 < s }.count
                #expect(bin(s) == expected, "score \(s)")
            }
        }
        var rng = MetricsTestRandom(seed: 1)
        for _ in 0..<20_000 {
            let s = Float(bitPattern: UInt32(truncatingIfNeeded: rng.next()) & 0x3fff_ffff) // [0, 2)
            #expect(bin(s) == PaperProtocol.floatThresholds.filter { $0 < s }.count, "score \(s)")
        }
    }

    /// Hand-worked: one 2x2 image, scores 0.9 0.5 / 0.2 0.0, anomaly on the top row.
    /// t in [0, 0.19]: P = {0.9, 0.5, 0.2}: IoU 2/3, F1 4/5 (20 thresholds);
    /// t in [0.20, 0.49]: P = {0.9, 0.5}: IoU 1, F1 1 (30); t in [0.50, 0.89]: P = {0.9}: IoU 1/2,
    /// F1 2/3 (40); t >= 0.90: nothing predicted: 0 (11). Best IoU 1 at t = 0.20 (0.2 > 0.2 is
    /// false), AuIoU = 0.19*2/3 + 0.01*5/6 + 0.29 + 0.01*3/4 + 0.39/2 + 0.01/4 = 0.63,
    /// mean F1 = (20*4/5 + 30 + 40*2/3) / 101 = 218/303.
    @Test func handWorkedSingleImage() throws {
        let scores = ScoreMap(width: 2, height: 2, pixels: [0.9, 0.5, 0.2, 0.0])
        let counts = try PaperImageCounts(scores: scores, truth: truthMap("## .."))
        let (iou, f1) = counts.scores(void: .paper)
        #expect(iou[0] == 2.0 / 3 && iou[19] == 2.0 / 3 && iou[20] == 1 && iou[49] == 1)
        #expect(iou[50] == 0.5 && iou[89] == 0.5 && iou[90] == 0 && iou[100] == 0)
        #expect(f1[0] == 0.8 && f1[20] == 1 && f1[50] == 2.0 / 3 && f1[100] == 0)
        let s = try #require(PaperSummary(images: [counts], void: .paper))
        #expect(s.bestIoU == 1)
        #expect(s.bestThresholdIndex == 20 && s.bestThreshold == 20 * 0.01)
        #expect(abs(s.auIoU - 0.63) < 1e-12)
        #expect(abs(s.meanF1OverThresholds - 218.0 / 303) < 1e-12)
    }

    /// An image with empty ground truth and empty prediction has U = 0: IoU = F1 = 0 and it is
    /// counted in the mean (halving the single-image numbers above).
    @Test func emptyUnionCountsAsZero() throws {
        let a = try PaperImageCounts(scores: ScoreMap(width: 2, height: 2, pixels: [0.9, 0.5, 0.2, 0.0]), truth: truthMap("## .."))
        let empty = try PaperImageCounts(scores: ScoreMap(width: 2, height: 2, repeating: 0), truth: truthMap(".. .."))
        #expect(empty.scores(void: .paper).iou.allSatisfy { $0 == 0 })
        let s = try #require(PaperSummary(images: [a, empty], void: .paper))
        #expect(s.bestIoU == 0.5 && s.bestThresholdIndex == 20)
        #expect(abs(s.auIoU - 0.315) < 1e-12)
        #expect(abs(s.meanF1OverThresholds - 109.0 / 303) < 1e-12)
        #expect(s.imageCount == 2)
    }

    /// Empty ground truth with a prediction: IoU 0 where something is predicted (U > 0, I = 0).
    @Test func emptyGroundTruthWithPrediction() throws {
        let c = try PaperImageCounts(scores: ScoreMap(width: 2, height: 1, pixels: [0.7, 0.1]), truth: truthMap(".."))
        let (inter, union) = c.intersectionsAndUnions(void: .paper)
        #expect(inter.allSatisfy { $0 == 0 })
        #expect(union[0] == 2 && union[10] == 1 && union[69] == 1 && union[70] == 0)
        let s = try #require(PaperSummary(images: [c], void: .paper))
        #expect(s.bestIoU == 0 && s.bestThreshold == 0 && s.auIoU == 0)   // the paper's loop keeps t = 0
    }

    /// Void predicted: background in `paper` (it enlarges U), left out in `ignore`.
    @Test func voidHandling() throws {
        let c = try PaperImageCounts(scores: ScoreMap(width: 3, height: 1, pixels: [0.9, 0.9, 0.3]), truth: truthMap("#v."))
        let paper = c.scores(void: .paper), ignore = c.scores(void: .ignore)
        #expect(paper.iou[50] == 0.5 && ignore.iou[50] == 1)
        #expect(paper.iou[0] == 1.0 / 3 && ignore.iou[0] == 0.5)
        // All void: nothing in G, predictions on void only count in `paper`.
        let allVoid = try PaperImageCounts(scores: ScoreMap(width: 2, height: 1, pixels: [0.9, 0.1]), truth: truthMap("vv"))
        #expect(allVoid.intersectionsAndUnions(void: .ignore).union.allSatisfy { $0 == 0 })
        #expect(allVoid.intersectionsAndUnions(void: .paper).union[5] == 2)
        #expect(allVoid.intersectionsAndUnions(void: .paper).union[10] == 1)   // 0.1 > Float(0.1) is false
    }

    @Test func constantScoreMap() throws {
        // All pixels 0.5: predicted for t < 0.5 (k = 0...49), never above.
        let c = try PaperImageCounts(scores: ScoreMap(width: 2, height: 2, repeating: 0.5), truth: truthMap("#. .."))
        let (iou, _) = c.scores(void: .paper)
        #expect(iou[49] == 0.25 && iou[50] == 0)
    }

    @Test func rejectsNonFiniteAndSizeMismatch() {
        #expect(throws: S2MError(file: nil, .nonFinite(count: 2))) {
            try PaperImageCounts(scores: ScoreMap(width: 3, height: 1, pixels: [.nan, 0.2, .infinity]), truth: truthMap("#.."))
        }
        #expect(throws: S2MError.self) {
            try PaperImageCounts(scores: ScoreMap(width: 2, height: 1, repeating: 0), truth: truthMap("#.."))
        }
    }

    /// The one-pass sweep equals the per-threshold oracle bit for bit, for both void modes, on
    /// random images full of ties and threshold-equal scores.
    @Test(arguments: [VoidHandling.paper, .ignore])
    func equalsPerThresholdOracle(void handling: VoidHandling) throws {
        var rng = MetricsTestRandom(seed: 42)
        let images = (0..<9).map { i in rng.image(width: 7 + i, height: 5, anomalyPercent: i == 3 ? 0 : 30) }
        let fast = try #require(PaperSummary(images: try images.map { try PaperImageCounts(scores: $0.scores, truth: $0.truth) },
                                             void: handling))
        let oracle = try #require(ReferenceMetrics.paperSummary(images: images, void: handling))
        #expect(fast == oracle)
        // The fused pass of the accumulator bins exactly like the stand-alone one.
        let acc = ScoreCountAccumulator()
        for image in images {
            #expect(try acc.addImage(scores: image.scores, truth: image.truth)
                    == PaperImageCounts(scores: image.scores, truth: image.truth))
        }
    }
}
