import CSAMKernels

/// The attention layer of SAM's two-way transformer: q/k/v projections to an internal width
/// (embedding width / downsample rate), multi-head attention, and the output projection.
struct DecoderAttention: Sendable {
    let qProj: Linear
    let kProj: Linear
    let vProj: Linear
    let outProj: Linear
    let heads: Int

    var internalDim: Int { qProj.outFeatures }
    var headDim: Int { internalDim / heads }

    init(checkpoint: any StateDictionary, prefix: String, embedDim: Int, heads: Int) throws {
        let internalDim = try checkpoint.dimension(prefix + ".q_proj.weight", rank: 2)
        guard internalDim % heads == 0 else {
            throw checkpointShapeError(checkpoint, "\(prefix): width \(internalDim) is not a multiple of \(heads) heads")
        }
        qProj = try checkpoint.linear(prefix + ".q_proj", in: embedDim, out: internalDim)
        kProj = try checkpoint.linear(prefix + ".k_proj", in: embedDim, out: internalDim)
        vProj = try checkpoint.linear(prefix + ".v_proj", in: embedDim, out: internalDim)
        outProj = try checkpoint.linear(prefix + ".out_proj", in: internalDim, out: embedDim)
        self.heads = heads
    }

    /// output (nq x embedDim) = attention(q (nq rows), k (nk rows), v (nk rows)).
    func apply(_ compute: Compute, q: UnsafePointer<Float>, queries nq: Int, k: UnsafePointer<Float>,
               v: UnsafePointer<Float>, keys nk: Int, output: UnsafeMutablePointer<Float>) {
        let d = internalDim
        let qp = Tensor(zeros: [nq, d]), kp = Tensor(zeros: [nk, d]), vp = Tensor(zeros: [nk, d])
        qProj.apply(compute, input: q, rows: nq, output: qp.pointer)
        kProj.apply(compute, input: k, rows: nk, output: kp.pointer)
        vProj.apply(compute, input: v, rows: nk, output: vp.pointer)
        let mixed = Tensor(zeros: [nq, d])
        attend(compute, q: qp.pointer, queries: nq, k: kp.pointer, v: vp.pointer, keys: nk, output: mixed.pointer)
        outProj.apply(compute, input: mixed.pointer, rows: nq, output: output)
    }

    /// Multi-head softmax(q k^T / sqrt(headDim)) v on projected rows (row stride internalDim).
    func attend(_ compute: Compute, q: UnsafePointer<Float>, queries nq: Int, k: UnsafePointer<Float>,
                v: UnsafePointer<Float>, keys nk: Int, output: UnsafeMutablePointer<Float>) {
        let d = internalDim, hd = headDim
        let bandRows = max(1, min(nq, (1 << 16) / max(1, nk)))
        let bands = (nq + bandRows - 1) / bandRows
        let scratch = (0..<compute.threads).map { _ in Tensor(zeros: [bandRows * nk]) }
        let scale = 1 / Float(hd).squareRoot()
        compute.parallelItems(heads * bands) { item, thread in
            let head = item / bands, band = item % bands
            let r0 = band * bandRows, rows = min(nq, r0 + bandRows) - r0
            let scores = scratch[thread].pointer
            compute.gemmSerial(m: rows, n: nk, k: hd, a: q + r0 * d + head * hd, lda: d,
                               b: k + head * hd, ldb: d, transposeB: true, c: scores, ldc: nk, alpha: scale)
            sam_softmax_rows(scores, rows, nk, nk)
            compute.gemmSerial(m: rows, n: hd, k: nk, a: scores, lda: nk, b: v + head * hd, ldb: d,
                               transposeB: false, c: output + r0 * d + head * hd, ldc: d)
        }
    }
}
