import CSAMKernels
import Foundation
import S2MCore
import Testing
@testable import S2MSAM

/// The C kernels against direct double-precision formulas and hand-computed values.
@Suite struct KernelTests {
    @Test func geluMatchesTheErfDefinition() {
        let xs = stride(from: -12.0, through: 12.0, by: 0.0137).map { Float($0) }
        var ys = xs
        ys.withUnsafeMutableBufferPointer { sam_gelu($0.baseAddress!, $0.count) }
        var worst = 0.0
        for (x, y) in zip(xs, ys) {
            let exact = 0.5 * Double(x) * (1 + erf(Double(x) / 2.squareRoot()))
            worst = max(worst, abs(Double(y) - exact) / max(1, abs(exact)))
        }
        #expect(worst < 2e-6, "worst error relative to max(1, |gelu|): \(worst)")
    }

    @Test func softmaxRowsSumToOneAndMatchExp() {
        var rows: [Float] = [0, 1, 2, 3, -50, 50, 0, 10, 1000, 1000, 1000, -1000]
        rows.withUnsafeMutableBufferPointer { sam_softmax_rows($0.baseAddress!, 3, 4, 4) }
        let expected: [[Double]] = [[0, 1, 2, 3], [-50, 50, 0, 10], [1000, 1000, 1000, -1000]].map { row in
            let m = row.max()!
            let e = row.map { exp($0 - m) }
            let s = e.reduce(0, +)
            return e.map { $0 / s }
        }
        for (got, want) in zip(rows, expected.flatMap { $0 }) {
            #expect(abs(Double(got) - want) < 1e-6)
        }
    }

    @Test func layerNormMatchesDoublePrecision() {
        let cols = 37
        let x = (0..<(2 * cols)).map { Float(sin(Double($0) * 1.7) * 3 + 0.5) }
        let gamma = (0..<cols).map { Float(1 + 0.01 * Double($0)) }
        let beta = (0..<cols).map { Float(-0.02 * Double($0)) }
        var y = [Float](repeating: 0, count: x.count)
        sam_layer_norm(x, &y, gamma, beta, 2, cols, 1e-6)
        for r in 0..<2 {
            let row = x[(r * cols)..<((r + 1) * cols)].map(Double.init)
            let mean = row.reduce(0, +) / Double(cols)
            let variance = row.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(cols)
            for c in 0..<cols {
                let want = (row[c] - mean) / (variance + 1e-6).squareRoot() * Double(gamma[c]) + Double(beta[c])
                #expect(abs(Double(y[r * cols + c]) - want) < 2e-6)
            }
        }
    }

    /// Pillow's Image.resize(BILINEAR) outputs for a 7x5 random image (values from Pillow):
    /// downscaling both ways, upscaling, and one side unchanged (one pass skipped).
    @Test(arguments: [
        (3, 2, [123, 144, 149, 117, 138, 108, 123, 139, 137, 90, 176, 170, 155, 107, 147, 93, 136, 145]),
        (7, 3, [100, 158, 203, 181, 116, 149, 93, 76, 173, 85, 197, 87, 198, 173, 117, 115, 113, 142, 170, 152, 144, 105, 219, 118, 63, 169, 155, 103, 143, 99, 142, 100, 81, 120, 74, 128, 86, 156, 186, 64, 146, 106, 71, 213, 156, 133, 132, 228, 116, 170, 161, 224, 81, 151, 179, 69, 176, 81, 131, 140, 78, 195, 120]),
        (4, 5, [112, 159, 228, 67, 104, 202, 200, 168, 135, 193, 137, 168, 165, 106, 112, 164, 137, 67, 81, 167, 86, 87, 135, 107, 84, 244, 110, 68, 124, 81, 124, 77, 132, 74, 153, 140, 16, 159, 213, 145, 165, 205, 146, 80, 153, 71, 144, 179, 163, 189, 168, 153, 117, 147, 191, 88, 169, 94, 174, 96]),
    ])
    func resizeMatchesPillow(width: Int, height: Int, expected: [Int]) throws {
        let input: [UInt8] = [106, 152, 249, 131, 184, 200, 0, 21, 253, 147, 202, 107, 249, 169, 138, 149, 119, 166, 224, 148, 172, 93, 167, 142, 248, 26, 81, 218, 150, 66, 2, 191, 60, 129, 179, 90, 69, 104, 110, 97, 157, 106, 152, 251, 62, 7, 248, 171, 33, 123, 79, 176, 37, 20, 94, 49, 149, 127, 206, 244, 28, 119, 54, 0, 192, 233, 18, 116, 191, 165, 184, 184, 199, 165, 253, 174, 33, 113, 1, 85, 117, 119, 202, 235, 124, 228, 99, 219, 144, 255, 80, 160, 144, 242, 18, 75, 183, 96, 223, 141, 165, 158, 48, 189, 33]
        var out = [UInt8](repeating: 0, count: width * height * 3)
        var tmp = [UInt8](repeating: 0, count: width * 5 * 3)
        #expect(sam_resize_rgb8_bilinear(input, 7, 5, &out, width, height, &tmp) == 0)
        #expect(out.map(Int.init) == expected)
    }

    @Test func resizeLongestSideGeometry() throws {
        let transform = ResizeLongestSide(target: 1024)
        #expect(transform.resizedSize(height: 300, width: 451) == (681, 1024))
        #expect(transform.resizedSize(height: 720, width: 1280) == (576, 1024))
        #expect(transform.resizedSize(height: 1024, width: 1) == (1024, 1))
        let mapped = transform.apply(x: 451, y: 300, originalHeight: 300, originalWidth: 451)
        #expect(abs(mapped.x - 1024) < 1e-9 && abs(mapped.y - 681) < 1e-9)
    }

    @Test func bilinearPlaneResizeMatchesPyTorch() {
        // F.interpolate([[1, 2], [3, 4]], size=(4, 4), mode="bilinear", align_corners=False).
        let input: [Float] = [1, 2, 3, 4]
        var out = [Float](repeating: 0, count: 16)
        sam_resize_bilinear_plane(input, 2, 2, 2, 4, 4, 4, 0, 4, &out, 4)
        #expect(out == [1, 1.25, 1.75, 2, 1.5, 1.75, 2.25, 2.5, 2.5, 2.75, 3.25, 3.5, 3, 3.25, 3.75, 4])
        // Cropping: only the first 3 columns of rows 1..<3, written with row stride 3.
        var crop = [Float](repeating: -1, count: 12)
        sam_resize_bilinear_plane(input, 2, 2, 2, 4, 4, 3, 1, 3, &crop, 3)
        #expect(crop == [-1, -1, -1, 1.5, 1.75, 2.25, 2.5, 2.75, 3.25, -1, -1, -1])
    }

    @Test func windowPartitionRoundTripsAndPads() {
        // A 3x5 map with 2 channels in windows of 2: 2x3 windows, padding filled with (-1, -2).
        let h = 3, w = 5, c = 2, ws = 2
        let map = (0..<(h * w * c)).map(Float.init)
        let windows = 2 * 3
        var parted = [Float](repeating: 0, count: windows * ws * ws * c)
        let fill: [Float] = [-1, -2]
        sam_window_partition(map, h, w, c, ws, fill, 0, windows, &parted)
        // Window 0 holds pixels (0,0), (0,1), (1,0), (1,1).
        #expect(Array(parted[0..<8]) == [0, 1, 2, 3, 10, 11, 12, 13])
        // Window 2 covers columns 4..5: column 5 is padding.
        #expect(Array(parted[16..<24]) == [8, 9, -1, -2, 18, 19, -1, -2])
        var back = [Float](repeating: 0, count: map.count)
        sam_window_unpartition(parted, h, w, c, ws, 0, windows, &back)
        #expect(back == map)
    }

    @Test func depthwiseAndDirectConvolutionsMatchNaiveLoops() {
        let h = 5, w = 6, c = 37, k = 3
        let input = (0..<(h * w * c)).map { Float(sin(Double($0) * 0.37)) }
        let weight = (0..<(k * k * c)).map { Float(cos(Double($0) * 0.11)) }
        let scale = (0..<c).map { Float(1 + 0.01 * Double($0)) }, shift = (0..<c).map { Float(0.1 * Double($0 % 3)) }
        for stride in [1, 2] {
            let oh = (h + 2 - k) / stride + 1, ow = (w + 2 - k) / stride + 1
            var out = [Float](repeating: 0, count: oh * ow * c)
            sam_depthwise_conv_hwc(input, 0, h, w, c, weight, k, stride, 1, scale, shift, 0, ow, 0, oh, &out)
            for oy in 0..<oh {
                for ox in 0..<ow {
                    for ch in 0..<c {
                        var sum = 0.0
                        for ky in 0..<k {
                            for kx in 0..<k {
                                let iy = oy * stride + ky - 1, ix = ox * stride + kx - 1
                                if iy >= 0 && iy < h && ix >= 0 && ix < w {
                                    sum += Double(input[(iy * w + ix) * c + ch]) * Double(weight[(ky * k + kx) * c + ch])
                                }
                            }
                        }
                        let want = sum * Double(scale[ch]) + Double(shift[ch])
                        #expect(abs(Double(out[(oy * ow + ox) * c + ch]) - want) < 1e-5)
                    }
                }
            }
        }
        // Direct dense convolution: 3 input channels, 80 outputs (a 64 block, a 16 block).
        let cin = 3, cout = 80
        let dense = (0..<(k * k * cin * cout)).map { Float(sin(Double($0) * 0.013)) }
        let bias = (0..<cout).map { Float($0) * 0.01 }
        let oh = 3, ow = 3
        var out = [Float](repeating: 0, count: oh * ow * cout)
        sam_conv_direct_hwc(input, h, w, cin, dense, bias, cout, k, 2, 1, 0, ow, 0, oh, &out)
        let source = (0..<(h * w * cin)).map { input[$0] }
        for oy in 0..<oh {
            for ox in 0..<ow {
                for o in 0..<cout {
                    var sum = Double(bias[o])
                    for ky in 0..<k {
                        for kx in 0..<k {
                            let iy = oy * 2 + ky - 1, ix = ox * 2 + kx - 1
                            guard iy >= 0 && iy < h && ix >= 0 && ix < w else { continue }
                            for ci in 0..<cin {
                                sum += Double(source[(iy * w + ix) * cin + ci]) * Double(dense[((ky * k + kx) * cin + ci) * cout + o])
                            }
                        }
                    }
                    #expect(abs(Double(out[(oy * ow + ox) * cout + o]) - sum) < 1e-5)
                }
            }
        }
    }

    @Test func attentionBiasTableUsesAbsoluteOffsets() {
        // Window 2: offsets (|dy|, |dx|) index |dy| * 2 + |dx|.
        let table: [Float] = [10, 11, 12, 13]
        var out = [Float](repeating: 0, count: 16)
        sam_expand_attention_bias(table, 1, 2, &out)
        #expect(out == [10, 11, 12, 13, 11, 10, 13, 12, 12, 13, 10, 11, 13, 12, 11, 10])
    }

    @Test func contentHashSeesEveryByte() {
        let a = ContentHash.hex(of: [1, 2, 3])
        #expect(a.count == 32)
        #expect(a == ContentHash.hex(of: [1, 2, 3]))
        #expect(a != ContentHash.hex(of: [1, 2, 4]))
        #expect(a != ContentHash.hex(of: [1, 2, 3, 0]))
    }
}
