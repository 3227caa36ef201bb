import S2MCore

/// SAM's prompt encoder: points and box corners become sparse embeddings (positional encoding
/// plus a learned embedding per role); without a mask prompt the dense embedding is the learned
/// "no mask" vector at every cell of the image embedding.
struct PromptEncoder: Sendable {
    /// Point label meaning, as in SamPredictor: 1 foreground, 0 background.
    enum PointLabel: Sendable {
        case background, foreground
    }

    let positionEncoding: RandomPositionEncoding
    /// Embeddings added to background points, foreground points, box top-left, box bottom-right.
    let pointEmbeddings: [Tensor]
    /// Embedding of the padding point added when there is no box.
    let notAPoint: Tensor
    /// The dense embedding when no mask is given (embedDim values).
    let noMask: Tensor
    /// Side of the padded model input in pixels (1024): prompt coordinates are divided by it.
    let inputSize: Int

    var embedDim: Int { noMask.count }

    init(checkpoint: any StateDictionary, inputSize: Int) throws {
        let p = "prompt_encoder"
        let dim = try checkpoint.dimension("\(p).no_mask_embed.weight", 1, rank: 2)
        guard dim % 2 == 0 else { throw checkpointShapeError(checkpoint, "prompt embedding width \(dim) is odd") }
        positionEncoding = RandomPositionEncoding(
            gaussian: try checkpoint.tensor("\(p).pe_layer.positional_encoding_gaussian_matrix", shape: [2, dim / 2]))
        pointEmbeddings = try (0..<4).map { try checkpoint.tensor("\(p).point_embeddings.\($0).weight", shape: [1, dim]) }
        notAPoint = try checkpoint.tensor("\(p).not_a_point_embed.weight", shape: [1, dim])
        noMask = try checkpoint.tensor("\(p).no_mask_embed.weight", shape: [1, dim])
        self.inputSize = inputSize
    }

    /// Sparse embeddings (rows of embedDim) for points and an optional box, all in the model's
    /// input frame (pixels of the resized image, SAM's convention: integer coordinates name pixels;
    /// the encoder shifts them by half a pixel to the pixel centre).
    func sparseEmbeddings(points: [(x: Double, y: Double, label: PointLabel)], box: (x0: Double, y0: Double, x1: Double, y1: Double)?) -> Tensor {
        let padded = box == nil && !points.isEmpty
        let rows = points.count + (padded ? 1 : 0) + (box == nil ? 0 : 2)
        let dim = embedDim
        let result = Tensor(zeros: [rows, dim])
        let size = Double(inputSize)
        var row = 0
        func add(_ embedding: Tensor, at row: Int) {
            for c in 0..<dim { result.pointer[row * dim + c] += embedding.pointer[c] }
        }
        for point in points {
            positionEncoding.encode(x: (point.x + 0.5) / size, y: (point.y + 0.5) / size, into: result.pointer + row * dim)
            add(point.label == .foreground ? pointEmbeddings[1] : pointEmbeddings[0], at: row)
            row += 1
        }
        if padded {
            add(notAPoint, at: row)  // the padding point's positional encoding is zeroed
            row += 1
        }
        if let box {
            positionEncoding.encode(x: (box.x0 + 0.5) / size, y: (box.y0 + 0.5) / size, into: result.pointer + row * dim)
            add(pointEmbeddings[2], at: row)
            positionEncoding.encode(x: (box.x1 + 0.5) / size, y: (box.y1 + 0.5) / size, into: result.pointer + (row + 1) * dim)
            add(pointEmbeddings[3], at: row + 1)
        }
        return result
    }
}
