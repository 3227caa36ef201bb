import Foundation
import S2MCore
import S2MRender
import S2MTerminal
import S2MViewer

/// The viewer set up on a 1280x720 frame as a user would have it: scores from the detector
/// simulator, prompts from the component-tree generator, masks from GrabCut, a 160x50 screen
/// with six panels drawn through curses (terminfo tmux-256color) into a pipe whose bytes are
/// counted.
final class ViewerBenchSetup {
    struct ComponentTreeSource: TunablePromptSource {
        var name: String { "component-tree" }
        var parameters: [ParameterSpec] { ComponentTreeParameters.specs }
        func generator(values: [String: Double]) throws -> any PromptGenerator {
            ComponentTreeGenerator(parameters: try ComponentTreeParameters().applying(values))
        }
    }

    var model: ViewerModel
    let runner: SynchronousRunner
    let renderer: ScreenRenderer
    /// The screen timings use: curses writes to /dev/null (a terminal's speed is not measured).
    let screen: CursesScreen
    /// A second screen drawing the same frames into a pipe whose bytes are counted.
    let countingScreen: CursesScreen
    let counter: ByteCounter
    let description: String
    let sources: [any TunablePromptSource]
    let segmenters: [any PromptableSegmenter] = [GrabCutSegmenter()]
    let loaded: LoadedCase

    /// Counts what curses writes, on a background thread draining a pipe.
    final class ByteCounter: @unchecked Sendable {
        private let lock = NSLock()
        private var total = 0
        let writeEnd: Int32
        private let readEnd: Int32

        init() {
            var fds: [Int32] = [-1, -1]
            _ = pipe(&fds)
            readEnd = fds[0]
            writeEnd = fds[1]
            let thread = Thread { [self] in
                var buffer = [UInt8](repeating: 0, count: 1 << 16)
                while true {
                    let n = read(readEnd, &buffer, buffer.count)
                    if n <= 0 { if n < 0 && errno == EINTR { continue }; break }
                    lock.lock()
                    total += n
                    lock.unlock()
                }
            }
            thread.start()
        }

        var bytes: Int {
            lock.lock()
            defer { lock.unlock() }
            return total
        }

        /// Waits until the count stops growing (the pipe is drained).
        func settle() -> Int {
            var last = -1
            while true {
                usleep(2000)
                let now = bytes
                if now == last { return now }
                last = now
            }
        }
    }

    init(columns: Int = 160, rows: Int = 50) throws {
        let photoPath = try BenchFiles.defaultPhoto()
        let image = try ImageReader.read(photoPath)
        let labelPath = BenchFiles.sharedFrames.appendingPathComponent("\(BenchFiles.frameName).labels/labels_semantic.png").path
        let truth: Mask
        if FileManager.default.fileExists(atPath: labelPath) {
            truth = LabelEncoding.roadAnomaly.oodMask(try LabelReader.read(labelPath))
        } else {
            // A generated photo: an ellipse as the object.
            truth = Mask(width: image.width, height: image.height, pixels: (0..<image.count).map { i in
                let dx = Double(i % image.width - 640) / 200, dy = Double(i / image.width - 420) / 120
                return dx * dx + dy * dy < 1
            })
        }
        let scores = try DetectorSimulator().scores(image: image, oodMask: truth, seed: 0)
        let loaded = LoadedCase(image: image, scores: scores, groundTruth: truth)
        self.loaded = loaded
        description = "\(photoPath) (\(image.width)x\(image.height)), simulated scores, component-tree prompts, GrabCut"
        let sources: [any TunablePromptSource] = [ComponentTreeSource()]
        self.sources = sources
        let configuration = ViewerConfiguration(
            items: [DatasetItem(name: "frame", image: photoPath)], segmenterNames: ["grabcut"],
            generators: sources.map(GeneratorDescription.init),
            defaultThreshold: { ThresholdRule.otsu.threshold(for: $0) ?? 0.5 },
            sessionPath: NSTemporaryDirectory() + "s2m-bench-session.json", colorMode: .palette256)
        runner = SynchronousRunner(engine: ComputeEngine(promptSources: sources, segmenters: segmenters),
                                   loader: { _ in loaded })
        model = ViewerModel(configuration: configuration)
        runner.perform(model.start(columns: columns, rows: rows), on: &model)
        renderer = ScreenRenderer(colorMode: .palette256, geometry: .halfBlock)
        counter = ByteCounter()
        screen = try CursesScreen(offscreen: "tmux-256color", output: open("/dev/null", O_WRONLY),
                                  input: open("/dev/null", O_RDONLY), columns: columns, rows: rows, colorMode: .palette256)
        countingScreen = try CursesScreen(offscreen: "tmux-256color", output: counter.writeEnd,
                                          input: open("/dev/null", O_RDONLY), columns: columns, rows: rows,
                                          colorMode: .palette256)
        screen.draw(renderer.render(model))
        countingScreen.draw(renderer.render(model))
    }

    /// Presses `key` and draws the screen that follows (segmentation, if any, runs inline).
    func press(_ key: ViewerKey) {
        runner.send(.key(key), to: &model)
        screen.draw(renderer.render(model))
    }

    /// A key handled the way the interactive viewer handles it: effects go to `background`
    /// (segmentation runs on its worker), the screen is drawn at once (with the busy marker), then
    /// again each time answers arrive, until the job ends. Returns (first update, final update)
    /// in milliseconds after the key.
    func pressInBackground(_ key: ViewerKey, background: BackgroundRunner) -> (first: Double, final: Double) {
        let t0 = DispatchTime.now().uptimeNanoseconds
        background.perform(model.handle(.key(key)), on: &model)
        screen.draw(renderer.render(model))
        let t1 = DispatchTime.now().uptimeNanoseconds
        var poller = [pollfd(fd: background.wakeDescriptor, events: Int16(POLLIN), revents: 0)]
        while model.isBusy {
            _ = poll(&poller, 1, 1000)
            for event in background.drain() { background.perform(model.handle(event), on: &model) }
            screen.draw(renderer.render(model))
        }
        let t2 = DispatchTime.now().uptimeNanoseconds
        return (Double(t1 - t0) / 1e6, Double(t2 - t0) / 1e6)
    }

    /// Bytes `countingScreen` sends to go from its current frame to `grid` (`full`: repaint all).
    func bytes(toDraw grid: CellGrid, full: Bool) -> Int {
        let before = counter.settle()
        if full { countingScreen.invalidate() }
        countingScreen.draw(grid)
        return counter.settle() - before
    }

    static func milliseconds(_ body: () -> Void) -> Double {
        let t0 = DispatchTime.now().uptimeNanoseconds
        body()
        return Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6
    }
}
