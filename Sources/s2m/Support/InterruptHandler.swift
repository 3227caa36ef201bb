import Foundation
import Synchronization

/// Ctrl-C during a long command: the first SIGINT asks the work to stop cleanly (it finishes the
/// items in progress and reports what finished); a second one exits at once with status 130.
/// Installed for the duration of ``run(_:)`` only; the default handling is restored afterwards.
final class InterruptHandler: Sendable {
    private let requested = Atomic<Int>(0)
    private let onFirst: @Sendable () -> Void

    /// `onFirst` is called (once, on a background queue) when the first Ctrl-C arrives.
    init(onFirst: @escaping @Sendable () -> Void) {
        self.onFirst = onFirst
    }

    /// True once Ctrl-C was pressed.
    var isInterrupted: Bool { requested.load(ordering: .relaxed) > 0 }

    /// Runs `body` with the handler installed.
    func run<T>(_ body: () throws -> T) rethrows -> T {
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler { [self] in
            let count = requested.add(1, ordering: .relaxed).newValue
            if count == 1 {
                onFirst()
            } else {
                FileHandle.standardError.write(Data("\ninterrupted again: stopping now\n".utf8))
                exit(130)
            }
        }
        source.resume()
        defer {
            source.cancel()
            signal(SIGINT, SIG_DFL)
        }
        return try body()
    }
}
