import Testing
@testable import S2MCore

@Suite struct PixelMetricsTests {
    /// Positives 0.9 0.6 0.4, negatives 0.8 0.4 0.2 0.1 (a tie at 0.4). From high to low:
    /// (TP, FP) = (1,0) (1,1) (2,1) (3,2) (3,3) (3,4).
    /// AP = 1/3*1 + 0 + 1/3*2/3 + 1/3*3/5 = 34/45. AUROC = 1/4*1/3 + 1/4*(2/3+1)/2 + 1/2 = 19/24
    /// (= Mann-Whitney 9.5/12). TPR first >= 0.95 at 0.4: FPR 2/4. F1 = 2TP/(2TP+FP+FN):
    /// 1/2, 2/5, 2/3, 3/4, 2/3, 3/5: best 3/4 at 0.4.
    static let handPositives: [Float] = [0.9, 0.6, 0.4]
    static let handNegatives: [Float] = [0.8, 0.4, 0.2, 0.1]

    static func metrics(positives: [Float], negatives: [Float]) -> PixelMetrics {
        let acc = ScoreCountAccumulator()
        acc.add(scores: positives, positive: true)
        acc.add(scores: negatives, positive: false)
        return PixelMetrics(accumulator: acc)
    }

    @Test func handWorked() throws {
        let m = Self.metrics(positives: Self.handPositives, negatives: Self.handNegatives)
        #expect(m.positives == 3 && m.negatives == 4 && m.distinctScores == 6)
        #expect(abs(try #require(m.averagePrecision) - 34.0 / 45) < 1e-15)
        #expect(abs(try #require(m.auroc) - 19.0 / 24) < 1e-15)
        #expect(m.fpr95 == 0.5 && m.fpr95Threshold == 0.4 && m.tprAtFPR95Threshold == 1)
        #expect(m.fpr95PEBAL == 0.5)
        #expect(m.bestF1 == 0.75 && m.bestF1Threshold == 0.4)
    }

    /// SMIYC vs PEBAL FPR95. Positives: 47 at 0.9, 2 at 0.5, 1 at 0.1; negatives: 1 at 0.95,
    /// 2 at 0.7, 3 at 0.5, 3 at 0.3, 1 at 0.05 (P = 50, N = 10). Points (TP, FP):
    /// 0.95 (0,1), 0.9 (47,1), 0.7 (47,3), 0.5 (49,6), 0.3 (49,9), 0.1 (50,9), 0.05 (50,10).
    /// SMIYC: first recall >= 0.95 is 0.98 at 0.5: FPR 0.6. PEBAL: recall closest to 0.95 is
    /// 0.94 (distance 0.01) at 0.9 and at 0.7; the tie goes to the lower threshold: FPR 0.3.
    @Test func fpr95Variants() {
        let pos = [Float](repeating: 0.9, count: 47) + [0.5, 0.5, 0.1]
        let neg: [Float] = [0.95, 0.7, 0.7, 0.5, 0.5, 0.5, 0.3, 0.3, 0.3, 0.05]
        let m = Self.metrics(positives: pos, negatives: neg)
        #expect(m.fpr95 == 0.6 && m.fpr95Threshold == 0.5 && m.tprAtFPR95Threshold == 0.98)
        #expect(m.fpr95PEBAL == 0.3)
        expectEqual(m, ReferenceMetrics.pixelMetrics(positives: pos, negatives: neg))
    }

    @Test func emptyGroundTruth() {
        let m = Self.metrics(positives: [], negatives: [0.3, 0.1])
        #expect(m.positives == 0 && m.negatives == 2 && m.distinctScores == 2)
        #expect(m.averagePrecision == nil && m.auroc == nil && m.fpr95 == nil && m.fpr95PEBAL == nil)
        #expect(m.bestF1 == nil && m.bestF1Threshold == nil)
        expectEqual(m, ReferenceMetrics.pixelMetrics(positives: [], negatives: [0.3, 0.1]))
    }

    @Test func onlyPositives() {
        // Precision is 1 everywhere: AP = 1; no negatives: no ROC.
        let m = Self.metrics(positives: [0.2, 0.7, 0.7], negatives: [])
        #expect(m.averagePrecision == 1 && m.auroc == nil && m.fpr95 == nil)
        #expect(m.bestF1 == 1 && m.bestF1Threshold == 0.2)
        expectEqual(m, ReferenceMetrics.pixelMetrics(positives: [0.2, 0.7, 0.7], negatives: []))
    }

    @Test func allVoid() throws {
        let m = try PixelMetrics(scores: ScoreMap(width: 2, height: 1, pixels: [0.1, 0.9]), truth: truthMap("vv"))
        #expect(m.positives == 0 && m.negatives == 0 && m.distinctScores == 0)
        #expect(m.averagePrecision == nil && m.auroc == nil && m.bestF1 == nil)
    }

    /// One distinct score: a single point (P, N). AP = prevalence, AUROC = 1/2 (the diagonal),
    /// FPR95 = 1, best F1 = 2P / (2P + N).
    @Test func constantScores() throws {
        let m = try PixelMetrics(scores: ScoreMap(width: 5, height: 1, repeating: 0.3), truth: truthMap("##..."))
        #expect(m.averagePrecision == 0.4 && m.auroc == 0.5 && m.fpr95 == 1 && m.fpr95PEBAL == 1)
        #expect(m.bestF1 == 4.0 / 7 && m.bestF1Threshold == 0.3)
    }

    /// -0 and +0 are the same score; a tie between a positive and a negative is one threshold.
    @Test func signedZerosAndTies() {
        let m = Self.metrics(positives: [0.0, 0.5], negatives: [-0.0, 0.5])
        #expect(m.distinctScores == 2)
        // (1,1) then (2,2): AP = 1/2*1/2 + 1/2*1/2 = 1/2; ROC diagonal: 1/2.
        #expect(m.averagePrecision == 0.5 && m.auroc == 0.5)
    }

    @Test func thresholdsAreScoreValues() {
        // From high to low: 12 (1,0) F1 2/3; 5 (1,1) 1/2; 1e-30 (1,2) 2/5; -3.5 (2,2) 2/3; -7 (2,3).
        let m = Self.metrics(positives: [-3.5, 12], negatives: [-7, 1e-30, 5])
        #expect(m.bestF1 == 2.0 / 3 && m.bestF1Threshold == 12)   // tie with -3.5: the higher wins
        #expect(m.fpr95Threshold == -3.5 && m.fpr95 == 2.0 / 3)
    }

    /// The fast path equals the per-threshold oracle exactly on random inputs with ties, values
    /// equal to thresholds, negative scores and void.
    @Test func equalsPerThresholdOracle() throws {
        var rng = MetricsTestRandom(seed: 7)
        for trial in 0..<12 {
            let acc = ScoreCountAccumulator()
            var allScores: [Float] = [], allTruth: [TruthClass] = []
            for i in 0..<(1 + trial % 4) {
                let image = rng.image(width: 9 + i, height: 6 + trial % 3, anomalyPercent: trial == 5 ? 0 : 25)
                _ = try acc.addImage(scores: image.scores, truth: image.truth)
                allScores += image.scores.pixels
                allTruth += image.truth.pixels
            }
            let fast = PixelMetrics(accumulator: acc)
            let oracle = ReferenceMetrics.pixelMetrics(scores: allScores, truth: allTruth)
            expectEqual(fast, oracle, "trial \(trial)")
        }
    }
}

/// Every field equal; AUROC within 1e-12 (the fast path sums horizontal steps at once).
func expectEqual(_ a: PixelMetrics, _ b: PixelMetrics, _ note: String = "",
                 sourceLocation: SourceLocation = #_sourceLocation) {
    var a2 = a, b2 = b
    a2.auroc = nil; b2.auroc = nil
    #expect(a2 == b2, "\(note)", sourceLocation: sourceLocation)
    switch (a.auroc, b.auroc) {
    case (nil, nil): break
    case let (x?, y?): #expect(abs(x - y) < 1e-12, "\(note) AUROC \(x) vs \(y)", sourceLocation: sourceLocation)
    default: Issue.record("AUROC \(String(describing: a.auroc)) vs \(String(describing: b.auroc)) \(note)", sourceLocation: sourceLocation)
    }
}

@Suite struct ScoreCountTests {
    static func reference(_ scored: [(Float, Bool)]) -> ScoreCountRuns {
        ScoreCountRuns(scored: scored.map { (score: $0.0, isPositive: $0.1) })
    }

    @Test func keysPreserveOrder() {
        let values: [Float] = [-.infinity, -1e30, -1, -Float.leastNonzeroMagnitude, 0, Float.leastNonzeroMagnitude, 0.07, 1, 3e38, .infinity]
        for (a, b) in zip(values, values.dropFirst()) {
            #expect(ScoreKey.key(a) < ScoreKey.key(b), "\(a) < \(b)")
        }
        #expect(ScoreKey.key(-0.0) == ScoreKey.key(0))
        for v in values { #expect(ScoreKey.value(ScoreKey.key(v)) == v) }
    }

    /// Counters, the key lists (a tiny counter budget), flushes, and the merge of two
    /// accumulators all give the runs of a plain sort.
    @Test(arguments: [0, 1 << 20, 256 << 20])
    func accumulatorMatchesSort(budget: Int) {
        var rng = MetricsTestRandom(seed: 3)
        var scored: [(Float, Bool)] = []
        let acc = ScoreCountAccumulator(), other = ScoreCountAccumulator()
        for a in [acc, other] { a.counterBudgetBytes = budget }
        acc.flushLimit = 8_000                      // forces flushes along the way
        for round in 0..<6 {
            let narrow = (0..<3_000).map { _ in 0.5 + rng.unit() / 512 }
            let spread = (0..<150).map { _ in rng.trickyScore() }
            let wild = (0..<20).map { _ in Float(bitPattern: UInt32(truncatingIfNeeded: rng.next()) & 0xbf7f_ffff) }
            let pos = (0..<300).map { _ in rng.unit() }
            let target = round % 2 == 0 ? acc : other
            target.add(scores: narrow + spread + wild, positive: false)
            target.add(scores: pos, positive: true)
            scored += (narrow + spread + wild).map { ($0, false) } + pos.map { ($0, true) }
        }
        if budget == 0 { #expect(other.counterBucketCount == 0 && !other.lists[0].isEmpty) }
        acc.absorb(other)
        let expected = Self.reference(scored)
        #expect(acc.runs() == expected)
        #expect(acc.totalPositives == expected.totalPositives && acc.totalNegatives == expected.totalNegatives)
        var descending: [UInt32] = []
        acc.forEachDescending { key, _, _ in descending.append(key) }
        #expect(descending == expected.keys.reversed())
    }

    @Test func imagesMatchSort() throws {
        var rng = MetricsTestRandom(seed: 9)
        let acc = ScoreCountAccumulator()
        acc.counterBudgetBytes = 64 << 10               // some buckets go to the lists
        var scored: [(Float, Bool)] = []
        for i in 0..<5 {
            let image = rng.image(width: 20 + i, height: 15)
            _ = try acc.addImage(scores: image.scores, truth: image.truth)
            for (s, c) in zip(image.scores.pixels, image.truth.pixels) where c != .void { scored.append((s, c == .anomaly)) }
        }
        #expect(acc.runs() == Self.reference(scored))
        #expect(TruthClass.storedAsRawValue)
    }

    /// One-byte counters carry into the high counters: 70,000 equal scores and 300 of another.
    @Test func countersCarry() throws {
        let acc = ScoreCountAccumulator()
        let scores = [Float](repeating: 0.5, count: 70_000) + [Float](repeating: 0.25, count: 300)
        acc.add(scores: scores, positive: false)
        acc.add(scores: [0.5, 0.5, 0.75], positive: true)
        let runs = acc.runs()
        #expect(runs.keys == [0.25, 0.5, 0.75].map(ScoreKey.key))
        #expect(runs.negatives == [300, 70_000, 0] && runs.positives == [0, 2, 1])
        let image = try acc.addImage(scores: ScoreMap(width: 300, height: 1, repeating: 0.5), truth: TruthMap(width: 300, height: 1, repeating: .inDistribution))
        #expect(image.inDistribution[50] == 300)
        #expect(acc.runs().negatives == [300, 70_300, 0])
    }

    @Test func radixSortSorts() {
        var rng = MetricsTestRandom(seed: 2)
        let keys = (0..<5000).map { _ in UInt32(truncatingIfNeeded: rng.next()) } + [0, .max, 7, 7]
        #expect(radixSorted(keys) == keys.sorted())
        let sameHigh = (0..<300).map { _ in 0xABC0_0000 | UInt32(rng.int(1 << 20)) }
        #expect(radixSorted(sameHigh) == sameHigh.sorted())
        // Narrow and clustered ranges, duplicates, a single outlier far away.
        for span in [1, 7, 255, 256, 70_000, 1 << 24] {
            let keys = (0..<3000).map { _ in 0x8000_0000 + UInt32(rng.int(span)) } + [0x8000_0000, 0xFFFF_FFFF]
            #expect(radixSorted(keys) == keys.sorted(), "span \(span)")
        }
        let scores = (0..<5000).map { _ in ScoreKey.key(rng.unit() * rng.unit()) }
        #expect(radixSorted(scores) == scores.sorted())
        #expect(radixSorted([UInt32](repeating: 9, count: 400)) == [UInt32](repeating: 9, count: 400))
    }

    @Test func encodingRoundTrips() throws {
        var rng = MetricsTestRandom(seed: 5)
        let runs = Self.reference((0..<2000).map { _ in (rng.trickyScore(), rng.int(3) == 0) }
                                  + [(0.5, true), (0.5, true), (0.5, false)])
        let bytes = runs.encoded()
        #expect(try ScoreCountRuns(encoded: bytes, what: "t") == runs)
        #expect(bytes.count < runs.count * 4)
        #expect(throws: S2MError.self) { try ScoreCountRuns(encoded: Array(bytes.dropLast()) + [0x80], what: "t") }
        #expect(throws: S2MError(file: "t", .corrupt("score runs are not ascending"))) {
            try ScoreCountRuns(encoded: [0x04, 0x00], what: "t")      // key 1, then delta 0
        }
    }

    @Test func mergedEqualsUnion() {
        let a = Self.reference([(0.1, true), (0.3, false), (0.3, true)])
        let b = Self.reference([(0.3, false), (0.2, false), (0.9, true)])
        let u = Self.reference([(0.1, true), (0.3, false), (0.3, true), (0.3, false), (0.2, false), (0.9, true)])
        #expect(ScoreCountRuns.merged(a, b) == u)
        #expect(u.positives == [1, 0, 1, 1] && u.negatives == [0, 1, 2, 0])
    }
}
