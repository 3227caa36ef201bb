/// Named tensors a model is built from: a `TorchCheckpoint`, or generated weights
/// (`RandomStateDictionary`) for benchmarks of sizes no fixture holds.
public protocol StateDictionary {
    /// Where the tensors come from, for error messages (a file path or a description).
    var path: String { get }
    /// A fingerprint of the content (cache keys).
    var fingerprint: String { get }
    /// The shape of the named tensor, or nil when absent.
    func shape(of name: String) -> [Int]?
    /// The named tensor as float32; throws when missing or (when `shape` is given) misshapen.
    func tensor(_ name: String, shape: [Int]?) throws -> Tensor
}

extension StateDictionary {
    /// True when the dictionary has a tensor of that name.
    public func contains(_ name: String) -> Bool {
        shape(of: name) != nil
    }

    /// The named tensor, whatever its shape.
    public func tensor(_ name: String) throws -> Tensor {
        try tensor(name, shape: nil)
    }
}
