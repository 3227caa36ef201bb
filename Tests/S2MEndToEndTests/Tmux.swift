import Foundation

/// Drives a program inside a detached tmux session on a private tmux server (its own socket), the
/// way terminal.md describes: start, poll captures for a marker, send keys, resize, clean up.
final class Tmux {
    let socket: String
    let session = "s2m"

    static var isInstalled: Bool { executable("tmux") != nil }

    static func executable(_ name: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    /// Starts `command` (a shell command line) in a `columns` x `rows` window.
    init(command: String, columns: Int, rows: Int) throws {
        socket = "s2m-e2e-\(getpid())-\(UUID().uuidString.prefix(8))"
        // No Pipe here: the tmux server inherits it and a read would never end.
        // No tmux status bar: the pane is the whole window, so resize-window sets the pane's size.
        try run(["new-session", "-d", "-s", session, "-x", "\(columns)", "-y", "\(rows)", command,
                 ";", "set-option", "-g", "status", "off"], capture: false)
    }

    deinit {
        _ = try? run(["kill-server"], capture: false)
    }

    @discardableResult
    func run(_ arguments: [String], capture: Bool = true) throws -> String {
        try Spawn.run(Tmux.executable("tmux")!, ["-L", socket, "-f", "/dev/null"] + arguments,
                      captureOutput: capture).output
    }

    /// The screen's text (`escapes`: with SGR colour sequences; trailing spaces kept).
    func capture(escapes: Bool = false) -> String {
        (try? run(["capture-pane", "-p", "-N"] + (escapes ? ["-e"] : []) + ["-t", session])) ?? ""
    }

    /// The screen's lines.
    var lines: [String] { capture().components(separatedBy: "\n") }

    /// Sends tmux key names (`Right`, `Tab`, `q`...).
    func send(_ keys: String...) {
        _ = try? run(["send-keys", "-t", session] + keys, capture: false)
    }

    func resize(columns: Int, rows: Int) {
        _ = try? run(["resize-window", "-t", session, "-x", "\(columns)", "-y", "\(rows)"], capture: false)
    }

    /// True while the session's program runs.
    var isAlive: Bool {
        ((try? run(["list-panes", "-t", session, "-F", "#{pane_dead}"])) ?? "").hasPrefix("0")
    }

    /// The process id of the program in the pane.
    var panePID: Int32? {
        Int32(((try? run(["list-panes", "-t", session, "-F", "#{pane_pid}"])) ?? "").trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Polls the screen until `condition` holds or `timeout` seconds pass; returns the last screen.
    @discardableResult
    func wait(timeout: Double = 20, _ condition: (String) -> Bool) -> (ok: Bool, screen: String) {
        let deadline = Date().addingTimeInterval(timeout)
        var screen = capture()
        while !condition(screen) {
            if Date() > deadline { return (false, screen) }
            usleep(50_000)
            screen = capture()
        }
        return (true, screen)
    }
}
