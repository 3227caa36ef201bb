import Foundation
import Testing

/// The SAM tests that load models and run encoders take seconds of CPU. They run one at a time,
/// and their heavy steps run on threads of their own (`blocking`), so they never hold Swift
/// Testing's cooperative threads or Dispatch's shared workers: on a 2-core machine the rest of the
/// suite (async tests that poll, time outs) keeps running beside them.
@Suite(.serialized) enum SAMHeavyTests {}

/// Runs blocking work on a new thread and awaits its result. Expectations stay in the test's own
/// task; the closure only computes.
func blocking<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread { continuation.resume(with: Result { try work() }) }
        thread.stackSize = 8 << 20
        thread.start()
    }
}
