import Foundation
import TestSupport
import XCTest
@testable import Training

/// How a rank whose watchdog fired names the peer at fault from the progress stamps.
final class HeartbeatsTests: XCTestCase {
    private func beats(_ rank: Int, job: Int64 = 7, in dir: URL) -> Heartbeats {
        Heartbeats(output: dir, job: job, rank: rank, worldSize: 3)
    }

    func testNamesTheRankThatWentSilentFirst() throws {
        let dir = try makeTemporaryDirectory()
        beats(1, in: dir).write(.init(alive: 100, progress: 99, activity: "waiting in the gradient allreduce of step 5 (ner)"))
        beats(2, in: dir).write(.init(alive: 80, progress: 79, activity: "training step 5 (ner)"))
        XCTAssertEqual(beats(1, in: dir).read(2), .init(alive: 80, progress: 79, activity: "training step 5 (ner)"))
        let report = beats(0, in: dir).peersReport(now: 101, idle: 10, silence: 3)
        XCTAssertEqual(report, "rank 2 went silent 21 s ago, while training step 5 (ner) — it is stalled or dead")
    }

    func testNamesARankAliveButStuckOutsideACollective() throws {
        let dir = try makeTemporaryDirectory()
        beats(1, in: dir).write(.init(alive: 100, progress: 90, activity: "waiting in the gradient allreduce of step 5 (ner)"))
        beats(2, in: dir).write(.init(alive: 100, progress: 88, activity: "training step 5 (ner)"))
        let report = beats(0, in: dir).peersReport(now: 101, idle: 10, silence: 3)
        XCTAssertEqual(report, "rank 2 is alive but has made no progress for 13 s, while training step 5 (ner)")
    }

    func testRanksWithoutAStampOfThisJobAreReported() throws {
        let dir = try makeTemporaryDirectory()
        beats(1, in: dir).write(.init(alive: 100, progress: 90, activity: "waiting for rank 0 to write the checkpoint of step 10"))
        beats(2, job: 6, in: dir).write(.init(alive: 1, progress: 1, activity: "an older job"))
        let report = beats(0, in: dir).peersReport(now: 101, idle: 10, silence: 3)
        XCTAssertTrue(report.hasPrefix("no stamp of rank(s) 2 in "), report)
    }

    func testEveryPeerWaitingIsSaidSo() throws {
        let dir = try makeTemporaryDirectory()
        for r in 1...2 { beats(r, in: dir).write(.init(alive: 100, progress: 90, activity: "waiting in the gradient allreduce of step 5 (ner)")) }
        XCTAssertEqual(beats(0, in: dir).peersReport(now: 101, idle: 10, silence: 3), "every other rank is waiting too")
    }
}
