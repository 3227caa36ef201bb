import ArgumentParser
import Foundation
import S2MCore

/// `s2m info FILE...`: what each image, score map or label file holds.
struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Describe image, score and label files: format, size, dtype, score statistics, label histogram.",
        discussion: """
            Formats are recognised by their first bytes. Directories are walked recursively. Every file \
            is reported, then the exit status is 1 if any could not be read. Text files (e.g. README.md) \
            are listed as skipped, not as failures. What a file is (image, scores, label) is guessed \
            (see docs/formats.md); override with --as.
            """)

    @Argument(help: "Files or directories to describe.")
    var paths: [String]

    @Flag(help: "Print one JSON array of reports instead of text.")
    var json = false

    @Option(name: .customLong("as"), help: "Read every file as this kind instead of guessing: image, scores, label or array.")
    var kind: FileReport.Kind?

    @OptionGroup var input: InputOptions
    @OptionGroup var labels: LabelEncodingOptions

    func run() throws {
        let inspector = FileInspector(options: input.readOptions, encoding: labels.labelEncoding, forcedKind: kind)
        let files = FileInspector.expand(paths)
        var reports: [FileReport] = []
        for file in files {
            let report = inspector.inspect(file)
            reports.append(report)
            if !json { print(InfoText.block(report), terminator: "") }
            if report.status == .failed, let error = report.error {
                FileHandle.standardError.write(Data("s2m info: \(file): \(error)\n".utf8))
            }
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(reports), as: UTF8.self))
        }
        let failed = reports.filter { $0.status == .failed }.count
        if failed > 0 {
            FileHandle.standardError.write(Data("s2m info: \(failed) of \(reports.count) file\(reports.count == 1 ? "" : "s") could not be read\n".utf8))
            throw ExitCode(1)
        }
    }
}

extension FileReport.Kind: ExpressibleByArgument {}

/// The text form of a report: the file name, then indented `key: value` lines.
enum InfoText {
    static func block(_ r: FileReport) -> String {
        var lines = [r.file]
        switch r.status {
        case .failed:
            lines.append("  error: \(r.error ?? "unknown")")
        case .skipped:
            lines.append("  skipped: \(r.error ?? "not a raster file")")
        case .ok:
            var format = r.format ?? "?"
            if let details = r.details { format += " (\(details))" }
            lines.append("  kind: \(r.kind?.rawValue ?? "?")")
            lines.append("  format: \(format)")
            if let w = r.width, let h = r.height { lines.append("  size: \(w)x\(h)") }
            if let shape = r.shape { lines.append("  shape: \(NDArray.describe(shape: shape))") }
            if let members = r.npzMembers, members.count > 1 || r.npzMember == nil {
                let shown = members.prefix(8).map { "\($0.key) \($0.dtype) \(NDArray.describe(shape: $0.shape))" }
                let more = members.count > 8 ? ", ... \(members.count - 8) more" : ""
                lines.append("  arrays: \(shown.joined(separator: ", "))\(more)")
            }
            if let v = r.values {
                if let lo = v.min, let hi = v.max, let mean = v.mean {
                    lines.append("  values: min \(number(lo))  max \(number(hi))  mean \(number(mean))")
                } else {
                    lines.append("  values: no finite values")
                }
                lines.append("  non-finite: NaN \(v.nanCount)  +Inf \(v.positiveInfinityCount)  -Inf \(v.negativeInfinityCount)")
            }
            if let l = r.labels {
                let total = l.histogram.reduce(0) { $0 + $1.count }
                let shown = l.histogram.prefix(16).map { "\($0.value): \($0.count) (\(percent($0.count, total)))" }
                let more = l.histogram.count > 16 ? "  ... \(l.histogram.count - 16) more values" : ""
                lines.append("  label values: \(shown.joined(separator: "  "))\(more)")
                lines.append("  as \(l.encoding): OoD \(l.oodCount) (\(percent(l.oodCount, total)))  void \(l.voidCount)  in-distribution \(l.inDistributionCount)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func number(_ v: Double) -> String { String(format: "%.6g", v) }

    static func percent(_ n: Int, _ total: Int) -> String {
        total > 0 ? String(format: "%.2f%%", 100 * Double(n) / Double(total)) : "0%"
    }
}
