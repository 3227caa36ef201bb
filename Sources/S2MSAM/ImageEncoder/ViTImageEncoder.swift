import CSAMKernels
import S2MCore

/// Segment Anything's image encoder: a ViT with patch embedding, absolute position embedding,
/// blocks of windowed or global attention with decomposed relative positions, and the neck.
/// The configuration (width, depth, heads, windows, global blocks) comes from tensor shapes.
struct ViTImageEncoder: ImageEncoder {
    struct Configuration: Sendable, Equatable {
        var imageSize: Int
        var patchSize: Int
        var embedDim: Int
        var depth: Int
        var heads: Int
        var mlpDim: Int
        /// Window side of windowed blocks (14 for SAM).
        var windowSize: Int
        /// Blocks with global attention.
        var globalBlocks: [Int]
        var outChannels: Int

        var gridSize: Int { imageSize / patchSize }
        var headDim: Int { embedDim / heads }
    }

    /// One transformer block.
    struct Block: Sendable {
        let norm1: LayerNorm
        let qkv: Linear
        let relPosH: Tensor
        let relPosW: Tensor
        let proj: Linear
        let norm2: LayerNorm
        let mlp1: Linear
        let mlp2: Linear
        /// 0 for global attention.
        let windowSize: Int
    }

    let configuration: Configuration
    let patchWeight: Tensor  // embedDim x (3 * patch * patch)
    let patchBias: Tensor
    let positionEmbedding: Tensor  // grid x grid x embedDim
    let blocks: [Block]
    let neck: EncoderNeck

    var imageSize: Int { configuration.imageSize }
    var embeddingChannels: Int { neck.outChannels }
    var embeddingSize: Int { configuration.gridSize }

    /// Infers the configuration from `image_encoder.*` shapes and loads the weights.
    init(checkpoint: any StateDictionary) throws {
        let p = "image_encoder"
        let c = try Configuration(inferringFrom: checkpoint)
        configuration = c
        let dim = c.embedDim, patch = c.patchSize, grid = c.gridSize, headDim = c.headDim
        let depth = c.depth, mlpDim = c.mlpDim
        patchWeight = try checkpoint.tensor("\(p).patch_embed.proj.weight", shape: [dim, 3, patch, patch])
            .reshaped([dim, 3 * patch * patch])
        patchBias = try checkpoint.tensor("\(p).patch_embed.proj.bias", shape: [dim])
        positionEmbedding = try checkpoint.tensor("\(p).pos_embed", shape: [1, grid, grid, dim]).reshaped([grid, grid, dim])
        var blocks: [Block] = []
        for i in 0..<depth {
            let b = "\(p).blocks.\(i)"
            let window = c.globalBlocks.contains(i) ? 0 : c.windowSize
            let side = window == 0 ? grid : window
            blocks.append(Block(
                norm1: try checkpoint.layerNorm("\(b).norm1", features: dim, eps: 1e-6),
                qkv: try checkpoint.linear("\(b).attn.qkv", in: dim, out: 3 * dim),
                relPosH: try checkpoint.tensor("\(b).attn.rel_pos_h", shape: [2 * side - 1, headDim]),
                relPosW: try checkpoint.tensor("\(b).attn.rel_pos_w", shape: [2 * side - 1, headDim]),
                proj: try checkpoint.linear("\(b).attn.proj", in: dim, out: dim),
                norm2: try checkpoint.layerNorm("\(b).norm2", features: dim, eps: 1e-6),
                mlp1: try checkpoint.linear("\(b).mlp.lin1", in: dim, out: mlpDim),
                mlp2: try checkpoint.linear("\(b).mlp.lin2", in: mlpDim, out: dim),
                windowSize: window))
        }
        self.blocks = blocks
        neck = try EncoderNeck(checkpoint: checkpoint, prefix: "\(p).neck", inChannels: dim)
    }

    func encode(_ input: Tensor, compute: Compute) throws -> Tensor {
        let c = configuration
        precondition(input.shape == [3, c.imageSize, c.imageSize], "ViT input must be 3x\(c.imageSize)x\(c.imageSize)")
        let grid = c.gridSize, tokens = grid * grid, dim = c.embedDim
        let patchLength = 3 * c.patchSize * c.patchSize

        // Patch embedding: a stride-patch convolution is a product over flattened patches.
        let x = Tensor(zeros: [tokens, dim])
        do {
            let patches = Tensor(zeros: [tokens, patchLength])
            compute.parallelRanges(grid) { rows in
                sam_patchify_chw(input.pointer, 3, c.imageSize, c.imageSize, c.patchSize,
                                 rows.lowerBound, rows.upperBound, patches.pointer + rows.lowerBound * grid * patchLength)
            }
            compute.gemm(m: tokens, n: dim, k: patchLength, a: patches.pointer, lda: patchLength,
                         b: patchWeight.pointer, ldb: patchLength, transposeB: true, c: x.pointer, ldc: dim)
            compute.parallelRanges(tokens) { rows in
                for r in rows {
                    sam_add_bias(x.pointer + r * dim, patchBias.pointer, 1, dim)
                    sam_add(x.pointer + r * dim, positionEmbedding.pointer + r * dim, dim)
                }
            }
        }

        // Buffers reused by every block.
        let windowed = c.windowSize > 0 ? ((grid + c.windowSize - 1) / c.windowSize) : 1
        let paddedTokens = c.windowSize > 0 ? windowed * windowed * c.windowSize * c.windowSize : tokens
        let normed = Tensor(zeros: [tokens, dim])
        let qkv = Tensor(zeros: [tokens, 3 * dim])
        let qkvWindows = Tensor(zeros: [max(paddedTokens, tokens), 3 * dim])
        let attended = Tensor(zeros: [max(paddedTokens, tokens), dim])
        let merged = Tensor(zeros: [tokens, dim])
        let hidden = Tensor(zeros: [tokens, c.mlpDim])

        for block in blocks {
            try Task.checkCancellation()
            block.norm1.apply(compute, input: x.pointer, output: normed.pointer, rows: tokens)
            block.qkv.apply(compute, input: normed.pointer, rows: tokens, output: qkv.pointer)
            let attention = MultiHeadAttention(
                layout: .grouped(heads: c.heads, headDim: c.headDim),
                scale: 1 / Float(c.headDim).squareRoot(),
                position: .decomposed(relPosH: block.relPosH, relPosW: block.relPosW,
                                      gridHeight: block.windowSize == 0 ? grid : block.windowSize,
                                      gridWidth: block.windowSize == 0 ? grid : block.windowSize))
            if block.windowSize > 0 {
                // Tokens padded into windows are zeros after the norm, so their q/k/v are the bias.
                let ws = block.windowSize
                let count = windowed * windowed
                compute.parallelRanges(count) { range in
                    sam_window_partition(qkv.pointer, grid, grid, 3 * dim, ws, block.qkv.bias!.pointer,
                                         range.lowerBound, range.upperBound, qkvWindows.pointer)
                }
                attention.apply(compute, qkv: qkvWindows.pointer, windows: count, tokens: ws * ws, output: attended.pointer)
                compute.parallelRanges(count) { range in
                    sam_window_unpartition(attended.pointer, grid, grid, dim, ws, range.lowerBound, range.upperBound, merged.pointer)
                }
            } else {
                attention.apply(compute, qkv: qkv.pointer, windows: 1, tokens: tokens, output: merged.pointer)
            }
            // x += proj(attention); x += mlp(norm2(x)).
            compute.gemm(m: tokens, n: dim, k: dim, a: merged.pointer, lda: dim, b: block.proj.weight.pointer, ldb: dim,
                         transposeB: true, c: x.pointer, ldc: dim, beta: 1)
            block.proj.finish(compute, output: x.pointer, rows: tokens, activation: .none)
            block.norm2.apply(compute, input: x.pointer, output: normed.pointer, rows: tokens)
            block.mlp1.apply(compute, input: normed.pointer, rows: tokens, output: hidden.pointer, activation: .gelu)
            compute.gemm(m: tokens, n: dim, k: c.mlpDim, a: hidden.pointer, lda: c.mlpDim, b: block.mlp2.weight.pointer,
                         ldb: c.mlpDim, transposeB: true, c: x.pointer, ldc: dim, beta: 1)
            block.mlp2.finish(compute, output: x.pointer, rows: tokens, activation: .none)
        }
        return neck.apply(compute, tokens: x.pointer, size: grid)
    }
}

extension ViTImageEncoder.Configuration {
    /// Reads the configuration off the tensor shapes: width and patch size from the patch
    /// embedding, the grid from the position embedding, depth by counting blocks, the head
    /// width from the relative position tables, whose row count (2 * side - 1) also tells a
    /// global block (side = grid) from a windowed one (side = window).
    init(inferringFrom checkpoint: any StateDictionary) throws {
        let p = "image_encoder"
        let dim = try checkpoint.dimension("\(p).patch_embed.proj.weight", rank: 4)
        let patch = try checkpoint.dimension("\(p).patch_embed.proj.weight", 2)
        let grid = try checkpoint.dimension("\(p).pos_embed", 1, rank: 4)
        let depth = checkpoint.countModules("\(p).blocks", suffix: "norm1.weight")
        guard depth > 0 else { throw checkpointShapeError(checkpoint, "image encoder without blocks") }
        let headDim = try checkpoint.dimension("\(p).blocks.0.attn.rel_pos_h", 1, rank: 2)
        guard dim % headDim == 0 else {
            throw checkpointShapeError(checkpoint, "relative position width \(headDim) does not divide embedding width \(dim)")
        }
        var windowSize = 0
        var globalBlocks: [Int] = []
        for i in 0..<depth {
            let rows = try checkpoint.dimension("\(p).blocks.\(i).attn.rel_pos_h", 0, rank: 2)
            if rows == 2 * grid - 1 {
                globalBlocks.append(i)
            } else {
                guard rows % 2 == 1, rows < 2 * grid - 1, windowSize == 0 || windowSize == (rows + 1) / 2 else {
                    throw checkpointShapeError(checkpoint, "block \(i): relative position table of \(rows) rows fits neither a window nor the \(grid)x\(grid) grid")
                }
                windowSize = (rows + 1) / 2
            }
        }
        self.init(imageSize: grid * patch, patchSize: patch, embedDim: dim, depth: depth, heads: dim / headDim,
                  mlpDim: try checkpoint.dimension("\(p).blocks.0.mlp.lin1.weight"), windowSize: windowSize,
                  globalBlocks: globalBlocks, outChannels: try checkpoint.dimension("\(p).neck.0.weight", rank: 4))
    }
}
