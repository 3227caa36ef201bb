import Foundation
import S2MCore

/// Executes a model's effects on the calling thread and feeds the answers back until nothing is
/// left to do: for tests, `s2m render`, and benchmarks. The terminal shell uses
/// ``BackgroundRunner`` instead so that keys stay responsive.
public final class SynchronousRunner {
    public let engine: ComputeEngine
    public let loader: CaseLoader
    /// Set when the model asked to quit.
    public private(set) var quit = false
    /// Cancel requests seen (tests check them).
    public private(set) var cancelled: [Int] = []
    /// When false, compute jobs are queued instead of run, so tests can look at the busy state or
    /// cancel them; `runPending` runs them.
    public var runsComputeImmediately = true
    public private(set) var pending: [ComputeJob] = []

    public init(engine: ComputeEngine, loader: @escaping CaseLoader) {
        self.engine = engine
        self.loader = loader
    }

    /// Runs `effects` and everything they lead to.
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
                if runsComputeImmediately {
                    engine.run(job, isCancelled: { false }) { events.append(.job($0)) }
                } else {
                    pending.append(job)
                }
            case .cancel(let id):
                cancelled.append(id)
                if let i = pending.firstIndex(where: { $0.id == id }) {
                    pending.remove(at: i)
                    events.append(.job(.finished(jobID: id, error: "cancelled", seconds: 0)))
                }
            case .rank(let job):
                engine.rank(job, loader: loader, defaultThreshold: model.configuration.defaultThreshold,
                            isCancelled: { false }) { events.append(.rank($0)) }
            case .write(let request):
                do {
                    events.append(.written(.success(try WriteRequestWriter.write(request))))
                } catch {
                    events.append(.written(.failure(ViewerFailure("\(error)"))))
                }
            case .quit:
                quit = true
            }
            for event in events { queue += model.handle(event) }
        }
    }

    /// Sends `event` to the model and runs what follows.
    public func send(_ event: ViewerEvent, to model: inout ViewerModel) {
        perform(model.handle(event), on: &model)
    }

    /// Sends key presses one after another.
    public func press(_ keys: [ViewerKey], on model: inout ViewerModel) {
        for key in keys { send(.key(key), to: &model) }
    }

    /// Runs the queued compute jobs.
    public func runPending(on model: inout ViewerModel) {
        let jobs = pending
        pending = []
        for job in jobs {
            var events = [ViewerEvent]()
            engine.run(job, isCancelled: { false }) { events.append(.job($0)) }
            for event in events { perform(model.handle(event), on: &model) }
        }
    }
}
