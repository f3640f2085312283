import Foundation
import XCTest
@testable import Training

/// Console lines never block training: into a pipe nobody reads, they wait in memory, in
/// order, and go out once the reader comes back.
final class ConsoleOutputTests: XCTestCase {
    func testLinesIntoAFullPipeWaitInOrderWithoutBlocking() throws {
        let pipe = Pipe()
        let console = ConsoleOutput(fileDescriptor: pipe.fileHandleForWriting.fileDescriptor)
        let lines = (0..<5_000).map { String(format: "line %05d of a run's console output", $0) }
        let started = Date()
        for line in lines { console.line(line) }
        XCTAssertLessThan(Date().timeIntervalSince(started), 60, "bounded: no write blocked on the full pipe")
        // Premise: the pipe (64 KiB) was full, so some lines had to wait.
        XCTAssertGreaterThan(console.waiting, 0)

        let received = Received()
        let reader = Thread {
            while true {
                let chunk = pipe.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                received.data.append(chunk)
            }
        }
        reader.start()
        console.drain(within: 30)
        XCTAssertEqual(console.waiting, 0, "a reader back: everything went out")
        try pipe.fileHandleForWriting.close()
        while !reader.isFinished { Thread.sleep(forTimeInterval: 0.01) }
        XCTAssertEqual(String(decoding: received.data, as: UTF8.self), lines.map { $0 + "\n" }.joined())
    }

    func testAClosedReaderDropsWhatWaits() throws {
        let pipe = Pipe()
        let console = ConsoleOutput(fileDescriptor: pipe.fileHandleForWriting.fileDescriptor, limit: 1 << 16)
        for i in 0..<10_000 { console.line("line \(i)") }
        XCTAssertLessThanOrEqual(console.waiting, 1 << 16, "past the limit the oldest bytes go")
        XCTAssertGreaterThan(console.waiting, 0)
        try pipe.fileHandleForReading.close()
        let previous = signal(SIGPIPE, SIG_IGN)  // the write that finds no reader would end the test process
        defer { signal(SIGPIPE, previous) }
        console.drain(within: 5)
        XCTAssertEqual(console.waiting, 0, "nobody can read: dropped, not kept forever")
    }
}

/// What the reader thread collects; read only after it finished.
private final class Received: @unchecked Sendable {
    var data = Data()
}
