import ArgumentParser
import Foundation
import S2MCore
import S2MViewer

/// `s2m-bench viewer-latency`: key press to updated screen (model update, segmentation with
/// GrabCut where the key needs it, composing the screen, curses writing the changes) on a
/// 1280x720 frame at 160x50 with six panels. Target <= 50 ms.
struct ViewerLatencyBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "viewer-latency",
        abstract: "Key press to updated screen with GrabCut on a 1280x720 frame (target <= 50 ms).")

    @Option(help: "Presses of each key (the median and the maximum are reported).")
    var runs = 20

    func run() throws {
        let setup = try ViewerBenchSetup()
        print("viewer-latency: \(setup.description)")
        print("screen 160x50, \(setup.model.panelKinds.count) panels, \(setup.model.prompts.count) prompts; each figure: key -> model -> segmentation (if any) -> cells -> curses\n")
        func measure(_ name: String, _ keys: [ViewerKey], undo: [ViewerKey] = []) {
            var times = [Double]()
            for _ in 0..<runs {
                times.append(ViewerBenchSetup.milliseconds { for key in keys { setup.press(key) } })
                for key in undo { setup.press(key) }
            }
            let line = name.padding(toLength: 46, withPad: " ", startingAt: 0)
            print(line + String(format: "median %7.2f ms   max %7.2f ms", median(times), times.max() ?? .nan))
        }
        measure("Tab (next prompt, its mask alone)", [.tab])
        measure("Space (prompt off/on, S2M mask and IoU)", [.character(" ")])
        measure("→ (threshold +1%, mask and IoU)", [.right], undo: [.left])
        measure("] then [ (two threshold steps)", [.character("]"), .character("[")])
        measure("+ (zoom in, all layers resampled)", [.character("+")], undo: [.character("=")])
        // Editing keys start GrabCut in the background, as in the viewer: the screen updates at
        // once (busy marker, the new prompt drawn), and again when the mask arrives.
        let background = BackgroundRunner(promptSources: setup.sources, segmenters: setup.segmenters,
                                          loader: { [loaded = setup.loaded] _ in loaded },
                                          defaultThreshold: setup.model.configuration.defaultThreshold)
        func measureEdit(_ name: String, before: [ViewerKey], key: ViewerKey, after: [ViewerKey]) {
            var first = [Double](), final = [Double]()
            for _ in 0..<runs {
                for k in before { setup.press(k) }
                let t = setup.pressInBackground(key, background: background)
                first.append(t.first)
                final.append(t.final)
                for k in after { setup.press(k) }
            }
            print(name.padding(toLength: 46, withPad: " ", startingAt: 0)
                  + String(format: "first update: median %6.2f ms, max %6.2f ms; mask on screen: median %7.1f ms, max %7.1f ms",
                           median(first), first.max() ?? .nan, median(final), final.max() ?? .nan))
        }
        // Warm the background worker's GrabCut session (prepared once per image).
        setup.press(.character("c"))
        _ = setup.pressInBackground(.character("i"), background: background)
        setup.press(.character("x"))
        // Each repetition moves the cursor first, so every prompt is new (no cached mask).
        let move: [ViewerKey] = [.right, .down]
        measureEdit("i (new point prompt at the cursor)", before: move, key: .character("i"), after: [.character("x")])
        setup.press(.character("c"))
        setup.press(.tab)
        measureEdit("r (negative point added to a box prompt)", before: [.character("c")] + move, key: .character("r"),
                    after: [.character("c")])

        print("\ntarget: <= 50 ms from key press to updated screen (segmentation itself runs in the background)")
    }
}
