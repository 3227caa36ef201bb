import Testing
import S2MCore
@testable import S2MRender

/// A 2x2 image: red over blue in the left column, green over blue in the right, rendered as a
/// 2x1-cell image panel.
private let twoByTwo = RGBImage(width: 2, height: 2, pixels: [RGB(255, 0, 0), RGB(0, 255, 0),
                                                             RGB(0, 0, 255), RGB(0, 0, 255)])

private func render(_ image: RGBImage, mode: ColorModeKind, geometry: CellGeometry = .halfBlock,
                    columns: Int = 2, rows: Int = 1) -> CellGrid {
    let renderer = PanelRenderer(options: RenderOptions(colorMode: mode, geometry: geometry))
    return renderer.render(.image, scene: Scene(image: Versioned(image)), columns: columns, rows: rows).grid
}

@Test func trueColorCellsCarryBothHalves() {
    let g = render(twoByTwo, mode: .truecolor)
    #expect(g[0, 0] == Cell("▀", foreground: .rgb(RGB(255, 0, 0)), background: .rgb(RGB(0, 0, 255))))
    #expect(g[1, 0] == Cell("▀", foreground: .rgb(RGB(0, 255, 0)), background: .rgb(RGB(0, 0, 255))))
    // Equal halves become a space on the background.
    let flat = render(RGBImage(width: 1, height: 2, repeating: RGB(1, 2, 3)), mode: .truecolor, columns: 1)
    #expect(flat[0, 0] == Cell(" ", background: .rgb(RGB(1, 2, 3))))
}

@Test func palette256CellsUseCubeAndGreyEntries() {
    let g = render(twoByTwo, mode: .palette256)
    #expect(g[0, 0] == Cell("▀", foreground: .indexed(196), background: .indexed(21)))
    #expect(g[1, 0] == Cell("▀", foreground: .indexed(46), background: .indexed(21)))
    let grey = RGBImage(width: 1, height: 2, pixels: [RGB(gray: 100), RGB(255, 135, 0)])
    #expect(render(grey, mode: .palette256, columns: 1)[0, 0]
            == Cell("▀", foreground: .indexed(241), background: .indexed(208)))
}

@Test func palette16CellsUseSystemColours() {
    let g = render(twoByTwo, mode: .palette16)
    #expect(g[0, 0] == Cell("▀", foreground: .indexed(9), background: .indexed(4)))
    #expect(g[1, 0] == Cell("▀", foreground: .indexed(10), background: .indexed(4)))
}

@Test func monochromeCellsUseShadesAndHalfBlocks() {
    let image = RGBImage(width: 4, height: 2, pixels: [
        RGB(gray: 255), RGB(gray: 0), RGB(gray: 128), RGB(gray: 255),
        RGB(gray: 0), RGB(gray: 255), RGB(gray: 128), RGB(gray: 255),
    ])
    let g = render(image, mode: .mono, columns: 4)
    #expect(g[0, 0] == Cell("▀"))
    #expect(g[1, 0] == Cell("▄"))
    #expect(g[2, 0] == Cell("▒"))
    #expect(g[3, 0] == Cell("█"))
    #expect(MonochromeMode.shade(0) == " ")
    #expect(MonochromeMode.shade(64) == "░")
}

@Test func fullCellGeometryShowsOnePixelPerCell() {
    // Without UTF-8: a cell is one pixel twice as tall as wide, so a 2x2 image fills 2x1 cells
    // and each cell averages its column.
    let g = render(twoByTwo, mode: .truecolor, geometry: .fullCell)
    #expect(g[0, 0] == Cell(" ", background: .rgb(RGB(128, 0, 128))))
    #expect(g[1, 0] == Cell(" ", background: .rgb(RGB(0, 128, 128))))
    let mono = render(twoByTwo, mode: .mono, geometry: .fullCell)
    #expect(mono[0, 0].glyph == MonochromeMode.asciiRamp[MonochromeMode.luma(RGB(128, 0, 128)) * 10 / 256])
}

@Test func aHalfDrawnCellKeepsTheTerminalBackground() {
    // A 2x1 image in a 1x1-cell panel (canvas 1x2) is drawn 1 pixel tall at the top: the cell
    // shows it as an upper half block on the terminal's own background.
    let g = render(RGBImage(width: 2, height: 1, repeating: RGB(255, 0, 0)), mode: .truecolor, columns: 1, rows: 1)
    #expect(g[0, 0] == Cell("▀", foreground: .rgb(RGB(255, 0, 0)), background: .default))
}

@Test func colorModeDetection() {
    #expect(ColorModeKind.detect(environment: ["TERM": "xterm-256color", "COLORTERM": "truecolor"]) == .truecolor)
    #expect(ColorModeKind.detect(environment: ["TERM": "tmux-256color"]) == .palette256)
    #expect(ColorModeKind.detect(environment: ["TERM": "xterm-direct"]) == .truecolor)
    #expect(ColorModeKind.detect(environment: ["TERM": "xterm"], terminfoColors: 8) == .palette16)
    #expect(ColorModeKind.detect(environment: ["TERM": "vt100"], terminfoColors: -1) == .mono)
    #expect(ColorModeKind.detect(environment: ["TERM": "dumb"]) == .mono)
    #expect(ColorModeKind.detect(environment: [:]) == .mono)
    #expect(ColorModeKind.detect(environment: ["TERM": "xterm-256color", "NO_COLOR": "1"]) == .mono)
    #expect(ColorModeKind.truecolor.fallback == .palette256)
    #expect(ColorModeKind.mono.fallback == nil)
    #expect(ColorModeKind(argument: "24bit") == .truecolor)
    #expect(ColorModeKind(argument: "256") == .palette256)
    #expect(ColorModeKind(argument: "rainbow") == nil)
}
