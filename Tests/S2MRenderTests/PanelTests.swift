import Testing
import S2MCore
@testable import S2MRender

private let black2x2 = RGBImage(width: 2, height: 2, repeating: RGB(gray: 0))

private func renderer(_ mode: ColorModeKind = .truecolor, colorBar: Bool = false) -> PanelRenderer {
    PanelRenderer(options: RenderOptions(colorMode: mode, colorBar: colorBar))
}

@Test func scoresPanelPaintsTheColormapOverTheRange() {
    // Scores 0 (top) and 1 (bottom) in one column: the cell shows viridis(0) over viridis(1).
    let scene = Scene(image: Versioned(RGBImage(width: 1, height: 2, repeating: RGB(gray: 0))),
                      scores: Versioned(ScoreMap(width: 1, height: 2, pixels: [0, 1])))
    let g = renderer().render(.scores, scene: scene, columns: 1, rows: 1).grid
    #expect(g[0, 0] == Cell("▀", foreground: .rgb(Colormap.viridis.color(0)),
                            background: .rgb(Colormap.viridis.color(1))))
    // A range of [10, 20]: score 15 is the middle of the colormap.
    var ranged = scene
    ranged.scores = Versioned(ScoreMap(width: 1, height: 2, pixels: [15, 20]))
    ranged.scoreRange = 10...20
    let r = renderer().render(.scores, scene: ranged, columns: 1, rows: 1).grid
    #expect(r[0, 0].foreground == .rgb(Colormap.viridis.color(0.5)))
    #expect(r[0, 0].background == .rgb(Colormap.viridis.color(1)))
}

@Test func scoresPanelIn256ColoursUsesTheRamp() {
    let scene = Scene(image: Versioned(RGBImage(width: 1, height: 2, repeating: RGB(gray: 0))),
                      scores: Versioned(ScoreMap(width: 1, height: 2, pixels: [0, 1])))
    let g = renderer(.palette256).render(.scores, scene: scene, columns: 1, rows: 1).grid
    let ramp = PaletteRamp(colormap: .viridis)
    #expect(g[0, 0] == Cell("▀", foreground: .indexed(ramp.indices.first!), background: .indexed(ramp.indices.last!)))
}

@Test func defaultScoreRange() {
    #expect(Scene.defaultScoreRange(ScoreMap(width: 2, height: 1, pixels: [0.2, 0.7])) == 0...1)
    #expect(Scene.defaultScoreRange(ScoreMap(width: 2, height: 1, pixels: [-3, 5])) == -3...5)
    #expect(Scene.defaultScoreRange(ScoreMap(width: 2, height: 1, pixels: [4, 4])) == 4...5)
}

@Test func thresholdPanelTintsTheMaskOverTheMutedPhoto() {
    let mask = Mask(width: 2, height: 2, repeating: true)
    let scene = Scene(image: Versioned(black2x2), thresholdMask: Versioned(mask))
    let g = renderer().render(.threshold, scene: scene, columns: 2, rows: 1).grid
    // Black stays black when muted; orange (255,135,0) at alpha 0.55 gives (140,74,0). A full
    // mask has no edge inside the drawn area, so no outline.
    #expect(g[0, 0] == Cell(" ", background: .rgb(RGB(140, 74, 0))))
    #expect(g[1, 0] == g[0, 0])
}

@Test func outlinesMarkTheMaskEdge() {
    // 4x2 image, mask covers the left two columns: columns 1 (edge) is outlined, column 0 tinted.
    let image = RGBImage(width: 4, height: 2, repeating: RGB(gray: 0))
    let mask = Mask(width: 4, height: 2, pixels: [true, true, false, false, true, true, false, false])
    let g = renderer().render(.threshold, scene: Scene(image: Versioned(image), thresholdMask: Versioned(mask)),
                              columns: 4, rows: 1).grid
    #expect(g[0, 0].background == .rgb(RGB(140, 74, 0)))
    #expect(g[1, 0].background == .rgb(RGB(255, 135, 0)))
    #expect(g[2, 0].background == .rgb(RGB(0, 0, 0)))
}

@Test func diffPanelColoursTruePositivesFalsePositivesAndFalseNegatives() {
    let image = RGBImage(width: 4, height: 2, repeating: RGB(gray: 0))
    // Columns: TP, FP, FN, TN (both rows equal).
    let predicted = Mask(width: 4, height: 2, pixels: [true, true, false, false, true, true, false, false])
    let truth = Mask(width: 4, height: 2, pixels: [true, false, true, false, true, false, true, false])
    let scene = Scene(image: Versioned(image), s2mMask: Versioned(predicted), groundTruth: Versioned(truth))
    let g = renderer().render(.diff, scene: scene, columns: 4, rows: 1).grid
    let style = RenderStyle()
    func expected(_ c: RGB) -> TerminalColor { .rgb(PixelCanvas.mix(RGB(gray: 0), c, style.diffAlpha)) }
    #expect(g[0, 0].background == expected(style.truePositive))
    #expect(g[1, 0].background == expected(style.falsePositive))
    #expect(g[2, 0].background == expected(style.falseNegative))
    #expect(g[3, 0].background == .rgb(RGB(gray: 0)))
    // Void pixels count as nothing.
    var withVoid = scene
    withVoid.void = Versioned(Mask(width: 4, height: 2, pixels: [false, true, false, false, false, true, false, false]))
    #expect(renderer().render(.diff, scene: withVoid, columns: 4, rows: 1).grid[1, 0].background == .rgb(RGB(gray: 0)))
    // Comparing the threshold mask instead.
    var threshold = scene
    threshold.s2mMask = nil
    threshold.thresholdMask = Versioned(Mask(width: 4, height: 2, repeating: false))
    threshold.diffSource = .threshold
    #expect(renderer().render(.diff, scene: threshold, columns: 4, rows: 1).grid[0, 0].background
            == expected(style.falseNegative))
}

@Test func categoriesOfPixels() {
    #expect(DiffCategory.of(predicted: true, truth: true, void: false) == .truePositive)
    #expect(DiffCategory.of(predicted: true, truth: false, void: false) == .falsePositive)
    #expect(DiffCategory.of(predicted: false, truth: true, void: false) == .falseNegative)
    #expect(DiffCategory.of(predicted: false, truth: false, void: false) == .trueNegative)
    #expect(DiffCategory.of(predicted: true, truth: false, void: true) == .ignored)
}

@Test func promptsAreDrawnWithTheSelectedOneLabelled() {
    // 8x8 white image in 8x4 cells: one canvas pixel per image pixel.
    let image = RGBImage(width: 8, height: 8, repeating: RGB(gray: 60))
    let boxPrompt = Prompt(box: Box(x0: 2, y0: 2, x1: 6, y1: 6), confidence: 0.9, source: "test")
    let pointPrompt = Prompt(points: [PromptPoint(x: 0.5, y: 6.5, isPositive: true),
                                      PromptPoint(x: 7.5, y: 6.5, isPositive: false)],
                             confidence: 0.4, source: "test")
    let scene = Scene(image: Versioned(image), prompts: [PromptMarker(prompt: boxPrompt),
                                                         PromptMarker(prompt: pointPrompt)],
                      selectedPrompt: 0)
    let style = RenderStyle()
    let g = renderer().render(.s2m, scene: scene, columns: 8, rows: 4).grid
    // Box rows 2 and 5 are the box's top and bottom edges: cell row 1 holds pixel rows 2 (upper)
    // and 3 (lower): upper is the edge colour across x = 2...5, lower only at x = 2 and 5.
    #expect(g[3, 1] == Cell("▀", foreground: .rgb(style.selectedBox), background: .rgb(RGB(gray: 42))))
    #expect(g[2, 1] == Cell(" ", background: .rgb(style.selectedBox)))
    // The label "#1 0.90" sits on the row above the box, from its left edge, moved left to fit.
    #expect(g.text(row: 0) == " #1 0.90")
    #expect(g[1, 0].background == .rgb(style.selectedBox))
    // Points: + at (0, 6) -> cell (0, 3), - at (7, 6) -> cell (7, 3), keeping the cell background.
    #expect(g[0, 3].glyph == "+" && g[0, 3].foreground == .rgb(style.positivePoint))
    #expect(g[7, 3].glyph == "-" && g[7, 3].foreground == .rgb(style.negativePoint))
    // Selecting the point prompt moves the label next to its first point.
    var second = scene
    second.selectedPrompt = 1
    let h = renderer().render(.s2m, scene: second, columns: 8, rows: 4).grid
    #expect(h.text(row: 3).hasPrefix("+#2 0.40"))
    // Disabled prompts are dashed.
    var disabled = scene
    disabled.prompts[0].isEnabled = false
    disabled.selectedPrompt = nil
    let d = renderer().render(.s2m, scene: disabled, columns: 8, rows: 4).grid
    #expect(d[4, 1].foreground != .rgb(style.box))
}

@Test func cursorIsDrawnOnEveryPanel() {
    let image = RGBImage(width: 8, height: 8, repeating: RGB(gray: 60))
    let mask = Versioned(Mask(width: 8, height: 8, repeating: false))
    let scene = Scene(image: Versioned(image), scores: Versioned(ScoreMap(width: 8, height: 8, repeating: 0)),
                      thresholdMask: mask, s2mMask: mask, groundTruth: mask, cursor: (x: 4.5, y: 4.5))
    for kind in PanelKind.allCases {
        let g = renderer().render(kind, scene: scene, columns: 8, rows: 4).grid
        #expect(g[4, 2].glyph == "┼", "\(kind)")
    }
}

@Test func missingDataIsSaidInThePanel() {
    let scene = Scene(image: Versioned(RGBImage(width: 40, height: 20, repeating: RGB(gray: 9))))
    let g = renderer().render(.label, scene: scene, columns: 40, rows: 10).grid
    #expect((0..<10).contains { g.text(row: $0).contains("no label") })
    let s = renderer().render(.scores, scene: scene, columns: 40, rows: 10).grid
    #expect((0..<10).contains { s.text(row: $0).contains("no scores") })
}

@Test func colourBarShowsRangeAndThreshold() {
    let scene = Scene(image: Versioned(RGBImage(width: 40, height: 20, repeating: RGB(gray: 9))),
                      scores: Versioned(ScoreMap(width: 40, height: 20, repeating: 0.5)),
                      scoreRange: 0...1, threshold: 0.5)
    let g = renderer(colorBar: true).render(.scores, scene: scene, columns: 40, rows: 10).grid
    let bar = g.text(row: 9)
    #expect(bar.hasPrefix("0.00 "))
    #expect(bar.hasSuffix(" 1.00"))
    // The bar spans columns 5..<35 (30 cells); 0.5 falls at cell 15, column 20.
    #expect(g[20, 9].glyph == "|")
    #expect(g[10, 9].background == .rgb(Colormap.viridis.color((Float(5) + 0.5) / 30)))
    #expect(TextFormat.range(-3, 250) == ("-3", "250"))
    #expect(TextFormat.range(0.01, 0.06) == ("0.0100", "0.0600"))
}

@Test func cachedRenderingEqualsUncached() {
    let image = RGBImage(width: 64, height: 48, pixels: (0..<(64 * 48)).map { (i: Int) -> RGB in
        RGB(UInt8(i % 251), UInt8((i % 13) * 19), 7)
    })
    let mask = Mask(width: 64, height: 48, pixels: (0..<(64 * 48)).map { $0 % 7 < 3 })
    let scene = Scene(image: Versioned(image), thresholdMask: Versioned(mask), s2mMask: Versioned(mask),
                      groundTruth: Versioned(mask))
    let cache = LayerCache()
    let cached = PanelRenderer(options: RenderOptions(), cache: cache)
    for kind in PanelKind.allCases {
        let a = cached.render(kind, scene: scene, columns: 30, rows: 11).grid
        let b = cached.render(kind, scene: scene, columns: 30, rows: 11).grid
        let c = renderer().render(kind, scene: scene, columns: 30, rows: 11).grid
        #expect(a == c && b == c, "\(kind)")
    }
    #expect(cache.count > 0)
}
