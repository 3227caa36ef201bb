import CSAMKernels

/// A dense k x k convolution on HWC images. Few input channels (TinyViT's stem) are convolved
/// directly; otherwise im2col + one matrix product per band of output rows (bands keep the column
/// buffer small and run in parallel).
struct DenseConvolution: Sendable {
    /// Direct: (ky, kx, cin, cout). im2col: cout x (k * k * cin), columns ordered (ky, kx, cin).
    let weight: Tensor
    /// Per-output-channel bias, or nil.
    let bias: Tensor?
    let kernel: Int
    let stride: Int
    let padding: Int
    let inChannels: Int
    let outChannels: Int
    /// True when computed directly rather than by im2col + GEMM.
    let direct: Bool

    /// Takes a PyTorch weight (cout, cin, k, k).
    init(torchWeight: Tensor, bias: Tensor?, stride: Int, padding: Int) {
        let cout = torchWeight.shape[0], cin = torchWeight.shape[1], k = torchWeight.shape[2]
        let direct = cin * k * k <= 32 && cout <= 128
        // Direct: (ky, kx, cin, cout); im2col: (cout, ky, kx, cin).
        let reordered = direct ? torchWeight.permuted([2, 3, 1, 0]) : torchWeight.permuted([0, 2, 3, 1])
        weight = reordered
        self.bias = bias
        kernel = k
        self.stride = stride
        self.padding = padding
        inChannels = cin
        outChannels = cout
        self.direct = direct
    }

    func outputSize(height: Int, width: Int) -> (height: Int, width: Int) {
        ((height + 2 * padding - kernel) / stride + 1, (width + 2 * padding - kernel) / stride + 1)
    }

    /// output (outH x outW x cout) = conv(input (height x width x cin)) [+ bias] [then GELU].
    func apply(_ compute: Compute, input: UnsafePointer<Float>, height: Int, width: Int,
               output: UnsafeMutablePointer<Float>, gelu: Bool = false) {
        let (outH, outW) = outputSize(height: height, width: width)
        if direct {
            let bias = self.bias.map { UnsafePointer($0.pointer) } ?? ZeroBias.pointer(outChannels)
            compute.parallelRanges(outH) { rows in
                sam_conv_direct_hwc(input, height, width, inChannels, weight.pointer, bias, outChannels, kernel,
                                    stride, padding, gelu ? 1 : 0, outW, rows.lowerBound, rows.upperBound, output)
            }
            return
        }
        let rowLength = kernel * kernel * inChannels
        // Bands of output rows whose column buffer stays around 4 MB.
        let rowsPerBand = max(1, min(outH, (1 << 20) / max(1, outW * rowLength)))
        let bands = (outH + rowsPerBand - 1) / rowsPerBand
        let scratch = (0..<compute.threads).map { _ in Tensor(uninitialized: [rowsPerBand * outW * rowLength]) }
        compute.parallelItems(bands) { band, thread in
            let y0 = band * rowsPerBand, y1 = min(outH, y0 + rowsPerBand)
            let cols = scratch[thread].pointer
            sam_im2col_hwc(input, height, width, inChannels, kernel, stride, padding, outW, y0, y1, cols)
            let out = output + y0 * outW * outChannels
            compute.gemmSerial(m: (y1 - y0) * outW, n: outChannels, k: rowLength, a: cols, lda: rowLength,
                               b: weight.pointer, ldb: rowLength, transposeB: true, c: out, ldc: outChannels)
            switch (bias, gelu) {
            case (let b?, false): sam_add_bias(out, b.pointer, (y1 - y0) * outW, outChannels)
            case (let b?, true): sam_add_bias_gelu(out, b.pointer, (y1 - y0) * outW, outChannels)
            case (nil, true): sam_gelu(out, (y1 - y0) * outW * outChannels)
            case (nil, false): break
            }
        }
    }
}

/// A depthwise k x k convolution on HWC images followed by a per-channel affine map (a folded
/// batch norm) and optionally GELU.
struct DepthwiseConvolution: Sendable {
    /// (ky, kx, channel).
    let weight: Tensor
    let scale: Tensor
    let shift: Tensor
    let kernel: Int
    let stride: Int
    let padding: Int
    let channels: Int

    /// Takes a PyTorch depthwise weight (c, 1, k, k) and the affine map that follows it.
    init(torchWeight: Tensor, scale: Tensor, shift: Tensor, stride: Int, padding: Int) {
        let c = torchWeight.shape[0], k = torchWeight.shape[2]
        weight = torchWeight.permuted([2, 3, 1, 0]).reshaped([k, k, c])
        self.scale = scale
        self.shift = shift
        kernel = k
        self.stride = stride
        self.padding = padding
        channels = c
    }

    func outputSize(height: Int, width: Int) -> (height: Int, width: Int) {
        ((height + 2 * padding - kernel) / stride + 1, (width + 2 * padding - kernel) / stride + 1)
    }

    func apply(_ compute: Compute, input: UnsafePointer<Float>, height: Int, width: Int,
               output: UnsafeMutablePointer<Float>, gelu: Bool) {
        let (outH, outW) = outputSize(height: height, width: width)
        compute.parallelRanges(outH) { rows in
            sam_depthwise_conv_hwc(input, 0, height, width, channels, weight.pointer, kernel, stride, padding,
                                   scale.pointer, shift.pointer, gelu ? 1 : 0, outW,
                                   rows.lowerBound, rows.upperBound, output + rows.lowerBound * outW * channels)
        }
    }
}

/// An inference-mode batch norm as y = x * scale + shift per channel.
struct FoldedBatchNorm: Sendable {
    let scale: Tensor
    let shift: Tensor

    /// scale = weight / sqrt(running_var + eps), shift = bias - running_mean * scale.
    init(weight: Tensor, bias: Tensor, runningMean: Tensor, runningVar: Tensor, eps: Float = 1e-5) {
        let n = weight.count
        scale = Tensor(zeros: [n])
        shift = Tensor(zeros: [n])
        for i in 0..<n {
            let s = Double(weight.pointer[i]) / (Double(runningVar.pointer[i]) + Double(eps)).squareRoot()
            scale.pointer[i] = Float(s)
            shift.pointer[i] = Float(Double(bias.pointer[i]) - Double(runningMean.pointer[i]) * s)
        }
    }
}
