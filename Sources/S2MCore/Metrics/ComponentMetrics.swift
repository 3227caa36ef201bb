/// Size filters of the SMIYC component-level evaluation: predicted components smaller than
/// ``minPredictionArea`` pixels are removed, ground-truth components smaller than
/// ``minGroundTruthArea`` become void.
public struct ComponentFilter: Sendable, Hashable, Codable, CustomStringConvertible {
    public var minPredictionArea: Int
    public var minGroundTruthArea: Int

    public init(minPredictionArea: Int, minGroundTruthArea: Int) {
        self.minPredictionArea = minPredictionArea
        self.minGroundTruthArea = minGroundTruthArea
    }

    /// SMIYC AnomalyTrack (RoadAnomaly21, Fishyscapes): 500 / 100 pixels.
    public static let anomalyTrack = ComponentFilter(minPredictionArea: 500, minGroundTruthArea: 100)
    /// SMIYC ObstacleTrack (RoadObstacle21): 50 / 10 pixels.
    public static let obstacleTrack = ComponentFilter(minPredictionArea: 50, minGroundTruthArea: 10)

    /// Parses `anomaly`, `obstacle` or `PRED/GT` (e.g. `500/100`).
    public init(parsing text: String) throws {
        switch text.lowercased() {
        case "anomaly", "anomaly-track": self = .anomalyTrack
        case "obstacle", "obstacle-track": self = .obstacleTrack
        default:
            let parts = text.split(separator: "/").map { Int($0) }
            guard parts.count == 2, let p = parts[0], let g = parts[1], p >= 0, g >= 0 else {
                throw S2MError(file: nil, .invalid("unknown component track '\(text)' (use anomaly, obstacle or PRED/GT minimum areas, e.g. 500/100)"))
            }
            self.init(minPredictionArea: p, minGroundTruthArea: g)
        }
    }

    public var description: String {
        if self == .anomalyTrack { return "anomaly" }
        if self == .obstacleTrack { return "obstacle" }
        return "\(minPredictionArea)/\(minGroundTruthArea)"
    }
}

/// One image's component-level counts (SMIYC `segment_metrics`), as exact integers so that
/// images and shards merge without rounding.
///
/// Procedure (8-connected components for both sides):
/// 1. predicted pixels on void are dropped, the prediction is labelled and components smaller
///    than the filter's prediction area are removed;
/// 2. ground-truth components (anomaly pixels) smaller than the filter's ground-truth area become
///    void; the region of interest R is every non-void pixel;
/// 3. for each remaining ground-truth component k, with K the union of predicted components
///    touching k and A the pixels of K in *other* ground-truth components (all within R):
///    sIoU(k) = |k ∩ K| / (|K| + |k| − |k ∩ K| − |A|);
/// 4. for each predicted component c with pixels in R: PPV(c) = |c ∩ G| / |c| (G the remaining
///    ground truth, areas within R), and symmetrically sIoU(c) with the ground-truth components
///    touching c.
public struct ComponentImageCounts: Sendable, Equatable, Codable {
    /// Per ground-truth component: the sIoU numerator |k ∩ K| and denominator.
    public var groundTruth: [Ratio]
    /// Per predicted component: PPV as |c ∩ G| / |c|.
    public var precision: [Ratio]
    /// Per predicted component: its sIoU against the ground-truth components it touches.
    public var predictionSIoU: [Ratio]

    /// An exact fraction of pixel counts.
    public struct Ratio: Sendable, Equatable, Codable {
        public var numerator: Int
        public var denominator: Int
        public init(_ numerator: Int, _ denominator: Int) {
            self.numerator = numerator
            self.denominator = denominator
        }
        /// The value; 0 for an empty denominator (cannot happen for a non-empty component).
        public var value: Double { denominator > 0 ? Double(numerator) / Double(denominator) : 0 }
    }

    public init(groundTruth: [Ratio], precision: [Ratio], predictionSIoU: [Ratio]) {
        self.groundTruth = groundTruth
        self.precision = precision
        self.predictionSIoU = predictionSIoU
    }

    /// Counts of a binary prediction against the ground truth.
    public init(prediction: Mask, truth: TruthMap, filter: ComponentFilter) throws {
        try checkSameSize(prediction, truth)
        let n = truth.count
        // 1. Prediction without void, labelled, small components removed.
        var predMask = prediction
        for i in 0..<n where truth.pixels[i] == .void { predMask.pixels[i] = false }
        let predCC = try ConnectedComponents(mask: predMask).removingComponents(smallerThan: filter.minPredictionArea)
        // 2. Ground truth components; small ones leave the region of interest.
        let gtCC = try ConnectedComponents(mask: truth.map { $0 == .anomaly })
        var gtKeep = [Int32](repeating: 0, count: gtCC.count + 1)   // old label -> new label, 0 = dropped
        var kept: Int32 = 0
        for c in gtCC.components where c.area >= filter.minGroundTruthArea {
            kept += 1
            gtKeep[Int(c.label)] = kept
        }
        let nGT = Int(kept), nPred = predCC.count
        // Areas within R and the overlap of every (ground truth, prediction) pair.
        var gtArea = [Int](repeating: 0, count: nGT + 1)
        var predArea = [Int](repeating: 0, count: nPred + 1)
        var overlap: [Int: Int] = [:]                          // g * (nPred + 1) + p -> pixels
        gtCC.labels.pixels.withUnsafeBufferPointer { gl in
            predCC.labels.pixels.withUnsafeBufferPointer { pl in
                truth.pixels.withUnsafeBufferPointer { tl in
                    for i in 0..<n {
                        let oldG = Int(gl[i])
                        if tl[i] == .void || (oldG != 0 && gtKeep[oldG] == 0) { continue }   // outside R
                        let g = oldG == 0 ? 0 : Int(gtKeep[oldG]), p = Int(pl[i])
                        gtArea[g] += 1
                        predArea[p] += 1
                        if g != 0 && p != 0 { overlap[g * (nPred + 1) + p, default: 0] += 1 }
                    }
                }
            }
        }
        var touching = [[(other: Int, pixels: Int)]](repeating: [], count: nGT + 1)   // per g: (p, overlap)
        var touchedBy = [[(other: Int, pixels: Int)]](repeating: [], count: nPred + 1) // per p: (g, overlap)
        for (code, pixels) in overlap.sorted(by: { $0.key < $1.key }) {
            let g = code / (nPred + 1), p = code % (nPred + 1)
            touching[g].append((p, pixels))
            touchedBy[p].append((g, pixels))
        }
        let predInGT = touchedBy.map { $0.reduce(0) { $0 + $1.pixels } }   // |c ∩ G| per prediction
        let gtInPred = touching.map { $0.reduce(0) { $0 + $1.pixels } }    // |k ∩ P| per ground truth
        // 3. sIoU of each ground-truth component.
        var gt: [Ratio] = []
        for g in 1...max(nGT, 1) where nGT > 0 {
            let inter = gtInPred[g]
            var unionK = 0, adjustment = 0
            for (p, pixels) in touching[g] {
                unionK += predArea[p]
                adjustment += predInGT[p] - pixels
            }
            gt.append(Ratio(inter, unionK + gtArea[g] - inter - adjustment))
        }
        // 4. PPV and sIoU of each predicted component with pixels in R.
        var precision: [Ratio] = [], predSIoU: [Ratio] = []
        for p in 1...max(nPred, 1) where nPred > 0 && predArea[p] > 0 {
            let inter = predInGT[p]
            precision.append(Ratio(inter, predArea[p]))
            var unionT = 0, adjustment = 0
            for (g, pixels) in touchedBy[p] {
                unionT += gtArea[g]
                adjustment += gtInPred[g] - pixels
            }
            predSIoU.append(Ratio(inter, unionT + predArea[p] - inter - adjustment))
        }
        self.init(groundTruth: gt, precision: precision, predictionSIoU: predSIoU)
    }
}

/// Dataset-level component metrics (SMIYC `MetricSegment.aggregate`).
///
/// For τ in 0.25, 0.30, ..., 0.75 (numpy's `linspace(0.25, 0.75, 11)`): TP = ground-truth
/// components with sIoU >= τ, FN = those with sIoU < τ, FP = predicted components with PPV < τ,
/// summed over images; F1(τ) = 2TP / (2TP + FN + FP) (`nil` when that is 0 / 0). "mean F1" is
/// the mean of F1(τ) over the 11 values; also the mean sIoU over ground-truth components, the
/// mean PPV and mean sIoU over predicted components.
public struct ComponentSummary: Sendable, Equatable, Codable {
    /// The 11 thresholds τ.
    public static let taus: [Double] = {
        let step: Double = (0.75 - 0.25) / 10
        var t: [Double] = []
        for i in 0..<10 { t.append(Double(i) * step + 0.25) }   // numpy: arange * step + start,
        t.append(0.75)                                          // then the end point exactly
        return t
    }()

    public var truePositives: [Int]
    public var falseNegatives: [Int]
    public var falsePositives: [Int]
    /// F1 per τ; `nil` where no component exists on either side.
    public var f1: [Double?]
    /// Mean of F1(τ) over τ; `nil` when some F1(τ) is undefined.
    public var meanF1: Double?
    /// Mean sIoU over ground-truth components; `nil` without any.
    public var meanSIoU: Double?
    /// Mean PPV over predicted components; `nil` without any.
    public var meanPPV: Double?
    /// Mean sIoU over predicted components; `nil` without any.
    public var meanPredictionSIoU: Double?
    /// Ground-truth components counted.
    public var groundTruthComponents: Int
    /// Predicted components counted.
    public var predictedComponents: Int

    /// Aggregates images in the given order (sums in that order: merged shards give the same bits).
    public init(images: [ComponentImageCounts]) {
        let taus = Self.taus
        var tp = [Int](repeating: 0, count: taus.count), fn = tp, fp = tp
        var sIoUSum = 0.0, ppvSum = 0.0, predSIoUSum = 0.0
        var nGT = 0, nPred = 0
        for image in images {
            for r in image.groundTruth {
                let v = r.value
                sIoUSum += v
                for (i, t) in taus.enumerated() { if v >= t { tp[i] += 1 } else { fn[i] += 1 } }
            }
            for r in image.precision {
                let v = r.value
                ppvSum += v
                for (i, t) in taus.enumerated() where v < t { fp[i] += 1 }
            }
            for r in image.predictionSIoU { predSIoUSum += r.value }
            nGT += image.groundTruth.count
            nPred += image.precision.count
        }
        truePositives = tp
        falseNegatives = fn
        falsePositives = fp
        f1 = taus.indices.map { i in
            let d = 2 * tp[i] + fn[i] + fp[i]
            return d > 0 ? Double(2 * tp[i]) / Double(d) : nil
        }
        let defined = f1.compactMap { $0 }
        meanF1 = defined.count == taus.count ? defined.reduce(0, +) / Double(taus.count) : nil
        meanSIoU = nGT > 0 ? sIoUSum / Double(nGT) : nil
        meanPPV = nPred > 0 ? ppvSum / Double(nPred) : nil
        meanPredictionSIoU = nPred > 0 ? predSIoUSum / Double(nPred) : nil
        groundTruthComponents = nGT
        predictedComponents = nPred
    }
}
