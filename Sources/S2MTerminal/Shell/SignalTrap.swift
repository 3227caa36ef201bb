import Foundation

/// The signal that asked the viewer to stop (0: none). Written by the signal handler only.
nonisolated(unsafe) private var receivedSignal: Int32 = 0
/// The terminal settings at start, restored by the crash handler.
nonisolated(unsafe) private var savedTerminal = termios()
nonisolated(unsafe) private var hasSavedTerminal = false
/// Write end of the self-pipe that wakes the main loop when a stop signal arrives (signals may be
/// delivered to any thread, so a flag alone would not interrupt the main thread's poll).
nonisolated(unsafe) private var wakeWriteEnd: Int32 = -1
nonisolated(unsafe) private var wakeReadEnd: Int32 = -1
/// Set by SIGWINCH: the terminal changed size.
nonisolated(unsafe) private var resizePending: Int32 = 0

/// Signal handling of the terminal shell: SIGINT, SIGTERM and SIGHUP end the main loop (which
/// then restores the terminal and exits); crashes restore the terminal before dying.
public enum SignalTrap {
    /// The signals that end the viewer cleanly.
    public static let stopSignals: [Int32] = [SIGINT, SIGTERM, SIGHUP]

    /// Installs the handlers and remembers the terminal settings of `descriptor`.
    public static func install(terminal descriptor: Int32 = STDIN_FILENO) {
        if tcgetattr(descriptor, &savedTerminal) == 0 { hasSavedTerminal = true }
        if wakeReadEnd < 0 {
            var fds: [Int32] = [-1, -1]
            if pipe(&fds) == 0 {
                for fd in fds { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
                wakeReadEnd = fds[0]
                wakeWriteEnd = fds[1]
            }
        }
        // A parent may have left these blocked (blocked masks are inherited): unblock them here,
        // before any thread is started, so that threads made later inherit the unblocked mask.
        var unblock = sigset_t()
        sigemptyset(&unblock)
        for sig in stopSignals + [SIGWINCH] { sigaddset(&unblock, sig) }
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
        // Our own SIGWINCH handler (installed before curses starts, so curses keeps out): a
        // resize can be delivered to any thread, and only the self-pipe reliably wakes the main
        // loop, which then asks curses to resize.
        signal(SIGWINCH) { _ in
            resizePending = 1
            var byte: UInt8 = 2
            _ = write(wakeWriteEnd, &byte, 1)
        }
        for sig in stopSignals {
            signal(sig) { s in
                receivedSignal = s
                var byte: UInt8 = 1
                _ = write(wakeWriteEnd, &byte, 1)
            }
        }
        for sig in [SIGABRT, SIGSEGV, SIGILL, SIGTRAP, SIGBUS, SIGFPE] {
            signal(sig) { s in
                // Async-signal-safe restoration: leave the alternate screen, reset attributes,
                // show the cursor, put the tty back, then die of the same signal.
                let reset = "\u{1B}[0m\u{1B}[?25h\u{1B}[?1049l\r\n"
                reset.withCString { _ = write(STDOUT_FILENO, $0, strlen($0)) }
                if hasSavedTerminal { tcsetattr(STDIN_FILENO, TCSANOW, &savedTerminal) }
                signal(s, SIG_DFL)
                raise(s)
            }
        }
    }

    /// Becomes readable when a stop signal has arrived: poll it with the terminal.
    public static var wakeDescriptor: Int32 { wakeReadEnd }

    /// True once after each SIGWINCH; empties the wake pipe.
    public static func takeResize() -> Bool {
        var buffer = [UInt8](repeating: 0, count: 64)
        while read(wakeReadEnd, &buffer, buffer.count) > 0 {}
        let pending = resizePending != 0
        resizePending = 0
        return pending
    }

    /// The stop signal received so far, or nil.
    public static var received: Int32? {
        let s = receivedSignal
        return s == 0 ? nil : s
    }

    /// Puts the default handlers back.
    public static func uninstall() {
        for sig in stopSignals + [SIGWINCH, SIGABRT, SIGSEGV, SIGILL, SIGTRAP, SIGBUS, SIGFPE] { signal(sig, SIG_DFL) }
    }
}
