import Foundation
import S2MCore

/// Image embeddings on disk, so reopening an image (or running another prompt set on it) skips
/// the image encoder. One NPY file per (image, model): `<image hash>-<model key>.npy` holding the
/// embedding as float32 C x 64 x 64 (numpy-readable, like SamPredictor.get_image_embedding()).
/// The image hash covers the decoded pixels and size, so a re-encoded file with the same pixels
/// hits; the model key covers the checkpoint's content and the pixel statistics. Writes are
/// atomic; unreadable or misshapen entries are ignored and replaced. Least recently used files
/// beyond `maxEntries` are deleted.
public struct EmbeddingCache: Sendable {
    public let directory: URL
    /// Most embeddings kept (each 4 MB for the published models).
    public let maxEntries: Int

    public init(directory: URL, maxEntries: Int = 256) {
        self.directory = directory
        self.maxEntries = max(1, maxEntries)
    }

    /// `$S2M_CACHE_DIR/sam-embeddings`, else `$XDG_CACHE_HOME/s2m/sam-embeddings`, else
    /// `~/.cache/s2m/sam-embeddings`.
    public static var defaultDirectory: URL {
        let env = ProcessInfo.processInfo.environment
        if let dir = env["S2M_CACHE_DIR"], !dir.isEmpty {
            return URL(fileURLWithPath: dir).appendingPathComponent("sam-embeddings")
        }
        if let xdg = env["XDG_CACHE_HOME"], !xdg.isEmpty {
            return URL(fileURLWithPath: xdg).appendingPathComponent("s2m/sam-embeddings")
        }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/s2m/sam-embeddings")
    }

    /// The hash of an image's pixels and size (32 hex digits).
    public static func imageKey(_ image: RGBImage) -> String {
        var hash = ContentHash()
        hash.update(image.width)
        hash.update(image.height)
        image.pixels.withUnsafeBytes { hash.update($0) }
        return hash.hex
    }

    /// The file for an image and model.
    public func file(imageKey: String, modelKey: String) -> URL {
        directory.appendingPathComponent("\(imageKey)-\(modelKey.prefix(16)).npy")
    }

    /// The cached embedding, when present and of the expected shape; nil otherwise.
    public func load(imageKey: String, modelKey: String, shape: [Int]) -> Tensor? {
        let url = file(imageKey: imageKey, modelKey: modelKey)
        guard FileManager.default.fileExists(atPath: url.path),
              let array = try? NPYReader.read(url.path), array.shape == shape,
              array.values.allSatisfy({ $0.isFinite })
        else { return nil }
        // Mark as recently used.
        try? FileManager.default.setAttributes([.modificationDate: Date()], ofItemAtPath: url.path)
        return Tensor(shape: shape, values: array.values)
    }

    /// Stores an embedding (atomically) and trims the cache. Failures are reported, not fatal
    /// to callers that can go on without a cache.
    public func store(_ embedding: Tensor, imageKey: String, modelKey: String) throws {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw S2MError(file: directory.path, .writeFailed("cannot create the embedding cache folder: \(error.localizedDescription)"))
        }
        let url = file(imageKey: imageKey, modelKey: modelKey)
        try NPYWriter.write(NDArray(shape: embedding.shape, values: embedding.values), to: url.path)
        trim()
    }

    /// Deletes the least recently used embeddings beyond maxEntries.
    private func trim() {
        let keys: [URLResourceKey] = [.contentModificationDateKey]
        guard let files = try? FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: keys)
            .filter({ $0.pathExtension == "npy" }), files.count > maxEntries
        else { return }
        let dated = files.map { url -> (URL, Date) in
            (url, (try? url.resourceValues(forKeys: Set(keys)).contentModificationDate) ?? .distantPast)
        }
        for (url, _) in dated.sorted(by: { $0.1 < $1.1 }).prefix(files.count - maxEntries) {
            try? FileManager.default.removeItem(at: url)
        }
    }
}
