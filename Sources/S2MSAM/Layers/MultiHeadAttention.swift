import CSAMKernels

/// Scaled dot-product attention of many independent windows and heads over a packed q/k/v
/// matrix: work items (window, head, band of query rows) are spread over the threads, each
/// with its own score buffer, and the products go to BLAS.
struct MultiHeadAttention {
    /// Where a head's queries, keys and values sit in a row of the packed matrix.
    struct Layout {
        /// Row stride of the packed q/k/v matrix.
        var stride: Int
        var heads: Int
        /// Width of one head's queries and keys.
        var keyDim: Int
        /// Width of one head's values (and outputs).
        var valueDim: Int
        /// Column of head h's queries, keys and values.
        var query: @Sendable (Int) -> Int
        var key: @Sendable (Int) -> Int
        var value: @Sendable (Int) -> Int

        /// SAM ViT / nn.Linear(dim, 3*dim) reshaped (3, heads, headDim): all queries, then all keys,
        /// then all values.
        static func grouped(heads: Int, headDim: Int) -> Layout {
            let dim = heads * headDim
            return Layout(stride: 3 * dim, heads: heads, keyDim: headDim, valueDim: headDim,
                          query: { $0 * headDim }, key: { dim + $0 * headDim }, value: { 2 * dim + $0 * headDim })
        }

        /// TinyViT: per head [q (keyDim), k (keyDim), v (valueDim)] side by side.
        static func interleaved(heads: Int, keyDim: Int, valueDim: Int) -> Layout {
            let block = 2 * keyDim + valueDim
            return Layout(stride: heads * block, heads: heads, keyDim: keyDim, valueDim: valueDim,
                          query: { $0 * block }, key: { $0 * block + keyDim }, value: { $0 * block + 2 * keyDim })
        }
    }

    /// What is added to the scaled scores before the softmax.
    enum PositionTerm {
        case none
        /// SAM ViT's decomposed relative positions over a gridHeight x gridWidth window; tables are
        /// (2 * size - 1) x keyDim and apply to every head.
        case decomposed(relPosH: Tensor, relPosW: Tensor, gridHeight: Int, gridWidth: Int)
        /// TinyViT's learned biases, heads x tokens x tokens.
        case bias(Tensor)
    }

    let layout: Layout
    let scale: Float
    let position: PositionTerm

    /// Attention for `windows` windows of `tokens` rows each, stored one after the other in `qkv`;
    /// writes heads * valueDim outputs per row to `output` (row stride heads * valueDim).
    func apply(_ compute: Compute, qkv: UnsafePointer<Float>, windows: Int, tokens: Int,
               output: UnsafeMutablePointer<Float>) {
        let heads = layout.heads
        let outStride = heads * layout.valueDim
        // Bands of query rows bound the score buffer (rows x tokens) to about 1 MB.
        let bandRows = max(1, min(tokens, (1 << 18) / max(1, tokens)))
        let bands = (tokens + bandRows - 1) / bandRows
        var gridH = 0, gridW = 0
        if case .decomposed(_, _, let h, let w) = position { gridH = h; gridW = w }
        let scratch = (0..<compute.threads).map { _ in
            (scores: Tensor(zeros: [bandRows * tokens]), relH: Tensor(zeros: [bandRows * max(gridH, 1)]),
             relW: Tensor(zeros: [bandRows * max(gridW, 1)]))
        }
        let layout = self.layout, scale = self.scale, position = self.position
        compute.parallelItems(windows * heads * bands) { item, thread in
            let band = item % bands
            let head = (item / bands) % heads
            let window = item / (bands * heads)
            let r0 = band * bandRows, r1 = min(tokens, r0 + bandRows)
            let rows = r1 - r0
            let base = qkv + window * tokens * layout.stride
            let q = base + r0 * layout.stride + layout.query(head)
            let k = base + layout.key(head)
            let v = base + layout.value(head)
            let scores = scratch[thread].scores.pointer
            compute.gemmSerial(m: rows, n: tokens, k: layout.keyDim, a: q, lda: layout.stride,
                               b: k, ldb: layout.stride, transposeB: true, c: scores, ldc: tokens, alpha: scale)
            switch position {
            case .none:
                sam_softmax_rows(scores, rows, tokens, tokens)
            case .decomposed(let relPosH, let relPosW, let gh, let gw):
                let relH = scratch[thread].relH.pointer, relW = scratch[thread].relW.pointer
                sam_rel_pos_terms(base + layout.query(head), layout.stride, relPosH.pointer, relPosW.pointer,
                                  gh, gw, layout.keyDim, r0, r1, relH, relW)
                sam_add_rel_pos_softmax(scores, tokens, relH, relW, gh, gw, rows)
            case .bias(let bias):
                sam_add_softmax_rows(scores, bias.pointer + (head * tokens + r0) * tokens, rows, tokens, tokens, tokens)
            }
            let out = output + (window * tokens + r0) * outStride + head * layout.valueDim
            compute.gemmSerial(m: rows, n: layout.valueDim, k: tokens, a: scores, lda: tokens,
                               b: v, ldb: layout.stride, transposeB: false, c: out, ldc: outStride)
        }
    }
}
