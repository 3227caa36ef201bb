import S2MCore

/// IoU and F1 of one predicted mask against ground truth, by the paper's protocol: void pixels
/// count as background; both are 0 when the union is empty.
public struct MaskScore: Hashable, Sendable {
    public var iou: Double
    public var f1: Double

    public init(iou: Double, f1: Double) {
        self.iou = iou
        self.f1 = f1
    }

    public init(predicted: Mask, truth: Mask) {
        precondition(predicted.count == truth.count)
        var intersection = 0, union = 0
        predicted.pixels.withUnsafeBufferPointer { p in
            truth.pixels.withUnsafeBufferPointer { t in
                for i in 0..<p.count {
                    let a = p[i], b = t[i]
                    if a && b { intersection += 1 }
                    if a || b { union += 1 }
                }
            }
        }
        iou = union > 0 ? Double(intersection) / Double(union) : 0
        f1 = union > 0 ? 2 * Double(intersection) / Double(intersection + union) : 0
    }
}

/// The per-image comparison the status line shows and datasets are ordered by.
public struct CaseMetrics: Hashable, Sendable {
    public var threshold: MaskScore
    public var s2m: MaskScore

    public init(threshold: MaskScore, s2m: MaskScore) {
        self.threshold = threshold
        self.s2m = s2m
    }
}
