import S2MCore

/// A one-row colour bar: `lo ▀▀▀▀▀▀ hi`, the heatmap's value range with its colours, and the
/// current threshold marked with `|` where it cuts the range.
public enum ColorBar {
    public static func render(width: Int, range: ClosedRange<Float>, threshold: Float?,
                              painter: HeatmapPainter, mode: any ColorMode,
                              geometry: CellGeometry) -> CellGrid {
        var grid = CellGrid(width: width, height: 1)
        let (lo, hi) = TextFormat.range(range.lowerBound, range.upperBound)
        var barStart = 0, barWidth = width
        if width >= lo.count + hi.count + 6 {
            grid.put(lo, x: 0, y: 0)
            grid.put(hi, x: width - hi.count, y: 0)
            barStart = lo.count + 1
            barWidth = width - lo.count - hi.count - 2
        }
        guard barWidth > 0 else { return grid }
        for i in 0..<barWidth {
            let t = (Float(i) + 0.5) / Float(barWidth)
            let x = barStart + i
            if geometry == .halfBlock {
                grid[x, 0] = mode.cell(upper: painter.color(t, x: x, y: 0), lower: painter.color(t, x: x, y: 1))
            } else {
                grid[x, 0] = mode.cell(single: painter.color(t, x: x, y: 0))
            }
        }
        if let threshold, range.upperBound > range.lowerBound {
            let t = (threshold - range.lowerBound) / (range.upperBound - range.lowerBound)
            if t >= 0 && t <= 1 {
                let x = barStart + min(Int(t * Float(barWidth)), barWidth - 1)
                let background = grid[x, 0].background
                grid[x, 0] = mode.kind == .mono
                    ? Cell("|", attributes: [.reverse, .bold])
                    : Cell("|", foreground: mode.terminalColor(RGB(255, 255, 255)),
                           background: background == .default ? mode.terminalColor(RGB(gray: 0)) : background,
                           attributes: .bold)
            }
        }
        return grid
    }
}
