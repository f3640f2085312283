import XCTest
final class CheckpointPlaceholderTests: XCTestCase { func testNothingYet() {} }
