import CSAMKernels
import S2MCore

/// SAM's mask decoder: the two-way transformer over [IoU token, mask tokens, prompt tokens] and
/// the image embedding, then 4x upscaling of the image tokens by two transposed convolutions,
/// per-mask hypernetwork MLPs whose outputs weigh the upscaled channels, and the IoU head.
struct MaskDecoder: Sendable {
    /// A transposed 2x2, stride-2 convolution on HWC maps: each input pixel becomes a 2x2 block.
    struct UpscalingConvolution: Sendable {
        /// cin x (2 * 2 * cout), columns ordered (dy, dx, cout).
        let weight: Tensor
        let bias: Tensor
        let inChannels: Int
        let outChannels: Int

        /// Takes PyTorch's ConvTranspose2d weight (cin, cout, 2, 2).
        init(torchWeight: Tensor, bias: Tensor) {
            let cin = torchWeight.shape[0], cout = torchWeight.shape[1]
            // (cin, cout, dy, dx) -> (cin, dy, dx, cout).
            let reordered = torchWeight.permuted([0, 2, 3, 1]).reshaped([cin, 4 * cout])
            weight = reordered
            self.bias = bias
            inChannels = cin
            outChannels = cout
        }

        /// input: size x size x cin. output: 2size x 2size x cout, plus bias.
        func apply(_ compute: Compute, input: UnsafePointer<Float>, size: Int, output: UnsafeMutablePointer<Float>) {
            let blocks = Tensor(uninitialized: [size * size, 4 * outChannels])
            compute.gemm(m: size * size, n: 4 * outChannels, k: inChannels, a: input, lda: inChannels,
                         b: weight.pointer, ldb: 4 * outChannels, transposeB: false, c: blocks.pointer, ldc: 4 * outChannels)
            compute.parallelRanges(size) { rows in
                sam_scatter_2x2(blocks.pointer, size, outChannels, bias.pointer, rows.lowerBound, rows.upperBound, output)
            }
        }
    }

    /// A stack of Linear layers with ReLU between them.
    struct MLP: Sendable {
        let layers: [Linear]

        /// Applies the MLP to `rows` rows.
        func apply(_ compute: Compute, input: UnsafePointer<Float>, rows: Int) -> Tensor {
            var current = Tensor(zeros: [rows, layers[0].inFeatures])
            current.pointer.update(from: input, count: rows * layers[0].inFeatures)
            for (i, layer) in layers.enumerated() {
                let next = Tensor(zeros: [rows, layer.outFeatures])
                layer.apply(compute, input: current.pointer, rows: rows, output: next.pointer,
                            activation: i < layers.count - 1 ? .relu : .none)
                current = next
            }
            return current
        }
    }

    let transformer: TwoWayTransformer
    let iouToken: Tensor  // 1 x dim
    let maskTokens: Tensor  // (multimask + 1) x dim
    let upscale1: UpscalingConvolution
    let upscaleNorm: LayerNorm
    let upscale2: UpscalingConvolution
    let hypernetworks: [MLP]
    let iouHead: MLP
    let embedDim: Int

    /// Number of mask tokens (1 single-mask output + 3 multimask outputs for SAM).
    var maskTokenCount: Int { maskTokens.shape[0] }

    init(checkpoint: any StateDictionary, embedDim dim: Int) throws {
        let p = "mask_decoder"
        transformer = try TwoWayTransformer(checkpoint: checkpoint, prefix: "\(p).transformer", embedDim: dim)
        iouToken = try checkpoint.tensor("\(p).iou_token.weight", shape: [1, dim])
        let tokenCount = try checkpoint.dimension("\(p).mask_tokens.weight", rank: 2)
        guard tokenCount >= 2 else { throw checkpointShapeError(checkpoint, "mask decoder with \(tokenCount) mask tokens") }
        maskTokens = try checkpoint.tensor("\(p).mask_tokens.weight", shape: [tokenCount, dim])
        let mid = try checkpoint.dimension("\(p).output_upscaling.0.weight", 1, rank: 4)
        let last = try checkpoint.dimension("\(p).output_upscaling.3.weight", 1, rank: 4)
        upscale1 = UpscalingConvolution(
            torchWeight: try checkpoint.tensor("\(p).output_upscaling.0.weight", shape: [dim, mid, 2, 2]),
            bias: try checkpoint.tensor("\(p).output_upscaling.0.bias", shape: [mid]))
        upscaleNorm = try checkpoint.layerNorm("\(p).output_upscaling.1", features: mid, eps: 1e-6)
        upscale2 = UpscalingConvolution(
            torchWeight: try checkpoint.tensor("\(p).output_upscaling.3.weight", shape: [mid, last, 2, 2]),
            bias: try checkpoint.tensor("\(p).output_upscaling.3.bias", shape: [last]))
        func mlp(_ prefix: String) throws -> MLP {
            let depth = checkpoint.countModules(prefix + ".layers", suffix: "weight")
            guard depth > 0 else { throw checkpointShapeError(checkpoint, "\(prefix) has no layers") }
            var layers: [Linear] = []
            var width = dim
            for i in 0..<depth {
                let out = try checkpoint.dimension("\(prefix).layers.\(i).weight", rank: 2)
                layers.append(try checkpoint.linear("\(prefix).layers.\(i)", in: width, out: out))
                width = out
            }
            return MLP(layers: layers)
        }
        hypernetworks = try (0..<tokenCount).map { try mlp("\(p).output_hypernetworks_mlps.\($0)") }
        for net in hypernetworks where net.layers.last!.outFeatures != last {
            throw checkpointShapeError(checkpoint, "hypernetwork output width \(net.layers.last!.outFeatures) differs from the \(last) upscaled channels")
        }
        iouHead = try mlp("\(p).iou_prediction_head")
        guard iouHead.layers.last!.outFeatures == tokenCount else {
            throw checkpointShapeError(checkpoint, "IoU head predicts \(iouHead.layers.last!.outFeatures) values for \(tokenCount) masks")
        }
        embedDim = dim
    }

    /// Predicts masks. `embedding` is dim x size x size (CHW), `imagePE` size*size x dim, `dense`
    /// the dense prompt embedding (dim values, added at every cell), `sparse` the prompt tokens.
    /// Returns all mask-token logits (tokens x 4size x 4size) and IoU predictions.
    func predict(_ compute: Compute, embedding: Tensor, imagePE: Tensor, dense: Tensor, sparse: Tensor) -> (masks: Tensor, iou: [Float]) {
        let dim = embedDim, size = embedding.shape[1], n = size * size
        let masksCount = maskTokenCount
        let t = 1 + masksCount + sparse.shape[0]
        let tokens = Tensor(zeros: [t, dim])
        tokens.pointer.update(from: iouToken.pointer, count: dim)
        (tokens.pointer + dim).update(from: maskTokens.pointer, count: masksCount * dim)
        (tokens.pointer + (1 + masksCount) * dim).update(from: sparse.pointer, count: sparse.count)

        // Image tokens: the embedding (token-major) plus the dense prompt embedding.
        let image = Tensor(zeros: [n, dim])
        sam_transpose(embedding.pointer, image.pointer, dim, n)
        sam_add_bias(image.pointer, dense.pointer, n, dim)
        transformer.apply(compute, image: image, imagePE: imagePE, tokens: tokens)

        // Upscale the image tokens 4x.
        let mid = upscale1.outChannels, last = upscale2.outChannels
        let up1 = Tensor(zeros: [4 * n, mid])
        upscale1.apply(compute, input: image.pointer, size: size, output: up1.pointer)
        upscaleNorm.apply(compute, input: up1.pointer, output: up1.pointer, rows: 4 * n)
        compute.parallelRanges(4 * n, minimumPerThread: 4096) { r in
            sam_gelu(up1.pointer + r.lowerBound * mid, r.count * mid)
        }
        let up2 = Tensor(zeros: [16 * n, last])
        upscale2.apply(compute, input: up1.pointer, size: 2 * size, output: up2.pointer)
        compute.parallelRanges(16 * n, minimumPerThread: 4096) { r in
            sam_gelu(up2.pointer + r.lowerBound * last, r.count * last)
        }

        // Each mask token's hypernetwork weighs the upscaled channels.
        let hyper = Tensor(zeros: [masksCount, last])
        for i in 0..<masksCount {
            let out = hypernetworks[i].apply(compute, input: tokens.pointer + (1 + i) * dim, rows: 1)
            (hyper.pointer + i * last).update(from: out.pointer, count: last)
        }
        let side = 4 * size
        let masks = Tensor(zeros: [masksCount, side, side])
        compute.gemm(m: masksCount, n: side * side, k: last, a: hyper.pointer, lda: last,
                     b: up2.pointer, ldb: last, transposeB: true, c: masks.pointer, ldc: side * side)
        let iou = iouHead.apply(compute, input: tokens.pointer, rows: 1).values
        return (masks, iou)
    }
}
