/// The cost of a ring allreduce, to project step time beyond the ranks one machine can run.
///
/// A ring allreduce of `bytes` over N ranks is a reduce-scatter then an allgather, each N − 1
/// steps in which every rank sends one 1/N-th of the message to its neighbour and waits for
/// the one from the other side. With a per-message latency α and a link bandwidth β:
///
///     t(N) = 2·(N − 1)·α + 2·(N − 1)/N · bytes / β        (t(1) = 0)
///
/// Issue 5's shorthand "latency + 2(N−1)/N·bytes/bandwidth" counts the latency once; this model
/// counts it once per ring step, because the 2(N − 1) steps are sequential and each waits for a
/// message. For the ~25 MB gradients of the yardstick the bandwidth term dominates either way
/// (α ≈ 1–10 µs against milliseconds of transfer), but at hundreds of ranks the per-step form is
/// the honest upper estimate of a plain ring.
public struct RingAllreduceModel: Sendable, Equatable {
    /// Seconds per message step (α).
    public var latency: Double
    /// Bytes per second of one link (β).
    public var bandwidth: Double

    public init(latency: Double, bandwidth: Double) {
        precondition(latency >= 0 && bandwidth > 0, "RingAllreduceModel: latency ≥ 0 and bandwidth > 0")
        self.latency = latency
        self.bandwidth = bandwidth
    }

    /// Seconds for one allreduce of `bytes` over `ranks` ranks.
    public func seconds(ranks: Int, bytes: Double) -> Double {
        precondition(ranks >= 1, "RingAllreduceModel: at least one rank")
        let n = Double(ranks)
        return 2 * (n - 1) * latency + 2 * (n - 1) / n * bytes / bandwidth
    }

    /// Fits α and β to two isolated allreduces measured on `ranks` (> 1) ranks: a tiny one
    /// (`smallSeconds`, its transfer negligible, so α = t_small / 2(N − 1)) and one of `bytes`
    /// (`seconds`), whose time after the latency term is the transfer: β = 2(N − 1)/N · bytes /
    /// (t − 2(N − 1)·α). When noise leaves no transfer time, the whole time is charged to it.
    public static func fitted(ranks: Int, smallSeconds: Double, bytes: Double, seconds: Double) -> RingAllreduceModel {
        precondition(ranks > 1 && bytes > 0 && seconds > 0, "RingAllreduceModel.fitted: needs > 1 rank and a timed message")
        let steps = 2 * Double(ranks - 1)
        let latency = max(smallSeconds, 0) / steps
        let transfer = seconds - steps * latency
        let volume = steps / Double(ranks) * bytes
        return RingAllreduceModel(latency: latency, bandwidth: volume / (transfer > 0 ? transfer : seconds))
    }

    /// One projected row of weak scaling: every rank computes its own batch in `computeSeconds`,
    /// then the gradients are reduced; nothing overlaps (the trainer reduces after backward).
    public struct Row: Sendable, Equatable {
        public var ranks: Int
        public var computeSeconds: Double, allreduceSeconds: Double
        public var stepSeconds: Double { computeSeconds + allreduceSeconds }
        /// Throughput over one rank's: N · t(1) / t(N), t(1) being compute alone.
        public var speedup: Double { Double(ranks) * computeSeconds / stepSeconds }
        public var efficiency: Double { speedup / Double(ranks) }
    }

    public func project(ranks: [Int], computeSeconds: Double, bytes: Double) -> [Row] {
        ranks.map { Row(ranks: $0, computeSeconds: computeSeconds, allreduceSeconds: seconds(ranks: $0, bytes: bytes)) }
    }
}
