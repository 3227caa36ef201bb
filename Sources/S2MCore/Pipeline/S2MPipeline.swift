import Foundation

/// A session whose ``SegmentationSession/segment(_:)`` may be called from several threads at
/// once (it keeps no mutable state per call). The pipeline then segments prompts in parallel.
public protocol ConcurrentSegmentationSession: SegmentationSession, Sendable {}

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
    /// Threads segmenting prompts at once when the session allows it
    /// (``ConcurrentSegmentationSession``); results do not depend on it.
    public var jobs: Int

    public init(generator: any PromptGenerator, segmenter: any PromptableSegmenter, overlap: OverlapPolicy = .paper,
                maskConfidence: MaskConfidenceRule = .prompt, jobs: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.generator = generator
        self.segmenter = segmenter
        self.overlap = overlap
        self.maskConfidence = maskConfidence
        self.jobs = max(1, jobs)
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
            if let concurrent = session as? any ConcurrentSegmentationSession, jobs > 1, prompts.count > 1 {
                segmentations = try Self.segmentConcurrently(prompts, session: concurrent, jobs: jobs)
            } else {
                for prompt in prompts {
                    if Task.isCancelled { throw CancellationError() }
                    segmentations.append(try session.segment(prompt))
                }
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

    /// Segments `prompts` on `jobs` threads (each takes the next unclaimed prompt, largest boxes
    /// first so the threads finish together); results come back in prompt order. The first error
    /// is rethrown. Worker threads run outside the caller's task, so a cancellation is noticed
    /// when the batch ends (each prompt takes a fraction of a second).
    static func segmentConcurrently(_ prompts: [Prompt], session: any ConcurrentSegmentationSession, jobs: Int) throws -> [Segmentation] {
        if Task.isCancelled { throw CancellationError() }
        let order = prompts.indices.sorted { (prompts[$0].box?.area ?? 0) > (prompts[$1].box?.area ?? 0) }
        let slots = ResultSlots(count: prompts.count)
        DispatchQueue.concurrentPerform(iterations: min(jobs, prompts.count)) { _ in
            while let k = slots.claim() {
                let i = order[k]
                do { slots.store(i, .success(try session.segment(prompts[i]))) } catch { slots.store(i, .failure(error)) }
            }
        }
        if Task.isCancelled { throw CancellationError() }
        return try slots.results()
    }
}

/// Per-prompt results filled in by worker threads.
private final class ResultSlots: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    private var values: [Result<Segmentation, Error>?]

    init(count: Int) { values = Array(repeating: nil, count: count) }

    func claim() -> Int? {
        lock.lock(); defer { lock.unlock() }
        guard next < values.count else { return nil }
        next += 1
        return next - 1
    }

    func store(_ i: Int, _ r: Result<Segmentation, Error>) {
        lock.lock(); defer { lock.unlock() }
        values[i] = r
    }

    func results() throws -> [Segmentation] {
        try values.map { try $0!.get() }
    }
}
