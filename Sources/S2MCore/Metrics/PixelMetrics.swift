/// Pixel-level metrics of the SMIYC benchmark over non-void pixels (positive = anomaly), computed
/// exactly over every distinct score value, with the threshold convention of sklearn and of the
/// SMIYC curves: at threshold v a pixel is predicted when `score >= v`; thresholds run from the
/// highest distinct score to the lowest.
///
/// With TP(v), FP(v) the positives / negatives scoring >= v, P and N their totals:
/// - precision p = TP / (TP + FP), recall r = TPR = TP / P, FPR = FP / N;
/// - AP = Σ_i (r_i − r_{i−1}) · p_i over the distinct thresholds, r_0 = 0 (sklearn's
///   `average_precision_score`, the SMIYC kit's `area_PRC`);
/// - AUROC = trapezoid area of TPR over FPR from (0, 0) (sklearn's `roc_auc_score`; runs of
///   thresholds that add only negatives are summed as one step, equal up to rounding);
/// - FPR95 = FPR at the first threshold (from high to low) where TPR >= 0.95 (SMIYC; 1.0 if
///   never reached, which cannot happen once P > 0);
/// - FPR95 (PEBAL/RPL) = FPR at the threshold whose recall is closest to 0.95, among the
///   thresholds down to the first that reaches full recall, ties going to the lower threshold
///   (their `fpr_and_fdr_at_recall`: `argmin` over the reversed curve);
/// - best F1 = max over thresholds of 2TP / (2TP + FP + FN), at the highest threshold reaching it.
///
/// The SMIYC kit itself bins each frame's scores into 768 percentile bins before building the
/// curves; these values are what its curves converge to without binning (see docs/evaluation.md).
public struct PixelMetrics: Sendable, Equatable, Codable {
    /// Non-void anomaly pixels, P.
    public var positives: UInt64
    /// Non-void in-distribution pixels, N.
    public var negatives: UInt64
    /// Number of distinct score values among them.
    public var distinctScores: Int
    /// Average precision; `nil` when P = 0.
    public var averagePrecision: Double?
    /// Area under the ROC curve; `nil` when P = 0 or N = 0.
    public var auroc: Double?
    /// FPR at the first threshold with TPR >= 0.95 (SMIYC); `nil` when P = 0 or N = 0.
    public var fpr95: Double?
    /// That threshold (`score >= fpr95Threshold` is predicted); `nil` with ``fpr95``.
    public var fpr95Threshold: Float?
    /// TPR reached at ``fpr95Threshold``.
    public var tprAtFPR95Threshold: Double?
    /// FPR at the recall closest to 0.95 (PEBAL / RPL code); `nil` when P = 0 or N = 0.
    public var fpr95PEBAL: Double?
    /// Best F1 over all thresholds; `nil` when P = 0.
    public var bestF1: Double?
    /// The highest threshold reaching ``bestF1`` (`score >= bestF1Threshold`).
    public var bestF1Threshold: Float?

    /// Counts only; every metric `nil` (filled in by the reference implementation).
    init(positives: UInt64, negatives: UInt64, distinctScores: Int) {
        self.positives = positives
        self.negatives = negatives
        self.distinctScores = distinctScores
    }

    /// Computes the metrics from counts visited from the highest score to the lowest.
    /// `visit` must call its argument once per distinct score, in strictly descending order
    /// (consecutive scores holding only negatives may be given as one call at the lowest of them).
    public init(positives P: UInt64, negatives N: UInt64,
                visit: ((UInt32, UInt64, UInt64) -> Void) -> Void) {
        var walker = CurveWalker(positives: P, negatives: N)
        visit { key, p, n in walker.visit(key, p, n) }
        self = walker.metrics()
    }

    /// Metrics of exact runs.
    public init(runs: ScoreCountRuns) {
        self.init(positives: runs.totalPositives, negatives: runs.totalNegatives, visit: runs.forEachDescending)
    }

    /// Metrics of everything an accumulator counted.
    public init(accumulator: ScoreCountAccumulator) {
        var walker = CurveWalker(positives: accumulator.totalPositives, negatives: accumulator.totalNegatives)
        let distinct = accumulator.forEachCurveStep(&walker)
        self = walker.metrics()
        distinctScores = distinct
    }

    /// Metrics of one image's non-void pixels.
    public init(scores: ScoreMap, truth: TruthMap) throws {
        let acc = ScoreCountAccumulator()
        _ = try acc.addImage(scores: scores, truth: truth)
        self.init(accumulator: acc)
    }
}

/// Something that is shown the runs of exact counts from the highest score to the lowest.
public protocol DescendingRunVisitor {
    /// One distinct score (or a stretch of consecutive scores holding only negatives) with its
    /// positive and negative pixel counts.
    mutating func visit(_ key: UInt32, _ positives: UInt64, _ negatives: UInt64)
}

/// Walks the precision/recall and ROC curves one threshold at a time and keeps what
/// ``PixelMetrics`` reports (see its formulas).
struct CurveWalker: DescendingRunVisitor {
    let P: UInt64, N: UInt64
    let dP: Double, dN: Double
    var distinct = 0
    var tp: UInt64 = 0, fp: UInt64 = 0
    var ap = 0.0, previousRecall = 0.0
    var auc = 0.0, previousTPR = 0.0, previousFPR = 0.0
    var fpr95: Double? = nil, fpr95Key: UInt32? = nil, tpr95: Double? = nil
    var pebalBestDistance = Double.infinity, pebalFP: UInt64 = 0, pebalDone = false
    var bestF1 = -1.0, bestF1Key: UInt32? = nil
    var pendingKey: UInt32 = 0, pendingNegatives: UInt64 = 0

    init(positives: UInt64, negatives: UInt64) {
        P = positives
        N = negatives
        dP = Double(positives)
        dN = Double(negatives)
    }

    /// Consecutive thresholds that add only negatives form one horizontal step of the curves:
    /// they are taken as a single point at the lowest of them. This changes no metric: AP gains
    /// nothing where recall stands still; F1 only falls along such a step, so its best is never
    /// inside one; FPR95's threshold is where recall rises; the PEBAL tie rule picks the lowest
    /// threshold of equal recall, i.e. the end of the step. AUROC sums the step's area at once
    /// (equal up to rounding to the per-threshold sum).
    mutating func visit(_ key: UInt32, _ p: UInt64, _ n: UInt64) {
        distinct += 1
        if p == 0 {
            pendingKey = key
            pendingNegatives += n
            return
        }
        if pendingNegatives > 0 { point(pendingKey, 0, pendingNegatives); pendingNegatives = 0 }
        point(key, p, n)
    }

    /// One point of the curves: the threshold `key` adds p positives and n negatives.
    private mutating func point(_ key: UInt32, _ p: UInt64, _ n: UInt64) {
        tp += p
        fp += n
        guard P > 0 else { return }
        let recall = Double(tp) / dP
        let precision = Double(tp) / Double(tp + fp)
        ap += (recall - previousRecall) * precision
        previousRecall = recall
        let f1 = Double(2 * tp) / Double(2 * tp + fp + (P - tp))
        if f1 > bestF1 { bestF1 = f1; bestF1Key = key }
        guard N > 0 else { return }
        let fpr = Double(fp) / dN
        auc += (fpr - previousFPR) * (recall + previousTPR) / 2
        previousTPR = recall
        previousFPR = fpr
        if fpr95 == nil && recall >= 0.95 { fpr95 = fpr; fpr95Key = key; tpr95 = recall }
        if !pebalDone {
            let distance = abs(recall - 0.95)
            if distance <= pebalBestDistance { pebalBestDistance = distance; pebalFP = fp }
            if tp == P { pebalDone = true }
        }
    }

    /// The metrics of everything visited.
    mutating func metrics() -> PixelMetrics {
        if pendingNegatives > 0 { point(pendingKey, 0, pendingNegatives); pendingNegatives = 0 }
        var m = PixelMetrics(positives: P, negatives: N, distinctScores: distinct)
        guard P > 0 else { return m }
        m.averagePrecision = ap
        m.bestF1 = bestF1
        m.bestF1Threshold = bestF1Key.map(ScoreKey.value)
        guard N > 0 else { return m }
        m.auroc = auc
        m.fpr95 = fpr95 ?? 1.0
        m.fpr95Threshold = fpr95Key.map(ScoreKey.value)
        m.tprAtFPR95Threshold = tpr95
        m.fpr95PEBAL = Double(pebalFP) / dN
        return m
    }
}
