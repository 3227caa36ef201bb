/// A `width` x `height` block of terminal cells, row-major (column x right, row y down).
/// Renderers produce grids; the terminal shell draws them and the ANSI writer prints them.
public struct CellGrid: Hashable, Sendable {
    public let width: Int
    public let height: Int
    public var cells: [Cell]

    /// A grid filled with `cell`.
    public init(width: Int, height: Int, filling cell: Cell = .blank) {
        precondition(width >= 0 && height >= 0, "negative grid size \(width)x\(height)")
        self.width = width
        self.height = height
        self.cells = Array(repeating: cell, count: width * height)
    }

    /// The cell at column `x`, row `y`.
    @inlinable
    public subscript(x: Int, y: Int) -> Cell {
        get { cells[y * width + x] }
        set { cells[y * width + x] = newValue }
    }

    /// True when (x, y) lies inside the grid.
    @inlinable
    public func contains(x: Int, y: Int) -> Bool {
        x >= 0 && y >= 0 && x < width && y < height
    }

    /// Writes `text` from (x, y) rightwards, one scalar per cell, clipped at the grid's edges.
    /// Returns the column after the last cell written (or that would have been written).
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, foreground: TerminalColor = .default,
                             background: TerminalColor = .default,
                             attributes: CellAttributes = []) -> Int {
        var column = x
        guard y >= 0 && y < height else { return x + text.unicodeScalars.count }
        for scalar in text.unicodeScalars {
            if column >= 0 && column < width {
                self[column, y] = Cell(scalar, foreground: foreground, background: background,
                                       attributes: attributes)
            }
            column += 1
        }
        return column
    }

    /// Copies `other` so that its top-left cell lands on (x, y); parts outside are clipped.
    public mutating func blit(_ other: CellGrid, x: Int, y: Int) {
        for row in 0..<other.height {
            let ty = y + row
            guard ty >= 0 && ty < height else { continue }
            for column in 0..<other.width {
                let tx = x + column
                guard tx >= 0 && tx < width else { continue }
                cells[ty * width + tx] = other.cells[row * other.width + column]
            }
        }
    }

    /// The glyphs of row `y` as a string (colours dropped); handy in tests and logs.
    public func text(row y: Int) -> String {
        var s = String.UnicodeScalarView()
        for x in 0..<width { s.append(self[x, y].glyph) }
        return String(s)
    }
}
