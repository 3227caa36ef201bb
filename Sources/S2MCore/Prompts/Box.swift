/// An axis-aligned box in image pixel coordinates (x right, y down), half-open: it covers
/// `x0 <= x < x1`, `y0 <= y < y1`. The box around pixels 10...19 has `x0 = 10, x1 = 20`.
/// Coordinates are `Double` so boxes from detectors and SAM (continuous coordinates) fit as is.
public struct Box: Hashable, Sendable, Codable, CustomStringConvertible {
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

    /// `x1 - x0`, never negative.
    public var width: Double { max(0, x1 - x0) }
    /// `y1 - y0`, never negative.
    public var height: Double { max(0, y1 - y0) }
    /// Area in square pixels (0 for an empty box).
    public var area: Double { width * height }
    /// True when the box covers no area.
    public var isEmpty: Bool { width == 0 || height == 0 }

    /// The overlap of two boxes (empty when they do not overlap).
    public func intersection(_ other: Box) -> Box {
        let ix0 = max(x0, other.x0), iy0 = max(y0, other.y0)
        let ix1 = max(ix0, min(x1, other.x1)), iy1 = max(iy0, min(y1, other.y1))
        return Box(x0: ix0, y0: iy0, x1: ix1, y1: iy1)
    }

    /// Intersection over union of the two areas; 0 when both are empty.
    public func iou(_ other: Box) -> Double {
        let inter = intersection(other).area
        let union = area + other.area - inter
        return union > 0 ? inter / union : 0
    }

    /// The box clipped to `0..<width, 0..<height`.
    public func clamped(width: Int, height: Int) -> Box {
        let w = Double(width), h = Double(height)
        let cx0 = min(max(x0, 0), w), cy0 = min(max(y0, 0), h)
        return Box(x0: cx0, y0: cy0, x1: min(max(x1, cx0), w), y1: min(max(y1, cy0), h))
    }

    /// `"x0,y0,x1,y1"`, the form the command line accepts.
    public var description: String { "\(x0),\(y0),\(x1),\(y1)" }
}
