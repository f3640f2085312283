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

        let (output, left) = try readBack(pipe, draining: console)
        XCTAssertEqual(left, 0, "a reader back: everything went out")
        XCTAssertEqual(output, lines.map { $0 + "\n" }.joined())
    }

    /// Past the limit whole lines go, never part of one, even when stdout has taken the first
    /// part of a line (writes go in 256-byte chunks, so lines are split between them).
    func testPastTheLimitWholeLinesAreDroppedOldestFirst() throws {
        let pipe = Pipe()
        let console = ConsoleOutput(fileDescriptor: pipe.fileHandleForWriting.fileDescriptor, limit: 1 << 14)
        func line(_ i: Int) -> String { "line \(i) " + String(repeating: "x", count: i % 97) }
        let count = 20_000
        for i in 0..<count { console.line(line(i)) }
        let lines = try readBack(pipe, draining: console).output.split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(lines.last, "", "the output ends with a whole line")
        let numbers = lines.dropLast().map { text in
            let words = text.split(separator: " ")
            return words.count > 1 ? Int(words[1]) ?? -1 : -1
        }
        // Premise: lines were dropped (the pipe holds 64 KiB, the lines about 1.1 MB).
        XCTAssertLessThan(numbers.count, count)
        XCTAssertEqual(numbers.last, count - 1, "the newest line is kept")
        XCTAssertTrue(numbers == numbers.sorted(), "out of order (or a cut line)")
        for (text, i) in zip(lines, numbers) where i < 0 || text != line(i) {
            XCTFail("a cut line: \(text.prefix(80))")
            break
        }
    }

    /// Starts a reader on `pipe`, drains `console` into it, closes the writing end and returns
    /// everything read and what still waited after the drain.
    private func readBack(_ pipe: Pipe, draining console: ConsoleOutput) throws -> (output: String, left: Int) {
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
        let left = console.waiting
        try pipe.fileHandleForWriting.close()
        while !reader.isFinished { Thread.sleep(forTimeInterval: 0.01) }
        return (String(decoding: received.data, as: UTF8.self), left)
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
