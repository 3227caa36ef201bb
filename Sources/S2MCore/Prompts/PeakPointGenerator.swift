import Foundation

/// Settings of ``PeakPointGenerator``; defaults are documented in docs/pipeline.md.
public struct PeakPointParameters: Sendable, Hashable {
    /// How scores are brought to [0, 1] first (per image).
    public var normalization: ScoreNormalization = .minMax
    /// Working resolution: pixels along the longer side (area resampling); 0 keeps full size.
    public var workingSize: Int = 320
    /// Gaussian smoothing at the working resolution, in working pixels (0 = none).
    public var smoothingSigma: Double = 2
    /// Two peaks are at least this far apart, as a fraction of the image's shorter side.
    public var minimumDistance: Double = 0.05
    /// A peak must reach this normalised score.
    public var minimumPeak: Double = 0.5
    /// At most this many positive points (one prompt each), the highest first.
    public var maximumPoints: Int = 20
    /// Negative points per positive point (0 = none), on low-score pixels around it.
    public var negativePoints: Int = 0
    /// Negative points lie on a circle of this radius around their positive point, as a fraction
    /// of the image's shorter side, where the score is lowest (and below half the peak).
    public var negativeRadius: Double = 0.08

    public init() {}

    /// Throws `.invalid` naming the first setting out of range.
    public func validate() throws {
        func require(_ ok: Bool, _ what: String) throws {
            if !ok { throw S2MError(file: nil, .invalid("peak-point generator: \(what)")) }
        }
        try require(workingSize == 0 || workingSize >= 16, "working size must be 0 or at least 16")
        try require(smoothingSigma >= 0 && smoothingSigma <= 50, "smoothing sigma must be in 0...50")
        try require(minimumDistance > 0 && minimumDistance <= 1, "minimum distance must be in (0, 1]")
        try require(minimumPeak > 0 && minimumPeak <= 1, "minimum peak must be in (0, 1]")
        try require(maximumPoints >= 0, "maximum points must be >= 0")
        try require(negativePoints >= 0 && negativePoints <= 8, "negative points must be in 0...8")
        try require(negativeRadius > 0 && negativeRadius <= 1, "negative radius must be in (0, 1]")
    }
}

/// Point prompts at the peaks of the smoothed score map: local maxima at least
/// `minimumDistance` apart (the highest wins), reaching `minimumPeak`; each peak is one prompt with
/// its positive point, optional negative points on low-score pixels around it, and confidence =
/// the peak's normalised score.
public struct PeakPointGenerator: PromptGenerator {
    public var parameters: PeakPointParameters
    public var name: String { "peaks" }

    public init(parameters: PeakPointParameters = PeakPointParameters()) {
        self.parameters = parameters
    }

    public func prompts(scores: ScoreMap, image: RGBImage?) throws -> [Prompt] {
        let p = parameters
        try p.validate()
        guard scores.count > 0, p.maximumPoints > 0 else { return [] }
        var map = p.normalization.apply(to: scores)
        if p.workingSize > 0 && max(map.width, map.height) > p.workingSize {
            let s = Double(p.workingSize) / Double(max(map.width, map.height))
            map = try map.resized(to: RasterSize(width: max(1, Int((Double(map.width) * s).rounded())),
                                                 height: max(1, Int((Double(map.height) * s).rounded()))), method: .area)
        }
        if p.smoothingSigma > 0 { map = try GaussianBlur(kernelSize: 0, sigma: p.smoothingSigma).apply(to: map) }
        let sx = Double(scores.width) / Double(map.width), sy = Double(scores.height) / Double(map.height)
        let shorter = Double(min(map.width, map.height))
        let distance = max(1, p.minimumDistance * shorter)
        let peaks = findPeaks(map, minimumDistance: distance, minimumValue: Float(p.minimumPeak), limit: p.maximumPoints)
        let radius = p.negativeRadius * shorter
        return peaks.map { peak in
            var points = [PromptPoint(x: (Double(peak.x) + 0.5) * sx, y: (Double(peak.y) + 0.5) * sy, isPositive: true)]
            if p.negativePoints > 0 {
                for n in negativePoints(map, around: peak, radius: radius, count: p.negativePoints) {
                    points.append(PromptPoint(x: (n.x + 0.5) * sx, y: (n.y + 0.5) * sy, isPositive: false))
                }
            }
            return Prompt(points: points, confidence: Double(min(max(peak.value, Float.leastNonzeroMagnitude), 1)), source: name)
        }
    }
}

/// A local maximum of a map.
public struct Peak: Hashable, Sendable {
    public var x: Int
    public var y: Int
    public var value: Float
}

/// Peaks of `map`, highest first: pixels not below any pixel within `minimumDistance` (a square
/// window of radius floor(minimumDistance), as scikit-image's `peak_local_max`), at least
/// `minimumValue`, then thinned greedily so that kept peaks are more than `minimumDistance` apart
/// (Euclidean). Ties go to the earlier pixel in raster order. At most `limit` peaks.
public func findPeaks(_ map: ScoreMap, minimumDistance: Double, minimumValue: Float, limit: Int) -> [Peak] {
    let w = map.width, h = map.height
    guard w > 0, h > 0, limit > 0 else { return [] }
    let r = max(1, Int(minimumDistance))
    // Separable max filter (rows, then columns) over a (2r + 1)^2 window, clipped at borders.
    var rowMax = [Float](repeating: 0, count: w * h)
    for y in 0..<h {
        for x in 0..<w {
            var m = -Float.infinity
            for k in max(0, x - r)...min(w - 1, x + r) { m = max(m, map.pixels[y * w + k]) }
            rowMax[y * w + x] = m
        }
    }
    var candidates: [Peak] = []
    for y in 0..<h {
        for x in 0..<w {
            let v = map.pixels[y * w + x]
            guard v >= minimumValue else { continue }
            var m = -Float.infinity
            for k in max(0, y - r)...min(h - 1, y + r) { m = max(m, rowMax[k * w + x]) }
            if v >= m { candidates.append(Peak(x: x, y: y, value: v)) }
        }
    }
    // Stable sort keeps raster order among equal values.
    let sorted = candidates.enumerated().sorted { a, b in
        a.element.value != b.element.value ? a.element.value > b.element.value : a.offset < b.offset
    }.map(\.element)
    var kept: [Peak] = []
    let d2 = minimumDistance * minimumDistance
    for c in sorted where kept.count < limit {
        if kept.allSatisfy({ Double(($0.x - c.x) * ($0.x - c.x) + ($0.y - c.y) * ($0.y - c.y)) > d2 }) { kept.append(c) }
    }
    return kept
}

/// Up to `count` low-score points on the circle of `radius` around `peak` (16 directions,
/// clockwise from +x), lowest first, each below half the peak's value and at least two
/// directions apart; fewer when the circle leaves the map or scores stay high.
func negativePoints(_ map: ScoreMap, around peak: Peak, radius: Double, count: Int) -> [(x: Double, y: Double)] {
    var options: [(k: Int, x: Int, y: Int, v: Float)] = []
    for k in 0..<16 {
        let a = Double(k) * Double.pi / 8
        let x = Int((Double(peak.x) + radius * cos(a)).rounded()), y = Int((Double(peak.y) + radius * sin(a)).rounded())
        guard map.contains(x: x, y: y) else { continue }
        let v = map[x, y]
        if v < peak.value / 2 { options.append((k, x, y, v)) }
    }
    options.sort { $0.v != $1.v ? $0.v < $1.v : $0.k < $1.k }
    var chosen: [(k: Int, x: Int, y: Int, v: Float)] = []
    for o in options where chosen.count < count {
        if chosen.allSatisfy({ min(abs($0.k - o.k), 16 - abs($0.k - o.k)) >= 2 }) { chosen.append(o) }
    }
    return chosen.map { (Double($0.x), Double($0.y)) }
}
