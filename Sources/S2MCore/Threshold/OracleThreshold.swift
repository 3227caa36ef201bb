/// Thresholds of the baseline chosen *with* the ground truth, as papers report the baseline
/// (the S2M paper: "the optimal threshold specific to each dataset"). Both come from the metrics
/// module, so they are the thresholds `s2m eval` reports.
public enum OracleThreshold {
    /// Collects images one at a time (nothing but counts is kept), then answers both thresholds.
    public final class Collector {
        private let pass = ScoreCountAccumulator()
        private var images: [PaperImageCounts] = []

        public init() {}

        /// Adds one image; throws on a size mismatch or non-finite scores.
        public func add(scores: ScoreMap, truth: TruthMap) throws {
            images.append(try pass.addImage(scores: scores, truth: truth))
        }

        /// The paper's best-IoU threshold: the first of t = 0.00, 0.01, ..., 1.00 maximising the
        /// mean over images of IoU({s > t}, truth). Nil for no images.
        public func bestIoU(void: VoidHandling = .paper) -> Float? {
            PaperSummary(images: images, void: void).map { Float($0.bestThreshold) }
        }

        /// The threshold at 95% true-positive rate (SMIYC's FPR95 operating point): the highest
        /// score v such that `s >= v` finds at least 95% of the non-void anomaly pixels of all
        /// images. Nil when there is no anomaly or no in-distribution pixel.
        public func tpr95() -> Float? {
            PixelMetrics(accumulator: pass).fpr95Threshold
        }
    }

    /// ``Collector/bestIoU(void:)`` over the given images (`scores` should be in [0, 1]).
    public static func bestIoU(scores: [ScoreMap], truths: [TruthMap], void: VoidHandling = .paper) throws -> Float? {
        precondition(scores.count == truths.count)
        let c = Collector()
        for (s, t) in zip(scores, truths) { try c.add(scores: s, truth: t) }
        return c.bestIoU(void: void)
    }

    /// ``Collector/tpr95()`` over the given images.
    public static func tpr95(scores: [ScoreMap], truths: [TruthMap]) throws -> Float? {
        precondition(scores.count == truths.count)
        let c = Collector()
        for (s, t) in zip(scores, truths) { try c.add(scores: s, truth: t) }
        return c.tpr95()
    }

    /// The mask `{s >= v}` of an inclusive threshold such as ``tpr95(scores:truths:)``'s.
    public static func inclusiveMask(_ scores: ScoreMap, atLeast v: Float) -> Mask {
        scores.map { $0 >= v }
    }
}
