/// An NPY element type: kind, size in bytes and byte order, as in numpy's `dtype.str`
/// (`"<f4"`, `">i2"`, `"|b1"`).
public struct NPYDType: Hashable, Sendable, CustomStringConvertible {
    /// The numeric kinds s2m reads.
    public enum Kind: Character, Sendable {
        case float = "f"
        case signed = "i"
        case unsigned = "u"
        case bool = "b"
    }

    public var kind: Kind
    /// Bytes per element.
    public var size: Int
    /// True for big-endian multi-byte elements.
    public var isBigEndian: Bool

    public init(_ kind: Kind, size: Int, bigEndian: Bool = false) {
        self.kind = kind
        self.size = size
        self.isBigEndian = size > 1 ? bigEndian : false
    }

    public static let float16 = NPYDType(.float, size: 2)
    public static let float32 = NPYDType(.float, size: 4)
    public static let float64 = NPYDType(.float, size: 8)
    public static let uint8 = NPYDType(.unsigned, size: 1)
    public static let uint16 = NPYDType(.unsigned, size: 2)
    public static let uint32 = NPYDType(.unsigned, size: 4)
    public static let uint64 = NPYDType(.unsigned, size: 8)
    public static let int8 = NPYDType(.signed, size: 1)
    public static let int16 = NPYDType(.signed, size: 2)
    public static let int32 = NPYDType(.signed, size: 4)
    public static let int64 = NPYDType(.signed, size: 8)
    public static let bool = NPYDType(.bool, size: 1)

    /// Every element type s2m reads (each in either byte order).
    public static let supported: [NPYDType] = [
        .float16, .float32, .float64, .uint8, .uint16, .uint32, .uint64, .int8, .int16, .int32, .int64, .bool,
    ]

    /// The same type in the other byte order (1-byte types are unchanged).
    public var byteSwapped: NPYDType { NPYDType(kind, size: size, bigEndian: !isBigEndian) }

    /// numpy's `dtype.str`: `"<f4"`, `">u2"`, `"|u1"`, `"|b1"`.
    public var description: String {
        let order = size == 1 ? "|" : (isBigEndian ? ">" : "<")
        return "\(order)\(kind.rawValue)\(size)"
    }

    /// Short name without byte order, as the issue and docs list them (`"f4"`, `"b1"`).
    public var shortName: String { "\(kind.rawValue)\(size)" }

    /// Parses a numpy `descr` string. Byte order `<`, `>`, `|` or `=` (native, little-endian on
    /// every platform s2m runs on), or none; `?` is accepted for bool.
    /// Returns `nil` when the string is not a simple numeric type s2m reads.
    public init?(descr: String) {
        var text = Substring(descr)
        var big = false
        if let first = text.first, "<>|=".contains(first) {
            big = first == ">"
            text = text.dropFirst()
        }
        if text == "?" { self.init(.bool, size: 1); return }
        guard let kindChar = text.first, let kind = Kind(rawValue: kindChar),
              let size = Int(text.dropFirst()) else { return nil }
        let valid: Bool
        switch kind {
        case .float: valid = size == 2 || size == 4 || size == 8
        case .signed, .unsigned: valid = size == 1 || size == 2 || size == 4 || size == 8
        case .bool: valid = size == 1
        }
        guard valid else { return nil }
        self.init(kind, size: size, bigEndian: big)
    }
}
