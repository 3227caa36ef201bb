import Foundation

/// Which confidence a prompt's mask is painted with.
public enum MaskConfidenceRule: String, Sendable, Hashable, Codable, CaseIterable {
    /// The prompt's confidence, as the paper's code (its boxes come from a trained detector). The
    /// default.
    case prompt
    /// The prompt's confidence times the segmenter's own quality estimate (SAM: predicted IoU;
    /// GrabCut: how well its colour and score models explain the mask), as Segment Anything's
    /// automatic mask generator filters masks by predicted IoU: a box on clutter whose "object"
    /// cannot be told from its surroundings is painted faint.
    case promptTimesQuality = "prompt*quality"

    /// The confidence painted for `segmentation`, the answer to `prompt`.
    public func confidence(of prompt: Prompt, _ segmentation: Segmentation) -> Double {
        switch self {
        case .prompt: return prompt.confidence
        case .promptTimesQuality: return prompt.confidence * min(max(segmentation.quality, 0), 1)
        }
    }
}

/// Everything one S2M run on an image produced, in prompt order.
public struct S2MResult: Sendable {
    /// The prompts, in descending confidence (as generated or imported).
    public var prompts: [Prompt]
    /// One segmentation per prompt (same order).
    public var segmentations: [Segmentation]
    /// The confidence each mask was painted with (same order; see ``MaskConfidenceRule``).
    public var maskConfidences: [Double]
    /// The painted confidence map (H x W, 0 where no mask lies).
    public var confidence: ScoreMap
    /// The threshold-free prediction: pixels whose confidence is above 0.
    public var mask: Mask
    /// Seconds spent making prompts and segmenting them (wall clock).
    public var promptSeconds: Double
    public var segmentSeconds: Double
}

/// The S2M method: scores -> prompts -> one mask per prompt -> a confidence map -> a mask, with
/// no threshold on the scores. Deterministic for given inputs (generators and segmenters are).
public struct S2MPipeline: Sendable {
    public var generator: any PromptGenerator
    public var segmenter: any PromptableSegmenter
    public var overlap: OverlapPolicy
    public var maskConfidence: MaskConfidenceRule

    public init(generator: any PromptGenerator, segmenter: any PromptableSegmenter, overlap: OverlapPolicy = .paper,
                maskConfidence: MaskConfidenceRule = .prompt) {
        self.generator = generator
        self.segmenter = segmenter
        self.overlap = overlap
        self.maskConfidence = maskConfidence
    }

    /// Runs the method on one image. `prompts`, when given, replace the generator's (imported
    /// prompts); scores may then be absent. An empty score map or no prompt gives an empty mask,
    /// not an error.
    public func run(image: RGBImage, scores: ScoreMap?, prompts given: [Prompt]? = nil) throws -> S2MResult {
        if let scores, scores.size != image.size {
            throw S2MError(file: nil, .sizeMismatch("scores are \(scores.size), image is \(image.size)"))
        }
        let t0 = Date()
        let prompts: [Prompt]
        if let given {
            prompts = given
        } else if let scores {
            prompts = try generator.prompts(scores: scores, image: image)
        } else {
            throw S2MError(file: nil, .invalid("no scores to make prompts from (give scores or prompts)"))
        }
        let t1 = Date()
        var segmentations: [Segmentation] = []
        if !prompts.isEmpty {
            let session = try segmenter.prepare(image: image, scores: scores)
            for prompt in prompts {
                if Task.isCancelled { throw CancellationError() }
                segmentations.append(try session.segment(prompt))
            }
        }
        let t2 = Date()
        let maskConfidences = zip(prompts, segmentations).map { maskConfidence.confidence(of: $0, $1) }
        let confidence = paintConfidenceMap(zip(segmentations, maskConfidences).map { ($0.mask, $1) },
                                            size: image.size, policy: overlap)
        return S2MResult(prompts: prompts, segmentations: segmentations, maskConfidences: maskConfidences,
                         confidence: confidence,
                         mask: confidence.map { $0 > 0 }, promptSeconds: t1.timeIntervalSince(t0),
                         segmentSeconds: t2.timeIntervalSince(t1))
    }
}
