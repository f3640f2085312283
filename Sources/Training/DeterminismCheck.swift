import Distributed
import Foundation
import NN
import Random

/// `hmtl train --check-determinism N`: trains the first N steps twice from the same start and
/// compares hashes of the parameters. Same seed, same world size and same BLAS thread count
/// must give the same bits (docs/distributed.md, "Determinism"); a difference means something in
/// the run is not — a BLAS threading mode, an uninitialised buffer, a race.
public enum DeterminismCheck {
    public struct Outcome: Sendable {
        public var steps: Int
        public var hashes: [UInt64]
        public var isDeterministic: Bool { Set(hashes).count == 1 }
    }

    public static func run(config: RunConfig, communicator: Communicator, data: RunData, pretrained: PretrainedVectors?,
                           steps: Int, scratch: URL) throws -> Outcome {
        var hashes: [UInt64] = []
        for attempt in 0..<2 {
            let trainer = try Trainer(config: config, communicator: communicator, data: data,
                                      output: scratch.appendingPathComponent("attempt-\(attempt)"), pretrained: pretrained)
            try trainer.agreeAndBroadcast()
            for _ in 0..<steps { _ = try trainer.trainStep() }
            hashes.append(FNV1a.hash(bytes: UnsafeRawBufferPointer(trainer.arena.values)))
        }
        return Outcome(steps: steps, hashes: hashes)
    }
}
