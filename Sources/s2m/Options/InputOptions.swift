import ArgumentParser
import S2MCore

/// Options every command that reads images, score maps or labels shares:
/// `--max-pixels`, `--allow-nonfinite`, `--npz-key`. Include with `@OptionGroup var input: InputOptions`.
struct InputOptions: ParsableArguments {
    @Option(name: .customLong("max-pixels"),
            help: "Refuse inputs larger than this many pixels (width x height), checked before decoding.")
    var maxPixels: Int = ReadOptions.defaultMaxPixels

    @Flag(name: .customLong("allow-nonfinite"),
          help: "Map NaN and -Inf scores to 0 and +Inf to 1 instead of refusing the file.")
    var allowNonFinite = false

    @Option(name: .customLong("npz-key"),
            help: "Array of an NPZ score file to read (default: its only array, else arr_0).")
    var npzKey: String?

    func validate() throws {
        guard maxPixels > 0 else { throw ValidationError("--max-pixels must be positive") }
    }

    /// The options as the library takes them.
    var readOptions: ReadOptions {
        ReadOptions(maxPixels: maxPixels, allowNonFinite: allowNonFinite, npzMember: npzKey)
    }
}

/// `--label-encoding smiyc|fishyscapes|road-anomaly|ood=V[,void=W|none]` (default smiyc).
/// Include with `@OptionGroup var labels: LabelEncodingOptions`.
struct LabelEncodingOptions: ParsableArguments {
    @Option(name: .customLong("label-encoding"),
            help: ArgumentHelp("Label values: smiyc (OoD 1, void 255; also Fishyscapes), road-anomaly (OoD 2, no void), or ood=V[,void=W|none].",
                               valueName: "encoding"),
            transform: { try LabelEncoding(parsing: $0) })
    var labelEncoding: LabelEncoding = .default
}
