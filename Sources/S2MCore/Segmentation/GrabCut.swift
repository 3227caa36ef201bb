import Foundation

/// Settings of the built-in GrabCut segmenter. Every default is documented in docs/pipeline.md.
public struct GrabCutParameters: Sendable, Hashable, Codable {
    /// Rounds of (re-fit the colour models, recompute the minimum cut); stops earlier when the
    /// mask no longer changes. OpenCV's usual 5.
    public var iterations: Int = 5
    /// Rounds stop early once at most this fraction of the box's pixels changed side in a round
    /// (0: only when none did). After the first round usually under 1% do, and the later rounds
    /// no longer change the result measurably.
    public var convergence: Double = 0.01
    /// Gaussians per colour model (object and background), as in Rother et al.
    public var componentCount: Int = 5
    /// Weight gamma of the contrast-sensitive smoothness `gamma / dist * exp(-beta |z_p - z_q|^2)`
    /// between 8-neighbours (Rother et al. and OpenCV use 50).
    public var smoothness: Double = 50
    /// Weight of the anomaly-score data term (0 disables it; see docs/pipeline.md).
    public var scoreWeight: Double = 3
    /// Background context around the box, as a fraction of the box's larger side: the background
    /// colour model is learnt from this ring (plus box pixels labelled background).
    public var contextMargin: Double = 0.25
    /// Lower bound of the context ring's width, in pixels.
    public var minimumContextMargin: Int = 8
    /// Radius in pixels of the disc of hard seeds around each point prompt.
    public var seedRadius: Double = 3
    /// For prompts with points but no box: the working box is the box around the positive points
    /// grown by this fraction of the image's shorter side.
    public var pointRegionFraction: Double = 0.15
    /// The background colour model also learns from every `backgroundStride`-th pixel (in x and
    /// y) of the image outside the working region, each counting for stride^2 pixels, so that it
    /// knows the whole scene as in GrabCut on the full image; 0 learns from the context ring only.
    public var backgroundStride: Int = 4
    /// Boxes with more pixels than this are segmented on a proportionally shrunk copy (area
    /// resampling) and the mask is scaled back (bilinear); 0 means never shrink. Bounds the cost
    /// of large objects (128 x 128 by default): colour models need far fewer pixels than a large
    /// box holds, and score maps of segmentation networks are coarse anyway (1/8 resolution).
    public var maxWorkingPixels: Int = 16_384

    public init() {}
}

/// The built-in promptable segmenter: GrabCut (Rother, Kolmogorov, Blake, SIGGRAPH 2004) with the
/// anomaly score as an extra data term. Needs no model weights.
///
/// Per prompt it works on the box plus a context ring, never the whole image: pixels outside the
/// box are background, positive / negative points are hard object / background seeds, colour
/// models are 5-component Gaussian mixtures, smoothness is contrast-sensitive over 8 neighbours,
/// and each round's labelling is a minimum cut (``MaxFlowGraph``).
public struct GrabCutSegmenter: PromptableSegmenter {
    public var parameters: GrabCutParameters
    public var name: String { "grabcut" }

    public init(parameters: GrabCutParameters = GrabCutParameters()) {
        self.parameters = parameters
    }

    public func prepare(image: RGBImage, scores: ScoreMap?) throws -> any SegmentationSession {
        try GrabCutSession(image: image, scores: scores, parameters: parameters)
    }
}

/// One image prepared for GrabCut: colours as floats and the neighbour colour differences, which
/// every prompt's smoothness term reuses.
/// Immutable after preparation, so prompts may be segmented from several threads at once.
public final class GrabCutSession: ConcurrentSegmentationSession {
    public let parameters: GrabCutParameters
    let width: Int, height: Int
    let colours: [SIMD3<Float>]
    let scores: [Float]?
    /// max - min of the scores, the yardstick of a prompt's score contrast.
    let scoreRange: Float
    /// The smoothness contrast parameter `1 / (2 <|z_p - z_q|^2>)` over all 8-neighbour pairs of
    /// the image (as OpenCV computes it), shared by every prompt.
    let beta: Double

    public init(image: RGBImage, scores: ScoreMap?, parameters: GrabCutParameters) throws {
        if let scores, scores.size != image.size {
            throw S2MError(file: nil, .sizeMismatch("scores are \(scores.size), image is \(image.size)"))
        }
        guard parameters.iterations >= 1, parameters.componentCount >= 1, parameters.smoothness >= 0,
              parameters.scoreWeight >= 0, parameters.contextMargin >= 0 else {
            throw S2MError(file: nil, .invalid("GrabCut parameters out of range: \(parameters)"))
        }
        self.parameters = parameters
        width = image.width
        height = image.height
        colours = image.pixels.map { SIMD3<Float>(Float($0.r), Float($0.g), Float($0.b)) }
        self.scores = scores?.pixels
        if let s = scores?.pixels, let lo = s.min(), let hi = s.max() { scoreRange = hi - lo } else { scoreRange = 0 }
        beta = Self.contrastParameter(colours, width: width, height: height)
    }

    public func segment(_ prompt: Prompt) throws -> Segmentation {
        let empty = Segmentation(mask: Mask(width: width, height: height, repeating: false), quality: 0)
        guard width > 0, height > 0, let request = workingBox(for: prompt) else { return empty }
        let (box, positives, negatives) = request

        // The region of interest: the box plus the context ring, clipped to the image.
        let margin = max(parameters.minimumContextMargin,
                         Int((parameters.contextMargin * Double(max(box.x1 - box.x0, box.y1 - box.y0))).rounded()))
        let roi = IntBox(x0: max(0, box.x0 - margin), y0: max(0, box.y0 - margin),
                         x1: min(width, box.x1 + margin), y1: min(height, box.y1 + margin))
        var problem = GrabCutProblem(width: roi.width, height: roi.height,
                                     box: box.offset(-roi.x0, -roi.y0), parameters: parameters)
        problem.colours = crop(colours, roi)
        problem.beta = beta
        if let scores, parameters.scoreWeight > 0, scoreRange > 0 {
            problem.scores = crop(scores, roi)
            problem.scoreRange = scoreRange
        }
        if parameters.backgroundStride > 0 {
            let s = parameters.backgroundStride
            var extra: [SIMD3<Float>] = []
            for y in stride(from: s / 2, to: height, by: s) {
                for x in stride(from: s / 2, to: width, by: s) where !roi.contains(x, y) {
                    extra.append(colours[y * width + x])
                }
            }
            problem.extraBackground = extra
            problem.extraBackgroundWeight = Float(s * s)
        }
        for p in positives { problem.addSeed(x: p.x - Double(roi.x0), y: p.y - Double(roi.y0), object: true) }
        for p in negatives { problem.addSeed(x: p.x - Double(roi.x0), y: p.y - Double(roi.y0), object: false) }

        let shrink = parameters.maxWorkingPixels > 0 && box.area > parameters.maxWorkingPixels
            ? (Double(parameters.maxWorkingPixels) / Double(box.area)).squareRoot() : 1
        let (roiMask, quality) = shrink < 1 ? try problem.solveShrunk(by: shrink) : try problem.solve()

        var mask = Mask(width: width, height: height, repeating: false)
        for y in 0..<roi.height {
            for x in 0..<roi.width where roiMask[y * roi.width + x] {
                mask[roi.x0 + x, roi.y0 + y] = true
            }
        }
        return Segmentation(mask: mask, quality: quality)
    }

    /// `1 / (2 <|z_p - z_q|^2>)` over the forward 8-neighbour pairs (right, down-left, down,
    /// down-right); 0 for a flat image.
    static func contrastParameter(_ colours: [SIMD3<Float>], width: Int, height: Int) -> Double {
        var total = 0.0, count = 0
        colours.withUnsafeBufferPointer { c in
            for y in 0..<height {
                var rowTotal: Float = 0
                for x in 0..<width {
                    let p = y * width + x
                    if x + 1 < width { let d = c[p] - c[p + 1]; rowTotal += (d * d).sum(); count += 1 }
                    if y + 1 < height {
                        let below = p + width
                        let d = c[p] - c[below]; rowTotal += (d * d).sum()
                        count += 1
                        if x > 0 { let e = c[p] - c[below - 1]; rowTotal += (e * e).sum(); count += 1 }
                        if x + 1 < width { let e = c[p] - c[below + 1]; rowTotal += (e * e).sum(); count += 1 }
                    }
                }
                total += Double(rowTotal)
            }
        }
        let mean = count > 0 ? total / Double(count) : 0
        return mean > 0 ? 1 / (2 * mean) : 0
    }

    /// The integer box GrabCut works in, and the point seeds, for a prompt; nil when the prompt
    /// has nothing to segment (no box and no positive point, or a box outside the image).
    func workingBox(for prompt: Prompt) -> (IntBox, [PromptPoint], [PromptPoint])? {
        let positives = prompt.points.filter { $0.isPositive }
        let negatives = prompt.points.filter { !$0.isPositive }
        var box: IntBox
        if let b = prompt.box {
            let c = b.clamped(width: width, height: height)
            box = IntBox(x0: Int(c.x0.rounded(.down)), y0: Int(c.y0.rounded(.down)),
                         x1: Int(c.x1.rounded(.up)), y1: Int(c.y1.rounded(.up)))
        } else {
            guard !positives.isEmpty else { return nil }
            let r = parameters.pointRegionFraction * Double(min(width, height))
            let xs = positives.map(\.x), ys = positives.map(\.y)
            let b = Box(x0: xs.min()! - r, y0: ys.min()! - r, x1: xs.max()! + r, y1: ys.max()! + r)
                .clamped(width: width, height: height)
            box = IntBox(x0: Int(b.x0.rounded(.down)), y0: Int(b.y0.rounded(.down)),
                         x1: Int(b.x1.rounded(.up)), y1: Int(b.y1.rounded(.up)))
        }
        guard box.width > 0, box.height > 0 else { return nil }
        return (box, positives, negatives)
    }

    private func crop<T>(_ values: [T], _ roi: IntBox) -> [T] {
        var out: [T] = []
        out.reserveCapacity(roi.width * roi.height)
        for y in roi.y0..<roi.y1 { out.append(contentsOf: values[(y * width + roi.x0)..<(y * width + roi.x1)]) }
        return out
    }
}

/// An integer half-open pixel box.
struct IntBox: Hashable {
    var x0: Int, y0: Int, x1: Int, y1: Int
    var width: Int { x1 - x0 }
    var height: Int { y1 - y0 }
    var area: Int { width * height }
    func offset(_ dx: Int, _ dy: Int) -> IntBox { IntBox(x0: x0 + dx, y0: y0 + dy, x1: x1 + dx, y1: y1 + dy) }
    func contains(_ x: Int, _ y: Int) -> Bool { x >= x0 && x < x1 && y >= y0 && y < y1 }
}
