/// Remembers resampled layers so that redrawing a panel whose rasters and placement did not change
/// costs only the compositing at screen resolution. Owned by one renderer on one thread.
public final class LayerCache {
    struct Key: Hashable {
        var layer: String
        var version: Int
        var source: SourceRect
        var width: Int
        var height: Int
    }

    private var entries: [Key: [Float]] = [:]
    /// Entries kept before the cache starts over.
    public let capacity: Int

    public init(capacity: Int = 64) {
        self.capacity = capacity
    }

    func value(_ key: Key, compute: () -> [Float]) -> [Float] {
        if let hit = entries[key] { return hit }
        let value = compute()
        if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
        entries[key] = value
        return value
    }

    /// Forgets everything.
    public func removeAll() { entries.removeAll() }

    public var count: Int { entries.count }
}

