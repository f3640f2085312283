#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Tensor

/// A bad or unreadable word-vector file; `line` is 1-based, nil for whole-file problems.
public struct VectorsFileError: Error, CustomStringConvertible {
    public let path: String
    public let line: Int?
    public let message: String

    public var description: String {
        line.map { "\(path):\($0): \(message)" } ?? "\(path): \(message)"
    }
}

/// A word-vector file in the GloVe text format (`word v1 … vD`, one word per line, single
/// spaces), indexed so that its rows are read on demand: a 400k-word, 300-d file (1 GB of
/// text) never sits in memory.
///
/// One pass over the file checks every line's field count (a truncated download fails
/// loudly), hashes all its bytes (`checksum`, how a checkpoint recognises the file) and keeps
/// one 24-byte `Line` per word: the hash of the lower-cased word, where the line starts, its
/// length and its number. Numbers are parsed only for the lines `vectors(for:)` reads, so a
/// malformed number is reported, with its line, when its word is first asked for.
public struct VectorsFile: Sendable {
    public let path: String
    public let dimension: Int
    /// The file's size in bytes and the 64-bit FNV-1a hash of all of them.
    public let byteCount: Int
    public let checksum: UInt64
    /// One per non-blank line, sorted by (word hash, offset): a word's first line comes first.
    private let lines: [Line]

    /// The number of words (non-blank lines) in the file, repeated words included.
    public var wordCount: Int { lines.count }

    struct Line {
        /// FNV-1a of the lower-cased word's UTF-8 bytes.
        var wordHash: UInt64
        /// Byte offset of the line's first byte, and its length without the newline.
        var offset: Int
        var length: UInt32
        /// 1-based, for errors found when the line is read.
        var number: UInt32
    }

    public init(path: String, dimension: Int) throws {
        try self.init(path: path, dimension: dimension, chunkSize: 1 << 20)
    }

    /// `chunkSize` is exposed to tests so lines straddling chunk boundaries get exercised.
    init(path: String, dimension: Int, chunkSize: Int) throws {
        precondition(dimension > 0 && chunkSize > 0, "VectorsFile: dimension and chunk size must be positive")
        guard let file = fopen(path, "rb") else {
            throw VectorsFileError(path: path, line: nil, message: "cannot open: \(String(cString: strerror(errno)))")
        }
        defer { fclose(file) }
        var indexer = Indexer(path: path, dimension: dimension)
        var checksum = FNV1a.offsetBasis
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        var partial: [UInt8] = []  // the unfinished last line of the previous chunk
        var chunkStart = 0, lineStart = 0  // file offsets of chunk[0] and of the current line
        while true {
            let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, chunkSize, file) }
            if n == 0 {
                if ferror(file) != 0 {
                    throw VectorsFileError(path: path, line: indexer.lineNumber + 1, message: "read error: \(String(cString: strerror(errno)))")
                }
                if !partial.isEmpty { try partial.withUnsafeBufferPointer { try indexer.add($0, offset: lineStart) } }
                break
            }
            try chunk.withUnsafeBufferPointer { bytes in
                checksum = FNV1a.hash(bytes: UnsafeBufferPointer(rebasing: bytes[0..<n]), into: checksum)
                var start = 0
                while let newline = find(UInt8(ascii: "\n"), in: bytes, from: start, to: n) {
                    let piece = UnsafeBufferPointer(rebasing: bytes[start..<newline])
                    if partial.isEmpty {
                        try indexer.add(piece, offset: lineStart)
                    } else {
                        partial.append(contentsOf: piece)
                        try partial.withUnsafeBufferPointer { try indexer.add($0, offset: lineStart) }
                        partial.removeAll(keepingCapacity: true)
                    }
                    start = newline + 1
                    lineStart = chunkStart + start
                }
                partial.append(contentsOf: bytes[start..<n])
            }
            chunkStart += n
        }
        self.path = path
        self.dimension = dimension
        byteCount = chunkStart
        self.checksum = checksum
        indexer.lines.sort { ($0.wordHash, $0.offset) < ($1.wordHash, $1.offset) }  // in place: no second copy
        lines = indexer.lines
    }

    /// The vectors of those of `words` the file has, by lower-cased word (the file's words are
    /// lower-cased too), each from the word's first line. Lines are read in the order of
    /// `words`, so the first malformed one reported is always the same.
    public func vectors(for words: some Sequence<String>) throws -> [String: [Float]] {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw VectorsFileError(path: path, line: nil, message: "cannot open: \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var found: [String: [Float]] = [:]
        var asked = Set<String>()
        for word in words.lazy.map({ $0.lowercased() }) where asked.insert(word).inserted {
            let hash = FNV1a.hash(word)
            var i = firstLine(hashing: hash)
            while i < lines.count, lines[i].wordHash == hash {
                let line = lines[i]
                i += 1
                let buffer = try read(line, from: descriptor)
                let fields = try buffer.withUnsafeBufferPointer { try LineFields(path: path, number: Int(line.number), $0, dimension: dimension) }
                guard fields.word.lowercased() == word else { continue }  // another word with the same hash
                found[word] = try buffer.withUnsafeBufferPointer { try fields.values(in: $0) }
                break
            }
        }
        return found
    }

    /// The index of the first line whose word hash is at least `hash`.
    private func firstLine(hashing hash: UInt64) -> Int {
        var low = 0, high = lines.count
        while low < high {
            let middle = (low + high) / 2
            if lines[middle].wordHash < hash { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// The bytes of `line` (without its newline).
    private func read(_ line: Line, from descriptor: Int32) throws -> [UInt8] {
        let length = Int(line.length)
        var buffer = [UInt8](repeating: 0, count: length)
        var done = 0
        while done < length {
            let n = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress! + done, length - done, off_t(line.offset + done)) }
            guard n > 0 else {
                let reason = n < 0 ? "read error: \(String(cString: strerror(errno)))" : "the file is shorter than when it was indexed"
                throw VectorsFileError(path: path, line: Int(line.number), message: reason)
            }
            done += n
        }
        return buffer
    }
}

/// Builds the index line by line, counting lines for error messages.
private struct Indexer {
    let path: String
    let dimension: Int
    var lines: [VectorsFile.Line] = []
    var lineNumber = 0

    /// `line` excludes the newline.
    mutating func add(_ line: UnsafeBufferPointer<UInt8>, offset: Int) throws {
        lineNumber += 1
        let fields = try LineFields(path: path, number: lineNumber, line, dimension: dimension)
        guard !fields.isBlank else { return }
        guard let length = UInt32(exactly: line.count), let number = UInt32(exactly: lineNumber) else {
            throw VectorsFileError(path: path, line: lineNumber, message: "a line of 4 GiB or more, or over 2³² lines: not a GloVe file")
        }
        lines.append(VectorsFile.Line(wordHash: FNV1a.hash(fields.word.lowercased()), offset: offset, length: length, number: number))
    }
}

/// One line split into its word and number fields; a trailing "\r" or trailing spaces are
/// tolerated, a blank line has no fields, any other line must have exactly `dimension` numbers.
private struct LineFields {
    let path: String
    let number: Int
    /// The end of the line without its trailing "\r" and spaces, and of its word.
    let end: Int
    let wordEnd: Int
    let word: String

    var isBlank: Bool { end == 0 }

    init(path: String, number: Int, _ line: UnsafeBufferPointer<UInt8>, dimension: Int) throws {
        self.path = path
        self.number = number
        let space = UInt8(ascii: " ")
        var end = line.count
        while end > 0 && (line[end - 1] == UInt8(ascii: "\r") || line[end - 1] == space) { end -= 1 }
        let wordEnd = find(space, in: line, from: 0, to: end) ?? end
        self.end = end
        self.wordEnd = wordEnd
        word = String(decoding: UnsafeBufferPointer(rebasing: line[0..<wordEnd]), as: UTF8.self)
        guard end > 0 else { return }
        var numbers = 0
        var at = wordEnd
        while at < end {
            numbers += 1
            at = find(space, in: line, from: at + 1, to: end) ?? end
        }
        guard numbers == dimension else {
            throw VectorsFileError(path: path, line: number, message: "expected \(dimension) numbers after the word, found \(numbers)")
        }
    }

    /// The numbers of `line` (the line these fields were found in), each a finite float.
    func values(in line: UnsafeBufferPointer<UInt8>) throws -> [Float] {
        var vector = [Float]()
        var start = wordEnd + 1
        while start <= end {
            let fieldEnd = find(UInt8(ascii: " "), in: line, from: start, to: end) ?? end
            let text = String(decoding: UnsafeBufferPointer(rebasing: line[start..<fieldEnd]), as: UTF8.self)
            guard let value = Float(text), value.isFinite else {
                throw VectorsFileError(path: path, line: number,
                                             message: "expected a finite number as value \(vector.count + 1) of '\(word.lowercased())', found '\(text)'")
            }
            vector.append(value)
            start = fieldEnd + 1
        }
        return vector
    }
}

/// The first index of `byte` in `bytes[from..<to]` (memchr: GloVe files are scanned byte by byte).
private func find(_ byte: UInt8, in bytes: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> Int? {
    guard from < to, let base = bytes.baseAddress, let hit = memchr(base + from, Int32(byte), to - from) else { return nil }
    return UnsafeRawPointer(hit) - UnsafeRawPointer(base)
}
