import Foundation

/// What a method gets for one image.
public struct MethodInput: Sendable {
    /// The case's name (unique in the dataset).
    public var name: String
    /// The photo's file (for matching imported detections by file name).
    public var imageFile: String?
    /// The photo, when the method asked for it.
    public var image: RGBImage?
    /// The anomaly scores, when the method asked for them.
    public var scores: ScoreMap?
    /// Prompts given with the case (manifest `prompts` column), already read, if any.
    public var prompts: [Prompt]?

    public init(name: String, imageFile: String? = nil, image: RGBImage? = nil, scores: ScoreMap? = nil, prompts: [Prompt]? = nil) {
        self.name = name
        self.imageFile = imageFile
        self.image = image
        self.scores = scores
        self.prompts = prompts
    }
}

/// What a method produced for one image.
public struct MethodOutput: Sendable {
    /// A map where higher means more likely out-of-distribution, swept by the paper's protocol
    /// (best used in [0, 1]) and ranked by the pixel-level metrics.
    public var map: ScoreMap
    /// The method's own binary prediction, if it makes one without a threshold (S2M: confidence
    /// > 0). Component metrics use it; without one they binarise ``map`` at the dataset's best
    /// pixel-F1 threshold, as SMIYC does.
    public var mask: Mask?
    /// Extra files for `--save`: file suffix (e.g. `_prompts.json`) -> bytes.
    public var attachments: [String: Data]

    public init(map: ScoreMap, mask: Mask? = nil, attachments: [String: Data] = [:]) {
        self.map = map
        self.mask = mask
        self.attachments = attachments
    }
}

/// A method `s2m eval` compares: it turns an image (and its scores) into an output map.
/// Implementations are deterministic and safe to call from several threads at once.
public protocol EvaluationMethod: Sendable {
    /// The name in tables, files and `--methods` (e.g. `threshold`, `s2m`).
    var name: String { get }
    /// A one-line description with the settings that matter (printed with the results).
    var details: String { get }
    /// Whether the photo must be read for this method.
    var needsImage: Bool { get }
    /// Whether the score map must be read for this method.
    var needsScores: Bool { get }
    /// Whether the method uses a case's score map when it has one, without needing it.
    var usesScoresIfPresent: Bool { get }
    /// The output for one image.
    func output(for input: MethodInput) throws -> MethodOutput
}

extension EvaluationMethod {
    public var usesScoresIfPresent: Bool { needsScores }
}

/// How the `threshold` baseline brings scores to [0, 1] before the paper's sweep.
public enum ThresholdScaling: Sendable, Hashable, Codable, CustomStringConvertible {
    /// `(s - lo) / (hi - lo)` with one range for the whole dataset (its minimum and maximum
    /// score): one threshold means the same everywhere, and the ranking of pixels across images,
    /// hence every pixel-level metric, is that of the raw scores. The default.
    case dataset(lo: Float, hi: Float)
    /// Each image scaled by its own minimum and maximum.
    case image
    /// Scores used as they are (already in [0, 1]).
    case none

    public var description: String {
        switch self {
        case .dataset(let lo, let hi): return "dataset min-max [\(lo), \(hi)]"
        case .image: return "per-image min-max"
        case .none: return "none"
        }
    }
}

/// The naive baseline: the anomaly scores themselves, scaled to [0, 1], thresholded by the
/// sweep (the paper's "thresholded state-of-the-art scores").
public struct ThresholdMethod: EvaluationMethod {
    public var scaling: ThresholdScaling
    public var name: String

    public init(scaling: ThresholdScaling, name: String = "threshold") {
        self.scaling = scaling
        self.name = name
    }

    public var details: String { "anomaly scores, scaling: \(scaling)" }
    public var needsImage: Bool { false }
    public var needsScores: Bool { true }

    public func output(for input: MethodInput) throws -> MethodOutput {
        guard let scores = input.scores else {
            throw S2MError(file: input.name, .invalid("the threshold method needs a score map"))
        }
        switch scaling {
        case .none:
            return MethodOutput(map: scores)
        case .image:
            let lo = scores.pixels.min() ?? 0, hi = scores.pixels.max() ?? 0
            return MethodOutput(map: Self.scale(scores, lo: lo, hi: hi))
        case .dataset(let lo, let hi):
            return MethodOutput(map: Self.scale(scores, lo: lo, hi: hi))
        }
    }

    /// `(s - lo) / (hi - lo)` in Float, clamped to [0, 1]; all 0 when `hi <= lo`. Increasing in
    /// `s`, so the order of scores (and ties) is kept except where Float rounding merges values
    /// closer than the scaled resolution.
    public static func scale(_ scores: ScoreMap, lo: Float, hi: Float) -> ScoreMap {
        guard hi > lo else { return ScoreMap(width: scores.width, height: scores.height, repeating: 0) }
        let span = hi - lo
        return scores.map { min(max(($0 - lo) / span, 0), 1) }
    }

    /// The smallest and largest score over all cases (the range of ``ThresholdScaling/dataset``).
    public static func datasetRange(_ cases: [DatasetCase], options: ReadOptions) throws -> (lo: Float, hi: Float) {
        var lo = Float.infinity, hi = -Float.infinity
        for c in cases {
            guard let file = c.scores else { throw S2MError(file: c.image, .invalid("no score map for \(c.name)")) }
            let s = try ScoreReader.read(file, options: options)
            for v in s.pixels {
                lo = min(lo, v)
                hi = max(hi, v)
            }
        }
        return lo <= hi ? (lo, hi) : (0, 0)
    }
}

/// A method whose outputs were computed elsewhere: one map per image in a folder keyed by image
/// stem (`<stem>.npy|.npz|.png`, or `<stem>_confidence.npy` as `s2m run` writes), optionally
/// with binary masks (`<stem>_mask.png`, as `s2m run` writes) used for the component metrics.
public struct PrecomputedMethod: EvaluationMethod {
    public var name: String
    public var folder: String
    public var options: ReadOptions

    public init(name: String, folder: String, options: ReadOptions) {
        self.name = name
        self.folder = folder
        self.options = options
    }

    public var details: String { "maps from \(folder)" }
    public var needsImage: Bool { false }
    public var needsScores: Bool { false }

    /// The map file for a case, or an error listing what was looked for.
    func mapFile(for name: String) throws -> String {
        let stem = DatasetPaths.stem(name)
        let candidates = ["\(stem).npy", "\(stem).npz", "\(stem)_confidence.npy", "\(stem)_map.npy", "\(stem).png"]
            .map { DatasetPaths.join(folder, $0) }
        let found = candidates.filter(DirectoryListing.exists)
        guard found.count == 1 else {
            let what = found.isEmpty ? "no map for \(name)" : "several maps for \(name): \(found.joined(separator: ", "))"
            throw S2MError(file: folder, .invalid("\(what) (looked for \(stem).npy|.npz|.png, \(stem)_confidence.npy, \(stem)_map.npy)"))
        }
        return found[0]
    }

    public func output(for input: MethodInput) throws -> MethodOutput {
        let map = try ScoreReader.read(try mapFile(for: input.name), options: options)
        let maskFile = DatasetPaths.join(folder, "\(DatasetPaths.stem(input.name))_mask.png")
        var mask: Mask? = nil
        if DirectoryListing.exists(maskFile) {
            let labels = try LabelReader.read(maskFile, options: options)
            guard labels.size == map.size else {
                throw S2MError(file: maskFile, .sizeMismatch("mask is \(labels.size), map is \(map.size)"))
            }
            mask = labels.map { $0 != 0 }
        }
        return MethodOutput(map: map, mask: mask)
    }
}
