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
