/// Which neighbours join two foreground pixels into one component.
public enum Connectivity: Int, Sendable, Hashable {
    /// Left, right, up, down.
    case four = 4
    /// The four above plus the diagonals (the SMIYC benchmark's choice, and the default here).
    case eight = 8
}

/// Statistics of one connected component.
public struct ComponentStatistics: Sendable, Hashable {
    /// The component's label in ``ConnectedComponents/labels`` (1-based).
    public var label: Int32
    /// Number of pixels.
    public var area: Int
    /// The tight half-open box around the pixels (`x1 = max x + 1`, `y1 = max y + 1`).
    public var box: Box
    /// Mean of the pixel centres in continuous image coordinates (pixel (i, j) has centre
    /// (i + 0.5, j + 0.5)), so a single pixel at (3, 4) has centroid (3.5, 4.5).
    public var centroidX: Double
    public var centroidY: Double
    /// Sum, maximum and mean of the score map over the component; 0 when no scores were given.
    public var scoreSum: Double
    public var scoreMax: Float
    public var scoreMean: Double { area > 0 ? scoreSum / Double(area) : 0 }
}

/// Connected components of a binary mask: two-pass labelling with a union-find over provisional
/// labels (path halving, the smaller root wins), linear in the number of pixels.
///
/// Labels are 1...n, numbered in raster order of each component's first pixel (top row first,
/// then left to right); 0 is background. The labelling is deterministic.
public struct ConnectedComponents: Sendable {
    /// Per-pixel label: 0 for background, otherwise the 1-based component label.
    public private(set) var labels: Raster<Int32>
    /// Statistics per component; `components[i].label == i + 1`.
    public private(set) var components: [ComponentStatistics]

    /// Number of components.
    public var count: Int { components.count }

    /// Labels the `true` pixels of `mask`. When `scores` is given (same size), each component also
    /// gets its score sum, maximum and mean.
    public init(mask: Mask, connectivity: Connectivity = .eight, scores: ScoreMap? = nil) throws {
        if let scores, scores.size != mask.size {
            throw S2MError(file: nil, .sizeMismatch("scores are \(scores.size), mask is \(mask.size)"))
        }
        let w = mask.width, h = mask.height
        var labels = [Int32](repeating: 0, count: w * h)
        // parent[0] is unused (background); provisional labels start at 1.
        var parent: [Int32] = [0]

        func find(_ a: Int32) -> Int32 {
            var x = a
            while parent[Int(x)] != x {
                parent[Int(x)] = parent[Int(parent[Int(x)])]
                x = parent[Int(x)]
            }
            return x
        }
        func union(_ a: Int32, _ b: Int32) -> Int32 {
            let ra = find(a), rb = find(b)
            if ra == rb { return ra }
            if ra < rb { parent[Int(rb)] = ra; return ra }
            parent[Int(ra)] = rb
            return rb
        }

        let eight = connectivity == .eight
        mask.pixels.withUnsafeBufferPointer { m in
            for y in 0..<h {
                let row = y * w
                for x in 0..<w where m[row + x] {
                    var current: Int32 = 0
                    func join(_ other: Int32) {
                        if other == 0 { return }
                        current = current == 0 ? find(other) : union(current, other)
                    }
                    if x > 0 { join(labels[row + x - 1]) }
                    if y > 0 {
                        let up = row - w
                        join(labels[up + x])
                        if eight {
                            if x > 0 { join(labels[up + x - 1]) }
                            if x + 1 < w { join(labels[up + x + 1]) }
                        }
                    }
                    if current == 0 {
                        current = Int32(parent.count)
                        parent.append(current)
                    }
                    labels[row + x] = current
                }
            }
        }

        // Final labels: roots in increasing provisional order, which is raster order of first pixels.
        var final = [Int32](repeating: 0, count: parent.count)
        var next: Int32 = 0
        for p in 1..<parent.count {
            let r = find(Int32(p))
            if r == Int32(p) { next += 1; final[p] = next } else { final[p] = final[Int(r)] }
        }

        var stats = (0..<Int(next)).map {
            ComponentStatistics(label: Int32($0 + 1), area: 0,
                                box: Box(x0: .infinity, y0: .infinity, x1: -.infinity, y1: -.infinity),
                                centroidX: 0, centroidY: 0, scoreSum: 0, scoreMax: -.infinity)
        }
        var sumX = [Double](repeating: 0, count: Int(next))
        var sumY = [Double](repeating: 0, count: Int(next))
        for y in 0..<h {
            let row = y * w
            for x in 0..<w where labels[row + x] != 0 {
                let l = final[Int(labels[row + x])]
                labels[row + x] = l
                let i = Int(l - 1)
                stats[i].area += 1
                sumX[i] += Double(x)
                sumY[i] += Double(y)
                let b = stats[i].box
                stats[i].box = Box(x0: min(b.x0, Double(x)), y0: min(b.y0, Double(y)),
                                   x1: max(b.x1, Double(x + 1)), y1: max(b.y1, Double(y + 1)))
                if let scores {
                    let s = scores.pixels[row + x]
                    stats[i].scoreSum += Double(s)
                    if s > stats[i].scoreMax { stats[i].scoreMax = s }
                }
            }
        }
        for i in 0..<stats.count {
            stats[i].centroidX = sumX[i] / Double(stats[i].area) + 0.5
            stats[i].centroidY = sumY[i] / Double(stats[i].area) + 0.5
            if scores == nil { stats[i].scoreMax = 0 }
        }
        self.labels = Raster(width: w, height: h, pixels: labels)
        self.components = stats
    }

    /// The mask of one component (by its 1-based label).
    public func mask(of label: Int32) -> Mask {
        labels.map { $0 == label }
    }

    /// The union of all components as a mask.
    public var mask: Mask { labels.map { $0 != 0 } }

    /// The same labelling without components of fewer than `minArea` pixels; the rest are
    /// renumbered 1...m keeping their order.
    public func removingComponents(smallerThan minArea: Int) -> ConnectedComponents {
        var copy = self
        var newLabel = [Int32](repeating: 0, count: components.count + 1)
        var kept: [ComponentStatistics] = []
        for c in components where c.area >= minArea {
            var k = c
            k.label = Int32(kept.count + 1)
            newLabel[Int(c.label)] = k.label
            kept.append(k)
        }
        if kept.count == components.count { return self }
        copy.labels = labels.map { newLabel[Int($0)] }
        copy.components = kept
        return copy
    }
}

extension Raster where Element == Bool {
    /// This mask without connected components of fewer than `minArea` pixels.
    public func removingSmallComponents(minArea: Int, connectivity: Connectivity = .eight) -> Mask {
        guard minArea > 1 else { return self }
        // A mask and no scores cannot mismatch in size.
        let cc = try! ConnectedComponents(mask: self, connectivity: connectivity)
        return cc.removingComponents(smallerThan: minArea).mask
    }
}
