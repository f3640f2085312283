import Corpus
import Foundation

/// Documents, sentences and tokens per second of one command, on stderr.
public struct Throughput {
    var documents: Int, sentences: Int, tokens: Int, seconds: Double

    public init(documents: [Document], seconds: Double) {
        self.documents = documents.count
        sentences = documents.reduce(0) { $0 + $1.sentences.count(where: { !$0.tokens.isEmpty }) }
        tokens = documents.reduce(0) { $0 + $1.tokenCount }
        self.seconds = seconds
    }

    public func report(_ command: String) {
        let rate = seconds > 0 ? Double(tokens) / seconds : 0
        let line = "hmtl \(command): \(documents) documents, \(sentences) sentences, \(tokens) tokens in "
            + String(format: "%.2f s (%.0f tokens/s, %.1f sentences/s)\n", seconds, rate, seconds > 0 ? Double(sentences) / seconds : 0)
        FileHandle.standardError.write(Data(line.utf8))
    }
}
