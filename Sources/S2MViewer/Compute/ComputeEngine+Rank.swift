import Foundation
import S2MCore

extension ComputeEngine {
    /// Computes every item's threshold and S2M metrics (items without scores or a label are
    /// skipped), reporting progress; stops when `isCancelled` turns true.
    public func rank(_ job: RankJob, loader: CaseLoader, defaultThreshold: (ScoreMap) -> Float,
                     isCancelled: () -> Bool = { Task.isCancelled }, report: (RankUpdate) -> Void) {
        var metrics = [Int: CaseMetrics]()
        for (index, item) in job.items.enumerated() {
            if isCancelled() {
                report(.finished(jobID: job.id, metrics: metrics, error: "cancelled"))
                return
            }
            do {
                let data = try loader(item)
                if let scores = data.scores, let truth = data.groundTruth {
                    let t = job.thresholdOverrides[item.name] ?? defaultThreshold(scores)
                    let thresholdMask = scores.map { $0 > t }
                    var prompts = job.promptOverrides[item.name] ?? data.prompts
                    if prompts == nil, let (g, values) = job.generator, promptSources.indices.contains(g) {
                        prompts = try promptSources[g].generator(values: values).prompts(scores: scores, image: data.image)
                    }
                    var union = [Bool](repeating: false, count: data.image.count)
                    if let prompts, !prompts.isEmpty, segmenters.indices.contains(job.segmenterIndex) {
                        let session = try segmenters[job.segmenterIndex].prepare(image: data.image, scores: scores)
                        for prompt in prompts {
                            if isCancelled() { break }
                            let mask = try session.segment(prompt).mask
                            for i in 0..<union.count where mask.pixels[i] { union[i] = true }
                        }
                    }
                    let s2m = Mask(width: data.image.width, height: data.image.height, pixels: union)
                    metrics[index] = CaseMetrics(threshold: MaskScore(predicted: thresholdMask, truth: truth),
                                                 s2m: MaskScore(predicted: s2m, truth: truth))
                }
            } catch is CancellationError {
                report(.finished(jobID: job.id, metrics: metrics, error: "cancelled"))
                return
            } catch {
                report(.finished(jobID: job.id, metrics: metrics, error: "\(error)"))
                return
            }
            report(.progress(jobID: job.id, done: index + 1, total: job.items.count))
        }
        report(.finished(jobID: job.id, metrics: metrics, error: nil))
    }
}
