/// A named parameter tensor living at `offset` in the flat arena. Names are stable paths
/// (`ner/encoder/l0/fwd/w_ih`) and double as checkpoint dataset names.
public struct Parameter: Sendable, Hashable {
    public let name: String
    public let shape: [Int]
    public let offset: Int
    public var count: Int { shape.reduce(1, *) }
    public var range: Range<Int> { offset..<(offset + count) }
}

/// Hands out consecutive arena slots in the order layers are built, which is hierarchy order
/// (`[embedder | NER | EMD | CR | RE]`): a task's parameters end up in contiguous ranges.
public struct ParameterLayout: Sendable {
    public private(set) var parameters: [Parameter] = []
    public private(set) var count = 0

    public init() {}

    public mutating func add(_ name: String, shape: [Int]) -> Parameter {
        precondition(!parameters.contains { $0.name == name }, "duplicate parameter name \(name)")
        precondition(shape.allSatisfy { $0 > 0 }, "parameter \(name) has an empty shape \(shape)")
        let p = Parameter(name: name, shape: shape, offset: count)
        parameters.append(p)
        count += p.count
        return p
    }

    /// The arena range covered by every parameter whose name starts with `prefix`
    /// (they are contiguous because each block is added in one go).
    public func range(ofPrefix prefix: String) -> Range<Int> {
        let matching = parameters.filter { $0.name.hasPrefix(prefix) }
        guard let first = matching.first, let last = matching.last else { return count..<count }
        return first.offset..<(last.offset + last.count)
    }
}

/// Flat, 64-byte aligned Float32 storage for all parameter values and their gradients, so
/// an allreduce, an optimizer step or a checkpoint is one pass over one buffer.
///
/// Invariant between training steps: every gradient is zero (they start zero; backward passes
/// accumulate; the optimizer step that consumes a range zeroes it).
public final class ParameterArena {
    public let layout: ParameterLayout
    public let values: UnsafeMutableBufferPointer<Float>
    public let grads: UnsafeMutableBufferPointer<Float>

    public init(layout: ParameterLayout) {
        self.layout = layout
        values = ParameterArena.allocate(layout.count)
        grads = ParameterArena.allocate(layout.count)
    }

    deinit {
        values.baseAddress.map { UnsafeMutableRawPointer($0).deallocate() }
        grads.baseAddress.map { UnsafeMutableRawPointer($0).deallocate() }
    }

    public var count: Int { layout.count }

    @inlinable public func value(_ p: Parameter) -> UnsafeMutablePointer<Float> { values.baseAddress! + p.offset }
    @inlinable public func grad(_ p: Parameter) -> UnsafeMutablePointer<Float> { grads.baseAddress! + p.offset }

    public func zeroGrads(_ range: Range<Int>? = nil) {
        let r = range ?? 0..<count
        guard !r.isEmpty else { return }
        (grads.baseAddress! + r.lowerBound).update(repeating: 0, count: r.count)
    }

    private static func allocate(_ n: Int) -> UnsafeMutableBufferPointer<Float> {
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(n, 1) * MemoryLayout<Float>.stride, alignment: 64)
        let p = raw.bindMemory(to: Float.self, capacity: max(n, 1))
        p.initialize(repeating: 0, count: max(n, 1))
        return UnsafeMutableBufferPointer(start: p, count: n)
    }
}
