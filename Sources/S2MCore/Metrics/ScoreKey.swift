/// An order-preserving map from float scores to 32-bit unsigned keys: `a < b` exactly when
/// `key(a) < key(b)`, and equal floats get equal keys (-0 and +0 share the key of +0). Exact
/// pixel-level curves count pixels per key, i.e. per distinct float value.
public enum ScoreKey {
    /// The key of a finite or infinite score (NaN must be rejected before).
    @inlinable @inline(__always)
    public static func key(_ score: Float) -> UInt32 {
        let bits = (score + 0).bitPattern                  // -0 + 0 == +0
        return bits & 0x8000_0000 != 0 ? ~bits : bits | 0x8000_0000
    }

    /// The score a key stands for (inverse of ``key(_:)``).
    @inlinable @inline(__always)
    public static func value(_ key: UInt32) -> Float {
        Float(bitPattern: key & 0x8000_0000 != 0 ? key & 0x7fff_ffff : ~key)
    }
}
