/// Turns an anomaly score map (and optionally the photo) into prompts for a promptable
/// segmenter, without a user-chosen threshold. Implementations are deterministic.
public protocol PromptGenerator: Sendable {
    /// Short identifier stored in every prompt's `source` (e.g. `"component-tree"`).
    var name: String { get }

    /// Prompts for one image, in descending confidence. `scores` has the image's size.
    func prompts(scores: ScoreMap, image: RGBImage?) throws -> [Prompt]
}
