import Foundation

/// The signal that asked the viewer to stop (0: none). Written by the signal handler only.
nonisolated(unsafe) private var receivedSignal: Int32 = 0
/// The terminal settings at start, restored by the crash handler.
nonisolated(unsafe) private var savedTerminal = termios()
nonisolated(unsafe) private var hasSavedTerminal = false

/// Signal handling of the terminal shell: SIGINT, SIGTERM and SIGHUP end the main loop (which
/// then restores the terminal and exits); crashes restore the terminal before dying.
public enum SignalTrap {
    /// The signals that end the viewer cleanly.
    public static let stopSignals: [Int32] = [SIGINT, SIGTERM, SIGHUP]

    /// Installs the handlers and remembers the terminal settings of `descriptor`.
    public static func install(terminal descriptor: Int32 = STDIN_FILENO) {
        if tcgetattr(descriptor, &savedTerminal) == 0 { hasSavedTerminal = true }
        for sig in stopSignals {
            signal(sig) { s in receivedSignal = s }
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

    /// The stop signal received so far, or nil.
    public static var received: Int32? {
        let s = receivedSignal
        return s == 0 ? nil : s
    }

    /// Puts the default handlers back.
    public static func uninstall() {
        for sig in stopSignals + [SIGABRT, SIGSEGV, SIGILL, SIGTRAP, SIGBUS, SIGFPE] { signal(sig, SIG_DFL) }
    }
}
