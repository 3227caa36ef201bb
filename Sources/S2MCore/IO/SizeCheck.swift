/// Checks that inputs which describe the same picture (photo, score map, label map) have the
/// same size; a mismatch is an error naming both files, never a silent resize.
public enum SizeCheck {
    /// One input to compare: what it is (`"image"`, `"scores"`, `"label"`), its file and size.
    public struct Input: Sendable {
        public var role: String
        public var file: String
        public var size: RasterSize

        public init(role: String, file: String, size: RasterSize) {
            self.role = role
            self.file = file
            self.size = size
        }
    }

    /// Throws `.sizeMismatch` on the first input whose size differs from the first one's, e.g.
    /// `scores.npy: size mismatch: scores are 640x360 but the image frame.jpg is 1280x720`.
    public static func requireSameSize(_ inputs: [Input]) throws {
        guard let reference = inputs.first else { return }
        for input in inputs.dropFirst() where input.size != reference.size {
            throw S2MError(file: input.file, .sizeMismatch(
                "\(input.role) \(input.role.hasSuffix("s") ? "are" : "is") \(input.size) but the \(reference.role) \(reference.file) is \(reference.size)"))
        }
    }
}
