import Foundation
import Testing
@testable import S2MCore

@Suite struct ScoreNormalizationTests {
    @Test func minMaxMapsToUnitInterval() {
        let s = ScoreMap(width: 4, height: 1, pixels: [-2, 0, 2, 6])
        #expect(ScoreNormalization.minMax.apply(to: s).pixels == [0, 0.25, 0.5, 1])
        #expect(ScoreNormalization.none.apply(to: s) == s)
    }

    @Test func constantMapBecomesZero() {
        let s = ScoreMap(width: 2, height: 2, repeating: 3.5)
        #expect(ScoreNormalization.minMax.apply(to: s).pixels == [0, 0, 0, 0])
        #expect(ScoreNormalization.percentileClip(low: 1, high: 99).apply(to: s).pixels == [0, 0, 0, 0])
    }

    @Test func percentileInterpolatesLikeNumpy() {
        // numpy.percentile([1, 2, 3, 4], 50) == 2.5; ([0...10], 10) == 1; (.., 95) == 9.5
        #expect(ScoreNormalization.percentile(sorted: [1, 2, 3, 4], 50) == 2.5)
        let ramp = (0...10).map(Float.init)
        #expect(ScoreNormalization.percentile(sorted: ramp, 10) == 1)
        #expect(ScoreNormalization.percentile(sorted: ramp, 95) == 9.5)
        #expect(ScoreNormalization.percentile(sorted: ramp, 100) == 10)
        #expect(ScoreNormalization.percentile(sorted: [7], 30) == 7)
    }

    @Test func percentileClipIgnoresOutliers() {
        // 0...10 plus one huge outlier: clip at the 10th/90th percentiles (1.1 and 10) before rescaling.
        var values = (0...10).map(Float.init)
        values.append(1000)
        let s = ScoreMap(width: 12, height: 1, pixels: values)
        let n = ScoreNormalization.percentileClip(low: 10, high: 90).apply(to: s)
        // sorted has 12 values; rank(10%) = 1.1 -> 1.1, rank(90%) = 9.9 -> 9.9 + 0.9 * (10 - 9.9)... = 9.9
        let lo: Float = 1.1, hi: Float = 9.9
        for (v, out) in zip(values, n.pixels) {
            let expected = (min(max(v, lo), hi) - lo) / (hi - lo)
            #expect(abs(out - expected) < 1e-5)
        }
        #expect(n.pixels[0] == 0)
        #expect(n.pixels[11] == 1)
    }

    @Test func parsesCommandLineNames() throws {
        #expect(try ScoreNormalization.parse("minmax") == .minMax)
        #expect(try ScoreNormalization.parse("percentile") == .percentileClip(low: 1, high: 99))
        #expect(try ScoreNormalization.parse("percentile:2,98") == .percentileClip(low: 2, high: 98))
        #expect(throws: S2MError.self) { try ScoreNormalization.parse("percentile:98,2") }
        #expect(throws: S2MError.self) { try ScoreNormalization.parse("zscore") }
    }
}

@Suite struct GaussianBlurTests {
    @Test func kernelMatchesOpenCV() throws {
        // cv2.getGaussianKernel(3, 1): e = exp(-0.5); [e, 1, e] / (1 + 2e)
        let e = exp(-0.5)
        let k3 = try GaussianBlur(kernelSize: 3, sigma: 1).kernel()
        #expect(abs(Double(k3[0]) - e / (1 + 2 * e)) < 1e-7)
        #expect(abs(Double(k3[1]) - 1 / (1 + 2 * e)) < 1e-7)
        // The paper's kernel 7 / sigma 1: 0.00443305, 0.05400558, 0.24203623, 0.39905028, ...
        let k7 = try GaussianBlur.paper.kernel()
        let expected: [Float] = [0.00443305, 0.05400558, 0.24203623, 0.39905028, 0.24203623, 0.05400558, 0.00443305]
        for (a, b) in zip(k7, expected) { #expect(abs(a - b) < 1e-7) }
        // sigma <= 0 uses OpenCV's fixed table for 7 taps and the derived sigma for 9 taps.
        #expect(try GaussianBlur(kernelSize: 7, sigma: 0).kernel() == [0.03125, 0.109375, 0.21875, 0.28125, 0.21875, 0.109375, 0.03125])
        let k9 = try GaussianBlur(kernelSize: 9, sigma: 0).kernel()
        let k9s = try GaussianBlur(kernelSize: 9, sigma: 0.3 * (4 - 1) + 0.8).kernel()
        #expect(k9 == k9s)
        // kernel size 0 derives it from sigma: round(1.5 * 8 + 1) | 1 = 13
        #expect(try GaussianBlur(kernelSize: 0, sigma: 1.5).kernel().count == 13)
    }

    @Test func rejectsBadKernels() {
        #expect(throws: S2MError.self) { try GaussianBlur(kernelSize: 4, sigma: 1).kernel() }
        #expect(throws: S2MError.self) { try GaussianBlur(kernelSize: -3, sigma: 1).kernel() }
        #expect(throws: S2MError.self) { try GaussianBlur(kernelSize: 0, sigma: 0).kernel() }
    }

    @Test func deltaSpreadsAsOuterProductWithReflectedBorders() throws {
        let blur = GaussianBlur(kernelSize: 3, sigma: 1)
        let k = try blur.kernel()
        // A delta in the centre of a 5x5 map gives the outer product of the kernel.
        var delta = ScoreMap(width: 5, height: 5, repeating: 0)
        delta[2, 2] = 1
        let out = try blur.apply(to: delta)
        for y in 0..<5 {
            for x in 0..<5 {
                let kx: Float = abs(x - 2) <= 1 ? k[x - 1] : 0
                let ky: Float = abs(y - 2) <= 1 ? k[y - 1] : 0
                #expect(abs(out[x, y] - kx * ky) < 1e-7)
            }
        }
        // BORDER_REFLECT_101: a delta next to the edge of a 3x1 row is counted twice at the edge
        // (index -1 reflects to 1), and a delta on the edge is not repeated.
        let row = try blur.apply(to: ScoreMap(width: 3, height: 1, pixels: [0, 1, 0]))
        #expect(abs(row.pixels[0] - 2 * k[0]) < 1e-7)
        #expect(abs(row.pixels[1] - k[1]) < 1e-7)
        let edge = try blur.apply(to: ScoreMap(width: 3, height: 1, pixels: [1, 0, 0]))
        #expect(abs(edge.pixels[0] - k[1]) < 1e-7)
        #expect(abs(edge.pixels[1] - k[0]) < 1e-7)
        #expect(edge.pixels[2] == 0)
    }

    @Test func constantMapsAndTinyMapsAreUnchanged() throws {
        let c = ScoreMap(width: 6, height: 4, repeating: 0.7)
        for v in try GaussianBlur.paper.apply(to: c).pixels { #expect(abs(v - 0.7) < 1e-6) }
        let one = ScoreMap(width: 1, height: 1, pixels: [0.3])
        #expect(abs(try GaussianBlur.paper.apply(to: one).pixels[0] - 0.3) < 1e-6)
        let empty = ScoreMap(width: 0, height: 0, pixels: [])
        #expect(try GaussianBlur.paper.apply(to: empty).isEmpty)
    }

    @Test func reflect101Indices() {
        #expect((-3...7).map { reflect101($0, count: 5) } == [3, 2, 1, 0, 1, 2, 3, 4, 3, 2, 1])
        #expect(reflect101(-4, count: 2) == 0)
        #expect(reflect101(5, count: 1) == 0)
    }
}

@Suite struct ResizeTests {
    @Test func bilinearUsesHalfPixelCentres() throws {
        let s = ScoreMap(width: 2, height: 1, pixels: [0, 1])
        #expect(try s.resized(to: RasterSize(width: 4, height: 1), method: .bilinear).pixels == [0, 0.25, 0.75, 1])
        // 2x2 -> 4x4: the inner pixels interpolate in both directions.
        let q = ScoreMap(width: 2, height: 2, pixels: [0, 1, 2, 3])
        let up = try q.resized(to: RasterSize(width: 4, height: 4), method: .bilinear)
        #expect(up[0, 0] == 0)
        #expect(up[1, 1] == 0.25 * 1 + 0.25 * 2)  // x 0.25, y 0.25
        #expect(up[3, 3] == 3)
        // Shrinking by 2 samples between two source pixels: their mean.
        let row = ScoreMap(width: 4, height: 1, pixels: [0, 2, 4, 6])
        #expect(try row.resized(to: RasterSize(width: 2, height: 1), method: .bilinear).pixels == [1, 5])
    }

    @Test func areaAveragesCoveredPixels() throws {
        let row = ScoreMap(width: 4, height: 1, pixels: [1, 2, 3, 4])
        #expect(try row.resized(to: RasterSize(width: 2, height: 1), method: .area).pixels == [1.5, 3.5])
        // 3 -> 2: the middle source pixel is split between both outputs.
        let three = ScoreMap(width: 3, height: 1, pixels: [3, 6, 9])
        let two = try three.resized(to: RasterSize(width: 2, height: 1), method: .area).pixels
        #expect(abs(two[0] - (3 + 0.5 * 6) / 1.5) < 1e-6)
        #expect(abs(two[1] - (0.5 * 6 + 9) / 1.5) < 1e-6)
        // 2 -> 3: enlarging repeats pixels and blends where an output straddles two inputs.
        let grow = try ScoreMap(width: 2, height: 1, pixels: [0, 6]).resized(to: RasterSize(width: 3, height: 1), method: .area)
        #expect(abs(grow.pixels[0] - 0) < 1e-6)
        #expect(abs(grow.pixels[1] - 3) < 1e-6)
        #expect(abs(grow.pixels[2] - 6) < 1e-6)
        // 4x4 -> 2x2 block means.
        let block = ScoreMap(width: 4, height: 4, pixels: (0..<16).map(Float.init))
        #expect(try block.resized(to: RasterSize(width: 2, height: 2), method: .area).pixels == [2.5, 4.5, 10.5, 12.5])
    }

    @Test func rgbResizeRoundsEachChannel() throws {
        let img = RGBImage(width: 2, height: 1, pixels: [RGB(0, 10, 255), RGB(3, 20, 0)])
        let out = try img.resized(to: RasterSize(width: 1, height: 1), method: .area)
        #expect(out.pixels == [RGB(2, 15, 128)])  // 1.5 rounds to 2, 127.5 to 128
    }

    @Test func degenerateSizes() throws {
        let s = ScoreMap(width: 3, height: 2, repeating: 1)
        #expect(try s.resized(to: s.size, method: .bilinear) == s)
        #expect(try s.resized(to: RasterSize(width: 0, height: 5), method: .area).isEmpty)
        #expect(throws: S2MError.self) {
            try ScoreMap(width: 0, height: 0, pixels: []).resized(to: RasterSize(width: 2, height: 2), method: .bilinear)
        }
    }
}

/// Golden values printed by OpenCV 5.0.0 (opencv-python-headless) for the same 6x5 float map:
/// `a[y, x] = ((7x + 3y) % 5) / 4`.
@Suite struct OpenCVAgreementTests {
    static let map: ScoreMap = {
        var m = ScoreMap(width: 6, height: 5, repeating: 0)
        for y in 0..<5 {
            for x in 0..<6 {
                let v: Int = (7 * x + 3 * y) % 5
                m[x, y] = Float(v) / 4
            }
        }
        return m
    }()

    @Test func gaussianBlurMatchesCv2() throws {
        // cv2.GaussianBlur(a, (7, 7), 1)
        let expected: [Float] = [
            0.3716798, 0.4211111, 0.534633, 0.5811952, 0.5313623, 0.4917168,
            0.4001429, 0.4202971, 0.49576, 0.5632131, 0.5549771, 0.5313623,
            0.481624, 0.4576317, 0.4461522, 0.500809, 0.5634459, 0.5822982,
            0.5822048, 0.5374036, 0.459034, 0.4376377, 0.4999999, 0.5496444,
            0.6308627, 0.5822048, 0.4831982, 0.4188101, 0.4503556, 0.5,
        ]
        let out = try GaussianBlur.paper.apply(to: Self.map)
        for (a, b) in zip(out.pixels, expected) { #expect(abs(a - b) < Float(2e-6)) }
    }

    @Test func areaResizeMatchesCv2() throws {
        // cv2.resize(a, (4, 3), interpolation=cv2.INTER_AREA)
        let expected: [Float] = [0.3, 0.6333334, 0.55, 0.3833333, 0.5, 0.3333333,
                                 0.5833334, 0.5833334, 0.7, 0.5333334, 0.3666667, 0.5333334]
        let out = try Self.map.resized(to: RasterSize(width: 4, height: 3), method: .area)
        for (a, b) in zip(out.pixels, expected) { #expect(abs(a - b) < Float(1e-6)) }
    }

    @Test func bilinearResizeMatchesCv2() throws {
        // cv2.resize(a, (9, 7), interpolation=cv2.INTER_LINEAR), first 12 values
        let expected: [Float] = [0.0, 0.25, 0.5833333, 0.9166666, 0.625, 0.3333333,
                                 0.6666666, 0.375, 0.0, 0.4285715, 0.3214286, 0.297619]
        let out = try Self.map.resized(to: RasterSize(width: 9, height: 7), method: .bilinear)
        for (a, b) in zip(out.pixels.prefix(12), expected) { #expect(abs(a - b) < Float(1e-6)) }
    }
}
