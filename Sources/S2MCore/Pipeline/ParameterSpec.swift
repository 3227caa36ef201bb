/// One numeric setting of a generator or segmenter, described for forms and command lines
/// (the viewer's generator form, `--generator-option KEY=VALUE`).
public struct ParameterSpec: Hashable, Sendable {
    /// Key used on the command line and in saved sessions (e.g. `"maximum-growth"`).
    public var key: String
    /// One line saying what it does, with its unit.
    public var help: String
    public var defaultValue: Double
    public var minimum: Double
    public var maximum: Double
    /// A sensible step for a form's +/- keys.
    public var step: Double
    public var isInteger: Bool

    public init(key: String, help: String, defaultValue: Double, minimum: Double, maximum: Double,
                step: Double, isInteger: Bool = false) {
        self.key = key
        self.help = help
        self.defaultValue = defaultValue
        self.minimum = minimum
        self.maximum = maximum
        self.step = step
        self.isInteger = isInteger
    }
}

/// Settings that can be read from and written to `[key: value]` dictionaries, checked against
/// their ``ParameterSpec``s.
public protocol TunableParameters: Sendable {
    /// The settings, in display order, with their defaults.
    static var specs: [ParameterSpec] { get }
    /// The current values by key.
    var values: [String: Double] { get }
    /// Sets one value; the key is known and the value in range (checked by ``applying(_:)``).
    mutating func set(_ key: String, _ value: Double)
}

extension TunableParameters {
    /// A copy with `values` applied; unknown keys and values out of range are errors naming them.
    public func applying(_ values: [String: Double]) throws -> Self {
        var copy = self
        for (key, value) in values.sorted(by: { $0.key < $1.key }) {
            guard let spec = Self.specs.first(where: { $0.key == key }) else {
                let known = Self.specs.map(\.key).joined(separator: ", ")
                throw S2MError(file: nil, .invalid("unknown setting '\(key)' (known: \(known))"))
            }
            guard value.isFinite, value >= spec.minimum, value <= spec.maximum else {
                throw S2MError(file: nil, .invalid("'\(key)' must be in \(spec.minimum)...\(spec.maximum), got \(value)"))
            }
            guard !spec.isInteger || value == value.rounded() else {
                throw S2MError(file: nil, .invalid("'\(key)' must be a whole number, got \(value)"))
            }
            copy.set(key, value)
        }
        return copy
    }

    /// Parses `KEY=VALUE` items (as given on the command line) into values.
    public static func parseAssignments(_ items: [String]) throws -> [String: Double] {
        var out: [String: Double] = [:]
        for item in items {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let v = Double(parts[1]) else {
                throw S2MError(file: nil, .invalid("'\(item)' is not KEY=NUMBER"))
            }
            out[parts[0]] = v
        }
        return out
    }
}

extension ComponentTreeParameters: TunableParameters {
    public static let specs: [ParameterSpec] = [
        ParameterSpec(key: "levels", help: "threshold levels of the component tree", defaultValue: 64, minimum: 4, maximum: 1024, step: 8, isInteger: true),
        ParameterSpec(key: "stability-delta", help: "MSER delta: how far (score units) the threshold drops when testing stability", defaultValue: 0.1, minimum: 0.01, maximum: 0.5, step: 0.01),
        ParameterSpec(key: "maximum-growth", help: "a region is stable if it grows by at most this fraction over delta", defaultValue: 0.5, minimum: 0, maximum: 10, step: 0.05),
        ParameterSpec(key: "level-above-median", help: "regions must be cut this far above the median score (fraction of median..1)", defaultValue: 0.1, minimum: 0, maximum: 0.99, step: 0.05),
        ParameterSpec(key: "minimum-area", help: "smallest region, fraction of the image", defaultValue: 0.0002, minimum: 0, maximum: 0.5, step: 0.0001),
        ParameterSpec(key: "maximum-area", help: "largest region, fraction of the image", defaultValue: 0.5, minimum: 0.001, maximum: 1, step: 0.05),
        ParameterSpec(key: "smoothing", help: "Gaussian sigma at the working resolution, pixels", defaultValue: 1, minimum: 0, maximum: 50, step: 0.5),
        ParameterSpec(key: "working-size", help: "longer side of the analysed map, pixels (0 = full)", defaultValue: 320, minimum: 0, maximum: 8192, step: 32, isInteger: true),
        ParameterSpec(key: "box-margin", help: "boxes grow by this fraction of their size on each side", defaultValue: 0.1, minimum: 0, maximum: 2, step: 0.05),
        ParameterSpec(key: "nms-iou", help: "drop boxes overlapping a better one by more than this IoU", defaultValue: 0.5, minimum: 0.01, maximum: 1, step: 0.05),
        ParameterSpec(key: "minimum-confidence", help: "drop prompts at or below this confidence", defaultValue: 0.05, minimum: 0, maximum: 0.99, step: 0.05),
        ParameterSpec(key: "maximum-prompts", help: "keep at most this many prompts", defaultValue: 10, minimum: 0, maximum: 1000, step: 1, isInteger: true),
    ]

    public var values: [String: Double] {
        ["levels": Double(levels), "stability-delta": stabilityDelta, "maximum-growth": maximumGrowth,
         "level-above-median": minimumLevelAboveMedian, "minimum-area": minimumArea, "maximum-area": maximumArea,
         "smoothing": smoothingSigma, "working-size": Double(workingSize), "box-margin": boxMargin, "nms-iou": nmsIoU,
         "minimum-confidence": minimumConfidence, "maximum-prompts": Double(maximumPrompts)]
    }

    public mutating func set(_ key: String, _ value: Double) {
        switch key {
        case "levels": levels = Int(value)
        case "stability-delta": stabilityDelta = value
        case "maximum-growth": maximumGrowth = value
        case "level-above-median": minimumLevelAboveMedian = value
        case "minimum-area": minimumArea = value
        case "maximum-area": maximumArea = value
        case "smoothing": smoothingSigma = value
        case "working-size": workingSize = Int(value)
        case "box-margin": boxMargin = value
        case "nms-iou": nmsIoU = value
        case "minimum-confidence": minimumConfidence = value
        case "maximum-prompts": maximumPrompts = Int(value)
        default: preconditionFailure("unknown key \(key)")
        }
    }
}

extension PeakPointParameters: TunableParameters {
    public static let specs: [ParameterSpec] = [
        ParameterSpec(key: "minimum-distance", help: "peaks at least this far apart, fraction of the shorter side", defaultValue: 0.05, minimum: 0.001, maximum: 1, step: 0.01),
        ParameterSpec(key: "minimum-peak", help: "a peak must reach this normalised score", defaultValue: 0.5, minimum: 0.01, maximum: 1, step: 0.05),
        ParameterSpec(key: "maximum-points", help: "at most this many positive points", defaultValue: 20, minimum: 0, maximum: 1000, step: 1, isInteger: true),
        ParameterSpec(key: "negative-points", help: "negative points around each positive", defaultValue: 0, minimum: 0, maximum: 8, step: 1, isInteger: true),
        ParameterSpec(key: "negative-radius", help: "distance of negative points, fraction of the shorter side", defaultValue: 0.08, minimum: 0.001, maximum: 1, step: 0.01),
        ParameterSpec(key: "smoothing", help: "Gaussian sigma at the working resolution, pixels", defaultValue: 2, minimum: 0, maximum: 50, step: 0.5),
        ParameterSpec(key: "working-size", help: "longer side of the analysed map, pixels (0 = full)", defaultValue: 320, minimum: 0, maximum: 8192, step: 32, isInteger: true),
    ]

    public var values: [String: Double] {
        ["minimum-distance": minimumDistance, "minimum-peak": minimumPeak, "maximum-points": Double(maximumPoints),
         "negative-points": Double(negativePoints), "negative-radius": negativeRadius, "smoothing": smoothingSigma,
         "working-size": Double(workingSize)]
    }

    public mutating func set(_ key: String, _ value: Double) {
        switch key {
        case "minimum-distance": minimumDistance = value
        case "minimum-peak": minimumPeak = value
        case "maximum-points": maximumPoints = Int(value)
        case "negative-points": negativePoints = Int(value)
        case "negative-radius": negativeRadius = value
        case "smoothing": smoothingSigma = value
        case "working-size": workingSize = Int(value)
        default: preconditionFailure("unknown key \(key)")
        }
    }
}

extension GrabCutParameters: TunableParameters {
    public static let specs: [ParameterSpec] = [
        ParameterSpec(key: "score-weight", help: "weight of the anomaly-score data term (0 = colour only)", defaultValue: 3, minimum: 0, maximum: 100, step: 0.5),
        ParameterSpec(key: "iterations", help: "rounds of colour-model fitting and min cut", defaultValue: 5, minimum: 1, maximum: 50, step: 1, isInteger: true),
        ParameterSpec(key: "convergence", help: "stop when at most this fraction of the box changes in a round", defaultValue: 0.01, minimum: 0, maximum: 1, step: 0.005),
        ParameterSpec(key: "components", help: "Gaussians per colour model", defaultValue: 5, minimum: 1, maximum: 20, step: 1, isInteger: true),
        ParameterSpec(key: "smoothness", help: "gamma of the contrast-sensitive smoothness term", defaultValue: 50, minimum: 0, maximum: 1000, step: 5),
        ParameterSpec(key: "context-margin", help: "background ring around the box, fraction of its larger side", defaultValue: 0.25, minimum: 0, maximum: 5, step: 0.05),
        ParameterSpec(key: "background-stride", help: "sample every n-th pixel of the rest of the image for the background model (0 = ring only)", defaultValue: 4, minimum: 0, maximum: 64, step: 1, isInteger: true),
        ParameterSpec(key: "max-working-pixels", help: "larger boxes are segmented shrunk to this many pixels (0 = never)", defaultValue: 16_384, minimum: 0, maximum: 100_000_000, step: 4_096, isInteger: true),
        ParameterSpec(key: "seed-radius", help: "radius of the hard seeds around point prompts, pixels", defaultValue: 3, minimum: 0, maximum: 100, step: 1),
        ParameterSpec(key: "point-region", help: "points-only prompts work in a box grown by this fraction of the shorter side", defaultValue: 0.15, minimum: 0.01, maximum: 1, step: 0.01),
    ]

    public var values: [String: Double] {
        ["score-weight": scoreWeight, "iterations": Double(iterations), "convergence": convergence, "components": Double(componentCount),
         "smoothness": smoothness, "context-margin": contextMargin, "background-stride": Double(backgroundStride),
         "max-working-pixels": Double(maxWorkingPixels), "seed-radius": seedRadius, "point-region": pointRegionFraction]
    }

    public mutating func set(_ key: String, _ value: Double) {
        switch key {
        case "score-weight": scoreWeight = value
        case "iterations": iterations = Int(value)
        case "convergence": convergence = value
        case "components": componentCount = Int(value)
        case "smoothness": smoothness = value
        case "context-margin": contextMargin = value
        case "background-stride": backgroundStride = Int(value)
        case "max-working-pixels": maxWorkingPixels = Int(value)
        case "seed-radius": seedRadius = value
        case "point-region": pointRegionFraction = value
        default: preconditionFailure("unknown key \(key)")
        }
    }
}
