/// The component tree (max-tree) of a map quantised to `levelCount` levels: every connected
/// component (8-connectivity) of every upper level set `{q >= k}`, nested into a tree.
///
/// Built by union-find over the pixels in decreasing level (Najman and Couprie 2006), in time
/// almost linear in the number of pixels. A node is a distinct region: it appears at level `top`
/// (the highest level at which it exists) and stays the same set down to `bottom`; its parent is
/// the region it becomes part of at `bottom - 1`. Level 0 (the whole image) is not stored.
public struct ComponentTree: Sendable {
    /// One region of the tree.
    public struct Node: Sendable, Hashable {
        /// Highest and lowest level at which the region is exactly this set (`top >= bottom >= 1`).
        public var top: Int
        public var bottom: Int
        /// Number of pixels.
        public var area: Int
        /// Tight half-open box, in map pixels.
        public var x0: Int, y0: Int, x1: Int, y1: Int
        /// Sum and maximum of the (unquantised) values over the region.
        public var sum: Double
        public var maximum: Float
        /// The enclosing region (-1 for a root: a region that is still separate at level 1).
        public var parent: Int
        public var mean: Double { sum / Double(area) }
    }

    public let width: Int, height: Int, levelCount: Int
    /// Nodes in creation order: children before parents.
    public private(set) var nodes: [Node]

    /// Builds the tree of `values` (expected in [0, 1]; quantised as `min(L - 1, floor(v * L))`,
    /// values below 0 count as level 0).
    public init(values: ScoreMap, levelCount: Int) {
        precondition(levelCount >= 2, "need at least two levels")
        width = values.width
        height = values.height
        self.levelCount = levelCount
        let n = values.count
        let w = width, h = height

        // Quantise and sort pixels by level (counting sort; raster order within a level).
        var level = [Int32](repeating: 0, count: n)
        var counts = [Int](repeating: 0, count: levelCount + 1)
        for i in 0..<n {
            let v = values.pixels[i]
            let q = v.isNaN || v <= 0 ? 0 : min(levelCount - 1, Int(Double(v) * Double(levelCount)))
            level[i] = Int32(q)
            counts[q + 1] += 1
        }
        for k in 1...levelCount { counts[k] += counts[k - 1] }
        var order = [Int32](repeating: 0, count: n)
        var cursor = counts
        for i in 0..<n { order[cursor[Int(level[i])]] = Int32(i); cursor[Int(level[i])] += 1 }

        // Union-find over processed pixels, with per-root statistics and the root's current node.
        var parent = [Int32](repeating: -1, count: n)   // -1: not yet processed
        var area = [Int32](repeating: 0, count: n)
        var bx0 = [Int32](repeating: 0, count: n), by0 = bx0, bx1 = bx0, by1 = bx0
        var sum = [Double](repeating: 0, count: n)
        var maximum = [Float](repeating: 0, count: n)
        var node = [Int32](repeating: -1, count: n)      // node id of a root's region so far
        var pendingChildren = [Int32: [Int32]]()         // root -> nodes merged into it this level
        var touched: [Int32] = []
        var isTouched = [Bool](repeating: false, count: n)
        var nodes: [Node] = []

        func find(_ a: Int32) -> Int32 {
            var x = a
            while parent[Int(x)] != x {
                parent[Int(x)] = parent[Int(parent[Int(x)])]
                x = parent[Int(x)]
            }
            return x
        }
        func touch(_ r: Int32) {
            if !isTouched[Int(r)] { isTouched[Int(r)] = true; touched.append(r) }
        }

        for k in stride(from: levelCount - 1, through: 1, by: -1) {
            let start = counts[k], end = counts[k + 1]
            guard start < end else { continue }
            for idx in start..<end {
                let p = order[idx]
                let pi = Int(p)
                let x = pi % w, y = pi / w
                parent[pi] = p
                area[pi] = 1
                bx0[pi] = Int32(x); by0[pi] = Int32(y); bx1[pi] = Int32(x + 1); by1[pi] = Int32(y + 1)
                sum[pi] = Double(values.pixels[pi])
                maximum[pi] = values.pixels[pi]
                touch(p)
                for dy in -1...1 {
                    let ny = y + dy
                    if ny < 0 || ny >= h { continue }
                    for dx in -1...1 where dx != 0 || dy != 0 {
                        let nx = x + dx
                        if nx < 0 || nx >= w { continue }
                        let q = ny * w + nx
                        if parent[q] < 0 { continue }
                        let rp = find(p), rq = find(Int32(q))
                        if rp == rq { continue }
                        // Merge the smaller tree under the larger; carry statistics and old nodes.
                        let (big, small) = area[Int(rp)] >= area[Int(rq)] ? (rp, rq) : (rq, rp)
                        let b = Int(big), s = Int(small)
                        parent[s] = big
                        area[b] += area[s]
                        bx0[b] = min(bx0[b], bx0[s]); by0[b] = min(by0[b], by0[s])
                        bx1[b] = max(bx1[b], bx1[s]); by1[b] = max(by1[b], by1[s])
                        sum[b] += sum[s]
                        maximum[b] = max(maximum[b], maximum[s])
                        var kids = pendingChildren.removeValue(forKey: big) ?? []
                        if node[b] >= 0 { kids.append(node[b]); node[b] = -1 }
                        kids += pendingChildren.removeValue(forKey: small) ?? []
                        if node[s] >= 0 { kids.append(node[s]); node[s] = -1 }
                        if !kids.isEmpty { pendingChildren[big] = kids }
                        touch(big)
                    }
                }
            }
            // One new node per region that changed at this level.
            var made = Set<Int32>()
            for t in touched {
                isTouched[Int(t)] = false
                let r = find(t)
                if made.contains(r) { continue }
                made.insert(r)
                let ri = Int(r)
                var kids = pendingChildren.removeValue(forKey: r) ?? []
                if node[ri] >= 0 { kids.append(node[ri]) }
                let id = Int32(nodes.count)
                for c in kids {
                    nodes[Int(c)].parent = Int(id)
                    nodes[Int(c)].bottom = k + 1
                }
                nodes.append(Node(top: k, bottom: 1, area: Int(area[ri]),
                                  x0: Int(bx0[ri]), y0: Int(by0[ri]), x1: Int(bx1[ri]), y1: Int(by1[ri]),
                                  sum: sum[ri], maximum: maximum[ri], parent: -1))
                node[ri] = id
            }
            touched.removeAll(keepingCapacity: true)
        }
        self.nodes = nodes
    }

    /// The area of the region containing node `i` at `level` (the node itself when `level` is in
    /// its span, else the ancestor whose span holds it); 0 when the level is above the node's top
    /// and nil when the level is below 1 (the whole image).
    public func area(ofNode i: Int, atLevel level: Int) -> Int? {
        if level < 1 { return nil }
        if level > nodes[i].top { return 0 }
        var j = i
        while nodes[j].bottom > level {
            let p = nodes[j].parent
            if p < 0 { return nodes[j].area }
            j = p
        }
        return nodes[j].area
    }
}
