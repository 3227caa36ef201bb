/// The naive baseline S2M is compared with: a binary mask from thresholding the scores.
///
/// Pixels with a score strictly above the threshold are predicted OoD, as in the paper's
/// evaluation code (`P(t) = {s > t}`).
public enum ThresholdRule: Sendable, Hashable, CustomStringConvertible {
    /// A threshold given by the user, in the units of the (normalised) scores.
    case fixed(Float)
    /// Otsu's threshold of each map (see ``otsuThreshold(_:)``).
    case otsu

    /// Parses `otsu` or a number (`0.5`, `fixed:0.5`).
    public static func parse(_ text: String) throws -> ThresholdRule {
        let t = text.lowercased()
        if t == "otsu" { return .otsu }
        let number = t.hasPrefix("fixed:") ? String(t.dropFirst(6)) : t
        if let v = Float(number), v.isFinite { return .fixed(v) }
        throw S2MError(file: nil, .invalid("unknown threshold '\(text)' (use a number, fixed:T or otsu)"))
    }

    public var description: String {
        switch self {
        case .fixed(let t): return "fixed:\(t)"
        case .otsu: return "otsu"
        }
    }

    /// The threshold this rule picks for `scores`; `nil` when Otsu has nothing to split (a
    /// constant map), whose mask is then empty.
    public func threshold(for scores: ScoreMap) -> Float? {
        switch self {
        case .fixed(let t): return t
        case .otsu: return otsuThreshold(scores)
        }
    }

    /// The baseline mask of `scores` under this rule.
    public func mask(for scores: ScoreMap) -> Mask {
        guard let t = threshold(for: scores) else { return scores.map { _ in false } }
        return thresholdMask(scores, above: t)
    }
}

/// `{s > t}`: pixels whose score is strictly above `t`.
public func thresholdMask(_ scores: ScoreMap, above t: Float) -> Mask {
    scores.map { $0 > t }
}
