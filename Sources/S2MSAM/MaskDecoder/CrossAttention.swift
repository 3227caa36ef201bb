import CSAMKernels

/// The two cross-attentions of SAM's two-way transformer between a few prompt tokens (t, about
/// 7) and many image tokens (n = 4096), arranged so that no per-prompt product has to project all
/// image tokens through a q/k/v projection:
///
/// - tokens -> image: a query token's score against image token x is q_h . (W_k,h x + b_k,h), so
///   the scores of all heads are (q_h W_k,h) X^T, one (heads t x dim) by (dim x n) product, and
///   q_h . b_k,h is the same for every x (softmax ignores it). The values need only the
///   attention-weighted image rows, (A_h X) W_v,h^T + b_v,h, since each row of A sums to 1.
/// - image -> tokens: the scores of all heads are X (W_q,h^T K_h^T) plus b_q,h K_h^T per token,
///   one (n x dim) by (dim x heads t) product, and the output projection folds into the token
///   values: y = sum_h A_h (V_h W_out,h^T) + b_out, one (n x heads t) by (heads t x dim) product.
///
/// Each costs two thin products of n x dim x (heads t) instead of projecting n rows, in exact
/// arithmetic the same as the reference (the fixtures check the float32 result).
extension DecoderAttention {
    /// output (t x dim) = attention of `queries` (t x dim) over image tokens whose keys are
    /// kProj(keyInput) and values vProj(valueInput) (both n x dim).
    func tokensToImage(_ compute: Compute, queries: UnsafePointer<Float>, tokens t: Int,
                       keyInput: UnsafePointer<Float>, valueInput: UnsafePointer<Float>, imageTokens n: Int,
                       dim: Int, output: UnsafeMutablePointer<Float>) {
        let d = internalDim, hd = headDim, h = heads
        let q = Tensor(uninitialized: [t, d])
        qProj.apply(compute, input: queries, rows: t, output: q.pointer)
        // G_h^T = W_k,h^T q_h^T: (dim x hd)(hd x t), heads side by side (dim x h t).
        let gT = Tensor(uninitialized: [dim, h * t])
        for head in 0..<h {
            compute.gemmSerial(m: dim, n: t, k: hd, a: kProj.weight.pointer + head * hd * dim, lda: dim, transposeA: true,
                               b: q.pointer + head * hd, ldb: d, transposeB: true, c: gT.pointer + head * t, ldc: h * t)
        }
        // Scores stored transposed, n x h t: one tall product, then a softmax down each column.
        let scoresT = Tensor(uninitialized: [n, h * t])
        compute.gemm(m: n, n: h * t, k: dim, a: keyInput, lda: dim, b: gT.pointer, ldb: h * t, transposeB: false,
                     c: scoresT.pointer, ldc: h * t, alpha: 1 / Float(hd).squareRoot())
        softmaxColumns(compute, scoresT, rows: n, columns: h * t)
        // P = A X (h t x dim), then per head o_h = P_h W_v,h^T + b_v,h.
        let p = Tensor(uninitialized: [h * t, dim])
        compute.gemm(m: h * t, n: dim, k: n, a: scoresT.pointer, lda: h * t, transposeA: true, b: valueInput, ldb: dim,
                     transposeB: false, c: p.pointer, ldc: dim)
        let o = Tensor(uninitialized: [t, d])
        for head in 0..<h {
            compute.gemmSerial(m: t, n: hd, k: dim, a: p.pointer + head * t * dim, lda: dim,
                               b: vProj.weight.pointer + head * hd * dim, ldb: dim, transposeB: true,
                               c: o.pointer + head * hd, ldc: d)
        }
        sam_add_bias(o.pointer, vProj.bias!.pointer, t, d)
        outProj.apply(compute, input: o.pointer, rows: t, output: output)
    }

    /// The same with the image side already projected: keys kp and values vp (n x internalDim).
    func tokensToImage(_ compute: Compute, queries: UnsafePointer<Float>, tokens t: Int,
                       projectedKeys kp: UnsafePointer<Float>, projectedValues vp: UnsafePointer<Float>,
                       imageTokens n: Int, output: UnsafeMutablePointer<Float>) {
        let d = internalDim, hd = headDim, h = heads
        let q = Tensor(uninitialized: [t, d])
        qProj.apply(compute, input: queries, rows: t, output: q.pointer)
        // All heads at once with a block-diagonal query matrix (d x h t): head h's queries fill
        // rows h*hd..<(h+1)*hd of columns h*t..<(h+1)*t. Scores are stored transposed (n x h t).
        let blocks = Tensor(zeros: [d, h * t])
        for head in 0..<h {
            for j in 0..<t {
                for i in 0..<hd { blocks.pointer[(head * hd + i) * h * t + head * t + j] = q.pointer[j * d + head * hd + i] }
            }
        }
        let scoresT = Tensor(uninitialized: [n, h * t])
        compute.gemm(m: n, n: h * t, k: d, a: kp, lda: d, b: blocks.pointer, ldb: h * t, transposeB: false,
                     c: scoresT.pointer, ldc: h * t, alpha: 1 / Float(hd).squareRoot())
        softmaxColumns(compute, scoresT, rows: n, columns: h * t)
        // A V for every head against all value columns (h t x d); head h keeps its own block.
        let mixed = Tensor(uninitialized: [h * t, d])
        compute.gemm(m: h * t, n: d, k: n, a: scoresT.pointer, lda: h * t, transposeA: true, b: vp, ldb: d,
                     transposeB: false, c: mixed.pointer, ldc: d)
        let o = Tensor(uninitialized: [t, d])
        for head in 0..<h {
            for j in 0..<t {
                (o.pointer + j * d + head * hd).update(from: mixed.pointer + (head * t + j) * d + head * hd, count: hd)
            }
        }
        outProj.apply(compute, input: o.pointer, rows: t, output: output)
    }

    /// Attention of image tokens, with queries qProj(queryInput) (n x dim), over the tokens with
    /// keys kProj(keyTokens) and values vProj(valueTokens) (t x dim), added to `residual`.
    @discardableResult
    func imageToTokens(_ compute: Compute, queryInput: UnsafePointer<Float>, imageTokens n: Int,
                       keyTokens: UnsafePointer<Float>, valueTokens: UnsafePointer<Float>, tokens t: Int,
                       dim: Int, residual: ResidualTarget) -> TokenAttention {
        let d = internalDim, hd = headDim, h = heads
        let k = Tensor(uninitialized: [t, d])
        kProj.apply(compute, input: keyTokens, rows: t, output: k.pointer)
        // H_h = W_q,h^T K_h^T (dim x t), heads side by side (dim x h t); c_h = b_q,h . K_h.
        let w = Tensor(uninitialized: [dim, h * t])
        let c = Tensor(uninitialized: [h * t])
        let scale = 1 / Float(hd).squareRoot()
        for head in 0..<h {
            compute.gemmSerial(m: dim, n: t, k: hd, a: qProj.weight.pointer + head * hd * dim, lda: dim, transposeA: true,
                               b: k.pointer + head * hd, ldb: d, transposeB: true, c: w.pointer + head * t, ldc: h * t)
            for j in 0..<t {
                var dot: Float = 0
                for i in 0..<hd { dot += qProj.bias!.pointer[head * hd + i] * k.pointer[j * d + head * hd + i] }
                c.pointer[head * t + j] = dot * scale
            }
        }
        let scores = Tensor(uninitialized: [n, h * t])
        compute.gemm(m: n, n: h * t, k: dim, a: queryInput, lda: dim, b: w.pointer, ldb: h * t, transposeB: false,
                     c: scores.pointer, ldc: h * t, alpha: scale)
        return attendTokens(compute, scores: scores, imageTokens: n, valueTokens: valueTokens, tokens: t, dim: dim,
                            columnBias: c, residual: residual)
    }

    /// The same with the image queries already projected (n x internalDim).
    @discardableResult
    func imageToTokens(_ compute: Compute, projectedQueries qp: UnsafePointer<Float>, imageTokens n: Int,
                       keyTokens: UnsafePointer<Float>, valueTokens: UnsafePointer<Float>, tokens t: Int,
                       dim: Int, residual: ResidualTarget) -> TokenAttention {
        let d = internalDim, hd = headDim, h = heads
        let k = Tensor(uninitialized: [t, d])
        kProj.apply(compute, input: keyTokens, rows: t, output: k.pointer)
        // All heads' scores in one product with a block-diagonal key matrix (d x h t): head h's
        // keys fill rows h*hd..<(h+1)*hd of columns h*t..<(h+1)*t.
        let blocks = Tensor(zeros: [d, h * t])
        for head in 0..<h {
            for j in 0..<t {
                for i in 0..<hd { blocks.pointer[(head * hd + i) * h * t + head * t + j] = k.pointer[j * d + head * hd + i] }
            }
        }
        let scores = Tensor(uninitialized: [n, h * t])
        compute.gemm(m: n, n: h * t, k: d, a: qp, lda: d, b: blocks.pointer, ldb: h * t, transposeB: false,
                     c: scores.pointer, ldc: h * t, alpha: 1 / Float(hd).squareRoot())
        return attendTokens(compute, scores: scores, imageTokens: n, valueTokens: valueTokens, tokens: t, dim: dim,
                            columnBias: nil, residual: residual)
    }

    /// Softmax over each head's t scores of every image row (plus a per-column bias), then the
    /// values with the output projection folded in.
    private func attendTokens(_ compute: Compute, scores: Tensor, imageTokens n: Int, valueTokens: UnsafePointer<Float>,
                              tokens t: Int, dim: Int, columnBias: Tensor?, residual: ResidualTarget) -> TokenAttention {
        let d = internalDim, hd = headDim, h = heads
        let v = Tensor(uninitialized: [t, d])
        vProj.apply(compute, input: valueTokens, rows: t, output: v.pointer)
        // M_h = V_h W_out,h^T (t x dim), stacked (h t x dim).
        let m = Tensor(uninitialized: [h * t, dim])
        for head in 0..<h {
            compute.gemmSerial(m: t, n: dim, k: hd, a: v.pointer + head * hd, lda: d,
                               b: outProj.weight.pointer + head * hd, ldb: d, transposeB: true,
                               c: m.pointer + head * t * dim, ldc: dim)
        }
        // Bands of 128 image rows: each band's output is still in cache for the epilogue.
        let band = 128
        compute.parallelItems((n + band - 1) / band) { item, _ in
            let rows = (item * band)..<min(n, (item + 1) * band)
            let s = scores.pointer + rows.lowerBound * h * t
            if let columnBias { sam_add_bias(s, columnBias.pointer, rows.count, h * t) }
            // Each row holds h consecutive segments of t scores.
            sam_softmax_segments(s, rows.count * h, t)
            let out = residual.output + rows.lowerBound * dim
            if residual.source != UnsafePointer(residual.output) {
                out.update(from: residual.source + rows.lowerBound * dim, count: rows.count * dim)
            }
            compute.gemmSerial(m: rows.count, n: dim, k: h * t, a: s, lda: h * t, b: m.pointer, ldb: dim,
                               transposeB: false, c: out, ldc: dim, beta: 1)
            sam_add_bias(out, outProj.bias!.pointer, rows.count, dim)
            residual.epilogue(rows)
        }
        return TokenAttention(probabilities: scores, values: m)
    }
}

/// Softmax down each column of a rows x columns matrix, columns split across threads.
func softmaxColumns(_ compute: Compute, _ x: Tensor, rows: Int, columns: Int) {
    compute.parallelRanges(columns, minimumPerThread: 16) { cols in
        sam_softmax_columns(x.pointer + cols.lowerBound, rows, cols.count, columns)
    }
}

/// Where an image->tokens attention goes: output rows = source rows (may be the output itself)
/// + attention, then `epilogue` runs on each finished band of rows while it is still in cache.
struct ResidualTarget {
    let source: UnsafePointer<Float>
    let output: UnsafeMutablePointer<Float>
    let epilogue: (Range<Int>) -> Void
}

/// What an image->tokens attention computed, kept so the decoder's upscaling can reuse it: the
/// output is probabilities x values + the output projection's bias.
struct TokenAttention {
    /// n x (heads t): each image token's attention over each head's t tokens.
    let probabilities: Tensor
    /// (heads t) x dim: the token values with the output projection folded in.
    let values: Tensor
}
