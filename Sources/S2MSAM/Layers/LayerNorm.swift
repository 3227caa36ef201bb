import CSAMKernels

/// Layer normalisation over the channels of each row (token), with PyTorch's biased variance.
/// SAM's image encoder and LayerNorm2d use eps 1e-6; nn.LayerNorm's default (decoder, TinyViT)
/// is 1e-5.
struct LayerNorm: Sendable {
    let weight: Tensor
    let bias: Tensor
    let eps: Float

    var features: Int { weight.count }

    /// output = norm(input) for `rows` rows; output may equal input. When given, `mean` and
    /// `rstd` receive each row's mean and 1 / sqrt(variance + eps).
    func apply(_ compute: Compute, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, rows: Int,
               mean: UnsafeMutablePointer<Float>? = nil, rstd: UnsafeMutablePointer<Float>? = nil) {
        let n = features
        compute.parallelRanges(rows, minimumPerThread: max(1, 8192 / max(1, n))) { range in
            sam_layer_norm_stats(input + range.lowerBound * n, output + range.lowerBound * n,
                                 weight.pointer, bias.pointer, range.count, n, eps,
                                 mean.map { $0 + range.lowerBound }, rstd.map { $0 + range.lowerBound })
        }
    }
}
