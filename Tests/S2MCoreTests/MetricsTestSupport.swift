@testable import S2MCore

/// A small deterministic generator (SplitMix64) for the metric tests' random inputs.
struct MetricsTestRandom {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in 0..<n.
    mutating func int(_ n: Int) -> Int { Int(next() % UInt64(n)) }

    /// Uniform in [0, 1).
    mutating func unit() -> Float { Float(next() >> 40) / Float(1 << 24) }

    /// A score with many ties and boundary values: a mix of exact thresholds (k/100 as Float),
    /// a few repeated values, values outside [0, 1], and continuous values.
    mutating func trickyScore() -> Float {
        switch int(6) {
        case 0: return PaperProtocol.floatThresholds[int(101)]
        case 1: return [0, -0.0, 0.5, 1, 0.25].randomElementStable(&self)
        case 2: return unit() * 1.4 - 0.2
        case 3: return Float(int(8)) / 8
        default: return unit()
        }
    }

    /// A random image of scores and truth with `voidShare` of void pixels (in percent).
    mutating func image(width: Int, height: Int, anomalyPercent: Int = 30, voidPercent: Int = 10)
        -> (scores: ScoreMap, truth: TruthMap)
    {
        var scores: [Float] = [], truth: [TruthClass] = []
        for _ in 0..<(width * height) {
            let r = int(100)
            let c: TruthClass = r < voidPercent ? .void : r < voidPercent + anomalyPercent ? .anomaly : .inDistribution
            truth.append(c)
            // Anomalies score a bit higher on average so the curves are not trivial.
            let s = trickyScore()
            scores.append(c == .anomaly && int(2) == 0 ? min(s + 0.3, 1.2) : s)
        }
        return (ScoreMap(width: width, height: height, pixels: scores), TruthMap(width: width, height: height, pixels: truth))
    }
}

extension Array {
    func randomElementStable(_ rng: inout MetricsTestRandom) -> Element { self[rng.int(count)] }
}

/// Builds a truth map from a compact string: `#` anomaly, `.` in-distribution, `v` void; rows
/// separated by spaces.
func truthMap(_ rows: String) -> TruthMap {
    let lines = rows.split(separator: " ").map(Array.init)
    let pixels: [TruthClass] = lines.flatMap { $0.map { $0 == "#" ? .anomaly : $0 == "v" ? .void : .inDistribution } }
    return TruthMap(width: lines[0].count, height: lines.count, pixels: pixels)
}
