/// A key press as the viewer model understands it, independent of curses.
public enum ViewerKey: Hashable, Sendable {
    case character(Character)
    case up, down, left, right
    case shiftUp, shiftDown, shiftLeft, shiftRight
    case tab, backTab, enter, escape, backspace, delete
    case pageUp, pageDown, home, end

    /// Parses the key names used in tests and the tour script: single characters, or `Up`, `Down`,
    /// `Left`, `Right`, `S-Left`..., `Tab`, `BTab`, `Enter`, `Escape`, `BSpace`, `DC`, `PPage`, `NPage`,
    /// `Home`, `End`, `Space` (the names tmux uses).
    public init?(name: String) {
        switch name {
        case "Up": self = .up
        case "Down": self = .down
        case "Left": self = .left
        case "Right": self = .right
        case "S-Up": self = .shiftUp
        case "S-Down": self = .shiftDown
        case "S-Left": self = .shiftLeft
        case "S-Right": self = .shiftRight
        case "Tab": self = .tab
        case "BTab": self = .backTab
        case "Enter": self = .enter
        case "Escape": self = .escape
        case "BSpace": self = .backspace
        case "DC": self = .delete
        case "PPage": self = .pageUp
        case "NPage": self = .pageDown
        case "Home": self = .home
        case "End": self = .end
        case "Space": self = .character(" ")
        default:
            guard name.count == 1, let c = name.first else { return nil }
            self = .character(c)
        }
    }
}
