import CSAMKernels

/// A fully connected layer, y = x W^T + b, with PyTorch's weight layout (out x in), applied to
/// the rows of a token matrix.
struct Linear: Sendable {
    /// out x in.
    let weight: Tensor
    /// out, or nil for a layer without bias.
    let bias: Tensor?

    var inFeatures: Int { weight.shape[1] }
    var outFeatures: Int { weight.shape[0] }

    /// What to apply after adding the bias.
    enum Activation {
        case none, gelu, relu
    }

    /// output (rows x out, row stride ldo) = activation(input (rows x in, row stride ldi) W^T + b).
    func apply(
        _ compute: Compute, input: UnsafePointer<Float>, rows: Int, output: UnsafeMutablePointer<Float>,
        activation: Activation = .none, ldi: Int? = nil, ldo: Int? = nil
    ) {
        let ldi = ldi ?? inFeatures, ldo = ldo ?? outFeatures
        compute.gemm(m: rows, n: outFeatures, k: inFeatures, a: input, lda: ldi,
                     b: weight.pointer, ldb: inFeatures, transposeB: true, c: output, ldc: ldo)
        finish(compute, output: output, rows: rows, activation: activation, ldo: ldo)
    }

    /// Adds the bias (unless `addBias` is false) and applies the activation to rows already
    /// holding x W^T.
    func finish(_ compute: Compute, output: UnsafeMutablePointer<Float>, rows: Int, activation: Activation, ldo: Int? = nil,
                addBias: Bool = true) {
        let ldo = ldo ?? outFeatures
        let n = outFeatures
        let bias = addBias ? self.bias : nil
        compute.parallelRanges(rows, minimumPerThread: max(1, 16384 / max(1, n))) { range in
            if ldo == n {
                Self.finishRows(output + range.lowerBound * n, rows: range.count, columns: n, bias: bias, activation: activation)
            } else {
                for r in range { Self.finishRows(output + r * ldo, rows: 1, columns: n, bias: bias, activation: activation) }
            }
        }
    }

    /// Bias and activation on contiguous rows (one C call).
    private static func finishRows(_ x: UnsafeMutablePointer<Float>, rows: Int, columns n: Int, bias: Tensor?, activation: Activation) {
        switch (bias, activation) {
        case (let b?, .none): sam_add_bias(x, b.pointer, rows, n)
        case (let b?, .gelu): sam_add_bias_gelu(x, b.pointer, rows, n)
        case (let b?, .relu): sam_add_bias_relu(x, b.pointer, rows, n)
        case (nil, .none): break
        case (nil, .gelu): sam_gelu(x, rows * n)
        case (nil, .relu): sam_add_bias_relu(x, ZeroBias.pointer(n), rows, n)
        }
    }

    /// Runs the layer on a single vector (no threading): out = W x + b.
    func applyVector(_ compute: Compute, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, activation: Activation = .none) {
        compute.gemmSerial(m: 1, n: outFeatures, k: inFeatures, a: input, lda: inFeatures,
                           b: weight.pointer, ldb: inFeatures, transposeB: true, c: output, ldc: outFeatures)
        finish(Compute(threads: 1), output: output, rows: 1, activation: activation)
    }
}

/// Zeros to stand in for a missing bias.
enum ZeroBias {
    private static let zeros = Tensor(zeros: [8192])
    static func pointer(_ count: Int) -> UnsafePointer<Float> {
        precondition(count <= zeros.count, "zero bias of \(count) values")
        return UnsafePointer(zeros.pointer)
    }
}
