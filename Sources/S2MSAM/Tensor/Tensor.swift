import CSAMKernels
#if canImport(Glibc)
import Glibc
#endif

/// A dense float32 array in row-major order that owns 64-byte-aligned memory.
///
/// Model weights and activations are `Tensor`s so that BLAS and the C kernels can work on their
/// memory directly. Weights are never written after loading, which is why a tensor may be shared
/// across threads (`@unchecked Sendable`); activation buffers belong to one computation at a time.
public final class Tensor: @unchecked Sendable {
    /// Sizes of the dimensions, outermost first (PyTorch order).
    public let shape: [Int]
    /// Number of elements, the product of `shape`.
    public let count: Int
    /// The elements; `count` of them, row-major.
    public let pointer: UnsafeMutablePointer<Float>

    /// A tensor of zeros.
    public convenience init(zeros shape: [Int]) {
        self.init(uninitialized: shape)
        memset(pointer, 0, max(count, 1) * MemoryLayout<Float>.size)
    }

    /// A tensor whose elements are unspecified until written: for buffers that a computation
    /// fills completely (skips clearing memory that is about to be overwritten).
    public init(uninitialized shape: [Int]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative tensor dimension in \(shape)")
        self.shape = shape
        count = shape.reduce(1, *)
        let raw = UnsafeMutableRawPointer.allocate(
            byteCount: max(count, 1) * MemoryLayout<Float>.stride, alignment: 64)
        pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
    }

    /// A tensor holding `values` (whose count must match the shape).
    public convenience init(shape: [Int], values: [Float]) {
        self.init(zeros: shape)
        precondition(values.count == count, "tensor \(shape) needs \(count) values, got \(values.count)")
        values.withUnsafeBufferPointer { pointer.update(from: $0.baseAddress!, count: count) }
    }

    deinit {
        UnsafeMutableRawPointer(pointer).deallocate()
    }

    /// The elements as an array (a copy).
    public var values: [Float] {
        Array(UnsafeBufferPointer(start: pointer, count: count))
    }

    /// A 4-D tensor with its axes reordered: result axis i is this tensor's axis `order[i]`.
    public func permuted(_ order: [Int]) -> Tensor {
        precondition(shape.count == 4 && order.sorted() == [0, 1, 2, 3], "permuted needs a 4-D tensor and a permutation")
        let result = Tensor(uninitialized: order.map { shape[$0] })
        let dims = shape.map { Int($0) }
        let perm = order.map { Int32($0) }
        dims.withUnsafeBufferPointer { d in
            perm.withUnsafeBufferPointer { p in sam_permute4(pointer, d.baseAddress!, p.baseAddress!, result.pointer) }
        }
        return result
    }

    /// The same elements under another shape with the same element count (a copy).
    public func reshaped(_ newShape: [Int]) -> Tensor {
        let result = Tensor(zeros: newShape)
        precondition(result.count == count, "cannot reshape \(shape) to \(newShape)")
        result.pointer.update(from: pointer, count: count)
        return result
    }
}
