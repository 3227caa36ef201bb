import S2MCore

/// The colour capability a rendering targets, as chosen on the command line (`--color`).
public enum ColorModeKind: String, CaseIterable, Hashable, Sendable, Codable {
    case truecolor
    case palette256 = "256"
    case palette16 = "16"
    case mono

    /// The implementation of this mode.
    public var mode: any ColorMode {
        switch self {
        case .truecolor: return TrueColorMode()
        case .palette256: return Palette256Mode()
        case .palette16: return Palette16Mode()
        case .mono: return MonochromeMode()
        }
    }

    /// The next poorer mode (24-bit → 256 → 16 → mono), or nil for mono.
    public var fallback: ColorModeKind? {
        switch self {
        case .truecolor: return .palette256
        case .palette256: return .palette16
        case .palette16: return .mono
        case .mono: return nil
        }
    }

    /// Parses `--color` values: `truecolor`/`24bit`/`full`, `256`, `16`/`8`, `mono`/`none`/`2`.
    public init?(argument: String) {
        switch argument.lowercased() {
        case "truecolor", "24bit", "24-bit", "full", "direct": self = .truecolor
        case "256": self = .palette256
        case "16", "8": self = .palette16
        case "mono", "none", "2", "monochrome": self = .mono
        default: return nil
        }
    }

    /// The best mode a terminal supports, from its environment and (when known) the number of
    /// colours its terminfo entry declares. `NO_COLOR` (any value) asks for mono;
    /// `COLORTERM=truecolor|24bit` signals 24-bit colour even under a 256-colour TERM.
    public static func detect(environment: [String: String], terminfoColors: Int? = nil) -> ColorModeKind {
        if let noColor = environment["NO_COLOR"], !noColor.isEmpty { return .mono }
        let term = environment["TERM"] ?? ""
        if term.isEmpty || term == "dumb" { return .mono }
        let colorterm = (environment["COLORTERM"] ?? "").lowercased()
        if colorterm == "truecolor" || colorterm == "24bit" { return .truecolor }
        if term.hasSuffix("-direct") { return .truecolor }
        if let colors = terminfoColors {
            if colors >= 1 << 24 { return .truecolor }
            if colors >= 256 { return .palette256 }
            if colors >= 8 { return .palette16 }
            return .mono
        }
        if term.contains("256color") { return .palette256 }
        return .palette16
    }
}

/// How colours become terminal cells: 24-bit, the 256-colour palette, 16 colours, or monochrome
/// glyphs. Renderers work in sRGB and ask the mode for the final cells.
public protocol ColorMode: Sendable {
    var kind: ColorModeKind { get }

    /// The terminal colour closest to `color` (`.default` in monochrome).
    func terminalColor(_ color: RGB) -> TerminalColor

    /// The cell showing two vertically stacked pixels.
    func cell(upper: RGB, lower: RGB) -> Cell

    /// The cell showing one pixel covering the whole cell (the fallback for terminals that cannot
    /// print half blocks).
    func cell(single: RGB) -> Cell

    /// How heatmaps are painted in this mode.
    func heatmapPainter(for colormap: Colormap) -> HeatmapPainter
}

extension ColorMode {
    /// Colour modes draw `▀` with the upper pixel as foreground and the lower as background, or a
    /// space on the background when both quantise to the same colour (fewer bytes on the wire).
    public func cell(upper: RGB, lower: RGB) -> Cell {
        let top = terminalColor(upper), bottom = terminalColor(lower)
        if top == bottom { return Cell(" ", background: bottom) }
        return Cell(Cell.upperHalfBlock, foreground: top, background: bottom)
    }

    public func cell(single: RGB) -> Cell {
        Cell(" ", background: terminalColor(single))
    }

    public func heatmapPainter(for colormap: Colormap) -> HeatmapPainter {
        HeatmapPainter(colormap: colormap)
    }
}

/// 24-bit colour: every sRGB value is sent as is.
public struct TrueColorMode: ColorMode {
    public init() {}
    public var kind: ColorModeKind { .truecolor }
    public func terminalColor(_ color: RGB) -> TerminalColor { .rgb(color) }
}

/// The 256-colour palette: nearest entry of the 6x6x6 cube and the grey ramp (the 16 themeable
/// system colours are skipped); heatmaps use a dithered ``PaletteRamp`` so they do not band.
public struct Palette256Mode: ColorMode {
    public init() {}
    public var kind: ColorModeKind { .palette256 }
    public func terminalColor(_ color: RGB) -> TerminalColor {
        .indexed(XtermPalette.nearestExtended(color))
    }
    public func heatmapPainter(for colormap: Colormap) -> HeatmapPainter {
        HeatmapPainter(ramp: PaletteRamp.cached(for: colormap))
    }
}

/// 16 colours: nearest system colour, assuming xterm's default values.
public struct Palette16Mode: ColorMode {
    public init() {}
    public var kind: ColorModeKind { .palette16 }
    public func terminalColor(_ color: RGB) -> TerminalColor {
        .indexed(XtermPalette.nearestSystem(color))
    }
}

/// No colour: brightness becomes glyph density (` ░▒▓█`), strong vertical contrast inside a cell
/// becomes a half block; highlights use reverse video. Heatmaps are drawn with `gray`, whose
/// brightness grows with the value (turbo's would not).
public struct MonochromeMode: ColorMode {
    public init() {}
    public var kind: ColorModeKind { .mono }

    /// Shading glyphs from dark to bright (on a dark terminal background).
    public static let shades: [Unicode.Scalar] = [" ", "\u{2591}", "\u{2592}", "\u{2593}", "\u{2588}"]
    /// Difference in brightness (0-255) above which a cell shows a half block instead of a shade.
    public static let edgeContrast = 96

    /// Rec. 709 luma of an sRGB colour, 0-255.
    public static func luma(_ c: RGB) -> Int {
        (2126 * Int(c.r) + 7152 * Int(c.g) + 722 * Int(c.b) + 5000) / 10000
    }

    /// The shading glyph for brightness 0-255.
    public static func shade(_ luma: Int) -> Unicode.Scalar {
        shades[min(max((luma * 4 + 127) / 255, 0), 4)]
    }

    public func terminalColor(_ color: RGB) -> TerminalColor { .default }

    public func cell(upper: RGB, lower: RGB) -> Cell {
        let top = Self.luma(upper), bottom = Self.luma(lower)
        if top - bottom >= Self.edgeContrast { return Cell(Cell.upperHalfBlock) }
        if bottom - top >= Self.edgeContrast { return Cell(Cell.lowerHalfBlock) }
        return Cell(Self.shade((top + bottom + 1) / 2))
    }

    public func cell(single: RGB) -> Cell {
        Cell(Self.asciiRamp[min(Self.luma(single) * Self.asciiRamp.count / 256, Self.asciiRamp.count - 1)])
    }

    /// Brightness ramp for terminals without UTF-8.
    public static let asciiRamp: [Unicode.Scalar] = [" ", ".", ":", "-", "=", "+", "*", "#", "%", "@"]

    public func heatmapPainter(for colormap: Colormap) -> HeatmapPainter {
        HeatmapPainter(colormap: .gray)
    }
}

/// Paints heatmap values: a plain colormap lookup, or a dithered palette ramp in 256-colour mode.
public struct HeatmapPainter: Sendable {
    public let colormap: Colormap?
    public let ramp: PaletteRamp?

    public init(colormap: Colormap) {
        self.colormap = colormap
        self.ramp = nil
    }

    public init(ramp: PaletteRamp) {
        self.colormap = nil
        self.ramp = ramp
    }

    /// The colour for `t` in [0, 1] at canvas pixel (x, y).
    @inline(__always)
    public func color(_ t: Float, x: Int, y: Int) -> RGB {
        if let ramp { return ramp.color(t, x: x, y: y) }
        return colormap!.color(t)
    }
}

extension PaletteRamp {
    private static let builtIn: [String: PaletteRamp] = Dictionary(
        uniqueKeysWithValues: Colormap.all.map { ($0.name, PaletteRamp(colormap: $0)) })

    /// The ramp of a built-in colormap is built once; others are built on demand.
    public static func cached(for colormap: Colormap) -> PaletteRamp {
        if let ramp = builtIn[colormap.name], Colormap.named(colormap.name) == colormap { return ramp }
        return PaletteRamp(colormap: colormap)
    }
}
