/// A value of the Python pickle subset that PyTorch state dicts use.
///
/// Lists and dicts are reference types because pickles fill them after creating them (APPEND,
/// SETITEMS), possibly through a memo reference.
indirect enum PickleValue {
    case none
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)
    case bytes([UInt8])
    case tuple([PickleValue])
    case list(PickleList)
    case dict(PickleDict)
    /// A class or function named by module and name (only called when known, see PickleReader).
    case global(module: String, name: String)
    /// A storage named by a persistent id: the zip entry holding its bytes.
    case storage(StorageReference)
    /// A tensor rebuilt over a storage.
    case tensor(TensorRecord)

    /// A short description for error messages.
    var kind: String {
        switch self {
        case .none: return "None"
        case .bool: return "bool"
        case .int: return "int"
        case .float: return "float"
        case .string: return "str"
        case .bytes: return "bytes"
        case .tuple: return "tuple"
        case .list: return "list"
        case .dict: return "dict"
        case .global(let module, let name): return "\(module).\(name)"
        case .storage: return "storage"
        case .tensor: return "tensor"
        }
    }
}

/// A Python list being built by a pickle.
final class PickleList {
    var items: [PickleValue] = []
}

/// A Python dict (or OrderedDict) being built by a pickle; string keys keep their insertion order.
final class PickleDict {
    private(set) var keys: [String] = []
    private(set) var values: [String: PickleValue] = [:]
    /// Number of entries whose key is not a string (ignored by state-dict readers).
    private(set) var otherKeyCount = 0

    func set(_ key: PickleValue, _ value: PickleValue) {
        guard case .string(let name) = key else {
            otherKeyCount += 1
            return
        }
        if values.updateValue(value, forKey: name) == nil { keys.append(name) }
    }

    subscript(key: String) -> PickleValue? { values[key] }
}

/// Element type of a torch storage, from its class name (`torch.FloatStorage`, ...).
public enum StorageType: String, Sendable {
    case float32 = "FloatStorage"
    case float16 = "HalfStorage"
    case bfloat16 = "BFloat16Storage"
    case float64 = "DoubleStorage"
    case int64 = "LongStorage"
    case int32 = "IntStorage"
    case int16 = "ShortStorage"
    case int8 = "CharStorage"
    case uint8 = "ByteStorage"
    case bool = "BoolStorage"

    /// Bytes per element.
    public var elementSize: Int {
        switch self {
        case .float64, .int64: return 8
        case .float32, .int32: return 4
        case .float16, .bfloat16, .int16: return 2
        case .int8, .uint8, .bool: return 1
        }
    }

    /// True for the types s2m converts to float32 weights.
    public var isFloatingPoint: Bool {
        switch self {
        case .float32, .float16, .bfloat16, .float64: return true
        default: return false
        }
    }
}

/// A storage of a torch zip checkpoint: the entry `<archive>/data/<key>` holding `count` elements.
public struct StorageReference: Sendable, Hashable {
    public var key: String
    public var type: StorageType
    public var count: Int
}

/// A tensor of a checkpoint before its data is read: a strided view of a storage.
public struct TensorRecord: Sendable {
    public var storage: StorageReference
    /// Offset of the first element in the storage, in elements.
    public var offset: Int
    public var shape: [Int]
    /// Element strides per dimension.
    public var strides: [Int]

    /// Number of elements.
    public var count: Int { shape.reduce(1, *) }

    /// True when the view is the row-major layout of its shape (the usual case).
    public var isContiguous: Bool {
        var expected = 1
        for (size, stride) in zip(shape, strides).reversed() {
            if size != 1 && stride != expected { return false }
            expected *= size
        }
        return true
    }
}
