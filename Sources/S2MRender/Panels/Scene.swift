import S2MCore

/// A raster with a version number: renderers cache resampled layers by (name, version, placement),
/// so the owner bumps the version whenever it replaces the raster.
public struct Versioned<Value: Sendable>: Sendable {
    public var value: Value
    public var version: Int

    public init(_ value: Value, version: Int = 0) {
        self.value = value
        self.version = version
    }
}

/// A prompt as the renderer draws it.
public struct PromptMarker: Hashable, Sendable {
    public var prompt: Prompt
    /// Disabled prompts are drawn dimmed and take no part in the S2M mask.
    public var isEnabled: Bool

    public init(prompt: Prompt, isEnabled: Bool = true) {
        self.prompt = prompt
        self.isEnabled = isEnabled
    }
}

/// Which prediction the diff panel compares with ground truth.
public enum DiffSource: String, Hashable, Sendable, Codable {
    case s2m
    case threshold
}

/// Everything the panels of one image can show. All rasters have the image's size.
public struct Scene: Sendable {
    public var image: Versioned<RGBImage>
    public var scores: Versioned<ScoreMap>?
    /// Score values mapped to the two ends of the colormap (and of the colour bar).
    public var scoreRange: ClosedRange<Float>
    /// The threshold baseline's mask and the threshold that made it.
    public var thresholdMask: Versioned<Mask>?
    public var threshold: Float?
    /// The S2M mask: the union of the enabled prompts' masks.
    public var s2mMask: Versioned<Mask>?
    /// The selected prompt's own mask.
    public var selectedMask: Versioned<Mask>?
    /// Ground-truth OoD pixels and void pixels (from the label and its encoding).
    public var groundTruth: Versioned<Mask>?
    public var void: Versioned<Mask>?
    public var prompts: [PromptMarker]
    /// Index into `prompts` of the selected prompt.
    public var selectedPrompt: Int?
    /// The editing cursor in image coordinates (continuous), when shown.
    public var cursor: (x: Double, y: Double)?
    /// The first corner of a box being drawn, in image coordinates.
    public var pendingBoxCorner: (x: Double, y: Double)?
    public var diffSource: DiffSource

    public init(image: Versioned<RGBImage>, scores: Versioned<ScoreMap>? = nil,
                scoreRange: ClosedRange<Float> = 0...1, thresholdMask: Versioned<Mask>? = nil,
                threshold: Float? = nil, s2mMask: Versioned<Mask>? = nil,
                selectedMask: Versioned<Mask>? = nil, groundTruth: Versioned<Mask>? = nil,
                void: Versioned<Mask>? = nil, prompts: [PromptMarker] = [], selectedPrompt: Int? = nil,
                cursor: (x: Double, y: Double)? = nil, pendingBoxCorner: (x: Double, y: Double)? = nil,
                diffSource: DiffSource = .s2m) {
        self.image = image
        self.scores = scores
        self.scoreRange = scoreRange
        self.thresholdMask = thresholdMask
        self.threshold = threshold
        self.s2mMask = s2mMask
        self.selectedMask = selectedMask
        self.groundTruth = groundTruth
        self.void = void
        self.prompts = prompts
        self.selectedPrompt = selectedPrompt
        self.cursor = cursor
        self.pendingBoxCorner = pendingBoxCorner
        self.diffSource = diffSource
    }

    /// The score range the heatmap uses by default: [0, 1] when every score lies in it (scores
    /// that are already probabilities), otherwise the map's own minimum and maximum.
    public static func defaultScoreRange(_ scores: ScoreMap) -> ClosedRange<Float> {
        var lo = Float.infinity, hi = -Float.infinity
        for v in scores.pixels where v.isFinite {
            lo = min(lo, v)
            hi = max(hi, v)
        }
        if lo > hi { return 0...1 }
        if lo >= 0 && hi <= 1 { return 0...1 }
        if lo == hi { return lo...(lo + 1) }
        return lo...hi
    }
}
