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

    /// Predicts masks for a prompt on an embedded image. With `multimask`, returns the three
    /// multimask outputs, else the single-mask output. An empty prompt is an error (SAM needs a
    /// point or a box).
    public func predict(_ prompt: SAMPrompt, on image: SAMImageEmbedding, multimask: Bool) throws -> SAMPrediction {
        guard !prompt.isEmpty else { throw S2MError(file: nil, .invalid("a SAM prompt needs at least one point or a box")) }
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
        let (allMasks, allIoU) = model.decoder.predict(compute, embedding: image.embedding, imagePE: model.imagePE,
                                                        dense: model.promptEncoder.noMask, sparse: sparse)
        let selected = multimask ? Array(1..<allIoU.count) : [0]
        let low = allMasks.shape[1]
        let lowRes = Tensor(zeros: [selected.count, low, low])
        for (i, m) in selected.enumerated() {
            (lowRes.pointer + i * low * low).update(from: allMasks.pointer + m * low * low, count: low * low)
        }
        let (rh, rw) = transform.resizedSize(height: h, width: w)
        let full = MaskPostprocessing(inputSize: model.imageSize, resizedHeight: rh, resizedWidth: rw,
                                      originalHeight: h, originalWidth: w).apply(compute, logits: lowRes)
        return SAMPrediction(logits: full, iouPredictions: selected.map { allIoU[$0] }, lowResolutionLogits: lowRes)
    }
}
