/// How raw anomaly scores are mapped to a common range before prompts or thresholds are computed.
///
/// Scores of OoD detectors come in arbitrary units (RPL's energy is negative, max-logit is
/// unbounded); the threshold sweep of the paper and the prompt generators want values in [0, 1].
public enum ScoreNormalization: Sendable, Hashable, CustomStringConvertible {
    /// Values are used as they are.
    case none
    /// Per image: `(s - min) / (max - min)`; a constant map becomes all 0.
    case minMax
    /// Per image: clip to the `low`-th and `high`-th percentiles (in percent, `0 <= low < high <= 100`,
    /// linear interpolation between order statistics as numpy's default), then min-max to [0, 1].
    /// Robust to a few extreme pixels that would squash the rest of a min-max map.
    case percentileClip(low: Double, high: Double)

    /// The names accepted on the command line: `none`, `minmax`, `percentile` (1 / 99) or
    /// `percentile:LOW,HIGH`.
    public static func parse(_ text: String) throws -> ScoreNormalization {
        let t = text.lowercased()
        switch t {
        case "none": return .none
        case "minmax", "min-max": return .minMax
        case "percentile", "percentile-clip": return .percentileClip(low: 1, high: 99)
        default:
            if t.hasPrefix("percentile:") {
                let parts = t.dropFirst("percentile:".count).split(separator: ",")
                if parts.count == 2, let lo = Double(parts[0]), let hi = Double(parts[1]),
                   lo >= 0, hi <= 100, lo < hi {
                    return .percentileClip(low: lo, high: hi)
                }
            }
            throw S2MError(file: nil, .invalid(
                "unknown score normalisation '\(text)' (use none, minmax, percentile or percentile:LOW,HIGH with 0 <= LOW < HIGH <= 100)"))
        }
    }

    public var description: String {
        switch self {
        case .none: return "none"
        case .minMax: return "minmax"
        case .percentileClip(let lo, let hi): return "percentile:\(lo),\(hi)"
        }
    }

    /// The normalised copy of `scores`. Non-finite values are not expected (readers refuse them).
    public func apply(to scores: ScoreMap) -> ScoreMap {
        guard !scores.isEmpty else { return scores }
        switch self {
        case .none:
            return scores
        case .minMax:
            var lo = scores.pixels[0], hi = scores.pixels[0]
            for v in scores.pixels {
                if v < lo { lo = v }
                if v > hi { hi = v }
            }
            return Self.rescale(scores, low: lo, high: hi)
        case .percentileClip(let pLow, let pHigh):
            let sorted = scores.pixels.sorted()
            let lo = Self.percentile(sorted: sorted, pLow)
            let hi = Self.percentile(sorted: sorted, pHigh)
            return Self.rescale(scores, low: lo, high: hi)
        }
    }

    /// The `p`-th percentile (0...100) of already sorted values, linearly interpolated between the
    /// order statistics at rank `p / 100 * (n - 1)` (numpy's `percentile` default).
    public static func percentile(sorted: [Float], _ p: Double) -> Float {
        precondition(!sorted.isEmpty, "percentile of no values")
        let rank = min(max(p, 0), 100) / 100 * Double(sorted.count - 1)
        let i = Int(rank.rounded(.down))
        let frac = rank - Double(i)
        if i + 1 >= sorted.count { return sorted[sorted.count - 1] }
        return Float(Double(sorted[i]) + frac * (Double(sorted[i + 1]) - Double(sorted[i])))
    }

    /// Clips to `[low, high]` and maps that interval linearly to [0, 1]; all 0 when `high <= low`.
    static func rescale(_ scores: ScoreMap, low: Float, high: Float) -> ScoreMap {
        guard high > low else { return scores.map { _ in 0 } }
        let scale = 1 / (Double(high) - Double(low))
        return scores.map { v in
            let c = min(max(v, low), high)
            return Float((Double(c) - Double(low)) * scale)
        }
    }
}
