import CNcursesw
import S2MRender

/// Colour pairs on demand: a (foreground, background) of terminal colours becomes a curses pair
/// number through `alloc_pair`, which reuses pairs it has made. When the table is full (possible
/// with 24-bit colour) the caller resets it and repaints.
struct ColorPairs {
    /// True when the terminal takes 24-bit colours as colour numbers (terminfo with 2^24 colours).
    let direct: Bool
    /// Colours the terminal has (curses `COLORS`).
    let colors: Int

    /// The curses colour number of a terminal colour (-1: the terminal's default).
    func number(_ color: TerminalColor) -> Int32 {
        switch color {
        case .default:
            return -1
        case .indexed(let n):
            return Int32(n) < Int32(colors) ? Int32(n) : -1
        case .rgb(let c):
            guard direct else { return Int32(XtermPalette.nearestExtended(c)) }
            let packed = Int32(c.r) << 16 | Int32(c.g) << 8 | Int32(c.b)
            // Direct-colour terminfo sends 0-7 as the themeable palette: nudge near-black.
            return packed < 8 ? 8 : packed
        }
    }

    /// The pair for two colour numbers, or nil when the table is full.
    func pair(foreground: Int32, background: Int32) -> Int32? {
        if foreground == -1 && background == -1 { return 0 }
        let p = alloc_pair(foreground, background)
        return p < 0 ? nil : p
    }
}
