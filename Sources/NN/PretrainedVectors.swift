#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A bad or unreadable pretrained-vector file; `line` is 1-based, nil for whole-file problems.
public struct PretrainedVectorsError: Error, CustomStringConvertible {
    public let path: String
    public let line: Int?
    public let message: String

    public var description: String {
        line.map { "\(path):\($0): \(message)" } ?? "\(path): \(message)"
    }
}

/// Word vectors in the GloVe text format (`word v1 … vD`, one word per line, single spaces),
/// restricted to the words of a vocabulary so a multi-GB file never sits in memory.
public struct PretrainedVectors: Sendable {
    public let dimension: Int
    /// Only the requested words that the file contains; a word listed twice keeps its first line.
    public let vectors: [String: [Float]]
    /// The requested words, `vocabulary[i]` being the word of embedding row i.
    public let vocabulary: [String]

    /// The vector for embedding row `row`, if its word was in the file.
    public func vector(row: Int) -> [Float]? { vectors[vocabulary[row]] }

    /// `vocabulary[i]` is the (already lower-cased) word of row i. Lookup lower-cases the file's words.
    ///
    /// Every line's field count is checked (a truncated download fails loudly); numbers are only
    /// parsed for requested words, which keeps a 400k-line file to one pass of byte scanning.
    /// A file sharing no word with the vocabulary is an error: it is almost surely the wrong file,
    /// and the unfound-row initialisation needs the statistics of at least one vector.
    public static func read(path: String, dimension: Int, vocabulary: [String]) throws -> PretrainedVectors {
        try read(path: path, dimension: dimension, vocabulary: vocabulary, chunkSize: 1 << 20)
    }

    /// `chunkSize` is exposed to tests so lines straddling chunk boundaries get exercised.
    static func read(path: String, dimension: Int, vocabulary: [String], chunkSize: Int) throws -> PretrainedVectors {
        precondition(dimension > 0 && chunkSize > 0, "PretrainedVectors: dimension and chunk size must be positive")
        guard let file = fopen(path, "rb") else {
            throw PretrainedVectorsError(path: path, line: nil, message: "cannot open: \(String(cString: strerror(errno)))")
        }
        defer { fclose(file) }
        var parser = LineParser(path: path, dimension: dimension, wanted: Set(vocabulary))
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        var partial: [UInt8] = []  // the unfinished last line of the previous chunk
        while true {
            let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, chunkSize, file) }
            if n == 0 {
                if ferror(file) != 0 {
                    throw PretrainedVectorsError(path: path, line: parser.lineNumber + 1, message: "read error: \(String(cString: strerror(errno)))")
                }
                if !partial.isEmpty { try partial.withUnsafeBufferPointer { try parser.parse($0) } }
                break
            }
            try chunk.withUnsafeBufferPointer { bytes in
                var start = 0
                while let newline = find(UInt8(ascii: "\n"), in: bytes, from: start, to: n) {
                    let piece = UnsafeBufferPointer(rebasing: bytes[start..<newline])
                    if partial.isEmpty {
                        try parser.parse(piece)
                    } else {
                        partial.append(contentsOf: piece)
                        try partial.withUnsafeBufferPointer { try parser.parse($0) }
                        partial.removeAll(keepingCapacity: true)
                    }
                    start = newline + 1
                }
                partial.append(contentsOf: bytes[start..<n])
            }
        }
        guard !parser.vectors.isEmpty else {
            throw PretrainedVectorsError(path: path, line: nil,
                message: "none of the \(vocabulary.count) vocabulary words has a vector in this file")
        }
        return PretrainedVectors(dimension: dimension, vectors: parser.vectors, vocabulary: vocabulary)
    }
}

/// Parses one line at a time, counting lines for error messages.
private struct LineParser {
    let path: String
    let dimension: Int
    let wanted: Set<String>
    var vectors: [String: [Float]] = [:]
    var lineNumber = 0

    /// `line` excludes the newline; a trailing "\r" or trailing spaces are tolerated, blank lines skipped.
    mutating func parse(_ line: UnsafeBufferPointer<UInt8>) throws {
        lineNumber += 1
        let space = UInt8(ascii: " ")
        var end = line.count
        while end > 0 && (line[end - 1] == UInt8(ascii: "\r") || line[end - 1] == space) { end -= 1 }
        guard end > 0 else { return }
        let wordEnd = find(space, in: line, from: 0, to: end) ?? end
        var numbers = 0
        var at = wordEnd
        while at < end {
            numbers += 1
            at = find(space, in: line, from: at + 1, to: end) ?? end
        }
        guard numbers == dimension else {
            throw error("expected \(dimension) numbers after the word, found \(numbers)")
        }
        let word = String(decoding: UnsafeBufferPointer(rebasing: line[0..<wordEnd]), as: UTF8.self).lowercased()
        guard wanted.contains(word), vectors[word] == nil else { return }
        var vector = [Float]()
        vector.reserveCapacity(dimension)
        var start = wordEnd + 1
        while start <= end {
            let fieldEnd = find(space, in: line, from: start, to: end) ?? end
            let text = String(decoding: UnsafeBufferPointer(rebasing: line[start..<fieldEnd]), as: UTF8.self)
            guard let value = Float(text), value.isFinite else {
                throw error("expected a finite number as value \(vector.count + 1) of '\(word)', found '\(text)'")
            }
            vector.append(value)
            start = fieldEnd + 1
        }
        vectors[word] = vector
    }

    func error(_ message: String) -> PretrainedVectorsError {
        PretrainedVectorsError(path: path, line: lineNumber, message: message)
    }
}

/// The first index of `byte` in `bytes[from..<to]` (memchr: GloVe files are scanned byte by byte).
private func find(_ byte: UInt8, in bytes: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> Int? {
    guard from < to, let base = bytes.baseAddress, let hit = memchr(base + from, Int32(byte), to - from) else { return nil }
    return UnsafeRawPointer(hit) - UnsafeRawPointer(base)
}
