import CSAMKernels

/// The neck shared by SAM's ViT and MobileSAM's TinyViT: 1x1 convolution to 256 channels,
/// LayerNorm2d, 3x3 convolution, LayerNorm2d (both norms eps 1e-6, convolutions without bias).
struct EncoderNeck: Sendable {
    let reduce: Linear
    let norm1: LayerNorm
    let conv: DenseConvolution
    let norm2: LayerNorm

    var outChannels: Int { reduce.outFeatures }

    init(checkpoint: any StateDictionary, prefix: String, inChannels: Int) throws {
        let out = try checkpoint.dimension(prefix + ".0.weight", rank: 4)
        let reduceWeight = try checkpoint.tensor(prefix + ".0.weight", shape: [out, inChannels, 1, 1])
        reduce = Linear(weight: reduceWeight.reshaped([out, inChannels]), bias: nil)
        norm1 = try checkpoint.layerNorm(prefix + ".1", features: out, eps: 1e-6)
        conv = DenseConvolution(torchWeight: try checkpoint.tensor(prefix + ".2.weight", shape: [out, out, 3, 3]),
                                bias: nil, stride: 1, padding: 1)
        norm2 = try checkpoint.layerNorm(prefix + ".3", features: out, eps: 1e-6)
    }

    /// tokens: size x size x inChannels (HWC). Returns the embedding as outChannels x size x size (CHW).
    func apply(_ compute: Compute, tokens: UnsafePointer<Float>, size: Int) -> Tensor {
        let count = size * size
        let a = Tensor(zeros: [count, outChannels]), b = Tensor(zeros: [count, outChannels])
        reduce.apply(compute, input: tokens, rows: count, output: a.pointer)
        norm1.apply(compute, input: a.pointer, output: a.pointer, rows: count)
        conv.apply(compute, input: a.pointer, height: size, width: size, output: b.pointer)
        norm2.apply(compute, input: b.pointer, output: b.pointer, rows: count)
        let embedding = Tensor(zeros: [outChannels, size, size])
        sam_transpose(b.pointer, embedding.pointer, count, outChannels)
        return embedding
    }
}
