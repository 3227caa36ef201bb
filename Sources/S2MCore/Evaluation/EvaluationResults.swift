/// Settings that change the numbers of an evaluation (recorded in shard files, which merge only
/// when they agree).
public struct EvaluationSettings: Sendable, Codable, Equatable {
    /// How label values map to anomaly / void / in-distribution.
    public var encoding: LabelEncoding
    /// Count label values the encoding does not define as in-distribution instead of failing.
    public var allowOtherLabels: Bool
    /// Void in the paper's protocol.
    public var void: VoidHandling
    /// Size filters of the component metrics.
    public var components: ComponentFilter
    /// Methods whose component metrics binarise their map at a fixed threshold (`map >= t`)
    /// instead of the best pixel-F1 threshold (needed for shards, which do not know it).
    public var componentThresholds: [String: Float]

    public init(encoding: LabelEncoding, allowOtherLabels: Bool = false, void: VoidHandling = .paper,
                components: ComponentFilter = .anomalyTrack, componentThresholds: [String: Float] = [:]) {
        self.encoding = encoding
        self.allowOtherLabels = allowOtherLabels
        self.void = void
        self.components = components
        self.componentThresholds = componentThresholds
    }
}

/// One image's exact counts for one method.
public struct ImageRecord: Sendable, Codable, Equatable {
    /// Position of the case in the dataset.
    public var index: Int
    /// The case's name.
    public var name: String
    /// Paper sweep counts.
    public var paper: PaperImageCounts
    /// Component counts; `nil` until known (methods without a mask get them once the dataset's
    /// best pixel-F1 threshold is known).
    public var components: ComponentImageCounts?
    /// Seconds the method took on this image (not part of any metric).
    public var seconds: Double

    public init(index: Int, name: String, paper: PaperImageCounts, components: ComponentImageCounts?, seconds: Double) {
        self.index = index
        self.name = name
        self.paper = paper
        self.components = components
        self.seconds = seconds
    }
}

/// How the component metrics of a method were binarised.
public enum ComponentBinarisation: Sendable, Codable, Equatable, CustomStringConvertible {
    /// The method's own mask.
    case mask
    /// `map >= threshold`, the dataset's best pixel-F1 threshold.
    case bestF1(Float)
    /// `map >= threshold`, given on the command line.
    case fixed(Float)
    /// Not computed (a shard of a method without a mask and no fixed threshold).
    case pending

    public var description: String {
        switch self {
        case .mask: return "method mask"
        case .bestF1(let t): return "map >= \(t) (best pixel F1)"
        case .fixed(let t): return "map >= \(t) (given)"
        case .pending: return "pending (needs the merged best pixel-F1 threshold)"
        }
    }
}

/// Everything measured for one method: per-image records (by case index) and the exact pixel
/// counts. Merges exactly with the results of other images (shards, workers).
public final class MethodResults {
    public let name: String
    public let details: String
    public private(set) var images: [ImageRecord] = []
    public let pixels: ScoreCountAccumulator
    public var binarisation: ComponentBinarisation

    public init(name: String, details: String, binarisation: ComponentBinarisation,
                pixels: ScoreCountAccumulator = ScoreCountAccumulator()) {
        self.name = name
        self.details = details
        self.binarisation = binarisation
        self.pixels = pixels
    }

    /// Adds image records (kept sorted by case index; an index may appear once).
    public func add(_ records: [ImageRecord]) throws {
        images.append(contentsOf: records)
        images.sort { $0.index < $1.index }
        for (a, b) in zip(images, images.dropFirst()) where a.index == b.index {
            throw S2MError(file: nil, .invalid("image \(a.name) (#\(a.index)) was evaluated twice for \(name)"))
        }
    }

    /// Sets the component counts of the image at case `index`.
    func setComponents(_ counts: ComponentImageCounts, index: Int) {
        if let i = images.firstIndex(where: { $0.index == index }) { images[i].components = counts }
    }

    /// The dataset-level numbers.
    public func summary(void handling: VoidHandling) -> MethodSummary {
        let pixel = PixelMetrics(accumulator: pixels)
        let haveComponents = !images.isEmpty && images.allSatisfy { $0.components != nil }
        return MethodSummary(name: name, details: details, images: images.count,
                             paper: PaperSummary(images: images.map(\.paper), void: handling),
                             pixel: pixel,
                             components: haveComponents ? ComponentSummary(images: images.compactMap(\.components)) : nil,
                             binarisation: binarisation)
    }
}

/// The dataset-level numbers of one method.
public struct MethodSummary: Sendable, Codable, Equatable {
    public var name: String
    public var details: String
    public var images: Int
    /// The paper's protocol (`nil` without images).
    public var paper: PaperSummary?
    /// SMIYC pixel level.
    public var pixel: PixelMetrics
    /// SMIYC component level (`nil` while pending).
    public var components: ComponentSummary?
    public var binarisation: ComponentBinarisation
}
