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
    /// The first upscaling product carried back through the transformer's norm4 layers (see
    /// `UpscalingChain`).
    let chain: UpscalingChain

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
        chain = UpscalingChain(transformer: transformer, upscale: upscale1)
        guard iouHead.layers.last!.outFeatures == tokenCount else {
            throw checkpointShapeError(checkpoint, "IoU head predicts \(iouHead.layers.last!.outFeatures) values for \(tokenCount) masks")
        }
        embedDim = dim
    }

    /// The prompt-independent part of decoding one image: the transformer's (see
    /// TwoWayTransformer.ImageContext) and the image term of the first upscaling product.
    struct ImageContext: Sendable {
        let transformer: TwoWayTransformer.ImageContext
        /// keys_0 W^(0), n x 4 mid (see UpscalingChain).
        let upscaleBase: Tensor
    }

    func imageContext(_ compute: Compute, embedding: Tensor, imagePE: Tensor, dense: Tensor) -> ImageContext {
        let t = transformer.imageContext(compute, embedding: embedding, imagePE: imagePE, dense: dense)
        let n = t.keys.shape[0], width = chain.weights[0].shape[1]
        let base = Tensor(uninitialized: [n, width])
        compute.gemm(m: n, n: width, k: embedDim, a: t.keys.pointer, lda: embedDim, b: chain.weights[0].pointer, ldb: width,
                     transposeB: false, c: base.pointer, ldc: width)
        return ImageContext(transformer: t, upscaleBase: base)
    }

    /// Predicts the logits of the mask tokens `selected` (4size x 4size each) and the IoU of every
    /// mask token, for the prompt tokens `sparse`. Only the first `rows` rows of the embedding grid
    /// are upscaled (the rest of the low-resolution logits stay zero): callers that crop the padding
    /// away pass the rows they need.
    func predict(_ compute: Compute, context: ImageContext, imagePE: Tensor, sparse: Tensor,
                 selected: [Int], rows: Int? = nil) -> (masks: Tensor, iou: [Float]) {
        let dim = embedDim, n = context.transformer.keys.shape[0]
        let size = Int(Double(n).squareRoot())
        let masksCount = maskTokenCount
        let t = 1 + masksCount + sparse.shape[0]
        let tokens = Tensor(uninitialized: [t, dim])
        tokens.pointer.update(from: iouToken.pointer, count: dim)
        (tokens.pointer + dim).update(from: maskTokens.pointer, count: masksCount * dim)
        (tokens.pointer + (1 + masksCount) * dim).update(from: sparse.pointer, count: sparse.count)
        let (_, updates) = transformer.apply(compute, context: context.transformer, imagePE: imagePE, tokens: tokens)

        // Each selected mask token's hypernetwork weighs the upscaled channels.
        let last = upscale2.outChannels
        let hyper = Tensor(uninitialized: [selected.count, last])
        for (i, token) in selected.enumerated() {
            let out = hypernetworks[token].apply(compute, input: tokens.pointer + (1 + token) * dim, rows: 1)
            (hyper.pointer + i * last).update(from: out.pointer, count: last)
        }
        let masks = upscaleAndProject(compute, base: context.upscaleBase, updates: updates, size: size, hyper: hyper,
                                      rows: min(size, rows ?? size))
        let iou = iouHead.apply(compute, input: tokens.pointer, rows: 1).values
        return (masks, iou)
    }

    /// Upscales the image tokens 4x (transposed convolution, LayerNorm2d, GELU, transposed
    /// convolution, GELU) and takes each hypernetwork's weighted sum of the channels, band by band
    /// of grid rows so the upscaled activations stay in cache. The first transposed convolution's
    /// product comes from the chain (image term + one thin product per transformer layer).
    private func upscaleAndProject(_ compute: Compute, base: Tensor, updates: [TwoWayTransformer.KeyUpdate], size: Int,
                                   hyper: Tensor, rows: Int) -> Tensor {
        let mid = upscale1.outChannels, last = upscale2.outChannels
        let width = 4 * mid
        let count = hyper.shape[0], side = 4 * size
        let masks = Tensor(zeros: [count, side, side])
        // Per layer: the values carried through the remaining weights, (heads t) x width.
        let carried = updates.enumerated().map { layer, update -> Tensor in
            let values = update.attention.values
            let out = Tensor(uninitialized: [values.shape[0], width])
            compute.gemm(m: values.shape[0], n: width, k: embedDim, a: values.pointer, lda: embedDim,
                         b: chain.weights[layer].pointer, ldb: width, transposeB: false, c: out.pointer, ldc: width)
            return out
        }
        let bandRows = 4
        compute.parallelRanges(rows) { range in
            let b1 = Tensor(uninitialized: [bandRows * size, width])
            let up1 = Tensor(uninitialized: [4 * bandRows * size, mid])
            let b2 = Tensor(uninitialized: [4 * bandRows * size, 4 * last])
            let up2 = Tensor(uninitialized: [16 * bandRows * size, last])
            var y0 = range.lowerBound
            while y0 < range.upperBound {
                let y1 = min(range.upperBound, y0 + bandRows), r = y1 - y0
                let first = y0 * size, tokens = r * size
                b1.pointer.update(from: base.pointer + first * width, count: tokens * width)
                for (layer, update) in updates.enumerated() {
                    let p = update.attention.probabilities
                    let ht = p.shape[1]
                    compute.gemmSerial(m: tokens, n: width, k: ht, a: p.pointer + first * ht, lda: ht,
                                       b: carried[layer].pointer, ldb: width, transposeB: false, c: b1.pointer, ldc: width, beta: 1)
                    sam_normalized_update(b1.pointer, chain.biases[layer].pointer, update.mean.pointer + first,
                                          update.rstd.pointer + first, chain.columnSums[layer].pointer, chain.shifts[layer].pointer,
                                          tokens, width)
                }
                sam_scatter_2x2(b1.pointer, size, mid, upscale1.bias.pointer, 0, r, up1.pointer)
                sam_layer_norm(up1.pointer, up1.pointer, upscaleNorm.weight.pointer, upscaleNorm.bias.pointer, 4 * r * size, mid,
                               upscaleNorm.eps)
                sam_gelu(up1.pointer, 4 * r * size * mid)
                compute.gemmSerial(m: 4 * r * size, n: 4 * last, k: mid, a: up1.pointer, lda: mid,
                                   b: upscale2.weight.pointer, ldb: 4 * last, transposeB: false, c: b2.pointer, ldc: 4 * last)
                sam_scatter_2x2(b2.pointer, 2 * size, last, upscale2.bias.pointer, 0, 2 * r, up2.pointer)
                sam_gelu(up2.pointer, 16 * r * size * last)
                compute.gemmSerial(m: count, n: 16 * r * size, k: last, a: hyper.pointer, lda: last,
                                   b: up2.pointer, ldb: last, transposeB: true,
                                   c: masks.pointer + 4 * y0 * side, ldc: side * side)
                y0 = y1
            }
        }
        return masks
    }
}

/// The first upscaling product, keys_L W (W: the first transposed convolution, dim x 4 mid), for
/// keys_L after L transformer layers that each end with keys_{l+1} = norm4_l(keys_l + A_l V_l + b_l)
/// (A_l: n x heads t attention, V_l: heads t x dim values). A layer norm is a per-row affine map,
/// (x - mean) * rstd * gamma + beta, so with W^(L) = W and W^(l) = diag(gamma_l) W^(l+1):
///
///   keys_{l+1} W^(l+1) = rstd_l * (keys_l W^(l) + A_l (V_l W^(l)) + b_l W^(l) - mean_l * colsum(W^(l)))
///                        + beta_l W^(l+1)
///
/// keys_0 W^(0) depends on the image only (computed once per image); per prompt each layer adds
/// one thin product (n x heads t x 4 mid) instead of the full n x dim x 4 mid one.
struct UpscalingChain: Sendable {
    /// W^(0) ... W^(L), each dim x 4 mid.
    let weights: [Tensor]
    /// b_l W^(l), per layer.
    let biases: [Tensor]
    /// colsum(W^(l)), per layer.
    let columnSums: [Tensor]
    /// beta_l W^(l+1), per layer.
    let shifts: [Tensor]

    init(transformer: TwoWayTransformer, upscale: MaskDecoder.UpscalingConvolution) {
        let dim = transformer.embedDim, width = upscale.weight.shape[1]
        var weights = [upscale.weight]
        for layer in transformer.layers.reversed() {
            let next = weights[0], scaled = Tensor(uninitialized: [dim, width])
            scaled.pointer.update(from: next.pointer, count: dim * width)
            sam_scale_rows(scaled.pointer, layer.norm4.weight.pointer, dim, width)
            weights.insert(scaled, at: 0)
        }
        func vectorTimes(_ v: Tensor, _ w: Tensor) -> Tensor {
            let out = Tensor(zeros: [width])
            for i in 0..<dim {
                let scale = v.pointer[i]
                for j in 0..<width { out.pointer[j] += scale * w.pointer[i * width + j] }
            }
            return out
        }
        let ones = Tensor(shape: [dim], values: [Float](repeating: 1, count: dim))
        var biases: [Tensor] = [], sums: [Tensor] = [], shifts: [Tensor] = []
        for (l, layer) in transformer.layers.enumerated() {
            biases.append(vectorTimes(layer.imageToToken.outProj.bias!, weights[l]))
            sums.append(vectorTimes(ones, weights[l]))
            shifts.append(vectorTimes(layer.norm4.bias, weights[l + 1]))
        }
        self.weights = weights
        self.biases = biases
        columnSums = sums
        self.shifts = shifts
    }
}
