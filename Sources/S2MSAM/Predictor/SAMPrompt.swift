import S2MCore

/// A prompt in SamPredictor's own coordinates, in pixels of the original image: integer
/// coordinates name pixels (x = 3 is the fourth column; the model shifts by half a pixel to its
/// centre), and a box (x0, y0, x1, y1) runs from the first to the last covered pixel, inclusive.
/// These are the numbers one passes to the official `predictor.predict(point_coords=...,
/// point_labels=..., box=...)`.
public struct SAMPrompt: Sendable, Equatable {
    public struct Point: Sendable, Equatable {
        public var x: Double
        public var y: Double
        /// true for a foreground point (label 1), false for background (label 0).
        public var isForeground: Bool

        public init(x: Double, y: Double, isForeground: Bool) {
            self.x = x
            self.y = y
            self.isForeground = isForeground
        }
    }

    public struct Box: Sendable, Equatable {
        public var x0: Double
        public var y0: Double
        public var x1: Double
        public var y1: Double

        public init(x0: Double, y0: Double, x1: Double, y1: Double) {
            self.x0 = x0
            self.y0 = y0
            self.x1 = x1
            self.y1 = y1
        }
    }

    public var points: [Point]
    public var box: Box?

    public init(points: [Point] = [], box: Box? = nil) {
        self.points = points
        self.box = box
    }

    /// True when the prompt has neither points nor a box.
    public var isEmpty: Bool { points.isEmpty && box == nil }

    /// The SamPredictor equivalent of an s2m prompt. s2m points are continuous (pixel i spans
    /// [i, i + 1), its centre is i + 0.5), so they shift by -0.5; s2m boxes are half-open, so
    /// the last covered pixel is x1 - 1.
    public init(_ prompt: Prompt) {
        points = prompt.points.map { Point(x: $0.x - 0.5, y: $0.y - 0.5, isForeground: $0.isPositive) }
        box = prompt.box.map { Box(x0: $0.x0, y0: $0.y0, x1: $0.x1 - 1, y1: $0.y1 - 1) }
    }
}
