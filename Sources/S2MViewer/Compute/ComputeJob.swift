import Foundation
import S2MCore

/// Background work the viewer asks for: optionally (re)generate the prompts of an image, then
/// segment prompts with one segmenter. Results come back one mask at a time.
public struct ComputeJob: Sendable {
    public let id: Int
    /// Identifies the loaded image (sessions and masks are cached under it).
    public let caseKey: String
    public let image: RGBImage
    public let scores: ScoreMap?
    public let segmenterIndex: Int
    /// When set, prompts are generated first with this generator (index into the engine's list)
    /// and these parameter values, and all of them segmented.
    public let generator: (index: Int, values: [String: Double])?
    /// Prompts to segment (besides generated ones).
    public let prompts: [Prompt]

    public init(id: Int, caseKey: String, image: RGBImage, scores: ScoreMap?, segmenterIndex: Int,
                generator: (index: Int, values: [String: Double])?, prompts: [Prompt]) {
        self.id = id
        self.caseKey = caseKey
        self.image = image
        self.scores = scores
        self.segmenterIndex = segmenterIndex
        self.generator = generator
        self.prompts = prompts
    }
}

/// What a running job reports.
public enum JobUpdate: Sendable {
    /// The generator's prompts, before any of them is segmented.
    case generated(jobID: Int, caseKey: String, prompts: [Prompt])
    /// One prompt's mask.
    case mask(jobID: Int, caseKey: String, segmenterIndex: Int, geometry: PromptGeometry, segmentation: Segmentation)
    /// The job ended: `error` is nil on success, "cancelled" when cancelled.
    case finished(jobID: Int, error: String?, seconds: Double)
}

/// The prompt generators and segmenters the viewer can use, and the work they do. Sessions are
/// kept per (image, segmenter) so stepping prompts or editing one only runs the segmenter's
/// cheap part. Not thread-safe: one engine is used from one thread (or actor) at a time.
public final class ComputeEngine {
    public let promptSources: [any TunablePromptSource]
    public let segmenters: [any PromptableSegmenter]
    private var sessions: [(key: String, segmenter: Int, session: any SegmentationSession)] = []
    /// Sessions kept (most recent first).
    public let sessionCapacity = 3

    public init(promptSources: [any TunablePromptSource], segmenters: [any PromptableSegmenter]) {
        self.promptSources = promptSources
        self.segmenters = segmenters
    }

    /// The prepared session of an image, made on first use.
    func session(caseKey: String, segmenter: Int, image: RGBImage, scores: ScoreMap?) throws -> any SegmentationSession {
        if let i = sessions.firstIndex(where: { $0.key == caseKey && $0.segmenter == segmenter }) {
            let hit = sessions.remove(at: i)
            sessions.insert(hit, at: 0)
            return hit.session
        }
        let session = try segmenters[segmenter].prepare(image: image, scores: scores)
        sessions.insert((caseKey, segmenter, session), at: 0)
        if sessions.count > sessionCapacity { sessions.removeLast() }
        return session
    }

    /// Runs `job`, reporting as it goes; checks `isCancelled` between steps (and the segmenter
    /// checks `Task.isCancelled` inside long steps).
    public func run(_ job: ComputeJob, isCancelled: () -> Bool = { Task.isCancelled },
                    report: (JobUpdate) -> Void) {
        let start = Date()
        func finish(_ error: String?) {
            report(.finished(jobID: job.id, error: error, seconds: Date().timeIntervalSince(start)))
        }
        do {
            var prompts = job.prompts
            if let (index, values) = job.generator {
                guard promptSources.indices.contains(index) else { throw S2MError(file: nil, .invalid("no prompt generator")) }
                let source = promptSources[index]
                guard let scores = job.scores else { throw S2MError(file: nil, .invalid("no scores to make prompts from")) }
                let generated = try source.generator(values: values).prompts(scores: scores, image: job.image)
                if isCancelled() { return finish("cancelled") }
                report(.generated(jobID: job.id, caseKey: job.caseKey, prompts: generated))
                prompts = generated + prompts
            }
            guard !prompts.isEmpty else { return finish(nil) }
            guard segmenters.indices.contains(job.segmenterIndex) else {
                throw S2MError(file: nil, .invalid("no segmenter"))
            }
            let session = try session(caseKey: job.caseKey, segmenter: job.segmenterIndex, image: job.image,
                                      scores: job.scores)
            var done = Set<PromptGeometry>()
            for prompt in prompts {
                if isCancelled() { return finish("cancelled") }
                let geometry = PromptGeometry(prompt)
                guard done.insert(geometry).inserted else { continue }
                let segmentation = try session.segment(prompt)
                report(.mask(jobID: job.id, caseKey: job.caseKey, segmenterIndex: job.segmenterIndex,
                             geometry: geometry, segmentation: segmentation))
            }
            finish(nil)
        } catch is CancellationError {
            finish("cancelled")
        } catch {
            finish("\(error)")
        }
    }
}
