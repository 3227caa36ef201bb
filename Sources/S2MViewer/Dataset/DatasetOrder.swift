/// Orders of a dataset's images, so that failure cases can come first.
public enum DatasetOrder: String, CaseIterable, Hashable, Sendable, Codable {
    /// As given.
    case file
    /// Lowest S2M IoU first.
    case worstS2M = "worst-s2m"
    /// Lowest threshold-baseline IoU first.
    case worstThreshold = "worst-threshold"
    /// Where S2M loses most to the threshold first (threshold IoU - S2M IoU, descending).
    case s2mLoses = "s2m-loses"
    /// Largest difference between S2M and the threshold, either way, first.
    case gap

    public var title: String {
        switch self {
        case .file: return "file order"
        case .worstS2M: return "worst S2M IoU first"
        case .worstThreshold: return "worst threshold IoU first"
        case .s2mLoses: return "S2M behind threshold first"
        case .gap: return "largest S2M/threshold gap first"
        }
    }

    /// The display order of item indices given per-item metrics (items without metrics, e.g. no
    /// label, go last in file order). Ties keep file order.
    public func order(count: Int, metrics: [Int: CaseMetrics]) -> [Int] {
        guard self != .file else { return Array(0..<count) }
        func key(_ m: CaseMetrics) -> Double {
            switch self {
            case .file: return 0
            case .worstS2M: return m.s2m.iou
            case .worstThreshold: return m.threshold.iou
            case .s2mLoses: return -(m.threshold.iou - m.s2m.iou)
            case .gap: return -abs(m.threshold.iou - m.s2m.iou)
            }
        }
        let known = (0..<count).filter { metrics[$0] != nil }
        let unknown = (0..<count).filter { metrics[$0] == nil }
        let sorted = known.enumerated().sorted { a, b in
            let ka = key(metrics[a.element]!), kb = key(metrics[b.element]!)
            return ka != kb ? ka < kb : a.offset < b.offset
        }.map(\.element)
        return sorted + unknown
    }
}

/// Computing every item's metrics in the background.
public struct RankJob: Sendable {
    public let id: Int
    public let items: [DatasetItem]
    /// The generator (index and values) for items whose prompts were not edited.
    public let generator: (index: Int, values: [String: Double])?
    public let segmenterIndex: Int
    /// Prompts of items edited in this session (by item name), used instead of generating.
    public let promptOverrides: [String: [Prompt]]
    /// Thresholds of items edited in this session (by item name).
    public let thresholdOverrides: [String: Float]

    public init(id: Int, items: [DatasetItem], generator: (index: Int, values: [String: Double])?, segmenterIndex: Int,
                promptOverrides: [String: [Prompt]], thresholdOverrides: [String: Float]) {
        self.id = id
        self.items = items
        self.generator = generator
        self.segmenterIndex = segmenterIndex
        self.promptOverrides = promptOverrides
        self.thresholdOverrides = thresholdOverrides
    }
}

import S2MCore

/// What a ranking reports.
public enum RankUpdate: Sendable {
    case progress(jobID: Int, done: Int, total: Int)
    /// Metrics by item index (items without a label or scores are absent).
    case finished(jobID: Int, metrics: [Int: CaseMetrics], error: String?)
}
