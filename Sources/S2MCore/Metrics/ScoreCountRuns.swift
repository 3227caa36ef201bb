/// Exact pixel counts per distinct score value: ascending ``ScoreKey`` keys, each with how many
/// positive (anomaly) and negative (in-distribution) pixels have that score. This is the whole
/// information behind the pixel-level curves (precision/recall, ROC), so two datasets' runs
/// merge into exactly the runs of their union.
public struct ScoreCountRuns: Sendable, Equatable {
    /// Distinct score keys, strictly ascending.
    public private(set) var keys: [UInt32] = []
    /// Positive pixels per key.
    public private(set) var positives: [UInt64] = []
    /// Negative pixels per key.
    public private(set) var negatives: [UInt64] = []

    public init() {}

    /// Runs of loose scores, the straightforward way (sort, then count). Used for small inputs
    /// and as a reference; NaN scores are a programming error here.
    public init<S: Sequence>(scored pixels: S) where S.Element == (score: Float, isPositive: Bool) {
        let sorted = pixels.map { (ScoreKey.key($0.score), $0.isPositive) }.sorted { $0.0 < $1.0 }
        for (key, positive) in sorted {
            append(key: key, positives: positive ? 1 : 0, negatives: positive ? 0 : 1)
        }
    }

    /// Number of distinct score values.
    public var count: Int { keys.count }
    /// Total positive pixels.
    public var totalPositives: UInt64 { positives.reduce(0, +) }
    /// Total negative pixels.
    public var totalNegatives: UInt64 { negatives.reduce(0, +) }

    /// Appends counts for a key not below the last one (equal keys add up).
    public mutating func append(key: UInt32, positives p: UInt64, negatives n: UInt64) {
        if let last = keys.last {
            precondition(key >= last, "score runs must be appended in ascending key order")
            if key == last {
                positives[positives.count - 1] += p
                negatives[negatives.count - 1] += n
                return
            }
        }
        keys.append(key)
        positives.append(p)
        negatives.append(n)
    }

    /// Reserves storage for `n` runs.
    public mutating func reserveCapacity(_ n: Int) {
        keys.reserveCapacity(n)
        positives.reserveCapacity(n)
        negatives.reserveCapacity(n)
    }

    /// The runs of the union of both pixel sets (linear merge).
    public static func merged(_ a: ScoreCountRuns, _ b: ScoreCountRuns) -> ScoreCountRuns {
        var out = ScoreCountRuns()
        out.reserveCapacity(a.count + b.count)
        var i = 0, j = 0
        while i < a.count || j < b.count {
            if j == b.count || (i < a.count && a.keys[i] < b.keys[j]) {
                out.append(key: a.keys[i], positives: a.positives[i], negatives: a.negatives[i]); i += 1
            } else if i == a.count || b.keys[j] < a.keys[i] {
                out.append(key: b.keys[j], positives: b.positives[j], negatives: b.negatives[j]); j += 1
            } else {
                out.append(key: a.keys[i], positives: a.positives[i] + b.positives[j],
                           negatives: a.negatives[i] + b.negatives[j])
                i += 1; j += 1
            }
        }
        return out
    }

    /// Visits the runs from the highest score to the lowest.
    public func forEachDescending(_ body: (UInt32, UInt64, UInt64) -> Void) {
        var i = keys.count - 1
        while i >= 0 {
            body(keys[i], positives[i], negatives[i])
            i -= 1
        }
    }
}

// MARK: - Compact binary form (shard files)

extension ScoreCountRuns {
    /// A compact byte form: per run one LEB128 varint `delta << 2 | tag` (delta = key minus the
    /// previous key, the first against 0), where tag 0 means (0 positives, 1 negative), tag 1
    /// (1, 0), and tag 2 is followed by two varints with the positive and negative counts.
    public func encoded() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(keys.count * 3)
        var previous: UInt64 = 0
        for i in 0..<keys.count {
            let key = UInt64(keys[i])
            let delta = key - previous
            previous = key
            let p = positives[i], n = negatives[i]
            let tag: UInt64 = (p == 0 && n == 1) ? 0 : (p == 1 && n == 0) ? 1 : 2
            appendVarint(delta << 2 | tag, to: &out)
            if tag == 2 {
                appendVarint(p, to: &out)
                appendVarint(n, to: &out)
            }
        }
        return out
    }

    /// Decodes ``encoded()``; `what` names the source in errors.
    public init(encoded bytes: [UInt8], what: String) throws {
        self.init()
        var pos = 0
        var key: UInt64 = 0
        var first = true
        func next() throws -> UInt64 {
            var value: UInt64 = 0, shift: UInt64 = 0
            while true {
                guard pos < bytes.count else {
                    throw S2MError(file: what, .truncated("score runs end inside a number"))
                }
                let byte = bytes[pos]; pos += 1
                guard shift < 64 else { throw S2MError(file: what, .corrupt("over-long number in score runs")) }
                value |= UInt64(byte & 0x7f) << shift
                if byte & 0x80 == 0 { return value }
                shift += 7
            }
        }
        while pos < bytes.count {
            let head = try next()
            let delta = head >> 2, tag = head & 3
            guard first || delta > 0 else { throw S2MError(file: what, .corrupt("score runs are not ascending")) }
            key += delta
            guard key <= UInt64(UInt32.max) else { throw S2MError(file: what, .corrupt("score key out of range")) }
            first = false
            switch tag {
            case 0: append(key: UInt32(key), positives: 0, negatives: 1)
            case 1: append(key: UInt32(key), positives: 1, negatives: 0)
            case 2:
                let p = try next(), n = try next()
                guard p + n > 0 else { throw S2MError(file: what, .corrupt("empty score run")) }
                append(key: UInt32(key), positives: p, negatives: n)
            default: throw S2MError(file: what, .corrupt("unknown score run tag \(tag)"))
            }
        }
    }
}

@inline(__always)
private func appendVarint(_ value: UInt64, to out: inout [UInt8]) {
    var v = value
    while v >= 0x80 {
        out.append(UInt8(v & 0x7f) | 0x80)
        v >>= 7
    }
    out.append(UInt8(v))
}
