import S2MRender

/// How many panels the viewer shows: chosen from the terminal size, or fixed by the user.
public enum LayoutChoice: Hashable, Sendable, Codable {
    case auto
    case panels(Int)

    /// The panel counts the viewer supports.
    public static let counts = [1, 2, 4, 6]
}

/// One panel's rectangle on the screen, in cells: a title row at `y`, the picture below it.
public struct PanelFrame: Hashable, Sendable {
    public var kind: PanelKind
    public var x: Int
    public var y: Int
    public var width: Int
    /// Rows including the title row.
    public var height: Int

    /// Rows of the picture (below the title).
    public var bodyRows: Int { max(height - 1, 0) }
    /// Columns of the picture: one column is left blank as a gutter when another panel follows.
    public var bodyColumns: Int
}

/// The arrangement of panels on a screen of `columns` x `rows` cells: panels in a grid, the
/// status line and a hint line on the last two rows.
public struct ScreenLayout: Hashable, Sendable {
    public var columns: Int
    public var rows: Int
    public var frames: [PanelFrame]

    /// Smallest screen the viewer draws on; below it only a message is shown.
    public static let minimumColumns = 20
    public static let minimumRows = 6
    /// Rows below the panels: the status line and the message / hint line.
    public static let footerRows = 2
    /// Smallest picture (cells) a panel may get when the panel count is automatic.
    public static let comfortableColumns = 36
    public static let comfortableRows = 10

    public var isTooSmall: Bool { columns < Self.minimumColumns || rows < Self.minimumRows }

    /// The panel count `choice` gives on this screen for an image of the given aspect.
    public static func panelCount(_ choice: LayoutChoice, columns: Int, rows: Int, imageAspect: Double,
                                  reservedRows: Int = 0) -> Int {
        switch choice {
        case .panels(let n): return n
        case .auto:
            for n in [6, 4, 2] {
                let available = rows - footerRows - effectiveReserve(reservedRows, rows: rows)
                let grid = bestGrid(count: n, columns: columns, rows: available, imageAspect: imageAspect)
                let w = columns / grid.columns - 1, h = available / grid.rows - 1
                // The picture inside the panel must be comfortable, as drawn (square pixels).
                let picture = fittedCells(width: w, height: h, imageAspect: imageAspect)
                if picture.width >= comfortableColumns && picture.height >= comfortableRows { return n }
            }
            return 1
        }
    }

    /// Cells an image of `imageAspect` (width / height) occupies in a `width` x `height`-cell
    /// area with half blocks (one cell = 1 x 2 square pixels).
    static func fittedCells(width: Int, height: Int, imageAspect: Double) -> (width: Int, height: Int) {
        guard width > 0, height > 0 else { return (0, 0) }
        let pixelsHigh = Double(height * 2)
        if Double(width) / imageAspect <= pixelsHigh {
            return (width, Int((Double(width) / imageAspect / 2).rounded()))
        }
        return (Int((pixelsHigh * imageAspect).rounded()), height)
    }

    /// The grid (columns x rows of panels) holding `count` panels that shows the largest pictures;
    /// among grids within 5% of the largest, the one that leaves the least of its panels empty.
    static func bestGrid(count: Int, columns: Int, rows: Int, imageAspect: Double) -> (columns: Int, rows: Int) {
        var candidates = [(grid: (columns: Int, rows: Int), picture: Int, waste: Int)]()
        for gridColumns in 1...count {
            let gridRows = (count + gridColumns - 1) / gridColumns
            guard gridColumns * gridRows - count < gridColumns else { continue }  // no empty row
            let w = columns / gridColumns - 1, h = rows / gridRows - 1
            let picture = fittedCells(width: w, height: h, imageAspect: imageAspect)
            let area = picture.width * picture.height
            candidates.append(((gridColumns, gridRows), area, max(w, 0) * max(h, 0) - area))
        }
        let best = candidates.map(\.picture).max() ?? 0
        let near = candidates.filter { Double($0.picture) >= 0.95 * Double(best) }
        return near.min { $0.waste < $1.waste }?.grid ?? (count, 1)
    }

    /// Rows kept free above the footer for a box (the tour's), when the panels can spare them.
    static func effectiveReserve(_ reservedRows: Int, rows: Int) -> Int {
        rows - footerRows - reservedRows >= 12 ? reservedRows : 0
    }

    /// Lays out `kinds` on the screen, leaving the last rows for the status and hint lines (and
    /// `reservedRows` above them for a box, when the screen is tall enough).
    public init(columns: Int, rows: Int, kinds: [PanelKind], imageAspect: Double, reservedRows: Int = 0) {
        self.columns = columns
        self.rows = rows
        guard columns >= Self.minimumColumns, rows >= Self.minimumRows, !kinds.isEmpty else {
            frames = []
            return
        }
        let available = rows - Self.footerRows - Self.effectiveReserve(reservedRows, rows: rows)
        let grid = Self.bestGrid(count: kinds.count, columns: columns, rows: available, imageAspect: imageAspect)
        var frames = [PanelFrame]()
        for (i, kind) in kinds.enumerated() {
            let gx = i % grid.columns, gy = i / grid.columns
            let x0 = gx * columns / grid.columns, x1 = (gx + 1) * columns / grid.columns
            let y0 = gy * available / grid.rows, y1 = (gy + 1) * available / grid.rows
            let gutter = gx + 1 < grid.columns && i + 1 < kinds.count ? 1 : 0
            frames.append(PanelFrame(kind: kind, x: x0, y: y0, width: x1 - x0, height: y1 - y0,
                                     bodyColumns: x1 - x0 - gutter))
        }
        self.frames = frames
    }
}

/// Which panels each panel count shows; `v` cycles through the sets of the current count.
public enum PanelSets {
    public static func sets(count: Int, hasLabel: Bool) -> [[PanelKind]] {
        switch count {
        case 1:
            return hasLabel ? [[.s2m], [.scores], [.threshold], [.image], [.label], [.diff]]
                : [[.s2m], [.scores], [.threshold], [.image]]
        case 2:
            return hasLabel ? [[.scores, .s2m], [.threshold, .s2m], [.s2m, .diff], [.image, .scores], [.label, .s2m]]
                : [[.scores, .s2m], [.threshold, .s2m], [.image, .scores]]
        case 4:
            return hasLabel ? [[.scores, .threshold, .s2m, .label], [.threshold, .s2m, .label, .diff],
                               [.image, .scores, .threshold, .s2m]]
                : [[.image, .scores, .threshold, .s2m]]
        default:
            return [[.image, .scores, .threshold, .s2m, .label, .diff]]
        }
    }
}
