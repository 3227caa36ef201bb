import Testing
import S2MCore
@testable import S2MRender

@Test func ansiBytesSendColoursOnlyWhenTheyChange() {
    var grid = CellGrid(width: 3, height: 1)
    grid[0, 0] = Cell("▀", foreground: .rgb(RGB(255, 0, 0)), background: .rgb(RGB(0, 0, 255)))
    grid[1, 0] = grid[0, 0]
    grid[2, 0] = Cell(" ", foreground: .rgb(RGB(255, 0, 0)), background: .rgb(RGB(0, 1, 2)))
    #expect(ANSIWriter.string(grid) == "\u{1B}[38;2;255;0;0;48;2;0;0;255m▀▀\u{1B}[48;2;0;1;2m \u{1B}[0m\n")
}

@Test func ansiPaletteForms() {
    var grid = CellGrid(width: 3, height: 2)
    grid[0, 0] = Cell("▀", foreground: .indexed(196), background: .indexed(21))
    grid[1, 0] = Cell("▀", foreground: .indexed(9), background: .indexed(4))
    grid[2, 0] = Cell("x", foreground: .default, background: .indexed(12))
    grid[0, 1] = Cell("a", attributes: .reverse)
    grid[1, 1] = Cell("b", attributes: [.reverse, .bold])
    grid[2, 1] = Cell("c")
    let expected = "\u{1B}[38;5;196;48;5;21m▀\u{1B}[91;44m▀\u{1B}[39;104mx\u{1B}[0m\n"
        + "\u{1B}[0;7ma\u{1B}[0;1;7mb\u{1B}[0mc\u{1B}[0m\n"
    #expect(ANSIWriter.string(grid) == expected)
}

@Test func plainTextKeepsGlyphs() {
    var grid = CellGrid(width: 4, height: 1)
    grid.put("ab", x: 1, y: 0)
    #expect(ANSIWriter.plainText(grid) == " ab \n")
}
