/// Options shared by every reader of images, score maps and labels.
public struct ReadOptions: Sendable, Equatable {
    /// The default pixel limit: 100 megapixels.
    public static let defaultMaxPixels = 100_000_000

    /// Largest `width * height` accepted. Checked against the header before any pixel memory is
    /// allocated, so a file that claims huge dimensions fails fast with `.tooLarge`.
    public var maxPixels: Int
    /// When false (the default) a score map holding NaN or ±Inf is refused with `.nonFinite(count)`.
    /// When true, NaN and -Inf become 0 and +Inf becomes 1.
    public var allowNonFinite: Bool
    /// Which array of an NPZ archive holds the scores (the member name without `.npy`). `nil`:
    /// the only array, else `arr_0` (what `numpy.savez` and S2M write) when present.
    public var npzMember: String?

    public init(maxPixels: Int = ReadOptions.defaultMaxPixels, allowNonFinite: Bool = false, npzMember: String? = nil) {
        self.maxPixels = maxPixels
        self.allowNonFinite = allowNonFinite
        self.npzMember = npzMember
    }

    /// Throws `.tooLarge` when `width x height` exceeds ``maxPixels`` (or overflows).
    public func checkPixelLimit(width: Int, height: Int, file: String) throws {
        let (pixels, overflow) = width.multipliedReportingOverflow(by: height)
        if overflow || pixels > maxPixels {
            throw S2MError(file: file, .tooLarge(width: width, height: height, limit: maxPixels))
        }
    }
}
