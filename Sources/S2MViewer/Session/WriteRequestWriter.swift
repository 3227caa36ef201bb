import Foundation
import S2MCore

/// Carries out a ``WriteRequest``: every target is checked against the protected inputs before
/// anything is written, then each file is written atomically (S2MCore's ``AtomicFileWriter``:
/// temporary file, flush, rename), masks as 8-bit PNG holding 0 and 1.
public enum WriteRequestWriter {
    /// Writes the files; returns their paths.
    public static func write(_ request: WriteRequest) throws -> [String] {
        for file in request.files {
            try AtomicFileWriter.checkNotAnInput(file.path, inputs: request.protectedPaths)
        }
        var written = [String]()
        for file in request.files {
            let data: Data
            switch file.payload {
            case .data(let d):
                data = d
            case .mask(let mask):
                do {
                    data = try PNGCodec.encode(mask.map { $0 ? UInt8(1) : 0 })
                } catch let error as S2MError {
                    throw error.attributed(to: file.path)
                }
            }
            try AtomicFileWriter.write(data, to: file.path, protecting: request.protectedPaths, createDirectories: true)
            written.append(file.path)
        }
        return written
    }
}
