import Foundation
import S2MCore
import S2MRender
import S2MViewer

/// The interactive viewer: opens the terminal, runs the model's event loop (keys, resizes,
/// background answers), draws after each change, and restores the terminal however it ends.
public enum ViewerShell {
    /// How the viewer ended.
    public enum Ending: Equatable {
        /// The user quit.
        case quit
        /// The terminal went away (input closed or hung up).
        case endOfInput
        /// A signal asked to stop.
        case signal(Int32)
    }

    /// Runs the viewer until it ends. `configure` receives the terminal's colour mode and
    /// geometry to fill in the configuration.
    public static func run(configuration: ViewerConfiguration, promptSources: [any TunablePromptSource],
                           segmenters: [any PromptableSegmenter], loader: @escaping CaseLoader,
                           requestedColor: ColorModeKind?, ascii: Bool) throws -> Ending {
        SignalTrap.install()
        defer { SignalTrap.uninstall() }
        let screen = try CursesScreen(requested: requestedColor, ascii: ascii)
        defer { screen.close() }
        var configuration = configuration
        configuration.colorMode = screen.colorMode
        configuration.geometry = screen.geometry
        let runner = BackgroundRunner(promptSources: promptSources, segmenters: segmenters, loader: loader,
                                      defaultThreshold: configuration.defaultThreshold)
        defer {
            runner.cancelAll()
            runner.waitForJobs(timeout: 2)
        }
        let renderer = ScreenRenderer(colorMode: screen.colorMode, geometry: screen.geometry)
        var model = ViewerModel(configuration: configuration)
        let size = screen.size
        runner.perform(model.start(columns: size.columns, rows: size.rows), on: &model)
        if !screen.notes.isEmpty && model.message == nil {
            runner.perform(model.handle(.resize(columns: size.columns, rows: size.rows)), on: &model)
        }
        var notes = screen.notes
        var frame = 0
        var needsDraw = true
        var descriptors = [pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0),
                           pollfd(fd: runner.wakeDescriptor, events: Int16(POLLIN), revents: 0),
                           pollfd(fd: SignalTrap.wakeDescriptor, events: Int16(POLLIN), revents: 0)]
        while true {
            if let sig = SignalTrap.received { return .signal(sig) }
            if runner.quit { return .quit }
            if needsDraw {
                var grid = renderer.render(model, frame: frame)
                if let note = notes.first, model.message == nil, grid.height > 0 {
                    grid.put(String((" " + note).prefix(grid.width)).padding(toLength: grid.width, withPad: " ", startingAt: 0),
                             x: 0, y: grid.height - 1, attributes: .bold)
                }
                screen.draw(grid)
                needsDraw = false
            }
            // Animate the busy marker while work runs; otherwise sleep until something happens.
            let timeout: Int32 = model.isBusy ? 100 : -1
            for i in descriptors.indices { descriptors[i].revents = 0 }
            let ready = poll(&descriptors, nfds_t(descriptors.count), timeout)
            if let sig = SignalTrap.received { return .signal(sig) }
            if ready < 0 { continue }  // EINTR (a resize or a signal); checked above
            if ready == 0 {
                frame += 1
                needsDraw = true
                continue
            }
            let stdinEvents = Int32(descriptors[0].revents)
            if stdinEvents & Int32(POLLIN) != 0 {
                guard let inputs = screen.readInput() else { return .endOfInput }
                for input in inputs {
                    notes.removeAll()
                    switch input {
                    case .key(let key):
                        runner.perform(model.handle(.key(key)), on: &model)
                    case .resize(let columns, let rows):
                        runner.perform(model.handle(.resize(columns: columns, rows: rows)), on: &model)
                    }
                    if runner.quit { return .quit }
                }
                needsDraw = true
            } else if stdinEvents & Int32(POLLHUP | POLLERR | POLLNVAL) != 0 {
                return .endOfInput
            }
            if descriptors[2].revents != 0, SignalTrap.takeResize() {
                let s = screen.resizeToTerminal()
                runner.perform(model.handle(.resize(columns: s.columns, rows: s.rows)), on: &model)
                needsDraw = true
            }
            if descriptors[1].revents != 0 {
                for event in runner.drain() { runner.perform(model.handle(event), on: &model) }
                needsDraw = true
            }
        }
    }
}
