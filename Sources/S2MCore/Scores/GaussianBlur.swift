import Foundation

/// A separable Gaussian blur of a score map with OpenCV's `GaussianBlur` conventions, so scores
/// smoothed here match scores smoothed by the paper's Python code (`cv2.GaussianBlur(s, (7, 7), 1)`).
///
/// - The kernel has `kernelSize` taps (odd); tap `i` weighs `exp(-(i - (n-1)/2)^2 / (2 sigma^2))`,
///   normalised to sum 1 (`cv2.getGaussianKernel`).
/// - `sigma <= 0` derives sigma from the size as OpenCV does, `0.3 * ((n - 1) / 2 - 1) + 0.8`, and
///   for n = 1, 3, 5, 7 uses OpenCV's fixed binomial-like tables.
/// - `kernelSize == 0` derives the size from sigma as OpenCV does for float images,
///   `round(sigma * 8 + 1) | 1`.
/// - Borders reflect without repeating the edge pixel (OpenCV's default `BORDER_REFLECT_101`:
///   `gfedcb|abcdefgh|gfedcba`).
public struct GaussianBlur: Sendable, Hashable {
    /// Number of taps in each direction (odd, or 0 to derive it from sigma).
    public var kernelSize: Int
    /// Standard deviation in pixels (or <= 0 to derive it from the kernel size).
    public var sigma: Double

    /// The paper's smoothing of RPL scores: kernel 7, sigma 1.
    public static let paper = GaussianBlur(kernelSize: 7, sigma: 1)

    public init(kernelSize: Int, sigma: Double) {
        self.kernelSize = kernelSize
        self.sigma = sigma
    }

    /// The 1-D kernel the blur applies along x and then y. Throws for an even or negative size,
    /// or when both the size and sigma are unset.
    public func kernel() throws -> [Float] {
        var n = kernelSize
        if n == 0 {
            guard sigma > 0, sigma.isFinite else {
                throw S2MError(file: nil, .invalid("Gaussian blur needs a kernel size or a positive sigma"))
            }
            n = Int((sigma * 8 + 1).rounded()) | 1
        }
        guard n > 0, n % 2 == 1 else {
            throw S2MError(file: nil, .invalid("Gaussian kernel size must be odd and positive, got \(kernelSize)"))
        }
        guard n <= 4097 else {
            throw S2MError(file: nil, .invalid("Gaussian kernel size \(n) is too large (at most 4097)"))
        }
        if sigma <= 0, let fixed = Self.fixedKernels[n] { return fixed }
        let s = sigma > 0 ? sigma : 0.3 * (Double(n - 1) * 0.5 - 1) + 0.8
        let scale2 = -0.5 / (s * s)
        var taps = [Double](repeating: 0, count: n)
        var sum = 0.0
        for i in 0..<n {
            let x = Double(i) - Double(n - 1) * 0.5
            taps[i] = exp(scale2 * x * x)
            sum += taps[i]
        }
        return taps.map { Float($0 / sum) }
    }

    /// OpenCV's `small_gaussian_tab`, used when sigma is not positive.
    static let fixedKernels: [Int: [Float]] = [
        1: [1],
        3: [0.25, 0.5, 0.25],
        5: [0.0625, 0.25, 0.375, 0.25, 0.0625],
        7: [0.03125, 0.109375, 0.21875, 0.28125, 0.21875, 0.109375, 0.03125],
    ]

    /// The blurred copy of `scores` (same size). Rows first, then columns; Float accumulation.
    public func apply(to scores: ScoreMap) throws -> ScoreMap {
        let k = try kernel()
        let w = scores.width, h = scores.height
        guard w > 0, h > 0, k.count > 1 else { return scores }
        let r = k.count / 2

        // Horizontal pass: each row is padded by reflection into a scratch line, then convolved.
        var horizontal = [Float](repeating: 0, count: w * h)
        var line = [Float](repeating: 0, count: w + 2 * r)
        let xIndex = (0..<(w + 2 * r)).map { reflect101($0 - r, count: w) }
        scores.pixels.withUnsafeBufferPointer { src in
            horizontal.withUnsafeMutableBufferPointer { dst in
                line.withUnsafeMutableBufferPointer { ln in
                    for y in 0..<h {
                        let row = y * w
                        for i in 0..<ln.count { ln[i] = src[row + xIndex[i]] }
                        for x in 0..<w {
                            var acc: Float = 0
                            for t in 0..<k.count { acc += k[t] * ln[x + t] }
                            dst[row + x] = acc
                        }
                    }
                }
            }
        }

        // Vertical pass: for each output row, accumulate the reflected source rows.
        var out = [Float](repeating: 0, count: w * h)
        horizontal.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for y in 0..<h {
                    let row = y * w
                    for t in 0..<k.count {
                        let sy = reflect101(y + t - r, count: h) * w
                        let kt = k[t]
                        for x in 0..<w { dst[row + x] += kt * src[sy + x] }
                    }
                }
            }
        }
        return ScoreMap(width: w, height: h, pixels: out)
    }
}

/// Index `i` mapped into `0..<count` by reflection without repeating the edge
/// (OpenCV's `BORDER_REFLECT_101`); a single-element line maps everything to 0.
@inlinable
func reflect101(_ i: Int, count n: Int) -> Int {
    if n == 1 { return 0 }
    var j = i
    while j < 0 || j >= n {
        if j < 0 { j = -j }
        if j >= n { j = 2 * (n - 1) - j }
    }
    return j
}
