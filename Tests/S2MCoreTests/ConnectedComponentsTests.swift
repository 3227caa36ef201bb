import Testing
@testable import S2MCore

/// Builds a mask from rows of `#` (true) and `.` (false).
func maskFromRows(_ rows: [String]) -> Mask {
    let w = rows.first?.count ?? 0
    return Mask(width: w, height: rows.count, pixels: rows.flatMap { $0.map { $0 == "#" } })
}

@Suite struct ConnectedComponentsTests {
    @Test func diagonalsJoinOnlyWithEightConnectivity() throws {
        let m = maskFromRows([
            "#..#",
            ".#..",
            "...#",
        ])
        let eight = try ConnectedComponents(mask: m)
        #expect(eight.count == 3)
        #expect(eight.labels.pixels == [1, 0, 0, 2,
                                        0, 1, 0, 0,
                                        0, 0, 0, 3])
        let four = try ConnectedComponents(mask: m, connectivity: .four)
        #expect(four.count == 4)
        #expect(four.labels.pixels == [1, 0, 0, 2,
                                       0, 3, 0, 0,
                                       0, 0, 0, 4])
    }

    @Test func branchesThatMeetLowerDownMerge() throws {
        // A "U" and a "W": provisional labels of separate arms must be unified.
        let m = maskFromRows([
            "#.#.#.#.#",
            "#.#.#.#.#",
            "###.#####",
        ])
        let cc = try ConnectedComponents(mask: m)
        #expect(cc.count == 2)
        #expect(cc.labels.pixels == [1, 0, 1, 0, 2, 0, 2, 0, 2,
                                     1, 0, 1, 0, 2, 0, 2, 0, 2,
                                     1, 1, 1, 0, 2, 2, 2, 2, 2])
        #expect(cc.components[0].area == 7)
        #expect(cc.components[1].area == 11)
    }

    @Test func antiDiagonalChainMergesThroughUpperRight() throws {
        // Each pixel touches the previous only through its upper-right neighbour.
        let m = maskFromRows([
            "...#",
            "..#.",
            ".#..",
            "#..#",
        ])
        let cc = try ConnectedComponents(mask: m)
        #expect(cc.count == 2)
        #expect(cc.components[0].area == 4)
        #expect(cc.components[0].box == Box(x0: 0, y0: 0, x1: 4, y1: 4))
        #expect(cc.labels[3, 3] == 2)
    }

    @Test func statisticsAreExact() throws {
        let m = maskFromRows([
            "##...",
            "##..#",
            ".....",
        ])
        let scores = ScoreMap(width: 5, height: 3, pixels: [0.1, 0.2, 9, 9, 9,
                                                            0.3, 0.6, 9, 9, 0.5,
                                                            9, 9, 9, 9, 9])
        let cc = try ConnectedComponents(mask: m, scores: scores)
        #expect(cc.count == 2)
        let a = cc.components[0], b = cc.components[1]
        #expect(a.label == 1 && a.area == 4)
        #expect(a.box == Box(x0: 0, y0: 0, x1: 2, y1: 2))
        #expect(a.centroidX == 1 && a.centroidY == 1)  // mean of centres 0.5 and 1.5
        #expect(abs(a.scoreSum - 1.2) < 1e-6)
        #expect(a.scoreMax == 0.6)
        #expect(abs(a.scoreMean - 0.3) < 1e-6)
        #expect(b.area == 1 && b.box == Box(x0: 4, y0: 1, x1: 5, y1: 2))
        #expect(b.centroidX == 4.5 && b.centroidY == 1.5)
        #expect(b.scoreMax == 0.5)
    }

    @Test func minimumSizeFilterRenumbers() throws {
        let m = maskFromRows([
            "#.##",
            "..##",
            "#...",
        ])
        let cc = try ConnectedComponents(mask: m)
        #expect(cc.count == 3)
        let big = cc.removingComponents(smallerThan: 2)
        #expect(big.count == 1)
        #expect(big.components[0].label == 1 && big.components[0].area == 4)
        #expect(big.labels.pixels == [0, 0, 1, 1,
                                      0, 0, 1, 1,
                                      0, 0, 0, 0])
        #expect(m.removingSmallComponents(minArea: 2) == maskFromRows(["..##", "..##", "...."]))
        #expect(m.removingSmallComponents(minArea: 5).trueCount == 0)
        #expect(cc.removingComponents(smallerThan: 1).count == 3)
    }

    @Test func emptyAndFullMasks() throws {
        #expect(try ConnectedComponents(mask: Mask(width: 3, height: 3, repeating: false)).count == 0)
        #expect(try ConnectedComponents(mask: Mask(width: 0, height: 0, pixels: [])).count == 0)
        let full = try ConnectedComponents(mask: Mask(width: 4, height: 3, repeating: true))
        #expect(full.count == 1 && full.components[0].area == 12)
        #expect(full.mask == Mask(width: 4, height: 3, repeating: true))
    }

    @Test func sizeMismatchIsAnError() {
        #expect(throws: S2MError.self) {
            try ConnectedComponents(mask: Mask(width: 2, height: 2, repeating: true),
                                    scores: ScoreMap(width: 3, height: 2, repeating: 0))
        }
    }

    @Test func checkerboardIsOneComponentWithDiagonals() throws {
        // 8-connectivity joins a checkerboard into one component; 4 gives one per pixel.
        let w = 7, h = 5
        let m = Mask(width: w, height: h, pixels: (0..<(w * h)).map { ($0 % w + $0 / w) % 2 == 0 })
        #expect(try ConnectedComponents(mask: m).count == 1)
        #expect(try ConnectedComponents(mask: m, connectivity: .four).count == m.trueCount)
    }
}
