import CSAMKernels

/// Layer normalisation over the channels of each row (token), with PyTorch's biased variance.
/// SAM's image encoder and LayerNorm2d use eps 1e-6; nn.LayerNorm's default (decoder, TinyViT)
/// is 1e-5.
struct LayerNorm: Sendable {
    let weight: Tensor
    let bias: Tensor
    let eps: Float

    var features: Int { weight.count }

    /// output = norm(input) for `rows` rows; output may equal input.
    func apply(_ compute: Compute, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, rows: Int) {
        let n = features
        compute.parallelRanges(rows, minimumPerThread: max(1, 8192 / max(1, n))) { range in
            sam_layer_norm(input + range.lowerBound * n, output + range.lowerBound * n,
                           weight.pointer, bias.pointer, range.count, n, eps)
        }
    }
}
