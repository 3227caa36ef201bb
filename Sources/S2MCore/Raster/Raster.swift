/// A `width` x `height` grid of values stored row-major: the value of pixel (x, y) is at
/// `pixels[y * width + x]`, with x growing to the right and y growing down, both in pixels.
///
/// Every image-like value in s2m is a raster: ``RGBImage``, ``ScoreMap``, ``Mask`` and ``LabelMap``
/// differ only in their element type, so converting between them is a single `map`.
public struct Raster<Element: Sendable>: Sendable {
    /// Number of columns, in pixels.
    public let width: Int
    /// Number of rows, in pixels.
    public let height: Int
    /// Row-major values; `pixels.count == width * height`.
    public var pixels: [Element]

    /// Wraps existing row-major values. The count must equal `width * height` (a programming
    /// error otherwise: callers that read untrusted data validate sizes first and throw).
    public init(width: Int, height: Int, pixels: [Element]) {
        precondition(width >= 0 && height >= 0, "negative raster size \(width)x\(height)")
        precondition(pixels.count == width * height,
                     "raster \(width)x\(height) needs \(width * height) values, got \(pixels.count)")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// A raster with every pixel set to `value`.
    public init(width: Int, height: Int, repeating value: Element) {
        self.init(width: width, height: height, pixels: Array(repeating: value, count: width * height))
    }

    /// The raster's size in pixels.
    public var size: RasterSize { RasterSize(width: width, height: height) }

    /// Number of pixels (`width * height`).
    public var count: Int { pixels.count }

    /// True when the raster has no pixels.
    public var isEmpty: Bool { pixels.isEmpty }

    /// The value at column `x`, row `y` (0-based, x right, y down).
    @inlinable
    public subscript(x: Int, y: Int) -> Element {
        get { pixels[y * width + x] }
        set { pixels[y * width + x] = newValue }
    }

    /// True when (x, y) lies inside the raster.
    @inlinable
    public func contains(x: Int, y: Int) -> Bool {
        x >= 0 && y >= 0 && x < width && y < height
    }

    /// A raster of the same size whose pixels are `transform` applied to each of these.
    @inlinable
    public func map<T: Sendable>(_ transform: (Element) throws -> T) rethrows -> Raster<T> {
        Raster<T>(width: width, height: height, pixels: try pixels.map(transform))
    }
}

extension Raster: Equatable where Element: Equatable {}
extension Raster: Hashable where Element: Hashable {}

/// Width and height of a raster, in pixels.
public struct RasterSize: Hashable, Sendable, Codable, CustomStringConvertible {
    public var width: Int
    public var height: Int

    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    /// Number of pixels.
    public var pixelCount: Int { width * height }

    /// `"WIDTHxHEIGHT"`, the form used in every message.
    public var description: String { "\(width)x\(height)" }
}
