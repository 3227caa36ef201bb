/// Serialises cells as text with ANSI SGR escapes, for `s2m render` and anything else that prints
/// to a terminal without curses. A colour is sent only when it changes; each line ends with a reset.
public enum ANSIWriter {
    private static let decimal: [[UInt8]] = (0..<256).map { Array(String($0).utf8) }

    /// The bytes of `grid`: one line per row, each ending in `ESC[0m` and a newline.
    public static func bytes(_ grid: CellGrid) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(grid.width * grid.height * 24 + grid.height * 8)
        for y in 0..<grid.height {
            var fg: TerminalColor = .default, bg: TerminalColor = .default
            var attributes: CellAttributes = []
            for x in 0..<grid.width {
                let cell = grid[x, y]
                if cell.attributes != attributes {
                    // Attributes can only be cleared by a full reset: then resend the colours.
                    out.append(contentsOf: [0x1B, 0x5B, 0x30])  // ESC [ 0
                    if cell.attributes.contains(.bold) { out.append(contentsOf: [0x3B, 0x31]) }
                    if cell.attributes.contains(.underline) { out.append(contentsOf: [0x3B, 0x34]) }
                    if cell.attributes.contains(.reverse) { out.append(contentsOf: [0x3B, 0x37]) }
                    out.append(0x6D)
                    attributes = cell.attributes
                    fg = .default
                    bg = .default
                }
                let fgChanged = cell.foreground != fg, bgChanged = cell.background != bg
                if fgChanged || bgChanged {
                    out.append(contentsOf: [0x1B, 0x5B])
                    if fgChanged { appendColor(cell.foreground, background: false, to: &out) }
                    if fgChanged && bgChanged { out.append(0x3B) }
                    if bgChanged { appendColor(cell.background, background: true, to: &out) }
                    out.append(0x6D)
                    fg = cell.foreground
                    bg = cell.background
                }
                appendUTF8(cell.glyph, to: &out)
            }
            out.append(contentsOf: [0x1B, 0x5B, 0x30, 0x6D, 0x0A])
        }
        return out
    }

    /// The text of `grid` with escapes, as a string.
    public static func string(_ grid: CellGrid) -> String {
        String(decoding: bytes(grid), as: UTF8.self)
    }

    /// The glyphs only, one line per row, trailing spaces kept.
    public static func plainText(_ grid: CellGrid) -> String {
        (0..<grid.height).map { grid.text(row: $0) }.joined(separator: "\n") + "\n"
    }

    private static func appendColor(_ color: TerminalColor, background: Bool, to out: inout [UInt8]) {
        switch color {
        case .default:
            out.append(contentsOf: background ? [0x34, 0x39] : [0x33, 0x39])  // 49 / 39
        case .indexed(let n) where n < 8:
            out.append(background ? 0x34 : 0x33)
            out.append(0x30 + n)
        case .indexed(let n) where n < 16:
            out.append(contentsOf: background ? [0x31, 0x30] : [0x39])  // 100+ / 90+
            out.append(0x30 + n - 8)
        case .indexed(let n):
            out.append(contentsOf: background ? [0x34, 0x38, 0x3B, 0x35, 0x3B] : [0x33, 0x38, 0x3B, 0x35, 0x3B])
            out.append(contentsOf: decimal[Int(n)])
        case .rgb(let c):
            out.append(contentsOf: background ? [0x34, 0x38, 0x3B, 0x32, 0x3B] : [0x33, 0x38, 0x3B, 0x32, 0x3B])
            out.append(contentsOf: decimal[Int(c.r)])
            out.append(0x3B)
            out.append(contentsOf: decimal[Int(c.g)])
            out.append(0x3B)
            out.append(contentsOf: decimal[Int(c.b)])
        }
    }

    private static func appendUTF8(_ scalar: Unicode.Scalar, to out: inout [UInt8]) {
        let v = scalar.value
        switch v {
        case 0..<0x80:
            out.append(UInt8(v))
        case 0x80..<0x800:
            out.append(UInt8(0xC0 | (v >> 6)))
            out.append(UInt8(0x80 | (v & 0x3F)))
        case 0x800..<0x10000:
            out.append(UInt8(0xE0 | (v >> 12)))
            out.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (v & 0x3F)))
        default:
            out.append(UInt8(0xF0 | (v >> 18)))
            out.append(UInt8(0x80 | ((v >> 12) & 0x3F)))
            out.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (v & 0x3F)))
        }
    }
}
