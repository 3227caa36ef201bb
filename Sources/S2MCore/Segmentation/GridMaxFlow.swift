/// Max-flow / min-cut on an 8-connected pixel grid: the same Boykov-Kolmogorov algorithm as
/// ``MaxFlowGraph`` (and the same reuse of flow and trees when terminal capacities change), with
/// the grid's structure implicit: each node owns 8 arc slots, an arc's head and reverse are
/// computed, not stored. About 3x less memory per arc and no pointer chasing along adjacency lists,
/// which is what GrabCut's graphs are.
///
/// Nodes are pixels (x, y), x right, y down, `0 <= x < width`, `0 <= y < height`. Arc slot k of a
/// pixel points to its neighbour in direction ``GridMaxFlowGraph/directions``[k].
public final class GridMaxFlowGraph {
    /// The 8 neighbour directions (dx, dy) of the arc slots; slot k and slot (k + 4) % 8 are
    /// opposite.
    public static let directions = [(1, 0), (1, 1), (0, 1), (-1, 1), (-1, 0), (-1, -1), (0, -1), (1, -1)]

    public let width: Int, height: Int
    /// The padded grid: a ring of inert nodes around the pixels keeps every slot's head valid.
    private let paddedWidth: Int
    private let nodeCount: Int
    private let residual: UnsafeMutablePointer<Float>
    private let terminal: UnsafeMutablePointer<Float>
    private let parent: UnsafeMutablePointer<Int32>
    private let inSinkTree: UnsafeMutablePointer<Bool>
    private let nextActive: UnsafeMutablePointer<Int32>
    private let timestamp: UnsafeMutablePointer<Int32>
    private let distance: UnsafeMutablePointer<Int32>
    private let sourceCapacity: UnsafeMutablePointer<Double>
    private let sinkCapacity: UnsafeMutablePointer<Double>
    private let isChanged: UnsafeMutablePointer<Bool>
    /// Node index offset of each arc slot in the padded grid.
    private let slotOffsets: UnsafeMutablePointer<Int>
    private var time: Int32 = 0
    private var solved = false

    public init(width: Int, height: Int) {
        precondition(width >= 0 && height >= 0)
        self.width = width
        self.height = height
        paddedWidth = width + 2
        nodeCount = (width + 2) * (height + 2)
        precondition(8 * nodeCount < Int(Int32.max), "grid too large")
        let n = nodeCount
        residual = .allocate(capacity: 8 * n); residual.initialize(repeating: 0, count: 8 * n)
        terminal = .allocate(capacity: n); terminal.initialize(repeating: 0, count: n)
        parent = .allocate(capacity: n); parent.initialize(repeating: noParent, count: n)
        inSinkTree = .allocate(capacity: n); inSinkTree.initialize(repeating: false, count: n)
        nextActive = .allocate(capacity: n); nextActive.initialize(repeating: inactiveNode, count: n)
        timestamp = .allocate(capacity: n); timestamp.initialize(repeating: 0, count: n)
        distance = .allocate(capacity: n); distance.initialize(repeating: 0, count: n)
        sourceCapacity = .allocate(capacity: n); sourceCapacity.initialize(repeating: 0, count: n)
        sinkCapacity = .allocate(capacity: n); sinkCapacity.initialize(repeating: 0, count: n)
        isChanged = .allocate(capacity: n); isChanged.initialize(repeating: false, count: n)
        slotOffsets = .allocate(capacity: 8)
        for (k, (dx, dy)) in Self.directions.enumerated() { slotOffsets[k] = dy * (width + 2) + dx }
    }

    deinit {
        residual.deallocate(); terminal.deallocate(); parent.deallocate(); inSinkTree.deallocate()
        nextActive.deallocate(); timestamp.deallocate(); distance.deallocate()
        sourceCapacity.deallocate(); sinkCapacity.deallocate(); isChanged.deallocate(); slotOffsets.deallocate()
    }

    @inline(__always) private func node(_ x: Int, _ y: Int) -> Int { (y + 1) * paddedWidth + x + 1 }

    /// Sets the capacity from (x, y) to its neighbour in direction `k` and back (`reverse`).
    /// The neighbour must be inside the grid. Call before the first ``maximumFlow()``.
    public func setEdge(x: Int, y: Int, direction k: Int, capacity: Double, reverseCapacity: Double) {
        precondition(!solved, "edges are fixed once solved")
        precondition(x >= 0 && y >= 0 && x < width && y < height && k >= 0 && k < 8)
        let (dx, dy) = Self.directions[k]
        precondition(x + dx >= 0 && y + dy >= 0 && x + dx < width && y + dy < height, "neighbour outside the grid")
        precondition(capacity >= 0 && reverseCapacity >= 0, "negative capacity")
        let p = node(x, y), q = node(x + dx, y + dy)
        residual[8 * p + k] = Float(capacity)
        residual[8 * q + ((k + 4) & 7)] = Float(reverseCapacity)
    }

    /// Replaces the terminal capacities of pixel (x, y) (see ``MaxFlowGraph/setTerminalCapacities(_:source:sink:)``).
    public func setTerminalCapacities(x: Int, y: Int, source: Double, sink: Double) {
        precondition(x >= 0 && y >= 0 && x < width && y < height)
        precondition(source >= 0 && sink >= 0, "negative terminal capacity")
        let i = node(x, y)
        terminal[i] += Float((source - sourceCapacity[i]) - (sink - sinkCapacity[i]))
        sourceCapacity[i] = source
        sinkCapacity[i] = sink
        isChanged[i] = true  // collected by the next maximumFlow() (no per-call bookkeeping here)
    }

    /// The capacity of the minimum cut found by the last ``maximumFlow()``.
    public var flow: Double {
        var total = 0.0
        for i in 0..<nodeCount { total += sinkCapacity[i] - Double(max(-terminal[i], 0)) }
        return total
    }

    /// True when (x, y) is on the source side of the minimum cut (the smallest source set).
    public func isOnSourceSide(x: Int, y: Int) -> Bool {
        precondition(solved, "call maximumFlow() first")
        let i = node(x, y)
        return parent[i] != noParent && !inSinkTree[i]
    }

    /// Computes the maximum flow, continuing from the previous run when terminal capacities changed.
    @discardableResult
    public func maximumFlow() -> Double {
        var solver = BKSolver(nodeCount: nodeCount, topology: GridTopology(offsets: slotOffsets),
                              residual: residual, terminal: terminal, parent: parent, inSinkTree: inSinkTree,
                              nextActive: nextActive, timestamp: timestamp, distance: distance)
        solver.time = time
        var changed: [Int32] = []
        for i in 0..<nodeCount where isChanged[i] {
            isChanged[i] = false
            if solved { changed.append(Int32(i)) }
        }
        if solved { solver.resume(changed: changed) } else { solver.start() }
        solver.run()
        time = solver.time
        solved = true
        return flow
    }
}

/// 8 arc slots per node of a padded grid; slot k points in `GridMaxFlowGraph.directions[k]`.
struct GridTopology: ArcTopology {
    /// Node index offsets of the 8 slots (owned by the graph).
    let offsets: UnsafePointer<Int>

    @inline(__always) func head(_ a: Int) -> Int { (a >> 3) + offsets[a & 7] }
    @inline(__always) func sister(_ a: Int) -> Int { (head(a) << 3) | (((a & 7) + 4) & 7) }
    @inline(__always) func first(_ node: Int) -> Int { node << 3 }
    @inline(__always) func next(_ a: Int) -> Int { (a & 7) == 7 ? -1 : a + 1 }
}
