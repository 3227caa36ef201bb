import Foundation
import Testing
import S2MCore
import S2MRender
@testable import S2MViewer

@Test func panelCountFollowsTheTerminalSize() {
    var h = Harness()  // 40x20 image: aspect 2
    #expect(h.model.panelKinds.count == 6)  // 160x50
    h.resize(100, 30)
    #expect(h.model.panelKinds.count == 4)
    h.resize(70, 24)
    #expect(h.model.panelKinds.count == 2)
    h.resize(60, 20)
    #expect(h.model.panelKinds.count == 1)
    h.resize(15, 5)
    #expect(h.model.screenLayout.isTooSmall)
    let small = ScreenRenderer(colorMode: .truecolor, geometry: .halfBlock).render(h.model)
    #expect(small.text(row: 2).hasPrefix("too small: 15x5"))
    h.resize(160, 50)
    h.press("1")
    #expect(h.model.panelKinds == [.s2m])
    h.press("v")
    #expect(h.model.panelKinds == [.scores])
    h.press("2")
    #expect(h.model.panelKinds == [.scores, .s2m])
    h.press("4")
    #expect(h.model.panelKinds == [.scores, .threshold, .s2m, .label])
    h.press("0")
    #expect(h.model.panelKinds.count == 6)
}

@Test func framesTileTheScreenAboveTheStatusLines() {
    for (columns, rows) in [(160, 50), (120, 40), (200, 60), (80, 24), (100, 70)] {
        for kinds in [[PanelKind.image, .scores, .threshold, .s2m, .label, .diff], [.image, .scores, .threshold, .s2m],
                      [.scores, .s2m], [.s2m]] {
            let layout = ScreenLayout(columns: columns, rows: rows, kinds: kinds, imageAspect: 16.0 / 9.0)
            #expect(layout.frames.map(\.kind) == kinds)
            // Inside the screen, above the two footer rows, and no two frames overlap.
            var covered = Set<Int>()
            for f in layout.frames {
                #expect(f.x >= 0 && f.y >= 0 && f.x + f.width <= columns && f.y + f.height <= rows - 2)
                #expect(f.bodyColumns <= f.width && f.bodyColumns >= f.width - 1)
                for y in f.y..<(f.y + f.height) {
                    for x in f.x..<(f.x + f.width) { #expect(covered.insert(y * columns + x).inserted) }
                }
            }
        }
    }
    // Two panels side by side on a wide screen, stacked on a tall one.
    let two = ScreenLayout(columns: 200, rows: 40, kinds: [.scores, .s2m], imageAspect: 16.0 / 9.0)
    #expect(two.frames.map(\.x) == [0, 100] && two.frames.allSatisfy { $0.y == 0 })
    let tall = ScreenLayout(columns: 80, rows: 60, kinds: [.scores, .s2m], imageAspect: 16.0 / 9.0)
    #expect(tall.frames.map(\.y) == [0, 29] && tall.frames.allSatisfy { $0.x == 0 })
    // Six panels at 160x50 leave every picture at least 52x14 cells.
    let six = ScreenLayout(columns: 160, rows: 50, kinds: PanelKind.allCases, imageAspect: 16.0 / 9.0)
    for f in six.frames {
        let picture = ScreenLayout.fittedCells(width: f.bodyColumns, height: f.bodyRows, imageAspect: 16.0 / 9.0)
        #expect(picture.width >= 52 && picture.height >= 14)
    }
}

@Test func screenShowsPanelsTitlesStatusAndHint() {
    let h = Harness()
    let screen = ScreenRenderer(colorMode: .palette256, geometry: .halfBlock).render(h.model)
    #expect(screen.width == 160 && screen.height == 50)
    let text = (0..<50).map { screen.text(row: $0) }.joined(separator: "\n")
    #expect(screen.text(row: 0).hasPrefix("─ image ─"))
    #expect(text.contains(" scores (viridis) "))
    #expect(text.contains(" threshold t=0.500 "))
    #expect(screen.text(row: 48).contains("prompt 1/2 box 1.00"))
    #expect(screen.text(row: 49).contains("? keys"))
    #expect(screen.cells.contains { $0.glyph == "▀" })
    #expect(screen.cells.allSatisfy { cell in
        if case .rgb = cell.foreground { return false }
        if case .rgb = cell.background { return false }
        return true
    })
}

@Test func asciiFallbackUsesNoUnicode() {
    let h = Harness()
    let screen = ScreenRenderer(colorMode: .palette16, geometry: .fullCell).render(h.model)
    #expect(screen.cells.allSatisfy { $0.glyph.isASCII })
}

@Test func helpOverlayListsEveryKeyAndAnyKeyCloses() {
    var h = Harness()
    h.press("?")
    #expect(h.model.mode == .help)
    let screen = ScreenRenderer(colorMode: .truecolor, geometry: .halfBlock).render(h.model)
    let text = (0..<screen.height).map { screen.text(row: $0) }.joined(separator: "\n")
    for entry in KeyMap.groups.flatMap(\.entries) { #expect(text.contains(entry.action), "\(entry.action)") }
    h.press("z")
    #expect(h.model.mode == .browse)
}

@Test func formOverlayShowsParameters() {
    var h = Harness()
    h.press("g", "Down", "Down")
    let screen = ScreenRenderer(colorMode: .truecolor, geometry: .halfBlock).render(h.model)
    let rows = (0..<screen.height).map { screen.text(row: $0) }
    let blurRow = rows.firstIndex { $0.contains("score-blur") }!
    #expect(rows[blurRow].contains("1.0"))
    #expect(rows.contains { $0.contains("generator") && $0.contains("◀ strip ▶") })
    let x = rows[blurRow].range(of: "score-blur")!.lowerBound.utf16Offset(in: rows[blurRow])
    #expect(screen[x, blurRow].attributes.contains(.reverse))
}

@Test func docsListEveryKey() throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let doc = try String(contentsOf: root.appendingPathComponent("docs/viewer.md"), encoding: .utf8)
    for entry in KeyMap.groups.flatMap(\.entries) {
        #expect(doc.contains("| `\(entry.keys)` | \(entry.action) |"), "docs/viewer.md lacks \(entry.keys)")
    }
}
