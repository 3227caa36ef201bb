import Foundation
import Synchronization

/// Progress of a long command on stderr: a bar redrawn in place when stderr is a terminal
/// (count, percentage, rate, ETA, current item), plain lines every few seconds otherwise (logs of
/// batch jobs), or nothing. Safe to call from several threads.
final class ProgressReporter: Sendable {
    enum Mode: String, CaseIterable, Sendable {
        case auto, bar, lines, none
    }

    private struct State {
        var start: UInt64 = DispatchTime.now().uptimeNanoseconds
        var phase = ""
        var lastLine: UInt64 = 0
        var lastDone = 0
        var drawn = false
    }

    private let style: Mode
    private let prefix: String
    private let lineInterval: Double
    private let state = Mutex(State())

    /// `prefix` starts every line (e.g. `"eval"`); `lineInterval` is the seconds between plain lines.
    init(mode: Mode, prefix: String, lineInterval: Double = 5) {
        if mode == .auto {
            style = isatty(STDERR_FILENO) != 0 ? .bar : .lines
        } else {
            style = mode
        }
        self.prefix = prefix
        self.lineInterval = lineInterval
    }

    /// Reports that `done` of `total` items of `phase` are finished, the last being `item`.
    func update(phase: String, done: Int, total: Int, item: String) {
        guard style != .none else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        let text: String? = state.withLock { s in
            if s.phase != phase {
                if s.drawn && style == .bar { FileHandle.standardError.write(Data("\n".utf8)) }
                s = State()
                s.start = now
                s.phase = phase
            }
            let elapsed = Double(now >= s.start ? now - s.start : 0) / 1e9
            let rate = elapsed > 0 ? Double(done) / elapsed : 0
            let eta = rate > 0 ? Double(total - done) / rate : .nan
            let percent = total > 0 ? 100 * done / total : 100
            let figures = "\(done)/\(total) \(percent)% \(Self.rate(rate)) ETA \(Self.duration(eta))"
            switch style {
            case .bar:
                let width = Self.terminalWidth()
                let label = "\(prefix) \(phase) "
                let barWidth = max(10, min(40, width - label.count - figures.count - 4 - min(item.count, 24)))
                let filled = total > 0 ? barWidth * done / total : barWidth
                let bar = "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: barWidth - filled) + "]"
                var line = "\(label)\(bar) \(figures) \(item)"
                if line.count > width - 1 { line = String(line.prefix(max(0, width - 1))) }
                s.drawn = true
                return "\r\u{1B}[2K" + line
            case .lines:
                let due = Double(now >= s.lastLine ? now - s.lastLine : 0) / 1e9 >= lineInterval || done == total || s.lastLine == 0
                guard due && done != s.lastDone else { return nil }
                s.lastLine = now
                s.lastDone = done
                return "\(prefix): \(phase) \(figures) (last: \(item))\n"
            case .auto, .none:
                return nil
            }
        }
        if let text { FileHandle.standardError.write(Data(text.utf8)) }
    }

    /// Ends the bar's line (call before printing anything else on stderr).
    func finish() {
        let drawn = state.withLock { s in
            defer { s.drawn = false }
            return s.drawn
        }
        if drawn && style == .bar { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    /// A message on its own line, not mixed into the bar.
    func note(_ message: String) {
        finish()
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }

    static func rate(_ perSecond: Double) -> String {
        perSecond >= 1 || perSecond == 0 ? String(format: "%.1f img/s", perSecond) : String(format: "%.1f s/img", 1 / perSecond)
    }

    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "?" }
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }

    static func terminalWidth() -> Int {
        var size = winsize()
        if ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return 80
    }
}
