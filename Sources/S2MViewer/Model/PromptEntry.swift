import S2MCore

/// The geometry of a prompt (what a segmenter sees): masks are cached under it, so toggling a
/// prompt or changing its confidence never re-runs the segmenter, and an edit always does.
public struct PromptGeometry: Hashable, Sendable {
    public var box: Box?
    public var points: [PromptPoint]

    public init(_ prompt: Prompt) {
        box = prompt.box
        points = prompt.points
    }
}

/// Where a prompt of the viewer came from.
public enum PromptOrigin: String, Hashable, Sendable, Codable {
    /// Made by the prompt generator from the scores.
    case generated
    /// Read from a prompts file.
    case imported
    /// Made or edited by the user in the viewer.
    case user
}

/// One prompt in the viewer's list.
public struct PromptEntry: Hashable, Sendable, Codable {
    public var prompt: Prompt
    public var isEnabled: Bool
    public var origin: PromptOrigin

    public init(prompt: Prompt, isEnabled: Bool = true, origin: PromptOrigin) {
        self.prompt = prompt
        self.isEnabled = isEnabled
        self.origin = origin
    }

    public var geometry: PromptGeometry { PromptGeometry(prompt) }
}
