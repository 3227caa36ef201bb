import Foundation

/// A small seeded random number generator, the same stream on every platform and Swift version:
/// SplitMix64 (Steele, Lea & Flood 2014; the seeding generator of Java's SplittableRandom).
/// The simulator uses it instead of `SystemRandomNumberGenerator` so that a seed reproduces a
/// score map exactly. Uniform and normal draws are defined here too (not with Swift's
/// `random(in:using:)`, whose algorithm is not specified), so the integer stream fixes them.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform double in [0, 1) with 53 random bits.
    public mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// A uniform double in `range` (half-open in effect; the upper bound has probability 0).
    public mutating func uniform(_ range: ClosedRange<Double>) -> Double {
        range.lowerBound + (range.upperBound - range.lowerBound) * nextUnit()
    }

    /// A standard normal draw (Box-Muller; uses two uniforms per draw, no caching, so the
    /// number of draws consumed is always two).
    public mutating func normal() -> Double {
        let u1 = 1 - nextUnit()  // (0, 1]: log is finite
        let u2 = nextUnit()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// A Poisson draw with mean `lambda` (Knuth's multiplication method; fine for small means).
    public mutating func poisson(mean lambda: Double) -> Int {
        guard lambda > 0 else { return 0 }
        let limit = exp(-lambda)
        var k = 0
        var p = nextUnit()
        while p > limit && k < 1000 {
            k += 1
            p *= nextUnit()
        }
        return k
    }

    /// A seed derived from `seed` and a name (e.g. a frame's file stem) with FNV-1a, so each
    /// frame of a dataset gets its own stream from one `--seed`.
    public static func seed(_ seed: UInt64, name: String) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in name.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return hash ^ seed
    }
}
