/// A dense Float32 array in row-major order. Activations and caches are plain `Tensor`s;
/// parameters live in a `ParameterArena` instead so they can be reduced and saved as one block.
public struct Tensor: Equatable, Sendable {
    public private(set) var shape: [Int]
    public var data: [Float]

    public init(zeros shape: [Int]) {
        self.shape = shape
        self.data = [Float](repeating: 0, count: shape.reduce(1, *))
    }

    /// For a buffer that a kernel then overwrites in full (an LSTM's gates, a gathered copy):
    /// skips the zero fill, which at the yardstick shapes is megabytes of stores per step.
    /// Every element must be written before any is read.
    public init(overwrittenBeforeRead shape: [Int]) {
        let count = shape.reduce(1, *)
        self.shape = shape
        self.data = [Float](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
    }

    public init(shape: [Int], data: [Float]) {
        precondition(shape.reduce(1, *) == data.count, "Tensor: shape \(shape) needs \(shape.reduce(1, *)) values, got \(data.count)")
        self.shape = shape
        self.data = data
    }

    public var count: Int { data.count }
    public var rank: Int { shape.count }

    /// Rows when viewed as a matrix [rows, last dimension].
    public var rows: Int { shape.count <= 1 ? 1 : count / shape[shape.count - 1] }
    public var columns: Int { shape.last ?? 1 }

    /// Same data, new shape with the same number of elements.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        Tensor(shape: newShape, data: data)
    }

    public subscript(i: Int, j: Int) -> Float {
        get { data[i * columns + j] }
        set { data[i * columns + j] = newValue }
    }

    public mutating func fill(_ value: Float) {
        for i in data.indices { data[i] = value }
    }

    public mutating func withMutablePointer<R>(_ body: (UnsafeMutablePointer<Float>) throws -> R) rethrows -> R {
        try data.withUnsafeMutableBufferPointer { try body($0.baseAddress!) }
    }

    public func withPointer<R>(_ body: (UnsafePointer<Float>) throws -> R) rethrows -> R {
        try data.withUnsafeBufferPointer { try body($0.baseAddress!) }
    }
}
