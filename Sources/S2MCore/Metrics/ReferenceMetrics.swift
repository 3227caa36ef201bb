/// Straightforward implementations of the paper sweep and of the pixel-level metrics: every
/// threshold is evaluated on its own by a full pass over the pixels, and the curves are then
/// read exactly as the reference code reads them (numpy-style arrays, `searchsorted`, `argmin`).
///
/// They are the oracle that the fast one-pass metrics are tested against and the baseline of
/// `s2m-bench eval-metrics`; they are far too slow for real datasets (cost: thresholds x pixels).
public enum ReferenceMetrics {
    /// The paper's sweep, one pass per threshold: `score > Float(k * 0.01)`.
    public static func paperSummary(images: [(scores: ScoreMap, truth: TruthMap)],
                                    void handling: VoidHandling) -> PaperSummary? {
        guard !images.isEmpty else { return nil }
        let t = PaperProtocol.thresholdCount
        var meanIoU = [Double](repeating: 0, count: t), meanF1 = [Double](repeating: 0, count: t)
        for k in 0..<t {
            let threshold = PaperProtocol.floatThresholds[k]
            var iouSum = 0.0, f1Sum = 0.0
            for (scores, truth) in images {
                let (inter, union) = intersectionAndUnion(scores: scores, truth: truth,
                                                          threshold: threshold, void: handling)
                if union > 0 {
                    iouSum += Double(inter) / Double(union)
                    f1Sum += Double(2 * inter) / Double(inter + union)
                }
            }
            meanIoU[k] = iouSum / Double(images.count)
            meanF1[k] = f1Sum / Double(images.count)
        }
        // The paper's loop: best starts at 0 with threshold 0 and moves on a strictly larger mIoU.
        var best = 0.0, bestK = 0
        for k in 0..<t {
            if meanIoU[k] > best { best = meanIoU[k]; bestK = k }
        }
        // numpy.trapz(y, x) = sum(diff(x) * (y[1:] + y[:-1]) / 2)
        var area = 0.0
        for k in 1..<t {
            area += (PaperProtocol.thresholds[k] - PaperProtocol.thresholds[k - 1]) * (meanIoU[k] + meanIoU[k - 1]) / 2.0
        }
        var f1Total = 0.0
        for k in 0..<t { f1Total += meanF1[k] }
        return PaperSummary(meanIoU: meanIoU, meanF1: meanF1, bestIoU: best, bestThreshold: PaperProtocol.thresholds[bestK],
                            bestThresholdIndex: bestK, auIoU: area, meanF1OverThresholds: f1Total / Double(t),
                            imageCount: images.count)
    }

    /// I and U of one image at one threshold.
    public static func intersectionAndUnion(scores: ScoreMap, truth: TruthMap, threshold: Float,
                                            void handling: VoidHandling) -> (Int, Int) {
        var inter = 0, union = 0
        for i in 0..<scores.count {
            let c = truth.pixels[i]
            if c == .void && handling == .ignore { continue }
            let predicted = scores.pixels[i] > threshold
            let gt = c == .anomaly
            if predicted && gt { inter += 1 }
            if predicted || gt { union += 1 }
        }
        return (inter, union)
    }

    /// The pixel-level metrics over non-void pixels, one full pass per distinct score value to
    /// count TP and FP at `score >= v`, then the curve arithmetic of the SMIYC kit / sklearn /
    /// PEBAL written out literally. Cost: distinct values x pixels.
    public static func pixelMetrics(scores: [Float], truth: [TruthClass]) -> PixelMetrics {
        var pos: [Float] = [], neg: [Float] = []
        for (s, c) in zip(scores, truth) {
            switch c {
            case .anomaly: pos.append(s)
            case .inDistribution: neg.append(s)
            case .void: break
            }
        }
        return pixelMetrics(positives: pos, negatives: neg)
    }

    /// As above, from the scores of the positive and the negative pixels.
    public static func pixelMetrics(positives pos: [Float], negatives neg: [Float]) -> PixelMetrics {
        let P = pos.count, N = neg.count
        // Distinct thresholds from high to low (-0 and +0 are one value).
        let thresholds = Array(Set((pos + neg).map { $0 + 0 })).sorted(by: >)
        var tps: [Int] = [], fps: [Int] = []
        for v in thresholds {
            var tp = 0, fp = 0
            for s in pos where s >= v { tp += 1 }
            for s in neg where s >= v { fp += 1 }
            tps.append(tp)
            fps.append(fp)
        }
        var m = PixelMetrics(positives: UInt64(P), negatives: UInt64(N), distinctScores: thresholds.count)
        guard P > 0 else { return m }
        // Curve points with the (0, 0) start, as the SMIYC kit builds them.
        let recall = [0.0] + tps.map { Double($0) / Double(P) }
        let precision = [1.0] + zip(tps, fps).map { Double($0) / Double($0 + $1) }
        var ap = 0.0
        for i in 1..<recall.count { ap += (recall[i] - recall[i - 1]) * precision[i] }
        m.averagePrecision = ap
        // Best F1: nanargmax over the points (the start point has F1 = 0).
        let f1 = [0.0] + tps.indices.map { Double(2 * tps[$0]) / Double(2 * tps[$0] + fps[$0] + (P - tps[$0])) }
        var ix = 0
        for i in f1.indices where f1[i] > f1[ix] { ix = i }
        m.bestF1 = f1[ix]
        m.bestF1Threshold = ix == 0 ? nil : thresholds[ix - 1]
        guard N > 0 else { return m }
        let fpr = [0.0] + fps.map { Double($0) / Double(N) }
        var auc = 0.0
        for i in 1..<fpr.count { auc += (fpr[i] - fpr[i - 1]) * (recall[i] + recall[i - 1]) / 2 }
        m.auroc = auc
        // SMIYC: searchsorted(tpr, 0.95) = first index with tpr >= 0.95.
        if let i = recall.firstIndex(where: { $0 >= 0.95 }) {
            m.fpr95 = fpr[i]
            m.fpr95Threshold = thresholds[i - 1]
            m.tprAtFPR95Threshold = recall[i]
        } else {
            m.fpr95 = 1.0
        }
        // PEBAL / RPL fpr_and_fdr_at_recall: keep points up to the first with full recall,
        // reverse them, append (recall 1, fps 0), take argmin |recall - 0.95| (first occurrence).
        let lastIndex = tps.firstIndex(of: tps.last!)!
        let rRev = (0...lastIndex).reversed().map { Double(tps[$0]) / Double(P) } + [1.0]
        let fRev = (0...lastIndex).reversed().map { fps[$0] } + [0]
        var cutoff = 0
        for i in rRev.indices where abs(rRev[i] - 0.95) < abs(rRev[cutoff] - 0.95) { cutoff = i }
        m.fpr95PEBAL = Double(fRev[cutoff]) / Double(N)
        return m
    }
}


extension ReferenceMetrics {
    /// The component-level counts written out as the SMIYC kit's `default_instancer` and
    /// `segment_metrics` compute them: whole-image passes per component (`np.isin` and friends).
    /// Components are labelled by ``ConnectedComponents``; everything else is independent of the
    /// fast ``ComponentImageCounts``.
    public static func componentCounts(prediction: Mask, truth: TruthMap, filter: ComponentFilter) throws -> ComponentImageCounts {
        let n = truth.count
        let isVoid = truth.pixels.map { $0 == .void }
        // anomaly_pred[label == 255] = 0, then label both.
        let predMask = Mask(width: prediction.width, height: prediction.height,
                            pixels: (0..<n).map { prediction.pixels[$0] && !isVoid[$0] })
        var pred = try ConnectedComponents(mask: predMask).labels.pixels
        let gtCC = try ConnectedComponents(mask: truth.map { $0 == .anomaly })
        let instances = gtCC.labels.pixels
        // Predicted components below the size are set to 0.
        let predCount = Int(pred.max() ?? 0)
        for comp in 1...max(predCount, 1) where predCount > 0 {
            if pred.filter({ $0 == Int32(comp) }).count < filter.minPredictionArea {
                pred = pred.map { $0 == Int32(comp) ? 0 : $0 }
            }
        }
        // Ground-truth components below the size become void.
        var roi = isVoid.map { !$0 }
        for comp in 1...max(gtCC.count, 1) where gtCC.count > 0 {
            if instances.filter({ $0 == Int32(comp) }).count < filter.minGroundTruthArea {
                for i in 0..<n where instances[i] == Int32(comp) { roi[i] = false }
            }
        }
        let inst = (0..<n).filter { roi[$0] }.map { instances[$0] }
        let seg = (0..<n).filter { roi[$0] }.map { pred[$0] }
        let m = inst.count
        var gt: [ComponentImageCounts.Ratio] = []
        for i in Set(inst.filter { $0 > 0 }).sorted() {
            let tpLoc = (0..<m).filter { inst[$0] == i }.map { seg[$0] }
            let segInd = Set(tpLoc.filter { $0 != 0 })
            let intersection = tpLoc.filter { segInd.contains($0) }.count
            let adjustment = (0..<m).filter { inst[$0] != 0 && inst[$0] != i && segInd.contains(seg[$0]) }.count
            let union = seg.filter { segInd.contains($0) }.count + inst.filter { $0 == i }.count - intersection - adjustment
            gt.append(.init(intersection, union))
        }
        var precision: [ComponentImageCounts.Ratio] = [], predSIoU: [ComponentImageCounts.Ratio] = []
        for i in Set(seg.filter { $0 > 0 }).sorted() {
            let tpLoc = (0..<m).filter { seg[$0] == i }.map { inst[$0] }
            let segInd = Set(tpLoc.filter { $0 != 0 })
            let intersection = tpLoc.filter { segInd.contains($0) }.count
            let adjustment = (0..<m).filter { seg[$0] != 0 && seg[$0] != i && segInd.contains(inst[$0]) }.count
            let size = seg.filter { $0 == i }.count
            let union = inst.filter { segInd.contains($0) }.count + size - intersection - adjustment
            predSIoU.append(.init(intersection, union))
            precision.append(.init(intersection, size))
        }
        return ComponentImageCounts(groundTruth: gt, precision: precision, predictionSIoU: predSIoU)
    }
}
