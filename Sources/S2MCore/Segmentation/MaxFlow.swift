/// A directed graph with a source and a sink whose minimum s-t cut is found with the
/// Boykov-Kolmogorov max-flow algorithm ("An experimental comparison of min-cut/max-flow
/// algorithms for energy minimization in vision", PAMI 2004).
///
/// The algorithm grows two search trees, one from the source and one from the sink, over
/// non-saturated arcs; when they touch, it pushes the bottleneck flow along the path, then
/// re-attaches the nodes cut off from their tree ("orphans") or frees them. Unlike
/// augmenting-path methods that restart their search, the trees are reused, which is fast on the
/// short-path grid graphs of image segmentation.
///
/// Usage: create the graph with its node count and an upper bound on the number of edges, add
/// terminal capacities (``addTerminalCapacities(_:source:sink:)``) and edges
/// (``addEdge(_:_:capacity:reverseCapacity:)``), call ``maximumFlow()``, then ask
/// ``isOnSourceSide(_:)``. Capacities are non-negative. Storage is allocated once, up front.
///
/// Terminal capacities may then be changed (``setTerminalCapacities(_:source:sink:)``) and
/// ``maximumFlow()`` called again: the flow and the search trees of the previous run are reused
/// (Kohli and Torr, "Efficiently solving dynamic Markov random fields using graph cuts", ICCV
/// 2005), which makes the later rounds of iterated segmentation much cheaper.
public final class MaxFlowGraph {
    /// Number of nodes, numbered 0..<nodeCount.
    public let nodeCount: Int
    /// The most edges (arc pairs) ``addEdge(_:_:capacity:reverseCapacity:)`` accepts.
    public let edgeCapacity: Int

    // Arcs come in pairs (a, a ^ 1): an arc and its reverse ("sister").
    private let head: UnsafeMutablePointer<Int32>
    private let nextArc: UnsafeMutablePointer<Int32>
    private let residual: UnsafeMutablePointer<Float>
    // Per node.
    private let firstArc: UnsafeMutablePointer<Int32>
    /// Residual terminal capacity: positive from the source, negative to the sink.
    private let terminal: UnsafeMutablePointer<Float>
    private let parent: UnsafeMutablePointer<Int32>
    private let inSinkTree: UnsafeMutablePointer<Bool>
    private let nextActive: UnsafeMutablePointer<Int32>
    private let timestamp: UnsafeMutablePointer<Int32>
    private let distance: UnsafeMutablePointer<Int32>
    /// The terminal capacities as last given, to turn a change into a residual update.
    private let sourceCapacity: UnsafeMutablePointer<Double>
    private let sinkCapacity: UnsafeMutablePointer<Double>
    /// Nodes whose terminal capacities changed since the last run.
    private let isChanged: UnsafeMutablePointer<Bool>

    private var arcCount = 0
    private var time: Int32 = 0
    private var solved = false

    public init(nodeCount: Int, edgeCapacity: Int) {
        precondition(nodeCount >= 0 && edgeCapacity >= 0 && nodeCount < Int(Int32.max) && 2 * edgeCapacity < Int(Int32.max))
        self.nodeCount = nodeCount
        self.edgeCapacity = edgeCapacity
        let arcs = max(1, 2 * edgeCapacity), n = max(1, nodeCount)
        head = .allocate(capacity: arcs)
        nextArc = .allocate(capacity: arcs)
        residual = .allocate(capacity: arcs)
        firstArc = .allocate(capacity: n); firstArc.initialize(repeating: -1, count: n)
        terminal = .allocate(capacity: n); terminal.initialize(repeating: 0, count: n)
        parent = .allocate(capacity: n); parent.initialize(repeating: noParent, count: n)
        inSinkTree = .allocate(capacity: n); inSinkTree.initialize(repeating: false, count: n)
        nextActive = .allocate(capacity: n); nextActive.initialize(repeating: inactiveNode, count: n)
        timestamp = .allocate(capacity: n); timestamp.initialize(repeating: 0, count: n)
        distance = .allocate(capacity: n); distance.initialize(repeating: 0, count: n)
        sourceCapacity = .allocate(capacity: n); sourceCapacity.initialize(repeating: 0, count: n)
        sinkCapacity = .allocate(capacity: n); sinkCapacity.initialize(repeating: 0, count: n)
        isChanged = .allocate(capacity: n); isChanged.initialize(repeating: false, count: n)
    }

    deinit {
        for p in [head, nextArc, firstArc, parent, nextActive, timestamp, distance] { p.deallocate() }
        residual.deallocate(); terminal.deallocate(); inSinkTree.deallocate()
        sourceCapacity.deallocate(); sinkCapacity.deallocate(); isChanged.deallocate()
    }

    /// Adds capacity from the source to `node` and from `node` to the sink.
    public func addTerminalCapacities(_ node: Int, source: Double, sink: Double) {
        precondition(node >= 0 && node < nodeCount, "node \(node) out of range")
        precondition(source >= 0 && sink >= 0, "negative terminal capacity")
        setTerminalCapacities(node, source: sourceCapacity[node] + source, sink: sinkCapacity[node] + sink)
    }

    /// Replaces the terminal capacities of `node`. Before the first ``maximumFlow()`` this is
    /// plain construction; afterwards the next ``maximumFlow()`` continues from the current flow.
    ///
    /// The residual terminal capacity is kept as one signed number, `source - sink` minus the flow
    /// already sent on through the node's other arcs; a change shifts it by the change of
    /// `source - sink`. When the new capacities are below the flow already through them, this
    /// amounts to adding the same constant to both, which changes no cut's ranking.
    public func setTerminalCapacities(_ node: Int, source: Double, sink: Double) {
        precondition(node >= 0 && node < nodeCount, "node \(node) out of range")
        precondition(source >= 0 && sink >= 0, "negative terminal capacity")
        terminal[node] += Float((source - sourceCapacity[node]) - (sink - sinkCapacity[node]))
        sourceCapacity[node] = source
        sinkCapacity[node] = sink
        isChanged[node] = true  // collected by the next maximumFlow() (no per-call bookkeeping here)
    }

    /// The total flow of the last ``maximumFlow()``: the capacity of the minimum cut. Every unit
    /// ends in the sink, so it is the sum over nodes of the used part of their sink capacity.
    public var flow: Double {
        var total = 0.0
        for i in 0..<nodeCount { total += sinkCapacity[i] - Double(max(-terminal[i], 0)) }
        return total
    }

    /// Adds an arc `u -> v` with capacity `capacity` and `v -> u` with `reverseCapacity`.
    public func addEdge(_ u: Int, _ v: Int, capacity: Double, reverseCapacity: Double) {
        precondition(u != v && u >= 0 && v >= 0 && u < nodeCount && v < nodeCount, "bad edge \(u) -> \(v)")
        precondition(capacity >= 0 && reverseCapacity >= 0, "negative capacity")
        precondition(arcCount + 2 <= 2 * edgeCapacity, "more than \(edgeCapacity) edges")
        let a = arcCount
        head[a] = Int32(v); nextArc[a] = firstArc[u]; residual[a] = Float(capacity)
        firstArc[u] = Int32(a)
        head[a + 1] = Int32(u); nextArc[a + 1] = firstArc[v]; residual[a + 1] = Float(reverseCapacity)
        firstArc[v] = Int32(a + 1)
        arcCount += 2
    }

    /// True when `node` is on the source side of the minimum cut: reachable from the source in
    /// the residual graph (the smallest source set among minimum cuts).
    public func isOnSourceSide(_ node: Int) -> Bool {
        precondition(solved, "call maximumFlow() first")
        return parent[node] != noParent && !inSinkTree[node]
    }

    /// Computes the maximum flow (= the minimum cut's capacity), continuing from the previous run
    /// when terminal capacities were changed since.
    @discardableResult
    public func maximumFlow() -> Double {
        var solver = BKSolver(nodeCount: nodeCount, topology: ListTopology(head: head, nextArc: nextArc, firstArc: firstArc),
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


/// Parent markers of the search trees besides real arc indices, and the inactive marker.
let noParent: Int32 = -1, terminalParent: Int32 = -2, orphanParent: Int32 = -3
let inactiveNode: Int32 = -1

/// How the solver walks a graph's arcs: an arc's head, its reverse ("sister"), and the arcs
/// leaving a node (first, next; -1 ends).
protocol ArcTopology {
    func head(_ a: Int) -> Int
    func sister(_ a: Int) -> Int
    func first(_ node: Int) -> Int
    func next(_ a: Int) -> Int
}

/// Arbitrary graphs: adjacency lists, arcs in pairs (a, a ^ 1).
struct ListTopology: ArcTopology {
    let head: UnsafeMutablePointer<Int32>
    let nextArc: UnsafeMutablePointer<Int32>
    let firstArc: UnsafeMutablePointer<Int32>
    @inline(__always) func head(_ a: Int) -> Int { Int(head[a]) }
    @inline(__always) func sister(_ a: Int) -> Int { a ^ 1 }
    @inline(__always) func first(_ node: Int) -> Int { Int(firstArc[node]) }
    @inline(__always) func next(_ a: Int) -> Int { Int(nextArc[a]) }
}

/// The Boykov-Kolmogorov iterations over a graph's raw storage (no exclusivity checks in the
/// hot loops: the storage is owned by the ``MaxFlowGraph`` that runs it).
struct BKSolver<Topology: ArcTopology> {
    let nodeCount: Int
    let topology: Topology
    let residual: UnsafeMutablePointer<Float>
    let terminal: UnsafeMutablePointer<Float>
    let parent: UnsafeMutablePointer<Int32>
    let inSinkTree: UnsafeMutablePointer<Bool>
    let nextActive: UnsafeMutablePointer<Int32>
    let timestamp: UnsafeMutablePointer<Int32>
    let distance: UnsafeMutablePointer<Int32>

    var activeFirst: Int32 = -1, activeLast: Int32 = -1
    /// Orphans made by the last augmentation (processed last-in first-out: nearest the root first).
    var pathOrphans: [Int32] = []
    /// Orphans made while adopting (children of freed nodes), processed first-in first-out.
    var cascade: [Int32] = []
    var time: Int32 = 0

    init(nodeCount: Int, topology: Topology, residual: UnsafeMutablePointer<Float>,
         terminal: UnsafeMutablePointer<Float>, parent: UnsafeMutablePointer<Int32>,
         inSinkTree: UnsafeMutablePointer<Bool>, nextActive: UnsafeMutablePointer<Int32>,
         timestamp: UnsafeMutablePointer<Int32>, distance: UnsafeMutablePointer<Int32>) {
        self.nodeCount = nodeCount
        self.topology = topology; self.residual = residual
        self.terminal = terminal; self.parent = parent; self.inSinkTree = inSinkTree
        self.nextActive = nextActive; self.timestamp = timestamp; self.distance = distance
    }

    /// First run: every node with residual terminal capacity is the root of its tree, and active.
    mutating func start() {
        for i in 0..<nodeCount where terminal[i] != 0 {
            inSinkTree[i] = terminal[i] < 0
            parent[i] = terminalParent
            timestamp[i] = 0
            distance[i] = 1
            setActive(Int32(i))
        }
    }

    /// Later runs: the trees of the previous run stay, except around the nodes whose terminal
    /// capacity changed. A node with source capacity left becomes a source root (leaving the sink
    /// tree if it was there, which orphans its children there), symmetrically for the sink, and a
    /// root with nothing left becomes an orphan. The changed nodes are active; then orphans are
    /// adopted and the growth continues as usual.
    mutating func resume(changed: [Int32]) {
        time += 1
        for node in changed {
            let i = Int(node)
            if terminal[i] == 0 {
                if parent[i] == terminalParent { addOrphan(i) }
                continue
            }
            let toSink = terminal[i] < 0
            if parent[i] == noParent || inSinkTree[i] != toSink {
                // Switch trees: children in the old tree lose their parent.
                if parent[i] != noParent {
                    var a = Int32(topology.first(i))
                    while a >= 0 {
                        let j = topology.head(Int(a))
                        let pj = parent[j]
                        if pj >= 0 && topology.head(Int(pj)) == i && inSinkTree[j] == inSinkTree[i] {
                            parent[j] = orphanParent
                            cascade.append(Int32(j))
                        }
                        a = Int32(topology.next(Int(a)))
                    }
                }
                inSinkTree[i] = toSink
                // Neighbours in the other tree that now border i through an open arc hold a path:
                // activate them too, so it is found even if i leaves its tree before growing.
                var a = Int32(topology.first(i))
                while a >= 0 {
                    let ai = Int(a)
                    let j = topology.head(ai)
                    if parent[j] != noParent && inSinkTree[j] != toSink
                        && (toSink ? residual[topology.sister(ai)] : residual[ai]) > 0 {
                        setActive(Int32(j))
                    }
                    a = Int32(topology.next(ai))
                }
            }
            parent[i] = terminalParent
            timestamp[i] = time
            distance[i] = 1
            setActive(Int32(i))
        }
        // Adopt the orphans: first the old roots that lost their terminal, then the cascade.
        var k = 0
        while k < cascade.count || !pathOrphans.isEmpty {
            if k < cascade.count {
                let j = Int(cascade[k]); k += 1
                adopt(j)
            } else if let j = pathOrphans.popLast() {
                adopt(Int(j))
            }
        }
        cascade.removeAll(keepingCapacity: true)
    }

    /// Runs the growth / augmentation / adoption loop until no active node is left.
    mutating func run() {
        var current: Int32 = -1
        while true {
            var i = current
            if i >= 0 {
                nextActive[Int(i)] = inactiveNode
                if parent[Int(i)] == noParent { i = -1 }
            }
            if i < 0 {
                i = popActive()
                if i < 0 { break }
            }
            let middle = grow(from: Int(i))
            time += 1
            if middle >= 0 {
                nextActive[Int(i)] = i  // stays active: it may touch the other tree again
                current = i
                augment(through: Int(middle))
                adoptOrphans()
            } else {
                current = -1
            }
        }
    }

    @inline(__always)
    mutating func setActive(_ i: Int32) {
        guard nextActive[Int(i)] == inactiveNode else { return }
        nextActive[Int(i)] = i  // a self-link marks the last node of the queue
        if activeLast >= 0 { nextActive[Int(activeLast)] = i } else { activeFirst = i }
        activeLast = i
    }

    /// Removes and returns the next active node that still belongs to a tree (-1 when none).
    mutating func popActive() -> Int32 {
        while activeFirst >= 0 {
            let i = activeFirst
            let next = nextActive[Int(i)]
            activeFirst = next == i ? -1 : next
            if activeFirst < 0 { activeLast = -1 }
            nextActive[Int(i)] = inactiveNode
            if parent[Int(i)] != noParent { return i }
        }
        return -1
    }

    /// Grows the tree of `i` by one layer of neighbours; returns the arc from the source tree
    /// into the sink tree when the trees touch, else -1.
    mutating func grow(from i: Int) -> Int32 {
        let sinkSide = inSinkTree[i]
        var a = Int32(topology.first(i))
        while a >= 0 {
            let ai = Int(a)
            // Source tree: flow leaves i along a; sink tree: flow enters i along a's sister.
            if (sinkSide ? residual[topology.sister(ai)] : residual[ai]) > 0 {
                let j = topology.head(ai)
                if parent[j] == noParent {
                    inSinkTree[j] = sinkSide
                    parent[j] = Int32(topology.sister(ai))
                    timestamp[j] = timestamp[i]
                    distance[j] = distance[i] + 1
                    setActive(Int32(j))
                } else if inSinkTree[j] != sinkSide {
                    return sinkSide ? Int32(topology.sister(ai)) : a
                } else if timestamp[j] <= timestamp[i] && distance[j] > distance[i] {
                    // j's path to its terminal is likely longer than through i: re-parent.
                    parent[j] = Int32(topology.sister(ai))
                    timestamp[j] = timestamp[i]
                    distance[j] = distance[i] + 1
                }
            }
            a = Int32(topology.next(ai))
        }
        return -1
    }

    @inline(__always)
    mutating func addOrphan(_ i: Int) {
        parent[i] = orphanParent
        pathOrphans.append(Int32(i))
    }

    /// Pushes the bottleneck flow along source -> ... -> tail(middle) -> head(middle) -> ... -> sink.
    mutating func augment(through middle: Int) {
        var bottleneck = residual[middle]
        var i = topology.head(topology.sister(middle))
        while true {
            let a = parent[i]
            if a == terminalParent { break }
            bottleneck = min(bottleneck, residual[topology.sister(Int(a))])
            i = topology.head(Int(a))
        }
        bottleneck = min(bottleneck, terminal[i])
        i = topology.head(middle)
        while true {
            let a = parent[i]
            if a == terminalParent { break }
            bottleneck = min(bottleneck, residual[Int(a)])
            i = topology.head(Int(a))
        }
        bottleneck = min(bottleneck, -terminal[i])

        residual[topology.sister(middle)] += bottleneck
        residual[middle] -= bottleneck
        i = topology.head(topology.sister(middle))
        while true {
            let a = parent[i]
            if a == terminalParent {
                terminal[i] -= bottleneck
                if terminal[i] == 0 { addOrphan(i) }
                break
            }
            let ai = Int(a)
            residual[ai] += bottleneck
            residual[topology.sister(ai)] -= bottleneck
            if residual[topology.sister(ai)] == 0 { addOrphan(i) }
            i = topology.head(ai)
        }
        i = topology.head(middle)
        while true {
            let a = parent[i]
            if a == terminalParent {
                terminal[i] += bottleneck
                if terminal[i] == 0 { addOrphan(i) }
                break
            }
            let ai = Int(a)
            residual[topology.sister(ai)] += bottleneck
            residual[ai] -= bottleneck
            if residual[ai] == 0 { addOrphan(i) }
            i = topology.head(ai)
        }
    }

    /// Processes the augmentation's orphans nearest-to-the-root first (as Kolmogorov's code), each
    /// followed by the orphans its failure creates.
    mutating func adoptOrphans() {
        while let i = pathOrphans.popLast() {
            adopt(Int(i))
            var k = 0
            while k < cascade.count {
                let j = Int(cascade[k])
                k += 1
                adopt(j)
            }
            cascade.removeAll(keepingCapacity: true)
        }
    }

    /// Finds orphan `i` a new parent in its tree with a path to the terminal, or frees it.
    mutating func adopt(_ i: Int) {
        guard parent[i] == orphanParent else { return }  // became a root again meanwhile
        let sinkSide = inSinkTree[i]
        var bestArc: Int32 = -1
        var bestDistance = Int32.max
        var a0 = Int32(topology.first(i))
        while a0 >= 0 {
            let a0i = Int(a0)
            // A parent j must be able to send flow to i (source tree) or take flow from i (sink tree).
            let open = (sinkSide ? residual[a0i] : residual[topology.sister(a0i)]) > 0
            let j = topology.head(a0i)
            if open && inSinkTree[j] == sinkSide && parent[j] != noParent {
                // Walk up from j to see whether it still reaches the terminal.
                var d: Int32 = 0
                var k = j
                var reachesTerminal = true
                while true {
                    if timestamp[k] == time { d += distance[k]; break }
                    let a = parent[k]
                    d += 1
                    if a == terminalParent { timestamp[k] = time; distance[k] = 1; break }
                    if a == orphanParent { reachesTerminal = false; break }
                    k = topology.head(Int(a))
                }
                if reachesTerminal {
                    if d < bestDistance { bestArc = a0; bestDistance = d }
                    // Stamp the path so later searches stop early.
                    k = j
                    while timestamp[k] != time {
                        timestamp[k] = time
                        distance[k] = d
                        d -= 1
                        k = topology.head(Int(parent[k]))
                    }
                }
            }
            a0 = Int32(topology.next(a0i))
        }

        if bestArc >= 0 {
            parent[i] = bestArc
            timestamp[i] = time
            distance[i] = bestDistance + 1
            return
        }
        // No parent: i becomes free; neighbours in its tree may grow into it again, children orphan.
        a0 = Int32(topology.first(i))
        while a0 >= 0 {
            let a0i = Int(a0)
            let j = topology.head(a0i)
            let a = parent[j]
            if inSinkTree[j] == sinkSide && a != noParent {
                if (sinkSide ? residual[a0i] : residual[topology.sister(a0i)]) > 0 { setActive(Int32(j)) }
                if a != terminalParent && a != orphanParent && topology.head(Int(a)) == i {
                    parent[j] = orphanParent
                    cascade.append(Int32(j))
                }
            }
            a0 = Int32(topology.next(a0i))
        }
        parent[i] = noParent
        timestamp[i] = 0
    }
}
