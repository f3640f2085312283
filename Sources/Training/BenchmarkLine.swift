import Foundation

extension Benchmark.Result {
    /// The JSON object `hmtl bench` prints (rank 0, for the whole job): phase medians in ms,
    /// tokens/s of all ranks (each runs its own batch of the yardstick shape), and the
    /// allreduce figures — bandwidth as osu_allreduce reports it, message bytes over time
    /// (null on one rank, where nothing moves). `ScalingSweep.Point(line:)` reads it back.
    public func line(ranks: Int, shapes: Benchmark.Shapes, environment: [String: String]) -> [String: Any] {
        func rounded(_ x: Double, _ digits: Double = 1000) -> Double { (x * digits).rounded() / digits }
        func gigabytesPerSecond(_ seconds: Double) -> Any { ranks > 1 && seconds > 0 ? rounded(allreduceBytes / seconds / 1e9) : NSNull() }
        var object: [String: Any] = [
            "tool": "hmtl", "task": workload, "mode": "train",
            "threads": environment["OPENBLAS_NUM_THREADS"] ?? "default",
            "openblas_coretype": environment["OPENBLAS_CORETYPE"] ?? "auto",
            "ranks": ranks, "tokens_per_step": tokensPerStep * ranks,
            "tokens_per_s": rounded(tokensPerSecond * Double(ranks), 10), "ms_per_step": rounded(step), "ms_min": rounded(fastestStep),
            "forward_ms": rounded(forward), "backward_ms": rounded(backward), "allreduce_ms": rounded(allreduce),
            "optimizer_ms": rounded(optimizer), "compute_ms": rounded(compute), "allreduce_fraction": rounded(allreduceFraction, 10_000),
            "allreduce_bytes": Int(allreduceBytes.rounded()), "allreduce_dense_bytes": Int(denseAllreduceBytes.rounded()), "allreduce_gbps": gigabytesPerSecond(allreduce / 1000),
            "isolated_allreduce_us": rounded(isolatedAllreduceSeconds * 1e6), "isolated_allreduce_gbps": gigabytesPerSecond(isolatedAllreduceSeconds),
            "isolated_latency_us": rounded(isolatedLatencySeconds * 1e6), "cpu_share": rounded(cpuShare),
            "steps_per_task": Dictionary(uniqueKeysWithValues: stepsPerTask.map { ($0.key.rawValue, $0.value) }),
            "sampler_weights": Dictionary(uniqueKeysWithValues: samplerWeights.map { ($0.key.rawValue, $0.value) }),
            "batch": shapes.batch, "seq_len": shapes.length, "word_dim": shapes.wordDimension,
        ]
        if let inference {
            object["infer_tokens_per_s"] = rounded(Double(tokensPerStep) / (inference / 1000), 10)
            object["infer_ms_per_step"] = rounded(inference)
        }
        return object
    }
}
