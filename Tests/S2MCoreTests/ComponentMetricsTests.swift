import Testing
@testable import S2MCore

/// Builds a prediction mask from rows of `#` (predicted) and `.`, separated by spaces.
func maskRows(_ rows: String) -> Mask {
    let lines = rows.split(separator: " ").map(Array.init)
    return Mask(width: lines[0].count, height: lines.count, pixels: lines.flatMap { $0.map { $0 == "#" } })
}

@Suite struct ComponentMetricsTests {
    static let noFilter = ComponentFilter(minPredictionArea: 0, minGroundTruthArea: 0)
    typealias R = ComponentImageCounts.Ratio

    /// Ground truth k = a 5x2 block (10 px). c1 covers 4 of it and 2 pixels outside (6 px), c2
    /// covers 3 of it and 5 outside (8 px); they do not touch. K = c1 ∪ c2 (14 px), |k ∩ K| = 7,
    /// A = 0: sIoU = 7 / (14 + 10 − 7) = 7/17. PPV(c1) = 4/6, PPV(c2) = 3/8. Prediction sIoU:
    /// c1: 4 / (10 + 6 − 4 − 3) = 4/9 (A = k's pixels in c2), c2: 3 / (10 + 8 − 3 − 4) = 3/11.
    static let twoPredictionsTruth = truthMap(".......... ..#####... ..#####... ..........")
    static let twoPredictions = maskRows(".......... ####.##### ..##..###. ..........")

    @Test func groundTruthTouchedByTwoPredictions() throws {
        let c = try ComponentImageCounts(prediction: Self.twoPredictions, truth: Self.twoPredictionsTruth, filter: Self.noFilter)
        #expect(c.groundTruth == [R(7, 17)])
        #expect(c.precision == [R(4, 6), R(3, 8)])
        #expect(c.predictionSIoU == [R(4, 9), R(3, 11)])
    }

    /// k1 (6 px) and k2 (4 px) apart; one prediction c (10 px) covers 3 of k1, 4 of k2 and 3
    /// background pixels. sIoU(k1) = 3 / (10 + 6 − 3 − 4) = 3/9 (A = c's pixels on k2),
    /// sIoU(k2) = 4 / (10 + 4 − 4 − 3) = 4/7, PPV(c) = 7/10, sIoU(c) = 7 / (10 + 10 − 7) = 7/13.
    static let twoTruthsTruth = truthMap("###..##. ###..##. ........")
    static let twoTruths = maskRows(".....##. #######. ...#....")

    @Test func predictionTouchingTwoGroundTruthComponents() throws {
        let c = try ComponentImageCounts(prediction: Self.twoTruths, truth: Self.twoTruthsTruth, filter: Self.noFilter)
        #expect(c.groundTruth == [R(3, 9), R(4, 7)])
        #expect(c.precision == [R(7, 10)])
        #expect(c.predictionSIoU == [R(7, 13)])
    }

    /// Filters 3 px (prediction) / 4 px (ground truth). The 3-px ground-truth component s
    /// becomes void, so the prediction covering exactly s has no pixel left and is not counted;
    /// a 2-px prediction is removed; a prediction crossing a void pixel splits into two 1-px
    /// parts, both removed. Left: b (6 px) and p3 (5 px, 4 on b): sIoU 4/7, PPV 4/5.
    static let filteredTruth = truthMap("###....... .......... .....###.. .v...###..")
    static let filtered = maskRows("###.....## .......... ....####.. ###..#....")

    @Test func sizeFiltersAndVoid() throws {
        let filter = ComponentFilter(minPredictionArea: 3, minGroundTruthArea: 4)
        let c = try ComponentImageCounts(prediction: Self.filtered, truth: Self.filteredTruth, filter: filter)
        #expect(c.groundTruth == [R(4, 7)])
        #expect(c.precision == [R(4, 5)])
        #expect(c.predictionSIoU == [R(4, 7)])
        // Without filters: s is matched perfectly, the small pieces are false positives.
        let all = try ComponentImageCounts(prediction: Self.filtered, truth: Self.filteredTruth, filter: Self.noFilter)
        #expect(all.groundTruth == [R(3, 3), R(4, 7)])
        #expect(all.precision == [R(3, 3), R(0, 2), R(4, 5), R(0, 1), R(0, 1)])
    }

    @Test func emptyGroundTruthAndPrediction() throws {
        let nothing = try ComponentImageCounts(prediction: maskRows("... ..."), truth: truthMap("... ..."), filter: .anomalyTrack)
        #expect(nothing.groundTruth.isEmpty && nothing.precision.isEmpty)
        let s = ComponentSummary(images: [nothing])
        #expect(s.f1.allSatisfy { $0 == nil } && s.meanF1 == nil && s.meanSIoU == nil && s.meanPPV == nil)
        // A prediction on empty ground truth: FP at every τ, F1 = 0.
        let fp = try ComponentImageCounts(prediction: maskRows("##. ..."), truth: truthMap("... ..."), filter: Self.noFilter)
        let s2 = ComponentSummary(images: [fp])
        #expect(s2.falsePositives == [Int](repeating: 1, count: 11) && s2.meanF1 == 0 && s2.meanPPV == 0)
        // Ground truth without prediction: FN everywhere, sIoU 0.
        let fn = try ComponentImageCounts(prediction: maskRows("... ..."), truth: truthMap(".#. ..."), filter: Self.noFilter)
        #expect(fn.groundTruth == [R(0, 1)])
        #expect(ComponentSummary(images: [fn]).falseNegatives == [Int](repeating: 1, count: 11))
    }

    @Test func tausAreNumpyLinspace() {
        let t = ComponentSummary.taus
        #expect(t.count == 11 && t[0] == 0.25 && t[10] == 0.75)
        #expect(t[3] == 3 * 0.05 + 0.25)            // 0.4 = 0.15000000000000002 + 0.25
    }

    /// The two hand-worked images together: sIoUs 7/17, 1/3, 4/7; PPVs 2/3, 3/8, 7/10.
    /// τ = 0.25: TP 3, FN 0, FP 0: F1 1. τ = 0.40: TP 2 (7/17 = 0.41, 4/7), FN 1, FP 1 (3/8): 2/3.
    /// τ = 0.75: TP 0, FN 3, FP 3: 0.
    @Test func summaryHandWorked() throws {
        let a = try ComponentImageCounts(prediction: Self.twoPredictions, truth: Self.twoPredictionsTruth, filter: Self.noFilter)
        let b = try ComponentImageCounts(prediction: Self.twoTruths, truth: Self.twoTruthsTruth, filter: Self.noFilter)
        let s = ComponentSummary(images: [a, b])
        #expect(s.truePositives[0] == 3 && s.falseNegatives[0] == 0 && s.falsePositives[0] == 0 && s.f1[0] == 1)
        #expect(s.truePositives[3] == 2 && s.falseNegatives[3] == 1 && s.falsePositives[3] == 1 && s.f1[3] == 2.0 / 3)
        #expect(s.truePositives[10] == 0 && s.falsePositives[10] == 3 && s.f1[10] == 0)
        let meanF1 = s.f1.map { $0! }.reduce(0, +) / 11
        #expect(s.meanF1 == meanF1)
        #expect(abs(s.meanSIoU! - (7.0 / 17 + 1.0 / 3 + 4.0 / 7) / 3) < 1e-15)
        #expect(abs(s.meanPPV! - (4.0 / 6 + 3.0 / 8 + 7.0 / 10) / 3) < 1e-15)
        #expect(s.groundTruthComponents == 3 && s.predictedComponents == 3)
    }

    @Test func parsesTracks() throws {
        #expect(try ComponentFilter(parsing: "anomaly") == .anomalyTrack)
        #expect(try ComponentFilter(parsing: "obstacle") == .obstacleTrack)
        #expect(try ComponentFilter(parsing: "20/5") == ComponentFilter(minPredictionArea: 20, minGroundTruthArea: 5))
        #expect(throws: S2MError.self) { try ComponentFilter(parsing: "big") }
    }

    /// Random blobs, void and filters: equal to the kit's procedure written out literally.
    @Test(arguments: [ComponentFilter(minPredictionArea: 0, minGroundTruthArea: 0),
                      ComponentFilter(minPredictionArea: 6, minGroundTruthArea: 4), .obstacleTrack])
    func equalsReference(filter: ComponentFilter) throws {
        var rng = MetricsTestRandom(seed: 21)
        for _ in 0..<15 {
            let w = 24, h = 18
            var truth = [TruthClass](repeating: .inDistribution, count: w * h)
            var pred = [Bool](repeating: false, count: w * h)
            func blob(_ paint: (Int) -> Void) {
                let x0 = rng.int(w), y0 = rng.int(h), bw = 1 + rng.int(7), bh = 1 + rng.int(5)
                for y in y0..<min(h, y0 + bh) { for x in x0..<min(w, x0 + bw) { paint(y * w + x) } }
            }
            for _ in 0..<(1 + rng.int(4)) { blob { truth[$0] = .anomaly } }
            for _ in 0..<rng.int(3) { blob { truth[$0] = .void } }
            for _ in 0..<(rng.int(6)) { blob { pred[$0] = true } }
            for _ in 0..<20 { pred[rng.int(w * h)].toggle() }
            let t = TruthMap(width: w, height: h, pixels: truth), p = Mask(width: w, height: h, pixels: pred)
            #expect(try ComponentImageCounts(prediction: p, truth: t, filter: filter)
                    == ReferenceMetrics.componentCounts(prediction: p, truth: t, filter: filter))
        }
    }
}
