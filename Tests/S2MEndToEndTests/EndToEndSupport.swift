import Foundation
import S2MCore

/// Where the built `s2m` is: beside the test bundle (`.build/<triple>/debug/`), else
/// `.build/debug/s2m` under the package root. Tests never build it themselves.
enum BuiltBinary {
    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    static var path: String? {
        var candidates = [String]()
        if let first = CommandLine.arguments.first {
            var dir = URL(fileURLWithPath: first).deletingLastPathComponent()
            // The xctest bundle may be a directory (…/s2mPackageTests.xctest/…): walk up to .build/<triple>/debug.
            for _ in 0..<4 {
                candidates.append(dir.appendingPathComponent("s2m").path)
                dir = dir.deletingLastPathComponent()
            }
        }
        candidates.append(packageRoot.appendingPathComponent(".build/debug/s2m").path)
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static var isAvailable: Bool { path != nil }
}

/// A small synthetic case written to a temporary folder: a 320x180 photo with a bright object,
/// its scores (high on the object, uneven inside it) as .npy, and a 0/1 label PNG.
enum SyntheticCase {
    static func write() throws -> (directory: String, image: String, scores: String, label: String) {
        let dir = NSTemporaryDirectory() + "s2m-e2e-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let w = 320, h = 180
        var image = RGBImage(width: w, height: h, repeating: RGB(90, 90, 95))
        var scores = ScoreMap(width: w, height: h, repeating: 0.1)
        var label = Raster<UInt8>(width: w, height: h, repeating: 0)
        for y in 0..<h {
            for x in 0..<w {
                // Sky above, road below.
                // A vertical gradient: the two pixels of most cells differ, so cells are half blocks.
                image[x, y] = y < 60 ? RGB(UInt8(60 + 2 * y), 160, 210) : RGB(UInt8(80 + (x + y) % 20), UInt8(40 + y), 90)
                let dx = Double(x - 160) / 50, dy = Double(y - 110) / 35
                if dx * dx + dy * dy < 1 {
                    image[x, y] = RGB(200, 60, 40)
                    label[x, y] = 1
                    // Uneven response inside the object: a threshold fragments it.
                    scores[x, y] = Float(0.55 + 0.4 * sin(Double(x) / 9) * cos(Double(y) / 7))
                }
            }
        }
        let paths = (dir + "/car.png", dir + "/car_scores.npy", dir + "/car_label.png")
        try RasterWriter.writePNG(image, to: paths.0)
        try NPYWriter.write(scores, to: paths.1)
        try RasterWriter.writePNG(label, to: paths.2)
        return (dir, paths.0, paths.1, paths.2)
    }
}

/// Decodes a `tmux capture-pane -p -e` stream: the SGR state carries across lines.
enum CaptureColors {
    struct Cell: Hashable {
        var glyph: Character
        var foreground: String
        var background: String
    }

    /// The cells of each row with their colour codes (e.g. "38;5;196", "48;5;21", "default").
    static func cells(_ text: String) -> [[Cell]] {
        var rows = [[Cell]](), row = [Cell]()
        var fg = "default", bg = "default"
        var i = text.startIndex
        while i < text.endIndex {
            let c = text[i]
            if c == "\u{1B}", text[text.index(after: i)...].hasPrefix("[") {
                var j = text.index(i, offsetBy: 2)
                var params = ""
                while j < text.endIndex, !text[j].isLetter { params.append(text[j]); j = text.index(after: j) }
                if j < text.endIndex, text[j] == "m" {
                    let parts = params.split(separator: ";", omittingEmptySubsequences: false).map(String.init)
                    var k = 0
                    while k < parts.count {
                        switch parts[k] {
                        case "", "0": fg = "default"; bg = "default"
                        case "39": fg = "default"
                        case "49": bg = "default"
                        case "38" where k + 2 < parts.count && parts[k + 1] == "5":
                            fg = "38;5;\(parts[k + 2])"; k += 2
                        case "48" where k + 2 < parts.count && parts[k + 1] == "5":
                            bg = "48;5;\(parts[k + 2])"; k += 2
                        case "38" where k + 4 < parts.count && parts[k + 1] == "2":
                            fg = "38;2;\(parts[k + 2]);\(parts[k + 3]);\(parts[k + 4])"; k += 4
                        case "48" where k + 4 < parts.count && parts[k + 1] == "2":
                            bg = "48;2;\(parts[k + 2]);\(parts[k + 3]);\(parts[k + 4])"; k += 4
                        default:
                            if let n = Int(parts[k]) {
                                if (30...37).contains(n) || (90...97).contains(n) { fg = parts[k] }
                                if (40...47).contains(n) || (100...107).contains(n) { bg = parts[k] }
                            }
                        }
                        k += 1
                    }
                }
                i = j < text.endIndex ? text.index(after: j) : j
                continue
            }
            if c == "\n" {
                rows.append(row)
                row = []
            } else {
                row.append(Cell(glyph: c, foreground: fg, background: bg))
            }
            i = text.index(after: i)
        }
        rows.append(row)
        return rows
    }
}
