import CNcursesw
import Foundation
import S2MRender

/// What the terminal (or stdout) can do, read from the locale, the environment and ioctl.
public enum TerminalCapabilities {
    /// Sets the program's locale from the environment (needed before curses prints `▀`) and says
    /// whether its character set is UTF-8.
    public static func setUpLocale() -> Bool {
        setlocale(LC_ALL, "")
        return s2m_codeset_is_utf8() != 0
    }

    /// The size of the terminal on `descriptor`, or nil when it is not a terminal.
    public static func size(of descriptor: Int32 = STDOUT_FILENO) -> (columns: Int, rows: Int)? {
        var size = winsize()
        guard isatty(descriptor) != 0, ioctl(descriptor, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else {
            return nil
        }
        return (Int(size.ws_col), Int(size.ws_row))
    }

    /// The environment as a dictionary.
    public static var environment: [String: String] { ProcessInfo.processInfo.environment }
}
