import S2MCore

/// A colour as a terminal understands it: the terminal's default, an index into its palette
/// (0-15 the themeable system colours, 16-231 the 6x6x6 cube, 232-255 the grey ramp), or 24-bit.
public enum TerminalColor: Hashable, Sendable {
    case `default`
    case indexed(UInt8)
    case rgb(RGB)
}

/// Text attributes a cell may carry (only the ones s2m uses).
public struct CellAttributes: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let bold = CellAttributes(rawValue: 1 << 0)
    /// Swap foreground and background: the highlight of monochrome terminals.
    public static let reverse = CellAttributes(rawValue: 1 << 1)
    public static let underline = CellAttributes(rawValue: 1 << 2)
}

/// One character cell of the terminal: a glyph drawn in `foreground` on `background`.
///
/// Image cells use the upper half block `▀` with the upper pixel as foreground and the lower pixel
/// as background; text cells use any single-width scalar.
public struct Cell: Hashable, Sendable {
    public var glyph: Unicode.Scalar
    public var foreground: TerminalColor
    public var background: TerminalColor
    public var attributes: CellAttributes

    public init(_ glyph: Unicode.Scalar, foreground: TerminalColor = .default,
                background: TerminalColor = .default, attributes: CellAttributes = []) {
        self.glyph = glyph
        self.foreground = foreground
        self.background = background
        self.attributes = attributes
    }

    /// A blank cell in the terminal's default colours.
    public static let blank = Cell(" ")

    /// The upper half block, `▀` (U+2580).
    public static let upperHalfBlock: Unicode.Scalar = "\u{2580}"
    /// The lower half block, `▄` (U+2584).
    public static let lowerHalfBlock: Unicode.Scalar = "\u{2584}"
    /// The full block, `█` (U+2588).
    public static let fullBlock: Unicode.Scalar = "\u{2588}"
}
