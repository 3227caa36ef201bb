import CTurboJPEG
import Foundation

/// JPEG encoding of 8-bit RGB images through TurboJPEG (used to ship compact sample photos).
public enum JPEGEncoder {
    /// The JPEG bytes of `image`: baseline, 4:2:0 chroma subsampling, `quality` 1...100.
    public static func encode(_ image: RGBImage, quality: Int = 90) throws -> Data {
        guard image.width > 0, image.height > 0, (1...100).contains(quality) else {
            throw S2MError(file: nil, .writeFailed("JPEG needs a non-empty image and quality 1...100"))
        }
        guard let handle = tjInitCompress() else {
            throw S2MError(file: nil, .writeFailed("cannot start the JPEG encoder"))
        }
        defer { tjDestroy(handle) }
        var out: UnsafeMutablePointer<UInt8>?
        var size: UInt = 0
        let status = image.pixels.withUnsafeBytes { raw in
            tjCompress2(handle, raw.bindMemory(to: UInt8.self).baseAddress, Int32(image.width), 0, Int32(image.height),
                        Int32(TJPF_RGB.rawValue), &out, &size, Int32(TJSAMP_420.rawValue), Int32(quality), 0)
        }
        defer { if let out { tjFree(out) } }
        guard status == 0, let out else {
            throw S2MError(file: nil, .writeFailed("JPEG encoding failed: \(String(cString: tjGetErrorStr2(handle)))"))
        }
        return Data(bytes: out, count: Int(size))
    }

    /// Writes `image` as JPEG atomically, never over a path in `protecting`.
    public static func write(_ image: RGBImage, to path: String, quality: Int = 90, protecting inputs: [String] = []) throws {
        let data: Data
        do { data = try encode(image, quality: quality) } catch let error as S2MError { throw error.attributed(to: path) }
        try AtomicFileWriter.write(data, to: path, protecting: inputs)
    }
}
