import Foundation
import Testing
import S2MCore

private let ready = Tmux.isInstalled && BuiltBinary.isAvailable
private let skipReason: Comment = Tmux.isInstalled
    ? "the s2m binary is not built (run swift build first): skipped"
    : "tmux is not installed: skipped"

/// The shell command that runs the viewer in tmux, then records its exit status and the tty
/// settings it left behind, and keeps the pane open a moment for a final capture.
private func viewerCommand(_ c: (directory: String, image: String, scores: String, label: String),
                           extra: String = "") -> String {
    let bin = BuiltBinary.path!
    return "cd '\(c.directory)' && trap '' HUP; env -u COLORTERM -u NO_COLOR LANG=C.UTF-8 TERM=tmux-256color '\(bin)' view car.png "
        + "--scores car_scores.npy --label car_label.png \(extra); echo \"exit=$?\" > exit.txt; "
        + "stty -a > stty.txt 2>&1; sleep 20"
}

private func statusLine(_ screen: String) -> String {
    screen.components(separatedBy: "\n").first { $0.hasPrefix(" car") } ?? ""
}

private func threshold(_ screen: String) -> String? {
    let status = statusLine(screen)
    guard let r = status.range(of: "t=") else { return nil }
    return String(status[r.upperBound...].prefix { $0 != " " })
}

/// "prompt k/n" on the status line, or nil.
private func promptPosition(_ screen: String) -> (Int, Int)? {
    let status = statusLine(screen)
    guard let r = status.range(of: "prompt ") else { return nil }
    let parts = status[r.upperBound...].prefix { $0 != " " }.split(separator: "/")
    guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]) else { return nil }
    return (k, n)
}

private func waitForExitFile(_ directory: String, timeout: Double = 10) -> String? {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if let text = try? String(contentsOfFile: directory + "/exit.txt", encoding: .utf8), text.hasSuffix("\n") {
            return text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        usleep(50_000)
    }
    return nil
}

/// The settings `stty -a` printed after the viewer ended: echo and canonical mode must be back.
private func terminalRestored(_ directory: String) -> Bool {
    let deadline = Date().addingTimeInterval(5)
    while Date() < deadline {
        if let text = try? String(contentsOfFile: directory + "/stty.txt", encoding: .utf8), text.contains("icanon") {
            let words = Set(text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == ";" }).map(String.init))
            return words.contains("icanon") && words.contains("echo")
        }
        usleep(50_000)
    }
    return false
}

@Suite(.serialized) struct ViewerEndToEndTests {
    @Test(.enabled(if: ready, skipReason))
    func viewShowsHalfBlocksReactsToKeysResizesAndQuitsCleanly() throws {
        let c = try SyntheticCase.write()
        defer { try? FileManager.default.removeItem(atPath: c.directory) }
        let tmux = try Tmux(command: viewerCommand(c), columns: 160, rows: 50)

        // Ready: the status line names the image and the threshold, and the first prompts and
        // masks are done (no busy marker).
        let start = tmux.wait(timeout: 120) { threshold($0) != nil && !statusLine($0).contains("Esc cancels") }
        #expect(start.ok, "not ready; screen:\n\(start.screen)")
        let t0 = try #require(threshold(start.screen).flatMap(Double.init))
        let lines = start.screen.components(separatedBy: "\n")
        #expect(lines.count >= 50)
        #expect(lines[48].hasPrefix(" car"))
        #expect(start.screen.contains(" threshold t="))
        #expect(start.screen.contains(" diff: S2M vs ground truth "))
        // Picture cells: half blocks (or spaces where both halves are equal) in 256-colour form.
        let colours = CaptureColors.cells(tmux.capture(escapes: true))
        let cells = colours.joined()
        let halfBlocks = cells.filter { $0.glyph == "▀" }
        #expect(halfBlocks.count > 800)
        #expect(halfBlocks.allSatisfy { $0.foreground.hasPrefix("38;5;") && $0.background.hasPrefix("48;5;") })
        #expect(cells.filter { $0.background.hasPrefix("48;5;") }.count > 3000)
        #expect(Set(cells.map(\.background)).count > 20)

        // The threshold moves by 1% of the range [0, 1] per key (from the nearest whole percent)
        // and the threshold panel changes.
        let snapped = (t0 * 100).rounded() / 100
        tmux.send("Right", "Right", "Right", "Right", "Right")
        let moved = tmux.wait { abs((threshold($0).flatMap(Double.init) ?? -1) - (snapped + 0.05)) < 0.0006 }
        #expect(moved.ok, "threshold did not move from \(t0); status: \(statusLine(moved.screen))")
        #expect(statusLine(moved.screen).contains("edited"))
        #expect(moved.screen.contains(" threshold t=\(threshold(moved.screen) ?? "?") "))
        let colourAfter = CaptureColors.cells(tmux.capture(escapes: true))
        #expect(colours != colourAfter, "no cell changed colour")
        tmux.send("[", "[", "[", "[", "[")
        #expect(tmux.wait { abs((threshold($0).flatMap(Double.init) ?? -1) - snapped) < 0.0006 }.ok)

        // Prompts: add two point prompts at the cursor (each is segmented), then step with Tab.
        let n0 = promptPosition(start.screen)?.1 ?? 0
        tmux.send("c")
        #expect(tmux.wait { $0.contains("┼") }.ok, "no cursor drawn")
        tmux.send("i")
        let one = tmux.wait(timeout: 120) { promptPosition($0)?.1 == n0 + 1 && !statusLine($0).contains("Esc cancels") }
        #expect(one.ok, "\(statusLine(one.screen))")
        for _ in 0..<12 { tmux.send("S-Right") }
        tmux.send("i")
        let two = tmux.wait(timeout: 120) { promptPosition($0)?.1 == n0 + 2 && !statusLine($0).contains("Esc cancels") }
        #expect(two.ok, "\(statusLine(two.screen))")
        #expect(promptPosition(two.screen)?.0 == n0 + 2)
        tmux.send("Tab")
        let stepped = tmux.wait { promptPosition($0)?.0 == 1 }
        #expect(stepped.ok, "Tab did not step: \(statusLine(stepped.screen))")
        tmux.send("BTab")
        let back = tmux.wait { promptPosition($0)?.0 == n0 + 2 }
        #expect(back.ok, "BTab did not step back: \(statusLine(back.screen))")

        // Resize: the layout follows, nothing is drawn outside the new size.
        tmux.resize(columns: 120, rows: 40)
        let resized = tmux.wait { screen in
            let l = screen.components(separatedBy: "\n")
            return l.count >= 40 && l.count < 45 && l[38].hasPrefix(" car")
        }
        let resizedLines = resized.screen.components(separatedBy: "\n")
        #expect(resized.ok, "no redraw at 120x40: \(resizedLines.count) lines, row 38: \(resizedLines.count > 38 ? resizedLines[38] : "-")")
        #expect(resized.screen.components(separatedBy: "\n").allSatisfy { $0.count <= 120 })
        #expect(resized.screen.contains("▀"))

        // Quit: edits are unsaved, so the viewer asks; q again quits without saving.
        tmux.send("q")
        #expect(tmux.wait { $0.contains("unsaved edits") }.ok)
        tmux.send("q")
        #expect(waitForExitFile(c.directory) == "exit=0")
        #expect(terminalRestored(c.directory))
        // The alternate screen is gone: no picture left on the terminal.
        #expect(!tmux.capture().contains("▀"))
        #expect(!FileManager.default.fileExists(atPath: c.directory + "/s2m-session.json"))
    }

    @Test(.enabled(if: ready, skipReason), arguments: [("TERM", SIGTERM), ("INT", SIGINT), ("HUP", SIGHUP)])
    func signalsRestoreTheTerminal(name: String, signal: Int32) throws {
        let c = try SyntheticCase.write()
        defer { try? FileManager.default.removeItem(atPath: c.directory) }
        let tmux = try Tmux(command: viewerCommand(c), columns: 100, rows: 30)
        #expect(tmux.wait { threshold($0) != nil }.ok)
        if signal == SIGINT {
            tmux.send("C-c")
        } else {
            let shell = try #require(tmux.panePID)
            let child = try #require(childProcess(of: shell))
            kill(child, signal)
        }
        #expect(waitForExitFile(c.directory) == "exit=\(128 + signal)")
        #expect(terminalRestored(c.directory))
    }

    @Test(.enabled(if: ready, skipReason))
    func losingTheTerminalEndsTheViewer() throws {
        let c = try SyntheticCase.write()
        defer { try? FileManager.default.removeItem(atPath: c.directory) }
        let tmux = try Tmux(command: viewerCommand(c), columns: 100, rows: 30)
        #expect(tmux.wait { threshold($0) != nil }.ok)
        let shell = try #require(tmux.panePID)
        let child = try #require(childProcess(of: shell))
        // Closing the window hangs up the terminal: the viewer must end, not spin on get_wch.
        _ = try tmux.run(["kill-session", "-t", tmux.session], capture: false)
        let deadline = Date().addingTimeInterval(5)
        while kill(child, 0) == 0 && Date() < deadline { usleep(50_000) }
        #expect(kill(child, 0) != 0, "s2m still runs after its terminal closed")
    }

    @Test(.enabled(if: ready, skipReason))
    func aTooSmallTerminalIsAOneLineError() throws {
        let c = try SyntheticCase.write()
        defer { try? FileManager.default.removeItem(atPath: c.directory) }
        let tmux = try Tmux(command: viewerCommand(c), columns: 15, rows: 5)
        #expect(waitForExitFile(c.directory) == "exit=1")
        let screen = tmux.capture().replacingOccurrences(of: "\n", with: "")
        #expect(screen.contains("too small: 15x5"))
        #expect(terminalRestored(c.directory))
    }
}

/// The first child process of `pid` (the viewer under the tmux pane's shell).
private func childProcess(of pid: Int32) -> Int32? {
    let deadline = Date().addingTimeInterval(5)
    while Date() < deadline {
        if let text = try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8),
           let first = text.split(separator: " ").first, let child = Int32(first) {
            return child
        }
        usleep(50_000)
    }
    return nil
}
