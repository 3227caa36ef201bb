import Foundation

/// The results of an evaluation as people and programs read them: an aligned text table, a
/// JSON document and a CSV file, each with dataset-level rows and per-image rows.
public struct EvaluationReport: Sendable {
    public var dataset: DatasetIdentity
    public var encoding: LabelEncoding
    public var settings: EvaluationSettings
    public var summaries: [MethodSummary]
    /// Per method (same order), its image records.
    public var images: [[ImageRecord]]
    /// Case indices evaluated.
    public var evaluated: [Int]
    public var cancelled: Bool
    /// Where the scores came from (for the header), if known.
    public var scoresSource: String?

    public init(dataset: DatasetIdentity, settings: EvaluationSettings, results: [MethodResults],
                evaluated: [Int], cancelled: Bool, scoresSource: String? = nil) {
        self.dataset = dataset
        self.encoding = settings.encoding
        self.settings = settings
        self.summaries = results.map { $0.summary(void: settings.void) }
        self.images = results.map(\.images)
        self.evaluated = evaluated
        self.cancelled = cancelled
        self.scoresSource = scoresSource
    }

    // MARK: Per-image numbers

    /// One image's numbers for one method.
    public struct ImageRow: Sendable, Codable, Equatable {
        public var method: String
        public var index: Int
        public var image: String
        /// IoU and F1 at the method's dataset-level best threshold (the paper's "IoU" per image).
        public var iou: Double
        public var f1: Double
        /// The image's own best IoU over the 101 thresholds, and where.
        public var ownBestIoU: Double
        public var ownBestThreshold: Double
        /// Anomaly pixels, and pixels predicted at the dataset-level best threshold.
        public var groundTruthPixels: Int
        public var predictedPixels: Int
        /// Component counts (when known).
        public var groundTruthComponents: Int?
        public var predictedComponents: Int?
        public var meanSIoU: Double?
        public var meanPPV: Double?
        public var seconds: Double
    }

    public func imageRows() -> [ImageRow] {
        var rows: [ImageRow] = []
        for (s, records) in zip(summaries, images) {
            let k = s.paper?.bestThresholdIndex ?? 0
            for r in records {
                let (iou, f1) = r.paper.scores(void: settings.void)
                let (_, union) = r.paper.intersectionsAndUnions(void: settings.void)
                let g = r.paper.groundTruthCount
                var ownK = 0
                for j in iou.indices where iou[j] > iou[ownK] { ownK = j }
                let inter = r.paper.intersectionsAndUnions(void: settings.void).intersection[k]
                let c = r.components
                rows.append(ImageRow(method: s.name, index: r.index, image: r.name, iou: iou[k], f1: f1[k],
                                     ownBestIoU: iou[ownK], ownBestThreshold: PaperProtocol.thresholds[ownK],
                                     groundTruthPixels: g, predictedPixels: union[k] - g + inter,
                                     groundTruthComponents: c?.groundTruth.count, predictedComponents: c?.precision.count,
                                     meanSIoU: c.flatMap { mean($0.groundTruth.map(\.value)) },
                                     meanPPV: c.flatMap { mean($0.precision.map(\.value)) },
                                     seconds: r.seconds))
            }
        }
        return rows
    }

    private func mean(_ v: [Double]) -> Double? { v.isEmpty ? nil : v.reduce(0, +) / Double(v.count) }

    // MARK: Text

    /// The aligned table: one row per method, then the ratio of the first `s2m`-like method to
    /// `threshold` when both are present.
    public func table() -> String {
        var out: [String] = []
        out.append("dataset: \(dataset.root) (\(dataset.layout), \(evaluated.count) of \(dataset.caseCount) images\(cancelled ? ", STOPPED EARLY" : ""))")
        out.append("labels: \(encoding); void: \(settings.void) (paper protocol), left out (SMIYC); components: \(settings.components) track (min \(settings.components.minPredictionArea) px predicted / \(settings.components.minGroundTruthArea) px ground truth)")
        if let scoresSource { out.append("scores: \(scoresSource)") }
        for s in summaries { out.append("method \(s.name): \(s.details)") }
        out.append("")
        let header = ["method", "IoU", "t*", "AuIoU", "meanF1", "|", "AP", "AUROC", "FPR95", "FPR95pb", "F1px", "|", "sIoU", "PPV", "F1comp"]
        var rows: [[String]] = [header]
        func f(_ v: Double?, _ digits: Int = 3) -> String { v.map { String(format: "%.\(digits)f", $0) } ?? "-" }
        for s in summaries {
            rows.append([s.name, f(s.paper?.bestIoU), f(s.paper?.bestThreshold, 2), f(s.paper?.auIoU), f(s.paper?.meanF1OverThresholds), "|",
                         f(s.pixel.averagePrecision), f(s.pixel.auroc), f(s.pixel.fpr95), f(s.pixel.fpr95PEBAL), f(s.pixel.bestF1), "|",
                         f(s.components?.meanSIoU), f(s.components?.meanPPV), f(s.components?.meanF1)])
        }
        if let base = summaries.first(where: { $0.name == "threshold" }) {
            for s in summaries where s.name != base.name {
                func r(_ a: Double?, _ b: Double?) -> String {
                    guard let a, let b, b != 0 else { return "-" }
                    return String(format: "%.2fx", a / b)
                }
                rows.append(["\(s.name)/\(base.name)", r(s.paper?.bestIoU, base.paper?.bestIoU), "", r(s.paper?.auIoU, base.paper?.auIoU),
                             r(s.paper?.meanF1OverThresholds, base.paper?.meanF1OverThresholds), "|",
                             r(s.pixel.averagePrecision, base.pixel.averagePrecision), r(s.pixel.auroc, base.pixel.auroc),
                             r(s.pixel.fpr95, base.pixel.fpr95), r(s.pixel.fpr95PEBAL, base.pixel.fpr95PEBAL), r(s.pixel.bestF1, base.pixel.bestF1), "|",
                             r(s.components?.meanSIoU, base.components?.meanSIoU), r(s.components?.meanPPV, base.components?.meanPPV),
                             r(s.components?.meanF1, base.components?.meanF1)])
            }
        }
        let widths = header.indices.map { c in rows.map { $0[c].count }.max()! }
        for row in rows {
            out.append(row.enumerated().map { c, cell in
                c == 0 ? cell.padding(toLength: widths[c], withPad: " ", startingAt: 0)
                       : String(repeating: " ", count: widths[c] - cell.count) + cell
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces))
        }
        out.append("")
        out.append("IoU, AuIoU, meanF1: the paper's protocol (101 thresholds, t* = best); AP, AUROC, FPR95 (SMIYC), FPR95pb (PEBAL/RPL), F1px: pixel level, exact over all distinct scores; sIoU, PPV, F1comp: SMIYC component level (mean F1 over tau 0.25..0.75). Higher is better except for FPR95 and FPR95pb.")
        for s in summaries {
            let how = cancelled && s.binarisation == .pending ? "not computed (stopped early)" : "\(s.binarisation)"
            out.append("components of \(s.name): \(how)")
        }
        if cancelled { out.append("stopped early: the numbers above cover the \(evaluated.count) images finished") }
        return out.joined(separator: "\n") + "\n"
    }

    // MARK: JSON

    struct JSONDocument: Encodable {
        var dataset: DatasetIdentity
        var scores: String?
        var settings: EvaluationSettings
        var evaluated: Int
        var cancelled: Bool
        var methods: [MethodSummary]
        var images: [ImageRow]
    }

    /// The whole report as JSON (methods with every metric and the 101-point curves, then
    /// per-image rows). Undefined values are `null`.
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try encoder.encode(JSONDocument(dataset: dataset, scores: scoresSource, settings: settings,
                                               evaluated: evaluated.count, cancelled: cancelled,
                                               methods: summaries, images: imageRows()))
    }

    // MARK: CSV

    static let csvColumns = ["level", "method", "image", "images", "iou", "best_threshold", "auiou", "mean_f1", "f1",
                             "own_best_iou", "own_best_threshold", "gt_pixels", "predicted_pixels",
                             "ap", "auroc", "fpr95", "fpr95_pebal", "pixel_best_f1", "pixel_best_f1_threshold",
                             "siou", "ppv", "component_mean_f1", "gt_components", "predicted_components", "seconds"]

    /// One `dataset` row per method, then one `image` row per method and image. Empty cells
    /// mean "not defined".
    public func csv() -> String {
        func f(_ v: Double?) -> String { v.map { "\($0)" } ?? "" }
        func i(_ v: Int?) -> String { v.map(String.init) ?? "" }
        func quote(_ s: String) -> String {
            s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
        }
        var lines = [Self.csvColumns.joined(separator: ",")]
        for (s, records) in zip(summaries, images) {
            let row: [String] = ["dataset", quote(s.name), "", i(s.images), f(s.paper?.bestIoU), f(s.paper?.bestThreshold), f(s.paper?.auIoU),
                                 f(s.paper?.meanF1OverThresholds), "", "", "", "", "",
                                 f(s.pixel.averagePrecision), f(s.pixel.auroc), f(s.pixel.fpr95), f(s.pixel.fpr95PEBAL),
                                 f(s.pixel.bestF1), s.pixel.bestF1Threshold.map { "\($0)" } ?? "",
                                 f(s.components?.meanSIoU), f(s.components?.meanPPV), f(s.components?.meanF1),
                                 i(s.components?.groundTruthComponents), i(s.components?.predictedComponents),
                                 f(records.reduce(0) { $0 + $1.seconds })]
            lines.append(row.joined(separator: ","))
        }
        for r in imageRows() {
            let row: [String] = ["image", quote(r.method), quote(r.image), "", f(r.iou), "", "", "", f(r.f1), f(r.ownBestIoU),
                                 f(r.ownBestThreshold), i(r.groundTruthPixels), i(r.predictedPixels), "", "", "", "", "", "",
                                 f(r.meanSIoU), f(r.meanPPV), "", i(r.groundTruthComponents), i(r.predictedComponents), f(r.seconds)]
            lines.append(row.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
