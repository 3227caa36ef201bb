import ArgumentParser

/// The `s2m` command: segment out-of-distribution objects from anomaly scores, inspect the result.
@main
struct S2MCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "s2m",
        abstract: "Turn out-of-distribution anomaly scores into object masks (S2M) and inspect them.",
        version: "0.1.0",
        subcommands: [InfoCommand.self, SimulateCommand.self, ViewCommand.self, DemoCommand.self, RenderCommand.self, RunCommand.self, EvalCommand.self])
}
