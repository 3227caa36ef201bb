import Foundation

/// SAM's positional encoding with random spatial frequencies: a point (x, y) normalised to
/// [0, 1]^2 maps to [sin(2 pi f), cos(2 pi f)] with f = (2 (x, y) - 1) G for a fixed 2 x F
/// Gaussian matrix G (F = 128 for SAM, giving 256 channels).
struct RandomPositionEncoding: Sendable {
    /// 2 x F frequencies (`positional_encoding_gaussian_matrix`).
    let gaussian: Tensor

    var channels: Int { 2 * gaussian.shape[1] }

    /// Writes the encoding of (x, y) in [0, 1]^2 to `out` (channels values). Computed in double
    /// precision, like the reference outputs.
    func encode(x: Double, y: Double, into out: UnsafeMutablePointer<Float>) {
        let f = gaussian.shape[1]
        let cx = 2 * x - 1, cy = 2 * y - 1
        for i in 0..<f {
            let angle = 2 * Double.pi * (cx * Double(gaussian.pointer[i]) + cy * Double(gaussian.pointer[f + i]))
            out[i] = Float(sin(angle))
            out[f + i] = Float(cos(angle))
        }
    }

    /// The encoding of every cell centre of a size x size grid, as size*size rows of `channels`
    /// values (row-major over the grid): the decoder's image positional encoding.
    func grid(size: Int) -> Tensor {
        let result = Tensor(zeros: [size * size, channels])
        for row in 0..<size {
            for col in 0..<size {
                encode(x: (Double(col) + 0.5) / Double(size), y: (Double(row) + 0.5) / Double(size),
                       into: result.pointer + (row * size + col) * channels)
            }
        }
        return result
    }
}
