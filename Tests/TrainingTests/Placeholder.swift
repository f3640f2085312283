import XCTest
final class TrainingPlaceholderTests: XCTestCase { func testNothingYet() {} }
