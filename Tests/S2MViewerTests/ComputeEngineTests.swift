import Foundation
import Testing
import S2MCore
@testable import S2MViewer

/// The rectangle segmenter with a session that may be used from several threads at once.
struct ConcurrentRectSegmenter: PromptableSegmenter {
    var name: String { "rect-concurrent" }
    func prepare(image: RGBImage, scores: ScoreMap?) throws -> any SegmentationSession {
        Session(width: image.width, height: image.height)
    }

    final class Session: ConcurrentSegmentationSession {
        let width: Int, height: Int
        init(width: Int, height: Int) {
            self.width = width
            self.height = height
        }
        func segment(_ prompt: Prompt) throws -> Segmentation {
            try RectSession(width: width, height: height, inset: 0).segment(prompt)
        }
    }
}

private func job(prompts: [Prompt]) -> ComputeJob {
    let c = makeCase()
    return ComputeJob(id: 7, caseKey: "a#1", image: c.image, scores: c.scores, segmenterIndex: 0, generator: nil,
                      prompts: prompts)
}

/// Nine boxes and a duplicate of the first (segmented once).
private let manyPrompts: [Prompt] = {
    var prompts = [Prompt]()
    for k in 0..<9 {
        let x = Double(k * 4), y = Double(k % 3)
        let box = Box(x0: x, y0: y, x1: x + 6, y1: y + 9)
        prompts.append(Prompt(box: box, confidence: 1.0 - Double(k) / 10, source: "test"))
    }
    prompts.append(Prompt(box: Box(x0: 0, y0: 0, x1: 6, y1: 9), confidence: 0.05, source: "duplicate"))
    return prompts
}()

@Test func concurrentSegmentationReportsEveryMaskOnceAndEqualsSequential() {
    func masks(_ segmenter: any PromptableSegmenter, threads: Int) -> ([PromptGeometry: Mask], String??) {
        let engine = ComputeEngine(promptSources: [], segmenters: [segmenter], threads: threads)
        var out = [PromptGeometry: Mask](), ending: String?? = nil, count = 0
        engine.run(job(prompts: manyPrompts), isCancelled: { false }) { update in
            switch update {
            case .mask(_, _, _, let geometry, let segmentation):
                out[geometry] = segmentation.mask
                count += 1
            case .finished(_, let error, _): ending = .some(error)
            default: break
            }
        }
        #expect(count == 9, "each distinct geometry exactly once")
        return (out, ending)
    }
    let sequential = masks(RectSegmenter(name: "rect"), threads: 1)
    let concurrent = masks(ConcurrentRectSegmenter(), threads: 2)
    #expect(sequential.1 == .some(nil) && concurrent.1 == .some(nil))
    #expect(concurrent.0 == sequential.0)
}

@Test func concurrentSegmentationStopsWhenCancelled() {
    let engine = ComputeEngine(promptSources: [], segmenters: [ConcurrentRectSegmenter()], threads: 2)
    var ending: String?? = nil
    engine.run(job(prompts: manyPrompts), isCancelled: { true }) { update in
        if case .finished(_, let error, _) = update { ending = .some(error) }
    }
    #expect(ending == .some("cancelled"))
}
