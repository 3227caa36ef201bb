import Testing
@testable import S2MCore

@Suite struct MaxFlowTests {
    @Test func singleNodeTakesTheCheaperTerminal() {
        let g = MaxFlowGraph(nodeCount: 2, edgeCapacity: 0)
        g.addTerminalCapacities(0, source: 5, sink: 2)   // cutting sink costs 2: node 0 on source side
        g.addTerminalCapacities(1, source: 1, sink: 4)   // node 1 on sink side
        #expect(g.maximumFlow() == 3)
        #expect(g.isOnSourceSide(0))
        #expect(!g.isOnSourceSide(1))
    }

    @Test func chainCutsAtTheWeakestLink() {
        // s -> 0 -> 1 -> 2 -> t with capacities 9, 4, 2, 7 (forward only): min cut = 2 between 1 and 2.
        let g = MaxFlowGraph(nodeCount: 3, edgeCapacity: 2)
        g.addTerminalCapacities(0, source: 9, sink: 0)
        g.addEdge(0, 1, capacity: 4, reverseCapacity: 0)
        g.addEdge(1, 2, capacity: 2, reverseCapacity: 0)
        g.addTerminalCapacities(2, source: 0, sink: 7)
        #expect(g.maximumFlow() == 2)
        #expect(g.isOnSourceSide(0) && g.isOnSourceSide(1) && !g.isOnSourceSide(2))
    }

    @Test func textbookNetwork() {
        // CLRS figure 26.1 (s=v0 ... t=v5) with s and t as terminals: max flow 23.
        // s->v1 16, s->v2 13, v1->v3 12, v2->v1 4, v2->v4 14, v3->v2 9, v3->t 20, v4->v3 7, v4->t 4.
        let g = MaxFlowGraph(nodeCount: 4, edgeCapacity: 5)  // v1..v4 -> 0..3
        g.addTerminalCapacities(0, source: 16, sink: 0)
        g.addTerminalCapacities(1, source: 13, sink: 0)
        g.addEdge(0, 2, capacity: 12, reverseCapacity: 0)
        g.addEdge(1, 0, capacity: 4, reverseCapacity: 0)
        g.addEdge(1, 3, capacity: 14, reverseCapacity: 0)
        g.addEdge(2, 1, capacity: 9, reverseCapacity: 0)
        g.addTerminalCapacities(2, source: 0, sink: 20)
        g.addEdge(3, 2, capacity: 7, reverseCapacity: 0)
        g.addTerminalCapacities(3, source: 0, sink: 4)
        #expect(g.maximumFlow() == 23)
        // The minimum cut {s, v1, v2, v4} | {v3, t}: 12 + 7 + 4 = 23.
        #expect(g.isOnSourceSide(0) && g.isOnSourceSide(1) && g.isOnSourceSide(3))
        #expect(!g.isOnSourceSide(2))
    }

    @Test func disconnectedAndFreeNodesGoToTheSinkSide() {
        let g = MaxFlowGraph(nodeCount: 3, edgeCapacity: 1)
        g.addEdge(0, 1, capacity: 3, reverseCapacity: 3)
        g.addTerminalCapacities(2, source: 1, sink: 1)  // balanced: no residual terminal capacity
        #expect(g.maximumFlow() == 1)
        #expect(!g.isOnSourceSide(0) && !g.isOnSourceSide(1) && !g.isOnSourceSide(2))
    }

    @Test func agreesWithBruteForceOnRandomGraphs() {
        var rng = SplitMix64(seed: 42)
        for trial in 0..<300 {
            let n = 2 + Int(rng.next() % 7)  // 2...8 nodes
            var source = [Double](repeating: 0, count: n), sink = source
            var cap = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
            let g = MaxFlowGraph(nodeCount: n, edgeCapacity: n * n)
            for i in 0..<n {
                source[i] = rng.next() % 3 == 0 ? 0 : Double(rng.next() % 10)
                sink[i] = rng.next() % 3 == 0 ? 0 : Double(rng.next() % 10)
                g.addTerminalCapacities(i, source: source[i], sink: sink[i])
            }
            for u in 0..<n {
                for v in (u + 1)..<n where rng.next() % 2 == 0 {
                    let c = Double(rng.next() % 8), r = Double(rng.next() % 8)
                    cap[u][v] += c
                    cap[v][u] += r
                    g.addEdge(u, v, capacity: c, reverseCapacity: r)
                }
            }
            func cutValue(_ inSource: (Int) -> Bool) -> Double {
                var total = 0.0
                for i in 0..<n {
                    total += inSource(i) ? sink[i] : source[i]
                    for j in 0..<n where inSource(i) && !inSource(j) { total += cap[i][j] }
                }
                return total
            }
            var best = Double.infinity
            for subset in 0..<(1 << n) {
                best = min(best, cutValue { subset & (1 << $0) != 0 })
            }
            let flow = g.maximumFlow()
            #expect(flow == best, "trial \(trial): flow \(flow), brute-force min cut \(best)")
            #expect(cutValue { g.isOnSourceSide($0) } == best, "trial \(trial): the reported cut is not minimal")
        }
    }

    @Test func gridGraphSeparatesTwoRegions() {
        // A 6x4 grid: the left column pulls to the source, the right column to the sink, strong
        // horizontal links except a weak vertical "seam" between columns 2 and 3.
        let w = 6, h = 4
        let g = MaxFlowGraph(nodeCount: w * h, edgeCapacity: 2 * w * h)
        for y in 0..<h {
            g.addTerminalCapacities(y * w, source: 100, sink: 0)
            g.addTerminalCapacities(y * w + w - 1, source: 0, sink: 100)
            for x in 0..<(w - 1) {
                let c: Double = x == 2 ? 1 : 10
                g.addEdge(y * w + x, y * w + x + 1, capacity: c, reverseCapacity: c)
            }
        }
        for y in 0..<(h - 1) {
            for x in 0..<w { g.addEdge(y * w + x, (y + 1) * w + x, capacity: 5, reverseCapacity: 5) }
        }
        #expect(g.maximumFlow() == 4)
        for y in 0..<h {
            for x in 0..<w { #expect(g.isOnSourceSide(y * w + x) == (x <= 2)) }
        }
    }
}

/// Edmonds-Karp on a dense capacity matrix (node n = source, n + 1 = sink): the test oracle.
func edmondsKarp(_ capacity: [[Double]], source: Int, sink: Int) -> Double {
    var r = capacity
    let n = r.count
    var flow = 0.0
    while true {
        var prev = [Int](repeating: -1, count: n)
        prev[source] = source
        var queue = [source], qi = 0
        while qi < queue.count && prev[sink] < 0 {
            let u = queue[qi]; qi += 1
            for v in 0..<n where prev[v] < 0 && r[u][v] > 0 { prev[v] = u; queue.append(v) }
        }
        if prev[sink] < 0 { return flow }
        var b = Double.infinity, v = sink
        while v != source { b = min(b, r[prev[v]][v]); v = prev[v] }
        v = sink
        while v != source { r[prev[v]][v] -= b; r[v][prev[v]] += b; v = prev[v] }
        flow += b
    }
}

extension MaxFlowTests {
    @Test func agreesWithEdmondsKarpOnRandomEightNeighbourGrids() {
        var rng = SplitMix64(seed: 7)
        for trial in 0..<20 {
            let w = 9, h = 8, n = w * h
            var cap = [[Double]](repeating: [Double](repeating: 0, count: n + 2), count: n + 2)
            let g = MaxFlowGraph(nodeCount: n, edgeCapacity: 4 * n)
            for i in 0..<n {
                let s = Double(rng.next() % 20), t = Double(rng.next() % 20)
                cap[n][i] = s; cap[i][n + 1] = t
                g.addTerminalCapacities(i, source: s, sink: t)
            }
            for y in 0..<h {
                for x in 0..<w {
                    for (dx, dy) in [(1, 0), (0, 1), (1, 1), (-1, 1)] {
                        let nx = x + dx, ny = y + dy
                        guard nx >= 0, nx < w, ny < h else { continue }
                        let u = y * w + x, v = ny * w + nx
                        let c = Double(rng.next() % 12)
                        cap[u][v] += c; cap[v][u] += c
                        g.addEdge(u, v, capacity: c, reverseCapacity: c)
                    }
                }
            }
            let expected = edmondsKarp(cap, source: n, sink: n + 1)
            #expect(g.maximumFlow() == expected, "trial \(trial)")
            var cut = 0.0
            for i in 0..<n {
                let si = g.isOnSourceSide(i)
                cut += si ? cap[i][n + 1] : cap[n][i]
                for j in 0..<n where si && !g.isOnSourceSide(j) { cut += cap[i][j] }
            }
            #expect(cut == expected, "trial \(trial): the reported cut is not minimal")
        }
    }
}

extension MaxFlowTests {
    @Test func changingTerminalCapacitiesAndSolvingAgainMatchesAFreshSolve() {
        var rng = SplitMix64(seed: 99)
        for trial in 0..<150 {
            let w = 7, h = 6, n = w * h
            var edges: [(Int, Int, Double)] = []
            for y in 0..<h {
                for x in 0..<w {
                    for (dx, dy) in [(1, 0), (0, 1), (1, 1), (-1, 1)] {
                        let nx = x + dx, ny = y + dy
                        guard nx >= 0, nx < w, ny < h else { continue }
                        edges.append((y * w + x, ny * w + nx, Double(rng.next() % 9)))
                    }
                }
            }
            var source = (0..<n).map { _ in Double(rng.next() % 15) }
            var sink = (0..<n).map { _ in Double(rng.next() % 15) }
            let reused = MaxFlowGraph(nodeCount: n, edgeCapacity: edges.count)
            for i in 0..<n { reused.addTerminalCapacities(i, source: source[i], sink: sink[i]) }
            for (u, v, c) in edges { reused.addEdge(u, v, capacity: c, reverseCapacity: c) }
            reused.maximumFlow()
            for round in 0..<4 {
                // Change about a third of the nodes, sometimes to zero, sometimes far below the flow.
                for i in 0..<n where rng.next() % 3 == 0 {
                    source[i] = rng.next() % 4 == 0 ? 0 : Double(rng.next() % 15)
                    sink[i] = rng.next() % 4 == 0 ? 0 : Double(rng.next() % 15)
                    reused.setTerminalCapacities(i, source: source[i], sink: sink[i])
                }
                let fresh = MaxFlowGraph(nodeCount: n, edgeCapacity: edges.count)
                for i in 0..<n { fresh.addTerminalCapacities(i, source: source[i], sink: sink[i]) }
                for (u, v, c) in edges { fresh.addEdge(u, v, capacity: c, reverseCapacity: c) }
                let expected = fresh.maximumFlow()
                #expect(reused.maximumFlow() == expected, "trial \(trial) round \(round)")
                // Both report the smallest source set of the minimum cuts, so they agree exactly.
                for i in 0..<n { #expect(reused.isOnSourceSide(i) == fresh.isOnSourceSide(i), "trial \(trial) round \(round) node \(i)") }
            }
        }
    }
}

/// A small deterministic generator for tests (SplitMix64).
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite struct GridMaxFlowTests {
    @Test func agreesWithTheGeneralGraphIncludingReuse() {
        var rng = SplitMix64(seed: 2024)
        for trial in 0..<60 {
            let w = 3 + Int(rng.next() % 8), h = 2 + Int(rng.next() % 7), n = w * h
            let grid = GridMaxFlowGraph(width: w, height: h)
            var edges: [(Int, Int, Int, Double, Double)] = []   // x, y, direction, capacity, reverse
            for y in 0..<h {
                for x in 0..<w {
                    for k in 0..<4 {
                        let (dx, dy) = GridMaxFlowGraph.directions[k]
                        guard x + dx >= 0, x + dx < w, y + dy < h else { continue }
                        let c = Double(rng.next() % 10), r = Double(rng.next() % 10)
                        edges.append((x, y, k, c, r))
                        grid.setEdge(x: x, y: y, direction: k, capacity: c, reverseCapacity: r)
                    }
                }
            }
            var source = (0..<n).map { _ in Double(rng.next() % 12) }
            var sink = (0..<n).map { _ in Double(rng.next() % 12) }
            for i in 0..<n { grid.setTerminalCapacities(x: i % w, y: i / w, source: source[i], sink: sink[i]) }
            for round in 0..<3 {
                if round > 0 {
                    for i in 0..<n where rng.next() % 3 == 0 {
                        source[i] = Double(rng.next() % 12); sink[i] = rng.next() % 5 == 0 ? 0 : Double(rng.next() % 12)
                        grid.setTerminalCapacities(x: i % w, y: i / w, source: source[i], sink: sink[i])
                    }
                }
                let general = MaxFlowGraph(nodeCount: n, edgeCapacity: edges.count)
                for i in 0..<n { general.addTerminalCapacities(i, source: source[i], sink: sink[i]) }
                for (x, y, k, c, r) in edges {
                    let (dx, dy) = GridMaxFlowGraph.directions[k]
                    general.addEdge(y * w + x, (y + dy) * w + x + dx, capacity: c, reverseCapacity: r)
                }
                let expected = general.maximumFlow()
                #expect(grid.maximumFlow() == expected, "trial \(trial) round \(round)")
                for i in 0..<n {
                    #expect(grid.isOnSourceSide(x: i % w, y: i / w) == general.isOnSourceSide(i), "trial \(trial) round \(round) node \(i)")
                }
            }
        }
    }

    @Test func oppositeSlotsAreReverseArcs() {
        for k in 0..<8 {
            let (a, b) = (GridMaxFlowGraph.directions[k], GridMaxFlowGraph.directions[(k + 4) % 8])
            #expect(a.0 == -b.0 && a.1 == -b.1)
        }
        // A 2x1 grid: the only edge is slot 0 of (0, 0); s -> (0,0) -> (1,0) -> t.
        let g = GridMaxFlowGraph(width: 2, height: 1)
        g.setEdge(x: 0, y: 0, direction: 0, capacity: 3, reverseCapacity: 0)
        g.setTerminalCapacities(x: 0, y: 0, source: 5, sink: 0)
        g.setTerminalCapacities(x: 1, y: 0, source: 0, sink: 4)
        #expect(g.maximumFlow() == 3)
        #expect(g.isOnSourceSide(x: 0, y: 0) && !g.isOnSourceSide(x: 1, y: 0))
    }
}
