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

    /// Threads segmenting prompts at once when a session allows it (``ConcurrentSegmentationSession``).
    public let threads: Int

    public init(promptSources: [any TunablePromptSource], segmenters: [any PromptableSegmenter],
                threads: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.promptSources = promptSources
        self.threads = max(threads, 1)
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
            // Each geometry once, in the given order (most confident first).
            var seen = Set<PromptGeometry>()
            let unique = prompts.filter { seen.insert(PromptGeometry($0)).inserted }
            if let concurrent = session as? any ConcurrentSegmentationSession, threads > 1, unique.count > 1 {
                if let stop = try segmentConcurrently(unique, session: concurrent, job: job, isCancelled: isCancelled,
                                                      report: report) {
                    return finish(stop)
                }
            } else {
                for prompt in unique {
                    if isCancelled() { return finish("cancelled") }
                    let segmentation = try session.segment(prompt)
                    report(.mask(jobID: job.id, caseKey: job.caseKey, segmenterIndex: job.segmenterIndex,
                                 geometry: PromptGeometry(prompt), segmentation: segmentation))
                }
            }
            finish(nil)
        } catch is CancellationError {
            finish("cancelled")
        } catch {
            finish("\(error)")
        }
    }

    /// Segments `prompts` on ``threads`` threads, reporting each mask as it is done (reports are
    /// made on the calling thread). The threads run outside the caller's task: the calling thread
    /// polls `isCancelled` every 10 ms and sets a flag they look at between prompts. Returns "cancelled" when stopped, nil when all are done; rethrows the first error.
    private func segmentConcurrently(_ prompts: [Prompt], session: any ConcurrentSegmentationSession, job: ComputeJob,
                                     isCancelled: () -> Bool, report: (JobUpdate) -> Void) throws -> String? {
        let state = ConcurrentState(count: prompts.count)
        let workers = min(threads, prompts.count)
        let finished = DispatchSemaphore(value: 0)
        do {
            DispatchQueue.global().async {
                DispatchQueue.concurrentPerform(iterations: workers) { _ in
                    while let i = state.claim() {
                        do {
                            let segmentation = try session.segment(prompts[i])
                            state.finish(i, .success(segmentation))
                        } catch {
                            state.finish(i, .failure(error))
                        }
                    }
                }
                finished.signal()
            }
            // The calling thread hands results on as they come and watches for cancellation.
            var delivered = 0
            while true {
                let done = finished.wait(timeout: .now() + .milliseconds(10)) == .success
                if isCancelled() { state.cancel() }
                for (i, result) in state.takeResults() {
                    if case .success(let segmentation) = result, !state.isCancelled {
                        report(.mask(jobID: job.id, caseKey: job.caseKey, segmenterIndex: job.segmenterIndex,
                                     geometry: PromptGeometry(prompts[i]), segmentation: segmentation))
                    }
                    delivered += 1
                }
                if done { break }
            }
            _ = delivered
        }
        if state.isCancelled { return "cancelled" }
        if let error = state.firstError { throw error }
        return nil
    }
}

/// Shared by the threads of one concurrent segmentation: the next prompt to take, finished
/// results waiting to be reported, the cancellation flag.
private final class ConcurrentState: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    private let count: Int
    private var ready: [(Int, Result<Segmentation, Error>)] = []
    private var cancelled = false
    private(set) var firstError: Error?

    init(count: Int) { self.count = count }

    func claim() -> Int? {
        lock.lock(); defer { lock.unlock() }
        guard !cancelled, firstError == nil, next < count else { return nil }
        next += 1
        return next - 1
    }

    func finish(_ index: Int, _ result: Result<Segmentation, Error>) {
        lock.lock(); defer { lock.unlock() }
        if case .failure(let error) = result, firstError == nil, !(error is CancellationError) { firstError = error }
        ready.append((index, result))
    }

    func takeResults() -> [(Int, Result<Segmentation, Error>)] {
        lock.lock(); defer { lock.unlock() }
        let out = ready
        ready.removeAll()
        return out
    }

    func cancel() {
        lock.lock(); defer { lock.unlock() }
        cancelled = true
    }

    var isCancelled: Bool {
        lock.lock(); defer { lock.unlock() }
        return cancelled
    }
}
