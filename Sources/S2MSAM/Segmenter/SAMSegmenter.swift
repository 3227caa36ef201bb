import Foundation
import S2MCore

/// Segment Anything (or MobileSAM) as an s2m promptable segmenter: `prepare` computes the image
/// embedding once (or loads it from the embedding cache), and the session answers each prompt
/// with the prompt encoder and mask decoder only.
public struct SAMSegmenter: PromptableSegmenter {
    /// Which of SAM's outputs becomes the mask.
    public enum MaskSelection: String, Sendable, CaseIterable {
        /// The single-mask output (SamPredictor with multimask_output=False).
        case single
        /// Of the three multimask outputs, the one with the highest predicted IoU.
        case best
        /// `best` for a lone point (an ambiguous prompt, as SAM's authors advise), else `single`.
        case automatic
    }

    public let name = "sam"
    public let model: SAMModel
    public let compute: Compute
    /// nil disables the on-disk cache.
    public let cache: EmbeddingCache?
    public let selection: MaskSelection

    public init(model: SAMModel, compute: Compute = .allCores, cache: EmbeddingCache? = EmbeddingCache(directory: EmbeddingCache.defaultDirectory),
                selection: MaskSelection = .automatic) {
        self.model = model
        self.compute = compute
        self.cache = cache
        self.selection = selection
    }

    /// Loads the checkpoint at `checkpointPath` (sam_vit_b_01ec64.pth, mobile_sam.pt, ...).
    public init(checkpointPath: String, compute: Compute = .allCores,
                cache: EmbeddingCache? = EmbeddingCache(directory: EmbeddingCache.defaultDirectory),
                selection: MaskSelection = .automatic) throws {
        self.init(model: try SAMModel(checkpointPath: checkpointPath), compute: compute, cache: cache, selection: selection)
    }

    /// The image embedding for `image`, from the cache when possible.
    public func embedding(for image: RGBImage) throws -> SAMImageEmbedding {
        let predictor = SAMPredictor(model: model, compute: compute)
        let shape = [model.encoder.embeddingChannels, model.encoder.embeddingSize, model.encoder.embeddingSize]
        let imageKey = cache.map { _ in EmbeddingCache.imageKey(image) }
        if let cache, let imageKey, let cached = cache.load(imageKey: imageKey, modelKey: model.cacheKey, shape: shape) {
            return SAMImageEmbedding(embedding: cached, originalWidth: image.width, originalHeight: image.height)
        }
        let computed = try predictor.embed(image)
        if let cache, let imageKey {
            // A cache that cannot be written only costs time later; the result stands.
            try? cache.store(computed.embedding, imageKey: imageKey, modelKey: model.cacheKey)
        }
        return computed
    }

    public func prepare(image: RGBImage, scores: ScoreMap?) throws -> any SegmentationSession {
        guard image.width > 0, image.height > 0 else {
            throw S2MError(file: nil, .invalid("cannot segment an empty \(image.width)x\(image.height) image"))
        }
        let predictor = SAMPredictor(model: model, compute: compute)
        return SAMSession(predictor: predictor, image: predictor.prepare(try embedding(for: image)), selection: selection)
    }
}

/// One image prepared for SAM: its embedding and the predictor.
public final class SAMSession: SegmentationSession {
    public let predictor: SAMPredictor
    public let image: SAMPreparedImage
    public let selection: SAMSegmenter.MaskSelection

    init(predictor: SAMPredictor, image: SAMPreparedImage, selection: SAMSegmenter.MaskSelection) {
        self.predictor = predictor
        self.image = image
        self.selection = selection
    }

    var embedding: SAMImageEmbedding { image.embedding }

    /// SAM's full prediction for an s2m prompt (converted with SAMPrompt.init(_:)).
    public func predict(_ prompt: Prompt, multimask: Bool) throws -> SAMPrediction {
        try predictor.predict(SAMPrompt(prompt), on: image, multimask: multimask)
    }

    public func segment(_ prompt: Prompt) throws -> Segmentation {
        try Task.checkCancellation()
        guard prompt.box != nil || !prompt.points.isEmpty else {
            return Segmentation(mask: Mask(width: embedding.originalWidth, height: embedding.originalHeight, repeating: false), quality: 0)
        }
        let multimask: Bool
        switch selection {
        case .single: multimask = false
        case .best: multimask = true
        case .automatic: multimask = prompt.box == nil && prompt.points.count == 1
        }
        let prediction = try predictor.predictFullSize(SAMPrompt(prompt), on: image, multimask: multimask)
        let best = prediction.iouPredictions.indices.max { prediction.iouPredictions[$0] < prediction.iouPredictions[$1] }!
        let quality = Double(prediction.iouPredictions[best])
        return Segmentation(mask: prediction.mask(best), quality: min(1, max(0, quality.isFinite ? quality : 0)))
    }
}
