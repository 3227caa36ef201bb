import Testing
@testable import S2MCore

@Suite struct RasterTests {
    @Test func rowMajorIndexing() {
        var r = Raster(width: 3, height: 2, repeating: 0)
        r[2, 1] = 7
        #expect(r.pixels == [0, 0, 0, 0, 0, 7])
        #expect(r[2, 1] == 7)
        #expect(r.contains(x: 2, y: 1))
        #expect(!r.contains(x: 3, y: 0))
        #expect(r.size == RasterSize(width: 3, height: 2))
    }

    @Test func mapConvertsBetweenRasterKinds() {
        let scores = ScoreMap(width: 2, height: 2, pixels: [0.1, 0.9, 0.5, 0.51])
        let mask: Mask = scores.map { $0 > 0.5 }
        #expect(mask.pixels == [false, true, false, true])
        #expect(mask.trueCount == 2)
    }

    @Test func boxGeometryIsHalfOpen() {
        let a = Box(x0: 0, y0: 0, x1: 10, y1: 10)
        let b = Box(x0: 5, y0: 5, x1: 15, y1: 15)
        #expect(a.area == 100)
        #expect(a.intersection(b) == Box(x0: 5, y0: 5, x1: 10, y1: 10))
        #expect(abs(a.iou(b) - 25.0 / 175.0) < 1e-12)
        #expect(a.iou(Box(x0: 10, y0: 0, x1: 20, y1: 10)) == 0)  // touching edges do not overlap
        #expect(Box(x0: -3, y0: 2, x1: 50, y1: 4).clamped(width: 20, height: 3) == Box(x0: 0, y0: 2, x1: 20, y1: 3))
    }

    @Test func errorMessageNamesFileAndProblem() {
        let e = S2MError(file: "a/scores.npy", .nonFinite(count: 3))
        #expect(e.description.hasPrefix("a/scores.npy: 3 NaN/Inf score values"))
        #expect(S2MError(file: nil, .missingFile).description == "no such file")
    }
}
