import ArgumentParser

/// `s2m-bench`: the benchmark commands behind every performance figure in docs/benchmarks.md.
/// Run them from a release build: `swift run -c release s2m-bench <name>`.
@main
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "s2m-bench",
        abstract: "Benchmarks for s2m (run with -c release); each prints its figures and the comparison its issue asks for.",
        subcommands: [EvalMetricsBench.self, SAMEncoderBenchmark.self, SAMDecoderBenchmark.self, SAMMemoryBenchmark.self,
                      RenderVsChafaBench.self, ViewerRedrawBench.self, ViewerLatencyBench.self,
                      S2MQualityBench.self, GrabCutOpenCVBench.self, PipelineSpeedBench.self])
}
