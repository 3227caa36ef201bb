/// A point prompt in image pixel coordinates (x right, y down; the centre of pixel (i, j) is
/// (i + 0.5, j + 0.5)). Positive points mark the object, negative points the background.
public struct PromptPoint: Hashable, Sendable, Codable {
    public var x: Double
    public var y: Double
    public var isPositive: Bool

    public init(x: Double, y: Double, isPositive: Bool) {
        self.x = x
        self.y = y
        self.isPositive = isPositive
    }
}

/// One request to a promptable segmenter: a box, points, or both, with the confidence that it
/// covers an out-of-distribution object and the name of whatever made it.
public struct Prompt: Hashable, Sendable, Codable {
    /// What geometry a prompt carries.
    public enum Kind: String, Sendable, Codable {
        case box
        case points
        case boxAndPoints = "box+points"
    }

    /// The box prompt, if any (half-open, image pixels).
    public var box: Box?
    /// Point prompts, positive and negative; may be empty.
    public var points: [PromptPoint]
    /// Confidence in (0, 1] that the prompt marks a real object; the pipeline paints masks in
    /// descending confidence and fills each with it.
    public var confidence: Double
    /// The generator (or `"user"`, `"coco"`, ...) that made the prompt.
    public var source: String

    public init(box: Box? = nil, points: [PromptPoint] = [], confidence: Double, source: String) {
        self.box = box
        self.points = points
        self.confidence = confidence
        self.source = source
    }

    /// Box, points, or both; `nil` for a prompt with neither (segmenters return an empty mask).
    public var kind: Kind? {
        switch (box != nil, !points.isEmpty) {
        case (true, false): return .box
        case (false, true): return .points
        case (true, true): return .boxAndPoints
        case (false, false): return nil
        }
    }
}
