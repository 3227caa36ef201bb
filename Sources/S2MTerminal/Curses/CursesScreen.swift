import CNcursesw
import Foundation
import S2MCore
import S2MRender
import S2MViewer

/// The curses terminal: draws cell grids (only the cells that changed since the last frame go to
/// curses, and curses sends only what differs on the wire), reads keys, and restores the terminal
/// when closed.
public final class CursesScreen {
    /// The colour mode used (the best the terminal supports, or the one asked for if poorer).
    public let colorMode: ColorModeKind
    /// Half blocks when the locale is UTF-8, one pixel per cell otherwise.
    public let geometry: CellGeometry
    /// A note for the status line about fallbacks taken (e.g. no UTF-8), if any.
    public let notes: [String]
    private let screen: OpaquePointer
    private let output: UnsafeMutablePointer<FILE>
    private let input: UnsafeMutablePointer<FILE>
    private var pairs: ColorPairs
    /// Pairs already allocated, by (foreground number, background number).
    private var pairCache: [Int64: Int32] = [:]
    private var previous: CellGrid?
    private var isOpen = true
    /// Consecutive reads that found the input readable but got nothing: the terminal is gone.
    private var emptyReads = 0

    /// Opens the terminal on stdin/stdout. `requested` caps the colour mode; `ascii` forces the
    /// fallback without Unicode.
    /// - Throws: `S2MError` when stdin/stdout is not a terminal, the terminal type is unknown, or
    ///   the terminal is smaller than the viewer's minimum.
    public init(requested: ColorModeKind?, ascii: Bool) throws {
        guard isatty(STDIN_FILENO) != 0, isatty(STDOUT_FILENO) != 0 else {
            throw S2MError(file: nil, .invalid("s2m view needs a terminal on stdin and stdout (for files and logs use s2m render)"))
        }
        let environment = TerminalCapabilities.environment
        let term = environment["TERM"] ?? ""
        guard !term.isEmpty, term != "dumb" else {
            throw S2MError(file: nil, .invalid("the terminal type TERM='\(term)' cannot position the cursor; set TERM (e.g. xterm-256color)"))
        }
        if let size = TerminalCapabilities.size(),
           size.columns < ScreenLayout.minimumColumns || size.rows < ScreenLayout.minimumRows {
            throw S2MError(file: nil, .invalid("terminal too small: \(size.columns)x\(size.rows), s2m view needs at least \(ScreenLayout.minimumColumns)x\(ScreenLayout.minimumRows)"))
        }
        let utf8 = TerminalCapabilities.setUpLocale()
        guard let output = fdopen(STDOUT_FILENO, "w"), let input = fdopen(STDIN_FILENO, "r") else {
            throw S2MError(file: nil, .unreadable("cannot open the terminal"))
        }
        // 24-bit colour needs a terminfo entry that says so: COLORTERM=truecolor under a 256-colour
        // TERM asks for the matching "-direct" entry when it is installed (package ncurses-term).
        var opened: OpaquePointer?
        let colorterm = (environment["COLORTERM"] ?? "").lowercased()
        if (colorterm == "truecolor" || colorterm == "24bit") && !term.hasSuffix("-direct") && requested != .palette256
            && requested != .palette16 && requested != .mono {
            let base = term.components(separatedBy: "-").first ?? term
            opened = newterm(base + "-direct", output, input)
        }
        if opened == nil { opened = newterm(term, output, input) }
        guard let screen = opened else {
            throw S2MError(file: nil, .invalid("unknown terminal type TERM='\(term)' (no terminfo entry)"))
        }
        self.screen = screen
        self.output = output
        self.input = input
        set_term(screen)
        cbreak()
        noecho()
        nonl()
        keypad(s2m_stdscr(), true)
        nodelay(s2m_stdscr(), true)
        set_escdelay(25)
        curs_set(0)
        var notes = [String]()
        var terminfoColors = 0
        if has_colors() {
            start_color()
            use_default_colors()
            terminfoColors = Int(s2m_colors())
        }
        var best = ColorModeKind.detect(environment: environment, terminfoColors: has_colors() ? terminfoColors : -1)
        // Never above what terminfo can send.
        if best == .truecolor && terminfoColors < 1 << 24 { best = terminfoColors >= 256 ? .palette256 : .palette16 }
        if best == .palette256 && terminfoColors < 256 { best = terminfoColors >= 8 ? .palette16 : .mono }
        if best == .palette16 && terminfoColors < 8 { best = .mono }
        var mode = best
        if let requested {
            let rank: [ColorModeKind: Int] = [.truecolor: 3, .palette256: 2, .palette16: 1, .mono: 0]
            if rank[requested]! <= rank[best]! { mode = requested } else {
                notes.append("--color \(requested.rawValue) is not available here: using \(best.rawValue)")
            }
        }
        if mode == .mono && requested != .mono { notes.append("no colours: monochrome") }
        colorMode = mode
        geometry = utf8 && !ascii ? .halfBlock : .fullCell
        if !utf8 && !ascii { notes.append("the locale is not UTF-8: one pixel per cell (set LANG=C.UTF-8 for half blocks)") }
        self.notes = notes
        pairs = ColorPairs(direct: terminfoColors >= 1 << 24, colors: terminfoColors)
        erase()
    }

    /// A screen on arbitrary descriptors (not necessarily a terminal) of a given terminfo type and
    /// size, for benchmarks: it draws exactly what the interactive screen draws.
    public init(offscreen terminalType: String, output outputDescriptor: Int32, input inputDescriptor: Int32,
                columns: Int, rows: Int, colorMode: ColorModeKind) throws {
        _ = TerminalCapabilities.setUpLocale()
        guard let output = fdopen(outputDescriptor, "w"), let input = fdopen(inputDescriptor, "r") else {
            throw S2MError(file: nil, .unreadable("cannot open the descriptors"))
        }
        guard let screen = newterm(terminalType, output, input) else {
            throw S2MError(file: nil, .invalid("unknown terminal type '\(terminalType)'"))
        }
        self.screen = screen
        self.output = output
        self.input = input
        set_term(screen)
        resizeterm(Int32(rows), Int32(columns))
        start_color()
        use_default_colors()
        let colors = Int(s2m_colors())
        self.colorMode = colorMode
        self.geometry = .halfBlock
        self.notes = []
        pairs = ColorPairs(direct: colors >= 1 << 24, colors: colors)
        erase()
    }

    /// Forgets what is on screen, so the next draw repaints every cell.
    public func invalidate() {
        set_term(screen)
        previous = nil
        clearok(s2m_stdscr(), true)
    }

    deinit { close() }

    /// The terminal's size in cells.
    public var size: (columns: Int, rows: Int) {
        (Int(getmaxx(s2m_stdscr())), Int(getmaxy(s2m_stdscr())))
    }

    /// Reads the terminal's size (ioctl) and resizes curses to it; returns the new size.
    public func resizeToTerminal() -> (columns: Int, rows: Int) {
        if let s = TerminalCapabilities.size(of: STDOUT_FILENO) {
            resizeterm(Int32(s.rows), Int32(s.columns))
        }
        previous = nil
        return size
    }

    /// Draws `grid`: only cells that differ from the previous frame are handed to curses, and
    /// curses sends only what differs from the terminal's screen.
    public func draw(_ grid: CellGrid) {
        stage(grid)
        flush()
    }

    /// Hands the changed cells of `grid` to curses (nothing is written yet).
    public func stage(_ grid: CellGrid) {
        set_term(screen)
        if previous?.width != grid.width || previous?.height != grid.height {
            erase()
            previous = nil
        }
        if !paint(grid) {
            // The pair table is full (24-bit colour): start it over and repaint everything.
            reset_color_pairs()
            pairCache.removeAll()
            previous = nil
            erase()
            _ = paint(grid)
        }
        previous = grid
    }

    /// Writes the staged changes to the terminal.
    public func flush() {
        set_term(screen)
        wnoutrefresh(s2m_stdscr())
        doupdate()
    }

    private func paint(_ grid: CellGrid) -> Bool {
        let bold = s2m_attr_bold(), reverse = s2m_attr_reverse(), underline = s2m_attr_underline()
        let normal = s2m_attr_normal()
        for y in 0..<grid.height {
            for x in 0..<grid.width {
                let cell = grid.cells[y * grid.width + x]
                if let previous, previous.cells[y * grid.width + x] == cell { continue }
                let fg = pairs.number(cell.foreground), bg = pairs.number(cell.background)
                let key = Int64(fg) << 32 | Int64(UInt32(bitPattern: bg))
                let pair: Int32
                if let known = pairCache[key] {
                    pair = known
                } else {
                    guard let made = pairs.pair(foreground: fg, background: bg) else { return false }
                    pairCache[key] = made
                    pair = made
                }
                var attributes = normal
                if !cell.attributes.isEmpty {
                    if cell.attributes.contains(.bold) { attributes |= bold }
                    if cell.attributes.contains(.reverse) { attributes |= reverse }
                    if cell.attributes.contains(.underline) { attributes |= underline }
                }
                _ = s2m_put_cell(Int32(y), Int32(x), wchar_t(bitPattern: cell.glyph.value), attributes, pair)
            }
        }
        return true
    }

    /// What reading the keyboard found.
    public enum Input {
        case key(ViewerKey)
        case resize(columns: Int, rows: Int)
    }

    /// The keys waiting (never blocks). Returns nil when the terminal is gone: `get_wch` keeps
    /// failing although the input is readable (a hang-up), which callers treat as end of input.
    public func readInput() -> [Input]? {
        var inputs = [Input]()
        while true {
            var value: wint_t = 0
            let status = wget_wch(s2m_stdscr(), &value)
            if status == ERR { break }
            if status == KEY_CODE_YES {
                if Int32(value) == KEY_RESIZE {
                    previous = nil
                    let s = size
                    inputs.append(.resize(columns: s.columns, rows: s.rows))
                } else if let key = KeyTranslator.functionKey(Int32(value)) {
                    inputs.append(.key(key))
                }
            } else if let key = KeyTranslator.character(UInt32(value)) {
                inputs.append(.key(key))
            }
        }
        if inputs.isEmpty {
            emptyReads += 1
            if emptyReads >= 3 { return nil }
        } else {
            emptyReads = 0
        }
        return inputs
    }

    /// Restores the terminal (idempotent).
    public func close() {
        guard isOpen else { return }
        isOpen = false
        erase()
        wnoutrefresh(s2m_stdscr())
        doupdate()
        endwin()
        delscreen(screen)
        fflush(output)
    }
}
