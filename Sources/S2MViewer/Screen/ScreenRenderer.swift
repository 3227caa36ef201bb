import S2MCore
import S2MRender

/// Draws the whole viewer screen from the model: panels with titles, the status line, the hint
/// or message line, and the help, form, confirmation and tour boxes. Pure: cells out.
public struct ScreenRenderer {
    public var colorMode: ColorModeKind
    public var geometry: CellGeometry
    /// Resampled layers, kept between frames.
    public let cache: LayerCache

    public init(colorMode: ColorModeKind, geometry: CellGeometry, cache: LayerCache = LayerCache()) {
        self.colorMode = colorMode
        self.geometry = geometry
        self.cache = cache
    }

    var unicode: Bool { geometry == .halfBlock }
    var mode: any ColorMode { colorMode.mode }

    /// The screen for `model`; `frame` animates the busy marker.
    public func render(_ model: ViewerModel, frame: Int = 0) -> CellGrid {
        let columns = model.screenColumns, rows = model.screenRows
        var grid = CellGrid(width: max(columns, 0), height: max(rows, 0))
        guard columns > 0, rows > 0 else { return grid }
        let layout = model.screenLayout
        if layout.isTooSmall {
            let text = "too small: \(columns)x\(rows), need \(ScreenLayout.minimumColumns)x\(ScreenLayout.minimumRows)"
            grid.put(String(text.prefix(columns)), x: 0, y: rows / 2)
            return grid
        }
        if let scene = model.scene {
            let options = RenderOptions(colorMode: colorMode, geometry: geometry, colormap: model.colormap)
            let renderer = PanelRenderer(options: options, cache: cache)
            for frame in layout.frames {
                drawTitle(&grid, frame: frame, model: model)
                let panel = renderer.render(frame.kind, scene: scene, columns: frame.bodyColumns,
                                            rows: frame.bodyRows, viewport: model.viewport)
                grid.blit(panel.grid, x: frame.x, y: frame.y + 1)
            }
        } else {
            let text = model.loadError ?? (model.loading != nil ? "loading \(model.currentItem?.name ?? "")…" : "no image")
            grid.put(String(text.prefix(columns)), x: max((columns - text.count) / 2, 0), y: (rows - 2) / 2)
        }
        drawStatus(&grid, model: model, frame: frame)
        switch model.mode {
        case .help: drawHelp(&grid)
        case .form(let field): drawForm(&grid, model: model, field: field)
        case .confirmQuit:
            drawBox(&grid, title: "unsaved edits", lines: [
                "Your edits are not saved.",
                "s: save and quit    q: quit without saving    Esc: stay",
            ], highlight: nil, atBottom: false)
        case .tour(let step):
            if Tour.steps.indices.contains(step) {
                let s = Tour.steps[step]
                drawBox(&grid, title: s.title, lines: s.text(model), highlight: nil, atBottom: true)
            }
        case .browse:
            break
        }
        return grid
    }

    // MARK: - Titles and status

    func drawTitle(_ grid: inout CellGrid, frame: PanelFrame, model: ViewerModel) {
        let rule: Unicode.Scalar = unicode ? "─" : "-"
        for x in frame.x..<(frame.x + frame.bodyColumns) { grid[x, frame.y] = Cell(rule) }
        var title = " \(frame.kind.title) "
        switch frame.kind {
        case .scores:
            title += "(\(model.colormap.name)) "
        case .threshold:
            title = " threshold t=\(TextFormat.score(model.threshold)) "
        case .s2m:
            if let s = model.selected { title = " S2M, prompt \(s + 1)/\(model.prompts.count) " }
        case .diff:
            title = " diff: \(model.diffSource == .s2m ? "S2M" : "threshold") vs ground truth "
        default:
            break
        }
        grid.put(String(title.prefix(max(frame.bodyColumns - 1, 0))), x: frame.x + 1, y: frame.y, attributes: .bold)
    }

    static let spinner: [String] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"]
    static let asciiSpinner: [String] = ["|", "/", "-", "\\"]

    /// The status line's text (also used by tests and the tmux end-to-end test).
    public func statusText(_ model: ViewerModel, frame: Int = 0) -> String {
        var parts = [String]()
        if let item = model.currentItem {
            parts.append(model.order.count > 1 ? "\(item.name) (\(model.position + 1)/\(model.order.count))" : item.name)
        }
        if model.current != nil {
            if let s = model.selected, model.prompts.indices.contains(s) {
                let entry = model.prompts[s]
                let kind = entry.prompt.kind?.rawValue ?? "empty"
                parts.append("prompt \(s + 1)/\(model.prompts.count) \(kind) \(TextFormat.fraction(entry.prompt.confidence))\(entry.isEnabled ? "" : " off")")
            } else {
                parts.append(model.prompts.isEmpty ? "no prompts" : "\(model.prompts.count) prompts")
            }
            if model.current?.data.scores != nil { parts.append("t=\(TextFormat.score(model.threshold))") }
            if let m = model.metrics {
                parts.append("IoU thr \(TextFormat.fraction(m.threshold.iou)) S2M \(TextFormat.fraction(m.s2m.iou))")
                parts.append("F1 thr \(TextFormat.fraction(m.threshold.f1)) S2M \(TextFormat.fraction(m.s2m.f1))")
            }
            if !model.configuration.segmenterNames.isEmpty {
                parts.append(model.configuration.segmenterNames[model.segmenterIndex])
            }
            if model.viewport.zoom > 1 { parts.append("zoom \(TextFormat.score(Float(model.viewport.zoom)))x") }
        }
        if model.isBusy {
            let frames = unicode ? Self.spinner : Self.asciiSpinner
            var busy = frames[frame % frames.count] + " "
            if let rank = model.rankProgress {
                busy += "ranking \(rank.done)/\(rank.total)"
            } else if model.loading != nil {
                busy += "loading"
            } else if model.jobTotal > 0 {
                busy += "segmenting \(min(model.jobDone, model.jobTotal))/\(model.jobTotal)"
            } else {
                busy += "making prompts"
            }
            parts.append(busy + " (Esc cancels)")
        }
        if model.dirty { parts.append("edited") }
        return parts.joined(separator: unicode ? " │ " : " | ")
    }

    func drawStatus(_ grid: inout CellGrid, model: ViewerModel, frame: Int) {
        let y = grid.height - 2
        guard y >= 0 else { return }
        let text = " " + statusText(model, frame: frame)
        for x in 0..<grid.width { grid[x, y] = Cell(" ", attributes: .reverse) }
        grid.put(String(text.prefix(grid.width)), x: 0, y: y, attributes: .reverse)
        let hint = model.message ?? (unicode ? KeyMap.hint : KeyMap.asciiHint)
        grid.put(String((" " + hint).prefix(grid.width)), x: 0, y: grid.height - 1,
                 attributes: model.message == nil ? [] : .bold)
    }

    // MARK: - Boxes

    /// A framed box in the middle (or near the bottom) of the screen; `highlight` marks one line.
    func drawBox(_ grid: inout CellGrid, title: String, lines: [String], highlight: Int?, atBottom: Bool) {
        let maxWidth = grid.width - 2
        let contentWidth = min(max(lines.map(\.count).max() ?? 0, title.count + 2), maxWidth - 4)
        guard contentWidth > 4 else { return }
        let wrapped = lines.flatMap { wrap($0, width: contentWidth) }
        let boxWidth = contentWidth + 4
        let boxHeight = min(wrapped.count + 2, grid.height - 2)
        let x0 = (grid.width - boxWidth) / 2
        let y0 = atBottom ? max(grid.height - 2 - boxHeight, 0) : max((grid.height - 2 - boxHeight) / 2, 0)
        let (h, v, tl, tr, bl, br): (Unicode.Scalar, Unicode.Scalar, Unicode.Scalar, Unicode.Scalar, Unicode.Scalar, Unicode.Scalar)
            = unicode ? ("─", "│", "┌", "┐", "└", "┘") : ("-", "|", "+", "+", "+", "+")
        let bg = mode.kind == .mono ? TerminalColor.default : mode.terminalColor(RGB(gray: 28))
        let fg = mode.kind == .mono ? TerminalColor.default : mode.terminalColor(RGB(gray: 238))
        for y in y0..<(y0 + boxHeight) {
            for x in x0..<(x0 + boxWidth) {
                let glyph: Unicode.Scalar
                switch (y == y0, y == y0 + boxHeight - 1, x == x0, x == x0 + boxWidth - 1) {
                case (true, _, true, _): glyph = tl
                case (true, _, _, true): glyph = tr
                case (_, true, true, _): glyph = bl
                case (_, true, _, true): glyph = br
                case (true, _, _, _), (_, true, _, _): glyph = h
                case (_, _, true, _), (_, _, _, true): glyph = v
                default: glyph = " "
                }
                grid[x, y] = Cell(glyph, foreground: fg, background: bg)
            }
        }
        grid.put(" \(title) ", x: x0 + 2, y: y0, foreground: fg, background: bg, attributes: .bold)
        for (i, line) in wrapped.prefix(boxHeight - 2).enumerated() {
            let attributes: CellAttributes = i == highlight ? .reverse : []
            let padded = line.padding(toLength: contentWidth, withPad: " ", startingAt: 0)
            grid.put(padded, x: x0 + 2, y: y0 + 1 + i, foreground: fg, background: bg, attributes: attributes)
        }
    }

    func wrap(_ line: String, width: Int) -> [String] {
        guard line.count > width else { return [line] }
        var out = [String](), current = ""
        for word in line.split(separator: " ", omittingEmptySubsequences: false) {
            if current.isEmpty {
                current = String(word)
            } else if current.count + 1 + word.count <= width {
                current += " " + word
            } else {
                out.append(current)
                current = String(word)
            }
            while current.count > width {
                out.append(String(current.prefix(width)))
                current = String(current.dropFirst(width))
            }
        }
        out.append(current)
        return out
    }

    func drawHelp(_ grid: inout CellGrid) {
        var lines = [String]()
        let keyWidth = KeyMap.groups.flatMap(\.entries).map(\.keys.count).max() ?? 10
        for group in KeyMap.groups {
            if !lines.isEmpty { lines.append("") }
            lines.append(group.title.uppercased())
            for entry in group.entries {
                let keys = unicode ? entry.keys : entry.keys.replacingOccurrences(of: "←", with: "Left")
                    .replacingOccurrences(of: "→", with: "Right")
                lines.append("  " + keys.padding(toLength: keyWidth + 2, withPad: " ", startingAt: 0) + entry.action)
            }
        }
        drawBox(&grid, title: "keys (any key closes)", lines: lines, highlight: nil, atBottom: false)
    }

    func drawForm(_ grid: inout CellGrid, model: ViewerModel, field: Int) {
        guard let generator = model.currentGenerator else { return }
        let parameters = generator.parameters
        let labelWidth = max(parameters.map(\.key.count).max() ?? 8, 9)
        let arrows = unicode ? ("◀", "▶") : ("<", ">")
        let choice = model.configuration.generators.count > 1 ? "\(arrows.0) \(generator.name) \(arrows.1)" : generator.name
        var lines = ["generator".padding(toLength: labelWidth + 2, withPad: " ", startingAt: 0) + choice]
        lines += parameters.map { p -> String in
            let value = p.format(model.generatorValues[p.key] ?? p.defaultValue)
            return p.key.padding(toLength: labelWidth + 2, withPad: " ", startingAt: 0)
                + value.padding(toLength: 9, withPad: " ", startingAt: 0) + p.help
        }
        lines.append("")
        lines.append(unicode ? "↑↓ row   ←→ change (Shift ×10)   r defaults   Enter close"
                             : "Up/Down row   Left/Right change (Shift x10)   r defaults   Enter close")
        lines.append("\(model.prompts.count) prompts" + (model.isBusy ? ", remaking…" : ""))
        drawBox(&grid, title: "prompt generator", lines: lines, highlight: field, atBottom: false)
    }
}
