import CSAMKernels
import S2MCore

/// MobileSAM's image encoder, TinyViT: a convolution + batch-norm stem to 1/4 resolution, a stage
/// of MBConv blocks, then stages of windowed-attention blocks (attention biases, a depthwise
/// "local" convolution, an MLP), patch merging between stages, and SAM's neck. Everything runs on
/// HWC token matrices; batch norms are folded into the convolutions at load time.
struct TinyViTImageEncoder: ImageEncoder {
    /// A TinyViT block: windowed attention (with its own pre-norm) + residual, depthwise 3x3 local
    /// convolution, pre-norm MLP + residual.
    struct Block: Sendable {
        let norm: LayerNorm
        let qkv: Linear
        /// q/k/v of a padding token: the attention's norm maps zeros to its bias.
        let paddingQKV: Tensor
        let proj: Linear
        /// heads x tokens x tokens biases for a window.
        let attentionBias: Tensor
        let localConv: DepthwiseConvolution
        let mlpNorm: LayerNorm
        let fc1: Linear
        let fc2: Linear
    }

    struct Stage: Sendable {
        let dim: Int
        let heads: Int
        let windowSize: Int
        let blocks: [Block]
        /// Patch merging after the stage: 1x1 + GELU, depthwise 3x3 (stride 1 or 2) + GELU, 1x1.
        let merge: PointwiseDepthwiseBlock?
    }

    let stem1: DenseConvolution
    let stem2: DenseConvolution
    /// MBConv blocks: 1x1 expand + GELU, depthwise 3x3 + GELU, 1x1 project, residual, GELU.
    let convStage: [PointwiseDepthwiseBlock]
    let convMerge: PointwiseDepthwiseBlock
    let stages: [Stage]
    let neck: EncoderNeck

    let imageSize = 1024
    var embeddingChannels: Int { neck.outChannels }
    let embeddingSize = 64

    init(checkpoint ck: any StateDictionary) throws {
        let p = "image_encoder"
        func convBN(_ prefix: String, inChannels: Int, outChannels: Int, kernel: Int) throws -> (weight: Tensor, bias: Tensor) {
            let w = try ck.tensor(prefix + ".c.weight", shape: [outChannels, inChannels, kernel, kernel])
            let bn = try ck.batchNorm(prefix + ".bn", features: outChannels)
            sam_scale_rows(w.pointer, bn.scale.pointer, outChannels, inChannels * kernel * kernel)
            return (w, bn.shift)
        }
        func pointwise(_ prefix: String, _ cin: Int, _ cout: Int) throws -> Linear {
            let (w, b) = try convBN(prefix, inChannels: cin, outChannels: cout, kernel: 1)
            return Linear(weight: w.reshaped([cout, cin]), bias: b)
        }
        func depthwise(_ prefix: String, _ channels: Int, stride: Int) throws -> DepthwiseConvolution {
            let w = try ck.tensor(prefix + ".c.weight", shape: [channels, 1, 3, 3])
            let bn = try ck.batchNorm(prefix + ".bn", features: channels)
            return DepthwiseConvolution(torchWeight: w, scale: bn.scale, shift: bn.shift, stride: stride, padding: 1)
        }
        // PatchMerging keeps the resolution when it widens to 320, 448 or 576 channels (the last
        // merge of TinyViT-5M/11M/21M), as the official model does.
        func mergeStride(_ out: Int) -> Int { [320, 448, 576].contains(out) ? 1 : 2 }
        func merging(_ prefix: String, _ cin: Int) throws -> PointwiseDepthwiseBlock {
            let cout = try ck.dimension(prefix + ".conv1.c.weight", rank: 4)
            return PointwiseDepthwiseBlock(expand: try pointwise(prefix + ".conv1", cin, cout),
                                           depthwise: try depthwise(prefix + ".conv2", cout, stride: mergeStride(cout)),
                                           project: try pointwise(prefix + ".conv3", cout, cout),
                                           residual: false, finalGELU: false)
        }

        let half = try ck.dimension("\(p).patch_embed.seq.0.c.weight", rank: 4)
        let width0 = try ck.dimension("\(p).patch_embed.seq.2.c.weight", rank: 4)
        let s1 = try convBN("\(p).patch_embed.seq.0", inChannels: 3, outChannels: half, kernel: 3)
        stem1 = DenseConvolution(torchWeight: s1.weight, bias: s1.bias, stride: 2, padding: 1)
        let s2 = try convBN("\(p).patch_embed.seq.2", inChannels: half, outChannels: width0, kernel: 3)
        stem2 = DenseConvolution(torchWeight: s2.weight, bias: s2.bias, stride: 2, padding: 1)

        let convDepth = ck.countModules("\(p).layers.0.blocks", suffix: "conv1.c.weight")
        guard convDepth > 0 else { throw checkpointShapeError(ck, "TinyViT without MBConv blocks") }
        let hidden = try ck.dimension("\(p).layers.0.blocks.0.conv1.c.weight", rank: 4)
        convStage = try (0..<convDepth).map { i in
            let b = "\(p).layers.0.blocks.\(i)"
            return PointwiseDepthwiseBlock(expand: try pointwise("\(b).conv1", width0, hidden),
                                           depthwise: try depthwise("\(b).conv2", hidden, stride: 1),
                                           project: try pointwise("\(b).conv3", hidden, width0),
                                           residual: true, finalGELU: true)
        }
        convMerge = try merging("\(p).layers.0.downsample", width0)

        var stages: [Stage] = []
        var dim = convMerge.project.outFeatures
        var index = 1
        while ck.contains("\(p).layers.\(index).blocks.0.attn.qkv.weight") {
            let l = "\(p).layers.\(index)"
            let depth = ck.countModules("\(l).blocks", suffix: "attn.qkv.weight")
            let heads = try ck.dimension("\(l).blocks.0.attn.attention_biases", 0, rank: 2)
            let offsets = try ck.dimension("\(l).blocks.0.attn.attention_biases", 1)
            let window = Int(Double(offsets).squareRoot().rounded())
            guard window * window == offsets, dim % heads == 0 else {
                throw checkpointShapeError(ck, "\(l): \(offsets) attention offsets, \(heads) heads for width \(dim)")
            }
            let mlpDim = try ck.dimension("\(l).blocks.0.mlp.fc1.weight", rank: 2)
            // Offsets (|dy|, |dx|) are numbered |dy| * window + |dx| (their order of first
            // appearance when the official code enumerates token pairs).
            let tokens = window * window
            let blocks: [Block] = try (0..<depth).map { i in
                let b = "\(l).blocks.\(i)"
                let norm = try ck.layerNorm("\(b).attn.norm", features: dim, eps: 1e-5)
                let qkv = try ck.linear("\(b).attn.qkv", in: dim, out: 3 * dim)
                let padding = Tensor(zeros: [3 * dim])
                qkv.applyVector(Compute(threads: 1), input: norm.bias.pointer, output: padding.pointer)
                let table = try ck.tensor("\(b).attn.attention_biases", shape: [heads, tokens])
                let bias = Tensor(uninitialized: [heads, tokens, tokens])
                sam_expand_attention_bias(table.pointer, heads, window, bias.pointer)
                let local = try depthwise("\(b).local_conv", dim, stride: 1)
                return Block(norm: norm, qkv: qkv, paddingQKV: padding,
                             proj: try ck.linear("\(b).attn.proj", in: dim, out: dim),
                             attentionBias: bias, localConv: local,
                             mlpNorm: try ck.layerNorm("\(b).mlp.norm", features: dim, eps: 1e-5),
                             fc1: try ck.linear("\(b).mlp.fc1", in: dim, out: mlpDim),
                             fc2: try ck.linear("\(b).mlp.fc2", in: mlpDim, out: dim))
            }
            var merge: PointwiseDepthwiseBlock?
            if ck.contains("\(l).downsample.conv1.c.weight") {
                merge = try merging("\(l).downsample", dim)
            }
            stages.append(Stage(dim: dim, heads: heads, windowSize: window, blocks: blocks, merge: merge))
            dim = merge?.project.outFeatures ?? dim
            index += 1
        }
        guard !stages.isEmpty else { throw checkpointShapeError(ck, "TinyViT without attention stages") }
        self.stages = stages
        neck = try EncoderNeck(checkpoint: ck, prefix: "\(p).neck", inChannels: dim)
        // The official forward reshapes the last stage to 64 x 64: check the strides agree.
        var side = convMerge.outputSize(height: imageSize / 4, width: imageSize / 4).height
        for stage in stages { if let m = stage.merge { side = m.outputSize(height: side, width: side).height } }
        guard side == embeddingSize else {
            throw checkpointShapeError(ck, "TinyViT stages end at \(side)x\(side), not \(embeddingSize)x\(embeddingSize)")
        }
    }

    func encode(_ input: Tensor, compute: Compute) throws -> Tensor {
        precondition(input.shape == [3, imageSize, imageSize], "TinyViT input must be 3x\(imageSize)x\(imageSize)")
        var side = imageSize
        // CHW -> HWC.
        let image = Tensor(uninitialized: [side * side, 3])
        sam_transpose(input.pointer, image.pointer, 3, side * side)

        // Stem: two stride-2 3x3 convolutions, GELU between.
        let stem = Tensor(uninitialized: [(side / 2) * (side / 2), stem1.outChannels])
        stem1.apply(compute, input: image.pointer, height: side, width: side, output: stem.pointer, gelu: true)
        side /= 2
        var x = Tensor(uninitialized: [(side / 2) * (side / 2), stem2.outChannels])
        stem2.apply(compute, input: stem.pointer, height: side, width: side, output: x.pointer)
        side /= 2
        try Task.checkCancellation()

        // MBConv stage, ping-ponging between two buffers.
        var other = Tensor(uninitialized: x.shape)
        for block in convStage {
            block.apply(compute, input: x.pointer, height: side, width: side, output: other.pointer)
            swap(&x, &other)
        }
        (x, side) = merge(compute, convMerge, input: x, side: side)

        for stage in stages {
            let buffers = StageBuffers(tokens: side * side, dim: stage.dim, windowSize: stage.windowSize, side: side,
                                       mlpDim: stage.blocks[0].fc1.outFeatures)
            for block in stage.blocks {
                try Task.checkCancellation()
                apply(compute, block, stage: stage, x: x, side: side, buffers: buffers)
            }
            if let m = stage.merge {
                (x, side) = merge(compute, m, input: x, side: side)
            }
        }
        return neck.apply(compute, tokens: x.pointer, size: side)
    }

    /// Activation buffers of one attention stage, shared by its blocks.
    private struct StageBuffers {
        let normed: Tensor, qkv: Tensor, qkvWindows: Tensor, attended: Tensor, hidden: Tensor
        let windows: Int

        init(tokens n: Int, dim: Int, windowSize ws: Int, side: Int, mlpDim: Int) {
            let perSide = (side + ws - 1) / ws
            windows = perSide * perSide
            normed = Tensor(uninitialized: [n, dim])
            qkv = Tensor(uninitialized: [n, 3 * dim])
            qkvWindows = Tensor(uninitialized: [windows * ws * ws, 3 * dim])
            attended = Tensor(uninitialized: [windows * ws * ws, dim])
            hidden = Tensor(uninitialized: [n, mlpDim])
        }
    }

    private func merge(_ compute: Compute, _ m: PointwiseDepthwiseBlock, input: Tensor, side: Int) -> (Tensor, Int) {
        let (outSide, _) = m.outputSize(height: side, width: side)
        let out = Tensor(uninitialized: [outSide * outSide, m.project.outFeatures])
        m.apply(compute, input: input.pointer, height: side, width: side, output: out.pointer)
        return (out, outSide)
    }

    /// One TinyViT block on x (side*side x dim), in place.
    private func apply(_ compute: Compute, _ block: Block, stage: Stage, x: Tensor, side: Int, buffers: StageBuffers) {
        let n = side * side, dim = stage.dim, ws = stage.windowSize
        let windows = buffers.windows
        let windowTokens = ws * ws

        // Attention over windows; padding tokens take part as keys, as in the official model.
        let normed = buffers.normed, qkv = buffers.qkv, qkvWindows = buffers.qkvWindows
        let attended = buffers.attended, hidden = buffers.hidden
        block.norm.apply(compute, input: x.pointer, output: normed.pointer, rows: n)
        block.qkv.apply(compute, input: normed.pointer, rows: n, output: qkv.pointer)
        compute.parallelRanges(windows) { r in
            sam_window_partition(qkv.pointer, side, side, 3 * dim, ws, block.paddingQKV.pointer,
                                 r.lowerBound, r.upperBound, qkvWindows.pointer)
        }
        let keyDim = dim / stage.heads
        MultiHeadAttention(layout: .interleaved(heads: stage.heads, keyDim: keyDim, valueDim: keyDim),
                           scale: 1 / Float(keyDim).squareRoot(), position: .bias(block.attentionBias))
            .apply(compute, qkv: qkvWindows.pointer, windows: windows, tokens: windowTokens, output: attended.pointer)
        let merged = normed  // reuse: the norm output is no longer needed
        compute.parallelRanges(windows) { r in
            sam_window_unpartition(attended.pointer, side, side, dim, ws, r.lowerBound, r.upperBound, merged.pointer)
        }
        compute.gemm(m: n, n: dim, k: dim, a: merged.pointer, lda: dim, b: block.proj.weight.pointer, ldb: dim,
                     transposeB: true, c: x.pointer, ldc: dim, beta: 1)
        block.proj.finish(compute, output: x.pointer, rows: n, activation: .none)

        // Local depthwise convolution (with its batch norm), not residual.
        let local = merged
        block.localConv.apply(compute, input: x.pointer, height: side, width: side, output: local.pointer, gelu: false)

        // MLP with its own pre-norm, residual.
        block.mlpNorm.apply(compute, input: local.pointer, output: x.pointer, rows: n)
        block.fc1.apply(compute, input: x.pointer, rows: n, output: hidden.pointer, activation: .gelu)
        x.pointer.update(from: local.pointer, count: n * dim)
        compute.gemm(m: n, n: dim, k: block.fc1.outFeatures, a: hidden.pointer, lda: block.fc1.outFeatures,
                     b: block.fc2.weight.pointer, ldb: block.fc1.outFeatures, transposeB: true,
                     c: x.pointer, ldc: dim, beta: 1)
        block.fc2.finish(compute, output: x.pointer, rows: n, activation: .none)
    }
}
