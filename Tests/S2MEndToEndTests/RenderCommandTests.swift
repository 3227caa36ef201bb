import Foundation
import Testing
import S2MCore

private func runS2M(_ arguments: [String], environment: [String: String] = ["LANG": "C.UTF-8"]) throws -> (status: Int32, out: String, err: String) {
    let r = try Spawn.run(BuiltBinary.path!, arguments, environment: environment)
    return (r.status, r.output, r.error)
}

@Suite struct RenderCommandTests {
    @Test(.enabled(if: BuiltBinary.isAvailable, "the s2m binary is not built: skipped"))
    func renderPrintsHalfBlocksOfTheRequestedSize() throws {
        let c = try SyntheticCase.write()
        defer { try? FileManager.default.removeItem(atPath: c.directory) }
        let r = try runS2M(["render", c.image, "--scores", c.scores, "--panel", "scores", "--width", "64", "--color", "256"])
        #expect(r.status == 0, "\(r.err)")
        let lines = r.out.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        // 320x180 at 64 columns: 64x36 pixels = 18 rows, plus the colour bar.
        #expect(lines.count == 19)
        #expect(r.out.contains("▀"))
        #expect(r.out.contains("\u{1B}[38;5;"))
        #expect(!r.out.contains("38;2;"))
        #expect(lines.last?.contains("0.00") == true && lines.last?.contains("1.00") == true)
        let mono = try runS2M(["render", c.image, "--width", "20", "--color", "mono"])
        #expect(mono.status == 0)
        #expect(!mono.out.contains("38;"))
        let ascii = try runS2M(["render", c.image, "--width", "20", "--ascii", "--color", "16"])
        #expect(ascii.out.unicodeScalars.allSatisfy { $0.isASCII })
        let stretched = try runS2M(["render", c.image, "--width", "30", "--height", "5", "--stretch", "--color", "truecolor"])
        #expect(stretched.out.split(separator: "\n").count == 5)
        #expect(stretched.out.contains("38;2;"))
    }

    @Test(.enabled(if: BuiltBinary.isAvailable, "the s2m binary is not built: skipped"))
    func renderErrorsAreOneLineAndNonZero() throws {
        let missing = try runS2M(["render", "/nonexistent/photo.png", "--width", "10"])
        #expect(missing.status == 1)
        #expect(missing.err == "s2m render: /nonexistent/photo.png: no such file\n")
        let c = try SyntheticCase.write()
        defer { try? FileManager.default.removeItem(atPath: c.directory) }
        let noLabel = try runS2M(["render", c.image, "--panel", "label", "--width", "10"])
        #expect(noLabel.status == 1)
        #expect(noLabel.err == "s2m render: the label panel needs --label\n")
        let mismatch = try SyntheticCase.writeMismatched()
        defer { try? FileManager.default.removeItem(atPath: (mismatch.image as NSString).deletingLastPathComponent) }
        let bad = try runS2M(["render", mismatch.image, "--scores", mismatch.scores, "--panel", "scores", "--width", "10"])
        #expect(bad.status == 1)
        #expect(bad.err.hasPrefix("s2m render: ") && bad.err.contains("size mismatch"))
    }

    @Test(.enabled(if: BuiltBinary.isAvailable, "the s2m binary is not built: skipped"))
    func viewRefusesToRunWithoutATerminal() throws {
        let c = try SyntheticCase.write()
        defer { try? FileManager.default.removeItem(atPath: c.directory) }
        let r = try runS2M(["view", c.image, "--scores", c.scores], environment: ["LANG": "C.UTF-8", "TERM": "xterm-256color"])
        #expect(r.status == 1)
        #expect(r.err.contains("needs a terminal"))
    }
}

extension SyntheticCase {
    static func writeMismatched() throws -> (image: String, scores: String) {
        let c = try write()
        let small = c.directory + "/small_scores.npy"
        try NPYWriter.write(ScoreMap(width: 10, height: 10, repeating: 0.5), to: small)
        return (c.image, small)
    }
}
