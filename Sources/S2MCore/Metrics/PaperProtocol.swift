/// The evaluation protocol of the S2M paper (`tools/inference.py` of the official code): a sweep over
/// the 101 thresholds t = 0.00, 0.01, ..., 1.00 with the strict prediction `score > t`.
///
/// Per image and threshold: I = |G ∩ P(t)|, U = |G ∪ P(t)|, IoU = I / U, F1 = 2I / (I + U) (Dice),
/// both 0 when U = 0 (the image is counted, not skipped). Over a dataset: mIoU(t) and mF1(t) are
/// means over images; "IoU" is max over t of mIoU(t) (first threshold reaching the maximum, 0 when
/// every mIoU is 0), "AuIoU" the trapezoid area of mIoU(t) over the thresholds, "mean F1" the mean
/// over t of mF1(t). G is the anomaly class; void is handled as ``VoidHandling`` says.
public enum PaperProtocol {
    /// Number of thresholds in the sweep.
    public static let thresholdCount = 101

    /// Thresholds as numpy's `arange(0, 1.01, 0.01)` computes them in double precision
    /// (`k * 0.01`); used for the trapezoid (AuIoU) and for reporting.
    public static let thresholds: [Double] = (0..<thresholdCount).map { Double($0) * 0.01 }

    /// The thresholds as the float32 values a float32 score map is compared with (torch and numpy
    /// cast the scalar to the tensor's type): `score > Float(k * 0.01)`.
    public static let floatThresholds: [Float] = thresholds.map { Float($0) }

    /// Number of histogram bins: bin b holds scores above exactly b thresholds, so a pixel in bin
    /// b is predicted at threshold index k iff b > k (bins 0...101).
    public static let binCount = thresholdCount + 1

    /// ``floatThresholds`` followed by +infinity (102 values), the table ``bin(_:thresholds:)`` reads.
    public static let paddedFloatThresholds: [Float] = floatThresholds + [.infinity]

    /// The bin of a score: the number of thresholds strictly below it (0...101). `t` is
    /// ``paddedFloatThresholds``. Exact and branch-free: g = floor(100 s), clamped to 0...100, is
    /// the count or at most two below it (the float product errs by far less than a step), and
    /// the two comparisons that follow correct it. NaN must be rejected before.
    @inlinable @inline(__always)
    static func bin(_ score: Float, thresholds t: UnsafePointer<Float>) -> Int {
        let g = Int(min(max(score, 0), 1) * 100)
        return g &+ (t[g] < score ? 1 : 0) &+ (t[g &+ 1] < score ? 1 : 0)
    }
}

/// How void ground-truth pixels enter the paper's protocol.
public enum VoidHandling: String, Sendable, Codable, CaseIterable {
    /// Void counts as background, as in the paper's code (G = label == anomaly; a prediction on a
    /// void pixel enlarges the union).
    case paper
    /// Void pixels are left out of both I and U.
    case ignore
}

/// One image's counts for the paper's sweep: how many pixels of each ground-truth class fall in
/// each score bin (see ``PaperProtocol/binCount``). Every threshold's I and U follow from them,
/// under either ``VoidHandling``, and integer counts merge exactly across shards.
public struct PaperImageCounts: Sendable, Equatable, Codable {
    /// Anomaly pixels per bin (`binCount` values).
    public var anomaly: [Int]
    /// In-distribution pixels per bin.
    public var inDistribution: [Int]
    /// Void pixels per bin.
    public var void: [Int]

    public init(anomaly: [Int], inDistribution: [Int], void: [Int]) {
        precondition(anomaly.count == PaperProtocol.binCount && inDistribution.count == PaperProtocol.binCount
                     && void.count == PaperProtocol.binCount, "paper counts need \(PaperProtocol.binCount) bins")
        self.anomaly = anomaly
        self.inDistribution = inDistribution
        self.void = void
    }

    /// Counts of one image by a single pass over its pixels. Throws ``S2MError`` `.nonFinite`
    /// for NaN or infinite scores and `.sizeMismatch` when the rasters differ in size.
    public init(scores: ScoreMap, truth: TruthMap) throws {
        try checkSameSize(scores, truth)
        var hist = [Int](repeating: 0, count: 3 * PaperProtocol.binCount)
        var nonFinite = 0
        scores.pixels.withUnsafeBufferPointer { sp in
            truth.pixels.withUnsafeBufferPointer { tp in
                PaperProtocol.paddedFloatThresholds.withUnsafeBufferPointer { th in
                    hist.withUnsafeMutableBufferPointer { h in
                        for i in 0..<sp.count {
                            let s = sp[i]
                            if !s.isFinite { nonFinite += 1; continue }
                            let b = PaperProtocol.bin(s, thresholds: th.baseAddress!)
                            h[Int(tp[i].rawValue) &* PaperProtocol.binCount &+ b] &+= 1
                        }
                    }
                }
            }
        }
        if nonFinite > 0 { throw S2MError(file: nil, .nonFinite(count: nonFinite)) }
        self.init(histogram: hist)
    }

    /// From the fused histogram laid out as [inDistribution | anomaly | void] (by raw class).
    init(histogram h: [Int]) {
        let n = PaperProtocol.binCount
        self.init(anomaly: Array(h[n..<2 * n]), inDistribution: Array(h[0..<n]), void: Array(h[2 * n..<3 * n]))
    }

    /// Number of anomaly pixels, |G|.
    public var groundTruthCount: Int { anomaly.reduce(0, +) }

    /// I and U at every threshold index k (0...100).
    public func intersectionsAndUnions(void handling: VoidHandling) -> (intersection: [Int], union: [Int]) {
        let n = PaperProtocol.binCount
        let g = groundTruthCount
        var inter = [Int](repeating: 0, count: PaperProtocol.thresholdCount)
        var union = [Int](repeating: 0, count: PaperProtocol.thresholdCount)
        var i = 0, p = 0                       // pixels in bins > k
        for k in stride(from: n - 2, through: 0, by: -1) {
            let b = k + 1
            i += anomaly[b]
            p += anomaly[b] + inDistribution[b] + (handling == .paper ? void[b] : 0)
            inter[k] = i
            union[k] = g + p - i
        }
        return (inter, union)
    }

    /// Per-threshold IoU and F1 of this image (0 where the union is empty).
    public func scores(void handling: VoidHandling) -> (iou: [Double], f1: [Double]) {
        let (inter, union) = intersectionsAndUnions(void: handling)
        var iou = [Double](repeating: 0, count: inter.count)
        var f1 = [Double](repeating: 0, count: inter.count)
        for k in 0..<inter.count where union[k] > 0 {
            iou[k] = Double(inter[k]) / Double(union[k])
            f1[k] = Double(2 * inter[k]) / Double(inter[k] + union[k])
        }
        return (iou, f1)
    }

    /// Adds another image's counts bin by bin (used to pool pixels, not for the image means).
    public static func + (a: PaperImageCounts, b: PaperImageCounts) -> PaperImageCounts {
        PaperImageCounts(anomaly: zip(a.anomaly, b.anomaly).map { $0 + $1 },
                         inDistribution: zip(a.inDistribution, b.inDistribution).map { $0 + $1 },
                         void: zip(a.void, b.void).map { $0 + $1 })
    }
}

/// The paper's dataset-level numbers, from per-image counts in a fixed image order.
public struct PaperSummary: Sendable, Equatable, Codable {
    /// Mean over images of the per-image IoU at each threshold (101 values).
    public var meanIoU: [Double]
    /// Mean over images of the per-image F1 at each threshold (101 values).
    public var meanF1: [Double]
    /// max over t of mIoU(t): the paper's "IoU".
    public var bestIoU: Double
    /// The first threshold reaching ``bestIoU`` (0 when every mIoU is 0), as in the paper's loop.
    public var bestThreshold: Double
    /// Index of ``bestThreshold`` in ``PaperProtocol/thresholds``.
    public var bestThresholdIndex: Int
    /// Trapezoid area of mIoU(t) over t in [0, 1]: the paper's "AuIoU".
    public var auIoU: Double
    /// Mean over the 101 thresholds of mF1(t): the paper's "mean F1".
    public var meanF1OverThresholds: Double
    /// Number of images averaged.
    public var imageCount: Int

    /// Summarises images in the given order (sums are taken in that order, so a dataset split
    /// into shards and merged back in image order gives identical bits). `nil` for no images.
    public init?(images: [PaperImageCounts], void handling: VoidHandling) {
        guard !images.isEmpty else { return nil }
        let t = PaperProtocol.thresholdCount
        var iouSum = [Double](repeating: 0, count: t)
        var f1Sum = [Double](repeating: 0, count: t)
        for image in images {
            let (iou, f1) = image.scores(void: handling)
            for k in 0..<t {
                iouSum[k] += iou[k]
                f1Sum[k] += f1[k]
            }
        }
        let n = Double(images.count)
        self.init(meanIoU: iouSum.map { $0 / n }, meanF1: f1Sum.map { $0 / n }, imageCount: images.count)
    }

    /// The summary of given per-threshold image means (101 values each).
    public init(meanIoU: [Double], meanF1: [Double], imageCount: Int) {
        precondition(meanIoU.count == PaperProtocol.thresholdCount && meanF1.count == PaperProtocol.thresholdCount)
        var best = 0.0, bestK = 0
        for k in meanIoU.indices where meanIoU[k] > best {     // strict: the first maximum wins
            best = meanIoU[k]
            bestK = k
        }
        var area = 0.0
        for k in 0..<(meanIoU.count - 1) {
            let dx = PaperProtocol.thresholds[k + 1] - PaperProtocol.thresholds[k]
            area += dx * (meanIoU[k + 1] + meanIoU[k]) / 2
        }
        self.init(meanIoU: meanIoU, meanF1: meanF1, bestIoU: best, bestThreshold: PaperProtocol.thresholds[bestK],
                  bestThresholdIndex: bestK, auIoU: area,
                  meanF1OverThresholds: meanF1.reduce(0, +) / Double(meanF1.count), imageCount: imageCount)
    }

    /// Every field given.
    public init(meanIoU: [Double], meanF1: [Double], bestIoU: Double, bestThreshold: Double, bestThresholdIndex: Int,
                auIoU: Double, meanF1OverThresholds: Double, imageCount: Int) {
        self.meanIoU = meanIoU
        self.meanF1 = meanF1
        self.bestIoU = bestIoU
        self.bestThreshold = bestThreshold
        self.bestThresholdIndex = bestThresholdIndex
        self.auIoU = auIoU
        self.meanF1OverThresholds = meanF1OverThresholds
        self.imageCount = imageCount
    }
}

/// Throws `.sizeMismatch` unless the two rasters have the same size.
func checkSameSize<A, B>(_ a: Raster<A>, _ b: Raster<B>, file: String? = nil) throws {
    guard a.width == b.width && a.height == b.height else {
        throw S2MError(file: file, .sizeMismatch("scores are \(a.size), ground truth is \(b.size)"))
    }
}
