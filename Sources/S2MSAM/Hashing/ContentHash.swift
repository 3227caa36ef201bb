import CSAMKernels

/// A 128-bit content hash (not cryptographic) used for cache keys: images by their pixels,
/// checkpoints by their zip directory. Printed as 32 lowercase hex digits.
public struct ContentHash {
    private var state: [UInt64] = [0, 0]

    public init() {
        state.withUnsafeMutableBufferPointer { sam_hash_init($0.baseAddress!) }
    }

    /// Adds bytes to the hash.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        state.withUnsafeMutableBufferPointer {
            sam_hash_update($0.baseAddress!, base.assumingMemoryBound(to: UInt8.self), bytes.count)
        }
    }

    /// Adds the bytes of an integer (little-endian) to the hash.
    public mutating func update(_ value: Int) {
        withUnsafeBytes(of: Int64(value).littleEndian) { update($0) }
    }

    /// The hash as 32 hex digits.
    public var hex: String {
        state.map { word in
            let digits = String(word, radix: 16)
            return String(repeating: "0", count: 16 - digits.count) + digits
        }.joined()
    }

    /// The hash of `bytes` as 32 hex digits.
    public static func hex(of bytes: [UInt8]) -> String {
        var hash = ContentHash()
        bytes.withUnsafeBytes { hash.update($0) }
        return hash.hex
    }
}
