import Foundation

/// Settings of ``ComponentTreeGenerator``; every default is documented in docs/pipeline.md.
public struct ComponentTreeParameters: Sendable, Hashable {
    /// How scores are brought to [0, 1] first (per image).
    public var normalization: ScoreNormalization = .minMax
    /// The map is analysed at this many pixels along its longer side (area resampling); 0 keeps
    /// the full resolution. Object-sized regions survive; it bounds the cost.
    public var workingSize: Int = 320
    /// Gaussian smoothing at the working resolution, in working pixels (0 = none).
    public var smoothingSigma: Double = 1
    /// Number of threshold levels of the tree, evenly spaced in [0, 1].
    public var levels: Int = 64
    /// MSER's Delta: stability compares a region with the region containing it this far below,
    /// in score units (rounded to levels).
    public var stabilityDelta: Double = 0.1
    /// A region is stable when lowering the threshold by `stabilityDelta` grows it by at most
    /// this fraction of its area.
    public var maximumGrowth: Double = 0.5
    /// A region must be cut at a threshold at least this far above the map's median (as a
    /// fraction of the range between the median and 1): regions that only exist just above the
    /// typical background score are background, however stable.
    public var minimumLevelAboveMedian: Double = 0.1
    /// Regions smaller than this fraction of the image are ignored.
    public var minimumArea: Double = 0.0002
    /// Regions larger than this fraction of the image are ignored.
    public var maximumArea: Double = 0.5
    /// Each box is grown by this fraction of its width / height on every side (GrabCut needs the
    /// whole object inside the box; score regions may miss thin parts).
    public var boxMargin: Double = 0.1
    /// NMS: a box overlapping a better one by more than this IoU is dropped (the paper: 0.5).
    public var nmsIoU: Double = 0.5
    /// Prompts with a confidence at or below this are dropped (the paper: 0.05).
    public var minimumConfidence: Double = 0.05
    /// At most this many prompts, the most confident (each costs one segmentation; beyond the
    /// tenth, regions of a score map are nearly always clutter).
    public var maximumPrompts: Int = 10

    public init() {}

    /// Throws `.invalid` naming the first setting out of range.
    public func validate() throws {
        func require(_ ok: Bool, _ what: String) throws {
            if !ok { throw S2MError(file: nil, .invalid("component-tree generator: \(what)")) }
        }
        try require(workingSize == 0 || workingSize >= 16, "working size must be 0 or at least 16")
        try require(smoothingSigma >= 0 && smoothingSigma <= 50, "smoothing sigma must be in 0...50")
        try require(levels >= 4 && levels <= 1024, "levels must be in 4...1024")
        try require(stabilityDelta > 0 && stabilityDelta < 1, "stability delta must be in (0, 1)")
        try require(maximumGrowth >= 0, "maximum growth must be >= 0")
        try require(minimumLevelAboveMedian >= 0 && minimumLevelAboveMedian < 1, "minimum level above the median must be in [0, 1)")
        try require(minimumArea >= 0 && maximumArea <= 1 && minimumArea < maximumArea, "need 0 <= minimum area < maximum area <= 1")
        try require(boxMargin >= 0 && boxMargin <= 2, "box margin must be in 0...2")
        try require(nmsIoU > 0 && nmsIoU <= 1, "NMS IoU must be in (0, 1]")
        try require(minimumConfidence >= 0 && minimumConfidence < 1, "minimum confidence must be in [0, 1)")
        try require(maximumPrompts >= 0, "maximum prompts must be >= 0")
    }
}

/// Box prompts from the component tree of the smoothed score map, with no fixed threshold.
///
/// 1. Normalise the scores, shrink the map to `workingSize` (area) and smooth it.
/// 2. Build the component tree over `levels` thresholds: every connected region of every
///    upper level set `{s >= t}`.
/// 3. A region is a candidate when it is *stable* (MSER-like: lowering the threshold by
///    `stabilityDelta` grows it by at most `maximumGrowth` of its area: it has a clear edge in the
///    scores), its size is in [`minimumArea`, `maximumArea`] of the image, and it is cut clearly
///    above the map's median (`minimumLevelAboveMedian`).
/// 4. Among nested candidates choose the set without ancestor relations that maximises the total
///    of area x *stable extent* (how far the threshold can drop while the region grows by at most
///    `maximumGrowth`), by a bottom-up pass over the tree: a whole object outlives its fragments
///    (they merge soon after they appear), two objects apart outlive the region that joins them
///    through low-score background.
/// 5. Box each chosen region (grown by `boxMargin`) and give it confidence = its peak normalised
///    score (in (0, 1]; a detector's box score plays this role in the paper: objects respond
///    more strongly than clutter), NMS at `nmsIoU`, keep the `maximumPrompts` most confident
///    above `minimumConfidence`.
public struct ComponentTreeGenerator: PromptGenerator {
    public var parameters: ComponentTreeParameters
    public var name: String { "component-tree" }

    public init(parameters: ComponentTreeParameters = ComponentTreeParameters()) {
        self.parameters = parameters
    }

    /// One chosen region, before it becomes a prompt (exposed for inspection and tests).
    public struct Region: Sendable, Hashable {
        /// Box in image pixels (before the margin).
        public var box: Box
        public var area: Int
        public var meanScore: Double
        /// The largest normalised score in the region.
        public var peakScore: Double
        /// The threshold (normalised score) at which the region is cut out.
        public var level: Double
        /// Relative growth when the threshold is lowered by Delta.
        public var growth: Double
    }

    public func prompts(scores: ScoreMap, image: RGBImage?) throws -> [Prompt] {
        let regions = try self.regions(scores: scores)
        let p = parameters
        var boxes: [Box] = [], confidences: [Double] = []
        for r in regions {
            let mx = p.boxMargin * r.box.width, my = p.boxMargin * r.box.height
            boxes.append(Box(x0: r.box.x0 - mx, y0: r.box.y0 - my, x1: r.box.x1 + mx, y1: r.box.y1 + my)
                .clamped(width: scores.width, height: scores.height))
            confidences.append(min(max(r.peakScore, 0), 1))
        }
        let kept = nonMaximumSuppression(boxes: boxes, scores: confidences, iouThreshold: p.nmsIoU)
        return kept.filter { confidences[$0] > p.minimumConfidence && !boxes[$0].isEmpty }
            .prefix(p.maximumPrompts)
            .map { Prompt(box: boxes[$0], confidence: confidences[$0], source: name) }
    }

    /// The chosen regions (steps 1-4), in no particular order.
    public func regions(scores: ScoreMap) throws -> [Region] {
        let p = parameters
        try p.validate()
        guard scores.count > 0 else { return [] }
        var map = p.normalization.apply(to: scores)
        var scale = 1.0
        if p.workingSize > 0 && max(map.width, map.height) > p.workingSize {
            scale = Double(p.workingSize) / Double(max(map.width, map.height))
            let size = RasterSize(width: max(1, Int((Double(map.width) * scale).rounded())),
                                  height: max(1, Int((Double(map.height) * scale).rounded())))
            map = try map.resized(to: size, method: .area)
        }
        if p.smoothingSigma > 0 {
            map = try GaussianBlur(kernelSize: 0, sigma: p.smoothingSigma).apply(to: map)
        }
        let sx = Double(scores.width) / Double(map.width), sy = Double(scores.height) / Double(map.height)
        let tree = ComponentTree(values: map, levelCount: p.levels)
        let nodes = tree.nodes
        let total = Double(map.count)
        let delta = max(1, Int((p.stabilityDelta * Double(p.levels)).rounded()))
        let median = Double(map.pixels.sorted()[map.count / 2])
        let lowestLevel = median + p.minimumLevelAboveMedian * (1 - median)

        // Each node's stable extent: how far (in levels) the threshold can drop below its top
        // while the region containing it stays within (1 + maximumGrowth) of its area.
        // Candidates are stable over Delta; their weight is area x extent.
        var weight = [Double](repeating: 0, count: nodes.count)
        var growth = [Double](repeating: .infinity, count: nodes.count)
        for (i, n) in nodes.enumerated() {
            let fraction = Double(n.area) / total
            guard fraction >= p.minimumArea, fraction <= p.maximumArea else { continue }
            guard Double(n.top) / Double(p.levels) >= lowestLevel else { continue }
            let limit = Double(n.area) * (1 + p.maximumGrowth)
            var j = i
            while nodes[j].parent >= 0 && Double(nodes[nodes[j].parent].area) <= limit { j = nodes[j].parent }
            // Below the last tolerated region's bottom the region grows too much (or is the image).
            let extent = n.top - nodes[j].bottom + 1
            if let below = tree.area(ofNode: i, atLevel: n.top - delta) {
                growth[i] = Double(below - n.area) / Double(n.area)
            }
            guard extent > delta else { continue }  // grows by more than the tolerance within Delta
            weight[i] = Double(n.area) * Double(extent) / Double(p.levels)
        }

        // Bottom-up: best total weight of an antichain in each subtree (children come first).
        var best = weight
        var childSum = [Double](repeating: 0, count: nodes.count)
        for i in nodes.indices {
            best[i] = max(weight[i], childSum[i])
            if nodes[i].parent >= 0 { childSum[nodes[i].parent] += best[i] }
        }
        // Top-down: a node is chosen when its own weight is what its subtree's best is.
        var children = [[Int]](repeating: [], count: nodes.count)
        var roots: [Int] = []
        for i in nodes.indices {
            if nodes[i].parent >= 0 { children[nodes[i].parent].append(i) } else { roots.append(i) }
        }
        var chosen: [Region] = []
        var stack = roots
        while let i = stack.popLast() {
            if weight[i] > 0 && weight[i] >= childSum[i] {
                let n = nodes[i]
                chosen.append(Region(box: Box(x0: Double(n.x0) * sx, y0: Double(n.y0) * sy,
                                              x1: Double(n.x1) * sx, y1: Double(n.y1) * sy),
                                     area: Int((Double(n.area) * sx * sy).rounded()), meanScore: n.mean,
                                     peakScore: Double(n.maximum),
                                     level: Double(n.top) / Double(p.levels), growth: growth[i]))
            } else {
                stack += children[i]
            }
        }
        return chosen
    }
}
