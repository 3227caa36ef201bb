/// A model that segments the object a prompt points at, in the manner of Segment Anything's
/// predictor: `prepare` does the per-image work once (SAM: the image embedding; GrabCut:
/// colour statistics), then the returned session answers many prompts cheaply.
public protocol PromptableSegmenter: Sendable {
    /// Identifier used on the command line and in saved sessions (e.g. `"grabcut"`, `"sam"`).
    var name: String { get }

    /// Does the per-image work. `scores`, when given, has the image's size; segmenters that do not
    /// use scores ignore it.
    func prepare(image: RGBImage, scores: ScoreMap?) throws -> any SegmentationSession
}

/// A prepared image that answers prompts. Sessions are used from one thread at a time.
public protocol SegmentationSession: AnyObject {
    /// Segments the object of one prompt. A prompt with neither box nor points gives an empty
    /// mask. Long computations check `Task.isCancelled` and throw `CancellationError`.
    func segment(_ prompt: Prompt) throws -> Segmentation
}

/// The answer to one prompt.
public struct Segmentation: Sendable {
    /// The object mask at the image's size.
    public var mask: Mask
    /// The segmenter's own estimate of mask quality in [0, 1] (SAM: predicted IoU).
    public var quality: Double

    public init(mask: Mask, quality: Double) {
        self.mask = mask
        self.quality = quality
    }
}
