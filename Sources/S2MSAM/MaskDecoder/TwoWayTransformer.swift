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

    /// What the transformer needs of one image before any prompt: the image tokens (embedding
    /// plus the dense "no mask" embedding) with and without positional encoding, and the first
    /// layer's image-side projections, which no prompt changes.
    struct ImageContext: Sendable {
        /// n x dim.
        let keys: Tensor
        /// keys + image positional encoding.
        let keysWithPE: Tensor
        /// First layer: token->image keys and values, image->token queries (n x internalDim).
        let firstKeys: Tensor
        let firstValues: Tensor
        let firstQueries: Tensor
    }

    /// Builds the image context from an embedding (dim x size x size), the positional encoding
    /// (n x dim) and the dense embedding (dim values).
    func imageContext(_ compute: Compute, embedding: Tensor, imagePE: Tensor, dense: Tensor) -> ImageContext {
        let dim = embedDim, n = embedding.count / dim
        let keys = Tensor(uninitialized: [n, dim])
        sam_transpose(embedding.pointer, keys.pointer, dim, n)
        sam_add_bias(keys.pointer, dense.pointer, n, dim)
        let keysWithPE = Tensor(uninitialized: [n, dim])
        sam_add_to(keysWithPE.pointer, keys.pointer, imagePE.pointer, n * dim)
        let first = layers[0]
        let d = first.tokenToImage.internalDim
        let firstKeys = Tensor(uninitialized: [n, d]), firstValues = Tensor(uninitialized: [n, d])
        let firstQueries = Tensor(uninitialized: [n, first.imageToToken.internalDim])
        first.tokenToImage.kProj.apply(compute, input: keysWithPE.pointer, rows: n, output: firstKeys.pointer)
        first.tokenToImage.vProj.apply(compute, input: keys.pointer, rows: n, output: firstValues.pointer)
        first.imageToToken.qProj.apply(compute, input: keysWithPE.pointer, rows: n, output: firstQueries.pointer)
        return ImageContext(keys: keys, keysWithPE: keysWithPE, firstKeys: firstKeys, firstValues: firstValues,
                            firstQueries: firstQueries)
    }

    /// How one layer changed the image tokens: keys' = norm4(keys + probabilities x values + bias),
    /// with norm4's per-token mean and 1/std.
    struct KeyUpdate {
        let attention: TokenAttention
        let mean: Tensor
        let rstd: Tensor
    }

    /// Runs the transformer for one prompt. `tokens` (t x dim) are updated in place; returns the
    /// updated image tokens (n x dim) and each layer's update of them. The positional encodings
    /// are `imagePE` and the tokens as given.
    func apply(_ compute: Compute, context: ImageContext, imagePE: Tensor, tokens: Tensor) -> (keys: Tensor, updates: [KeyUpdate]) {
        let n = context.keys.shape[0], t = tokens.shape[0], dim = embedDim
        let tokenPE = tokens.reshaped([t, dim])  // the prompt tokens as first given
        let tq = Tensor(uninitialized: [t, dim]), tOut = Tensor(uninitialized: [t, dim])
        let keys = Tensor(uninitialized: [n, dim]), keysWithPE = Tensor(uninitialized: [n, dim])
        let queries = tokens.pointer
        var updates: [KeyUpdate] = []

        for (index, layer) in layers.enumerated() {
            let first = index == 0
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
            if first {
                layer.tokenToImage.tokensToImage(compute, queries: tq.pointer, tokens: t, projectedKeys: context.firstKeys.pointer,
                                                 projectedValues: context.firstValues.pointer, imageTokens: n, output: tOut.pointer)
            } else {
                // keysWithPE was written with the previous layer's keys.
                layer.tokenToImage.tokensToImage(compute, queries: tq.pointer, tokens: t, keyInput: keysWithPE.pointer,
                                                 valueInput: keys.pointer, imageTokens: n, dim: dim, output: tOut.pointer)
            }
            sam_add(queries, tOut.pointer, t * dim)
            layer.norm2.apply(compute, input: queries, output: queries, rows: t)

            // MLP on the tokens.
            let hidden = Tensor(uninitialized: [t, layer.mlp1.outFeatures])
            layer.mlp1.apply(compute, input: queries, rows: t, output: hidden.pointer, activation: .relu)
            layer.mlp2.apply(compute, input: hidden.pointer, rows: t, output: tOut.pointer)
            sam_add(queries, tOut.pointer, t * dim)
            layer.norm3.apply(compute, input: queries, output: queries, rows: t)

            // The image attends to the tokens; in the same pass over each band of image rows, the
            // residual, norm4 (keeping its statistics) and the positional encoding for the next step.
            sam_add_to(tq.pointer, queries, tokenPE.pointer, t * dim)
            let mean = Tensor(uninitialized: [n]), rstd = Tensor(uninitialized: [n])
            let residual = ResidualTarget(source: first ? UnsafePointer(context.keys.pointer) : UnsafePointer(keys.pointer),
                                          output: keys.pointer) { rows in
                let start = rows.lowerBound * dim
                sam_layer_norm_stats(keys.pointer + start, keys.pointer + start, layer.norm4.weight.pointer, layer.norm4.bias.pointer,
                                     rows.count, dim, layer.norm4.eps, mean.pointer + rows.lowerBound, rstd.pointer + rows.lowerBound)
                sam_add_to(keysWithPE.pointer + start, keys.pointer + start, imagePE.pointer + start, rows.count * dim)
            }
            let attention: TokenAttention
            if first {
                attention = layer.imageToToken.imageToTokens(
                    compute, projectedQueries: context.firstQueries.pointer, imageTokens: n,
                    keyTokens: tq.pointer, valueTokens: queries, tokens: t, dim: dim, residual: residual)
            } else {
                attention = layer.imageToToken.imageToTokens(
                    compute, queryInput: keysWithPE.pointer, imageTokens: n,
                    keyTokens: tq.pointer, valueTokens: queries, tokens: t, dim: dim, residual: residual)
            }
            updates.append(KeyUpdate(attention: attention, mean: mean, rstd: rstd))
        }
        sam_add_to(tq.pointer, queries, tokenPE.pointer, t * dim)
        finalAttention.tokensToImage(compute, queries: tq.pointer, tokens: t, keyInput: keysWithPE.pointer,
                                     valueInput: keys.pointer, imageTokens: n, dim: dim, output: tOut.pointer)
        sam_add(queries, tOut.pointer, t * dim)
        finalNorm.apply(compute, input: queries, output: queries, rows: t)
        return (keys, updates)
    }
}

