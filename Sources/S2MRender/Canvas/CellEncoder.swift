import S2MCore

/// Turns a pixel canvas into cells through a colour mode.
public enum CellEncoder {
    /// Half-block geometry: cell (x, y) shows canvas pixels (x, 2y) above (x, 2y + 1). Cells
    /// outside the drawn rectangle are blank (terminal background); a cell with only one half
    /// drawn shows that half as a half block on the terminal background.
    /// Full-cell geometry: cell (x, y) shows canvas pixel (x, y).
    public static func encode(_ canvas: PixelCanvas, mode: any ColorMode, geometry: CellGeometry) -> CellGrid {
        let rows = geometry == .halfBlock ? (canvas.height + 1) / 2 : canvas.height
        var grid = CellGrid(width: canvas.width, height: rows)
        guard canvas.drawWidth > 0, canvas.drawHeight > 0 else { return grid }
        let x0 = canvas.drawX, x1 = canvas.drawX + canvas.drawWidth
        switch geometry {
        case .fullCell:
            for y in canvas.drawY..<(canvas.drawY + canvas.drawHeight) {
                for x in x0..<x1 { grid[x, y] = mode.cell(single: canvas[x, y]) }
            }
        case .halfBlock:
            let firstRow = canvas.drawY / 2, lastRow = (canvas.drawY + canvas.drawHeight - 1) / 2
            for row in firstRow...lastRow {
                let top = 2 * row, bottom = 2 * row + 1
                let topDrawn = top >= canvas.drawY && top < canvas.drawY + canvas.drawHeight
                let bottomDrawn = bottom >= canvas.drawY && bottom < canvas.drawY + canvas.drawHeight
                for x in x0..<x1 {
                    if topDrawn && bottomDrawn {
                        grid[x, row] = mode.cell(upper: canvas[x, top], lower: canvas[x, bottom])
                    } else if topDrawn {
                        grid[x, row] = halfCell(canvas[x, top], glyph: Cell.upperHalfBlock, mode: mode)
                    } else if bottomDrawn {
                        grid[x, row] = halfCell(canvas[x, bottom], glyph: Cell.lowerHalfBlock, mode: mode)
                    }
                }
            }
        }
        return grid
    }

    private static func halfCell(_ color: RGB, glyph: Unicode.Scalar, mode: any ColorMode) -> Cell {
        if mode.kind == .mono {
            return MonochromeMode.luma(color) >= 128 ? Cell(glyph) : Cell(" ")
        }
        return Cell(glyph, foreground: mode.terminalColor(color), background: .default)
    }
}
