import XCTest
@testable import Distributed

final class AgreementCheckTests: XCTestCase {
    /// Each rank of `world` verifies its own column of `fields`; returns each rank's error
    /// message, or nil where verify passed.
    private func verifyAll(names: [String], _ fields: [[Int64]], expectedWorldSize: Int? = nil) -> [String?] {
        FakeRank.world(fields).map { rank in
            let check = AgreementCheck(
                fields: zip(names, fields).map { AgreementField($0, $1[rank.rank]) },
                expectedWorldSize: expectedWorldSize)
            do {
                try check.verify(on: rank)
                XCTAssertEqual(rank.allgatherCalls, names.count)
                return nil
            } catch {
                return (error as? DistributedError)?.message ?? "unexpected error \(error)"
            }
        }
    }

    func testAgreeingRanksPass() {
        let results = verifyAll(names: ["config hash", "parameter count"], [[7, 7, 7], [100, 100, 100]],
                                expectedWorldSize: 3)
        XCTAssertEqual(results, [nil, nil, nil])
    }

    func testMismatchNamesFieldRankAndValuesIdenticallyOnEveryRank() throws {
        let results = verifyAll(names: ["config hash", "vocabulary hash", "parameter count"],
                                [[7, 7, 7], [11, 11, 42], [100, 100, 100]])
        let message = try XCTUnwrap(results[0])
        XCTAssertEqual(results, [message, message, message])
        XCTAssertEqual(message, "ranks disagree at start-up:\n  vocabulary hash differs: ranks 0, 1 have 11; rank 2 has 42")
    }

    func testEveryMismatchingFieldIsReported() throws {
        let results = verifyAll(names: ["config hash", "parameter count"], [[1, 2, 2], [5, 5, 6]])
        let message = try XCTUnwrap(results[2])
        XCTAssertEqual(results, [message, message, message])
        XCTAssertTrue(message.contains("config hash differs: ranks 1, 2 have 2; rank 0 has 1"), message)
        XCTAssertTrue(message.contains("parameter count differs: ranks 0, 1 have 5; rank 2 has 6"), message)
    }

    func testThreeWaySplitListsEveryValueLowestRankFirstOnTies() {
        XCTAssertEqual(AgreementCheck.mismatchMessage(field: "seed", values: [3, 1, 2]),
                       "seed differs: rank 0 has 3; rank 1 has 1; rank 2 has 2")
        XCTAssertNil(AgreementCheck.mismatchMessage(field: "seed", values: [4, 4]))
    }

    func testRankListsCompressLongRuns() {
        XCTAssertEqual(AgreementCheck.rankList([5]), "rank 5")
        XCTAssertEqual(AgreementCheck.rankList([0, 1]), "ranks 0, 1")
        XCTAssertEqual(AgreementCheck.rankList(Array(0...31) + Array(33...63)), "ranks 0-31, 33-63")
        XCTAssertEqual(AgreementCheck.rankList([0, 1, 3, 4, 5, 9]), "ranks 0, 1, 3-5, 9")
    }

    func testWorldSizeMismatchStopsBeforeAnyCollective() throws {
        let results = verifyAll(names: [], [[1, 1, 1]], expectedWorldSize: 4)
        let message = try XCTUnwrap(results[0])
        XCTAssertEqual(results, [message, message, message])
        XCTAssertEqual(message, "expected a world of 4 ranks but this one has 3")
    }

    func testSingletonWorldHintsAtLauncherWithoutPMI() throws {
        let check = AgreementCheck(fields: [AgreementField("config hash", 1)], expectedWorldSize: 4)
        XCTAssertThrowsError(try check.verify(on: SingleProcessCommunicator())) { error in
            let message = (error as? DistributedError)?.message ?? ""
            XCTAssertTrue(message.hasPrefix("expected a world of 4 ranks but this one has 1; "), message)
            XCTAssertTrue(message.contains("4 separate single-rank processes"), message)
            XCTAssertTrue(message.contains("PMI"), message)
        }
    }
}
