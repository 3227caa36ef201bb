import Foundation
import Testing
import S2MCore
@testable import S2MViewer

/// A segmenter whose prompts never finish on their own: each waits until cancelled (so tests do
/// not depend on how fast threads run).
struct BlockingSegmenter: PromptableSegmenter {
    var name: String { "blocking" }

    func prepare(image: RGBImage, scores: ScoreMap?) throws -> any SegmentationSession { Session() }

    final class Session: SegmentationSession {
        func segment(_ prompt: Prompt) throws -> Segmentation {
            while true {
                if Task.isCancelled { throw CancellationError() }
                usleep(1000)
            }
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
    var (model, runner) = makeModel(BlockingSegmenter())
    runner.perform(model.start(columns: 160, rows: 50), on: &model)
    // Prompts arrive first; their masks never come unless cancelled.
    #expect(await pump(&model, runner, timeout: 60) { $0.prompts.count == 2 })
    #expect(model.isBusy)
    // Keys are handled while the worker is busy (the job is still running afterwards).
    runner.perform(model.handle(.key(.tab)), on: &model)
    runner.perform(model.handle(.key(.right)), on: &model)
    #expect(model.selected == 1)
    #expect(abs(model.threshold - 0.51) < 1e-6)
    #expect(model.isBusy)
    // Escape cancels: the model is idle at once, and the worker's job ends as cancelled.
    runner.perform(model.handle(.key(.escape)), on: &model)
    #expect(!model.isBusy)
    #expect(model.message == "segmentation cancelled")
    var ending: String??
    let deadline = Date().addingTimeInterval(60)
    while ending == nil && Date() < deadline {
        try? await Task.sleep(nanoseconds: 5_000_000)
        for event in runner.drain() {
            if case .job(.finished(_, let error, _)) = event { ending = .some(error) }
            runner.perform(model.handle(event), on: &model)
        }
    }
    #expect(ending == .some("cancelled"))
    #expect((model.masks[0]?.count ?? 0) == 0)
}
