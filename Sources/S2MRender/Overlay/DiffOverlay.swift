import S2MCore

/// The comparison of a predicted mask with ground truth, pixel by pixel.
public enum DiffCategory: UInt8, Sendable, CaseIterable {
    case trueNegative = 0
    case truePositive = 1
    case falsePositive = 2
    case falseNegative = 3
    /// Void in the label: counted in neither direction.
    case ignored = 4

    /// The category of one pixel.
    @inlinable
    public static func of(predicted: Bool, truth: Bool, void: Bool) -> DiffCategory {
        if void { return .ignored }
        switch (predicted, truth) {
        case (true, true): return .truePositive
        case (true, false): return .falsePositive
        case (false, true): return .falseNegative
        case (false, false): return .trueNegative
        }
    }
}

public enum DiffOverlay {
    /// The three masks (TP, FP, FN) of `predicted` against `truth`, void pixels excluded.
    public static func categories(predicted: Mask, truth: Mask, void: Mask?) -> (tp: Mask, fp: Mask, fn: Mask) {
        let n = predicted.count
        var tp = [Bool](repeating: false, count: n)
        var fp = tp, fn = tp
        for i in 0..<n {
            switch DiffCategory.of(predicted: predicted.pixels[i], truth: truth.pixels[i],
                                   void: void?.pixels[i] ?? false) {
            case .truePositive: tp[i] = true
            case .falsePositive: fp[i] = true
            case .falseNegative: fn[i] = true
            default: break
            }
        }
        let w = predicted.width, h = predicted.height
        return (Mask(width: w, height: h, pixels: tp), Mask(width: w, height: h, pixels: fp),
                Mask(width: w, height: h, pixels: fn))
    }
}
