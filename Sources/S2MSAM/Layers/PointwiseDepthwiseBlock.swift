import CSAMKernels
import Foundation

/// 1x1 convolution + GELU, depthwise k x k convolution (stride 1 or 2) + GELU, 1x1 convolution,
/// then optionally a residual and a final GELU: TinyViT's MBConv (residual, GELU) and its patch
/// merging (neither). Batch norms are folded into the convolutions.
///
/// Computed band by band of output rows, each thread sweeping its own share of the rows: the
/// widened activations (4x the channels) then live only in a cache-sized band buffer instead of
/// whole-image buffers, and rows shared by consecutive bands are expanded once.
struct PointwiseDepthwiseBlock: Sendable {
    let expand: Linear
    let depthwise: DepthwiseConvolution
    let project: Linear
    let residual: Bool
    let finalGELU: Bool

    func outputSize(height: Int, width: Int) -> (height: Int, width: Int) {
        depthwise.outputSize(height: height, width: width)
    }

    /// output (outH x outW x cout) from input (height x width x cin); output must not alias input.
    func apply(_ compute: Compute, input: UnsafePointer<Float>, height: Int, width: Int,
               output: UnsafeMutablePointer<Float>) {
        let s = depthwise.stride, k = depthwise.kernel, pad = depthwise.padding
        let (outH, outW) = outputSize(height: height, width: width)
        let cin = expand.inFeatures, hidden = expand.outFeatures, cout = project.outFeatures
        precondition(!residual || (s == 1 && cin == cout), "a residual needs equal input and output sizes")
        let bandRows = max(1, min(outH, (1 << 18) / max(1, outW * hidden)))
        let maxInputRows = (bandRows - 1) * s + k
        let expandBias = expand.bias!.pointer, projectBias = project.bias!.pointer
        compute.parallelRanges(outH) { rows in
            let a = Tensor(uninitialized: [maxInputRows * width, hidden])
            let b = Tensor(uninitialized: [bandRows * outW, hidden])
            let rowSize = width * hidden
            var aFirst = 0, aCount = 0  // expanded input rows held in `a`: [aFirst, aFirst + aCount)
            var y0 = rows.lowerBound
            while y0 < rows.upperBound {
                let y1 = min(rows.upperBound, y0 + bandRows)
                let need0 = max(0, y0 * s - pad), need1 = min(height, (y1 - 1) * s - pad + k)
                if aCount > 0 && need0 >= aFirst && need0 < aFirst + aCount {
                    let keep = aFirst + aCount - need0
                    if need0 > aFirst {
                        memmove(a.pointer, a.pointer + (need0 - aFirst) * rowSize, keep * rowSize * MemoryLayout<Float>.size)
                    }
                    aFirst = need0
                    aCount = keep
                } else {
                    aFirst = need0
                    aCount = 0
                }
                let fresh = need1 - (aFirst + aCount)
                if fresh > 0 {
                    let dst = a.pointer + aCount * rowSize
                    compute.gemmSerial(m: fresh * width, n: hidden, k: cin, a: input + (aFirst + aCount) * width * cin, lda: cin,
                                       b: expand.weight.pointer, ldb: cin, transposeB: true, c: dst, ldc: hidden)
                    sam_add_bias_gelu(dst, expandBias, fresh * width, hidden)
                    aCount += fresh
                }
                sam_depthwise_conv_hwc(a.pointer, aFirst, height, width, hidden, depthwise.weight.pointer, k, s, pad,
                                       depthwise.scale.pointer, depthwise.shift.pointer, 1, outW, y0, y1, b.pointer)
                let pixels = (y1 - y0) * outW
                let out = output + y0 * outW * cout
                if residual {
                    out.update(from: input + y0 * width * cin, count: pixels * cout)
                }
                compute.gemmSerial(m: pixels, n: cout, k: hidden, a: b.pointer, lda: hidden,
                                   b: project.weight.pointer, ldb: hidden, transposeB: true, c: out, ldc: cout,
                                   beta: residual ? 1 : 0)
                if finalGELU {
                    sam_add_bias_gelu(out, projectBias, pixels, cout)
                } else {
                    sam_add_bias(out, projectBias, pixels, cout)
                }
                y0 = y1
            }
        }
    }
}
