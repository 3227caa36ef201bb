/// What one ground-truth pixel means to the metrics, after a ``LabelEncoding`` has been applied
/// to the raw label values: in-distribution, out-of-distribution (the positive class), or void
/// (not evaluated by the SMIYC metrics; background in the paper's own protocol).
public enum TruthClass: UInt8, Sendable, Hashable, Codable {
    /// In-distribution pixel: a negative for every metric.
    case inDistribution = 0
    /// Out-of-distribution (anomaly / obstacle) pixel: the positive class.
    case anomaly = 1
    /// Unlabelled or ignored pixel (SMIYC / Fishyscapes label 255).
    case void = 2
}

/// Per-pixel ground truth for evaluation, row-major like every ``Raster``.
public typealias TruthMap = Raster<TruthClass>

extension Raster where Element == TruthClass {
    /// Ground truth from a binary mask: `true` is an anomaly, `false` in-distribution, no void.
    public init(anomalyMask mask: Mask) {
        self = mask.map { $0 ? TruthClass.anomaly : TruthClass.inDistribution }
    }

    /// Number of pixels of each class.
    public var classCounts: (inDistribution: Int, anomaly: Int, void: Int) {
        var counts = (0, 0, 0)
        for c in pixels {
            switch c {
            case .inDistribution: counts.0 += 1
            case .anomaly: counts.1 += 1
            case .void: counts.2 += 1
            }
        }
        return counts
    }
}

extension TruthClass {
    /// The fast metric pass reads a ``TruthMap``'s storage as bytes holding these raw values.
    static let storedAsRawValue: Bool = MemoryLayout<TruthClass>.size == 1
        && [TruthClass.inDistribution, .anomaly, .void].allSatisfy { c in
            withUnsafeBytes(of: c) { $0[0] == c.rawValue }
        }
}
