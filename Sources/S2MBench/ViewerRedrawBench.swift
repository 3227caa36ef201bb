import ArgumentParser
import Foundation
import S2MCore
import S2MRender
import S2MViewer

/// `s2m-bench viewer-redraw`: a full redraw of the viewer (160x50, six panels, 256 colours) on a
/// 1280x720 frame: composing every cell from the model, then handing every cell to curses and
/// writing the frame (target <= 5 ms); plus the bytes a full frame and a one-key update send.
struct ViewerRedrawBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "viewer-redraw",
        abstract: "Full viewer redraw at 160x50 (6 panels) on a 1280x720 frame: time (target <= 5 ms) and bytes sent.")

    @Option(help: "Repetitions (the median is reported).")
    var runs = 50

    func run() throws {
        let setup = try ViewerBenchSetup()
        let model = setup.model
        print("viewer-redraw: \(setup.description)")
        print("screen 160x50, panels: \(model.panelKinds.map(\.title).joined(separator: ", ")), \(model.prompts.count) prompts\n")

        // 1. Composing the screen from the model, resampled layers cached (any redraw after a key
        //    that does not change the rasters or the view).
        var warm = [Double](), cold = [Double](), paint = [Double](), full = [Double]()
        var grid = setup.renderer.render(model)
        for _ in 0..<runs { warm.append(ViewerBenchSetup.milliseconds { grid = setup.renderer.render(model) }) }
        // 2. The same with nothing cached (after a resize, zoom or a new image).
        for _ in 0..<runs {
            let fresh = ScreenRenderer(colorMode: .palette256, geometry: .halfBlock)
            cold.append(ViewerBenchSetup.milliseconds { grid = fresh.render(model) })
        }
        // 3. Handing every cell to curses and writing the frame (the terminal forgot the screen).
        var stage = [Double](), flush = [Double]()
        for _ in 0..<runs {
            setup.screen.invalidate()
            paint.append(ViewerBenchSetup.milliseconds { setup.screen.draw(grid) })
            setup.screen.invalidate()
            stage.append(ViewerBenchSetup.milliseconds { setup.screen.stage(grid) })
            flush.append(ViewerBenchSetup.milliseconds { setup.screen.flush() })
        }
        // 4. Both: the full redraw.
        for _ in 0..<runs {
            setup.screen.invalidate()
            full.append(ViewerBenchSetup.milliseconds { setup.screen.draw(setup.renderer.render(model)) })
        }
        let fullBytes = setup.bytes(toDraw: grid, full: true)
        // Bytes of an incremental update: one Tab (another prompt selected).
        setup.press(.tab)
        let tabBytes = setup.bytes(toDraw: setup.renderer.render(setup.model), full: false)

        print(String(format: "compose cells, layers cached:        %7.2f ms", median(warm)))
        print(String(format: "compose cells, nothing cached:       %7.2f ms", median(cold)))
        print(String(format: "curses: paint all cells + write:     %7.2f ms", median(paint)))
        print(String(format: "  of which handing cells to curses:  %7.2f ms", median(stage)))
        print(String(format: "  of which curses writing the frame: %7.2f ms", median(flush)))
        print(String(format: "full redraw (compose + paint all):   %7.2f ms   (target <= 5 ms)", median(full)))
        print(String(format: "bytes of a full frame:               %7d      (%.1f per cell)", fullBytes,
                     Double(fullBytes) / (160 * 50)))
        print(String(format: "bytes of the update after Tab:       %7d", tabBytes))
    }
}
