import S2MCore

/// A colormap rebuilt from entries of the xterm 256-colour palette, for heatmaps in 256-colour mode.
///
/// Mapping each colormap value to its nearest palette entry independently bands: lightness can go
/// back down between neighbouring values (false contours), an entry can come back after another
/// one, and a path may detour through an off-hue entry. The ramp instead chooses, for the
/// colormap's 256 entries, the sequence of palette entries that is close to them in CIELAB and
/// moves in small steps (see ``path(targets:candidates:monotoneLightness:)``), never letting
/// lightness drop by more than about one just noticeable difference for colormaps whose own
/// lightness grows (viridis, inferno, magma, gray). Each palette entry then stands for one
/// contiguous stretch of values, placed at its mean; between two neighbouring entries, values are
/// ordered-dithered (4x4 Bayer) on the pixel grid, so gradients stay smooth. Where the palette has
/// a gap (neighbouring entries more than ``maxDitherDistance`` apart, e.g. viridis' dark purples,
/// which the 6x6x6 cube cannot draw), dithering would lay a checkerboard over flat regions that
/// reads as noise in the scores; there the value switches entry at the midpoint instead.
public struct PaletteRamp: Hashable, Sendable {
    /// Palette indices along the ramp (16-255, no repeats).
    public let indices: [UInt8]
    /// Their sRGB values (exact palette entries).
    public let colors: [RGB]
    /// The colormap position (0...1) each entry stands for, strictly increasing.
    public let positions: [Float]
    /// For 1024 buckets of t: the lower ramp entry and the fraction towards the next, precomputed.
    private let lowerEntry: [UInt8]
    private let fraction: [Float]

    /// Builds the ramp of `colormap` over the palette entries `candidates` (default: 16-255).
    public init(colormap: Colormap, candidates: [UInt8] = Array(16...255)) {
        let targets = colormap.colors.map { Lab($0) }
        let matched = Self.path(targets: targets, candidates: candidates,
                                monotoneLightness: Self.isLightnessMonotone(targets))
        // 3. Entries in order, each at the mean position of the colormap entries it covers.
        var indices = [UInt8](), sums = [Float](), counts = [Float]()
        for (i, entry) in matched.enumerated() {
            let t = Float(i) / 255
            if indices.last == entry {
                sums[sums.count - 1] += t
                counts[counts.count - 1] += 1
            } else {
                indices.append(entry)
                sums.append(t)
                counts.append(1)
            }
        }
        self.indices = indices
        self.colors = indices.map(XtermPalette.color)
        let positions = zip(sums, counts).map { $0 / $1 }
        self.positions = positions
        // 4. Lookup of (lower entry, fraction) per bucket of t.
        var lower = [UInt8](repeating: 0, count: 1024)
        var fraction = [Float](repeating: 0, count: 1024)
        var k = 0
        let labs = colors.map(Lab.init)
        let dithers = zip(labs, labs.dropFirst()).map { $0.distance(to: $1) <= Self.maxDitherDistance }
        for bucket in 0..<1024 {
            let t = (Float(bucket) + 0.5) / 1024
            while k + 1 < positions.count && positions[k + 1] <= t { k += 1 }
            lower[bucket] = UInt8(k)
            if t <= positions[0] || k + 1 >= positions.count {
                fraction[bucket] = 0
            } else {
                let f = (t - positions[k]) / (positions[k + 1] - positions[k])
                // Without dithering: all pixels below the midpoint show the lower entry, all above it the upper.
                fraction[bucket] = dithers[k] ? f : (f < 0.5 ? 0 : 1)
            }
        }
        self.lowerEntry = lower
        self.fraction = fraction
    }

    /// True when the lightness of `labs` never drops by more than a rounding error.
    static func isLightnessMonotone(_ labs: [Lab]) -> Bool {
        zip(labs, labs.dropFirst()).allSatisfy { $1.l >= $0.l - 0.05 }
    }

    /// How far (in L*) lightness may dip between neighbouring ramp entries: about one just
    /// noticeable difference. Zero would leave viridis only 9 steps in the 256-colour palette.
    public static let lightnessTolerance = 1.0
    /// Weight of the colour distance between consecutive ramp entries against the fit to the
    /// colormap: without it the cheapest path may detour through an off-hue entry.
    public static let jumpWeight = 0.5
    /// Neighbouring ramp entries farther apart than this (ΔE76) are not dithered: a 4x4 mix of
    /// two clearly different colours shows as a checkerboard, worse than one step.
    public static let maxDitherDistance = 30.0
    /// Palette entries farther than this (ΔE76) from every colormap entry are never used.
    public static let candidateRadius = 30.0

    /// The sequence of palette entries (one per colormap entry) minimising
    /// Σ ΔE(colormap entry, palette entry) + ``jumpWeight`` × Σ ΔE(consecutive palette entries),
    /// where, for lightness-monotone colormaps, lightness may not drop by more than
    /// ``lightnessTolerance`` from one entry to the next. Dynamic programming over the colormap's
    /// 256 entries with the nearby palette entries as states; entries that come back are removed.
    static func path(targets: [Lab], candidates all: [UInt8], monotoneLightness: Bool) -> [UInt8] {
        let allLab = all.map { Lab(XtermPalette.color($0)) }
        var keep = [Int]()
        for (i, lab) in allLab.enumerated() where targets.contains(where: { $0.distance(to: lab) <= candidateRadius }) {
            keep.append(i)
        }
        if keep.isEmpty { keep = Array(all.indices) }
        let candidates = keep.map { all[$0] }, labs = keep.map { allLab[$0] }
        let n = candidates.count
        // Transition costs (infinite where lightness would drop too far).
        var transition = [Double](repeating: 0, count: n * n)
        for a in 0..<n {
            for b in 0..<n where a != b {
                let allowed = !monotoneLightness || labs[b].l >= labs[a].l - lightnessTolerance
                transition[a * n + b] = allowed ? jumpWeight * labs[a].distance(to: labs[b]) : .infinity
            }
        }
        var cost = labs.map { targets[0].distance(to: $0) }
        var back = [Int32](repeating: 0, count: targets.count * n)
        var next = [Double](repeating: 0, count: n)
        for i in 1..<targets.count {
            for b in 0..<n {
                var best = Double.infinity, arg = b
                for a in 0..<n {
                    let c = cost[a] + transition[a * n + b]
                    if c < best { best = c; arg = a }
                }
                next[b] = best + targets[i].distance(to: labs[b])
                back[i * n + b] = Int32(arg)
            }
            swap(&cost, &next)
        }
        var k = cost.indices.min { cost[$0] < cost[$1] }!
        var path = [UInt8](repeating: 0, count: targets.count)
        for i in stride(from: targets.count - 1, through: 0, by: -1) {
            path[i] = candidates[k]
            if i > 0 { k = Int(back[i * n + k]) }
        }
        return removingReturns(path)
    }

    /// Keeps every entry to one contiguous stretch: an entry that comes back later is replaced by
    /// the entry of the stretch it interrupts.
    static func removingReturns(_ path: [UInt8]) -> [UInt8] {
        var matched = path
        var seen: Set<UInt8> = [matched[0]]
        var current = matched[0]
        for i in 1..<matched.count where matched[i] != current {
            if seen.contains(matched[i]) {
                matched[i] = current
            } else {
                seen.insert(matched[i])
                current = matched[i]
            }
        }
        return matched
    }

    /// 4x4 Bayer thresholds in (0, 1).
    private static let bayer: [Float] = [0, 8, 2, 10, 12, 4, 14, 6, 3, 11, 1, 9, 15, 7, 13, 5]
        .map { (Float($0) + 0.5) / 16 }

    /// The ramp colour for `t` in [0, 1] at pixel (x, y), ordered-dithered between the two
    /// entries around `t`. Clipped outside [0, 1]; NaN maps to 0.
    public func color(_ t: Float, x: Int, y: Int) -> RGB {
        colors[entry(t, x: x, y: y)]
    }

    /// The position in `colors` chosen for `t` at pixel (x, y).
    public func entry(_ t: Float, x: Int, y: Int) -> Int {
        let bucket = t > 0 ? min(Int(t * 1024), 1023) : 0
        let k = Int(lowerEntry[bucket])
        let threshold = Self.bayer[(y & 3) * 4 + (x & 3)]
        return fraction[bucket] > threshold ? k + 1 : k
    }
}
