import Foundation
import Testing
import S2MCore
@testable import S2MViewer

/// A segmenter whose every prompt takes `delay` seconds, checking for cancellation meanwhile.
struct SlowSegmenter: PromptableSegmenter {
    var name: String { "slow" }
    var delay: Double

    func prepare(image: RGBImage, scores: ScoreMap?) throws -> any SegmentationSession {
        Session(inner: RectSession(width: image.width, height: image.height, inset: 0), delay: delay)
    }

    final class Session: SegmentationSession {
        let inner: RectSession
        let delay: Double
        init(inner: RectSession, delay: Double) {
            self.inner = inner
            self.delay = delay
        }
        func segment(_ prompt: Prompt) throws -> Segmentation {
            let end = Date().addingTimeInterval(delay)
            while Date() < end {
                if Task.isCancelled { throw CancellationError() }
                usleep(1000)
            }
            return try inner.segment(prompt)
        }
    }
}

private func makeModel(_ segmenter: any PromptableSegmenter) -> (ViewerModel, BackgroundRunner) {
    let sources: [any TunablePromptSource] = [StripSource()]
    let configuration = ViewerConfiguration(items: [DatasetItem(name: "a", image: "/in/a.png")],
                                            segmenterNames: [segmenter.name],
                                            generators: sources.map(GeneratorDescription.init))
    let runner = BackgroundRunner(promptSources: sources, segmenters: [segmenter], loader: { _ in makeCase() },
                                  defaultThreshold: ViewerConfiguration.midRange)
    return (ViewerModel(configuration: configuration), runner)
}

/// Feeds background answers to the model until `done` holds or `timeout` passes. Sleeps
/// asynchronously: the worker's tasks run on the same small thread pool as the tests.
private func pump(_ model: inout ViewerModel, _ runner: BackgroundRunner, timeout: Double = 10,
                  until done: (ViewerModel) -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while !done(model) {
        if Date() > deadline { return false }
        try? await Task.sleep(nanoseconds: 5_000_000)
        for event in runner.drain() { runner.perform(model.handle(event), on: &model) }
    }
    return true
}

private func jobsEnd(_ runner: BackgroundRunner, timeout: Double) async -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while runner.hasRunningJobs {
        if Date() > deadline { return false }
        try? await Task.sleep(nanoseconds: 5_000_000)
    }
    return true
}

@Test func backgroundJobsDeliverPromptsAndMasksThroughTheInbox() async {
    var (model, runner) = makeModel(RectSegmenter(name: "rect"))
    runner.perform(model.start(columns: 160, rows: 50), on: &model)
    #expect(model.isBusy)  // the job runs on the worker
    #expect(await pump(&model, runner) { !$0.isBusy })
    #expect(model.prompts.count == 2)
    #expect(model.s2mMask?.trueCount == 128)
    #expect(await jobsEnd(runner, timeout: 5))
}

@Test func keysStayLiveAndEscapeCancelsASlowSegmentation() async {
    var (model, runner) = makeModel(SlowSegmenter(delay: 2))
    runner.perform(model.start(columns: 160, rows: 50), on: &model)
    // Prompts arrive first; their masks take 2 s each.
    #expect(await pump(&model, runner) { $0.prompts.count == 2 })
    #expect(model.isBusy)
    // Keys are handled at once while the worker is busy.
    let t0 = Date()
    runner.perform(model.handle(.key(.tab)), on: &model)
    runner.perform(model.handle(.key(.right)), on: &model)
    #expect(model.selected == 1)
    #expect(abs(model.threshold - 0.51) < 1e-6)
    #expect(Date().timeIntervalSince(t0) < 0.5)
    // Escape cancels: the worker stops within its next check, long before the 4 s of work.
    runner.perform(model.handle(.key(.escape)), on: &model)
    #expect(!model.isBusy)
    #expect(model.message == "segmentation cancelled")
    #expect(await jobsEnd(runner, timeout: 1))
    #expect(Date().timeIntervalSince(t0) < 1.5)
    #expect(model.masks.isEmpty || model.masks.values.allSatisfy { $0.count < 2 })
}
