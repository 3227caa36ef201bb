import CSAMKernels

/// SAM's two-way transformer: prompt tokens and image tokens attend to each other in turn
/// (token self-attention, token-to-image, MLP on tokens, image-to-token), then a final
/// token-to-image attention. Layer norms use eps 1e-5; the MLP uses ReLU.
struct TwoWayTransformer: Sendable {
    struct Layer: Sendable {
        let selfAttention: DecoderAttention
        let norm1: LayerNorm
        let tokenToImage: DecoderAttention
        let norm2: LayerNorm
        let mlp1: Linear
        let mlp2: Linear
        let norm3: LayerNorm
        let norm4: LayerNorm
        let imageToToken: DecoderAttention
        /// The first layer adds no positional encoding to the queries of its self-attention.
        let skipFirstPositionalEncoding: Bool
    }

    let layers: [Layer]
    let finalAttention: DecoderAttention
    let finalNorm: LayerNorm
    let embedDim: Int

    /// SAM's decoders all use 8 heads (not recorded in the weights).
    static let heads = 8

    init(checkpoint: any StateDictionary, prefix: String, embedDim dim: Int) throws {
        let depth = checkpoint.countModules(prefix + ".layers", suffix: "norm1.weight")
        guard depth > 0 else { throw checkpointShapeError(checkpoint, "mask decoder transformer without layers") }
        let heads = Self.heads
        layers = try (0..<depth).map { i in
            let l = "\(prefix).layers.\(i)"
            let mlpDim = try checkpoint.dimension("\(l).mlp.lin1.weight")
            return Layer(
                selfAttention: try DecoderAttention(checkpoint: checkpoint, prefix: "\(l).self_attn", embedDim: dim, heads: heads),
                norm1: try checkpoint.layerNorm("\(l).norm1", features: dim, eps: 1e-5),
                tokenToImage: try DecoderAttention(checkpoint: checkpoint, prefix: "\(l).cross_attn_token_to_image", embedDim: dim, heads: heads),
                norm2: try checkpoint.layerNorm("\(l).norm2", features: dim, eps: 1e-5),
                mlp1: try checkpoint.linear("\(l).mlp.lin1", in: dim, out: mlpDim),
                mlp2: try checkpoint.linear("\(l).mlp.lin2", in: mlpDim, out: dim),
                norm3: try checkpoint.layerNorm("\(l).norm3", features: dim, eps: 1e-5),
                norm4: try checkpoint.layerNorm("\(l).norm4", features: dim, eps: 1e-5),
                imageToToken: try DecoderAttention(checkpoint: checkpoint, prefix: "\(l).cross_attn_image_to_token", embedDim: dim, heads: heads),
                skipFirstPositionalEncoding: i == 0)
        }
        finalAttention = try DecoderAttention(checkpoint: checkpoint, prefix: "\(prefix).final_attn_token_to_image", embedDim: dim, heads: heads)
        finalNorm = try checkpoint.layerNorm("\(prefix).norm_final_attn", features: dim, eps: 1e-5)
        embedDim = dim
    }

    /// Runs the transformer. `image` (n x dim) and `tokens` (t x dim) are updated in place; the
    /// positional encodings are `imagePE` (n x dim) and the original tokens.
    func apply(_ compute: Compute, image: Tensor, imagePE: Tensor, tokens: Tensor) {
        let n = image.shape[0], t = tokens.shape[0], dim = embedDim
        let tokenPE = tokens.reshaped([t, dim])  // the prompt tokens as first given
        let tq = Tensor(zeros: [t, dim]), tOut = Tensor(zeros: [t, dim])
        let ik = Tensor(zeros: [n, dim]), iOut = Tensor(zeros: [n, dim])
        let queries = tokens.pointer, keys = image.pointer

        for layer in layers {
            // Self-attention of the tokens.
            if layer.skipFirstPositionalEncoding {
                layer.selfAttention.apply(compute, q: queries, queries: t, k: queries, v: queries, keys: t, output: tOut.pointer)
                queries.update(from: tOut.pointer, count: t * dim)
            } else {
                sam_add_to(tq.pointer, queries, tokenPE.pointer, t * dim)
                layer.selfAttention.apply(compute, q: tq.pointer, queries: t, k: tq.pointer, v: queries, keys: t, output: tOut.pointer)
                sam_add(queries, tOut.pointer, t * dim)
            }
            layer.norm1.apply(compute, input: queries, output: queries, rows: t)

            // Tokens attend to the image.
            sam_add_to(tq.pointer, queries, tokenPE.pointer, t * dim)
            addRows(compute, ik.pointer, keys, imagePE.pointer, n * dim)
            layer.tokenToImage.apply(compute, q: tq.pointer, queries: t, k: ik.pointer, v: keys, keys: n, output: tOut.pointer)
            sam_add(queries, tOut.pointer, t * dim)
            layer.norm2.apply(compute, input: queries, output: queries, rows: t)

            // MLP on the tokens.
            let hidden = Tensor(zeros: [t, layer.mlp1.outFeatures])
            layer.mlp1.apply(compute, input: queries, rows: t, output: hidden.pointer, activation: .relu)
            layer.mlp2.apply(compute, input: hidden.pointer, rows: t, output: tOut.pointer)
            sam_add(queries, tOut.pointer, t * dim)
            layer.norm3.apply(compute, input: queries, output: queries, rows: t)

            // The image attends to the tokens.
            sam_add_to(tq.pointer, queries, tokenPE.pointer, t * dim)
            addRows(compute, ik.pointer, keys, imagePE.pointer, n * dim)
            layer.imageToToken.apply(compute, q: ik.pointer, queries: n, k: tq.pointer, v: queries, keys: t, output: iOut.pointer)
            addRows(compute, keys, keys, iOut.pointer, n * dim)
            layer.norm4.apply(compute, input: keys, output: keys, rows: n)
        }
        sam_add_to(tq.pointer, queries, tokenPE.pointer, t * dim)
        addRows(compute, ik.pointer, keys, imagePE.pointer, n * dim)
        finalAttention.apply(compute, q: tq.pointer, queries: t, k: ik.pointer, v: keys, keys: n, output: tOut.pointer)
        sam_add(queries, tOut.pointer, t * dim)
        finalNorm.apply(compute, input: queries, output: queries, rows: t)
    }

    /// out = a + b over count elements, in parallel.
    private func addRows(_ compute: Compute, _ out: UnsafeMutablePointer<Float>, _ a: UnsafePointer<Float>,
                         _ b: UnsafePointer<Float>, _ count: Int) {
        compute.parallelRanges(count, minimumPerThread: 65536) { r in
            sam_add_to(out + r.lowerBound, a + r.lowerBound, b + r.lowerBound, r.count)
        }
    }
}
