import S2MCore

/// Prompts drawn over a panel: box outlines on the pixel canvas (1 pixel wide, so a half cell
/// tall horizontally), point markers, the selected prompt's label and the editing cursor as glyphs.
public enum PromptOverlay {
    /// The inclusive canvas pixel rectangle a half-open image box covers.
    public static func canvasRect(_ box: Box, placement: Placement) -> (x0: Int, y0: Int, x1: Int, y1: Int) {
        let a = placement.canvasPoint(x: box.x0, y: box.y0)
        let b = placement.canvasPoint(x: box.x1, y: box.y1)
        let x0 = Int(a.x.rounded(.down)), y0 = Int(a.y.rounded(.down))
        let x1 = max(Int(b.x.rounded(.up)) - 1, x0), y1 = max(Int(b.y.rounded(.up)) - 1, y0)
        return (x0, y0, x1, y1)
    }

    /// The canvas pixel under an image point.
    public static func canvasPixel(x: Double, y: Double, placement: Placement) -> (x: Int, y: Int) {
        let p = placement.canvasPoint(x: x, y: y)
        return (Int(p.x.rounded(.down)), Int(p.y.rounded(.down)))
    }

    /// Box outlines: disabled ones dashed, the selected one last so it stays on top.
    public static func drawBoxes(_ canvas: inout PixelCanvas, scene: Scene, placement: Placement,
                                 style: RenderStyle) {
        for (i, marker) in scene.prompts.enumerated() where i != scene.selectedPrompt {
            guard let box = marker.prompt.box else { continue }
            let r = canvasRect(box, placement: placement)
            canvas.strokeRect(x0: r.x0, y0: r.y0, x1: r.x1, y1: r.y1,
                              marker.isEnabled ? style.box : style.disabledBox, dashed: !marker.isEnabled)
        }
        if let s = scene.selectedPrompt, scene.prompts.indices.contains(s), let box = scene.prompts[s].prompt.box {
            let r = canvasRect(box, placement: placement)
            canvas.strokeRect(x0: r.x0, y0: r.y0, x1: r.x1, y1: r.y1, style.selectedBox,
                              dashed: !scene.prompts[s].isEnabled)
        }
        if let corner = scene.pendingBoxCorner, let cursor = scene.cursor {
            let box = Box(x0: min(corner.x, cursor.x), y0: min(corner.y, cursor.y),
                          x1: max(corner.x, cursor.x), y1: max(corner.y, cursor.y))
            let r = canvasRect(box, placement: placement)
            canvas.strokeRect(x0: r.x0, y0: r.y0, x1: r.x1, y1: r.y1, style.cursor, dashed: true)
        }
    }

    /// Point markers (`+` positive, `-` negative), the selected prompt's `#n 0.87` label and the
    /// cursor, written into the cells of the panel.
    public static func drawGlyphs(_ grid: inout CellGrid, scene: Scene, placement: Placement,
                                  options: RenderOptions, mode: any ColorMode) {
        let rowsPerCell = options.geometry.pixelsPerRow
        func cellOf(x: Double, y: Double) -> (Int, Int)? {
            let p = canvasPixel(x: x, y: y, placement: placement)
            let inside = p.x >= placement.drawX && p.x < placement.drawX + placement.drawWidth
                && p.y >= placement.drawY && p.y < placement.drawY + placement.drawHeight
            return inside ? (p.x, p.y / rowsPerCell) : nil
        }
        let order = scene.prompts.indices.filter { $0 != scene.selectedPrompt } + [scene.selectedPrompt].compactMap { $0 }
        for i in order where scene.prompts.indices.contains(i) {
            let marker = scene.prompts[i]
            let selected = i == scene.selectedPrompt
            for point in marker.prompt.points {
                guard let (cx, cy) = cellOf(x: point.x, y: point.y) else { continue }
                let color = !marker.isEnabled ? options.style.disabledBox
                    : (point.isPositive ? options.style.positivePoint : options.style.negativePoint)
                write(&grid, point.isPositive ? "+" : "-", x: cx, y: cy, color: color, mode: mode,
                      highlight: selected)
            }
        }
        if let s = scene.selectedPrompt, scene.prompts.indices.contains(s) {
            let prompt = scene.prompts[s].prompt
            let label = "#\(s + 1) \(TextFormat.fraction(prompt.confidence))"
            var anchor: (x: Int, y: Int)?
            if let box = prompt.box {
                let r = canvasRect(box, placement: placement)
                let top = r.y0 / rowsPerCell
                anchor = (r.x0, top > 0 ? top - 1 : min(r.y1 / rowsPerCell + 1, grid.height - 1))
            } else if let first = prompt.points.first {
                let p = canvasPixel(x: first.x, y: first.y, placement: placement)
                anchor = (p.x + 1, p.y / rowsPerCell)
            }
            if let anchor {
                let x = min(max(anchor.x, placement.drawX), max(grid.width - label.count, 0))
                let y = min(max(anchor.y, 0), grid.height - 1)
                label.unicodeScalars.enumerated().forEach { k, scalar in
                    if grid.contains(x: x + k, y: y) {
                        grid[x + k, y] = labelCell(scalar, mode: mode, style: options.style)
                    }
                }
            }
        }
        if let cursor = scene.cursor, let (cx, cy) = cellOf(x: cursor.x, y: cursor.y) {
            write(&grid, options.unicode ? "\u{253C}" : "X", x: cx, y: cy, color: options.style.cursor,
                  mode: mode, highlight: true)
        }
    }

    static func labelCell(_ scalar: Unicode.Scalar, mode: any ColorMode, style: RenderStyle) -> Cell {
        if mode.kind == .mono { return Cell(scalar, attributes: [.reverse, .bold]) }
        return Cell(scalar, foreground: mode.terminalColor(style.labelText),
                    background: mode.terminalColor(style.selectedBox), attributes: .bold)
    }

    /// Writes one glyph in `color`, keeping the cell's background (the lower pixel of a half block).
    static func write(_ grid: inout CellGrid, _ glyph: Unicode.Scalar, x: Int, y: Int, color: RGB,
                      mode: any ColorMode, highlight: Bool) {
        guard grid.contains(x: x, y: y) else { return }
        if mode.kind == .mono {
            grid[x, y] = Cell(glyph, attributes: highlight ? [.reverse, .bold] : [.bold])
            return
        }
        let background = grid[x, y].background
        grid[x, y] = Cell(glyph, foreground: mode.terminalColor(color), background: background,
                          attributes: highlight ? .bold : [])
    }
}
