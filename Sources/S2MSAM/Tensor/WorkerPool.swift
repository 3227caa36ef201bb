import Foundation
import Synchronization

/// A small fork-join pool of dedicated threads for SAM's parallel loops.
///
/// SAM keeps every core busy for seconds. Doing that on Dispatch's shared worker threads would
/// starve Swift concurrency (its cooperative threads come from the same pool, sized to the core
/// count), so a viewer's or a test's async work would stall behind an image encoder. These
/// threads belong to the pool alone; the operating system shares the cores fairly between them
/// and everything else.
///
/// `run` hands out parts to the calling thread and the helpers and returns when all are done.
/// A pool runs one job at a time: a call made while another is running (from another thread,
/// or nested inside a part) runs its parts on the calling thread instead of waiting.
final class WorkerPool: @unchecked Sendable {
    private let state: State

    /// Starts `helpers` threads (the caller of `run` is the extra worker).
    init(helpers: Int) {
        state = State()
        for index in 0..<max(0, helpers) {
            let state = self.state
            let thread = Thread { state.helperLoop() }
            thread.name = "s2m-sam-\(index + 1)"
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    /// The helpers hold only the state, so the pool goes away with its last user and stops them.
    deinit {
        state.stop()
    }

    /// Runs `body(part)` for every part in `0..<parts`, spread over the caller and the helpers.
    func run(parts count: Int, _ body: (Int) -> Void) {
        state.run(parts: count, body)
    }

    private final class State: @unchecked Sendable {
        private let condition = NSCondition()
        /// The current job's body, parts and progress; guarded by `condition`.
        private var body: ((Int) -> Void)?
        private var parts = 0
        private var nextPart = 0
        private var unfinished = 0
        private var generation = 0
        private var stopping = false
        /// Set while a job runs (lock-free check for callers that should not wait).
        private let busy = Atomic<Bool>(false)

        func stop() {
            condition.lock()
            stopping = true
            condition.broadcast()
            condition.unlock()
        }

        func run(parts count: Int, _ body: (Int) -> Void) {
            guard count > 0 else { return }
            guard count > 1, busy.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else {
                for part in 0..<count { body(part) }
                return
            }
            withoutActuallyEscaping(body) { body in
                condition.lock()
                self.body = body
                parts = count
                nextPart = 0
                unfinished = count
                generation &+= 1
                condition.broadcast()
                condition.unlock()
                work()
                condition.lock()
                while unfinished > 0 { condition.wait() }
                self.body = nil
                condition.unlock()
            }
            busy.store(false, ordering: .releasing)
        }

        /// Claims and runs parts of the current job until none are left. No reference to the body
        /// outlives a part (see `invoke`), so the caller's closure never escapes its `run`.
        private func work() {
            while true {
                condition.lock()
                guard body != nil, nextPart < parts else {
                    condition.unlock()
                    return
                }
                let part = nextPart
                nextPart += 1
                condition.unlock()
                invoke(part)
                condition.lock()
                unfinished -= 1
                if unfinished == 0 { condition.broadcast() }
                condition.unlock()
            }
        }

        /// Runs one part; the local reference to the body is released when this returns, before
        /// the part is counted as finished.
        private func invoke(_ part: Int) {
            condition.lock()
            let current = body!
            condition.unlock()
            current(part)
        }

        func helperLoop() {
            var seen = 0
            while true {
                condition.lock()
                while generation == seen && !stopping { condition.wait() }
                if stopping {
                    condition.unlock()
                    return
                }
                seen = generation
                condition.unlock()
                work()
            }
        }
    }
}
