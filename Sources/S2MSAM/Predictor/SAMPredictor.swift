import S2MCore

/// The masks, logits and quality estimates of one prompt.
public struct SAMPrediction: Sendable {
    /// Mask logits at the original image size, count x height x width; the mask is logits > 0.
    public var logits: Tensor
    /// The model's predicted IoU of each mask.
    public var iouPredictions: [Float]
    /// The decoder's low-resolution logits, count x 256 x 256.
    public var lowResolutionLogits: Tensor

    /// Number of masks (3 with multimask output, else 1).
    public var count: Int { iouPredictions.count }

    /// Mask `index` thresholded at 0, as an s2m mask.
    public func mask(_ index: Int) -> Mask {
        let h = logits.shape[1], w = logits.shape[2]
        let plane = UnsafeBufferPointer(start: logits.pointer + index * h * w, count: h * w)
        return Mask(width: w, height: h, pixels: plane.map { $0 > 0 })
    }
}

/// The image embedding of one image with the sizes needed to map prompts and masks: what the
/// embedding cache stores.
public struct SAMImageEmbedding: Sendable {
    /// channels x size x size.
    public var embedding: Tensor
    public var originalWidth: Int
    public var originalHeight: Int

    public init(embedding: Tensor, originalWidth: Int, originalHeight: Int) {
        self.embedding = embedding
        self.originalWidth = originalWidth
        self.originalHeight = originalHeight
    }
}

/// Segment Anything's predictor: computes an image's embedding once, then answers prompts with
/// the prompt encoder and mask decoder, with SamPredictor's exact pre- and postprocessing.
public struct SAMPredictor: Sendable {
    public let model: SAMModel
    public let compute: Compute

    public init(model: SAMModel, compute: Compute = .allCores) {
        self.model = model
        self.compute = compute
    }

    /// The model input for an image: resized, normalised, padded (3 x 1024 x 1024).
    public func preprocess(_ image: RGBImage) throws -> Tensor {
        try ResizeLongestSide(target: model.imageSize).modelInput(image, pixelMean: model.pixelMean, pixelStd: model.pixelStd)
    }

    /// Runs the image encoder on an image (the expensive step).
    public func embed(_ image: RGBImage) throws -> SAMImageEmbedding {
        let input = try preprocess(image)
        return SAMImageEmbedding(embedding: try model.encode(input, compute: compute),
                                 originalWidth: image.width, originalHeight: image.height)
    }

    /// Readies an embedded image for prompts (the decoder's prompt-independent work, a few ms).
    public func prepare(_ embedding: SAMImageEmbedding) -> SAMPreparedImage {
        SAMPreparedImage(embedding: embedding,
                         context: model.decoder.imageContext(compute, embedding: embedding.embedding, imagePE: model.imagePE,
                                                             dense: model.promptEncoder.noMask))
    }

    /// Predicts masks for a prompt on an embedded image (preparing it first; prefer `prepare`
    /// once and the prepared-image variant for many prompts).
    public func predict(_ prompt: SAMPrompt, on image: SAMImageEmbedding, multimask: Bool) throws -> SAMPrediction {
        try predict(prompt, on: prepare(image), multimask: multimask)
    }

    /// Predicts masks for a prompt. With `multimask`, returns the three multimask outputs, else
    /// the single-mask output, as SamPredictor.predict does. An empty prompt is an error (SAM needs
    /// a point or a box).
    public func predict(_ prompt: SAMPrompt, on image: SAMPreparedImage, multimask: Bool) throws -> SAMPrediction {
        try run(prompt, on: image, multimask: multimask, croppedOnly: false)
    }

    /// Like `predict`, but computes only the low-resolution rows that the full-size logits need
    /// (the rest of `lowResolutionLogits` is left zero): faster on non-square images.
    public func predictFullSize(_ prompt: SAMPrompt, on image: SAMPreparedImage, multimask: Bool) throws -> SAMPrediction {
        try run(prompt, on: image, multimask: multimask, croppedOnly: true)
    }

    /// The prompt encoder and mask decoder alone: low-resolution logits (count x 256 x 256) and
    /// predicted IoUs, without upscaling to the image size.
    public func decode(_ prompt: SAMPrompt, on image: SAMPreparedImage, multimask: Bool) throws -> (logits: Tensor, iou: [Float]) {
        try decode(prompt, on: image, multimask: multimask, gridRows: nil)
    }

    private func decode(_ prompt: SAMPrompt, on prepared: SAMPreparedImage, multimask: Bool, gridRows: Int?) throws -> (logits: Tensor, iou: [Float]) {
        guard !prompt.isEmpty else { throw S2MError(file: nil, .invalid("a SAM prompt needs at least one point or a box")) }
        let image = prepared.embedding
        let transform = ResizeLongestSide(target: model.imageSize)
        let h = image.originalHeight, w = image.originalWidth
        let points = prompt.points.map { p -> (x: Double, y: Double, label: PromptEncoder.PointLabel) in
            let t = transform.apply(x: p.x, y: p.y, originalHeight: h, originalWidth: w)
            return (t.x, t.y, p.isForeground ? .foreground : .background)
        }
        let box = prompt.box.map { b -> (x0: Double, y0: Double, x1: Double, y1: Double) in
            let a = transform.apply(x: b.x0, y: b.y0, originalHeight: h, originalWidth: w)
            let c = transform.apply(x: b.x1, y: b.y1, originalHeight: h, originalWidth: w)
            return (a.x, a.y, c.x, c.y)
        }
        let sparse = model.promptEncoder.sparseEmbeddings(points: points, box: box)
        let selected = multimask ? Array(1..<model.decoder.maskTokenCount) : [0]
        let (lowRes, allIoU) = model.decoder.predict(compute, context: prepared.context, imagePE: model.imagePE, sparse: sparse,
                                                     selected: selected, rows: gridRows)
        return (lowRes, selected.map { allIoU[$0] })
    }

    private func run(_ prompt: SAMPrompt, on prepared: SAMPreparedImage, multimask: Bool, croppedOnly: Bool) throws -> SAMPrediction {
        let image = prepared.embedding
        let h = image.originalHeight, w = image.originalWidth
        let transform = ResizeLongestSide(target: model.imageSize)
        let (rh, rw) = transform.resizedSize(height: h, width: w)
        // Low-resolution rows the upscaling to rh rows reads (bilinear, 4x), in embedding-grid rows.
        var gridRows: Int?
        if croppedOnly {
            let lowRows = Int((Double(rh) - 0.5) / 4 - 0.5) + 2
            gridRows = min(model.encoder.embeddingSize, (lowRows + 3) / 4)
        }
        let (lowRes, iou) = try decode(prompt, on: prepared, multimask: multimask, gridRows: gridRows)
        let full = MaskPostprocessing(inputSize: model.imageSize, resizedHeight: rh, resizedWidth: rw,
                                      originalHeight: h, originalWidth: w).apply(compute, logits: lowRes)
        return SAMPrediction(logits: full, iouPredictions: iou, lowResolutionLogits: lowRes)
    }
}

/// An embedded image readied for prompts: the embedding and the decoder's per-image context
/// (about 10 MB). Immutable, so one prepared image can serve several threads.
public final class SAMPreparedImage: Sendable {
    public let embedding: SAMImageEmbedding
    let context: MaskDecoder.ImageContext

    init(embedding: SAMImageEmbedding, context: MaskDecoder.ImageContext) {
        self.embedding = embedding
        self.context = context
    }
}
