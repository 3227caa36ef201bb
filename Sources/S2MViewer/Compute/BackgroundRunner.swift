import Foundation
import S2MCore

/// Runs the model's effects for an interactive shell: loading and saving on the calling thread
/// (they take milliseconds), segmentation and ranking in the background, one job at a time, with
/// cancellation. Answers from the background wait in an inbox that the shell drains; each one
/// also writes a byte to ``wakeDescriptor`` so a shell blocked in `poll` wakes up at once.
public final class BackgroundRunner: @unchecked Sendable {
    private let worker: Worker
    private let loader: CaseLoader
    private let defaultThreshold: @Sendable (ScoreMap) -> Float
    private let lock = NSLock()
    private var inbox: [ViewerEvent] = []
    private var tasks: [Int: Task<Void, Never>] = [:]
    private let pipeDescriptors: [Int32]
    /// Set when the model asked to quit.
    public private(set) var quit = false

    /// Serialises the engine (its session cache is not thread-safe).
    actor Worker {
        let engine: ComputeEngine
        init(promptSources: [any TunablePromptSource], segmenters: [any PromptableSegmenter]) {
            engine = ComputeEngine(promptSources: promptSources, segmenters: segmenters)
        }
        func run(_ job: ComputeJob, report: @Sendable (JobUpdate) -> Void) {
            engine.run(job, isCancelled: { Task.isCancelled }, report: report)
        }
        func rank(_ job: RankJob, loader: CaseLoader, defaultThreshold: (ScoreMap) -> Float,
                  report: @Sendable (RankUpdate) -> Void) {
            engine.rank(job, loader: loader, defaultThreshold: defaultThreshold,
                        isCancelled: { Task.isCancelled }, report: report)
        }
    }

    public init(promptSources: [any TunablePromptSource], segmenters: [any PromptableSegmenter],
                loader: @escaping CaseLoader, defaultThreshold: @escaping @Sendable (ScoreMap) -> Float) {
        worker = Worker(promptSources: promptSources, segmenters: segmenters)
        self.loader = loader
        self.defaultThreshold = defaultThreshold
        var fds: [Int32] = [-1, -1]
        if pipe(&fds) == 0 {
            for fd in fds { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        }
        pipeDescriptors = fds
    }

    deinit {
        for task in tasks.values { task.cancel() }
        for fd in pipeDescriptors where fd >= 0 { close(fd) }
    }

    /// A descriptor that becomes readable when background answers are waiting.
    public var wakeDescriptor: Int32 { pipeDescriptors[0] }

    private func post(_ event: ViewerEvent) {
        lock.lock()
        inbox.append(event)
        lock.unlock()
        var byte: UInt8 = 1
        _ = write(pipeDescriptors[1], &byte, 1)
    }

    /// The answers that arrived since the last call (and empties the wake pipe).
    public func drain() -> [ViewerEvent] {
        var buffer = [UInt8](repeating: 0, count: 256)
        while read(pipeDescriptors[0], &buffer, buffer.count) > 0 {}
        lock.lock()
        defer { lock.unlock() }
        let events = inbox
        inbox.removeAll()
        return events
    }

    /// True while a background job runs.
    public var hasRunningJobs: Bool {
        lock.lock()
        defer { lock.unlock() }
        return !tasks.isEmpty
    }

    /// Runs `effects`: synchronous ones at once (their answers are handled before returning),
    /// background ones started.
    public func perform(_ effects: [ViewerEffect], on model: inout ViewerModel) {
        var queue = effects
        while !queue.isEmpty {
            let effect = queue.removeFirst()
            var events = [ViewerEvent]()
            switch effect {
            case .load(let id, let item):
                do {
                    events.append(.loaded(requestID: id, .success(try loader(item))))
                } catch {
                    events.append(.loaded(requestID: id, .failure(ViewerFailure("\(error)"))))
                }
            case .compute(let job):
                start(job.id) { [worker] post in
                    await worker.run(job) { post(.job($0)) }
                }
            case .rank(let job):
                let loader = self.loader, threshold = self.defaultThreshold
                start(job.id) { [worker] post in
                    await worker.rank(job, loader: loader, defaultThreshold: threshold) { post(.rank($0)) }
                }
            case .cancel(let id):
                lock.lock()
                let task = tasks[id]
                lock.unlock()
                task?.cancel()
            case .write(let request):
                do {
                    events.append(.written(.success(try WriteRequestWriter.write(request))))
                } catch {
                    events.append(.written(.failure(ViewerFailure("\(error)"))))
                }
            case .quit:
                quit = true
                cancelAll()
            }
            for event in events { queue += model.handle(event) }
        }
    }

    private func start(_ id: Int, _ body: @escaping @Sendable (@escaping @Sendable (ViewerEvent) -> Void) async -> Void) {
        // Held while the task is created and recorded, so that its `finished` (which takes the
        // lock) cannot run before it is recorded.
        lock.lock()
        let task = Task.detached { [self] in
            await body { event in self.post(event) }
            self.finished(id)
        }
        tasks[id] = task
        lock.unlock()
    }

    private func finished(_ id: Int) {
        lock.lock()
        tasks[id] = nil
        lock.unlock()
    }

    /// Cancels every background job.
    public func cancelAll() {
        lock.lock()
        let all = tasks.values
        lock.unlock()
        for task in all { task.cancel() }
    }

    /// Waits (up to `timeout` seconds) for background jobs to end; for orderly shutdown and tests.
    @discardableResult
    public func waitForJobs(timeout: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while hasRunningJobs {
            if Date() > deadline { return false }
            usleep(1000)
        }
        return true
    }
}
