import S2MCore

/// Colours and strengths of overlays. Defaults use levels of the xterm colour cube (0, 95, 135,
/// 175, 215, 255) so solid overlay colours stay exact in 256-colour mode.
public struct RenderStyle: Hashable, Sendable {
    public var thresholdTint = RGB(255, 135, 0)
    public var s2mTint = RGB(0, 175, 255)
    public var selectedTint = RGB(255, 215, 0)
    public var groundTruthTint = RGB(95, 255, 95)
    public var voidTint = RGB(135, 135, 135)
    public var truePositive = RGB(0, 215, 95)
    public var falsePositive = RGB(255, 0, 95)
    public var falseNegative = RGB(0, 135, 255)
    public var box = RGB(215, 215, 215)
    public var selectedBox = RGB(255, 255, 0)
    public var disabledBox = RGB(135, 95, 95)
    public var positivePoint = RGB(0, 255, 0)
    public var negativePoint = RGB(255, 0, 0)
    public var cursor = RGB(255, 0, 255)
    public var labelText = RGB(0, 0, 0)
    /// Opacity of mask tints at full coverage.
    public var tintAlpha: Float = 0.55
    /// Opacity of the diff colours at full coverage.
    public var diffAlpha: Float = 0.85
    /// How much mask panels desaturate and darken the photo under their tints (0 = unchanged).
    public var photoDesaturation: Float = 0.6
    public var photoDimming: Float = 0.7

    public init() {}
}

/// How panels are drawn, apart from what they show.
public struct RenderOptions: Hashable, Sendable {
    public var colorMode: ColorModeKind
    public var geometry: CellGeometry
    public var colormap: Colormap
    public var style: RenderStyle
    /// Draw prompts on the S2M and scores panels.
    public var showPrompts: Bool
    /// Ignore the image's aspect ratio and fill the panel (like chafa's `--stretch`).
    public var stretch: Bool
    /// Add a colour bar with the value range below the scores heatmap.
    public var colorBar: Bool

    public init(colorMode: ColorModeKind = .truecolor, geometry: CellGeometry = .halfBlock,
                colormap: Colormap = .viridis, style: RenderStyle = RenderStyle(),
                showPrompts: Bool = true, stretch: Bool = false, colorBar: Bool = true) {
        self.colorMode = colorMode
        self.geometry = geometry
        self.colormap = colormap
        self.style = style
        self.showPrompts = showPrompts
        self.stretch = stretch
        self.colorBar = colorBar
    }

    /// True when glyphs beyond ASCII may be used.
    public var unicode: Bool { geometry == .halfBlock }
}
