/// One 8-bit-per-channel sRGB pixel. Three bytes, so `[RGB]` is interleaved `r g b r g b ...`.
public struct RGB: Hashable, Sendable, Codable {
    public var r: UInt8
    public var g: UInt8
    public var b: UInt8

    public init(_ r: UInt8, _ g: UInt8, _ b: UInt8) {
        self.r = r
        self.g = g
        self.b = b
    }

    /// A grey pixel with all three channels equal to `value`.
    public init(gray value: UInt8) {
        self.init(value, value, value)
    }
}

/// A colour photo, 8 bits per channel.
public typealias RGBImage = Raster<RGB>

/// Per-pixel anomaly scores; higher means more likely out-of-distribution. Values are finite
/// (readers refuse or map NaN/Inf); their range depends on the source (see ``ScoreMap`` helpers).
public typealias ScoreMap = Raster<Float>

/// A binary mask: `true` marks a pixel that belongs to the object / prediction.
public typealias Mask = Raster<Bool>

/// Raw label values as stored in the label file (8- or 16-bit); their meaning comes from a
/// ``LabelEncoding``.
public typealias LabelMap = Raster<UInt16>

extension Raster where Element == Bool {
    /// Number of `true` pixels.
    public var trueCount: Int {
        var n = 0
        for p in pixels where p { n += 1 }
        return n
    }
}
