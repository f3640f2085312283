import Dispatch
import Distributed

/// An isolated allreduce latency, measured as osu_allreduce does: untimed warm-up calls, then
/// each timed call between barriers (so a late rank's compute is never charged to the
/// reduction), the mean over calls, then the mean over ranks. The buffer is the trainer's
/// element type (Float32) and is reduced in place, as the gradient arena is.
public struct AllreduceProbe: Sendable {
    public var warmup = 5
    public var iterations = 50

    public init(warmup: Int = 5, iterations: Int = 50) {
        precondition(warmup >= 0 && iterations > 0, "AllreduceProbe: at least one timed iteration")
        self.warmup = warmup
        self.iterations = iterations
    }

    /// Mean seconds of one allreduce of `bytes` (rounded up to whole floats, at least one);
    /// the same on every rank. Collective.
    public func seconds(bytes: Int, communicator: Communicator) throws -> Double {
        let count = max(1, (bytes + 3) / 4)
        var buffer = [Float](repeating: 1, count: count)
        var total = 0.0
        try buffer.withUnsafeMutableBufferPointer { values in
            for i in 0..<(warmup + iterations) {
                try communicator.barrier()
                let start = DispatchTime.now().uptimeNanoseconds
                try communicator.allreduceSum(values.baseAddress!, count: count)
                let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                if i >= warmup { total += elapsed }
                // Sums of ones grow by a factor of the world size per call: start again from
                // ones so that many iterations never reach infinity (which some reductions
                // handle on a slower path).
                if communicator.size > 1 { values.update(repeating: 1) }
            }
        }
        var mean = [total / Double(iterations)]
        try communicator.allreduceSum(&mean)
        return mean[0] / Double(communicator.size)
    }
}
