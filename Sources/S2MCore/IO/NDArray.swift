/// An N-dimensional array of numbers converted to Float32, in C (row-major) order: the last
/// index varies fastest, whatever the order in the file.
///
/// This is what NPY/NPZ files read into. Score maps are 2-D views of it; SAM fixtures and logits
/// use other shapes, e.g. (1, 3, 1024, 1024) or (C, H, W).
public struct NDArray: Sendable, Equatable {
    /// Extent of each axis; `[]` is a scalar (one value).
    public var shape: [Int]
    /// `shape.reduce(1, *)` values in C order.
    public var values: [Float]
    /// The element type stored in the file this array came from, `nil` for arrays made in memory.
    /// Values were converted from it to Float32 (exact for f2, f4, 8- and 16-bit integers and
    /// bool; 32/64-bit integers above 2^24 and f8 values are rounded to the nearest Float).
    public var sourceType: NPYDType?

    /// Wraps values in C order. `values.count` must equal the product of `shape`.
    public init(shape: [Int], values: [Float], sourceType: NPYDType? = nil) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative extent in shape \(shape)")
        precondition(values.count == shape.reduce(1, *), "shape \(shape) needs \(shape.reduce(1, *)) values, got \(values.count)")
        self.shape = shape
        self.values = values
        self.sourceType = sourceType
    }

    /// A 2-D (H, W) array holding a raster of floats.
    public init(_ scores: ScoreMap) {
        self.init(shape: [scores.height, scores.width], values: scores.pixels)
    }

    /// Number of values (product of the shape).
    public var count: Int { values.count }

    /// The shape as numpy prints it: `(3,)`, `(720, 1280)`.
    public var shapeDescription: String { NDArray.describe(shape: shape) }

    /// The value at a full index (one entry per axis).
    public subscript(index: [Int]) -> Float {
        precondition(index.count == shape.count, "index \(index) does not match shape \(shape)")
        var offset = 0
        for (i, extent) in zip(index, shape) {
            precondition(i >= 0 && i < extent, "index \(index) outside shape \(shape)")
            offset = offset * extent + i
        }
        return values[offset]
    }

    /// The (height, width) of a score map stored with this shape: (H, W), (1, H, W) or (H, W, 1);
    /// `nil` for any other shape.
    public var scoreMapSize: RasterSize? { NDArray.sizeOfScoreShape(shape) }

    /// The array as a score map, if its shape is one of (H, W), (1, H, W), (H, W, 1). Values are
    /// taken as they are (non-finite values are the reader's business).
    /// - Throws: `.unsupported` naming the shape otherwise.
    public func scoreMap(file: String?) throws -> ScoreMap {
        guard let size = scoreMapSize else {
            throw S2MError(file: file, .unsupported("array of shape \(shapeDescription); a score map must be (H, W), (1, H, W) or (H, W, 1)"))
        }
        return ScoreMap(width: size.width, height: size.height, pixels: values)
    }

    /// `(3,)`, `(2, 3)`, `()`: numpy's tuple notation.
    public static func describe(shape: [Int]) -> String {
        if shape.count == 1 { return "(\(shape[0]),)" }
        return "(" + shape.map(String.init).joined(separator: ", ") + ")"
    }
}
