import Testing
@testable import S2MCore

@Suite struct ThresholdTests {
    @Test func otsuSplitsTwoClustersExactly() {
        // Candidates t = 0: w0 = 1/3, mu0 = 0, mu1 = 3, variance = 2; t = 1: w0 = 2/3, mu0 = 0.5,
        // mu1 = 5, variance = 4.5; t = 5 leaves class 1 empty. Otsu picks 1.
        let s = ScoreMap(width: 3, height: 2, pixels: [0, 5, 1, 0, 5, 1])
        #expect(otsuThreshold(s) == 1)
        #expect(ThresholdRule.otsu.mask(for: s).pixels == [false, true, false, false, true, false])
    }

    @Test func otsuOnEightBitDataMatchesOpenCV() {
        // cv2.threshold(np.array([[10, 10, 10, 200, 210, 220, 50, 60]], np.uint8), 0, 255,
        //               cv2.THRESH_BINARY + cv2.THRESH_OTSU)[0] == 60
        let s = ScoreMap(width: 8, height: 1, pixels: [10, 10, 10, 200, 210, 220, 50, 60])
        #expect(otsuThreshold(s) == 60)
    }

    @Test func otsuComparesEveryDistinctValue() {
        // 0, 1, 2, 3: t = 0 and t = 2 give variance 0.75, t = 1 gives 1 and wins (cv2 agrees);
        // with two distinct values the only candidate is the smaller one.
        #expect(otsuThreshold(ScoreMap(width: 4, height: 1, pixels: [3, 0, 2, 1])) == 1)
        #expect(otsuThreshold(ScoreMap(width: 2, height: 1, pixels: [2, 0])) == 0)
    }

    @Test func constantMapsHaveNoOtsuThreshold() {
        let c = ScoreMap(width: 3, height: 3, repeating: 0.4)
        #expect(otsuThreshold(c) == nil)
        #expect(ThresholdRule.otsu.mask(for: c).trueCount == 0)
        #expect(otsuThreshold(ScoreMap(width: 1, height: 1, pixels: [1])) == nil)
    }

    @Test func fixedThresholdIsStrict() {
        let s = ScoreMap(width: 4, height: 1, pixels: [0.2, 0.5, 0.50001, 1])
        #expect(ThresholdRule.fixed(0.5).mask(for: s).pixels == [false, false, true, true])
        #expect(thresholdMask(s, above: 1).trueCount == 0)
    }

    @Test func parsesRules() throws {
        #expect(try ThresholdRule.parse("otsu") == .otsu)
        #expect(try ThresholdRule.parse("0.25") == .fixed(0.25))
        #expect(try ThresholdRule.parse("fixed:0.7") == .fixed(0.7))
        #expect(throws: S2MError.self) { try ThresholdRule.parse("nan") }
        #expect(throws: S2MError.self) { try ThresholdRule.parse("best") }
    }
}

@Suite struct OracleThresholdTests {
    @Test func bestIoUThresholdIsTheSweepsArgmax() throws {
        // Truth: the two right pixels. IoU({s > t}) = 1/3 for t < 0.2 (0.2 and 0.6 and 0.9
        // predicted with one wrong), 2/2 for 0.2 <= t < 0.6, 1/2 for 0.6 <= t < 0.9, then 0.
        let s = ScoreMap(width: 4, height: 1, pixels: [0.1, 0.2, 0.6, 0.9])
        let truth = TruthMap(anomalyMask: Mask(width: 4, height: 1, pixels: [false, false, true, true]))
        #expect(try OracleThreshold.bestIoU(scores: [s], truths: [truth]) == 0.2)
        #expect(try OracleThreshold.bestIoU(scores: [], truths: []) == nil)
    }

    @Test func tpr95ThresholdFindsNineteenOfTwenty() throws {
        // 20 anomaly pixels scoring 0.05, 0.10, ..., 1.00 and background at 0: the 95% point is the
        // 19th highest anomaly score, 0.10.
        var pixels: [Float] = (1...20).map { Float($0) * 0.05 }
        pixels += [Float](repeating: 0, count: 20)
        let s = ScoreMap(width: 40, height: 1, pixels: pixels)
        let truth = TruthMap(anomalyMask: Mask(width: 40, height: 1, pixels: (0..<40).map { $0 < 20 }))
        let t = try #require(try OracleThreshold.tpr95(scores: [s], truths: [truth]))
        #expect(abs(t - 0.10) < 1e-6)
        #expect(OracleThreshold.inclusiveMask(s, atLeast: t).trueCount == 19)
    }
}
