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
/// Usage: add nodes, terminal capacities (`addTerminalCapacities`) and pair-wise arcs (`addEdge`),
/// call ``maximumFlow()`` once, then ask ``isOnSourceSide(_:)``. Capacities are non-negative.
public final class MaxFlowGraph {
    /// Parent markers besides real arc indices.
    private static let noParent: Int32 = -1, terminalParent: Int32 = -2, orphanParent: Int32 = -3
    /// Marker of a node that is not in the active queue.
    private static let inactive: Int32 = -1

    // Arcs come in pairs (a, a ^ 1): an arc and its reverse ("sister").
    private var head: [Int32] = []
    private var nextArc: [Int32] = []
    private var residual: [Double] = []

    // Per node.
    private var firstArc: [Int32] = []
    /// Residual terminal capacity: positive from the source, negative to the sink.
    private var terminal: [Double] = []
    private var parent: [Int32] = []
    private var inSinkTree: [Bool] = []
    private var nextActive: [Int32] = []
    private var timestamp: [Int32] = []
    private var distance: [Int32] = []

    private var activeFirst: Int32 = -1, activeLast: Int32 = -1
    private var orphans: [Int32] = []
    private var orphanHead = 0
    private var time: Int32 = 0
    private var solved = false

    /// Total flow pushed so far; after ``maximumFlow()`` the value of the minimum cut.
    public private(set) var flow: Double = 0

    /// An empty graph; `nodeCapacity` and `edgeCapacity` only reserve storage.
    public init(nodeCapacity: Int = 0, edgeCapacity: Int = 0) {
        firstArc.reserveCapacity(nodeCapacity)
        terminal.reserveCapacity(nodeCapacity)
        head.reserveCapacity(2 * edgeCapacity)
        nextArc.reserveCapacity(2 * edgeCapacity)
        residual.reserveCapacity(2 * edgeCapacity)
    }

    /// Number of nodes.
    public var nodeCount: Int { firstArc.count }

    /// Adds `count` nodes and returns the index of the first; nodes are numbered 0, 1, ...
    @discardableResult
    public func addNodes(_ count: Int) -> Int {
        let first = firstArc.count
        firstArc.append(contentsOf: repeatElement(-1, count: count))
        terminal.append(contentsOf: repeatElement(0, count: count))
        return first
    }

    /// Adds capacity from the source to `node` and from `node` to the sink. Only the difference
    /// matters for the cut: the common part is flow that is pushed at once.
    public func addTerminalCapacities(_ node: Int, source: Double, sink: Double) {
        precondition(source >= 0 && sink >= 0, "negative terminal capacity")
        var s = source, t = sink
        let existing = terminal[node]
        if existing > 0 { s += existing } else { t -= existing }
        flow += min(s, t)
        terminal[node] = s - t
    }

    /// Adds an arc `u -> v` with capacity `capacity` and `v -> u` with `reverseCapacity`.
    public func addEdge(_ u: Int, _ v: Int, capacity: Double, reverseCapacity: Double) {
        precondition(u != v, "self-loop")
        precondition(capacity >= 0 && reverseCapacity >= 0, "negative capacity")
        let a = Int32(head.count)
        head.append(Int32(v)); nextArc.append(firstArc[u]); residual.append(capacity)
        firstArc[u] = a
        head.append(Int32(u)); nextArc.append(firstArc[v]); residual.append(reverseCapacity)
        firstArc[v] = a + 1
    }

    /// True when `node` is on the source side of the minimum cut: reachable from the source in
    /// the residual graph (the smallest source set among minimum cuts).
    public func isOnSourceSide(_ node: Int) -> Bool {
        precondition(solved, "call maximumFlow() first")
        return parent[node] != Self.noParent && !inSinkTree[node]
    }

    // MARK: The algorithm

    /// Computes the maximum flow (= the minimum cut's capacity). Call once.
    @discardableResult
    public func maximumFlow() -> Double {
        precondition(!solved, "maximumFlow() may be called once")
        let n = nodeCount
        parent = [Int32](repeating: Self.noParent, count: n)
        inSinkTree = [Bool](repeating: false, count: n)
        nextActive = [Int32](repeating: Self.inactive, count: n)
        timestamp = [Int32](repeating: 0, count: n)
        distance = [Int32](repeating: 0, count: n)
        for i in 0..<n where terminal[i] != 0 {
            inSinkTree[i] = terminal[i] < 0
            parent[i] = Self.terminalParent
            distance[i] = 1
            setActive(Int32(i))
        }

        var current: Int32 = -1
        while true {
            var i = current
            if i >= 0 {
                nextActive[Int(i)] = Self.inactive
                if parent[Int(i)] == Self.noParent { i = -1 }
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
        solved = true
        return flow
    }

    private func setActive(_ i: Int32) {
        guard nextActive[Int(i)] == Self.inactive else { return }
        nextActive[Int(i)] = i  // a self-link marks the last node of the queue
        if activeLast >= 0 { nextActive[Int(activeLast)] = i } else { activeFirst = i }
        activeLast = i
    }

    /// Removes and returns the next active node that still belongs to a tree (-1 when none).
    private func popActive() -> Int32 {
        while activeFirst >= 0 {
            let i = activeFirst
            let next = nextActive[Int(i)]
            activeFirst = next == i ? -1 : next
            if activeFirst < 0 { activeLast = -1 }
            nextActive[Int(i)] = Self.inactive
            if parent[Int(i)] != Self.noParent { return i }
        }
        return -1
    }

    /// Grows the tree of `i` by one layer of neighbours; returns the arc from the source tree
    /// into the sink tree when the trees touch, else -1.
    private func grow(from i: Int) -> Int32 {
        let sinkSide = inSinkTree[i]
        var a = firstArc[i]
        while a >= 0 {
            let ai = Int(a)
            // Source tree: flow leaves i along a; sink tree: flow enters i along a's sister.
            let open = sinkSide ? residual[ai ^ 1] > 0 : residual[ai] > 0
            if open {
                let j = Int(head[ai])
                if parent[j] == Self.noParent {
                    inSinkTree[j] = sinkSide
                    parent[j] = a ^ 1
                    timestamp[j] = timestamp[i]
                    distance[j] = distance[i] + 1
                    setActive(Int32(j))
                } else if inSinkTree[j] != sinkSide {
                    return sinkSide ? a ^ 1 : a
                } else if timestamp[j] <= timestamp[i] && distance[j] > distance[i] {
                    // j's path to its terminal is likely longer than through i: re-parent.
                    parent[j] = a ^ 1
                    timestamp[j] = timestamp[i]
                    distance[j] = distance[i] + 1
                }
            }
            a = nextArc[ai]
        }
        return -1
    }

    private func addOrphan(_ i: Int) {
        parent[i] = Self.orphanParent
        orphans.append(Int32(i))
    }

    /// Pushes the bottleneck flow along source -> ... -> tail(middle) -> head(middle) -> ... -> sink.
    private func augment(through middle: Int) {
        var bottleneck = residual[middle]
        var i = Int(head[middle ^ 1])
        while true {
            let a = parent[i]
            if a == Self.terminalParent { break }
            bottleneck = min(bottleneck, residual[Int(a) ^ 1])
            i = Int(head[Int(a)])
        }
        bottleneck = min(bottleneck, terminal[i])
        i = Int(head[middle])
        while true {
            let a = parent[i]
            if a == Self.terminalParent { break }
            bottleneck = min(bottleneck, residual[Int(a)])
            i = Int(head[Int(a)])
        }
        bottleneck = min(bottleneck, -terminal[i])

        residual[middle ^ 1] += bottleneck
        residual[middle] -= bottleneck
        i = Int(head[middle ^ 1])
        while true {
            let a = parent[i]
            if a == Self.terminalParent {
                terminal[i] -= bottleneck
                if terminal[i] == 0 { addOrphan(i) }
                break
            }
            let ai = Int(a)
            residual[ai] += bottleneck
            residual[ai ^ 1] -= bottleneck
            if residual[ai ^ 1] == 0 { addOrphan(i) }
            i = Int(head[ai])
        }
        i = Int(head[middle])
        while true {
            let a = parent[i]
            if a == Self.terminalParent {
                terminal[i] += bottleneck
                if terminal[i] == 0 { addOrphan(i) }
                break
            }
            let ai = Int(a)
            residual[ai ^ 1] += bottleneck
            residual[ai] -= bottleneck
            if residual[ai] == 0 { addOrphan(i) }
            i = Int(head[ai])
        }
        flow += bottleneck
    }

    private func adoptOrphans() {
        while orphanHead < orphans.count {
            let i = Int(orphans[orphanHead])
            orphanHead += 1
            adopt(i)
        }
        orphans.removeAll(keepingCapacity: true)
        orphanHead = 0
    }

    /// Finds orphan `i` a new parent in its tree with a path to the terminal, or frees it.
    private func adopt(_ i: Int) {
        let sinkSide = inSinkTree[i]
        var bestArc: Int32 = -1
        var bestDistance = Int32.max
        var a0 = firstArc[i]
        while a0 >= 0 {
            let a0i = Int(a0)
            // A parent j must be able to send flow to i (source tree) or take flow from i (sink tree).
            let open = sinkSide ? residual[a0i] > 0 : residual[a0i ^ 1] > 0
            let j = Int(head[a0i])
            if open && inSinkTree[j] == sinkSide && parent[j] != Self.noParent {
                // Walk up from j to see whether it still reaches the terminal.
                var d: Int32 = 0
                var k = j
                var reachesTerminal = true
                while true {
                    if timestamp[k] == time { d += distance[k]; break }
                    let a = parent[k]
                    d += 1
                    if a == Self.terminalParent { timestamp[k] = time; distance[k] = 1; break }
                    if a == Self.orphanParent { reachesTerminal = false; break }
                    k = Int(head[Int(a)])
                }
                if reachesTerminal {
                    if d < bestDistance { bestArc = a0; bestDistance = d }
                    // Stamp the path so later searches stop early.
                    k = j
                    while timestamp[k] != time {
                        timestamp[k] = time
                        distance[k] = d
                        d -= 1
                        k = Int(head[Int(parent[k])])
                    }
                }
            }
            a0 = nextArc[a0i]
        }

        if bestArc >= 0 {
            parent[i] = bestArc
            timestamp[i] = time
            distance[i] = bestDistance + 1
            return
        }
        // No parent: i becomes free; neighbours in its tree may grow into it again, children orphan.
        a0 = firstArc[i]
        while a0 >= 0 {
            let a0i = Int(a0)
            let j = Int(head[a0i])
            let a = parent[j]
            if inSinkTree[j] == sinkSide && a != Self.noParent {
                let open = sinkSide ? residual[a0i] > 0 : residual[a0i ^ 1] > 0
                if open { setActive(Int32(j)) }
                if a != Self.terminalParent && a != Self.orphanParent && Int(head[Int(a)]) == i {
                    addOrphan(j)
                }
            }
            a0 = nextArc[a0i]
        }
        parent[i] = Self.noParent
    }
}
