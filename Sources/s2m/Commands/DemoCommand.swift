import ArgumentParser
import Foundation
import S2MCore
import S2MViewer

/// `s2m demo`: the viewer on the bundled samples, with the guided tour open.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Open the bundled samples in the viewer with a guided tour of S2M (no arguments needed).",
        discussion: """
            Five real road scenes with simulated anomaly scores (samples/SOURCES.md). The tour (t) \
            shows the score map, why a threshold fragments objects, how S2M makes prompts, how the \
            segmenter turns each prompt into a whole object, and the metrics side by side. Esc \
            leaves the tour, ? lists every key, q quits.
            """)

    @Option(help: "The samples folder (default: ./samples, else the one beside this package's sources).")
    var samples: String?

    @Flag(name: .customLong("no-tour"), help: "Start without the guided tour (t opens it).")
    var noTour = false

    @OptionGroup var display: ViewerDisplayOptions
    @OptionGroup var pipeline: PipelineOptions

    func validate() throws { try display.check() }

    func run() throws {
        try ViewerLauncher.run(name: "demo") {
            let folder = try samples ?? Self.findSamples()
            let dataset = try Dataset.open(root: folder, layout: .smiyc)
            let items = DatasetDiscovery.items(dataset)
            return ViewerLauncher.Inputs(items: items, session: nil, sessionPath: nil, encoding: .smiyc,
                                         readOptions: ReadOptions(), startTour: !noTour,
                                         defaultStart: items.contains { $0.name == Self.tourImage } ? Self.tourImage : nil)
        } display: { display } pipeline: { pipeline }
    }

    /// The sample the tour opens on: a threshold breaks the skid loader and cones into pieces and
    /// floods the road, while S2M's prompts recover them.
    static let tourImage = "vehicle02_Broadmoor_Cones_Skidloader"

    /// `./samples`, else `samples/` at the root of the package this binary was built from.
    static func findSamples() throws -> String {
        let candidates = [
            FileManager.default.currentDirectoryPath + "/samples",
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("samples").path,
        ]
        var isDirectory: ObjCBool = false
        for candidate in candidates where FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory) && isDirectory.boolValue {
            return candidate
        }
        throw S2MError(file: "samples", .missingFile).attributed(to: candidates[0])
    }
}
